#!/usr/bin/env python3
"""Generate a synthetic Python project for pitfall's project phase, and check it.

    bench/synthetic_project.py DIR [--modules 5000] [--cycles 12] [--seed 1] [--body 0]
    bench/synthetic_project.py DIR --check [--pitfall target/release/pitfall]

The project has `--modules` modules in packages of 50 (`synth/p000/m0000.py`, ...).
Every module imports a few modules with a lower number, at module level, so the import
graph has no cycle of its own. Then `--cycles` cycles of 2 to 8 modules are planted
(across packages), each closed by one more import-time import that takes a function
back from the cycle's first module before that module defines it (so importing the
first module really fails), plus as many cycles closed the same way but only inside a
function, which must not be reported. The planted
cycles are written to DIR/expected_cycles.json.

By default each module is about 15 lines: the per-file work is as small as it gets,
and the project phase's share of the run as large. `--body N` adds N ordinary
functions of 15 lines to each module (and two standard-library imports), for modules
closer to real ones (the benchmark corpus averages 343 lines a file: `--body 22`).

`--check` runs pitfall on DIR and verifies that it reports exactly the planted
cycles, each once. To measure the project phase's share of the run time, compare
`pitfall check --no-cache --exit-zero DIR` with `pitfall check --no-cache --exit-zero
--no-project DIR` (a hidden switch: every per-file rule runs, PF602 included, but no
summaries are gathered and there is no project phase), e.g. with hyperfine.
"""

import argparse
import json
import random
import subprocess
import sys
from pathlib import Path

PACKAGE_SIZE = 50


def module_name(index):
    return f"synth.p{index // PACKAGE_SIZE:03d}.m{index:04d}"


def module_path(root, index):
    return root / "synth" / f"p{index // PACKAGE_SIZE:03d}" / f"m{index:04d}.py"


# An ordinary function: loops, a comprehension, an f-string, a `try`; nothing pitfall
# reports.
FILLER = """

def helper_{i}_{k}(items, limit=10):
    \"\"\"Summarise the first items.\"\"\"
    result = {{}}
    for position, item in enumerate(items):
        if position >= limit:
            break
        key = f"{{item}}-{{position}}"
        result[key] = [part.strip() for part in str(item).split(",") if part]
    try:
        return json.dumps(result, sort_keys=True)
    except (TypeError, ValueError):
        return os.linesep.join(sorted(result))
"""


def generate(root, modules, cycles, seed, body=0):
    rng = random.Random(seed)
    # Cycle members import nothing but the next member, so each planted cycle is a
    # component of its own whatever the rest of the graph does.
    members = rng.sample(range(modules), 2 * cycles * 8)
    groups = []
    for _ in range(2 * cycles):
        length = rng.randint(2, 8)
        groups.append(sorted(members[:length]))
        members = members[length:]
    in_cycle = {m for group in groups for m in group}
    # module -> [(target, deferred, takes_a_name)]
    imports = {i: [] for i in range(modules)}
    for i in range(1, modules):
        if i not in in_cycle:
            for target in rng.sample(range(i), min(i, rng.randint(1, 4))):
                imports[i].append((target, False, False))
    planted = []
    for number, group in enumerate(groups):
        deferred = number >= cycles
        for a, b in zip(group, group[1:]):
            imports[a].append((b, False, False))
        imports[group[-1]].append((group[0], deferred, True))
        if not deferred:
            planted.append([module_name(m) for m in group])

    (root / "synth").mkdir(parents=True, exist_ok=True)
    (root / "synth" / "__init__.py").write_text("")
    for package in range((modules + PACKAGE_SIZE - 1) // PACKAGE_SIZE):
        directory = root / "synth" / f"p{package:03d}"
        directory.mkdir(exist_ok=True)
        (directory / "__init__.py").write_text("")
    for i in range(modules):
        lines = ["import json", "import os"] if body else []
        deferred = []
        for target, is_deferred, takes_a_name in imports[i]:
            if takes_a_name:
                statement = f"from {module_name(target)} import value_{target}"
            else:
                statement = f"from {module_name(target).rsplit('.', 1)[0]} import m{target:04d}"
            (deferred if is_deferred else lines).append(statement)
        lines += [
            "",
            "",
            f"def value_{i}(x=None):",
            *[f"    {s}" for s in deferred],
            "    total = 0",
            "    for item in x or []:",
            "        total += item",
            "    return total",
            "",
            "",
            f"class Thing{i}:",
            "    def method(self):",
            f"        return value_{i}([1, 2, 3])",
            "",
        ]
        lines += [FILLER.format(i=i, k=k) for k in range(body)]
        module_path(root, i).write_text("\n".join(lines))
    # A cycle is reported from its first module in name order, which is the planted
    # list's first entry (names sort like their numbers).
    (root / "expected_cycles.json").write_text(json.dumps(planted, indent=1))
    print(f"{modules} modules, {cycles} planted cycles (+{cycles} deferred) in {root}")


def check(root, pitfall):
    expected = json.loads((root / "expected_cycles.json").read_text())
    out = subprocess.run(
        [pitfall, "check", "--exit-zero", "--select", "PF801", "--output-format", "json", "."],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    )
    found = []
    for finding in json.loads(out.stdout):
        chain = finding["message"].split("`")[1].split(" -> ")
        found.append(chain[:-1])
    wanted = sorted(expected)
    got = sorted(found)
    if got != wanted:
        print("MISMATCH", file=sys.stderr)
        print("expected:", wanted, file=sys.stderr)
        print("found:   ", got, file=sys.stderr)
        return 1
    print(f"all {len(wanted)} planted cycles found, each once, and nothing else")
    return 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dir", type=Path)
    parser.add_argument("--modules", type=int, default=5000)
    parser.add_argument("--cycles", type=int, default=12)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--body", type=int, default=0)
    parser.add_argument("--check", action="store_true")
    parser.add_argument("--pitfall", default="target/release/pitfall")
    args = parser.parse_args()
    if args.check:
        return check(args.dir, str(Path(args.pitfall).resolve()))
    generate(args.dir, args.modules, args.cycles, args.seed, args.body)
    return 0


if __name__ == "__main__":
    sys.exit(main())
