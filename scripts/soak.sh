#!/usr/bin/env bash
# Soak (issue 9): mixed load for a long time against one server; reports requests, errors and
# how the server's memory (RSS) moved from after warm-up to the end. Not a test: it prints.
#
#   scripts/soak.sh [--seconds 1800] [--connections 32] [--bin target/release/desmigratif]
#
# Data: `desmigratif generate --scale small` into a fresh SQLite file. Load (wrk, one Lua
# script): 9 in 10 requests read (person by NIK, name search, person page, worklist-like
# list, village, public agency check, open indicators, healthz), 1 in 10 registers a new
# person. RSS is sampled every 15 s. Pass: no errors and RSS growth under 10 % after the first
# minute. Loopback only; temporary files removed on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
SECS=1800; CONNS=32; BIN=target/release/desmigratif
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) SECS=$2; shift ;;
    --connections) CONNS=$2; shift ;;
    --bin) BIN=$2; shift ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
  shift
done
[[ "$SECS" =~ ^[1-9][0-9]*$ && "$CONNS" =~ ^[1-9][0-9]*$ ]] || { echo "whole positive numbers please" >&2; exit 2; }
[ -x "$BIN" ] || cargo build --release
command -v wrk >/dev/null || { echo "needs wrk (apt-get install wrk)" >&2; exit 1; }

TMPD=$(mktemp -d /tmp/desmig-soak.XXXXXX)
PID=""
cleanup() { [ -n "$PID" ] && kill "$PID" 2>/dev/null; wait 2>/dev/null; rm -rf "$TMPD"; }
trap cleanup EXIT
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
export DATABASE_URL="sqlite://$TMPD/soak.db" DESMIGRATIF_ADDR="127.0.0.1:$PORT" DESMIGRATIF_LOG=error \
  DESMIGRATIF_ADMIN_USER=admin DESMIGRATIF_ADMIN_PASSWORD=soak-admin-password
"$BIN" generate --scale small --seed 1 >/dev/null 2>&1
"$BIN" serve >"$TMPD/server.log" 2>&1 & PID=$!
for _ in $(seq 1 200); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done
TOKEN=$(curl -sf -H 'Content-Type: application/json' -d '{"username":"admin","password":"soak-admin-password"}' \
  "http://127.0.0.1:$PORT/api/v1/auth/token" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
NIK=$(curl -sf -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT/api/v1/persons?limit=1" \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["items"][0]["nik"])')
cat >"$TMPD/mix.lua" <<LUA
local counter = 0
local threads = {}
function setup(thread) thread:set("tid", #threads); table.insert(threads, thread) end
local reads = {
  "/api/v1/persons?nik=$NIK", "/api/v1/persons?q=siti&limit=20", "/api/v1/persons/1",
  "/api/v1/persons?region_code=53.07&limit=50", "/api/v1/villages/53.07.01.2001",
  "/api/v1/public/agencies?q=PT", "/api/v1/open/indicators?region_code=53", "/healthz",
}
request = function()
  counter = counter + 1
  local headers = {}
  for k, v in pairs(wrk.headers) do headers[k] = v end
  if counter % 10 == 0 then
    local n = (tonumber(tid) or 0) * 1000000 + counter / 10
    local t = os.date("!*t", (n % 10000) * 86400)
    local nik = string.format("530701%02d%02d%02d%04d", t.day, t.month, t.year % 100, 7000 + math.floor(n / 10000))
    local body = string.format('{"nik":"%s","full_name":"Soak %d","sex":"L","birth_date":"%04d-%02d-%02d","village_code":"53.07.01.2001","confirm_warnings":true}',
      nik, n, t.year, t.month, t.day)
    headers["Content-Type"] = "application/json"
    return wrk.format("POST", "/api/v1/persons", headers, body)
  end
  return wrk.format("GET", reads[(counter % #reads) + 1], headers)
end
LUA
rss() { awk '/^VmRSS/ {print $2}' "/proc/$PID/status"; }
# The parts of RSS (KiB): anonymous (heap), file-backed (binary, mmapped files), shared memory
# (SQLite's WAL index). Which one grows says where to look.
rss_parts() { awk '/^RssAnon|^RssFile|^RssShmem/ {printf "%s ", $2}' "/proc/$PID/status"; }
echo "soak: ${SECS}s, $CONNS connections, server pid $PID, RSS idle $(( $(rss) / 1024 )) MiB"
( while kill -0 "$PID" 2>/dev/null; do echo "$(date +%s) $(rss) $(rss_parts)"; sleep 15; done ) >"$TMPD/rss.log" &
START=$(date +%s)
wrk -t2 -c"$CONNS" -d"${SECS}s" --latency -s "$TMPD/mix.lua" -H "Authorization: Bearer $TOKEN" \
  "http://127.0.0.1:$PORT" | tee "$TMPD/wrk.out"
WARM=$(awk -v s="$START" '$1 >= s + 60 {print $2; exit}' "$TMPD/rss.log")
END=$(tail -1 "$TMPD/rss.log" | cut -d' ' -f2)
ERRS=$(grep -E "Non-2xx|Socket errors" "$TMPD/wrk.out" || true)
GROWTH=$(python3 -c "w=${WARM:-0}; e=${END:-0}; print(f'{(e-w)/w*100:.1f}' if w else '?')")
echo
echo "RSS after the first minute: $(( ${WARM:-0} / 1024 )) MiB; at the end: $(( ${END:-0} / 1024 )) MiB; growth: $GROWTH %"
awk -v s="$START" '$1 >= s + 60 && !w {w=$0} {last=$0} END {
  split(w, a, " "); split(last, b, " ");
  printf "parts (MiB) after the first minute: anon %.1f, file %.1f, shmem %.1f; at the end: anon %.1f, file %.1f, shmem %.1f\n",
    a[3]/1024, a[4]/1024, a[5]/1024, b[3]/1024, b[4]/1024, b[5]/1024 }' "$TMPD/rss.log"
[ -n "${SOAK_KEEP_LOG:-}" ] && cp "$TMPD/rss.log" "$SOAK_KEEP_LOG"
echo "database file: $(( $(stat -c %s "$TMPD/soak.db") / 1048576 )) MiB, WAL: $(( $(stat -c %s "$TMPD/soak.db-wal" 2>/dev/null || echo 0) / 1048576 )) MiB"
echo "errors: ${ERRS:-none}"
python3 -c "import sys; g='$GROWTH'; sys.exit(0 if g!='?' and float(g) < 10 and not '''$ERRS''' else 1)" \
  && echo "RESULT: PASS" || { echo "RESULT: FAIL"; exit 1; }
