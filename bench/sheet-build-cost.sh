#!/usr/bin/env bash
# What the `pdf` feature (krilla and its font tools) costs: two clean release builds of the
# binary, with and without it, each in its own empty target directory; wall time and size.
# Takes several minutes.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo fetch --locked -q
for variant in with without; do
  dir=$(mktemp -d)
  flags=()
  [ "$variant" = without ] && flags=(--no-default-features)
  start=$(date +%s)
  CARGO_TARGET_DIR="$dir" cargo build --release --locked -q -p backstretch "${flags[@]}"
  end=$(date +%s)
  echo "$variant pdf: $((end - start)) s clean release build, binary $(stat -c %s "$dir/release/backstretch") bytes"
  rm -rf "$dir"
done
