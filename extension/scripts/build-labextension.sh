#!/usr/bin/env bash
# Builds the prebuilt (federated) JupyterLab extension into extension/spicesim_extension/labextension by
# running @jupyterlab/builder (webpack, from the root node_modules) against the venv JupyterLab's core
# package metadata, then installs
# it into the venv by linking <venv>/share/jupyter/labextensions/@spicesim/extension to the build output.
# Needs: npm ci at the root, kernel built (the viewer imports @spicesim/kernel/dist/waveform), .venv set up.
set -euo pipefail
EXT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ROOT="$(cd "$EXT/.." && pwd)"
VENV="${SPICESIM_VENV:-$ROOT/.venv}"
if [[ ! -x "$VENV/bin/jupyter" ]]; then
  echo "build-labextension: $VENV has no jupyter; run scripts/setup-python.sh first" >&2
  exit 1
fi
if [[ ! -f "$ROOT/kernel/dist/waveform/schema.js" ]]; then
  echo "build-labextension: kernel is not built; run npm run build -w kernel first" >&2
  exit 1
fi
# NOT `jupyter labextension build` / `jupyter-builder build`: when they do not recognise the npm workspace
# they run `jlpm` (yarn) at the repository root, which deletes the root node_modules and writes .pnp.cjs.
# Skip webpack (minutes on this machine) when nothing it bundles changed since the last build.
STAMP="$EXT/spicesim_extension/labextension/.spicesim-inputs"
# Every input of the bundle, subfolders included (schematic, drive, the solver the worker bundles).
INPUTS="$(cd "$ROOT" && find extension/package.json extension/lib extension/style kernel/dist solver/dist \
  node_modules/plotly.js-dist-min/package.json -type f \( -name '*.js' -o -name '*.css' -o -name '*.json' -o -name '*.svg' \) \
  -not -name '*.map' 2>/dev/null | LC_ALL=C sort | xargs cat | sha256sum | cut -d' ' -f1)"
TARGET="$VENV/share/jupyter/labextensions/@spicesim/extension"
if [[ "${SPICESIM_LABEXT_FORCE:-0}" != "1" && -f "$STAMP" && "$(cat "$STAMP")" == "$INPUTS" ]]; then
  echo "build-labextension: up to date"
else
BUILDER="$(cd "$ROOT" && node -p "require.resolve('@jupyterlab/builder/lib/build-labextension.js')")"
CORE="$("$VENV/bin/python" -c 'import jupyterlab, os; print(os.path.join(os.path.dirname(jupyterlab.__file__), "staging"))')"
ARGS=(--core-path "$CORE")
[[ "${SPICESIM_LABEXT_MODE:-production}" == "development" ]] && ARGS+=(--development)
(cd "$EXT" && node "$BUILDER" "${ARGS[@]}" "$EXT")
echo "$INPUTS" > "$STAMP"
fi
mkdir -p "$(dirname "$TARGET")"
ln -sfn "$EXT/spicesim_extension/labextension" "$TARGET"
echo "build-labextension: installed $TARGET -> $EXT/spicesim_extension/labextension"
