#!/usr/bin/env bash
# Installs the Debian packages the tests use (ngspice for differential tests, PostgreSQL and Redis for the
# service's real-server mode, Chromium for browser tests), only those missing. Needs root or sudo.
set -euo pipefail

SUDO=""
if [[ "$(id -u)" != 0 ]]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "system-packages: not root and no sudo; install ngspice postgresql postgresql-contrib redis-server chromium yourself" >&2
    exit 1
  fi
fi

need=()
command -v ngspice >/dev/null 2>&1 || need+=(ngspice)
[[ -x /usr/lib/postgresql/15/bin/postgres ]] || compgen -G '/usr/lib/postgresql/*/bin/postgres' >/dev/null || need+=(postgresql)
compgen -G '/usr/share/postgresql/*/extension/pg_trgm.control' >/dev/null || need+=(postgresql-contrib)
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
[[ -x /usr/bin/chromium ]] || need+=(chromium)
command -v curl >/dev/null 2>&1 || need+=(curl)

if ((${#need[@]})); then
  echo "system-packages: installing ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
else
  echo "system-packages: ngspice, postgresql, redis-server and chromium already installed"
fi
