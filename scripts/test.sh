#!/usr/bin/env bash
# Runs every test: unit, HTTP integration on SQLite and on PostgreSQL, end-to-end in
# Chromium on both. Installs what is missing (Debian chromium and postgresql, npm packages)
# and starts its own PostgreSQL cluster on a free local port.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
export CARGO_TERM_COLOR=never RUST_BACKTRACE=0

log() { printf '\n==> %s\n' "$*"; }
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"

need_apt=()
[ -x /usr/bin/chromium ] || need_apt+=(chromium)
command -v xmllint >/dev/null || need_apt+=(libxml2-utils) # ADX schema check (tests/http/dhis2.rs)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need_apt+=(postgresql)
if [ ${#need_apt[@]} -gt 0 ]; then
  log "installing Debian packages: ${need_apt[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi
if [ ! -d e2e/node_modules/playwright-core ] || [ ! -d e2e/node_modules/axe-core ]; then
  log "installing npm packages for e2e"
  (cd e2e && npm ci --no-audit --no-fund --silent)
fi

log "building"
cargo build --workspace --bins --tests --locked

# Collect "N passed, N failed" from every runner for one closing line.
PASSED=0; FAILED=0
count_cargo() { # $1: log file
  local p f
  p=$(grep -E '^test result:' "$1" | sed -E 's/.* ([0-9]+) passed.*/\1/' | awk '{s+=$1} END {print s+0}')
  f=$(grep -E '^test result:' "$1" | sed -E 's/.* ([0-9]+) failed.*/\1/' | awk '{s+=$1} END {print s+0}')
  PASSED=$((PASSED + p)); FAILED=$((FAILED + f))
}
count_node() {
  local p f
  p=$(grep -E '^# pass ' "$1" | awk '{s+=$3} END {print s+0}')
  f=$(grep -E '^# fail ' "$1" | awk '{s+=$3} END {print s+0}')
  PASSED=$((PASSED + p)); FAILED=$((FAILED + f))
}
STATUS=0
run() { # $1: log name, rest: command
  local name=$1; shift
  local logf="$TMPD/$name.log"
  log "$name: $*"
  if "$@" 2>&1 | tee "$logf"; then :; else STATUS=1; echo "!! $name failed"; fi
}

TMPD=$(mktemp -d)
PGDATA_DIR=""
cleanup() {
  if [ -n "${REPL_DIR:-}" ] && [ -f "$REPL_DIR/postmaster.pid" ]; then
    runuser -u postgres -- "$PGBIN/pg_ctl" -D "$REPL_DIR" -m immediate stop >/dev/null 2>&1 || true
  fi
  if [ -n "$PGDATA_DIR" ] && [ -f "$PGDATA_DIR/postmaster.pid" ]; then
    runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PGDATA_DIR" -m immediate stop >/dev/null 2>&1 || true
  fi
  rm -rf "$TMPD" "$PGDATA_DIR" "${REPL_DIR:-}"
}
trap cleanup EXIT

# 1. Unit tests and HTTP integration tests on SQLite.
run sqlite cargo test --workspace --locked --no-fail-fast
count_cargo "$TMPD/sqlite.log"

# 2. A PostgreSQL cluster of our own on a free port.
PGBIN=$(dirname "$(ls /usr/lib/postgresql/*/bin/initdb | sort -V | tail -1)")
PGPORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
PGDATA_DIR=$(mktemp -d /tmp/desmig-pg.XXXXXX)
if [ "$(id -u)" -eq 0 ]; then chown postgres "$PGDATA_DIR"; PGRUN=(runuser -u postgres --); else PGRUN=(); fi
log "starting PostgreSQL on 127.0.0.1:$PGPORT"
"${PGRUN[@]}" "$PGBIN/initdb" -D "$PGDATA_DIR/data" -U postgres --auth=trust -E UTF8 >/dev/null
"${PGRUN[@]}" "$PGBIN/pg_ctl" -D "$PGDATA_DIR/data" -w -l "$PGDATA_DIR/log" \
  -o "-p $PGPORT -k $PGDATA_DIR -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=off -c shared_buffers=256MB" start >/dev/null
PGDATA_DIR="$PGDATA_DIR/data"
PG_URL="postgres://postgres@127.0.0.1:$PGPORT/postgres"

# track multi: a streaming replica of that cluster (pg_basebackup -R), for tests/http/replica.rs.
REPLPORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
REPL_DIR="$(dirname "$PGDATA_DIR")/replica"
log "starting a streaming replica on 127.0.0.1:$REPLPORT"
"${PGRUN[@]}" "$PGBIN/pg_basebackup" -h 127.0.0.1 -p "$PGPORT" -U postgres -D "$REPL_DIR" -R -X stream -c fast
"${PGRUN[@]}" "$PGBIN/pg_ctl" -D "$REPL_DIR" -w -l "$(dirname "$PGDATA_DIR")/replica.log" \
  -o "-p $REPLPORT -k $(dirname "$PGDATA_DIR") -c listen_addresses=127.0.0.1 -c max_connections=300" start >/dev/null
REPLICA_URL="postgres://postgres@127.0.0.1:$REPLPORT/postgres"

# 3. The same integration tests on PostgreSQL (tests/http/replica.rs reads through the replica).
run postgres env DESMIGRATIF_TEST_DATABASE_URL="$PG_URL" DESMIGRATIF_TEST_REPLICA_URL="$REPLICA_URL" \
  cargo test --locked --no-fail-fast --test http
count_cargo "$TMPD/postgres.log"

# 4. End-to-end tests in Chromium, on SQLite and on PostgreSQL.
run e2e-sqlite node --test --test-concurrency=1 e2e/
count_node "$TMPD/e2e-sqlite.log"
psql -q -h 127.0.0.1 -p "$PGPORT" -U postgres -c "CREATE DATABASE desmig_e2e" postgres
run e2e-postgres env DESMIGRATIF_E2E_DATABASE_URL="postgres://postgres@127.0.0.1:$PGPORT/desmig_e2e" node --test --test-concurrency=1 e2e/
count_node "$TMPD/e2e-postgres.log"

echo
echo "all suites: $PASSED passed, $FAILED failed"
exit $STATUS
