#!/usr/bin/env python3
"""Precision check on real code.

Runs pitfall (release build) over the bench corpus, writes per-rule counts for test and
non-test code, and draws a reproducible random sample of non-test findings (fixed seed,
up to N per rule) into a Markdown table with the surrounding lines, for a person to judge.

Verdicts already given are kept: put them in a TSV file (`bench/verdicts.tsv` by default,
columns: key, verdict, reason; key = `path:line:code` relative to the corpus) and the
table shows them, with the precision figure over the judged rows.

    bench/precision.py [--corpus DIR] [--binary PATH] [--out FILE] [--seed N]
"""

import argparse
import collections
import json
import os
import random
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Verdicts: `real` (a live bug), `hazard` (worth fixing), `harmless`, `false` (a false alarm).
GOOD = {"real", "hazard"}


def is_test_path(path):
    """The same test as pitfall's own (src/checker/context.rs, `is_test_path`)."""
    p = Path(path)
    stem = p.name.rsplit(".", 1)[0]
    if stem.startswith("test_") or stem.endswith("_test") or stem in ("conftest", "tests"):
        return True
    return any(part in ("tests", "test", "testing") for part in p.parent.parts)


def run_pitfall(binary, corpus, min_severity):
    # `--no-cache`: the corpus is shared and read-only; a results cache would be written
    # into it.
    cmd = [str(binary), "check", str(corpus), "--output-format", "json", "--exit-zero",
           "--no-cache", "--min-severity", min_severity]
    out = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if out.returncode not in (0, 2):
        sys.exit(f"pitfall failed ({out.returncode}): {out.stderr[:2000]}")
    return json.loads(out.stdout)


def snippet(path, line, context):
    try:
        lines = Path(path).read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return ""
    lo, hi = max(1, line - context), min(len(lines), line + context)
    width = len(str(hi))
    return "\n".join(
        f"{'>' if n == line else ' '}{n:>{width}} {lines[n - 1]}" for n in range(lo, hi + 1)
    )


def load_verdicts(path):
    verdicts = {}
    if path.exists():
        for row in path.read_text(encoding="utf-8").splitlines():
            if not row.strip() or row.startswith("#"):
                continue
            key, verdict, reason = (row.split("\t") + ["", ""])[:3]
            verdicts[key] = (verdict.strip(), reason.strip())
    return verdicts


def cell(text):
    return text.replace("|", "\\|").replace("\n", "<br>")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", default="/work/bench-corpus")
    parser.add_argument("--binary", default=None)
    parser.add_argument("--out", default=str(ROOT / "bench" / "sample.md"))
    parser.add_argument("--counts", default=str(ROOT / "bench" / "counts.md"))
    parser.add_argument("--verdicts", default=str(ROOT / "bench" / "verdicts.tsv"))
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--per-rule", type=int, default=8)
    parser.add_argument("--context", type=int, default=3)
    parser.add_argument("--min-severity", default="warning")
    parser.add_argument("--no-build", action="store_true")
    parser.add_argument("--json", help="reuse this `--output-format json --min-severity info` output")
    args = parser.parse_args()

    target = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
    binary = Path(args.binary) if args.binary else target / "release" / "pitfall"
    if not args.no_build and not args.binary and not args.json:
        subprocess.run(["cargo", "build", "--release"], cwd=ROOT, check=True)
    corpus = Path(args.corpus).resolve()

    if args.json:
        findings = json.loads(Path(args.json).read_text(encoding="utf-8"))
    else:
        findings = run_pitfall(binary, corpus, "info")
    order = ["error", "warning", "info"]
    shown = order[: order.index(args.min_severity) + 1]
    counts = collections.defaultdict(collections.Counter)
    for f in findings:
        rel = os.path.relpath(f["path"], corpus)
        f["rel"] = rel
        f["test"] = is_test_path(rel)
        key = (f["code"], f["rule"])
        counts[key]["test" if f["test"] else "code"] += 1
        counts[key][f"code-{f['severity']}"] += int(not f["test"])
    with open(args.counts, "w", encoding="utf-8") as out:
        out.write("| rule | non-test | test | non-test error | non-test warning | non-test info |\n")
        out.write("|---|---:|---:|---:|---:|---:|\n")
        total = collections.Counter()
        for (code, name), c in sorted(counts.items()):
            total.update(c)
            out.write(f"| {code} {name} | {c['code']} | {c['test']} | {c['code-error']} "
                      f"| {c['code-warning']} | {c['code-info']} |\n")
        out.write(f"| **total** | {total['code']} | {total['test']} | {total['code-error']} "
                  f"| {total['code-warning']} | {total['code-info']} |\n")

    rng = random.Random(args.seed)
    by_rule = collections.defaultdict(list)
    for f in findings:
        if not f["test"] and f["severity"] in shown:
            by_rule[f["code"]].append(f)
    sample = []
    for code in sorted(by_rule):
        pool = sorted(by_rule[code], key=lambda f: (f["rel"], f["line"], f["column"]))
        sample.extend(rng.sample(pool, min(args.per_rule, len(pool))))

    verdicts = load_verdicts(Path(args.verdicts))
    judged = collections.Counter()
    rows = []
    for f in sample:
        key = f"{f['rel']}:{f['line']}:{f['code']}"
        verdict, reason = verdicts.get(key, ("", ""))
        if verdict:
            judged[verdict] += 1
        text = snippet(f["path"], f["line"], args.context)
        rows.append(
            f"| {f['code']} {f['rule']} ({f['severity']}) | `{key}` | "
            f"<pre>{cell(text.replace('<', '&lt;'))}</pre>{cell(f['message'])} | {verdict} | {cell(reason)} |"
        )
    with open(args.out, "w", encoding="utf-8") as out:
        n = sum(judged.values())
        good = sum(judged[v] for v in GOOD)
        out.write(f"Sample: {len(sample)} non-test findings shown at `--min-severity "
                  f"{args.min_severity}` (seed {args.seed}, up to {args.per_rule} per rule).\n\n")
        if n:
            out.write(f"Judged {n}: " + ", ".join(f"{v} {c}" for v, c in sorted(judged.items()))
                      + f". Precision (real + hazard): {good}/{n} = {100 * good / n:.1f}%."
                      # Issue #11 put ruff at 43%: its real and style-only/harmless
                      # findings together, everything but the false alarms.
                      + f" Not a false alarm (real + hazard + harmless): {n - judged['false']}/{n}"
                      + f" = {100 * (n - judged['false']) / n:.1f}%.\n\n")
        out.write("| rule | location | snippet | verdict | reason |\n|---|---|---|---|---|\n")
        out.write("\n".join(rows) + "\n")
    print(f"{len(findings)} findings; sample of {len(sample)} written to {args.out}; "
          f"counts in {args.counts}", file=sys.stderr)


if __name__ == "__main__":
    main()
