#!/usr/bin/env bash
# Every exercise's figure, and every variant's, on one contact sheet for review: one row
# each, its keyframes side by side with props, the stretched part in orange and the arrow of
# the movement. Also times drawing it, beside `backstretch --version` in the same run.
# Usage: bench/figures.sh [out.png]   (default target/figures/contact-sheet.png)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-target/figures/contact-sheet.png}
mkdir -p "$(dirname "$out")"
cargo build --release --locked -q
bin=$PWD/target/release/backstretch
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export BACKSTRETCH_HOME="$work/home"
"$bin" figure --all --out "$out" >/dev/null
rows=$("$bin" figure --all | grep -c 'font-weight="bold"')
ms() {
  local start end
  start=$(date +%s%N)
  for _ in $(seq 10); do "$@" >/dev/null; done
  end=$(date +%s%N)
  echo "scale=1; ($end - $start) / 10000000" | bc
}
v=$(ms "$bin" --version)
s=$(ms "$bin" figure --all)
echo "contact sheet: $out ($rows figures, $(du -k "$out" | cut -f1) KB)"
echo "backstretch --version:       ${v} ms"
echo "figure --all (SVG):          ${s} ms ($(echo "scale=1; $s / $v" | bc)x)"
