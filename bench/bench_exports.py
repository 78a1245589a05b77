"""Benchmark (not a test): time every export format for the largest example scenario.

    .venv/bin/python bench/bench_exports.py [--runs 5] [examples/some.yaml]  (default: the 12-service example)

"Largest" is the example whose report has the most checklist items. Each format is measured in a fresh
Python process, so no earlier format warms anything for it:

- import: importing WeasyPrint in that process (PDF and ZIP only; paid once per process, reported apart);
- first render: the first export in that process, after the imports and after the report is built: font
  loading, cffi set-up and the first `dot` run all count here, nothing is cached;
- warm: median of --runs further exports with the render caches emptied first (dot and WeasyPrint run
  again; only per-process state such as loaded fonts is reused); the CPU column is this process's CPU
  time for the same runs, which the machine's load inflates less than wall-clock time;
- cached: one more export with the caches left in place, which the app sees when it offers every download
  button again on a rerun.

Targets (from the issue): PDF under 1 s, every other format under 100 ms. The table says whether the first
render and the warm median meet them. A second table splits the PNG time between dot's layout and its
drawing and compression.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGET_MS = {"pdf": 1000.0}
TWELVE = ROOT / "examples" / "order-platform-12-services-good-fit.yaml"
DEFAULT_TARGET_MS = 100.0
NEEDS_WEASYPRINT = {"pdf", "zip"}


def _ms(start: float) -> float:
    return (time.perf_counter() - start) * 1000


def child(fmt: str, path: Path, runs: int) -> dict[str, Any]:
    """Runs in the fresh process: import, build the report, then time the exports of one format."""
    from kafka_advisor import diagram
    from kafka_advisor.engine import evaluate
    from kafka_advisor.exports import ExportContext, export
    from kafka_advisor.exports import pdf as pdf_module
    from kafka_advisor.loader import load_answers_doc, load_kb

    kb = load_kb(ROOT)
    doc = load_answers_doc(kb, path)
    title = doc.title
    report = evaluate(kb, doc.answers, with_what_if=True, inventory=doc.inventory)
    ctx = ExportContext(report=report, kb=kb, checked=frozenset(i.id for i in report.checklist[::3]), title=title)
    import_ms = 0.0
    if fmt in NEEDS_WEASYPRINT:
        start = time.perf_counter()
        import weasyprint  # noqa: F401 - timed on purpose

        import_ms = _ms(start)

    def clear() -> None:
        diagram._render.cache_clear()
        pdf_module.html_to_pdf.cache_clear()

    start = time.perf_counter()
    data = export(fmt, ctx)
    first = _ms(start)
    warm, cpu = [], []
    for _ in range(runs):
        clear()
        start, cpu_start = time.perf_counter(), time.process_time()
        export(fmt, ctx)
        warm.append(_ms(start))
        cpu.append((time.process_time() - cpu_start) * 1000)
    start = time.perf_counter()
    export(fmt, ctx)
    cached = _ms(start)
    out: dict[str, Any] = {"size": len(data), "import": import_ms, "first": first, "warm": statistics.median(warm),
                           "cpu": statistics.median(cpu), "cached": cached}
    if fmt == "pdf":
        out["pages"] = pdf_pages(data)
    if fmt == "png":
        out["png_px"] = list(int.from_bytes(data[i:i + 4], "big") for i in (16, 20))
    return out


def pdf_pages(data: bytes) -> int | str:
    """Page count through poppler's pdfinfo (installed with pdftotext); "?" without it."""
    try:
        info = subprocess.run(["pdfinfo", "-"], input=data, capture_output=True, text=False, check=True).stdout.decode()
    except (OSError, subprocess.CalledProcessError):
        return "?"
    return next((int(line.split()[-1]) for line in info.splitlines() if line.startswith("Pages:")), "?")


def dot_split(path: Path, runs: int) -> dict[str, float]:
    """Where PNG time goes: `dot` layout alone (-Tsvg, same layout) against layout + drawing + PNG compression."""
    from kafka_advisor.diagram import PNG_OPTIONS
    from kafka_advisor.engine import evaluate
    from kafka_advisor.loader import load_answers_doc, load_kb
    from kafka_advisor.system_diagram import architecture_dot

    kb = load_kb(ROOT)
    doc = load_answers_doc(kb, path)
    dot = architecture_dot(evaluate(kb, doc.answers, inventory=doc.inventory), kb).encode()
    out = {}
    for name, args in (("layout (-Tsvg)", ["-Tsvg"]), ("layout + PNG", ["-Tpng", *PNG_OPTIONS])):
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            subprocess.run(["dot", *args], input=dot, capture_output=True, check=True)
            times.append(_ms(start))
        out[name] = statistics.median(times)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("answers", nargs="?", type=Path, help="answers file (default: the largest example)")
    parser.add_argument("--runs", type=int, default=5, help="warm runs per format (median reported)")
    parser.add_argument("--child", metavar="FORMAT", help=argparse.SUPPRESS)
    args = parser.parse_args()
    path = args.answers or TWELVE  # issue 10's system: 12 services with an inventory
    if args.child:
        print(json.dumps(child(args.child, path, args.runs)))
        return 0

    from kafka_advisor.engine import evaluate
    from kafka_advisor.exports import EXPORTERS
    from kafka_advisor.loader import load_answers_doc, load_kb

    kb = load_kb(ROOT)
    doc = load_answers_doc(kb, path)
    report = evaluate(kb, doc.answers, with_what_if=True, inventory=doc.inventory)
    rows = {}
    for fmt in EXPORTERS:
        done = subprocess.run([sys.executable, __file__, "--child", fmt, "--runs", str(args.runs), str(path)],
                              capture_output=True, text=True, check=True)
        rows[fmt] = json.loads(done.stdout.strip().splitlines()[-1])

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
    pdf = rows.get("pdf", {})
    print(f"Export times for `{shown}`: {len(report.recommended)} recommended patterns, {len(report.discouraged)} "
          f"discouraged, {len(report.checklist)} checklist items, {len(report.what_if)} what-if rows; the PDF has "
          f"{pdf.get('pages', '?')} pages (load average {load:.1f} on {os.cpu_count()} cores).")
    print()
    print("| format | size | import (ms) | first render, fresh process (ms) | warm median (ms) | warm CPU (ms) "
          "| cached (ms) | target (ms) | first within target | warm within target |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---|---|")
    for fmt, row in rows.items():
        target = TARGET_MS.get(fmt, DEFAULT_TARGET_MS)
        imported = f"{row['import']:,.0f}" if fmt in NEEDS_WEASYPRINT else "–"
        print(f"| {fmt} | {row['size'] / 1024:,.0f} KiB | {imported} | {row['first']:,.0f} | {row['warm']:,.1f} "
              f"| {row['cpu']:,.1f} | {row['cached']:,.1f} | {target:,.0f} | {'yes' if row['first'] <= target else 'no'} "
              f"| {'yes' if row['warm'] <= target else 'no'} |")
    split = dot_split(path, args.runs)
    png = rows.get("png", {}).get("png_px", ["?", "?"])
    print()
    print(f"PNG ({png[0]} x {png[1]} px): where dot spends its time (median of {args.runs} runs of the `dot` binary).")
    print()
    print("| dot step | ms |")
    print("|---|---:|")
    for name, ms in split.items():
        print(f"| {name} | {ms:,.0f} |")
    print(f"| drawing + PNG compression (difference) | {split['layout + PNG'] - split['layout (-Tsvg)']:,.0f} |")
    print()
    print("First render: the first export in a fresh process, after the imports (WeasyPrint's import is the separate "
          "column). Warm: caches emptied, so dot and WeasyPrint really run. Cached: served from the caches keyed by "
          "the DOT text and the print HTML. html, pdf and zip include the diagram; zip includes the PDF and the PNG.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
