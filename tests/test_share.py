"""Answers <-> URL query parameters (kafka_advisor.share)."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kafka_advisor.loader import KnowledgeBase, bool_choices, check_answer
from kafka_advisor.model import Question
from kafka_advisor.share import RESERVED, answers_from_query, answers_to_query


def _first(kb: KnowledgeBase, qtype: str) -> Question:
    return next(q for q in kb.questions.values() if q.type == qtype)


def _value(q: Question) -> st.SearchStrategy[Any]:
    if q.type == "single":
        return st.sampled_from(q.option_values())
    if q.type == "multi":
        return st.lists(st.sampled_from(q.option_values()), min_size=1, unique=True)
    if q.type == "bool":
        return st.sampled_from(q.bool_values())  # "unsure" too, where the question offers Not sure
    if q.type == "number":
        lo = q.min if q.min is not None else -1e9
        hi = q.max if q.max is not None else 1e9
        return st.one_of(st.integers(int(lo), int(hi)), st.floats(lo, hi, allow_nan=False, allow_infinity=False))
    return st.text(min_size=1, max_size=min(q.max_length, 40))


@st.composite
def answer_sets(draw: st.DrawFn, kb: KnowledgeBase) -> dict[str, Any]:
    chosen = draw(st.lists(st.sampled_from(list(kb.questions)), unique=True, max_size=12))
    out: dict[str, Any] = {}
    for qid in chosen:
        norm, problem = check_answer(kb.questions[qid], draw(_value(kb.questions[qid])))
        assert problem is None
        out[qid] = norm
    return out


def test_round_trip_through_a_real_url(kb: KnowledgeBase) -> None:
    answers = {"system_name": "Orders & Billing, v2 = 50% ?#", "goals": ["decouple-services", "event-history"],
               "service_count": 25, "consumers_may_be_down": False, "ops_capacity": "platform-team"}
    # Through an actual query string, as the browser would send it back.
    query = urlencode(answers_to_query(kb, answers))
    back, errors = answers_from_query(kb, dict(parse_qsl(query, keep_blank_values=True)))
    assert errors == []
    assert back == answers


def test_query_is_in_questionnaire_order_and_readable(kb: KnowledgeBase) -> None:
    answers = {"service_count": 3, "goals": ["job-queue", "decouple-services"], "replay_needed": True}
    query = answers_to_query(kb, {q: check_answer(kb.questions[q], v)[0] for q, v in answers.items()})
    order = list(kb.questions)
    assert list(query) == sorted(query, key=order.index)
    assert query["goals"] == "decouple-services,job-queue"  # option order, not click order
    assert query["replay_needed"] == "true"
    assert query["service_count"] == "3"


@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_round_trip_property(kb: KnowledgeBase, data: st.DataObject) -> None:
    answers = data.draw(answer_sets(kb))
    back, errors = answers_from_query(kb, answers_to_query(kb, answers))
    assert errors == []
    assert back == answers


def test_bad_and_unknown_parameters_are_reported_not_raised(kb: KnowledgeBase) -> None:
    single, multi, boolean, number = (_first(kb, t) for t in ("single", "multi", "bool", "number"))
    params = {
        "no_such_question": "x",
        single.id: "not-an-option",
        multi.id: f"{multi.option_values()[0]},bogus",
        boolean.id: "maybe",
        number.id: "lots",
        "pattern": "cqrs",  # navigation, not an answer
    }
    answers, errors = answers_from_query(kb, params)
    assert answers == {}
    assert len(errors) == 5
    joined = "\n".join(errors)
    for name in ("no_such_question", single.id, multi.id, boolean.id, number.id):
        assert repr(name) in joined
    assert "expected one of" in joined and "expected a number" in joined and f"expected {bool_choices(boolean)}" in joined
    assert "pattern" in RESERVED


def test_good_parameters_survive_next_to_bad_ones(kb: KnowledgeBase) -> None:
    single, number = _first(kb, "single"), _first(kb, "number")
    good = single.option_values()[1]
    answers, errors = answers_from_query(kb, {single.id: good, number.id: "nan", "embed": "true"})
    assert answers == {single.id: good}
    assert len(errors) == 1 and number.id in errors[0]


@pytest.mark.parametrize("raw", ["-5", "1e12", "inf"])
def test_numbers_out_of_range_are_refused(kb: KnowledgeBase, raw: str) -> None:
    q = next(q for q in kb.questions.values() if q.type == "number" and q.min is not None and q.max is not None)
    answers, errors = answers_from_query(kb, {q.id: raw})
    assert answers == {} and len(errors) == 1


def test_repeated_and_blank_parameters(kb: KnowledgeBase) -> None:
    single = _first(kb, "single")
    first, last = single.option_values()[:2]
    answers, errors = answers_from_query(kb, {single.id: [first, last], "system_name": "", "goals": ","})
    assert answers == {single.id: last}
    assert errors == []


def test_bool_spellings(kb: KnowledgeBase) -> None:
    q = _first(kb, "bool")
    for raw, want in (("TRUE", True), ("yes", True), ("0", False), ("false", False)):
        assert answers_from_query(kb, {q.id: raw}) == ({q.id: want}, [])


def test_reported_parameters_are_quoted_and_cut_to_a_readable_length(kb: KnowledgeBase) -> None:
    q = _first(kb, "number")
    answers, errors = answers_from_query(kb, {"k" * 5000: "1", q.id: "[x](https://example.invalid) " + "9" * 5000})
    assert answers == {} and len(errors) == 2
    assert all(len(e) < 300 for e in errors), errors  # a hostile link cannot flood the page with one warning
    assert "'kkk" in errors[0] and "[x](https://example.invalid)" in errors[1]
