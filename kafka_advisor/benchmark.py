"""The expert scenario benchmark: scenarios/*.yaml, each a user's description, their answers and an
expert's expectation, scored against what the engine decides.

Definitions (the README shows them too):
- strict hit: the verdict matches, every expected pattern is recommended (any tier), and every
  warning is given (the pattern is discouraged, or the proposal judged "warn");
- recall: expected patterns recommended / expected patterns;
- warn recall: warnings given / warnings expected;
- precision: recommended patterns the expert named / patterns recommended (over all scenarios); a
  proposal the expert endorses names its pattern;
- precision with parts: the same, but a part brought in only because a pattern the expert named
  `requires` it (Kafka Connect under a named CDC connector) does not count against it;
- core and total: mean patterns per scenario in the core tier, and in all tiers.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, StringConstraints, model_validator

from .engine import compiled, evaluate
from .loader import DEFAULT_ROOT, KnowledgeBase, parse_model, validate_answers
from .model import Id, Ref, Report, Strict, VerdictLevel
from .yamlsource import read_file

SCENARIOS = DEFAULT_ROOT / "scenarios"
Tag = Literal["good-fit", "partial-fit", "poor-fit", "proposal", "running"]


class Expected(Strict):
    pattern: Id | None = None
    proposal: Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]*$")] | None = None
    why: str = Field(min_length=3)
    ref: Ref

    @model_validator(mode="after")
    def _one(self) -> Expected:
        if (self.pattern is None) == (self.proposal is None):
            raise ValueError("give exactly one of pattern or proposal")
        return self


class Expectation(Strict):
    verdict: VerdictLevel
    alternative: str | None = None
    recommend: list[Expected] = Field(default=[])
    warn: list[Expected] = Field(default=[])


class Scenario(Strict):
    id: str
    area: Literal["7.1", "7.2", "7.3", "7.4"]
    tags: list[Tag] = Field(min_length=1)
    title: str
    description: str = Field(min_length=20)
    sources: list[str] = Field(min_length=1)
    answers: dict[str, object]
    expect: Expectation


@dataclass
class Score:
    scenario: Scenario
    report: Report
    verdict_ok: bool
    missed: list[str] = field(default_factory=list)  # expected patterns not recommended
    unwarned: list[str] = field(default_factory=list)  # warnings not given
    extra: list[str] = field(default_factory=list)  # recommended, not on the expert's list
    parts: list[str] = field(default_factory=list)  # extras that a named pattern requires as a part
    recommended: int = 0  # patterns recommended: listed, named inside another, or an endorsed proposal's

    @property
    def strict(self) -> bool:
        return self.verdict_ok and not self.missed and not self.unwarned

    @property
    def core(self) -> int:
        return sum(1 for r in self.report.recommended if r.tier == "core")


def load_scenarios(kb: KnowledgeBase, folder: Path = SCENARIOS) -> list[tuple[Scenario, dict]]:
    """Every scenario file, checked: its answers against the questionnaire, its ids against the KB."""
    out = []
    for path in sorted(folder.glob("*.yaml")):
        located = read_file(path)
        scenario, errors = parse_model(located, Scenario)
        if errors:
            raise errors[0]
        answers = validate_answers(kb, scenario.answers, source=located)
        if scenario.id != path.stem:
            raise located.error(("id",), f"id {scenario.id!r} differs from the file name, expected {path.stem!r}")
        proposals = kb.proposals_question()
        proposed = answers.get(proposals.id, []) if proposals else []
        for fld in ("recommend", "warn"):
            for i, e in enumerate(getattr(scenario.expect, fld)):
                if e.pattern is not None and e.pattern not in kb.patterns:
                    raise located.error(("expect", fld, i, "pattern"), f"unknown pattern id {e.pattern!r}, expected "
                                        "a file name in patterns/")
                if e.proposal is not None and e.proposal not in proposed:
                    raise located.error(("expect", fld, i, "proposal"), f"proposal {e.proposal!r} is not among "
                                        "this scenario's proposals answers, expected one the user proposed")
        out.append((scenario, answers))
    return out


def score_one(kb: KnowledgeBase, scenario: Scenario, answers: dict) -> Score:
    report = evaluate(kb, answers)
    discouraged = {d.pattern for d in report.discouraged}
    judged = {j.proposal: j.judgement for j in report.proposals}
    proposes = compiled(kb).patterns.proposal_pattern
    # A pattern named inside another (`includes`: the idempotent producer inside transactions) is
    # recommended as much as a listed one, and so is the pattern of a proposal the advisor endorses
    # (a mesh already practised, kept): for recall and for precision alike.
    recommended = (set(report.chosen())
                   | {proposes[v] for v, j in judged.items() if j in ("endorse", "conditions") and v in proposes})
    exp = scenario.expect
    expected = {e.pattern for e in exp.recommend if e.pattern}
    # An endorsed proposal names its pattern too: the expert who confirms "an outbox" recommends it.
    named = expected | {proposes[e.proposal] for e in exp.recommend if e.proposal in proposes}
    s = Score(scenario, report, report.verdict.level == exp.verdict, recommended=len(recommended))
    s.missed = sorted(expected - recommended)
    for e in exp.recommend:
        if e.proposal and judged.get(e.proposal) not in ("endorse", "conditions"):
            s.missed.append(f"proposal:{e.proposal}")
    for e in exp.warn:
        if e.pattern and e.pattern not in discouraged:
            s.unwarned.append(e.pattern)
        if e.proposal and judged.get(e.proposal) != "warn":
            s.unwarned.append(f"proposal:{e.proposal}")
    s.extra = sorted(recommended - named)
    needed_by = {r.pattern: set(r.required_by) for r in report.recommended}
    s.parts = [p for p in s.extra if needed_by.get(p, set()) & named]
    return s


# Batches written blind to the engine and its rules, each scored once before any rule change looked at it.
BLIND_BATCHES: tuple[str, ...] = ("x-", "y-", "z-", "v-", "u-", "t-", "s-", "r-", "q-",
                                   "pa-", "pb-", "pc-", "oa-", "ob-", "na-", "nb-", "ma-", "mb-", "la-", "lb-",
                                   "ka-", "kb-", "ja-", "jb-", "ia-", "ib-",
                                   "ha-", "hb-", "ga-", "gb-", "fa-", "fb-", "ea-", "eb-", "da-", "db-",
                                   "ca-", "cb-", "ba-", "bb-", "aa-", "ab-")


def held_out(scenario_id: str) -> bool:
    """The later batches: about a quarter of the first 44, chosen by a hash of the id, and every scenario of
    a blind batch (`BLIND_BATCHES`). Since every scenario was re-answered completely, rules have been tuned
    with all of them in view, so only each batch's first run (in the README) is unseen; the split still
    shows whether the earlier tuning set is flattered."""
    return scenario_id.startswith(BLIND_BATCHES) or hashlib.sha256(scenario_id.encode()).digest()[0] % 4 == 0


@dataclass(frozen=True)
class Totals:
    scenarios: int
    strict: int
    recall: float
    warn_recall: float
    precision: float
    precision_parts: float
    mean_core: float
    mean_total: float
    max_core: int
    verdicts: int


def totals(scores: list[Score]) -> Totals:
    n = len(scores) or 1
    expected = sum(len(s.scenario.expect.recommend) for s in scores)
    warns = sum(len(s.scenario.expect.warn) for s in scores)
    recommended = sum(s.recommended for s in scores)
    return Totals(
        scenarios=len(scores),
        strict=sum(s.strict for s in scores),
        recall=(expected - sum(len(s.missed) for s in scores)) / expected if expected else 1.0,
        warn_recall=(warns - sum(len(s.unwarned) for s in scores)) / warns if warns else 1.0,
        precision=(recommended - sum(len(s.extra) for s in scores)) / recommended if recommended else 1.0,
        precision_parts=(recommended - sum(len(s.extra) - len(s.parts) for s in scores)) / recommended
        if recommended else 1.0,
        mean_core=sum(s.core for s in scores) / n,
        mean_total=recommended / n,
        max_core=max((s.core for s in scores), default=0),
        verdicts=sum(s.verdict_ok for s in scores),
    )


def score_all(kb: KnowledgeBase, folder: Path = SCENARIOS) -> list[Score]:
    return [score_one(kb, sc, answers) for sc, answers in load_scenarios(kb, folder)]


def table(t: Totals) -> str:
    rows = [
        ("scenarios", f"{t.scenarios}", "≥ 40"),
        ("strict hits", f"{t.strict} ({t.strict / max(t.scenarios, 1):.0%})", "≥ 95%"),
        ("verdict matches", f"{t.verdicts} ({t.verdicts / max(t.scenarios, 1):.0%})", ""),
        ("recall", f"{t.recall:.0%}", "≥ 95%"),
        ("warn recall", f"{t.warn_recall:.0%}", "≥ 95%"),
        ("precision", f"{t.precision:.0%}", "≥ 80%"),
        ("precision, parts of named patterns not counted against it", f"{t.precision_parts:.0%}", ""),
        ("core patterns per scenario, mean (max)", f"{t.mean_core:.1f} ({t.max_core})", "≤ 6"),
        ("patterns per scenario, all tiers", f"{t.mean_total:.1f}", ""),
    ]
    return "\n".join(["| measure | value | target |", "|---|---:|---|", *(f"| {a} | {b} | {c} |" for a, b, c in rows)])


def misses(scores: list[Score]) -> list[str]:
    lines = []
    for s in scores:
        if s.strict and not s.extra:
            continue
        parts = []
        if not s.verdict_ok:
            parts.append(f"verdict {s.report.verdict.level}, expected {s.scenario.expect.verdict}")
        if s.missed:
            parts.append(f"missed {', '.join(s.missed)}")
        if s.unwarned:
            parts.append(f"no warning on {', '.join(s.unwarned)}")
        if s.extra:
            parts.append(f"extra {', '.join(s.extra)}")
        lines.append(f"{'FAIL' if not s.strict else 'ok  '} {s.scenario.id}: {'; '.join(parts)}")
    return lines


__all__ = ["Scenario", "Score", "Totals", "load_scenarios", "misses", "score_all", "score_one",
           "table", "totals"]
