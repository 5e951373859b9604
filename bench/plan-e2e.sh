#!/usr/bin/env bash
# End-to-end: `backstretch plan` with N (default 10,000) exercise files in the user's folder,
# and with the built-in catalogue alone, measured side by side with `backstretch --version`
# in the same run (alternating, medians), so machine noise touches the ratios less. Every
# run reads and parses the whole folder: nothing is cached between runs (the OS's file
# cache is warm after the first). Target: a plan over 10,000 files in under half a second.
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-10000}
runs=${2:-20}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 bench/gen-catalog.py "$n" "$work/exercises"
cargo build --release --locked -q
bin=$PWD/target/release/backstretch
export BACKSTRETCH_HOME="$work/home"
# A set-up data directory: disclaimer accepted, a warning-sign check with no sign.
"$bin" disclaimer --accept >/dev/null
"$bin" safety --answers none >/dev/null
plan=(plan --area lower-back --area neck --place floor --place chair --minutes 20 --date 2026-11-21)
python3 - "$bin" "$runs" "$work/exercises" "${plan[@]}" <<'PY'
import statistics, subprocess, sys, time
bin, runs, folder, plan = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4:]
def once(cmd):
    s = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, check=True)
    return (time.perf_counter() - s) * 1000
version, builtin, folder_plan = [], [], []
for _ in range(runs):
    version.append(once([bin, "--version"]))
    builtin.append(once([bin] + plan))
    folder_plan.append(once([bin, "--catalog", folder] + plan))
v, b, f = (statistics.median(x) for x in (version, builtin, folder_plan))
print(f"--version:                         {v:.1f} ms (median of {runs})")
print(f"plan, built-in catalogue:          {b:.1f} ms = {b / v:.1f}x --version")
print(f"plan, {len(__import__('os').listdir(folder))} files in the folder: {f:.1f} ms = {f / v:.1f}x --version (target: under 500 ms)")
PY
/usr/bin/time -f "peak memory, plan over the folder: %M KB" "$bin" --catalog "$work/exercises" "${plan[@]}" >/dev/null
