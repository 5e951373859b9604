#!/usr/bin/env bash
# End-to-end: `backstretch plan` with N (default 10,000) exercise files in the user's folder,
# measured side by side with `backstretch --version` in the same run (alternating, medians),
# so the figure is a ratio that machine noise affects less. Reports the first run (parse every
# file, write the cache), warm runs (cache hit) on a settled folder (checked by the names kept
# from its last listing) and read in full, as after a change to the folder's entries that
# leaves its exercise files as they were (the kept names are removed before each such run,
# which keeps them again), the cache's size and peak memory; and, for scale, `find`
# listing the folder with each file's size and time (the same metadata calls a warm start
# must make to know no file changed), in the same alternation.
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-10000}
runs=${2:-30}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 bench/gen-catalog.py "$n" "$work/exercises"
# A folder's names are kept only once it has been left alone for two seconds.
sleep 2
cargo build --release --locked -q
bin=$PWD/target/release/backstretch
export BACKSTRETCH_HOME="$work/home"
# A set-up data directory: disclaimer accepted, a red-flag check with no sign.
"$bin" disclaimer --accept >/dev/null
"$bin" safety --answers none >/dev/null
args=(--catalog "$work/exercises" plan --area lower-back --area neck --place floor --place chair --minutes 20 --date 2026-11-21)
python3 - "$bin" "$runs" "$work/home/cache" "$work/exercises" "${args[@]}" <<'PY'
import os, statistics, subprocess, sys, time
bin, runs, cache, folder, args = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5:]
def once(cmd):
    s = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, check=True)
    return (time.perf_counter() - s) * 1000
cold = []
for _ in range(5):
    subprocess.run(["rm", "-rf", cache])
    cold.append(once([bin] + args))
version, warm, changed, find = [], [], [], []
names = os.path.join(cache, "folder-names.bin")
for _ in range(runs):
    version.append(once([bin, "--version"]))
    warm.append(once([bin] + args))
    if os.path.exists(names):
        os.remove(names)
    changed.append(once([bin] + args))
    find.append(once(["find", folder, "-maxdepth", "1", "-name", "*.toml", "-printf", "%s %T@\\n"]))
v, w, f = statistics.median(version), statistics.median(warm), statistics.median(find)
c = statistics.median(changed)
size = os.path.getsize(os.path.join(cache, "catalog.bin"))
print(f"--version:              {v:.1f} ms (median of {runs})")
print(f"plan, warm (cached):    {w:.1f} ms = {w / v:.1f}x --version")
print(f"plan, warm, folder read in full: {c:.1f} ms = {c / v:.1f}x --version")
print(f"find, size+time of each file: {f:.1f} ms = {f / v:.1f}x --version")
print(f"plan, cold (parse all): {statistics.median(cold):.1f} ms")
print(f"cache: {size / 1e6:.1f} MB")
PY
/usr/bin/time -f "peak memory: %M KB" "$bin" "${args[@]}" >/dev/null
