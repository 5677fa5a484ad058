#!/usr/bin/env bash
# Times pitfall against ruff (and pylint, on a sample) on the real-world corpus, prints
# a Markdown table and draws bench/results.svg. Needs hyperfine and python3; installs
# ruff and pylint into a venv on first use.
#
# Usage: bench/run.sh [CORPUS_DIR]       (default: ../bench-corpus next to the repo)
# Env:   PITFALL=path/to/pitfall         (default: cargo build --release)
#        RUNS=N (hyperfine runs, default 10)   BENCH_VENV=dir (ruff/pylint venv)
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
corpus=$(realpath -m "${1:-$repo/../bench-corpus}")
runs=${RUNS:-10}
out=${BENCH_OUT:-$repo/target/bench}
mkdir -p "$out"

[ -d "$corpus" ] || "$repo/../shared/bench/make_corpus.sh" "$corpus"
command -v hyperfine >/dev/null || { apt-get update -qq && apt-get install -y -qq hyperfine; }
if [ -z "${PITFALL:-}" ]; then
  cargo build --release --quiet --manifest-path "$repo/Cargo.toml"
  PITFALL=$(cargo metadata --format-version 1 --no-deps --manifest-path "$repo/Cargo.toml" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')/release/pitfall
fi
pitfall=$(realpath "$PITFALL")
venv=${BENCH_VENV:-/tmp/pitfall-bench-venv}
[ -x "$venv/bin/ruff" ] || { python3 -m venv "$venv" && "$venv/bin/pip" install --quiet ruff==0.17.6; }
[ -x "$venv/bin/pylint" ] || "$venv/bin/pip" install --quiet pylint==4.1.4 || true

# ruff's codes for the same pitfalls: the list ../shared/bench/compare.sh uses, so the
# numbers compare with the issue's baseline.
ruff_codes=B006,B008,B012,B019,B023,B031,B904,B909,BLE001,E711,E712,E721,E722,E731,F631,F632,F633,F823
ruff_codes=$ruff_codes,N804,N805,PLE0100,PLE0101,PLE0116,PLE0211,PLE4703,PLR6201,PLW1641,RUF008,RUF012
ruff_codes=$ruff_codes,S101,S110,S112,SIM107,SIM115,ASYNC210,ASYNC212,ASYNC220,ASYNC221,ASYNC222,ASYNC230
ruff_codes=$ruff_codes,ASYNC240,ASYNC250,ASYNC251
# pylint's codes for pitfall's rules, from the rules' own metadata.
codes() { "$pitfall" rules --output-format json | python3 -c '
import json, sys
tool = sys.argv[1]
print(",".join(sorted({e["code"] for r in json.load(sys.stdin) for e in r["equivalents"] if e["tool"] == tool})))' "$1"; }
pylint_codes=$(codes pylint)

check="$pitfall check --exit-zero --output-format concise"
ruff="$venv/bin/ruff check --isolated --exit-zero --preview --output-format concise --select $ruff_codes"
cache_dir=$(mktemp -d)
trap 'rm -rf "$cache_dir"' EXIT

# A 2,000-line file for the editor path (stdin), cut from the corpus.
editor_file="$out/editor-2000.py"
editor_source=$(find "$corpus" -name '*.py' -size +80k | sort | sed -n 1p)
head -n 2000 "$editor_source" > "$editor_file"

# A 200-file sample for pylint, every Nth file of the sorted list; timed, then
# extrapolated to the whole corpus by lines.
find "$corpus" -name '*.py' | sort > "$out/all-files.txt"
total=$(wc -l < "$out/all-files.txt")
awk -v step=$((total / 200)) 'NR % step == 0 && taken < 200 { print; taken++ }' "$out/all-files.txt" > "$out/sample.txt"

hf() { # name command...; $hf_runs / $hf_warmup override the defaults
  local name=$1; shift
  # ONLY="name ..." re-measures just those runs, keeping the other results.
  [ -z "${ONLY:-}" ] || [[ " $ONLY " == *" $name "* ]] || return 0
  hyperfine --style basic --warmup "${hf_warmup:-1}" --runs "${hf_runs:-$runs}" \
    --export-json "$out/$name.json" "$@" >&2
}
hf pitfall-cold -N "$check --no-cache $corpus"
hf pitfall-1-thread -N "$check --no-cache --threads 1 $corpus"
hf pitfall-warm -N "$check --cache-dir $cache_dir $corpus"
hf parse-only -N "$check --no-cache --parse-only $corpus"
hf ruff -N "$ruff --no-cache $corpus"
hf_runs=$((runs * 5)) hf pitfall-stdin "$pitfall check --no-cache --exit-zero --stdin-filename x.py - < $editor_file"
if [ -x "$venv/bin/pylint" ]; then
  hf_runs=1 hf_warmup=0 hf pylint-sample -N "$venv/bin/pylint --disable=all --enable=$pylint_codes --load-plugins=pylint.extensions.eq_without_hash,pylint.extensions.set_membership --exit-zero $(tr '\n' ' ' < "$out/sample.txt")"
fi

# Peak memory of one cold run each.
rss() { /usr/bin/time -f '%M' "$@" 2>&1 >/dev/null | tail -n 1; }
{
  echo "pitfall-cold $(rss $check --no-cache "$corpus")"
  echo "ruff $(rss $ruff --no-cache "$corpus")"
} > "$out/rss.txt"

lines() { xargs -a "$1" -d '\n' cat | wc -l; }
python3 "$repo/bench/report.py" "$out" "$(lines "$out/sample.txt")" "$(lines "$out/all-files.txt")" \
  "$("$pitfall" --version)" "$("$venv/bin/ruff" --version)" \
  "$( [ -x "$venv/bin/pylint" ] && "$venv/bin/pylint" --version | head -n 1 || echo pylint: not installed)" \
  "$repo/bench/results.svg"
