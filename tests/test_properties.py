"""Property tests: for any answers valid against the shipped questionnaire, evaluate never raises
and is deterministic, and what-if only lists changes that really change the outcome."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kafka_advisor.engine import compiled, effective_answers, evaluate, explain, fired_rules, holds, outcome_of
from kafka_advisor.loader import KnowledgeBase, check_answer, load_kb
from kafka_advisor.model import Question

settings.register_profile("default", max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("long", max_examples=3000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

KB: KnowledgeBase = load_kb()


def value_for(q: Question) -> st.SearchStrategy:
    if q.type == "single":
        return st.sampled_from(q.option_values())
    if q.type == "multi":
        return st.lists(st.sampled_from(q.option_values()), unique=True).map(
            lambda vs, q=q: sorted(vs, key=q.option_values().index))
    if q.type == "bool":
        return st.sampled_from(q.bool_values())  # "unsure" too, where the question offers Not sure
    if q.type == "number":
        lo = int(q.min) if q.min is not None else -1000
        hi = int(q.max) if q.max is not None else 1000
        return st.integers(min_value=lo, max_value=hi)
    return st.text(max_size=q.max_length)


answers_strategy = st.fixed_dictionaries(
    {}, optional={qid: value_for(q) for qid, q in KB.questions.items()}
).filter(lambda a: all(check_answer(KB.questions[k], v)[1] is None for k, v in a.items()))


@given(answers_strategy)
def test_evaluate_never_raises_and_is_deterministic(answers: dict) -> None:
    first = evaluate(KB, answers).to_json()
    assert evaluate(KB, dict(reversed(list(answers.items())))).to_json() == first  # answer order is irrelevant
    levels = {"good-fit", "fit-with-caveats", "poor-fit"}
    assert first["verdict"]["level"] in levels
    rec = [r["pattern"] for r in first["recommended"]]
    assert len(rec) == len(set(rec))
    order = {"core": 0, "baseline": 1, "later": 2}
    keys = [(order[r["tier"]], -r["score"]) for r in first["recommended"]]
    assert keys == sorted(keys)  # core first, then baseline, then later; by score within a tier
    assert sum(1 for r in first["recommended"] if r["tier"] == "core") <= 6
    if first["verdict"]["level"] == "poor-fit":
        # Do not adopt: nothing to configure, and only ideas that hold without Kafka, with no Kafka parts.
        assert not first["checklist"]
        assert all(KB.patterns[p].any_transport for p in rec)
        assert not any(r["required_by"] for r in first["recommended"])
    high = {d["pattern"] for d in first["discouraged"] if d["severity"] == "high"}
    assert not high & set(rec)  # a high-severity discouragement always wins
    ids = [i["id"] for i in first["checklist"]]
    assert len(ids) == len(set(ids))
    texts = [n["text"] for n in first["notes"]]
    assert len(texts) == len(set(texts))  # each note once
    listed = set(rec) | {d["pattern"] for d in first["discouraged"]}
    assert all(n["pattern"] is None or n["pattern"] in listed for n in first["notes"])


@settings(max_examples=15)
@given(answers_strategy)
def test_what_if_changes_really_change_the_outcome(answers: dict) -> None:
    report = evaluate(KB, answers, with_what_if=True)
    base = outcome_of(KB, answers).signature()
    for w in report.what_if[:10]:
        changed = {**answers, w.question: w.to}
        if w.to in ([], None):
            changed.pop(w.question)
        assert outcome_of(KB, changed).signature() != base, w
        assert w.added == sorted(set(w.recommends) | set(w.discourages)), w
        assert w.fact == KB.questions[w.question].fact  # facts are told apart from choices by the questionnaire
        assert w.removed == sorted(set(w.no_longer_recommends) | set(w.no_longer_discourages)), w


@given(answers_strategy)
def test_indexed_and_compiled_evaluation_match_the_reference_semantics(answers: dict) -> None:
    """The rule index and the compiled closures are optimisations of `holds` and `explain`."""
    eff = effective_answers(KB, answers)
    assert [r.id for r in fired_rules(KB, eff)] == [r.id for r in KB.rules if holds(r.when, eff)]
    assert len(compiled(KB).guarded) > 0  # the index is really in use on the shipped rules
    report = evaluate(KB, answers)
    reasons = {r.rule: r.answers for rec in report.recommended for r in rec.reasons}
    for rule in KB.rules:
        if rule.id in reasons:
            assert reasons[rule.id] == explain(rule.when, eff)[1]
