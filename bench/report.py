"""Turns bench/run.sh's hyperfine results into a Markdown table and an SVG bar chart.

Usage: report.py OUT_DIR SAMPLE_LINES TOTAL_LINES PITFALL_VERSION RUFF_VERSION
                 PYLINT_VERSION SVG_PATH
Only the standard library: the chart is a handful of SVG rectangles.
"""

import json
import sys
from pathlib import Path


def load(out, name):
    path = out / f"{name}.json"
    if not path.exists():
        return None
    result = json.loads(path.read_text())["results"][0]
    # The median resists the outliers a shared machine produces; σ still shows them.
    return result["median"], result["stddev"] or 0.0, result["user"], result["system"]


def main():
    out = Path(sys.argv[1])
    sample_lines, total_lines = int(sys.argv[2]), int(sys.argv[3])
    versions = sys.argv[4:7]
    svg_path = Path(sys.argv[7])
    rss = dict(line.split() for line in (out / "rss.txt").read_text().splitlines() if line.strip())

    rows = [
        ("pitfall, all rules, no cache", "pitfall-cold", 1.0),
        ("pitfall, --threads 1", "pitfall-1-thread", 1.0),
        ("pitfall, warm cache", "pitfall-warm", 1.0),
        ("pitfall --parse-only (floor)", "parse-only", 1.0),
        ("ruff, same pitfalls, no cache", "ruff", 1.0),
        (f"pylint, same pitfalls (200 files x{total_lines / sample_lines:.1f})",
         "pylint-sample", total_lines / sample_lines),
    ]
    measured = []
    print("| run | wall, median ± σ (s) | user (s) | sys (s) | peak RSS (MiB) |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for label, name, scale in rows:
        result = load(out, name)
        if result is None:
            continue
        mean, stddev, user, system = (value * scale for value in result)
        memory = rss.get(name)
        memory = f"{int(memory) / 1024:.0f}" if memory else ""
        print(f"| {label} | {mean:.3f} ± {stddev:.3f} | {user:.2f} | {system:.2f} | {memory} |")
        measured.append((label, mean))
    stdin = load(out, "pitfall-stdin")
    if stdin:
        print(f"\nEditor path (2,000-line file on stdin): {stdin[0] * 1000:.1f} ms ± {stdin[1] * 1000:.1f} ms")
    cold, one, warm, floor = (load(out, n) for n in ("pitfall-cold", "pitfall-1-thread", "pitfall-warm", "parse-only"))
    ruff = load(out, "ruff")
    if cold and ruff:
        print(f"pitfall / ruff wall: {cold[0] / ruff[0]:.2f}x")
    if cold and floor:
        print(f"pitfall CPU / parse-only CPU: {(cold[2] + cold[3]) / (floor[2] + floor[3]):.2f}x")
    if cold and one:
        print(f"2 threads vs 1: {one[0] / cold[0]:.2f}x faster")
    if cold and warm:
        print(f"warm / cold: {warm[0] / cold[0] * 100:.0f}%")
    print("\nVersions: " + "; ".join(versions))
    svg_path.write_text(chart(measured))
    print(f"Chart: {svg_path}")


def chart(measured):
    """Horizontal bars, one per run, on a log scale so pylint fits beside the rest."""
    import math

    width, bar, gap, left, right = 760, 26, 12, 290, 90
    height = 50 + len(measured) * (bar + gap)
    top = max(seconds for _, seconds in measured)
    low = min(seconds for _, seconds in measured) / 2
    span = math.log10(top) - math.log10(low)

    def x(seconds):
        return (math.log10(seconds) - math.log10(low)) / span * (width - left - right)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'font-family="sans-serif" font-size="13">',
        f'<rect width="{width}" height="{height}" fill="white"/>',
        f'<text x="{left}" y="22" font-weight="bold">Wall time on the corpus (s, log scale; lower is better)</text>',
    ]
    for index, (label, seconds) in enumerate(measured):
        y = 40 + index * (bar + gap)
        colour = "#d9534f" if label.startswith("pitfall") else "#7a8a99"
        parts.append(f'<text x="{left - 8}" y="{y + bar * 0.68}" text-anchor="end">{label}</text>')
        parts.append(f'<rect x="{left}" y="{y}" width="{max(x(seconds), 2):.1f}" height="{bar}" fill="{colour}"/>')
        parts.append(f'<text x="{left + x(seconds) + 6:.1f}" y="{y + bar * 0.68}">{seconds:.2f} s</text>')
    parts.append("</svg>\n")
    return "\n".join(parts)


if __name__ == "__main__":
    main()
