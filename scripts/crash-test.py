#!/usr/bin/env python3
"""Durability under crash (issue 9): concurrent writers register people through the real
server; the server is killed with SIGKILL at random moments and restarted; at the end every
write the server acknowledged (HTTP 201) must be in the database, the database must pass
its integrity check and the audit hash chain must verify. Readers open the people written
meanwhile: every view the server answered (HTTP 200) must have its audit entry (issue 18: the
views' entries are committed in groups, and answered only once written).

    scripts/crash-test.py [--kills 20] [--writers 8] [--bin target/release/desmigratif]
                          [--database-url postgres://…]   (default: a fresh SQLite file)

Prints: kills, writes acknowledged, writes found, lost (must be 0). Exit status 1 when
anything acknowledged is missing or a check fails. Loopback only; temporary files removed.
"""
import argparse, json, os, random, shutil, signal, sqlite3, subprocess, sys, tempfile, threading, time
import urllib.error, urllib.request

ADMIN_PASSWORD = "crash-test-admin-password"


def free_port():
    import socket
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def request(base, method, path, body=None, token=None, timeout=5):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(base + path, data=data, method=method)
    req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", "Bearer " + token)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            raw = r.read()
            try:
                return r.status, json.loads(raw or b"null")
            except ValueError:
                return r.status, raw
    except urllib.error.HTTPError as e:
        return e.code, None


def view(base, person_id, token, request_id, timeout=5):
    """GET a person with our own request id (the audit entry carries it); the HTTP status."""
    req = urllib.request.Request(f"{base}/api/v1/persons/{person_id}", method="GET")
    req.add_header("Authorization", "Bearer " + token)
    req.add_header("X-Request-Id", request_id)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            r.read()
            return r.status
    except urllib.error.HTTPError as e:
        return e.code


def nik_for(n):
    """A valid NIK for Kecamatan Paga (53.07.01): birth date and serial vary with n."""
    day = 1 + n % 28
    month = 1 + (n // 28) % 12
    year = 60 + (n // 336) % 40  # 1960–1999
    serial = 1 + (n // 13440) % 9999
    sex = "F" if n % 2 else "M"
    dd = day + 40 if sex == "F" else day
    nik = f"530701{dd:02d}{month:02d}{year:02d}{serial:04d}"
    return nik, f"19{year:02d}-{month:02d}-{day:02d}", sex


class Server:
    def __init__(self, binary, env):
        self.binary, self.env, self.proc = binary, env, None

    def start(self):
        self.proc = subprocess.Popen([self.binary, "serve"], env=self.env,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        base = "http://" + self.env["DESMIGRATIF_ADDR"]
        for _ in range(600):
            try:
                if request(base, "GET", "/healthz", timeout=1)[0] == 200:
                    return
            except Exception:
                pass
            if self.proc.poll() is not None:
                sys.exit("server exited during start")
            time.sleep(0.05)
        sys.exit("server did not become healthy")

    def kill(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kills", type=int, default=20)
    ap.add_argument("--writers", type=int, default=8)
    ap.add_argument("--bin", default="target/debug/desmigratif")
    ap.add_argument("--database-url", default="")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    if args.kills < 1 or args.writers < 1:
        sys.exit("--kills and --writers must be positive")
    rng = random.Random(args.seed)
    tmp = tempfile.mkdtemp(prefix="desmig-crash-")
    db_path = os.path.join(tmp, "crash.db")
    url = args.database_url or f"sqlite://{db_path}"
    port = free_port()
    env = dict(os.environ, DATABASE_URL=url, DESMIGRATIF_ADDR=f"127.0.0.1:{port}",
               DESMIGRATIF_ADMIN_USER="admin", DESMIGRATIF_ADMIN_PASSWORD=ADMIN_PASSWORD,
               DESMIGRATIF_LOG="error",
               # The audit key and its checkpoints belong to this run's database: on PostgreSQL
               # the default is data/ under the working directory, where another database's
               # checkpoints would make `audit verify` report this chain as rewritten.
               DESMIGRATIF_AUDIT_KEY_FILE=os.path.join(tmp, "audit.key"),
               DESMIGRATIF_AUDIT_CHECKPOINT_FILE=os.path.join(tmp, "audit-checkpoints.log"))
    base = f"http://127.0.0.1:{port}"
    server = Server(args.bin, env)
    acked, lock, counter = [], threading.Lock(), [0]
    attempts = [0]
    try:
        server.start()
        status, tok = request(base, "POST", "/api/v1/auth/token",
                              {"username": "admin", "password": ADMIN_PASSWORD})
        if status != 200:
            sys.exit(f"token: HTTP {status}")
        token = tok["token"]
        stop = threading.Event()

        def writer():
            while not stop.is_set():
                with lock:
                    n = counter[0]
                    counter[0] += 1
                    attempts[0] += 1
                nik, birth, sex = nik_for(n)
                body = {"nik": nik, "full_name": f"Uji Tahan {n}", "sex": sex, "birth_date": birth,
                        "village_code": "53.07.01.2001", "confirm_warnings": True}
                try:
                    status, out = request(base, "POST", "/api/v1/persons", body, token, timeout=3)
                except Exception:
                    time.sleep(0.02)  # server down: not acknowledged, try another
                    continue
                if status == 201:
                    with lock:
                        acked.append((out["id"], nik))

        viewed, view_counter = [], [0]

        def reader():
            while not stop.is_set():
                with lock:
                    if not acked:
                        pick = None
                    else:
                        pick = rng_views.choice(acked)[0]
                    n = view_counter[0]
                    view_counter[0] += 1
                if pick is None:
                    time.sleep(0.01)
                    continue
                rid = f"crashview{n:09d}"
                try:
                    status = view(base, pick, token, rid, timeout=3)
                except Exception:
                    time.sleep(0.02)
                    continue
                if status == 200:
                    with lock:
                        viewed.append(rid)

        rng_views = random.Random(args.seed + 1)
        for k in range(args.kills):
            stop.clear()
            threads = [threading.Thread(target=writer) for _ in range(args.writers)]
            threads += [threading.Thread(target=reader) for _ in range(max(1, args.writers // 2))]
            for t in threads:
                t.start()
            time.sleep(rng.uniform(0.3, 2.5))
            server.kill()
            stop.set()
            for t in threads:
                t.join()
            server.start()
            print(f"kill {k + 1}/{args.kills}: {len(acked)} acknowledged so far", flush=True)
        server.stop()

        # Every acknowledged write must be there.
        if url.startswith("sqlite://"):
            con = sqlite3.connect(db_path)
            integrity = con.execute("PRAGMA integrity_check").fetchone()[0]
            found_niks = {r[0] for r in con.execute("SELECT nik FROM persons")}
            audited = {r[0] for r in con.execute("SELECT request_id FROM audit_log WHERE action = 'person.view'")}
            con.close()
        else:
            out = subprocess.run(["psql", url, "-tAc", "SELECT nik FROM persons"], capture_output=True,
                                 text=True, check=True).stdout
            found_niks = set(out.split())
            out = subprocess.run(["psql", url, "-tAc", "SELECT request_id FROM audit_log WHERE action = 'person.view'"],
                                 capture_output=True, text=True, check=True).stdout
            audited = set(out.split())
            integrity = "ok (PostgreSQL: WAL recovery)"
        verify = subprocess.run([args.bin, "audit", "verify"], env=env, capture_output=True, text=True)
        found = sum(1 for _, nik in acked if nik in found_niks)
        lost = len(acked) - found
        print()
        print(f"kills: {args.kills}, writers: {args.writers}, attempts: {attempts[0]}")
        print(f"writes acknowledged: {len(acked)}")
        print(f"writes found: {found}")
        print(f"lost: {lost}")
        unaudited = sum(1 for rid in viewed if rid not in audited)
        print(f"views answered: {len(viewed)}, without their audit entry: {unaudited}")
        print(f"integrity check: {integrity}")
        print(f"audit chain: {(verify.stdout + verify.stderr).strip()}")
        ok = lost == 0 and unaudited == 0 and len(viewed) > 0 and integrity.startswith("ok") and verify.returncode == 0 and len(acked) > 0
        print("RESULT: " + ("PASS" if ok else "FAIL"))
        return 0 if ok else 1
    finally:
        server.stop()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
