#!/usr/bin/env bash
# Executes every notebook in notebooks/ headless in the SpiceSim kernel (nbclient), and checks their HTML
# export shows each waveform; then interrupts running cells through jupyter_client and checks the kernel
# still answers, locally and for runOnServer against a throw-away service (notebooks/interrupt_check.py).
# Writes {passed, failed} to $1.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
node kernel/scripts/install-kernelspec.js --prefix .venv &&
  .venv/bin/python notebooks/run_notebooks.py --html --interrupt-check --summary "$1"
