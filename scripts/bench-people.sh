#!/usr/bin/env bash
# Benchmarks person search and the CSV import at scale (issue 3). Not a test: it prints
# figures and judges nothing.
#
#   1. A fresh SQLite file from `desmigratif migrate`, then N synthetic people written
#      straight into `persons` with sqlite3 (valid-looking NIKs, names built from a small
#      list of Indonesian first and last names, every 100,000th person a rare surname).
#   2. Searches through the real server under wrk, against /healthz in the same run:
#      exact NIK, a common first name (limit 50) and a rare surname (few matches, so the
#      whole table is read), plus a NIK nobody has. Every search that finds someone
#      appends an audit entry, so the figures include that write; the NIK nobody has
#      writes none. Then single searches timed with curl.
#   3. `desmigratif import persons FILE --as-user admin` of a generated CSV of new people
#      on a copy of the loaded file, against `sqlite3 .import` of the same CSV into a
#      fresh file, in the same run.
#
# Usage: scripts/bench-people.sh [--people N] [--import-rows N] [--duration SECONDS]
#                                [--connections N] [--threads N] [--no-build] [--bin PATH]
#
# --bin measures another build (e.g. a baseline binary of an earlier commit) on the same
# synthetic data; it implies --no-build.
#
# Loopback only, in a temporary directory removed on exit; the server is stopped by the
# exit trap. Loops are bounded.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/bench-common.sh
ROOT=$(pwd)

PEOPLE=1000000
IMPORT_ROWS=20000
DURATION=10
CONNS=16
THREADS=2
BUILD=1
BIN_ARG=""
while [ $# -gt 0 ]; do
  case "$1" in
    --people) PEOPLE=$2; shift ;;
    --import-rows) IMPORT_ROWS=$2; shift ;;
    --duration) DURATION=$2; shift ;;
    --connections) CONNS=$2; shift ;;
    --threads) THREADS=$2; shift ;;
    --no-build) BUILD=0 ;;
    --bin) BIN_ARG=$2; BUILD=0; shift ;;
    -h|--help) sed -n '2,23p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1 (try --help)" >&2; exit 2 ;;
  esac
  shift
done
for n in "$PEOPLE" "$IMPORT_ROWS" "$DURATION" "$CONNS" "$THREADS"; do
  [[ "$n" =~ ^[1-9][0-9]*$ ]] || { echo "expected a positive whole number, got '$n'" >&2; exit 2; }
done
# Synthetic serials are 1 + row/10000 and import serials start at 5000: keep them apart.
[ "$PEOPLE" -le 49990000 ] || { echo "--people at most 49,990,000" >&2; exit 2; }
[ "$IMPORT_ROWS" -le 40000000 ] || { echo "--import-rows at most 40,000,000" >&2; exit 2; }

for t in wrk sqlite3 curl python3; do command -v "$t" >/dev/null || die "needs $t (Debian: apt-get install $t)"; done

TMPD=$(mktemp -d /tmp/desmig-bench-people.XXXXXX)
SERVER_PID=""
cleanup() { stop_server; rm -rf "$TMPD"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

if [ "$BUILD" = 1 ]; then
  log "building the release binary"
  cargo build --release --locked --bin desmigratif
fi
BIN="${BIN_ARG:-$ROOT/target/release/desmigratif}"
[ -x "$BIN" ] || die "no $BIN"

export DESMIGRATIF_ADMIN_USER=admin
export DESMIGRATIF_ADMIN_PASSWORD=bench-admin-password
export DESMIGRATIF_LOG=warn


log "machine"
echo "  $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), kernel $(uname -r)"
echo "  memory: $(free -h | awk '/^Mem:/ {print $2 " total, " $7 " available"}')"
echo "  load average before the run: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "  $(sqlite3 --version | cut -d' ' -f1-2 | sed 's/^/sqlite3 /'), $(wrk -v 2>&1 | head -1 | cut -d' ' -f1-2)"
echo "  binary: $BIN"
echo "  code: $(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet HEAD -- crates src migrations 2>/dev/null || echo ' (working tree differs from HEAD)')"

# --- 1. database with N people ------------------------------------------------------------
DB="$TMPD/people.db"
log "desmigratif migrate on a fresh file"
DATABASE_URL="sqlite://$DB" "$BIN" migrate >"$TMPD/migrate.log" 2>&1 || { cat "$TMPD/migrate.log" >&2; die "migrate failed"; }
tail -n 3 "$TMPD/migrate.log" | sed 's/^/  /'

# Names: first[i % 30] + last[(i / 30) % 20]; none of them is changed by the search key's
# spelling rules (no o, j, ch, doubled letters or trailing h), so name_key = lower(name).
# Every 100,000th person (i % 100000 = 7) is a Sembiring: a rare surname.
NAMES_SQL="
CREATE TEMP TABLE fn(k INTEGER PRIMARY KEY, n TEXT);
INSERT INTO fn(k, n) SELECT key, value FROM json_each('[\"Siti\",\"Budi\",\"Agus\",\"Dewi\",\"Rina\",\"Wayan\",\"Made\",\"Ketut\",\"Putu\",\"Ani\",\"Sri\",\"Yuni\",\"Ratna\",\"Fitri\",\"Lestari\",\"Surya\",\"Rudi\",\"Hendra\",\"Wati\",\"Nur\",\"Kurnia\",\"Santi\",\"Rahmat\",\"Adi\",\"Eka\",\"Dian\",\"Rizki\",\"Aris\",\"Bayu\",\"Yanti\"]');
CREATE TEMP TABLE ln(k INTEGER PRIMARY KEY, n TEXT);
INSERT INTO ln(k, n) SELECT key, value FROM json_each('[\"Saputra\",\"Susanti\",\"Hidayat\",\"Kusuma\",\"Pratama\",\"Setiawan\",\"Rahayu\",\"Sari\",\"Handayani\",\"Gunawan\",\"Suryadi\",\"Permana\",\"Purnama\",\"Utami\",\"Wibisana\",\"Halim\",\"Fauzi\",\"Nugraha\",\"Kurniawan\",\"Maharani\"]');
CREATE TEMP TABLE v(rn INTEGER PRIMARY KEY, code TEXT, district TEXT);
INSERT INTO v SELECT row_number() OVER (ORDER BY code) - 1, code, replace(substr(code, 1, 8), '.', '')
  FROM regions WHERE level = 'village';
"
# One row per i: birth date 1970-01-01 + (i % 10000) days, sex by parity (+40 on the day
# for women), serial given as SQL; (date, serial) is unique per i, so the NIK is too.
person_rows() { # $1: count, $2: SQL for the serial from i, $3: SQL for the village row from i
  cat <<EOF
WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < $1),
r AS (
  SELECT i, date('1970-01-01', '+' || (i % 10000) || ' days') AS bd,
         CASE i % 2 WHEN 0 THEN 'L' ELSE 'P' END AS sex,
         (SELECT n FROM fn WHERE k = i % 30) || ' ' ||
           CASE WHEN i % 100000 = 7 THEN 'Sembiring' ELSE (SELECT n FROM ln WHERE k = (i / 30) % 20) END AS name,
         ($3) AS vrn, printf('%04d', $2) AS serial
  FROM c
)
SELECT v.district || printf('%02d', CAST(strftime('%d', bd) AS INTEGER) + CASE sex WHEN 'P' THEN 40 ELSE 0 END)
         || strftime('%m', bd) || substr(strftime('%Y', bd), 3, 2) || serial AS nik,
       name, sex, bd, v.code AS village_code, i
FROM r JOIN v ON v.rn = r.vrn
EOF
}

log "inserting $PEOPLE synthetic people with sqlite3"
NV=$(sqlite3 "$DB" "SELECT count(*) FROM regions WHERE level = 'village'")
t0=$(now_us)
sqlite3 -bail "$DB" >/dev/null <<EOF
PRAGMA synchronous = OFF;
$NAMES_SQL
BEGIN;
INSERT INTO persons (nik, kk_number, full_name, name_key, sex, birth_date, birth_place, village_code, address, phone,
                     contact_abroad, category, nik_warnings, under_investigation, investigation_note, created_by,
                     created_at, updated_at)
SELECT nik, substr(nik, 1, 6) || '0101' || printf('%06d', i % 1000000), name, lower(name), sex, bd, 'Mataram',
       village_code, 'Jl. Desa ' || (i % 97), '0812' || printf('%08d', i), '', 'prospective', '', 0, '', NULL,
       CAST(strftime('%s', 'now') AS INTEGER), CAST(strftime('%s', 'now') AS INTEGER)
FROM ($(person_rows "$PEOPLE" "1 + i / 10000" "i % $NV"));
COMMIT;
PRAGMA wal_checkpoint(TRUNCATE);
EOF
t1=$(now_us)
COUNT=$(sqlite3 "$DB" "SELECT count(*) FROM persons")
[ "$COUNT" = "$PEOPLE" ] || die "persons holds $COUNT rows, expected $PEOPLE"
echo "  $COUNT people in $(( (t1 - t0) / 1000 )) ms; file $(du -m "$DB" | cut -f1) MiB"

NIK=$(sqlite3 "$DB" "SELECT nik FROM persons WHERE id = $(( PEOPLE / 2 + 1 ))")
COMMON=Wayan
RARE=Sembiring
echo "  probes: nik=$NIK; q=$COMMON matches $(sqlite3 "$DB" "SELECT count(*) FROM persons WHERE name_key LIKE '%wayan%'");" \
  "q=$RARE matches $(sqlite3 "$DB" "SELECT count(*) FROM persons WHERE name_key LIKE '%sembiring%'")"
echo "  query plans:"
sqlite3 "$DB" "EXPLAIN QUERY PLAN SELECT id FROM persons WHERE 1=1 AND nik = '$NIK' AND id > 0 ORDER BY id LIMIT 51" | sed 's/^/    nik: /'
sqlite3 "$DB" "EXPLAIN QUERY PLAN SELECT id FROM persons WHERE 1=1 AND name_key LIKE '%wayan%' AND id > 0 ORDER BY id LIMIT 51" | sed 's/^/    name: /'

# The same rare-name page read the old way (a LIKE over every key) and through the trigram
# index (migration 0035, when the binary has it), timed by sqlite3 in this run.
if [ "$(sqlite3 "$DB" "SELECT count(*) FROM sqlite_master WHERE name = 'persons_name_fts'")" = 1 ]; then
  log "sqlite3: the rare and common name pages, LIKE scan vs trigram index (3 runs each, ms)"
  for w in sembiring wayan; do
    for how in like fts; do
      if [ "$how" = like ]; then
        sql="SELECT id FROM persons WHERE name_key LIKE '%$w%' AND id > 0 ORDER BY id LIMIT 51"
      else
        sql="SELECT persons.id FROM persons_name_fts CROSS JOIN persons ON persons.id = persons_name_fts.rowid WHERE persons_name_fts MATCH '\"$w\"' AND persons_name_fts.rowid > 0 ORDER BY persons_name_fts.rowid LIMIT 51"
      fi
      ts=""
      for _ in 1 2 3; do
        t0=$(now_us); sqlite3 "$DB" "$sql" >/dev/null; t1=$(now_us)
        ts="$ts $(( (t1 - t0) / 1000 ))"
      done
      printf '  %-10s %-5s%s\n' "$w" "$how" "$ts"
    done
  done
fi

# The import file, made now (before the server adds anything): new people, serials from 5000.
CSV="$TMPD/import.csv"
{
  echo "nik,kk_number,full_name,sex,birth_date,birth_place,village_code,phone"
  sqlite3 -csv "$DB" <<EOF
$NAMES_SQL
SELECT nik, substr(nik, 1, 6) || '0202' || printf('%06d', i % 1000000), name, sex, bd, 'Lombok Timur', village_code,
       '0813' || printf('%08d', i)
FROM ($(person_rows "$IMPORT_ROWS" "5000 + i / 10000" "(i * 7919) % $NV"));
EOF
} >"$CSV"
# A copy of the loaded file for the import, taken before the server's searches write to it.
sqlite3 "$DB" ".backup '$TMPD/import-target.db'"

# --- 2. searches under wrk ----------------------------------------------------------------
PORT=$(free_port)
BASE="http://127.0.0.1:$PORT"
SERVER_LOG="$TMPD/server.log"
: >"$SERVER_LOG"
env DATABASE_URL="sqlite://$DB" DESMIGRATIF_ADDR="127.0.0.1:$PORT" "$BIN" serve >>"$SERVER_LOG" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 1200); do
  grep -q "is listening on http://127.0.0.1:$PORT" "$SERVER_LOG" && break
  kill -0 "$SERVER_PID" 2>/dev/null || { cat "$SERVER_LOG" >&2; die "server exited"; }
  sleep 0.1
done
grep -q "is listening" "$SERVER_LOG" || { cat "$SERVER_LOG" >&2; die "server did not start"; }
TOKEN=$(curl -sS --max-time 10 -H 'Content-Type: application/json' \
  -d "{\"username\":\"$DESMIGRATIF_ADMIN_USER\",\"password\":\"$DESMIGRATIF_ADMIN_PASSWORD\"}" \
  "$BASE/api/v1/auth/token" | sed -n 's/.*"token" *: *"\([^"]*\)".*/\1/p')
[ -n "$TOKEN" ] || die "no API token"
BEARER="Authorization: Bearer $TOKEN"

P_NIK="/api/v1/persons?nik=$NIK"
# A well-formed NIK nobody has: the same index lookup, but an empty answer writes no audit entry.
P_NONE="/api/v1/persons?nik=9999999999999999"
P_COMMON="/api/v1/persons?q=$COMMON&limit=50"
P_RARE="/api/v1/persons?q=$RARE&limit=50"
check() { # $1 path, $2 expected item count
  local code items
  code=$(curl -sS --max-time 60 -o "$TMPD/check.json" -w '%{http_code}' -H "$BEARER" "$BASE$1")
  [ "$code" = 200 ] || die "GET $1 answered $code"
  items=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["items"]))' "$TMPD/check.json")
  [ "$items" = "$2" ] || die "GET $1 returned $items people, expected $2"
  printf '  GET %-48s 200, %s people, %s bytes\n' "$1" "$items" "$(wc -c <"$TMPD/check.json")"
}
RARE_N=$(sqlite3 "$DB" "SELECT min(50, count(*)) FROM persons WHERE name_key LIKE '%sembiring%'")
log "checking the targets"
check "$P_NIK" 1
check "$P_NONE" 0
check "$P_COMMON" 50
check "$P_RARE" "$RARE_N"

log "single searches timed with curl (5 each, total time in ms)"
for p in "$P_NIK" "$P_NONE" "$P_COMMON" "$P_RARE"; do
  ts=""
  for _ in 1 2 3 4 5; do
    ts="$ts $(curl -sS --max-time 60 -o /dev/null -w '%{time_total}' -H "$BEARER" "$BASE$p" | awk '{printf "%.1f", $1*1000}')"
  done
  printf '  %-48s%s\n' "$p" "$ts"
done

AUDIT0=$(sqlite3 "$DB" "SELECT count(*) FROM audit_log" 2>/dev/null || echo "?")
run_wrk() { # $1 label, $2 path, $3 header, $4 key
  local out="$TMPD/wrk-$4.txt"
  wrk -t"$THREADS" -c"$CONNS" -d"${DURATION}s" --timeout 30s --latency -H "$3" "$BASE$2" >"$out"
  local rps p50 p99 total non2xx sockerr
  rps=$(awk '/^Requests\/sec:/ {print $2}' "$out")
  p50=$(to_ms "$(awk '$1 == "50%" {print $2}' "$out")")
  p99=$(to_ms "$(awk '$1 == "99%" {print $2}' "$out")")
  total=$(awk '/requests in/ {print $1}' "$out")
  non2xx=$(awk -F': *' '/Non-2xx or 3xx responses/ {print $2}' "$out"); non2xx=${non2xx:-0}
  sockerr=$(sed -n 's/^ *Socket errors: *//p' "$out"); sockerr=${sockerr:-none}
  printf '  %-22s %9s req/s  p50 %8s ms  p99 %8s ms  %8s requests  non-2xx %s  socket errors: %s\n' \
    "$1" "$rps" "$p50" "$p99" "$total" "$non2xx" "$sockerr"
  eval "RPS_$4=\$rps P50_$4=\$p50 P99_$4=\$p99"
}
log "wrk: $THREADS threads, $CONNS connections, ${DURATION}s per target (3 s unmeasured warm-up first)"
wrk -t"$THREADS" -c"$CONNS" -d3s -H "$BEARER" "$BASE$P_NIK" >/dev/null
run_wrk "healthz" /healthz "X-Bench: 1" health
run_wrk "nik= (found)" "$P_NIK" "$BEARER" nik
run_wrk "nik= (none, no audit)" "$P_NONE" "$BEARER" none
run_wrk "q=$COMMON (limit 50)" "$P_COMMON" "$BEARER" common
run_wrk "q=$RARE (limit 50)" "$P_RARE" "$BEARER" rare
RSS_KB=$(awk '/^VmHWM/ {print $2}' "/proc/$SERVER_PID/status" 2>/dev/null || echo 0)
stop_server
AUDIT1=$(sqlite3 "$DB" "SELECT count(*) FROM audit_log" 2>/dev/null || echo "?")
for k in nik none common rare; do
  eval "r=\$RPS_$k p50=\$P50_$k p99=\$P99_$k"
  awk -v k="$k" -v r="$r" -v h="$RPS_health" -v a="$p50" -v ha="$P50_health" -v b="$p99" -v hb="$P99_health" \
    'BEGIN { printf "  %-8s req/s %.4f of healthz, p50 %.1fx, p99 %.1fx healthz\n", k, r/h, a/ha, b/hb }'
done
echo "  audit entries written during the searches (incl. warm-up and curl): $AUDIT0 -> $AUDIT1"
echo "  server peak RSS: $(( RSS_KB / 1024 )) MiB"
if grep -qE '\b(ERROR|WARN)\b' "$SERVER_LOG"; then
  echo "  server warnings/errors:"; grep -E '\b(ERROR|WARN)\b' "$SERVER_LOG" | head -10
fi

# --- 3. import ------------------------------------------------------------------------------
log "import of $IMPORT_ROWS new people: desmigratif import vs sqlite3 .import of the same CSV"
t0=$(now_us)
DATABASE_URL="sqlite://$TMPD/import-target.db" "$BIN" import persons "$CSV" --as-user admin \
  >"$TMPD/import.out" 2>"$TMPD/import.err" || { cat "$TMPD/import.err" "$TMPD/import.out" >&2; die "import failed"; }
t1=$(now_us)
sed 's/^/  /' "$TMPD/import.out"
IMP_US=$((t1 - t0))
CREATED=$(sed -n 's/^\([0-9]*\) created.*/\1/p' "$TMPD/import.out")
[ "$CREATED" = "$IMPORT_ROWS" ] || echo "  !! created $CREATED of $IMPORT_ROWS rows"
t0=$(now_us)
sqlite3 -bail "$TMPD/plain.db" ".import --csv $CSV people"
t1=$(now_us)
SQ_US=$((t1 - t0))
SQ_ROWS=$(sqlite3 "$TMPD/plain.db" "SELECT count(*) FROM people")
awk -v n="$IMPORT_ROWS" -v a="$IMP_US" -v m="$SQ_ROWS" -v b="$SQ_US" 'BEGIN {
  printf "  desmigratif import persons  %8.0f ms  %9.0f rows/s\n", a/1000, n/(a/1e6)
  printf "  sqlite3 .import            %8.0f ms  %9.0f rows/s (%d rows)\n", b/1000, m/(b/1e6), m
  printf "  ratio (import time / sqlite3 time): %.0fx\n", a/b }'

log "done (load average now: $(cut -d' ' -f1-3 /proc/loadavg))"
