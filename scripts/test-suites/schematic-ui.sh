#!/usr/bin/env bash
# JupyterLab in headless Chromium: draw, simulate, save and reload a schematic cell.
# Writes {passed, failed} to $1, read from the test's closing "N passed, M failed" line.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
node kernel/scripts/install-kernelspec.js --prefix .venv && npm run build:labextension -w extension || exit 1
log="$(mktemp)"
node extension/test/schematic-ui.js 2>&1 | tee "$log"
counts="$(grep -oE '[0-9]+ passed, [0-9]+ failed' "$log" | tail -1)"
rm -f "$log"
[[ -n "$counts" ]] || exit 1
read -r passed _ failed _ <<<"${counts//,/}"
echo "{\"passed\":$passed,\"failed\":$failed}" >"$1"
