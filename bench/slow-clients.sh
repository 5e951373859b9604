#!/usr/bin/env bash
# A slow-client attack on `backstretch serve` (issue 29, item 4): 5,000 connections from 50
# loopback addresses (127.0.0.1 among them) each send half a request and hold it; meanwhile
# a person's requests (GET /api/profile from 127.0.0.1) are timed, and the time the server
# takes to close a half-sent request is measured.
#
#   bench/slow-clients.sh            5,000 held connections
#   HOLD=1000 bench/slow-clients.sh  another number
set -euo pipefail
cd "$(dirname "$0")/.."
HOLD=${HOLD:-5000}
# The bench holds HOLD sockets: raise the soft open-files limit (up to the hard one).
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
cargo build --release -q -p backstretch
BIN=${CARGO_TARGET_DIR:-target}/release/backstretch
HOME_DIR=$(mktemp -d)
trap 'kill "$PID" 2>/dev/null || true; rm -rf "$HOME_DIR"' EXIT
export BACKSTRETCH_HOME=$HOME_DIR
$BIN profile set --area neck --place chair >/dev/null
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
$BIN serve --listen "127.0.0.1:$PORT" >/dev/null 2>&1 &
PID=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/api/profile" >/dev/null && break; sleep 0.1; done
python3 - "$PORT" "$HOLD" <<'PY'
import socket, subprocess, sys, time
port, hold = int(sys.argv[1]), int(sys.argv[2])
def half(i):
    s = socket.socket()
    s.bind((f"127.0.0.{1 + i % 50}", 0))
    s.connect(("127.0.0.1", port))
    s.sendall(f"GET /api/profile HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n".encode())
    return s
t0 = time.monotonic()
held = []
for i in range(hold):
    try:
        held.append(half(i))
    except OSError as e:
        print(f"stopped at {len(held)} connections: {e}")
        break
print(f"opened {len(held)} half-sent requests in {time.monotonic() - t0:.1f} s")
lat = []
for _ in range(20):
    t = time.monotonic()
    out = subprocess.run(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "60",
                          f"http://127.0.0.1:{port}/api/profile"], capture_output=True, text=True).stdout
    lat.append((time.monotonic() - t) * 1000)
    assert out == "200", out
lat.sort()
print(f"a person's request while {len(held)} are held: p50 {lat[len(lat)//2]:.1f} ms, max {lat[-1]:.1f} ms (20 requests, all 200)")
probe = half(7)
t = time.monotonic()
probe.settimeout(120)
while probe.recv(512):
    pass
print(f"a half-sent request is closed after {time.monotonic() - t:.1f} s")
for s in held:
    s.close()
PY
echo "server resident memory, peak: $(( $(awk '/^VmHWM:/ {print $2}' "/proc/$PID/status") / 1024 )) MiB"
