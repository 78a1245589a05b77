"""Benchmark (not a test): time every export format for the largest example scenario.

    .venv/bin/python bench/bench_exports.py [--runs 5] [examples/some.yaml]

"Largest" is the example whose report has the most checklist items. Each format is timed cold
(the render caches emptied, so dot and WeasyPrint really run) and warm (median of --runs calls,
which the app sees when it offers every download button again on a rerun). Wall-clock times,
printed as a markdown table with the targets: PDF under 1 s, every other format under 100 ms.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kafka_advisor import diagram  # noqa: E402 - after the path set-up, so it runs from a checkout
from kafka_advisor.engine import evaluate  # noqa: E402
from kafka_advisor.exports import EXPORTERS, ExportContext, export  # noqa: E402
from kafka_advisor.exports import pdf as pdf_module  # noqa: E402
from kafka_advisor.loader import KnowledgeBase, load_answers_file, load_kb  # noqa: E402

TARGET_MS = {"pdf": 1000.0}
DEFAULT_TARGET_MS = 100.0


def largest_example(kb: KnowledgeBase) -> Path:
    def size(path: Path) -> int:
        _, answers = load_answers_file(kb, path)
        return len(evaluate(kb, answers).checklist)

    return max(sorted((ROOT / "examples").glob("*.yaml")), key=size)


def clear_caches() -> None:
    diagram._render.cache_clear()
    pdf_module.html_to_pdf.cache_clear()


def time_ms(fn: object) -> tuple[float, bytes]:
    start = time.perf_counter()
    out = fn()  # type: ignore[operator]
    return (time.perf_counter() - start) * 1000, out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("answers", nargs="?", type=Path, help="answers file (default: the largest example)")
    parser.add_argument("--runs", type=int, default=5, help="warm runs per format (median reported)")
    args = parser.parse_args()

    kb = load_kb(ROOT)
    path = args.answers or largest_example(kb)
    title, answers = load_answers_file(kb, path)
    report = evaluate(kb, answers, with_what_if=True)
    ctx = ExportContext(report=report, kb=kb, checked=frozenset(i.id for i in report.checklist[::3]), title=title)

    # WeasyPrint's import is paid once per process (the app and the CLI import it on the first PDF).
    import_ms, _ = time_ms(lambda: __import__("weasyprint"))
    export("md", ctx)  # warm the Jinja/markdown-it module state, which is also once per process

    rows = []
    for name in EXPORTERS:
        clear_caches()
        cold, data = time_ms(lambda name=name: export(name, ctx))
        warm = statistics.median(time_ms(lambda name=name: export(name, ctx))[0] for _ in range(args.runs))
        target = TARGET_MS.get(name, DEFAULT_TARGET_MS)
        rows.append((name, len(data), cold, warm, target))

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"Export times for `{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}`: "
          f"{len(report.recommended)} recommended patterns, {len(report.discouraged)} discouraged, "
          f"{len(report.checklist)} checklist items, {len(report.what_if)} what-if rows "
          f"(load average {load:.1f} on {os.cpu_count()} cores; WeasyPrint import {import_ms:.0f} ms, once per process).")
    print()
    print("| format | size | cold (ms) | warm median (ms) | target (ms) | cold within target |")
    print("|---|---:|---:|---:|---:|---|")
    for name, size, cold, warm, target in rows:
        ok = "yes" if cold <= target else "no"
        print(f"| {name} | {size / 1024:,.0f} KiB | {cold:,.0f} | {warm:,.1f} | {target:,.0f} | {ok} |")
    print()
    print("Cold: render caches emptied first (dot and WeasyPrint run). Warm: the same report again, served "
          "from the caches keyed by the DOT text and the HTML. html, pdf and zip include the diagram; zip includes the PDF.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
