#!/usr/bin/env bash
# JupyterLab in headless Chromium against a real service: sign-in, the SpiceSim drive, a save conflict,
# sharing, fork, public link and a classroom round trip. Writes {passed, failed} to $1, read from the
# test's closing "N passed, M failed" line.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
node kernel/scripts/install-kernelspec.js --prefix .venv && npm run build:labextension -w extension || exit 1
log="$(mktemp)"
node extension/test/drive-ui.js 2>&1 | tee "$log"
counts="$(grep -oE '[0-9]+ passed, [0-9]+ failed' "$log" | tail -1)"
rm -f "$log"
[[ -n "$counts" ]] || exit 1
read -r passed _ failed _ <<<"${counts//,/}"
echo "{\"passed\":$passed,\"failed\":$failed}" >"$1"
