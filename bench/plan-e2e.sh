#!/usr/bin/env bash
# End-to-end: `backstretch plan` with 10,000 exercise files in the user's folder.
# Reports the first run (parse every file, write the cache) and warm runs (cache hit).
# Needs hyperfine (apt-get install hyperfine); falls back to a plain timing loop.
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-10000}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 bench/gen-catalog.py "$n" "$work/exercises"
cargo build --release --locked -q
bin=$PWD/target/release/backstretch
export BACKSTRETCH_HOME="$work/home"
# A set-up data directory: disclaimer accepted, a red-flag check with no sign.
"$bin" disclaimer --accept >/dev/null
"$bin" safety --answers none >/dev/null
args=(--catalog "$work/exercises" plan --area lower-back --area neck --place floor --place chair --minutes 20 --date 2026-11-21)
if command -v hyperfine >/dev/null; then
  hyperfine -N --runs 10 --prepare "rm -rf $work/home/cache" "$bin ${args[*]}" --command-name "cold (parse $n files)"
  "$bin" "${args[@]}" >/dev/null
  hyperfine -N --warmup 3 --runs 30 "$bin ${args[*]}" --command-name "warm (cached, $n files)"
else
  for label in cold warm; do
    [ "$label" = cold ] && rm -rf "$work/home/cache"
    start=$(date +%s%N); "$bin" "${args[@]}" >/dev/null; end=$(date +%s%N)
    echo "$label: $(( (end - start) / 1000000 )) ms"
  done
fi
/usr/bin/time -f "peak memory: %M KB" "$bin" "${args[@]}" >/dev/null
