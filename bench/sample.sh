#!/usr/bin/env bash
# Copies a reproducible sample of the corpus (every 10th .py/.pyi file in sorted order:
# 624 of 6,245) for `bench/instructions.sh`, keeping the directory layout.
#
# Usage: bench/sample.sh OUT_DIR [CORPUS_DIR] [EVERY]
#   e.g. bench/sample.sh /tmp/sample /work/corpus && bench/instructions.sh /tmp/sample ./pitfall
set -euo pipefail
out=${1:?usage: sample.sh OUT_DIR [CORPUS_DIR] [EVERY]}
corpus=${2:-/work/corpus}
every=${3:-10}
mkdir -p "$out"
cd "$corpus"
find . \( -name '*.py' -o -name '*.pyi' \) -type f | LC_ALL=C sort |
  awk -v every="$every" 'NR % every == 0' |
  while IFS= read -r file; do
    mkdir -p "$out/$(dirname "$file")"
    cp "$file" "$out/$file"
  done
echo "$(find "$out" -type f | wc -l) files in $out"
