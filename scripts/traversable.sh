#!/usr/bin/env bash
# As root the embedded PostgreSQL runs as user postgres, which must be able to reach the checkout's
# node_modules: make every folder above the checkout traversable (execute bit only; nothing becomes
# readable or writable). A no-op when not root or when the path is already traversable.
set -euo pipefail
dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
[[ "$(id -u)" == 0 ]] || exit 0
while [[ "$dir" != "/" ]]; do
  case "$(stat -c %A "$dir")" in
    *x | *t) ;;
    *) chmod o+x "$dir" && echo "traversable: made $dir traversable for the postgres user" ;;
  esac
  dir="$(dirname "$dir")"
done
