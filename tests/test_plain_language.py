"""Plain-language questions and the "Not sure" answer of yes/no questions (`unsure: true`).

Questions speak the language of someone who has never run Kafka; Kafka terms live in the help text.
A bool question with `unsure: true` also takes the answer "unsure", everywhere answers travel:
loader, rule conditions, lint, share links, what-if, the wizard and the answer wording.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from minikb import QUESTIONS, RULES, write_minikb
from test_ui_support import new_app, run, texts

from kafka_advisor.engine import evaluate
from kafka_advisor.exports import ExportContext, export
from kafka_advisor.exports.common import answer_text, md
from kafka_advisor.lint import impossible_conditions
from kafka_advisor.loader import KnowledgeBase, KnowledgeBaseError, load_kb, parse_answers, validate_answers
from kafka_advisor.share import answers_from_query, answers_to_query
from kafka_advisor.ui.style import answer_md, format_answer
from kafka_advisor.whatif import candidates, unsure_costs
from kafka_advisor.yamlsource import AdvisorError, parse_text

LINE = re.compile(r"^(?P<path>[^:]+):(?P<line>\d+):(?P<col>\d+): (?P<field>[^:]+): (?P<msg>.+)$")
PLAIN_BOOL = "    type: bool\n"  # the mini knowledge base's one bool question, `durable`
UNSURE_BOOL = "    type: bool\n    unsure: true\n"

# Kafka jargon that belongs in a question's help, never in the question itself (plurals included).
JARGON = re.compile(
    r"\b(acks|ISR|idempotence|idempotent|compaction|SMTs?|converters?|exactly-once|offsets?|partitions?|"
    r"consumer groups?|CDC)\b",
    re.IGNORECASE,
)


def load_errors(root: Path) -> list[str]:
    with pytest.raises(KnowledgeBaseError) as info:
        load_kb(root)
    return [e.one_line() for e in info.value.errors]


@pytest.fixture()
def unsure_kb(tmp_path: Path) -> KnowledgeBase:
    assert PLAIN_BOOL in QUESTIONS
    return load_kb(write_minikb(tmp_path, questions=QUESTIONS.replace(PLAIN_BOOL, UNSURE_BOOL, 1)))


@pytest.fixture()
def plain_kb(tmp_path: Path) -> KnowledgeBase:
    return load_kb(write_minikb(tmp_path))


def _unsure_bools(kb: KnowledgeBase) -> list[str]:
    return [q.id for q in kb.questions.values() if q.unsure]


# --------------------------------------------------------------------------- plain language


def test_no_question_text_uses_kafka_jargon(kb: KnowledgeBase) -> None:
    found = {q.id: JARGON.findall(q.text) for q in kb.questions.values()}
    offenders = {qid: words for qid, words in found.items() if words}
    assert not offenders, f"Kafka terms belong in the help text, not the question: {offenders}"


def test_the_jargon_check_catches_jargon() -> None:
    for text in ("What acks do producers use?", "Do you rely on log compaction?", "How many partitions?",
                 "Is exactly-once needed?", "Which consumer group reads it?", "Is CDC possible?",
                 "Which converters do you use?", "Are producers idempotent?"):
        assert JARGON.search(text), text
    assert not JARGON.search("Must a user see their own change immediately?")


def test_questions_offering_not_sure_are_bool_and_present(kb: KnowledgeBase) -> None:
    unsure = _unsure_bools(kb)
    assert "personal_data_erasure" in unsure and "consumers_may_be_down" in unsure
    assert all(kb.questions[q].type == "bool" for q in unsure)


# --------------------------------------------------------------------------- loader


def test_unsure_bool_accepts_unsure_true_and_false(unsure_kb: KnowledgeBase) -> None:
    assert unsure_kb.questions["durable"].unsure
    for value in ("unsure", True, False):
        assert validate_answers(unsure_kb, {"durable": value}) == {"durable": value}
    src = parse_text("answers:\n  durable: unsure\n", "a.yaml")
    assert parse_answers(unsure_kb, src) == (None, {"durable": "unsure"})


def test_unsure_bool_rejects_other_values_listing_all_three(unsure_kb: KnowledgeBase) -> None:
    with pytest.raises(AdvisorError) as info:
        validate_answers(unsure_kb, {"durable": "maybe"})
    assert info.value.field == "answers.durable"
    assert "expected true, false or unsure" in info.value.message


def test_plain_bool_rejects_unsure_with_a_one_line_error(plain_kb: KnowledgeBase) -> None:
    assert not plain_kb.questions["durable"].unsure
    src = parse_text("title: t\nanswers:\n  durable: unsure\n", "a.yaml")
    with pytest.raises(AdvisorError) as info:
        parse_answers(plain_kb, src)
    line = info.value.one_line()
    assert "\n" not in line
    m = LINE.match(line)
    assert m, line
    assert (m["path"], m["line"], m["field"]) == ("a.yaml", "3", "answers.durable"), line
    assert "offers no Not sure" in m["msg"] and "expected true or false" in m["msg"], line


def test_unsure_flag_on_a_non_bool_question_is_rejected(tmp_path: Path) -> None:
    single = "    type: single\n"
    assert QUESTIONS.count(single) == 1
    errors = load_errors(write_minikb(tmp_path, questions=QUESTIONS.replace(single, single + "    unsure: true\n")))
    assert len(errors) == 1, errors
    m = LINE.match(errors[0])
    assert m, errors[0]
    assert m["path"] == "questions/01-basics.yaml"
    assert m["field"] == "questions[0].unsure", errors[0]
    assert "applies only to bool questions" in m["msg"] and "single" in m["msg"], errors[0]


def test_a_default_of_unsure_needs_the_flag(tmp_path: Path) -> None:
    with_default = QUESTIONS.replace(PLAIN_BOOL, PLAIN_BOOL + "    default: unsure\n", 1)
    errors = load_errors(write_minikb(tmp_path / "plain", questions=with_default))
    assert any("questions[3].default" in e and "offers no Not sure" in e for e in errors), errors
    kb = load_kb(write_minikb(tmp_path / "ok", questions=with_default.replace(PLAIN_BOOL, UNSURE_BOOL, 1)))
    assert kb.questions["durable"].default == "unsure"


# --------------------------------------------------------------------------- rule conditions and lint

UNSURE_RULE = RULES.replace("when: {question: durable, equals: true}", "when: {question: durable, equals: unsure}", 1)
UNSURE_RULE = UNSURE_RULE.replace("answers: {durable: true}, expect: {fires: true", "answers: {durable: unsure}, "
                                  "expect: {fires: true", 1)


def test_condition_on_unsure_needs_the_flag(tmp_path: Path) -> None:
    assert UNSURE_RULE != RULES
    errors = load_errors(write_minikb(tmp_path / "plain", rules=UNSURE_RULE))
    hits = [e for e in errors if ".when.equals" in e]
    assert hits, errors
    assert "which offers no Not sure" in hits[0] and "unsure: true" in hits[0], hits[0]
    kb = load_kb(write_minikb(tmp_path / "ok", rules=UNSURE_RULE, questions=QUESTIONS.replace(PLAIN_BOOL, UNSURE_BOOL, 1)))
    assert impossible_conditions(kb) == []
    report = evaluate(kb, {"durable": "unsure"})
    assert "gamma-high" in {i.id for i in report.checklist}  # the rule on `equals: unsure` fires


def test_other_text_is_still_refused_on_an_unsure_bool(tmp_path: Path) -> None:
    rules = RULES.replace("{question: durable, equals: true}", "{question: durable, equals: maybe}", 1)
    errors = load_errors(write_minikb(tmp_path, rules=rules, questions=QUESTIONS.replace(PLAIN_BOOL, UNSURE_BOOL, 1)))
    assert any("'maybe' compared with yes/no question 'durable', expected true, false or unsure" in e for e in errors), \
        errors


def test_lint_sees_unsure_as_a_possible_answer(tmp_path: Path) -> None:
    both = "when:\n      all:\n        - {question: durable, not_equals: true}\n        - {question: durable, not_equals: false}"
    rules = RULES.replace("when: {question: durable, equals: true}", both, 1)
    rules = rules.replace("answers: {durable: true}, expect: {fires: true", "answers: {durable: unsure}, "
                          "expect: {fires: true", 1)
    kb = load_kb(write_minikb(tmp_path / "ok", rules=rules, questions=QUESTIONS.replace(PLAIN_BOOL, UNSURE_BOOL, 1)))
    assert impossible_conditions(kb) == []  # "unsure" is neither true nor false
    # On a plain bool the same condition can never hold.
    plain = load_kb(write_minikb(tmp_path / "plain", rules=rules.replace("{durable: unsure}", "{durable: true}")))
    found = impossible_conditions(plain)
    assert len(found) == 1 and "contradict each other" in found[0].message


# --------------------------------------------------------------------------- share links, what-if, wording


def test_share_link_round_trips_unsure(kb: KnowledgeBase) -> None:
    qid = _unsure_bools(kb)[0]
    answers = {qid: "unsure", "service_count": 3}
    query = answers_to_query(kb, answers)
    assert query[qid] == "unsure"
    assert answers_from_query(kb, query) == (answers, [])


def test_share_link_refuses_unsure_on_a_plain_bool(plain_kb: KnowledgeBase, unsure_kb: KnowledgeBase) -> None:
    answers, errors = answers_from_query(plain_kb, {"durable": "unsure"})
    assert answers == {} and len(errors) == 1
    assert "'durable'" in errors[0] and "offers no Not sure" in errors[0]
    answers, errors = answers_from_query(unsure_kb, {"durable": "perhaps"})
    assert answers == {} and "expected true, false or unsure" in errors[0]
    assert answers_from_query(unsure_kb, {"durable": "Unsure"}) == ({"durable": "unsure"}, [])


def test_what_if_tries_both_real_answers_for_an_unsure_bool(kb: KnowledgeBase) -> None:
    q = kb.questions["personal_data_erasure"]
    assert list(candidates(q, "unsure", [])) == [True, False]
    assert list(candidates(q, True, [])) == [False]
    assert list(candidates(q, None, [])) == [True, False]
    # An event log of record kept for years: whether personal data must be erasable decides the verdict.
    answers = {"personal_data_erasure": "unsure", "history_need": "full-history", "retention_horizon": "years",
               "integrations": ["db-in"], "unified_entity_view": True, "log_is_source_of_truth": "yes-es"}
    report = evaluate(kb, answers, with_what_if=True)
    costs = unsure_costs(report)
    assert "personal_data_erasure" in costs
    assert costs["personal_data_erasure"], "knowing whether personal data must be erasable changes this advice"
    assert {w.to for w in costs["personal_data_erasure"]} <= {True, False}


def test_unsure_reads_as_not_sure(kb: KnowledgeBase, unsure_kb: KnowledgeBase) -> None:
    q = unsure_kb.questions["durable"]
    assert [format_answer(q, v) for v in (True, False, "unsure")] == ["Yes", "No", "Not sure"]
    assert answer_md(q, "unsure") == "Not sure"
    qid = _unsure_bools(kb)[0]
    report = evaluate(kb, {qid: "unsure"}, with_what_if=True)
    ctx = ExportContext(report=report, kb=kb, title="t")
    assert answer_text(ctx, qid, "unsure") == "Not sure"
    assert answer_text(ctx, qid, True) == "Yes"
    text = export("md", ctx).decode()
    assert f"| {md(kb.questions[qid].text)} | Not sure |" in text  # the answers table


# --------------------------------------------------------------------------- the wizard


def test_wizard_offers_not_sure_and_stores_unsure(kb: KnowledgeBase) -> None:
    qid = "consumers_may_be_down"
    assert kb.questions[qid].unsure and kb.questions[qid].show_if is None
    step = next(i for i, s in enumerate(kb.sections) if s.id == kb.section_of[qid])
    at = run(new_app())
    at.button(key=f"goto_{step}").click()
    run(at)
    radio = at.radio(key=f"q__{qid}")
    assert radio.options == ["Yes", "No", "Not sure"]
    assert radio.horizontal
    radio.set_value("unsure")
    run(at)
    assert at.session_state["answers"][qid] == "unsure"
    assert at.query_params[qid] == "unsure"
    at.radio(key=f"q__{qid}").set_value(False)
    run(at)
    assert at.session_state["answers"][qid] is False
    at.radio(key=f"q__{qid}").set_value("unsure")
    run(at)
    at.button(key="goto_review").click()
    run(at)
    assert f"{kb.questions[qid].text}  \n  **Not sure**" in texts(at)


def test_wizard_keeps_yes_no_on_a_bool_without_not_sure(kb: KnowledgeBase) -> None:
    plain = [q for q in kb.questions.values() if q.type == "bool" and not q.unsure and q.show_if is None]
    if not plain:
        pytest.skip("every yes/no question offers Not sure")
    q = plain[0]
    at = run(new_app())
    at.button(key=f"goto_{[s.id for s in kb.sections].index(kb.section_of[q.id])}").click()
    run(at)
    assert at.radio(key=f"q__{q.id}").options == ["Yes", "No"]


def test_results_page_costs_a_not_sure_yes_no_answer(kb: KnowledgeBase) -> None:
    from test_ui_support import RESULTS

    qid = "personal_data_erasure"
    answers = {qid: "unsure", "history_need": "full-history", "log_is_source_of_truth": "yes-es"}
    assert unsure_costs(evaluate(kb, answers, with_what_if=True))[qid], "finding out must matter in this case"
    at = new_app()
    at.query_params.update(answers_to_query(kb, answers))
    run(at)
    at.switch_page(RESULTS)
    run(at)
    at.session_state["results_tab"] = "What if"  # only the open tab is drawn
    page = texts(run(at))
    section = page.split("What your \u201cNot sure\u201d answers cost", 1)[1]
    assert kb.questions[qid].text in section
    assert "instead of Not sure" in section  # "If ... were **Yes** instead of Not sure: ..."
