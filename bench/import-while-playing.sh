#!/usr/bin/env bash
# A large import beside a playing session: builds an export of N sessions (default 30,000),
# starts a two-minute session at 10x speed, imports the file meanwhile, and reports the
# import's time and whether the session finished normally (no step ever lost to a busy log).
# Usage: bench/import-while-playing.sh [SESSIONS]
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-30000}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cargo build --release --locked -q
bin=$PWD/target/release/backstretch
export BACKSTRETCH_ACCEPT_DISCLAIMER=1 NO_COLOR=1
BACKSTRETCH_HOME="$work/src" "$bin" safety --answers none >/dev/null
BACKSTRETCH_HOME="$work/src" "$bin" log --pain-before 4 --pain-after 3 --exercise bridge \
  --exercise childs-pose --date 2026-11-01T09:00 >/dev/null
BACKSTRETCH_HOME="$work/src" "$bin" export json > "$work/one.json"
python3 - "$work/one.json" "$work/big.json" "$n" <<'PY'
import copy, json, sys
e = json.load(open(sys.argv[1]))
s = e["sessions"][0]
e["sessions"] = [dict(copy.deepcopy(s), uid=f"bulk-{i}") for i in range(int(sys.argv[3]))]
json.dump(e, open(sys.argv[2], "w"))
PY
export BACKSTRETCH_HOME="$work/home"
"$bin" safety --answers none >/dev/null
"$bin" start --plain --area neck --place chair --minutes 2 --pain-before 3 --pain-after 2 \
  --speed 10 > "$work/play.txt" 2>&1 &
player=$!
sleep 0.5
start=$(date +%s%N)
"$bin" import "$work/big.json"
end=$(date +%s%N)
if wait "$player"; then status="finished normally"; else status="FAILED: $(tail -2 "$work/play.txt")"; fi
echo "import of $n sessions ($(( $(stat -c %s "$work/big.json") >> 20 )) MiB): $(( (end - start) / 1000000 )) ms"
echo "the session playing meanwhile: $status"
