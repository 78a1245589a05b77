"""Conditions, effects, scoring, verdict and explanations on a tiny knowledge base."""

from __future__ import annotations

from pathlib import Path

import pytest
from minikb import write_minikb

from kafka_advisor.engine import compile_condition, effective_answers, evaluate, explain, holds, visible_questions
from kafka_advisor.loader import KnowledgeBase, load_answers_doc, load_kb
from kafka_advisor.model import Condition


@pytest.fixture(scope="module")
def mini(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeBase:
    return load_kb(write_minikb(tmp_path_factory.mktemp("mini")))


def cond(data: dict) -> Condition:
    return Condition.model_validate(data)


CASES = [
    ({"question": "a", "equals": "x"}, {"a": "x"}, True),
    ({"question": "a", "equals": "x"}, {"a": "y"}, False),
    ({"question": "a", "equals": "x"}, {}, False),
    ({"question": "a", "not_equals": "x"}, {"a": "y"}, True),
    ({"question": "a", "not_equals": "x"}, {}, False),  # unanswered never satisfies a comparison
    ({"question": "a", "in": ["x", "y"]}, {"a": "y"}, True),
    ({"question": "a", "in": ["x", "y"]}, {"a": "z"}, False),
    ({"question": "m", "contains": "r"}, {"m": ["r", "s"]}, True),
    ({"question": "m", "contains": "r"}, {"m": ["s"]}, False),
    ({"question": "m", "contains_any": ["r", "t"]}, {"m": ["t"]}, True),
    ({"question": "m", "contains_any": ["r", "t"]}, {"m": []}, False),
    ({"question": "n", "gt": 3}, {"n": 4}, True),
    ({"question": "n", "gt": 3}, {"n": 3}, False),
    ({"question": "n", "gte": 3}, {"n": 3}, True),
    ({"question": "n", "lt": 3}, {"n": 3}, False),
    ({"question": "n", "lte": 3}, {"n": 3}, True),
    ({"question": "n", "answered": True}, {"n": 0}, True),
    ({"question": "n", "answered": False}, {}, True),
    ({"question": "n", "answered": False}, {"n": 1}, False),
    ({"question": "b", "equals": True}, {"b": False}, False),
    ({"all": [{"question": "a", "equals": "x"}, {"question": "n", "gt": 1}]}, {"a": "x", "n": 2}, True),
    ({"all": [{"question": "a", "equals": "x"}, {"question": "n", "gt": 1}]}, {"a": "x", "n": 0}, False),
    ({"any": [{"question": "a", "equals": "x"}, {"question": "n", "gt": 1}]}, {"n": 2}, True),
    ({"any": [{"question": "a", "equals": "x"}, {"question": "n", "gt": 1}]}, {"n": 0}, False),
    ({"not": {"question": "a", "equals": "x"}}, {}, True),
    ({"not": {"question": "a", "equals": "x"}}, {"a": "x"}, False),
]


@pytest.mark.parametrize(("data", "answers", "expected"), CASES)
def test_condition_semantics(data: dict, answers: dict, expected: bool) -> None:
    c = cond(data)
    assert holds(c, answers) is expected
    assert compile_condition(c)(answers) is expected  # compiled and interpreted agree
    assert explain(c, answers)[0] is expected


def test_explain_names_only_the_answers_that_made_it_true() -> None:
    c = cond({"any": [{"question": "a", "equals": "x"}, {"question": "n", "gt": 1}]})
    assert explain(c, {"a": "x", "n": 0}) == (True, {"a": "x"})
    c = cond({"all": [{"question": "a", "equals": "x"}, {"not": {"question": "n", "gt": 1}}]})
    assert explain(c, {"a": "x", "n": 0}) == (True, {"a": "x", "n": 0})


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "empty condition"),
        ({"question": "a"}, "exactly one operator"),
        ({"question": "a", "equals": 1, "gt": 2}, "exactly one operator"),
        ({"all": [], }, "empty 'all' list"),
        ({"all": [{"question": "a", "equals": 1}], "question": "a", "equals": 1}, "mix of a group"),
        ({"all": [{"question": "a", "equals": 1}], "any": [{"question": "a", "equals": 1}]}, "several groups"),
    ],
)
def test_malformed_conditions_are_rejected(data: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        cond(data)


def test_show_if_hides_questions_and_drops_their_stale_answers(mini: KnowledgeBase) -> None:
    assert "latency_ms" not in visible_questions(mini, {"style": "events"})
    assert "latency_ms" in visible_questions(mini, {"style": "queries"})
    # latency_ms was answered on the "queries" path, then the user switched to events.
    assert effective_answers(mini, {"style": "events", "latency_ms": 50}) == {"style": "events"}
    report = evaluate(mini, {"style": "events", "latency_ms": 50})
    assert "tight-latency" not in report.fired


def test_scores_add_up_and_rank(mini: KnowledgeBase) -> None:
    report = evaluate(mini, {"style": "events", "needs": ["replay"]})
    assert [(r.pattern, r.score) for r in report.recommended] == [("alpha", 8), ("beta", 4)]
    alpha = report.recommended[0]
    assert [r.rule for r in alpha.reasons] == ["events-fit", "replay-fit"]
    assert alpha.reasons[1].answers == {"needs": ["replay"]}
    assert report.verdict.level == "good-fit"
    assert [n.text for n in report.notes] == ["Keep retention long enough."]


def test_poor_fit_verdict_names_the_alternative(mini: KnowledgeBase) -> None:
    report = evaluate(mini, {"style": "queries", "latency_ms": 20})
    assert report.verdict.level == "poor-fit"
    assert report.verdict.alternatives == ["A synchronous API"]
    assert report.verdict.system_alternatives == ["A synchronous API"]  # instead of Kafka altogether
    assert report.verdict.alternative_groups() == [("Instead of Kafka", ["A synchronous API"])]
    # A caveat's alternative is the condition Kafka is adopted on, not a replacement for it.
    caveat = report.verdict.model_copy(update={"level": "fit-with-caveats"})
    assert caveat.alternative_groups() == [("Adopt Kafka only with", ["A synchronous API"])]
    # Gamma was neither recommended nor proposed: its alternative stays with the pattern, not the verdict.
    assert report.verdict.part_alternatives == []
    assert report.verdict.reasons[0].rule == "tight-latency"
    assert report.discouraged[0].pattern == "gamma" and report.discouraged[0].severity == "high"


def test_medium_discouragement_stays_with_its_pattern(mini: KnowledgeBase) -> None:
    report = evaluate(mini, {"style": "events", "needs": ["audit"], "durable": True})
    # The verdict is about Kafka: a caveat on one recommended pattern does not cap it.
    assert report.verdict.level == "good-fit"
    assert {r.pattern for r in report.recommended} == {"alpha", "beta"}
    # Recommended and discouraged at once would contradict itself: the warning becomes beta's caution.
    assert report.discouraged == []
    beta = next(r for r in report.recommended if r.pattern == "beta")
    assert (beta.caution, beta.caution_severity) == ("Something else.", "medium")
    assert [x.rule for x in beta.caution_reasons] == ["durable-baseline"], "the caution names its rule"
    assert "Beta (medium)" in report.verdict.summary, "the summary still says to apply it with care"


def test_no_answers_means_caveats_and_everything_unanswered(mini: KnowledgeBase) -> None:
    report = evaluate(mini, {})
    assert report.verdict.level == "fit-with-caveats"
    assert report.recommended == []
    assert report.unanswered == ["style", "needs", "durable", "name"]  # latency_ms is hidden


def test_checklist_merges_dedupes_and_orders_by_severity_then_rank(mini: KnowledgeBase) -> None:
    report = evaluate(mini, {"style": "events", "needs": ["replay"], "durable": True})
    ids = [i.id for i in report.checklist]
    assert ids == ["alpha-high", "beta-high", "gamma-high", "alpha-low", "beta-low"]
    assert len(ids) == len(set(ids))
    assert report.checklist[0].config == {"producer": {"acks": "all"}}


def test_evaluate_is_deterministic(mini: KnowledgeBase) -> None:
    answers = {"style": "queries", "latency_ms": 20, "needs": ["audit", "replay"], "durable": True}
    first = evaluate(mini, answers, with_what_if=True).to_json()
    assert all(evaluate(mini, answers, with_what_if=True).to_json() == first for _ in range(3))


def test_json_shape_is_stable(mini: KnowledgeBase) -> None:
    doc = evaluate(mini, {"style": "events"}, with_what_if=True).to_json()
    assert {"verdict", "recommended", "discouraged", "checklist", "notes", "unanswered", "what_if"} <= set(doc)
    assert set(doc["verdict"]) >= {"level", "summary", "alternatives"}
    assert set(doc["recommended"][0]) >= {"pattern", "score", "reasons"}
    assert set(doc["recommended"][0]["reasons"][0]) >= {"rule", "because", "answers"}
    assert set(doc["checklist"][0]) >= {"id", "pattern", "text", "severity", "config", "refs"}
    assert set(doc["what_if"][0]) >= {"question", "from", "to", "effect"}


def test_what_if_finds_single_changes_that_matter(mini: KnowledgeBase) -> None:
    report = evaluate(mini, {"style": "queries", "latency_ms": 50}, with_what_if=True)
    by_change = {(w.question, str(w.to)): w for w in report.what_if}
    # Switching to events removes the poor fit and recommends alpha.
    switch = by_change[("style", "events")]
    assert switch.verdict == "good-fit"
    assert "alpha" in switch.added and "gamma" in switch.removed
    # Thresholds are probed on both sides: 100 ms is no longer "lt 100".
    assert ("latency_ms", "100") in by_change
    assert by_change[("latency_ms", "100")].verdict == "fit-with-caveats"
    assert ("latency_ms", "99") not in by_change  # still poor fit: no change, so not listed
    # Verdict changes are listed first.
    assert report.what_if[0].verdict is not None
    # A poor fit recommends nothing: a need that only recommends patterns discourages them instead,
    # as the Kafka design those answers point to.
    replay = by_change[("needs", "['replay']")]
    assert replay.verdict is None and replay.recommends == [] and replay.discourages
    # Multi-select answers are explored by toggling each option.
    fits = evaluate(mini, {"style": "events"}, with_what_if=True)
    assert ("needs", "['replay']") in {(w.question, str(w.to)) for w in fits.what_if}


def test_a_change_to_poor_fit_says_once_what_it_drops() -> None:
    """Turned poor, the design the answers pointed to is discouraged (the data keeps it); the prose says
    "no longer recommends" once instead of naming the same patterns again as "discourages"."""
    kb = load_kb()
    doc = load_answers_doc(kb, Path(__file__).resolve().parent.parent / "examples" / "order-platform-12-services-good-fit.yaml")
    report = evaluate(kb, doc.answers, inventory=doc.inventory, with_what_if=True)
    core = {r.pattern for r in report.recommended}
    turned = [w for w in report.what_if if w.verdict == "poor-fit" and set(w.discourages) & core]
    assert turned
    for w in turned:
        dropped = [kb.patterns[p].name for p in sorted(set(w.discourages) & core)]
        discourages = next((part for part in w.effect.split("; ") if part.startswith("discourages ")), "")
        assert all(name not in discourages for name in dropped), w.effect
        assert all(name in w.effect for name in dropped)  # named once, under "no longer recommends"


def test_what_if_lists_nothing_when_no_single_change_matters(tmp_path: Path) -> None:
    kb = load_kb(write_minikb(tmp_path))
    report = evaluate(kb, {"style": "events", "needs": ["replay", "audit", "fanout"], "durable": False}, with_what_if=True)
    assert all(w.effect for w in report.what_if)
    assert all(w.question != "name" for w in report.what_if)  # text answers never change decisions


def test_connect_questions_wait_for_a_flow_in_or_out() -> None:
    kb = load_kb()
    connect_questions = {"transform_needs", "bad_record_policy", "connect_symptoms"}
    none = set(visible_questions(kb, {"kafka_status": "running", "integrations": []}))
    some = set(visible_questions(kb, {"kafka_status": "running", "integrations": ["db-out"]}))
    assert not connect_questions & none, "no flow in or out of Kafka: nothing to ask about connectors"
    assert connect_questions <= some
