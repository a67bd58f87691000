#!/usr/bin/env bash
# SpiceSim: one command from a fresh clone to a running JupyterLab with the SpiceSim kernel and extension.
#   1. npm ci (only when node_modules is missing), build every workspace (solver, kernel, server ...)
#   2. scripts/setup-python.sh: .venv with JupyterLab 4, nbclient, nbconvert
#   3. build + install the JupyterLab extension into .venv (skipped when up to date)
#   4. install the "SpiceSim (TypeScript)" kernelspec into .venv, JupyterLab settings overrides
#   5. start the SpiceSim service (server/) when it has a start script  [hook, see start_service]
#   6. start JupyterLab on notebooks/ and print the URL
# Environment: PORT (JupyterLab, default 8888), HOST (default 127.0.0.1), JUPYTER_TOKEN (default: random),
#   SERVER_PORT (the SpiceSim service, default 3000; passed to it as its PORT),
#   SPICESIM_SKIP_BUILD=1 (start only), SPICESIM_NO_SERVER=1 (do not start the service),
#   SPICESIM_SETUP_ONLY=1 (install everything, do not start anything).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
VENV="${SPICESIM_VENV:-$ROOT/.venv}"
PORT="${PORT:-8888}"
HOST="${HOST:-127.0.0.1}"

say() { printf '\033[1mstart:\033[0m %s\n' "$*"; }

command -v node >/dev/null || { echo "start: Node.js 20+ is required" >&2; exit 1; }
node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 20 ? 0 : 1)' ||
  { echo "start: Node.js 20+ is required (found $(node --version))" >&2; exit 1; }
command -v python3 >/dev/null || { echo "start: python3 (3.9+) is required" >&2; exit 1; }

if [[ "${SPICESIM_SKIP_BUILD:-0}" != "1" ]]; then
  if [[ ! -d node_modules ]]; then
    say "installing npm dependencies (npm ci)"
    npm ci --no-audit --no-fund
  fi
  say "building the workspaces"
  # The prebuilt JupyterLab extension needs the venv's JupyterLab: it is built after setup-python.
  npm run build -w solver
  npm run build -w kernel
  if node -e 'process.exit(require("./server/package.json").scripts?.build ? 0 : 1)' 2>/dev/null; then
    npm run build -w server
  fi
  bash scripts/setup-python.sh
  say "building the JupyterLab extension"
  npm run build -w extension
  npm run build:labextension -w extension
else
  bash scripts/setup-python.sh
fi

say "installing the SpiceSim (TypeScript) kernel"
node kernel/scripts/install-kernelspec.js --prefix "$VENV"
mkdir -p "$VENV/share/jupyter/lab/settings"
cp jupyter-config/overrides.json "$VENV/share/jupyter/lab/settings/overrides.json"

if [[ "${SPICESIM_SETUP_ONLY:-0}" == "1" ]]; then
  say "setup done (SPICESIM_SETUP_ONLY=1: not starting anything)"
  exit 0
fi

# Hook for the SpiceSim service (server/, Koa): started in the background when server/package.json has a
# "start" script, stopped when JupyterLab exits. It reads its own config from the environment (server/src/config.ts);
# its PORT is SERVER_PORT so it does not take JupyterLab's.
SERVER_PID=""
start_service() {
  [[ "${SPICESIM_NO_SERVER:-0}" == "1" ]] && return 0
  node -e 'process.exit(require("./server/package.json").scripts?.start ? 0 : 1)' 2>/dev/null || return 0
  say "starting the SpiceSim service on port ${SERVER_PORT:-3000} (npm run start -w server)"
  # As root the embedded PostgreSQL runs as user postgres, which must reach node_modules.
  bash "$ROOT/scripts/traversable.sh"
  PORT="${SERVER_PORT:-3000}" npm run start -w server &
  SERVER_PID=$!
}
stop_service() {
  if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then kill "$SERVER_PID" 2>/dev/null || true; fi
}
trap stop_service EXIT INT TERM
start_service

TOKEN="${JUPYTER_TOKEN:-$(python3 -c 'import secrets; print(secrets.token_hex(24))')}"
ROOT_FLAG=()
[[ "$(id -u)" == "0" ]] && ROOT_FLAG=(--allow-root)
say "JupyterLab on notebooks/: http://$HOST:$PORT/lab?token=$TOKEN"
"$VENV/bin/jupyter" lab \
  --config="$ROOT/jupyter-config/jupyter_server_config.py" \
  --ServerApp.root_dir="$ROOT/notebooks" \
  --ip="$HOST" --port="$PORT" --port-retries=0 \
  --IdentityProvider.token="$TOKEN" \
  "${ROOT_FLAG[@]}"
