#!/usr/bin/env bash
# Benchmarks the cooperative books (issue 5). Not a test: it prints figures and judges nothing.
#
#   1. A fresh SQLite file (`desmigratif migrate`), the real server, one cooperative and a few
#      members made through the API.
#   2. Postings per second: `wrk` POSTs savings deposits (each one transaction: journal entry,
#      two lines, savings record, audit entry; the cooperative's row lock serialises them)
#      for --duration seconds, on the empty books.
#   3. The server stopped; N journal lines (N/2 balanced two-line entries: cash against a
#      member's simpanan sukarela, dated 2020-01-01 … 2025-12-30, spread over --members
#      members) written straight into the tables with sqlite3, indexes rebuilt after.
#   4. The server again: trial balance (API) and a member statement (the PDF download and the
#      API member view) timed with curl, median of --runs; then a period close through
#      2025-06-30 (which stores the balances at that date) is timed, and the trial balance
#      again (it now reads the stored balances plus the lines after the close); then postings
#      per second again on the loaded books.
#
# Usage: scripts/bench-cooperative.sh [--lines N] [--members N] [--duration SECONDS]
#                                     [--connections N] [--runs N] [--no-build]
#
# Loopback only, in a temporary directory removed on exit; the server is stopped by the exit
# trap. Needs sqlite3, wrk, curl, python3. DESMIGRATIF_BIN overrides the binary.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/bench-common.sh
ROOT=$(pwd)

LINES=20000000
MEMBERS=10000
DURATION=10
CONNS=8
RUNS=5
BUILD=1
while [ $# -gt 0 ]; do
  case "$1" in
    --lines) LINES=$2; shift ;;
    --members) MEMBERS=$2; shift ;;
    --duration) DURATION=$2; shift ;;
    --connections) CONNS=$2; shift ;;
    --runs) RUNS=$2; shift ;;
    --no-build) BUILD=0 ;;
    -h|--help) sed -n '2,24p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1 (try --help)" >&2; exit 2 ;;
  esac
  shift
done
for n in "$LINES" "$MEMBERS" "$DURATION" "$CONNS" "$RUNS"; do
  [[ "$n" =~ ^[1-9][0-9]*$ ]] || { echo "expected a positive whole number, got '$n'" >&2; exit 2; }
done
[ $((LINES % 2)) = 0 ] || { echo "--lines must be even (two lines per entry)" >&2; exit 2; }
[ "$LINES" -le 200000000 ] || { echo "--lines at most 200,000,000" >&2; exit 2; }

for t in wrk sqlite3 curl python3; do command -v "$t" >/dev/null || die "needs $t (Debian: apt-get install $t)"; done

TMPD=$(mktemp -d /tmp/desmig-bench-coop.XXXXXX)
SERVER_PID=""
cleanup() { stop_server; rm -rf "$TMPD"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

if [ "$BUILD" = 1 ]; then
  log "building the release binary"
  cargo build --release --locked --bin desmigratif
fi
BIN="${DESMIGRATIF_BIN:-$ROOT/target/release/desmigratif}"
[ -x "$BIN" ] || die "no $BIN"

export DESMIGRATIF_ADMIN_USER=admin
export DESMIGRATIF_ADMIN_PASSWORD=bench-admin-password
export DESMIGRATIF_LOG=warn


log "machine"
echo "  $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), kernel $(uname -r)"
echo "  memory: $(free -h | awk '/^Mem:/ {print $2 " total, " $7 " available"}')"
echo "  load average before the run: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "  $(sqlite3 --version | cut -d' ' -f1-2 | sed 's/^/sqlite3 /'), $(wrk -v 2>&1 | head -1 | cut -d' ' -f1-2)"
echo "  code: $(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet HEAD -- crates src migrations 2>/dev/null || echo ' (working tree differs from HEAD)')"

DB="$TMPD/coop.db"
DATABASE_URL="sqlite://$DB" "$BIN" migrate >"$TMPD/migrate.log" 2>&1 || { cat "$TMPD/migrate.log" >&2; die "migrate failed"; }

PORT=$(free_port)
BASE="http://127.0.0.1:$PORT"
SERVER_LOG="$TMPD/server.log"
start_server() {
  : >"$SERVER_LOG"
  env DATABASE_URL="sqlite://$DB" DESMIGRATIF_ADDR="127.0.0.1:$PORT" "$BIN" serve >>"$SERVER_LOG" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 1 1200); do
    grep -q "is listening on http://127.0.0.1:$PORT" "$SERVER_LOG" && break
    kill -0 "$SERVER_PID" 2>/dev/null || { cat "$SERVER_LOG" >&2; die "server exited"; }
    sleep 0.1
  done
  grep -q "is listening" "$SERVER_LOG" || { cat "$SERVER_LOG" >&2; die "server did not start"; }
}
api() { # method path [json]
  local data=()
  [ $# -ge 3 ] && data=(-d "$3")
  curl -sS --max-time 600 -X "$1" -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
    "${data[@]}" "$BASE$2"
}
json_field() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }

start_server
TOKEN=$(curl -sS --max-time 10 -H 'Content-Type: application/json' \
  -d "{\"username\":\"$DESMIGRATIF_ADMIN_USER\",\"password\":\"$DESMIGRATIF_ADMIN_PASSWORD\"}" \
  "$BASE/api/v1/auth/token" | json_field "['token']")
[ -n "$TOKEN" ] || die "no API token"

log "one cooperative and three members through the API"
COOP=$(api POST /api/v1/cooperatives '{"village_code":"53.07.01.2001","kind":"koperasi","name":"Koperasi Bench","founded_on":"2019-01-01"}' | json_field "['id']")
for i in 1 2 3; do
  api POST "/api/v1/cooperatives/$COOP/members" "{\"full_name\":\"Anggota $i\",\"joined_on\":\"2019-01-02\"}" >/dev/null
done
echo "  cooperative $COOP"

postings() { # label
  cat >"$TMPD/post.lua" <<EOF
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $TOKEN"
local n = 0
request = function()
  n = n + 1
  local body = string.format('{"member_id": %d, "kind": "sukarela", "direction": "deposit", "amount": %d}', (n % 3) + 1, 1000 + n)
  return wrk.format(nil, nil, nil, body)
end
EOF
  local out
  out=$(wrk -t 2 -c "$CONNS" -d "${DURATION}s" --latency -s "$TMPD/post.lua" "$BASE/api/v1/cooperatives/$COOP/savings-transactions")
  local rps p99 bad
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  bad=$(awk '/Non-2xx/ {print $5}' <<<"$out")
  echo "  $1: $rps postings/s (p99 $p99, $CONNS connections, ${DURATION}s, non-2xx ${bad:-0})"
  [ -z "${BENCH_VERBOSE:-}" ] || sed 's/^/    /' <<<"$out"
}

log "postings per second, empty books"
postings "empty books"

median_ms() { # command... ; runs it RUNS times, prints the median wall time in ms
  local times=()
  for _ in $(seq 1 "$RUNS"); do
    local t0 t1
    t0=$(now_us)
    "$@" >/dev/null
    t1=$(now_us)
    times+=($(( (t1 - t0) / 1000 )))
  done
  printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'
}

stop_server
log "bulk-loading $LINES journal lines ($((LINES / 2)) entries, $MEMBERS members) with sqlite3"
ENTRIES=$((LINES / 2))
t0=$(now_us)
sqlite3 -bail "$DB" >/dev/null <<EOF
PRAGMA synchronous = OFF;
PRAGMA journal_mode = OFF;
PRAGMA cache_size = -1000000;
BEGIN;
INSERT INTO coop_members (cooperative_id, member_number, full_name, nik, person_id, joined_on, created_by, created_at)
WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < $MEMBERS)
SELECT $COOP, printf('B%06d', i), 'Anggota Bench ' || i, NULL, NULL, '2019-06-01', NULL, 0 FROM c;
CREATE TEMP TABLE m(k INTEGER PRIMARY KEY, id INTEGER NOT NULL);
INSERT INTO m SELECT row_number() OVER (ORDER BY id) - 1, id FROM coop_members WHERE member_number LIKE 'B%';
DROP INDEX coop_lines_balance;
DROP INDEX coop_lines_member;
DROP INDEX coop_lines_entry;
DROP INDEX coop_entries_coop;
DROP INDEX coop_entries_loan;
DROP INDEX coop_entries_reverses;
CREATE TEMP TABLE base AS SELECT COALESCE(MAX(id), 0) AS e FROM coop_journal_entries;
INSERT INTO coop_journal_entries (id, cooperative_id, entry_date, memo, operation, total, member_id, loan_id, reverses_id, created_by, created_at)
WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < $ENTRIES)
SELECT (SELECT e FROM base) + i, $COOP, date('2020-01-01', '+' || (i * 2191 / $ENTRIES) || ' days'), 'Setoran simpanan sukarela (bench)',
       'savings_deposit', 1000 + i % 9000, (SELECT id FROM m WHERE k = i % $MEMBERS), NULL, NULL, NULL, 0 FROM c;
INSERT INTO coop_journal_lines (entry_id, cooperative_id, entry_date, account, debit, credit, member_id)
SELECT id, cooperative_id, entry_date, 'cash', total, 0, NULL FROM coop_journal_entries WHERE id > (SELECT e FROM base)
UNION ALL
SELECT id, cooperative_id, entry_date, 'simpanan_sukarela', 0, total, member_id FROM coop_journal_entries WHERE id > (SELECT e FROM base);
CREATE INDEX coop_lines_balance ON coop_journal_lines(cooperative_id, account, entry_date, debit, credit);
CREATE INDEX coop_lines_member ON coop_journal_lines(member_id, entry_date, id);
CREATE INDEX coop_lines_entry ON coop_journal_lines(entry_id);
CREATE INDEX coop_entries_coop ON coop_journal_entries(cooperative_id, id);
CREATE INDEX coop_entries_loan ON coop_journal_entries(loan_id);
CREATE UNIQUE INDEX coop_entries_reverses ON coop_journal_entries(reverses_id);
COMMIT;
ANALYZE;
EOF
t1=$(now_us)
NL=$(sqlite3 "$DB" "SELECT count(*) FROM coop_journal_lines")
echo "  $NL journal lines in $(( (t1 - t0) / 1000 )) ms; file $(du -m "$DB" | cut -f1) MiB"
echo "  trial balance plan: $(sqlite3 "$DB" "EXPLAIN QUERY PLAN SELECT account, SUM(debit), SUM(credit) FROM coop_journal_lines WHERE cooperative_id = $COOP AND entry_date > '' AND entry_date <= '9999' GROUP BY account" | tr '\n' ' ')"

start_server
MEMBER=$(sqlite3 "$DB" "SELECT id FROM coop_members WHERE member_number = 'B000007'")
MLINES=$(sqlite3 "$DB" "SELECT count(*) FROM coop_journal_lines WHERE member_id = $MEMBER")
COOKIE="$TMPD/cookies"
CSRF=$(curl -sS -c "$COOKIE" "$BASE/login" | sed -n 's/.*name="_csrf" value="\([^"]*\)".*/\1/p' | head -1)
curl -sS -b "$COOKIE" -c "$COOKIE" -o /dev/null --data-urlencode "username=admin" --data-urlencode "password=$DESMIGRATIF_ADMIN_PASSWORD" \
  --data-urlencode "_csrf=$CSRF" --data-urlencode "next=/" "$BASE/login"

tb() { api GET "/api/v1/cooperatives/$COOP/reports/trial-balance"; }
statement_pdf() { curl -sS -f -b "$COOKIE" -o /dev/null "$BASE/cooperatives/$COOP/members/$MEMBER/statement?format=pdf"; }
member_api() { api GET "/api/v1/cooperatives/$COOP/members/$MEMBER"; }

log "reports on $NL lines (median of $RUNS, wall time through the server)"
tb | python3 -c "import json,sys; t=json.load(sys.stdin); print('  trial balance balanced:', t['balanced'], 'debits', t['total_debit'])"
echo "  trial balance (no period closed, every line read): $(median_ms tb) ms"
echo "  member statement PDF ($MLINES lines of one member): $(median_ms statement_pdf) ms"
echo "  member view (balances by kind, API): $(median_ms member_api) ms"
t0=$(now_us)
api POST "/api/v1/cooperatives/$COOP/period-closes" '{"through":"2025-06-30"}' >/dev/null
t1=$(now_us)
echo "  period close through 2025-06-30 (stores the balances at that date): $(( (t1 - t0) / 1000 )) ms"
echo "  trial balance after the close (stored balances + later lines): $(median_ms tb) ms"
tb | python3 -c "import json,sys; t=json.load(sys.stdin); print('  trial balance balanced:', t['balanced'], 'debits', t['total_debit'])"

log "postings per second, loaded books"
postings "$NL lines"
