"""Benchmark (not a test): the old pattern-fragment diagram against the new drawing of the user's system.

    PYTHONPATH=. .venv/bin/python bench/bench_diagram.py [--runs 5] [examples/some.yaml]

Both are measured in this one run, on the same report (default: the 12-service order platform, the system
of issue 10), side by side:

- boxes and arrows: `<g class="node">` and `<g class="edge">` in the SVG that `dot` draws;
- natural size, and the smallest label in CSS px as a reader sees it: at most 1400 px wide on screen, and on
  A4 landscape (277 x 190 mm printable = 1047 x 718 px, scaled to fit both); never enlarged past 100 %;
- dot: median of --runs `dot -Tsvg` runs of the DOT text (the render cache is bypassed);
- rebuild on toggle: median time to build the DOT again with "show discouraged" switched on (what the
  Results page pays when the toggle changes; the render is cached by DOT text on top of this).

Target (from the brief): at most 20 boxes and at least 11 px for the smallest label on screen and on A4.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kafka_advisor import diagram, system_diagram  # noqa: E402 - after the path set-up, as the other benches
from kafka_advisor.engine import evaluate  # noqa: E402
from kafka_advisor.loader import load_answers_doc, load_kb  # noqa: E402
from kafka_advisor.model import Report  # noqa: E402

DEFAULT = ROOT / "examples" / "order-platform-12-services-good-fit.yaml"
A4 = (1047, 718)
SCREEN = 1400
MAX_NODES, MIN_PX = 20, 11.0

Builder = Callable[..., str]


def _ms(start: float) -> float:
    return (time.perf_counter() - start) * 1000


def median_ms(fn: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(_ms(start))
    return statistics.median(times)


def measure_one(build: Builder, report: Report, runs: int) -> dict[str, float | int | str]:
    kb = load_kb(ROOT)
    dot = build(report, kb, show_discouraged=False)
    binary = diagram._dot_binary()
    assert binary is not None, "the Graphviz dot program is needed for this bench"
    svg = diagram._render.__wrapped__(binary, dot, "svg").decode("utf-8")  # uncached, as the timing below
    screen = system_diagram.measure(svg, SCREEN)
    a4 = system_diagram.measure(svg, *A4)
    render = median_ms(lambda: diagram._render.__wrapped__(binary, dot, "svg"), runs)
    toggle = median_ms(lambda: build(report, kb, show_discouraged=True), max(runs, 20))
    return {"nodes": screen.nodes, "edges": screen.edges, "size": f"{screen.width_pt:.0f} x {screen.height_pt:.0f} pt",
            "screen_px": screen.smallest_px, "a4_px": a4.smallest_px, "a4_scale": a4.scale, "dot_ms": render,
            "toggle_ms": toggle, "dot_chars": len(dot)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("answers", nargs="?", type=Path, default=DEFAULT, help="answers file (default: 12 services)")
    parser.add_argument("--runs", type=int, default=5, help="dot runs per diagram (median reported)")
    args = parser.parse_args()
    if not diagram.dot_available():
        print("Graphviz dot is not installed: nothing to measure.")
        return 1
    kb = load_kb(ROOT)
    doc = load_answers_doc(kb, args.answers)
    report = evaluate(kb, doc.answers, inventory=doc.inventory)
    rows = {"old: diagram.report_dot": measure_one(diagram.report_dot, report, args.runs),
            "new: system_diagram.architecture_dot": measure_one(system_diagram.architecture_dot, report, args.runs)}

    shown = args.answers.relative_to(ROOT) if args.answers.is_relative_to(ROOT) else args.answers
    core = [r.pattern for r in report.recommended if r.tier == "core"]
    inv = report.inventory
    what = "no inventory"
    if inv is not None:
        what = ", ".join(f"{n} {word}{'s' * (n != 1)}" for n, word in
                         ((len(inv.services), "service"), (len(inv.events()), "event"), (len(inv.externals), "external system")))
    print(f"Diagrams for `{shown}` ({what}; {len(report.recommended)} recommended patterns, {len(core)} core, "
          f"{len(report.discouraged)} discouraged).")
    print()
    print(f"| diagram | boxes | arrows | natural size | smallest label at {SCREEN} px (px) | smallest label on A4 (px) "
          "| A4 scale | dot -Tsvg median (ms) | rebuild DOT on toggle (ms) | DOT size (chars) | within target |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    for name, r in rows.items():
        ok = r["nodes"] <= MAX_NODES and r["screen_px"] >= MIN_PX and r["a4_px"] >= MIN_PX  # type: ignore[operator]
        print(f"| {name} | {r['nodes']} | {r['edges']} | {r['size']} | {r['screen_px']:.1f} | {r['a4_px']:.1f} "
              f"| {r['a4_scale']:.2f} | {r['dot_ms']:.0f} | {r['toggle_ms']:.2f} | {r['dot_chars']:,} "
              f"| {'yes' if ok else 'no'} |")
    print()
    print(f"Target: at most {MAX_NODES} boxes, smallest label at least {MIN_PX:.0f} px on screen and on A4. Labels are "
          "measured from the SVG's font sizes times the scale the reader sees it at (never above 100 %). "
          f"dot: median of {args.runs} runs, render cache bypassed; toggle: median of {max(args.runs, 20)} rebuilds.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
