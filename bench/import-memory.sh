#!/usr/bin/env bash
# A long life's backup restores: `export json` of 10,000 and 30,000 real-sized sessions
# (about 14 and 41 years of two sessions a day), then `import` of that file into a new data
# directory; prints each file's size, the import's wall time and its peak memory (max RSS).
# Import reads a session at a time, so its memory must not grow with the file.
#
#   bench/import-memory.sh
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --locked -q -p backstretch
BIN=$PWD/target/release/backstretch
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
export BACKSTRETCH_ACCEPT_DISCLAIMER=1

BACKSTRETCH_HOME=$WORK/template "$BIN" profile set --area lower-back --area neck --place floor --place chair --minutes 10 >/dev/null
BACKSTRETCH_HOME=$WORK/template "$BIN" safety --answers none >/dev/null
BACKSTRETCH_HOME=$WORK/template "$BIN" start --plain --speed 1000 --pain-before 3 --pain-after 2 >/dev/null 2>&1
BACKSTRETCH_HOME=$WORK/template "$BIN" export json > "$WORK/one.json"

for n in 10000 30000; do
  python3 - "$WORK/one.json" "$n" > "$WORK/log-$n.json" <<'PY'
import copy, datetime, json, sys, uuid
one = json.load(open(sys.argv[1]))
n = int(sys.argv[2])
base = one["sessions"][0]
def shift(text, delta):
    return (datetime.datetime.fromisoformat(text) + delta).isoformat()
out = []
for i in range(n):
    delta = -datetime.timedelta(days=3) - datetime.timedelta(hours=12 * i)
    s = copy.deepcopy(base)
    s["uid"] = uuid.uuid4().hex
    for k in ("started_at", "ended_at", "heartbeat_at"):
        s[k] = shift(s[k], delta)
    for st in s["steps"]:
        st["at"] = shift(st["at"], delta)
    out.append(s)
out.reverse()
json.dump({"format": one["format"], "version": one["version"], "sessions": out}, sys.stdout, indent=2)
PY
  size=$(du -m "$WORK/log-$n.json" | cut -f1)
  start=$(date +%s.%N)
  mem=$( { BACKSTRETCH_HOME=$WORK/home-$n /usr/bin/time -f %M "$BIN" import "$WORK/log-$n.json" >/dev/null; } 2>&1 | tail -1)
  end=$(date +%s.%N)
  printf 'import of %6d sessions (%4d MB): %5.1f s, peak memory %5.1f MB\n' \
    "$n" "$size" "$(echo "$end - $start" | bc)" "$(echo "$mem / 1024" | bc -l)"
  rm -rf "$WORK/home-$n" "$WORK/log-$n.json"
done
