#!/usr/bin/env bash
# Benchmarks monitoring at national scale (issue 7). Not a test: it prints figures.
#
#   1. A fresh SQLite file from `desmigratif migrate`, then N synthetic people written
#      straight into `persons` (spread over 20,000 villages, most in the top sending
#      provinces), an episode for 40 % of them (departed, some returned, some through a
#      broker), a counselling session for 30 %, a case for 1 %. The triggers mark villages
#      dirty as rows go in, as they would in production.
#   2. `desmigratif indicators refresh` (the incremental refresher working through every
#      dirty village), timed.
#   3. The real server: the national and a province dashboard (HTML page with charts, map and
#      sub-region table) and the indicators API, each requested 20 times; median and max.
#   4. DuckDB (the Python package) on the same raw rows, loaded into its own tables before
#      timing, answering the same national and province figures from the raw rows; median.
#
# Usage: scripts/bench-monitoring.sh [--people N] [--no-build]
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
PEOPLE=1000000
BUILD=1
while [ $# -gt 0 ]; do
  case "$1" in
    --people) PEOPLE=$2; shift ;;
    --no-build) BUILD=0 ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1 (try --help)" >&2; exit 2 ;;
  esac
  shift
done
[[ "$PEOPLE" =~ ^[1-9][0-9]*$ ]] || { echo "expected a positive whole number, got '$PEOPLE'" >&2; exit 2; }
python3 -c "import duckdb" 2>/dev/null || { echo "needs the duckdb Python package: pip install duckdb" >&2; exit 1; }

TMPD=$(mktemp -d /tmp/desmig-bench-monitoring.XXXXXX)
SERVER_PID=""
cleanup() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then kill -TERM "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; fi
  rm -rf "$TMPD"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [ "$BUILD" = 1 ]; then cargo build --release --locked --bin desmigratif; fi
BIN="${DESMIGRATIF_BIN:-$ROOT/target/release/desmigratif}"
export DESMIGRATIF_ADMIN_USER=admin DESMIGRATIF_ADMIN_PASSWORD=bench-admin-password DESMIGRATIF_LOG=warn
export DATABASE_URL="sqlite://$TMPD/bench.db"
"$BIN" migrate >/dev/null

echo "==> loading $PEOPLE people"
python3 - "$TMPD/bench.db" "$PEOPLE" <<'PY'
import random, sqlite3, sys, time
db, n = sys.argv[1], int(sys.argv[2])
random.seed(7)
c = sqlite3.connect(db)
c.execute("PRAGMA journal_mode=WAL"); c.execute("PRAGMA synchronous=OFF")
villages = [r[0] for r in c.execute("SELECT code FROM regions WHERE level='village' ORDER BY code")]
top = [v for v in villages if v[:2] in ("35", "33", "32", "52", "18")]
rest = [v for v in villages if v[:2] not in ("35", "33", "32", "52", "18")]
pool = random.sample(top, 14000) + random.sample(rest, 6000)
t0 = time.time()
base = 1546300800  # 2019-01-01
months = [f"{y}-{m:02d}" for y in range(2019, 2027) for m in range(1, 13)][:92]
def rows():
    for i in range(n):
        v = pool[int(random.random() ** 3 * len(pool))]  # skewed: a few villages send many
        yield (f"{9100000000000000 + i}", f"p {i}", "p", "P" if i % 5 < 3 else "L", "1990-05-12", v,
               random.choice(("prospective", "abroad", "returned", "family")), base + random.randrange(0, 92 * 30 * 86400))
c.executemany("INSERT INTO persons (nik, full_name, name_key, sex, birth_date, village_code, category, created_at, updated_at) "
              "VALUES (?,?,?,?,?,?,?,?,?)", ((a, b, k, s, d, v, cat, ts, ts) for (a, b, k, s, d, v, cat, ts) in rows()))
c.commit()
print(f"   persons: {time.time()-t0:.0f} s")
t0 = time.time()
def eps():
    for pid, v in c.execute("SELECT id, village_code FROM persons WHERE id % 5 < 2").fetchall():
        m = random.choice(months)
        dep = f"{m}-15"
        ret = f"{random.choice(months)}-20" if random.random() < 0.4 else None
        if ret and ret < dep: ret = None
        broker = "calo" if random.random() < 0.08 else ""
        state = "returned" if ret else "abroad"
        yield (pid, v, "household_employer", "g2g", "TW", "caregiver", broker, state, dep, dep, ret)
c.executemany("INSERT INTO episodes (person_id, village_code, category, scheme, destination, job_type, recruiter_name, state, state_date, "
              "departed_on, returned_on, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,1700000000,1700000000)", eps())
c.executemany("INSERT INTO counselling_sessions (person_id, village_code, held_on, topics, created_at) VALUES (?,?,?,'procedure',1700000000)",
              ((pid, v, f"{random.choice(months)}-05") for pid, v in c.execute("SELECT id, village_code FROM persons WHERE id % 10 < 3").fetchall()))
c.executemany("INSERT INTO cases (case_type, severity, description, village_code, person_id, status, status_date, due_on, created_at, updated_at) "
              "VALUES (?, 'high', 'bench', ?, ?, ?, '2025-01-01', '2025-02-01', ?, ?)",
              ((random.choice(("unpaid_wages", "missing_contact", "fraud")), v, pid, random.choice(("new", "assessed", "resolved")), base + pid, base + pid)
               for pid, v in c.execute("SELECT id, village_code FROM persons WHERE id % 100 = 0").fetchall()))
c.commit()
for t in ("persons", "episodes", "counselling_sessions", "cases", "indicator_dirty"):
    print(f"   {t}: {c.execute(f'SELECT COUNT(*) FROM {t}').fetchone()[0]:,}")
print(f"   episodes, counselling, cases: {time.time()-t0:.0f} s")
PY

echo "==> desmigratif indicators refresh (every dirty village)"
/usr/bin/time -f "   %e s, max RSS %M KB" "$BIN" indicators refresh
python3 -c "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); print('   indicator rows:', c.execute('SELECT COUNT(*) FROM indicator_values').fetchone()[0])" "$TMPD/bench.db"

PORT=$(python3 -c "import socket; s=socket.socket(); s.bind(('127.0.0.1',0)); print(s.getsockname()[1])")
DESMIGRATIF_ADDR="127.0.0.1:$PORT" "$BIN" serve >"$TMPD/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 100); do grep -q "listening on" "$TMPD/server.log" 2>/dev/null && break; sleep 0.2; done

echo "==> dashboards through the server, and DuckDB on the raw rows"
python3 - "$PORT" "$TMPD/bench.db" <<'PY'
import http.cookiejar, json, re, sqlite3, statistics, sys, time, urllib.parse, urllib.request
import duckdb
port, db = sys.argv[1], sys.argv[2]
base = f"http://127.0.0.1:{port}"
jar = http.cookiejar.CookieJar()
op = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
html = op.open(base + "/login").read().decode()
csrf = re.search(r'name="_csrf" value="([^"]+)"', html).group(1)
op.open(base + "/login", urllib.parse.urlencode({"username": "admin", "password": "bench-admin-password", "_csrf": csrf, "next": "/"}).encode())
tok = json.loads(urllib.request.urlopen(urllib.request.Request(base + "/api/v1/auth/token", json.dumps({"username": "admin", "password": "bench-admin-password"}).encode(), {"content-type": "application/json"})).read())["token"]
def timed(path, api=False, k=20):
    ts = []
    for _ in range(k):
        t0 = time.perf_counter()
        if api:
            body = urllib.request.urlopen(urllib.request.Request(base + path, headers={"authorization": f"Bearer {tok}"})).read()
        else:
            body = op.open(base + path).read()
        ts.append((time.perf_counter() - t0) * 1000)
    return statistics.median(ts), max(ts), len(body)
for label, path, api in [("national dashboard page", "/monitoring", False), ("province 35 dashboard page", "/monitoring/35", False),
                         ("national indicators API", "/api/v1/indicators", True), ("province 35 indicators API", "/api/v1/indicators?region_code=35", True)]:
    med, mx, size = timed(path, api)
    print(f"   server  {label:30s} median {med:7.1f} ms   max {mx:7.1f} ms   {size/1024:.0f} KB")
# DuckDB: the same raw rows in its own tables (load not timed), then the figures per request.
src = sqlite3.connect(db)
d = duckdb.connect()
for t, cols in [("persons", "village_code, created_at"), ("episodes", "village_code, departed_on, returned_on, state, recruiter_name, scheme, agency_id"),
                ("counselling_sessions", "village_code, held_on"), ("cases", "village_code, case_type, status, created_at")]:
    rows = src.execute(f"SELECT {cols} FROM {t}").fetchall()
    names = [x.strip() for x in cols.split(",")]
    d.execute(f"CREATE TABLE {t} ({', '.join(n + (' BIGINT' if n in ('created_at', 'agency_id') else ' VARCHAR') for n in names)})")
    d.executemany(f"INSERT INTO {t} VALUES ({','.join('?' * len(names))})", rows) if len(rows) < 50000 else None
    if len(rows) >= 50000:
        import tempfile, csv, os
        f = os.path.join(os.path.dirname(db), t + ".csv")
        with open(f, "w", newline="") as fh:
            csv.writer(fh).writerows(rows)
        d.execute(f"INSERT INTO {t} SELECT * FROM read_csv('{f}', header=false, nullstr='')")
def duck(prefix):
    w = "" if prefix is None else f"WHERE village_code LIKE '{prefix}.%'"
    a = "WHERE" if prefix is None else f"WHERE village_code LIKE '{prefix}.%' AND"
    qs = [f"SELECT strftime(to_timestamp(created_at + 25200), '%Y-%m') m, COUNT(*) FROM persons {w} GROUP BY 1",
          f"SELECT substr(departed_on,1,7), CASE WHEN recruiter_name = '' THEN 'p' ELSE 'n' END, COUNT(*) FROM episodes {a} departed_on IS NOT NULL GROUP BY 1, 2",
          f"SELECT substr(returned_on,1,7), COUNT(*) FROM episodes {a} returned_on IS NOT NULL GROUP BY 1",
          f"SELECT COUNT(*) FROM episodes {a} state IN ('departed','abroad')",
          f"SELECT substr(held_on,1,7), COUNT(*) FROM counselling_sessions {w} GROUP BY 1",
          f"SELECT case_type, status, COUNT(*) FROM cases {w} GROUP BY 1, 2",
          f"SELECT substr(village_code,1,{2 if prefix is None else 5}), COUNT(*) FROM persons {w} GROUP BY 1"]
    ts = []
    for _ in range(10):
        t0 = time.perf_counter()
        for q in qs:
            d.execute(q).fetchall()
        ts.append((time.perf_counter() - t0) * 1000)
    return statistics.median(ts)
print(f"   duckdb  national figures from raw rows    median {duck(None):7.1f} ms")
print(f"   duckdb  province 35 figures from raw rows median {duck('35'):7.1f} ms")
PY
echo "==> machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GB RAM; $(date -u +%F)"
