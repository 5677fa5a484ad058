#!/usr/bin/env bash
# Runs pitfall as a real pre-commit hook from this repository: a commit with a pitfall
# must fail, and pass once the file is fixed.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
# pre-commit builds the hook with `cargo install`; share one target directory between
# the two runs and skip fat LTO, which only slows this throwaway build down.
export CARGO_TARGET_DIR="$scratch/target" CARGO_PROFILE_RELEASE_LTO=off CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16
python3 -m venv "$scratch/venv"
"$scratch/venv/bin/pip" install --quiet pre-commit
mkdir "$scratch/project" && cd "$scratch/project"
git init --quiet
git config user.email ci@example.invalid
git config user.name ci
printf 'def add(item, bucket=[]):\n    bucket.append(item)\n    return bucket\n' > app.py
git add app.py
if "$scratch/venv/bin/pre-commit" try-repo "$repo" pitfall --all-files > "$scratch/first.log" 2>&1; then
  cat "$scratch/first.log"; echo "pre-commit hook: expected a failure on app.py"; exit 1
fi
grep -q "PF301" "$scratch/first.log" || { cat "$scratch/first.log"; echo "pre-commit hook: PF301 not reported"; exit 1; }
printf 'def add(item, bucket=None):\n    bucket = [] if bucket is None else bucket\n    bucket.append(item)\n    return bucket\n' > app.py
git add app.py
"$scratch/venv/bin/pre-commit" try-repo "$repo" pitfall --all-files
echo "pre-commit hook check passed"
