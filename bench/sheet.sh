#!/usr/bin/env bash
# The printed sheet: time to write a 10-minute routine's sheet (PDF and HTML), beside
# `backstretch --version` in the same run, and the files' sizes and page counts.
# Usage: bench/sheet.sh [runs]   (needs poppler-utils for the page count)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-30}
cargo build --release --locked -q
bin=$PWD/target/release/backstretch
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export BACKSTRETCH_HOME="$work/home"
"$bin" disclaimer --accept >/dev/null
"$bin" safety --answers none >/dev/null
args=(--area lower-back --area neck --place chair --place bed --minutes 10 --date 2026-11-20)

# Mean wall time of a command over $runs runs, in milliseconds.
mean_ms() {
  local start end
  start=$(date +%s%N)
  for _ in $(seq "$runs"); do "$@" >/dev/null; done
  end=$(date +%s%N)
  echo "scale=2; ($end - $start) / 1000000 / $runs" | bc
}

"$bin" sheet "${args[@]}" --out "$work/warm.pdf" >/dev/null
v=$(mean_ms "$bin" --version)
p=$(mean_ms "$bin" sheet "${args[@]}" --out "$work/s.pdf")
h=$(mean_ms "$bin" sheet "${args[@]}" --out "$work/s.html")
echo "backstretch --version:     ${v} ms"
echo "sheet --out FILE.pdf:      ${p} ms ($(echo "scale=1; $p / $v" | bc)x --version)"
echo "sheet --out FILE.html:     ${h} ms ($(echo "scale=1; $h / $v" | bc)x --version)"
for weeks in 1 4; do
  "$bin" sheet "${args[@]}" --weeks "$weeks" --out "$work/w$weeks.pdf" >/dev/null
  pages=$(pdfinfo "$work/w$weeks.pdf" 2>/dev/null | awk '/^Pages:/ {print $2}')
  echo "PDF, $weeks week(s) of ticks: $(stat -c %s "$work/w$weeks.pdf") bytes, ${pages:-?} page(s)"
done
echo "HTML: $(stat -c %s "$work/s.html") bytes"
