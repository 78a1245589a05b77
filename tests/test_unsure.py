""""Not sure" answers: the report says what finding out would change, in the core and in the views."""

from __future__ import annotations

from pathlib import Path

from kafka_advisor.engine import evaluate, outcome_of
from kafka_advisor.exports import ExportContext, export
from kafka_advisor.loader import KnowledgeBase, load_answers_file
from kafka_advisor.whatif import unsure_costs

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "small-team-no-mesh-good-fit.yaml"


def test_unsure_answers_list_the_answers_that_would_change_the_advice(kb: KnowledgeBase) -> None:
    _, answers = load_answers_file(kb, EXAMPLE)
    assert answers["bad_record_policy"] == "unsure" and answers["consumers_find_data"] == "unsure"
    costs = unsure_costs(evaluate(kb, answers, with_what_if=True))
    assert set(costs) == {"bad_record_policy", "consumers_find_data"}
    # Deciding that bad records are set aside brings in the dead letter queue ("not sure" is only a checklist item).
    park = [w for w in costs["bad_record_policy"] if w.to == "park"]
    assert park and "dead-letter-queue" in park[0].added
    base = outcome_of(kb, answers).signature()
    for changes in costs.values():
        for w in changes:
            assert outcome_of(kb, {**answers, w.question: w.to}).signature() != base
    # Every other value of consumers_find_data gives the same advice: finding out changes nothing.
    assert costs["consumers_find_data"] == []


def test_without_unsure_answers_there_is_nothing_to_cost(kb: KnowledgeBase) -> None:
    report = evaluate(kb, {"loss_tolerance": "unacceptable"}, with_what_if=True)
    assert unsure_costs(report) == {}


def test_markdown_export_explains_the_cost_of_not_sure(kb: KnowledgeBase) -> None:
    title, answers = load_answers_file(kb, EXAMPLE)
    text = export("md", ExportContext(report=evaluate(kb, answers, with_what_if=True), kb=kb, title=title)).decode()
    section = text.split("## What the \u201cNot sure\u201d answers cost", 1)[1].split("\n## ", 1)[0]
    assert kb.questions["bad_record_policy"].text in section
    assert "recommends Dead letter queue" in section
    assert "finding out would not change the advice" in section
