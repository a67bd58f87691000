#!/usr/bin/env bash
# Starts the servers the test suites use against reality, when not already running, and prints the
# environment to use them:
#   PostgreSQL (Debian's cluster) on 127.0.0.1:5432, user/password postgres/postgres
#   Redis on 127.0.0.1:6379 (no persistence)
# Usage: eval "$(bash scripts/services.sh)"
set -euo pipefail

SUDO=""
[[ "$(id -u)" != 0 ]] && command -v sudo >/dev/null 2>&1 && SUDO="sudo"

log() { echo "services: $*" >&2; }

start_postgres() {
  local version
  version="$(ls /usr/lib/postgresql 2>/dev/null | sort -n | tail -1)"
  if [[ -z "$version" ]]; then log "PostgreSQL not installed; real-PostgreSQL tests will be skipped"; return 1; fi
  if ! pg_lsclusters -h 2>/dev/null | grep -q "^$version main"; then
    $SUDO pg_createcluster "$version" main >/dev/null
  fi
  if ! pg_lsclusters -h | awk -v v="$version" '$1==v && $2=="main" {print $4}' | grep -q online; then
    $SUDO pg_ctlcluster "$version" main start
  fi
  for _ in $(seq 1 50); do
    pg_isready -h 127.0.0.1 -p 5432 -q && break
    sleep 0.2
  done
  $SUDO -u postgres psql -q -c "ALTER USER postgres PASSWORD 'postgres'" >/dev/null 2>&1 ||
    su postgres -c "psql -q -c \"ALTER USER postgres PASSWORD 'postgres'\"" >/dev/null
  log "PostgreSQL $version on 127.0.0.1:5432"
  echo "export SPICESIM_TEST_DATABASE_URL=postgres://postgres:postgres@127.0.0.1:5432/postgres"
}

start_redis() {
  if ! command -v redis-server >/dev/null 2>&1; then log "Redis not installed; real-Redis tests will be skipped"; return 1; fi
  if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
    redis-server --bind 127.0.0.1 --port 6379 --daemonize yes --save "" --appendonly no >/dev/null
    for _ in $(seq 1 50); do
      redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && break
      sleep 0.1
    done
  fi
  log "Redis on 127.0.0.1:6379"
  echo "export SPICESIM_TEST_REDIS_URL=redis://127.0.0.1:6379"
}

start_postgres || true
start_redis || true
