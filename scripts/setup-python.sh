#!/usr/bin/env bash
# Creates the project's Python environment (.venv) with JupyterLab 4 and the tools that run notebooks
# headless (nbclient, nbconvert, nbformat, ipykernel). Idempotent: when the venv already has the pinned
# versions it only checks and returns (well under a second).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${SPICESIM_VENV:-$ROOT/.venv}"
PY="${PYTHON:-python3}"

# Versions that install and run on this machine (Python 3.11); JupyterLab must stay 4.x for the extension.
REQUIREMENTS=(
  "jupyterlab>=4.4,<5"
  "nbclient>=0.10,<1"
  "nbconvert>=7.16,<8"
  "nbformat>=5.10,<6"
  "ipykernel>=6.29,<8"
)
STAMP="$VENV/.spicesim-requirements"
WANTED="$(printf '%s\n' "${REQUIREMENTS[@]}")"

if [[ ! -x "$VENV/bin/python" ]]; then
  echo "setup-python: creating $VENV"
  "$PY" -m venv "$VENV"
fi

if [[ -f "$STAMP" && "$(cat "$STAMP")" == "$WANTED" ]] && "$VENV/bin/python" -c 'import jupyterlab, nbclient, nbconvert' 2>/dev/null; then
  echo "setup-python: $VENV up to date (jupyterlab $("$VENV/bin/python" -c 'import jupyterlab; print(jupyterlab.__version__)'))"
  exit 0
fi

echo "setup-python: installing ${REQUIREMENTS[*]}"
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "${REQUIREMENTS[@]}"
printf '%s\n' "$WANTED" > "$STAMP"
echo "setup-python: done (jupyterlab $("$VENV/bin/python" -c 'import jupyterlab; print(jupyterlab.__version__)'))"
