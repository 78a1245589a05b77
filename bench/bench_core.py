"""Core benchmark: load + validate, evaluate, what-if, and evaluate on synthetic rule sets.

Run: `.venv/bin/python bench/bench_core.py` (or `make bench`). Prints a markdown table of medians
measured side by side in this one run; ratios compare growth against the 100-rule set.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kafka_advisor.engine import evaluate  # noqa: E402
from kafka_advisor.lint import lint  # noqa: E402
from kafka_advisor.loader import load_answers_file, load_kb  # noqa: E402
from kafka_advisor.whatif import what_if  # noqa: E402


def median_ms(fn: Callable[[], object], repeat: int) -> float:
    fn()  # warm caches (compiled conditions)
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def synthetic_kb(n_rules: int, root: Path) -> Path:
    """A knowledge base with n rules over 40 questions and 20 patterns (rules cycle through them)."""
    for sub in ("questions", "rules", "patterns"):
        (root / sub).mkdir(parents=True)
    qs = ["section: {id: s, title: S, help: H}", "questions:"]
    for i in range(40):
        qs.append(f"  - {{id: q{i}, text: Q{i}, help: H, type: single, options: "
                  "[{value: a, label: A}, {value: b, label: B}, {value: c, label: C}]}")
    (root / "questions" / "01.yaml").write_text("\n".join(qs) + "\n")
    for p in range(20):
        (root / "patterns" / f"p{p}.yaml").write_text(
            f"id: p{p}\nname: P{p}\nsection: '7.1.1'\nsummary: S.\nhelps_when: [h]\nhurts_when: [h]\n"
            "tradeoffs: {pros: [a], cons: [b]}\n"
            f"checklist: [{{id: p{p}-i, text: t, severity: low, refs: ['7.1.1']}}]\n"
            f"diagram: {{nodes: [{{id: n{p}, kind: service, label: L}}]}}\nrefs: ['7.1.1']\n")
    lines: list[str] = []
    for r in range(n_rules):
        q1, q2, p = r % 40, (r * 7 + 3) % 40, r % 20
        effect = (f"recommend: [{{pattern: p{p}, weight: 3}}]" if r % 3
                  else f"discourage: [{{pattern: p{p}, severity: medium, alternative: x}}]")
        lines.append(
            f"  - id: r{r}\n    title: R\n    because: B\n    refs: ['7.1.1']\n"
            f"    when: {{all: [{{question: q{q1}, equals: a}}, {{any: [{{question: q{q2}, in: [b, c]}}, "
            f"{{not: {{question: q{q1}, equals: c}}}}]}}]}}\n"
            f"    then: {{{effect}}}\n"
            "    examples: [{name: y, expect: {fires: true}}, {name: n, expect: {fires: false}}]")
    per_file = 250  # about 60 YAML values a rule: 250 rules stay under the loader's 20,000 values a document
    for start in range(0, n_rules, per_file):
        chunk = lines[start:start + per_file]
        (root / "rules" / f"r{start // per_file:03d}.yaml").write_text("rules:\n" + "\n".join(chunk) + "\n")
    return root


def main() -> None:
    rows: list[tuple[str, float, str, str]] = []
    t0 = time.perf_counter()
    kb = load_kb()
    load_ms = (time.perf_counter() - t0) * 1000
    rows.append(("load shipped knowledge base (cold)", load_ms, "-", "-"))
    rows.append(("load + validate (lints + all rule examples)", median_ms(lambda: lint(load_kb()), 5), "-", "-"))
    largest = max((ROOT / "examples").glob("*.yaml"), key=lambda p: len(load_answers_file(kb, p)[1]))
    _, answers = load_answers_file(kb, largest)
    ev = median_ms(lambda: evaluate(kb, answers), 200)
    rows.append((f"evaluate, shipped KB ({len(kb.rules)} rules), {largest.name}", ev, "< 1 ms", "ok" if ev < 1 else "MISSED"))
    wi = median_ms(lambda: what_if(kb, answers), 20)
    rows.append((f"what-if, shipped KB ({len(what_if(kb, answers))} changes found)", wi, "< 100 ms",
                 "ok" if wi < 100 else "MISSED"))
    base = None
    for n in (100, 1000, 10000):
        with tempfile.TemporaryDirectory() as d:
            skb = load_kb(synthetic_kb(n, Path(d)))
            ans = {f"q{i}": "abc"[i % 3] for i in range(40)}
            ms = median_ms(lambda skb=skb, ans=ans: evaluate(skb, ans), 30 if n < 10000 else 10)
            fired = len(evaluate(skb, ans).fired)
        base = base or ms
        ratio = f"{ms / base:.1f}x of 100 rules (rules x{n // 100})"
        target = "< 50 ms" if n == 10000 else "linear"
        result = ratio if n < 10000 else f"{ratio}; {'ok' if ms < 50 else 'MISSED'}"
        rows.append((f"evaluate, synthetic {n:,} rules ({fired:,} fire, {ms * 1000 / fired:.1f} µs per fired rule)",
                     ms, target, result))
    print("| measurement | median ms | target | result |")
    print("|---|---:|---|---|")
    for name, ms, target, result in rows:
        print(f"| {name} | {ms:.3f} | {target} | {result} |")


if __name__ == "__main__":
    main()
