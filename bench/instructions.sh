#!/usr/bin/env bash
# Counts the instructions one single-threaded, uncached run executes (valgrind's
# callgrind), optionally comparing two builds. Unlike wall time, the count does not
# depend on what else the machine is doing, so it is the number to compare before and
# after an optimisation. Also checks that both builds print the same findings.
#
# Usage: bench/instructions.sh DIR BINARY [OTHER_BINARY]
#   e.g. bench/instructions.sh /tmp/sample ./before ./after
# The callgrind profiles are left in target/bench/callgrind.<name>.out for
# `callgrind_annotate`.
set -euo pipefail
dir=${1:?usage: instructions.sh DIR BINARY [OTHER_BINARY]}
shift
out=${BENCH_OUT:-$(cd "$(dirname "$0")/.." && pwd)/target/bench}
mkdir -p "$out"
command -v valgrind >/dev/null || { apt-get update -qq && apt-get install -y -qq valgrind; }
for bin in "$@"; do
  name=$(basename "$bin")
  valgrind --tool=callgrind --callgrind-out-file="$out/callgrind.$name.out" \
    "$bin" check --no-cache --threads 1 --exit-zero --output-format concise "$dir" \
    > "$out/findings.$name.txt" 2> "$out/callgrind.$name.log"
  printf '%-20s %s instructions, %s findings\n' "$name" \
    "$(grep -o 'Collected : [0-9]*' "$out/callgrind.$name.log" | grep -o '[0-9]*$')" \
    "$(wc -l < "$out/findings.$name.txt")"
done
if [ $# -eq 2 ]; then
  cmp -s "$out/findings.$(basename "$1").txt" "$out/findings.$(basename "$2").txt" &&
    echo "same findings" || { echo "the findings differ"; exit 1; }
fi
