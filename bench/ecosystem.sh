#!/usr/bin/env bash
# Ecosystem run: checks the benchmark corpus (CPython's standard library with its
# deliberately broken test files, Django, SymPy) with every rule and fails on any
# crash or internal error; prints how many files could not be read or parsed, next to
# ruff's counts for the same tree when ruff is installed. Then runs the slow ignored
# robustness tests (the 50 MB file).
#
# Usage: bench/ecosystem.sh [CORPUS_DIR]   (default: ../bench-corpus, built with
#        ../shared/bench/make_corpus.sh when missing). PITFALL=path/to/binary skips
#        the release build; SKIP_IGNORED_TESTS=1 skips the ignored tests.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
corpus=${1:-$here/../bench-corpus}
if [ ! -d "$corpus" ]; then
  bash "$here/../shared/bench/make_corpus.sh" "$corpus"
fi
corpus=$(cd "$corpus" && pwd)
if [ -z "${PITFALL:-}" ]; then
  (cd "$here" && cargo build --release --locked --quiet)
  PITFALL=${CARGO_TARGET_DIR:-$here/target}/release/pitfall
fi
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# A crash is an exit status other than 0, 1 or 2 (101 panic, 134 abort, 139 SIGSEGV),
# or an internal error reported for a file.
run() { # name args...
  local name=$1 status=0
  shift
  local start=$SECONDS
  "$PITFALL" check --isolated --exit-zero "$@" >"$out/$name.out" 2>"$out/$name.err" || status=$?
  if [ "$status" -ne 0 ]; then
    echo "FAIL: pitfall $* exited with $status"; tail -5 "$out/$name.err"; exit 1
  fi
  if grep -q 'internal error' "$out/$name.err"; then
    echo "FAIL: internal errors:"; grep 'internal error' "$out/$name.err"; exit 1
  fi
  echo "$name: $((SECONDS - start)) s"
}

files=$(find "$corpus" -name '*.py' -o -name '*.pyi' | wc -l)
run all --select ALL --output-format concise "$corpus"
run syntax --select PF000 --output-format concise "$corpus"
findings=$(wc -l <"$out/all.out")
unreadable=$(grep -c '^error: ' "$out/syntax.err" || true)
unparseable=$(cut -d: -f1 "$out/syntax.out" | sort -u | wc -l)
too_deep=$(grep -c 'nested more than' "$out/syntax.out" || true)
echo
echo "corpus: $corpus ($files Python files)"
echo "pitfall, all rules: $findings findings, no crash, no internal error"
echo "pitfall: $unreadable files unreadable, $unparseable with syntax errors ($too_deep too deeply nested)"
grep '^error: ' "$out/syntax.err" | sed 's/^error: [^:]*: /  unreadable: /' | sort | uniq -c | sort -rn

echo
echo "the deliberately broken files:"
broken=()
for pattern in 'test/tokenizedata' 'test/badsyntax_*.py' 'test/*/badsyntax_*.py' 'lib2to3/tests/data'; do
  for path in "$corpus"/cpython-lib/$pattern; do
    [ -e "$path" ] && broken+=("$path")
  done
done
if [ ${#broken[@]} -eq 0 ]; then
  echo "  (none in this corpus: no Lib/test or lib2to3 test data)"
else
  run broken --select ALL --output-format concise "${broken[@]}"
  run broken-syntax --select PF000 --output-format concise "${broken[@]}"
  echo "  $(find "${broken[@]}" -name '*.py' | wc -l) files:" \
    "$(grep -c '^error: ' "$out/broken-syntax.err" || true) unreadable," \
    "$(cut -d: -f1 "$out/broken-syntax.out" | sort -u | wc -l) with syntax errors"
  sed 's/^/  /' "$out/broken-syntax.err" | grep 'error: ' || true
fi

if command -v ruff >/dev/null; then
  echo
  echo "ruff $(ruff --version | cut -d' ' -f2) on the same tree:"
  ruff check --isolated --no-cache --exit-zero --select E902 --output-format concise \
    "$corpus" >"$out/ruff.out" 2>"$out/ruff.err" || true
  echo "  $(grep -c 'E902' "$out/ruff.out" || true) files unreadable (E902)," \
    "$(grep -v E902 "$out/ruff.out" | grep -E '^[^ ]+\.pyi?:[0-9]+:[0-9]+:' | cut -d: -f1 | sort -u | wc -l) with syntax errors"
  echo "  files ruff cannot read that pitfall checks (PEP 263 encodings):"
  grep 'E902' "$out/ruff.out" | cut -d: -f1 | sort -u | while read -r path; do
    if ! grep -qF "error: $path:" "$out/syntax.err"; then
      echo "    $path"
    fi
  done
fi

if [ -z "${SKIP_IGNORED_TESTS:-}" ]; then
  echo
  echo "the slow robustness tests (50 MB file):"
  (cd "$here" && cargo test --release --locked --test robustness -- --ignored)
fi
