#!/usr/bin/env bash
# Benchmarks the release build. This is not a test: it prints figures and judges nothing.
#
#   1. First start: `desmigratif migrate` on a fresh SQLite file (migrations, the
#      91,592 vendored regions, the first admin), against `sqlite3 .import` of the same
#      four CSVs into a fresh file — in pairs, alternating which goes first, so
#      machine drift hits both alike, with the ratio taken pair by pair. Then the
#      second start (the same command on the already-loaded file), which must stay
#      well under a second.
#   2. Throughput: requests/s and p99 latency under wrk of a logged-in village page
#      (and the JSON API's village record) against /healthz on the same server in the
#      same run, as ratios.
#
# Usage: scripts/bench.sh [--postgres] [--runs N] [--duration SECONDS]
#                         [--connections N] [--threads N]
#   --postgres  also start a throwaway PostgreSQL cluster on a free loopback port and
#               repeat both parts against it (first start without the sqlite3 baseline).
#
# Everything runs on loopback, in a temporary directory that is removed on exit, with
# every wait bounded; servers and the cluster are stopped by the exit trap.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/bench-common.sh
ROOT=$(pwd)

RUNS=5          # counted first-start pairs (plus one warm-up pair, not counted)
DURATION=12     # seconds per wrk target
CONNS=64
THREADS=2
POSTGRES=0
while [ $# -gt 0 ]; do
  case "$1" in
    --postgres) POSTGRES=1 ;;
    --runs) RUNS=$2; shift ;;
    --duration) DURATION=$2; shift ;;
    --connections) CONNS=$2; shift ;;
    --threads) THREADS=$2; shift ;;
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1 (try --help)" >&2; exit 2 ;;
  esac
  shift
done
for n in "$RUNS" "$DURATION" "$CONNS" "$THREADS"; do
  [[ "$n" =~ ^[1-9][0-9]*$ ]] || { echo "expected a positive whole number, got '$n'" >&2; exit 2; }
done


# --- tools ----------------------------------------------------------------------------
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
need_apt=()
command -v wrk >/dev/null || need_apt+=(wrk)
command -v sqlite3 >/dev/null || need_apt+=(sqlite3)
command -v curl >/dev/null || need_apt+=(curl)
if [ "$POSTGRES" = 1 ] && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  need_apt+=(postgresql)
fi
if [ ${#need_apt[@]} -gt 0 ]; then
  log "installing Debian packages: ${need_apt[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

# --- temporary state and cleanup --------------------------------------------------------
TMPD=$(mktemp -d /tmp/desmig-bench.XXXXXX)
SERVER_PID=""
PGDATA_DIR=""
PGBIN=""
PGRUN=()

stop_server() {
  [ -n "$SERVER_PID" ] || return 0
  if kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    # Graceful shutdown finishes requests in flight; give it 10 s, then force it.
    for _ in $(seq 1 100); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$SERVER_PID" 2>/dev/null || true
  fi
  wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=""
}
cleanup() {
  stop_server
  if [ -n "$PGDATA_DIR" ] && [ -f "$PGDATA_DIR/data/postmaster.pid" ]; then
    "${PGRUN[@]}" "$PGBIN/pg_ctl" -D "$PGDATA_DIR/data" -m immediate stop >/dev/null 2>&1 || true
  fi
  rm -rf "$TMPD" ${PGDATA_DIR:+"$PGDATA_DIR"}
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- build ------------------------------------------------------------------------------
log "building the release binary"
cargo build --release --locked --bin desmigratif
BIN="$ROOT/target/release/desmigratif"

# The first admin is created on every fresh database; its password is only for this run.
export DESMIGRATIF_ADMIN_USER=admin
export DESMIGRATIF_ADMIN_PASSWORD=bench-admin-password
# Request logs at info would put a log line per request on the hot path.
export DESMIGRATIF_LOG=warn

CSV="$ROOT/data/regions"
EXPECTED_REGIONS=$(( $(cat "$CSV"/{provinces,regencies,districts,villages}.csv | wc -l) - 4 ))

# --- small helpers ----------------------------------------------------------------------
# Wall time in microseconds, from bash itself (no fork, so nothing extra is timed).
# min median max of numbers on stdin, with a scale (e.g. 1000 for µs → ms) and decimals.
stats() { # $1: divisor, $2: decimals
  sort -g | awk -v d="$1" -v p="$2" '{v[NR]=$1/d} END {
    if (NR == 0) { print "n/a"; exit }
    m = (NR % 2) ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2
    printf "%.*f / %.*f / %.*f", p, v[1], p, m, p, v[NR] }'
}
median() { sort -g | awk '{v[NR]=$1} END { if (NR==0) {print "nan"; exit}
  print (NR % 2) ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2 }'; }

# --- part 1: first start -----------------------------------------------------------------
# One fresh SQLite file per run. The sqlite3 baseline is the floor for "put these rows in
# a file": no parsing checks, no search key, no foreign keys or index, no WAL; the ratio
# says what the server's own load costs on top.
desmig_first_start() { # $1: run label
  local f="$TMPD/first-$1.db"
  DATABASE_URL="sqlite://$f" "$BIN" migrate >"$TMPD/first-$1.log" 2>&1 \
    || { cat "$TMPD/first-$1.log" >&2; die "first start failed"; }
}
sqlite3_import() { # $1: run label
  local f="$TMPD/import-$1.db"
  sqlite3 -bail "$f" <<EOF
.import --csv $CSV/provinces.csv provinces
.import --csv $CSV/regencies.csv regencies
.import --csv $CSV/districts.csv districts
.import --csv $CSV/villages.csv villages
EOF
}
timed() { # $1: file to append µs to, rest: command
  local out=$1; shift
  local t0 t1
  t0=$(now_us); "$@"; t1=$(now_us)
  echo $((t1 - t0)) >>"$out"
}

first_start_sqlite() {
  log "first start on SQLite: desmigratif migrate vs sqlite3 .import, $RUNS pairs after 1 warm-up pair"
  : >"$TMPD/a.us"; : >"$TMPD/b.us"; : >"$TMPD/ratio"
  local i
  for i in $(seq 0 "$RUNS"); do
    # Alternate which goes first, so neither always runs right after the other's writes.
    if [ $((i % 2)) -eq 0 ]; then
      timed "$TMPD/a.$i" desmig_first_start "$i"; timed "$TMPD/b.$i" sqlite3_import "$i"
    else
      timed "$TMPD/b.$i" sqlite3_import "$i"; timed "$TMPD/a.$i" desmig_first_start "$i"
    fi
    if [ "$i" -eq 0 ]; then continue; fi   # run 0 warms the page cache and the binary: not counted
    cat "$TMPD/a.$i" >>"$TMPD/a.us"; cat "$TMPD/b.$i" >>"$TMPD/b.us"
    awk -v a="$(cat "$TMPD/a.$i")" -v b="$(cat "$TMPD/b.$i")" 'BEGIN {print a/b}' >>"$TMPD/ratio"
    # Keep the last loaded file for the second start and the server; drop the rest.
    if [ "$i" -lt "$RUNS" ]; then rm -f "$TMPD/first-$i.db"* "$TMPD/import-$i.db"; fi
  done
  # Check both did the whole job, or the ratio means nothing.
  local loaded imported
  loaded=$(sed -n 's/^Loaded \([0-9]*\) regions.*/\1/p' "$TMPD/first-$RUNS.log")
  imported=$(sqlite3 "$TMPD/import-$RUNS.db" \
    "SELECT (SELECT count(*) FROM provinces)+(SELECT count(*) FROM regencies)+(SELECT count(*) FROM districts)+(SELECT count(*) FROM villages)")
  [ "$loaded" = "$EXPECTED_REGIONS" ] || die "desmigratif loaded '$loaded' regions, expected $EXPECTED_REGIONS"
  [ "$imported" = "$EXPECTED_REGIONS" ] || die "sqlite3 imported '$imported' rows, expected $EXPECTED_REGIONS"
  FS_A=$(stats 1000 0 <"$TMPD/a.us")
  FS_B=$(stats 1000 0 <"$TMPD/b.us")
  FS_R=$(stats 1 2 <"$TMPD/ratio")
  FS_READY=$(sed -n 's/^Database ready in \([0-9]*\) ms.*/\1/p' "$TMPD/first-$RUNS.log")
  printf '  regions loaded by each: %s\n' "$loaded"
  printf '  %-42s %s ms (min / median / max)\n' "first start (desmigratif migrate)" "$FS_A"
  printf '  %-42s %s ms\n' "sqlite3 .import of the four CSVs" "$FS_B"
  printf '  %-42s %s\n' "ratio first start / import, pair by pair" "$FS_R"
  printf '  %-42s %s ms (last run, as the server reports it)\n' "of which connect+migrate+load+admin" "$FS_READY"

  log "second start on the loaded SQLite file, $RUNS runs"
  : >"$TMPD/second.us"
  for i in $(seq 1 "$RUNS"); do
    timed "$TMPD/second.us" env DATABASE_URL="sqlite://$TMPD/first-$RUNS.db" "$BIN" migrate >"$TMPD/second.log" 2>&1 \
      || { cat "$TMPD/second.log" >&2; die "second start failed"; }
  done
  if grep -q '^Loaded' "$TMPD/second.log"; then die "second start reloaded the regions"; fi
  SS=$(stats 1000 1 <"$TMPD/second.us")
  printf '  %-42s %s ms\n' "second start (desmigratif migrate)" "$SS"
  awk -v m="$(median <"$TMPD/second.us")" 'BEGIN { exit !(m < 1000000) }' \
    || echo "  !! second start median is not under a second"
}

# --- part 2: requests under wrk -----------------------------------------------------------
start_server() { # $1: DATABASE_URL
  PORT=$(free_port)
  BASE="http://127.0.0.1:$PORT"
  # A log of its own, created before the server starts: grepping a file the background
  # job has yet to truncate could find the previous server's "listening" line.
  SERVER_LOG="$TMPD/server-$PORT.log"
  : >"$SERVER_LOG"
  env DATABASE_URL="$1" DESMIGRATIF_ADDR="127.0.0.1:$PORT" "$BIN" serve >>"$SERVER_LOG" 2>&1 &
  SERVER_PID=$!
  # The start on a loaded database takes well under a second; 120 s also covers a fresh one.
  local i
  for i in $(seq 1 1200); do
    grep -q "is listening on http://127.0.0.1:$PORT" "$SERVER_LOG" && return 0
    kill -0 "$SERVER_PID" 2>/dev/null || break
    sleep 0.1
  done
  cat "$SERVER_LOG" >&2
  die "server did not start"
}

# A logged-in session the way a browser gets one: CSRF cookie and form token, then POST.
login() {
  local jar="$TMPD/cookies" csrf code
  rm -f "$jar"
  curl -sS --max-time 10 -c "$jar" -b "$jar" -o "$TMPD/login.html" "$BASE/login"
  csrf=$(grep -o 'name="_csrf" value="[0-9a-f]\{64\}"' "$TMPD/login.html" | head -1 | grep -o '[0-9a-f]\{64\}' || true)
  [ -n "$csrf" ] || die "no CSRF token on /login"
  code=$(curl -sS --max-time 10 -c "$jar" -b "$jar" -o /dev/null -w '%{http_code}' \
    --data-urlencode username="$DESMIGRATIF_ADMIN_USER" \
    --data-urlencode password="$DESMIGRATIF_ADMIN_PASSWORD" \
    --data-urlencode _csrf="$csrf" --data-urlencode next=/ "$BASE/login")
  [ "$code" = 303 ] || die "login answered $code, expected 303"
  # Netscape jar: tab-separated, name in field 6 and value in field 7 (HttpOnly lines too).
  SESSION=$(awk -F'\t' '$6 == "desmigratif_session" {print $7}' "$jar")
  [ -n "$SESSION" ] || die "no session cookie after login"
  TOKEN=$(curl -sS --max-time 10 -H 'Content-Type: application/json' \
    -d "{\"username\":\"$DESMIGRATIF_ADMIN_USER\",\"password\":\"$DESMIGRATIF_ADMIN_PASSWORD\"}" \
    "$BASE/api/v1/auth/token" | sed -n 's/.*"token" *: *"\([^"]*\)".*/\1/p')
  [ -n "$TOKEN" ] || die "no API token"
}

VILLAGE=53.07.01.2001
# Each target: label, path, header. Checked once with curl before wrk, so a redirect to
# /login or a 404 cannot pass for throughput.
check_target() { # $1 path, $2 header, $3 label
  local code
  code=$(curl -sS --max-time 10 -o "$TMPD/check.body" -w '%{http_code}' -H "$2" "$BASE$1")
  [ "$code" = 200 ] || die "$3: GET $1 answered $code, expected 200"
  printf '  %-28s GET %-32s 200, %s bytes\n' "$3" "$1" "$(wc -c <"$TMPD/check.body")"
}

# wrk's latency figures carry their own unit (us, ms, s); bring them to milliseconds.

run_wrk() { # $1 label, $2 path, $3 header, $4 output prefix
  local out="$TMPD/wrk-$4.txt"
  wrk -t"$THREADS" -c"$CONNS" -d"${DURATION}s" --timeout 10s --latency -H "$3" "$BASE$2" >"$out"
  local rps p99 total non2xx sockerr
  rps=$(awk '/^Requests\/sec:/ {print $2}' "$out")
  p99=$(to_ms "$(awk '$1 == "99%" {print $2}' "$out")")
  total=$(awk '/requests in/ {print $1}' "$out")
  non2xx=$(awk -F': *' '/Non-2xx or 3xx responses/ {print $2}' "$out"); non2xx=${non2xx:-0}
  sockerr=$(sed -n 's/^ *Socket errors: *//p' "$out"); sockerr=${sockerr:-none}
  printf '  %-28s %10s req/s   p99 %8s ms   %9s requests   non-2xx/3xx %s   socket errors: %s\n' \
    "$1" "$rps" "$p99" "$total" "$non2xx" "$sockerr"
  eval "RPS_$4=\$rps P99_$4=\$p99 NON2XX_$4=\$non2xx"
}

wrk_part() { # $1 DATABASE_URL, $2 backend label
  log "requests under wrk on $2: $THREADS threads, $CONNS connections, ${DURATION}s per target"
  start_server "$1"
  login
  local cookie="Cookie: desmigratif_session=$SESSION" bearer="Authorization: Bearer $TOKEN"
  check_target /healthz "X-Bench: 1" "healthz"
  check_target "/regions/$VILLAGE" "$cookie" "village page"
  check_target "/api/v1/villages/$VILLAGE" "$bearer" "village API"
  # A short unmeasured pass fills the pool and the database's page cache.
  wrk -t"$THREADS" -c"$CONNS" -d3s -H "$cookie" "$BASE/regions/$VILLAGE" >/dev/null
  run_wrk "healthz" /healthz "X-Bench: 1" health
  run_wrk "village page (session)" "/regions/$VILLAGE" "$cookie" page
  run_wrk "village API (bearer)" "/api/v1/villages/$VILLAGE" "$bearer" api
  RSS_KB=$(awk '/^VmHWM/ {print $2}' "/proc/$SERVER_PID/status" 2>/dev/null || echo "?")
  stop_server
  # Under load, errors (pool timeouts, database busy) would show here, not in wrk's counts.
  if grep -qE '\b(ERROR|WARN)\b' "$SERVER_LOG"; then
    echo "  server warnings/errors during the run:"; grep -E '\b(ERROR|WARN)\b' "$SERVER_LOG" | head -20
  fi
  local r_page r_api p_page p_api
  r_page=$(awk -v a="$RPS_page" -v b="$RPS_health" 'BEGIN {printf "%.2f", a/b}')
  r_api=$(awk -v a="$RPS_api" -v b="$RPS_health" 'BEGIN {printf "%.2f", a/b}')
  p_page=$(awk -v a="$P99_page" -v b="$P99_health" 'BEGIN {printf "%.1f", a/b}')
  p_api=$(awk -v a="$P99_api" -v b="$P99_health" 'BEGIN {printf "%.1f", a/b}')
  printf '  %-28s req/s %s of healthz, p99 %sx healthz\n' "village page / healthz" "$r_page" "$p_page"
  printf '  %-28s req/s %s of healthz, p99 %sx healthz\n' "village API / healthz" "$r_api" "$p_api"
  printf '  %-28s %s MiB\n' "server peak RSS" "$(awk -v k="$RSS_KB" 'BEGIN {printf "%.0f", k/1024}')"
}

# --- PostgreSQL (optional) ------------------------------------------------------------------
start_postgres() {
  PGBIN=$(dirname "$(ls /usr/lib/postgresql/*/bin/initdb | sort -V | tail -1)")
  PGPORT=$(free_port)
  PGDATA_DIR=$(mktemp -d /tmp/desmig-bench-pg.XXXXXX)
  # initdb refuses to run as root: run the cluster as the postgres user, as scripts/test.sh does.
  if [ "$(id -u)" -eq 0 ]; then chown postgres "$PGDATA_DIR"; PGRUN=(runuser -u postgres --); else PGRUN=(); fi
  log "starting PostgreSQL on 127.0.0.1:$PGPORT"
  "${PGRUN[@]}" "$PGBIN/initdb" -D "$PGDATA_DIR/data" -U postgres --auth=trust -E UTF8 >/dev/null
  # fsync stays on (the default): a first start is a durability-bound bulk write.
  "${PGRUN[@]}" "$PGBIN/pg_ctl" -D "$PGDATA_DIR/data" -w -t 60 -l "$PGDATA_DIR/log" \
    -o "-p $PGPORT -k $PGDATA_DIR -c listen_addresses=127.0.0.1 -c max_connections=100" start >/dev/null
}
psql_do() { psql -q -X -h 127.0.0.1 -p "$PGPORT" -U postgres -d postgres -c "$1"; }

first_start_postgres() {
  log "first start on PostgreSQL: desmigratif migrate on a fresh database, $RUNS runs after 1 warm-up"
  : >"$TMPD/pg.us"
  local i url
  for i in $(seq 0 "$RUNS"); do
    psql_do "CREATE DATABASE bench_$i"
    url="postgres://postgres@127.0.0.1:$PGPORT/bench_$i"
    timed "$TMPD/pg.$i" env DATABASE_URL="$url" "$BIN" migrate >"$TMPD/pg-$i.log" 2>&1 \
      || { cat "$TMPD/pg-$i.log" >&2; die "first start on PostgreSQL failed"; }
    if [ "$i" -gt 0 ]; then cat "$TMPD/pg.$i" >>"$TMPD/pg.us"; fi
    if [ "$i" -lt "$RUNS" ]; then psql_do "DROP DATABASE bench_$i"; fi
  done
  grep -q "^Loaded $EXPECTED_REGIONS regions" "$TMPD/pg-$RUNS.log" || die "PostgreSQL first start did not load $EXPECTED_REGIONS regions"
  PG_FS=$(stats 1000 0 <"$TMPD/pg.us")
  printf '  %-42s %s ms (min / median / max)\n' "first start (desmigratif migrate)" "$PG_FS"
  : >"$TMPD/pg2.us"
  for i in $(seq 1 "$RUNS"); do
    timed "$TMPD/pg2.us" env DATABASE_URL="$url" "$BIN" migrate >"$TMPD/pg2.log" 2>&1 \
      || { cat "$TMPD/pg2.log" >&2; die "second start on PostgreSQL failed"; }
  done
  PG_SS=$(stats 1000 1 <"$TMPD/pg2.us")
  printf '  %-42s %s ms\n' "second start (desmigratif migrate)" "$PG_SS"
  PG_URL=$url
}

# --- run ------------------------------------------------------------------------------------
log "machine"
echo "  $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), kernel $(uname -r)"
echo "  memory: $(free -h | awk '/^Mem:/ {print $2 " total, " $7 " available"}')"
# Shared, small machines drift: a high load average here means noisy figures.
echo "  load average before the run: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "  $(sqlite3 --version | cut -d' ' -f1-2 | sed 's/^/sqlite3 /'), $(wrk -v 2>&1 | head -1 | cut -d' ' -f1-2)"

first_start_sqlite
wrk_part "sqlite://$TMPD/first-$RUNS.db" SQLite

if [ "$POSTGRES" = 1 ]; then
  start_postgres
  echo "  $(psql -X -A -t -h 127.0.0.1 -p "$PGPORT" -U postgres -d postgres -c 'SHOW server_version')"
  first_start_postgres
  wrk_part "$PG_URL" PostgreSQL
fi

log "done (load average now: $(cut -d' ' -f1-3 /proc/loadavg))"
