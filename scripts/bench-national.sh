#!/usr/bin/env bash
# National-scale benchmark (issue 9). Not a test: it prints figures and judges nothing.
#
#   1. `desmigratif generate --scale 1m` (or 10m) into a fresh SQLite file (and, with
#      --postgres URL, into a fresh database on that server): generation rows/s, database size
#      per million people.
#   2. The release server on that database: start time (launch to listening), RSS idle.
#   3. wrk at 64 and 256 connections against /healthz and the application's routes, each as a
#      ratio against /healthz in the same run: requests/s, p50, p99, errors (non-2xx and socket
#      errors):
#        - the officer's worklist /worklist (session of a village officer of the busiest
#          Desmigratif village);
#        - person search by NIK and by name (API, national admin: the whole country in scope);
#        - a person page /persons/ID (the village officer's session);
#        - the public agency check /api/v1/public/agencies, the officer's village dashboard
#          /monitoring/VILLAGE and the national indicators API /api/v1/indicators, when
#          the build has them (skipped with a note on 404);
#        - a write: POST /api/v1/persons with distinct valid NIKs made by a wrk Lua script.
#      RSS peak under load.
#
# Usage: scripts/bench-national.sh [--scale 1m|10m|small] [--seed N] [--postgres URL]
#                                  [--duration SECONDS] [--threads N] [--no-build] [--keep DIR]
#                                  [--pg-keep NAME] [--no-sqlite]
#   --postgres URL   also run on PostgreSQL: URL names a server (postgres://user@host:port/postgres);
#                    a fresh database bench_national_<pid> is created there and dropped at the end.
#   --keep DIR       keep the generated SQLite file in DIR (reused by a later run with the same
#                    scale and seed: generation is then skipped).
#   --pg-keep NAME   with --postgres: use database NAME (created if missing) and keep it; a
#                    database that already holds people is reused (generation skipped).
#   --no-sqlite      skip the SQLite run (with --postgres: PostgreSQL only).
#
# Loopback only; a temporary directory removed on exit; the server is stopped by the exit trap.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/bench-common.sh
ROOT=$(pwd)

SCALE=1m
SEED=1
PG_ADMIN=""
DURATION=10
THREADS=2
BUILD=1
KEEP=""
PG_KEEP=""
SQLITE=1
while [ $# -gt 0 ]; do
  case "$1" in
    --scale) SCALE=$2; shift ;;
    --seed) SEED=$2; shift ;;
    --postgres) PG_ADMIN=$2; shift ;;
    --duration) DURATION=$2; shift ;;
    --threads) THREADS=$2; shift ;;
    --no-build) BUILD=0 ;;
    --keep) KEEP=$2; shift ;;
    --pg-keep) PG_KEEP=$2; shift ;;
    --no-sqlite) SQLITE=0 ;;
    -h|--help) sed -n '2,32p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1 (try --help)" >&2; exit 2 ;;
  esac
  shift
done
case "$SCALE" in small|1m|10m) ;; *) echo "--scale small, 1m or 10m" >&2; exit 2 ;; esac
for n in "$SEED" "$DURATION" "$THREADS"; do
  [[ "$n" =~ ^[0-9]+$ ]] || { echo "expected a whole number, got '$n'" >&2; exit 2; }
done

for t in wrk curl python3; do command -v "$t" >/dev/null || die "needs $t"; done

TMPD=$(mktemp -d /tmp/desmig-bench-national.XXXXXX)
SERVER_PID=""
PG_DB=""
cleanup() {
  stop_server
  if [ -n "$PG_DB" ]; then psql -q -X "$PG_ADMIN" -c "DROP DATABASE IF EXISTS $PG_DB" >/dev/null 2>&1 || true; fi
  rm -rf "$TMPD"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
# A failing command ends the run (set -e); say which, on stdout too, where the figures go
# (a run with both backends once ended after SQLite with nothing on its captured output).
set -E
# Only in the main shell: a failure inside $(...) does not end the run.
trap 'rc=$?; [ "$BASH_SUBSHELL" = 0 ] && echo "!! stopped: line $LINENO: $BASH_COMMAND (exit $rc)" | tee /dev/stderr' ERR

if [ "$BUILD" = 1 ]; then
  log "building the release binary"
  cargo build --release --locked --bin desmigratif
fi
# DESMIGRATIF_BIN: another build (a debug binary to try the script quickly).
BIN="${DESMIGRATIF_BIN:-$ROOT/target/release/desmigratif}"
[ -x "$BIN" ] || die "no $BIN"

export DESMIGRATIF_ADMIN_USER=admin
export DESMIGRATIF_ADMIN_PASSWORD=bench-admin-password
export DESMIGRATIF_LOG=warn
OFFICER=petugas-bench
OFFICER_PASSWORD=bench-officer-password

rss_mib() { awk '/^VmRSS/ {printf "%.0f", $2/1024}' "/proc/$1/status" 2>/dev/null || echo "?"; }
hwm_mib() { awk '/^VmHWM/ {printf "%.0f", $2/1024}' "/proc/$1/status" 2>/dev/null || echo "?"; }

log "machine"
echo "  $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), kernel $(uname -r)"
echo "  memory: $(free -h | awk '/^Mem:/ {print $2 " total, " $7 " available"}')"
echo "  load average before the run: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "  $(wrk -v 2>&1 | head -1 | cut -d' ' -f1-2); date $(date -u +%F)"
echo "  code: $(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet HEAD -- crates src migrations 2>/dev/null || echo ' (working tree differs from HEAD)')"

# --- the write path's request body: distinct valid NIKs, per wrk thread ---------------------
# District 53.07.01 (Paga, Sikka), men born 1970-01-01 + n days, serials from 5000 (the
# generator's serials per district, date and sex stay far below; each run starts past the last
# run's): NIK = 530701 DD MM YY serial.
cat >"$TMPD/post-person.lua" <<'EOF'
-- Each wrk thread gets its own number (a global set by setup) and the run its first serial
-- (the script's argument), so NIKs never repeat within or across runs.
local counter = 0
local threads = {}
local base = 5000
function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end
function init(args)
  base = tonumber(args[1]) or 5000
end
request = function()
  counter = counter + 1
  local n = (tonumber(tid) or 0) * 1000000 + counter
  local days = n % 10000
  local serial = base + math.floor(n / 10000)
  local t = os.date("!*t", days * 86400)
  local nik = string.format("530701%02d%02d%02d%04d", t.day, t.month, t.year % 100, serial)
  local birth = string.format("%04d-%02d-%02d", t.year, t.month, t.day)
  local body = string.format('{"nik":"%s","full_name":"Yohanes Bench %d","sex":"L","birth_date":"%s","village_code":"53.07.01.2001"}',
    nik, n, birth)
  -- wrk.format replaces wrk.headers when given headers: keep the -H ones (the bearer token).
  local headers = {}
  for k, v in pairs(wrk.headers) do headers[k] = v end
  headers["Content-Type"] = "application/json"
  return wrk.format("POST", "/api/v1/persons", headers, body)
end
EOF

# --- one backend ------------------------------------------------------------------------------
# $1 label, $2 DATABASE_URL, $3 "sqlite FILE" or "postgres"
bench_backend() {
  local label=$1 url=$2 kind=$3
  log "[$label] desmigratif generate --scale $SCALE --seed $SEED"
  if [ "$kind" = sqlite ] && [ -f "$DBFILE.done" ]; then
    echo "  reusing $DBFILE (kept from an earlier run)"
    cat "$DBFILE.done"
  elif [ "$kind" = postgres ] && [ -n "$PG_KEEP" ] && [ -f "$TMPD/pg.done" ]; then
    echo "  reusing database $PG_KEEP (kept from an earlier run; migrated to this build)"
    cp "$TMPD/pg.done" "$TMPD/gen.out"
    DATABASE_URL="$url" "$BIN" migrate >/dev/null 2>&1 || die "migrate failed on $PG_KEEP"
  else
    local t0 t1
    t0=$(now_us)
    DATABASE_URL="$url" "$BIN" generate --scale "$SCALE" --seed "$SEED" >"$TMPD/gen.out" 2>"$TMPD/gen.err" \
      || { cat "$TMPD/gen.err" "$TMPD/gen.out" >&2; die "generate failed"; }
    t1=$(now_us)
    sed -n '/^  villages/,$p' "$TMPD/gen.out" | sed 's/^/  /'
    echo "  wall time including migrate and region load: $(( (t1 - t0) / 1000 )) ms"
    if [ "$kind" = sqlite ] && [ -n "$KEEP" ]; then sed -n '/^  villages/,$p' "$TMPD/gen.out" >"$DBFILE.done"; fi
  fi
  # The generator's rows mark their villages for the indicator refresher; do that work now,
  # as an operator would after a bulk load, rather than inside the measurements.
  local r0 r1
  r0=$(now_us)
  DATABASE_URL="$url" DESMIGRATIF_LOG=error "$BIN" indicators refresh 2>&1 | tail -1 | sed 's/^/  indicators: /'
  r1=$(now_us)
  echo "  indicator refresh after the load: $(( (r1 - r0) / 1000 )) ms"
  local people
  people=$(cat "$TMPD/gen.out" "$DBFILE.done" 2>/dev/null | sed -n 's/^Generated \([0-9]*\) people.*/\1/p' | head -1 || true)
  people=${people:-0}
  if [ "$kind" = sqlite ]; then
    python3 - "$DBFILE" <<'EOF'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1]); c.execute("PRAGMA wal_checkpoint(TRUNCATE)"); c.close()
EOF
    local bytes
    bytes=$(stat -c %s "$DBFILE")
    awk -v b="$bytes" -v p="$people" 'BEGIN { printf "  database size: %.0f MiB, %.0f MiB per million people\n", b/1048576, (p>0 ? b/1048576/(p/1e6) : 0) }'
  else
    local bytes
    bytes=$(psql -X -A -t "$url" -c "SELECT pg_database_size(current_database())")
    awk -v b="$bytes" -v p="$people" 'BEGIN { printf "  database size: %.0f MiB, %.0f MiB per million people\n", b/1048576, (p>0 ? b/1048576/(p/1e6) : 0) }'
  fi

  # The busiest Desmigratif village, a worker there, a NIK and a first name to search.
  local q
  q() { if [ "$kind" = sqlite ]; then python3 -c 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); print("|".join(str(x) for x in c.execute(sys.argv[2]).fetchone()))' "$DBFILE" "$1";
        else psql -X -A -t "$url" -c "$1"; fi; }
  local village person nik first
  village=$(q "SELECT p.village_code FROM persons p JOIN program_villages pv ON pv.village_code = p.village_code GROUP BY p.village_code ORDER BY COUNT(*) DESC, p.village_code LIMIT 1")
  IFS='|' read -r person nik first < <(q "SELECT id, nik, full_name FROM persons WHERE village_code = '$village' AND category <> 'family' ORDER BY id LIMIT 1")
  first=${first%% *}
  echo "  officer's village $village ($(q "SELECT COUNT(*) FROM persons WHERE village_code = '$village'") people," \
    "$(q "SELECT COUNT(*) FROM episodes WHERE village_code = '$village' AND state NOT IN ('returned','cancelled')") open episodes);" \
    "person $person; q=$first matches $(q "SELECT COUNT(*) FROM persons WHERE name_key LIKE '%$(echo "$first" | tr 'A-Z' 'a-z')%'") people"

  DATABASE_URL="$url" "$BIN" user create --username "$OFFICER" --full-name "Petugas Bench" --role village_officer \
    --region-code "$village" --password "$OFFICER_PASSWORD" >/dev/null 2>&1 || true

  # Start time: launch to "listening" on the loaded database.
  local port base t0 t1
  port=$(free_port); base="http://127.0.0.1:$port"
  : >"$TMPD/server.log"
  t0=$(now_us)
  env DATABASE_URL="$url" DESMIGRATIF_ADDR="127.0.0.1:$port" "$BIN" serve >>"$TMPD/server.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 1 3000); do
    grep -q "is listening on" "$TMPD/server.log" && break
    kill -0 "$SERVER_PID" 2>/dev/null || { cat "$TMPD/server.log" >&2; die "server exited"; }
    sleep 0.01
  done
  t1=$(now_us)
  grep -q "is listening" "$TMPD/server.log" || die "server did not start"
  echo "  start time (launch to listening): $(( (t1 - t0) / 1000 )) ms"
  sleep 1
  echo "  server RSS idle: $(rss_mib "$SERVER_PID") MiB"

  # Credentials: the officer's session (pages), the admin's bearer token (API).
  local jar="$TMPD/cookies" csrf code session token
  rm -f "$jar"
  curl -sS --max-time 10 -c "$jar" -b "$jar" -o "$TMPD/login.html" "$base/login"
  csrf=$(grep -o 'name="_csrf" value="[0-9a-f]\{64\}"' "$TMPD/login.html" | head -1 | grep -o '[0-9a-f]\{64\}' || true)
  code=$(curl -sS --max-time 10 -c "$jar" -b "$jar" -o /dev/null -w '%{http_code}' \
    --data-urlencode username="$OFFICER" --data-urlencode password="$OFFICER_PASSWORD" \
    --data-urlencode _csrf="$csrf" --data-urlencode next=/ "$base/login")
  [ "$code" = 303 ] || die "officer login answered $code"
  session=$(awk -F'\t' '$6 == "desmigratif_session" {print $7}' "$jar")
  token=$(curl -sS --max-time 10 -H 'Content-Type: application/json' \
    -d "{\"username\":\"$DESMIGRATIF_ADMIN_USER\",\"password\":\"$DESMIGRATIF_ADMIN_PASSWORD\"}" \
    "$base/api/v1/auth/token" | sed -n 's/.*"token" *: *"\([^"]*\)".*/\1/p')
  [ -n "$session" ] && [ -n "$token" ] || die "no session or token"
  local cookie="Cookie: desmigratif_session=$session" bearer="Authorization: Bearer $token"

  # Targets: key|label|path|header|script. A target answering 404 is skipped with a note.
  local targets=(
    "health|/healthz|/healthz|X-Bench: 1|"
    "worklist|officer worklist (session)|/worklist|$cookie|"
    "nik|person search by NIK (API)|/api/v1/persons?nik=$nik|$bearer|"
    "name|person search by name (API, limit 50)|/api/v1/persons?q=$first&limit=50|$bearer|"
    "page|person page (session)|/persons/$person|$cookie|"
    "agency|public agency check|/api/v1/public/agencies?q=bina|X-Bench: 1|"
    "dashboard|village dashboard /monitoring/VILLAGE (session)|/monitoring/$village|$cookie|"
    "indicators|national indicators (API)|/api/v1/indicators|$bearer|"
    "trainings|trainings list (API, pillar 2)|/api/v1/trainings|$bearer|"
    "children|children counts per village (API, pillar 3)|/api/v1/parenting/counts|$bearer|"
    "trial|cooperative 1 trial balance (API, pillar 4)|/api/v1/cooperatives/1/reports/trial-balance|$bearer|"
    "write|POST /api/v1/persons (new NIKs)|/api/v1/persons|$bearer|$TMPD/post-person.lua"
  )
  local active=()
  for t in "${targets[@]}"; do
    IFS='|' read -r key lbl path hdr script <<<"$t"
    [ -n "$script" ] && { active+=("$t"); continue; }
    code=$(curl -sS --max-time 60 -o "$TMPD/probe" -w '%{http_code}' -H "$hdr" "$base$path")
    if [ "$code" = 404 ]; then
      echo "  skipped: $lbl ($path answered 404: not in this build)"
    elif [ "${code:0:1}" != 2 ]; then
      die "$lbl: $path answered $code"
    else
      active+=("$t")
      printf '  %-40s %s, %s bytes\n' "$lbl" "$code" "$(wc -c <"$TMPD/probe")"
    fi
  done

  local peak=0
  for conns in 64 256; do
    log "[$label] wrk: $THREADS threads, $conns connections, ${DURATION}s per target"
    printf '  %-40s %9s %9s %9s %9s %8s %7s %7s\n' target "req/s" "p50 ms" "p99 ms" errors "×rps" "×p50" "×p99"
    local h_rps="" h_p50="" h_p99=""
    for t in "${active[@]}"; do
      IFS='|' read -r key lbl path hdr script <<<"$t"
      local out="$TMPD/wrk-$key-$conns.txt" args=(-t"$THREADS" -c"$conns" -d"${DURATION}s" --timeout 30s --latency -H "$hdr")
      local extra=()
      if [ -n "$script" ]; then
        args+=(-s "$script")
        # The first free serial of the benchmark's NIKs (earlier runs on a kept file used some).
        local serial
        serial=$(q "SELECT COALESCE(MAX(CAST(substr(nik, 13, 4) AS INTEGER)), 4999) + 1 FROM persons WHERE full_name LIKE 'Yohanes Bench %' AND CAST(substr(nik, 13, 4) AS INTEGER) BETWEEN 5000 AND 8999")
        [ "$serial" -le 8700 ] || die "the benchmark's NIK serials are used up in this database"
        extra=(-- "$serial")
      fi
      wrk "${args[@]}" "$base$path" "${extra[@]}" >"$out" 2>&1 &
      local wpid=$!
      while kill -0 "$wpid" 2>/dev/null; do
        local r; r=$(rss_mib "$SERVER_PID"); [ "$r" != "?" ] && [ "$r" -gt "$peak" ] && peak=$r
        sleep 1
      done
      wait "$wpid" || true
      local rps p50 p99 non2xx sockerr errors
      rps=$(awk '/^Requests\/sec:/ {print $2}' "$out")
      p50=$(to_ms "$(awk '$1 == "50%" {print $2}' "$out")")
      p99=$(to_ms "$(awk '$1 == "99%" {print $2}' "$out")")
      non2xx=$(awk -F': *' '/Non-2xx or 3xx responses/ {print $2}' "$out"); non2xx=${non2xx:-0}
      sockerr=$(sed -n 's/^ *Socket errors: *//p' "$out" | awk -F', ' '{s=0; for(i=1;i<=NF;i++){split($i,a," "); s+=a[2]} print s}')
      errors=$((non2xx + ${sockerr:-0}))
      if [ "$key" = health ]; then h_rps=$rps; h_p50=$p50; h_p99=$p99; fi
      awk -v l="$lbl" -v r="$rps" -v a="$p50" -v b="$p99" -v e="$errors" -v hr="$h_rps" -v ha="$h_p50" -v hb="$h_p99" \
        'BEGIN { printf "  %-40s %9.0f %9.2f %9.2f %9d %8.3f %7.1f %7.1f\n", l, r, a, b, e, r/hr, a/ha, b/hb }'
    done
  done
  echo "  server RSS under load: peak $(hwm_mib "$SERVER_PID") MiB (VmHWM), highest sample $peak MiB"
  if grep -qE '\b(ERROR|WARN)\b' "$TMPD/server.log"; then
    # awk reads the whole log: `grep | head -5` died of SIGPIPE (141) when the log held more
    # than head wanted, and pipefail + set -e ended the run there, before PostgreSQL.
    echo "  server warnings/errors (first 5):"
    awk '/(^|[^A-Za-z])(ERROR|WARN)([^A-Za-z]|$)/ && n < 5 { n++; print substr($0, 1, 200) }' "$TMPD/server.log" | sed 's/^/    /'
  fi
  stop_server
}

if [ -n "$KEEP" ]; then mkdir -p "$KEEP"; DBFILE="$KEEP/national-$SCALE-$SEED.db"; else DBFILE="$TMPD/national.db"; fi
[ "$SQLITE" = 1 ] && bench_backend SQLite "sqlite://$DBFILE" sqlite

if [ -n "$PG_ADMIN" ]; then
  command -v psql >/dev/null || die "--postgres needs psql"
  if [ -n "$PG_KEEP" ]; then
    [[ "$PG_KEEP" =~ ^[a-z_][a-z0-9_]*$ ]] || die "--pg-keep: a lower-case database name please"
    PG_URL="${PG_ADMIN%/*}/$PG_KEEP"
    if psql -X -A -t "$PG_ADMIN" -c "SELECT 1 FROM pg_database WHERE datname = '$PG_KEEP'" | grep -q 1; then
      people=$(psql -X -A -t "$PG_URL" -c "SELECT COUNT(*) FROM persons" 2>/dev/null || echo 0)
      # The generation summary of a kept database: only the people count is read back.
      [ "${people:-0}" -gt 0 ] && echo "Generated $people people (kept database)" >"$TMPD/pg.done"
    else
      psql -q -X "$PG_ADMIN" -c "CREATE DATABASE $PG_KEEP" >/dev/null
    fi
  else
    PG_DB="bench_national_$$"
    psql -q -X "$PG_ADMIN" -c "CREATE DATABASE $PG_DB" >/dev/null
    PG_URL="${PG_ADMIN%/*}/$PG_DB"
  fi
  bench_backend PostgreSQL "$PG_URL" postgres
fi

log "done (load average now: $(cut -d' ' -f1-3 /proc/loadavg))"
