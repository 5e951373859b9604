#!/usr/bin/env bash
# Plays a routine of at least five minutes in real time in --plain mode and reports how late
# the cues were said (the voice, and the full screen, which do not wait for the disk) and how
# late their lines were printed (after the step before is on disk): the worst lateness, the lateness in the first and the last minute (drift
# would make the last larger), and the player's peak memory.
# Usage: bench/player-drift.sh [MINUTES]   (default 6; takes that long)
set -euo pipefail
cd "$(dirname "$0")/.."
minutes=${1:-6}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cargo build --release --locked -q
bin=$PWD/target/release/backstretch
export BACKSTRETCH_HOME="$work/home" BACKSTRETCH_CUE_LOG="$work/cues.txt"
# A set-up data directory: disclaimer accepted, a red-flag check with no sign.
"$bin" disclaimer --accept >/dev/null
"$bin" safety --answers none >/dev/null
"$bin" plan --area lower-back --area neck --place bed --place chair --minutes "$minutes" \
  --date 2026-11-21 --format json > "$work/routine.json"
/usr/bin/time -f "%M" -o "$work/mem.txt" \
  "$bin" start --plain --routine "$work/routine.json" --pain-before 3 --pain-after 2 > "$work/out.txt"
python3 - "$work/cues.txt" "$work/mem.txt" <<'PY'
import sys
rows = [tuple(map(int, l.split())) for l in open(sys.argv[1]) if l.strip()]
due_end = max(r[0] for r in rows)
late = [r[2] for r in rows]
first = [r[2] for r in rows if r[0] < 60_000]
last = [r[2] for r in rows if r[0] >= due_end - 60_000]
print(f"session: {due_end / 1000:.0f} s, {len(rows)} cues")
print(f"worst cue lateness: {max(late)} ms (mean {sum(late) / len(late):.2f} ms)")
print(f"first minute: worst {max(first)} ms, mean {sum(first) / len(first):.2f} ms")
print(f"last minute:  worst {max(last)} ms, mean {sum(last) / len(last):.2f} ms")
print(f"drift at the end (last cue's lateness): {rows[-1][2]} ms")
# The plain player prints a cue's line once the steps before it are on disk (a line seen in a
# pipe means they are kept); the voice and the full screen do not wait for it.
printed = [r[3] - r[0] for r in rows if len(r) > 3]
if printed:
    print(f"plain line printed: worst {max(printed)} ms late (mean {sum(printed) / len(printed):.2f} ms)")
print(f"peak memory: {int(open(sys.argv[2]).read().split()[-1]) / 1024:.1f} MB")
PY
