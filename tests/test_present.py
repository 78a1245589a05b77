"""The view model: one formatter, one checklist grouping, ranks instead of raw scores."""

from __future__ import annotations

from pathlib import Path

from kafka_advisor import present
from kafka_advisor.engine import evaluate
from kafka_advisor.exports import ExportContext, export
from kafka_advisor.loader import KnowledgeBase, load_answers_file, load_kb

KB = load_kb()
ROOT = Path(__file__).resolve().parents[1]


def _report(name: str):
    title, answers = load_answers_file(KB, ROOT / "examples" / name)
    return title, evaluate(KB, answers)


def test_cards_carry_rank_within_tier_not_a_score() -> None:
    _, r = _report("order-platform-good-fit.yaml")
    vm = present.build(r, KB)
    assert list(vm.tiers) == [t for t in present.TIER_HEADINGS if t in vm.tiers]
    for tier, cards in vm.tiers.items():
        assert [c.rank for c in cards] == list(range(1, len(cards) + 1))
        assert all(c.of == len(cards) and c.tier == tier for c in cards)
        assert not hasattr(cards[0], "score")
    assert [c.id for c in vm.cards] == [x.pattern for x in r.recommended]
    assert vm.verdict.core == [c.name for c in vm.tiers.get("core", [])]


def test_checklist_grouping_is_phase_then_pattern_rank_and_counts_ticks() -> None:
    _, r = _report("order-platform-good-fit.yaml")
    ticked = frozenset(i.id for i in r.checklist[:4])
    vm = present.build(r, KB, ticked)
    assert [g.phase for g in vm.checklist] == [p for p in ("first", "later") if any(i.phase == p for i in r.checklist)]
    grouped = [i.id for g in vm.checklist for _, items in g.patterns for i in items]
    assert sorted(grouped) == sorted(i.id for i in r.checklist)  # every item exactly once
    rank = {x.pattern: n for n, x in enumerate(r.recommended)}
    for g in vm.checklist:
        names = [name for name, _ in g.patterns]
        assert len(names) == len(set(names))
        ranked = [rank[x.pattern] for x in r.recommended if KB.patterns[x.pattern].name in names]
        assert ranked == sorted(ranked)
    assert vm.done == 4 and vm.total == len(r.checklist)
    assert sum(i.done for i in vm.items) == 4


def test_one_answer_formatter_for_every_renderer() -> None:
    title, r = _report("order-platform-good-fit.yaml")
    vm = present.build(r, KB, title=title)
    rows = dict(row for s in vm.answers for row in s.rows)
    multi = next(q for q, v in r.answers.items() if isinstance(v, list) and len(v) > 1)
    text = present.answer_text(KB, multi, r.answers[multi])
    assert rows[present.question_text(KB, multi)] == text and ", " in text
    md = export("md", ExportContext(r, KB, title=title)).decode()
    assert f"| {text} |" in md.replace("\\", "")
    number = next(q for q, v in r.answers.items() if isinstance(v, int) and not isinstance(v, bool) and KB.questions[q].unit)
    assert present.answer_text(KB, number, r.answers[number]).endswith(KB.questions[number].unit or "")


def test_config_formatter_is_shared_by_the_csv_and_markdown() -> None:
    title, r = _report("order-platform-good-fit.yaml")
    item = next(i for i in r.checklist if i.config)
    line = present.config_text(item.config)
    assert "=" in line and ": " in line
    ctx = ExportContext(r, KB, title=title)
    assert f"`{line}`" in export("md", ctx).decode()
    assert line in export("csv", ctx).decode()


def test_notes_are_kept_once_with_their_pattern() -> None:
    _, r = _report("cdc-customer360-good-fit.yaml")
    vm = present.build(r, KB)
    assert [n.text for n in vm.notes] == [" ".join(n.text.split()) for n in r.notes]
    for card in vm.cards:
        assert card.notes == [n.text for n in vm.notes if n.pattern == card.id]


def test_a_poor_fits_proposals_point_at_the_verdicts_alternative(kb: KnowledgeBase) -> None:
    """Said once: every proposal a poor fit warns against would otherwise repeat the verdict's whole
    alternative; the view model points at it, and the report keeps the full text."""
    answers = {"system_kind": "single-app", "service_count": 1, "team_count": 1, "kafka_status": "evaluating",
               "ops_capacity": "nobody", "proposals": ["cqrs", "kafka-connect"]}
    report = evaluate(kb, answers)
    assert report.verdict.level == "poor-fit"
    assert all(j.alternative in report.verdict.system_alternatives for j in report.proposals)
    vm = present.build(report, kb)
    assert [p.alternative for p in vm.proposals] == [present.VERDICTS_ALTERNATIVE] * len(report.proposals)
    good = present.build(evaluate(kb, {"proposals": ["plain-json"], "team_count": 4}), kb)
    assert good.proposals[0].alternative and good.proposals[0].alternative != present.VERDICTS_ALTERNATIVE
