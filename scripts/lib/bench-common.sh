# Shared by the benchmark scripts (sourced, not run): logging, the server's stop, timing and
# wrk's latency units. A script sets SERVER_PID when it starts the server.
log() { printf '\n==> %s\n' "$*"; }
die() { echo "!! $*" >&2; exit 1; }
stop_server() {
  [ -n "${SERVER_PID:-}" ] || return 0
  if kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$SERVER_PID" 2>/dev/null || true
  fi
  wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=""
}
now_us() { local t=${EPOCHREALTIME/./}; echo "$((10#$t))"; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
# wrk prints 850.00us / 12.34ms / 1.20s: milliseconds with two decimals.
to_ms() { awk '{ v=$1; if (v ~ /us$/) printf "%.2f", v/1000; else if (v ~ /ms$/) printf "%.2f", v+0;
  else if (v ~ /s$/) printf "%.2f", v*1000; else printf "%s", v }' <<<"$1"; }
