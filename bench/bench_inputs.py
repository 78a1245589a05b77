"""Hostile-input benchmark: every corpus case through the reader and the answers loader.

Run: `.venv/bin/python bench/bench_inputs.py`. Each case of tests/bad_inputs/ is parsed in this
process (median of 3 runs) with its Python allocations traced, side by side with the largest
shipped answers example, and printed as a markdown table: the budget is 1 s and 200 MB a case.
"""

from __future__ import annotations

import contextlib
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from test_bad_inputs import _answer_bytes, _answer_cases  # noqa: E402

from kafka_advisor.loader import load_kb, parse_answers  # noqa: E402
from kafka_advisor.yamlsource import AdvisorError, parse_bytes  # noqa: E402

BUDGET_S, BUDGET_MB = 1.0, 200


def measure(kb: object, raw: bytes) -> tuple[float, float]:
    """Median seconds of 3 runs, and peak MB of allocations of one traced run."""
    times = []
    for _ in range(3):
        start = time.perf_counter()
        with contextlib.suppress(AdvisorError):
            parse_answers(kb, parse_bytes(raw, "case.yaml"))  # type: ignore[arg-type]
        times.append(time.perf_counter() - start)
    tracemalloc.start()
    with contextlib.suppress(AdvisorError):
        parse_answers(kb, parse_bytes(raw, "case.yaml"))  # type: ignore[arg-type]
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return statistics.median(times), peak


def main() -> None:
    kb = load_kb(ROOT)
    baseline_raw = max((p.read_bytes() for p in (ROOT / "examples").glob("*.yaml")), key=len)
    base_s, base_mb = measure(kb, baseline_raw)
    rows = [(name, len(_answer_bytes(name)), *measure(kb, _answer_bytes(name))) for name in _answer_cases()]
    rows.sort(key=lambda r: -r[2])
    over = [r for r in rows if r[2] > BUDGET_S or r[3] > BUDGET_MB]
    print(f"Hostile inputs: {len(rows)} corpus cases; baseline is the largest example "
          f"({len(baseline_raw):,} bytes, {base_s * 1000:.2f} ms, {base_mb:.1f} MB).\n")
    print("| case | bytes | median ms | x baseline | peak MB | within 1 s / 200 MB |")
    print("|---|---:|---:|---:|---:|---|")
    for name, size, secs, mb in rows[:8]:
        ok = "yes" if secs <= BUDGET_S and mb <= BUDGET_MB else "NO"
        print(f"| {name} | {size:,} | {secs * 1000:.1f} | {secs / base_s:.0f} | {mb:.1f} | {ok} |")
    print(f"\nSlowest 8 of {len(rows)} shown; cases over budget: {len(over)}.")


if __name__ == "__main__":
    main()
