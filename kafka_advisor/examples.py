"""Run the examples every rule carries: answers -> expected outcome."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from .engine import evaluate
from .loader import KnowledgeBase
from .model import Example, Rule


@dataclass(frozen=True)
class ExampleResult:
    rule: str
    case: str
    failures: tuple[str, ...]

    @property
    def test_id(self) -> str:
        return f"{self.rule}::{self.case}"

    @property
    def ok(self) -> bool:
        return not self.failures


def check_example(kb: KnowledgeBase, rule: Rule, example: Example) -> ExampleResult:
    report = evaluate(kb, example.answers)
    exp = example.expect
    recommended = set(report.chosen())  # a pattern named inside another counts, as in the benchmark
    discouraged = {d.pattern for d in report.discouraged}
    items = {i.id for i in report.checklist}
    problems: list[str] = []
    fired = rule.id in report.fired
    if fired != exp.fires:
        problems.append(f"expected the rule {'to fire' if exp.fires else 'not to fire'}, but it {'did' if fired else 'did not'}")
    if exp.verdict is not None and report.verdict.level != exp.verdict:
        problems.append(f"expected verdict {exp.verdict}, got {report.verdict.level}")
    problems += [f"expected {p} recommended, got {sorted(recommended)}" for p in exp.recommended if p not in recommended]
    problems += [f"expected {p} not recommended, but it is" for p in exp.not_recommended if p in recommended]
    problems += [f"expected {p} discouraged, got {sorted(discouraged)}" for p in exp.discouraged if p not in discouraged]
    problems += [f"expected {p} not discouraged, but it is" for p in exp.not_discouraged if p in discouraged]
    cautioned = {r.pattern for r in report.recommended if r.caution}
    problems += [f"expected {p} recommended with a caution, got {sorted(cautioned)}" for p in exp.cautioned
                 if p not in cautioned]
    problems += [f"expected checklist item {i}, not in the checklist" for i in exp.checklist if i not in items]
    tiers = {r.pattern: r.tier for r in report.recommended}
    problems += [f"expected {p} in tier {t}, got {tiers.get(p, 'not recommended')}" for p, t in exp.tiers.items()
                 if tiers.get(p) != t]
    judged = {j.proposal: j.judgement for j in report.proposals}
    problems += [f"expected proposal {v} judged {j}, got {judged.get(v, 'no judgement')}" for v, j in exp.judged.items()
                 if judged.get(v) != j]
    return ExampleResult(rule.id, example.name, tuple(problems))


def all_examples(kb: KnowledgeBase) -> Iterator[tuple[Rule, Example]]:
    for rule in kb.rules:
        for example in rule.examples:
            yield rule, example


def run_examples(kb: KnowledgeBase) -> list[ExampleResult]:
    return [check_example(kb, rule, ex) for rule, ex in all_examples(kb)]
