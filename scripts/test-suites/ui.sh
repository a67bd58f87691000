#!/usr/bin/env bash
# JupyterLab in headless Chromium: the waveform viewer and a notebook run in the SpiceSim kernel.
# Writes {passed, failed} to $1.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
node kernel/scripts/install-kernelspec.js --prefix .venv &&
  npm run build:labextension -w extension &&
  node extension/test/ui.js --summary "$1"
