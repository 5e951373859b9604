#!/usr/bin/env bash
# The web player's figures for the README: the player page's weight (HTML, CSS and JS, no
# figures), API latency at 50 concurrent keep-alive clients on loopback for /api/plan and the
# step POST (crates/web/examples/load.rs), the server's resident memory idle and under that
# load, and cue lateness over a two-minute routine in headless Chromium.
#
#   bench/web.sh            everything (the cue run takes about two and a half minutes)
#   bench/web.sh --no-cues  without the browser run
set -euo pipefail
cd "$(dirname "$0")/.."
REQUESTS=${REQUESTS:-20000}
cargo build --release -q -p backstretch
cargo build --release -q -p backstretch-web --example load
BIN=target/release/backstretch
LOAD=target/release/examples/load
HOME_DIR=$(mktemp -d)
trap 'kill "$PID" 2>/dev/null || true; rm -rf "$HOME_DIR"' EXIT
export BACKSTRETCH_HOME=$HOME_DIR
$BIN profile set --area lower-back --area neck --place floor --place chair --minutes 10 >/dev/null
$BIN disclaimer --accept >/dev/null
$BIN safety --answers none >/dev/null
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
$BIN serve --listen "127.0.0.1:$PORT" >/dev/null &
PID=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/static/app.css" >/dev/null && break; sleep 0.1; done

weight=0
for p in /play /static/app.css /static/app.js /static/player.js; do
  n=$(curl -s "http://127.0.0.1:$PORT$p" | wc -c)
  printf '  %-20s %6d bytes\n' "$p" "$n"
  weight=$((weight + n))
done
echo "player page weight (HTML+CSS+JS, no figures): $weight bytes ($((weight / 1024)) KiB; target 60 KB)"

for _ in $(seq 20); do curl -s "http://127.0.0.1:$PORT/api/plan" >/dev/null; done
rss() { awk "/^$1:/ {print \$2}" "/proc/$PID/status"; }
echo "server resident memory, idle: $(( $(rss VmRSS) / 1024 )) MiB"
$LOAD "$PORT" plan 50 "$REQUESTS"
$LOAD "$PORT" step 50 "$REQUESTS"
echo "server resident memory, peak under load: $(( $(rss VmHWM) / 1024 )) MiB (now $(( $(rss VmRSS) / 1024 )) MiB)"

if [ "${1:-}" != "--no-cues" ]; then
  cargo test --release -q -p backstretch --test cli serve::cue_lateness -- --ignored --nocapture 2>&1 | grep "cue lateness"
fi
