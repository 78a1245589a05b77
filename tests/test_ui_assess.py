"""AppTest: the Assess wizard (steps, answers kept across steps, upload, URL mirror)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from streamlit.testing.v1 import AppTest
from test_ui_support import (
    GOOD,
    POOR,
    new_app,
    run,
    scenario,
    section_questions,
    set_answer,
    texts,
    widget_value,
)

from kafka_advisor.engine import effective_answers, evaluate
from kafka_advisor.loader import KnowledgeBase, answers_yaml
from kafka_advisor.model import AnswerValue
from kafka_advisor.share import answers_to_query
from kafka_advisor.ui.inventory_editor import TITLE as PARTS
from kafka_advisor.ui.style import LEVELS, answer_md


def walk(at: AppTest, kb: KnowledgeBase, answers: Mapping[str, AnswerValue]) -> Iterator[int]:
    """test_ui_support.walk, passing the optional step "Your system's parts" (after section 1) with Next."""
    for i, section in enumerate(kb.sections):
        assert at.header[0].value == f"{i + 1}. {section.title}"
        for qid in section_questions(kb, section.id, answers):
            if qid in answers:
                set_answer(at, kb, qid, answers[qid])
                run(at)
        yield i
        at.button(key="next").click()
        run(at)
        if i == 0:
            assert at.header[0].value == PARTS  # skipped: left empty
            at.button(key="next").click()
            run(at)


def test_first_step_shows_progress_help_and_section_list(kb: KnowledgeBase) -> None:
    at = run(new_app())
    first = kb.sections[0]
    assert at.title[0].value == "Assess your system"
    assert at.header[0].value == f"1. {first.title}"
    steps = len(kb.sections) + 2  # the sections, your system's parts, the review
    assert at.get("progress")[0].proto.text == f"Step 1 of {steps}: {first.title}"
    shown = section_questions(kb, first.id, {})
    page = texts(at)
    for qid in shown:
        assert kb.questions[qid].help.split()[0] in page  # help text per question
    # The section list in the sidebar has one button per section, your system's parts after the first, plus Review.
    labels = [b.label for b in at.sidebar.button]
    sections = [f"{i + 1}. {s.title}" for i, s in enumerate(kb.sections)]
    assert [sections[0], PARTS, *sections[1:]] == labels[: len(kb.sections) + 1]
    assert "Review answers" in labels
    assert at.button(key="back").disabled


def test_full_walk_from_first_question_to_results(kb: KnowledgeBase) -> None:
    answers = scenario(kb, GOOD)
    at = run(new_app())
    assert list(walk(at, kb, answers)) == list(range(len(kb.sections)))
    # Review step: every answer as the label the user picked.
    assert at.header[0].value == "Review your answers"
    review = texts(at)
    for qid, value in effective_answers(kb, answers).items():
        assert answer_md(kb.questions[qid], value) in review, qid
    assert at.session_state["answers"] == effective_answers(kb, answers)
    at.button(key="to_results").click()
    run(at)
    assert at.title[0].value == "Results"
    expected = evaluate(kb, answers)
    banner = {"good-fit": at.success, "fit-with-caveats": at.warning, "poor-fit": at.error}[expected.verdict.level]
    assert any(LEVELS[expected.verdict.level].label in str(b.value) for b in banner)


def test_back_and_next_keep_answers(kb: KnowledgeBase) -> None:
    answers = scenario(kb, POOR)
    at = run(new_app())
    steps = iter(walk(at, kb, answers))
    next(steps)
    next(steps)  # steps 1 and 2 answered through their widgets
    at.button(key="next").click()
    run(at)
    assert at.header[0].value == f"3. {kb.sections[2].title}"
    for back_to in (1, PARTS, 0):
        at.button(key="back").click()
        run(at)
        if back_to == PARTS:
            assert at.header[0].value == PARTS
            continue
        section = kb.sections[back_to]
        assert at.header[0].value == f"{back_to + 1}. {section.title}"
        for qid in section_questions(kb, section.id, answers):
            if qid in answers:  # the widget shows the answer again, though it was not rendered in between
                assert widget_value(at, kb, qid) == answers[qid], qid
    first_two = {q for q in answers if kb.section_of[q] in (kb.sections[0].id, kb.sections[1].id)}
    assert set(at.session_state["answers"]) >= first_two & set(effective_answers(kb, answers))


def test_section_list_jumps_to_a_step(kb: KnowledgeBase) -> None:
    at = run(new_app())
    at.sidebar.button(key="goto_3").click()
    run(at)
    assert at.header[0].value == f"4. {kb.sections[3].title}"
    at.sidebar.button(key="goto_inventory").click()
    run(at)
    assert at.header[0].value == PARTS
    at.button(key="goto_review").click()
    run(at)
    assert at.header[0].value == "Review your answers"
    at.button(key="edit_1").click()
    run(at)
    assert at.header[0].value == f"2. {kb.sections[1].title}"


def test_conditional_question_appears_and_disappears(kb: KnowledgeBase) -> None:
    parent, child = "kafka_status", "kafka_version"
    assert kb.questions[child].show_if is not None
    at = run(new_app())
    assert not [r for r in at.radio if r.key == f"q__{child}"]
    set_answer(at, kb, parent, "running")
    run(at)
    set_answer(at, kb, child, kb.questions[child].option_values()[0])
    run(at)
    assert at.radio(key=f"q__{child}").value == kb.questions[child].option_values()[0]
    assert child in at.query_params
    set_answer(at, kb, parent, "evaluating")
    run(at)
    assert not [r for r in at.radio if r.key == f"q__{child}"]
    assert child not in at.query_params  # hidden answers are not part of the assessment
    set_answer(at, kb, parent, "running")
    run(at)  # shown again, with the answer the user gave before
    assert at.radio(key=f"q__{child}").value == kb.questions[child].option_values()[0]


def test_answers_are_mirrored_into_the_url(kb: KnowledgeBase) -> None:
    at = run(new_app())
    set_answer(at, kb, "system_name", "Orders & <b>billing</b>")
    run(at)
    set_answer(at, kb, "goals", ["event-history", "decouple-services"])
    run(at)
    set_answer(at, kb, "service_count", 12)
    run(at)
    want = answers_to_query(kb, at.session_state["answers"])
    assert {k: at.query_params[k] for k in want} == want
    assert at.query_params["goals"] == "decouple-services,event-history"
    # What a user typed is shown as text, never as markup.
    at.button(key="goto_review").click()
    run(at)
    assert "Orders &amp; " not in texts(at)
    assert any("\\<b\\>billing\\</b\\>" in m.value for m in at.markdown)


def test_share_link_loads_answers_and_reports_bad_parts(kb: KnowledgeBase) -> None:
    answers = scenario(kb, GOOD)
    at = new_app()
    at.query_params.update(answers_to_query(kb, answers))
    at.query_params["bogus"] = "1"
    at.query_params["service_count"] = "many"
    run(at)
    loaded = at.session_state["answers"]
    assert "service_count" not in loaded
    assert loaded == {k: v for k, v in effective_answers(kb, answers).items() if k != "service_count"}
    warning = "\n".join(w.value for w in at.warning)
    assert "'bogus'" in warning and "'service_count'" in warning
    assert any("from the link" in s.value for s in at.success)


def test_upload_good_file_replaces_answers(kb: KnowledgeBase) -> None:
    at = run(new_app())
    at.file_uploader[0].set_value(("good.yaml", GOOD.read_bytes(), "application/x-yaml"))
    run(at)
    assert at.session_state["answers"] == scenario(kb, GOOD)
    assert at.header[0].value == "Review your answers"
    assert any("Loaded" in s.value for s in at.success)


def test_upload_bad_file_keeps_answers(kb: KnowledgeBase) -> None:
    at = run(new_app())
    set_answer(at, kb, "service_count", 7)
    run(at)
    set_answer(at, kb, "system_name", "Kept")
    run(at)
    before = dict(at.session_state["answers"])
    bad_files = [
        b"answers:\n  service_count: lots\n",
        b"answers: [\n",
        b"answers:\n  no_such_question: 1\n",
        "answers:\n  system_name: \xff".encode("latin-1"),
    ]
    for i, raw in enumerate(bad_files):
        at.file_uploader[0].set_value((f"bad{i}.yaml", raw, "application/x-yaml"))
        run(at)
        assert at.session_state["answers"] == before
        errors = [e.value for e in at.error]
        assert len(errors) == 1, errors
        assert "answers are unchanged" in errors[0] and f"bad{i}" in errors[0]
        assert at.number_input(key="q__service_count").value == 7


def test_download_answers_button_and_round_trip(kb: KnowledgeBase) -> None:
    at = run(new_app())
    assert at.download_button(key="download_answers").disabled  # nothing to save yet
    set_answer(at, kb, "service_count", 7)
    run(at)
    assert not at.download_button(key="download_answers").disabled
    # AppTest cannot read a download's bytes: the button serves answers_yaml, which reads back the same.
    text = answers_yaml(None, at.session_state["answers"])
    at.file_uploader[0].set_value(("again.yaml", text.encode(), "application/x-yaml"))
    run(at)
    assert at.session_state["answers"] == {"service_count": 7}


def test_start_over_clears_answers_and_ticks(kb: KnowledgeBase) -> None:
    at = new_app()
    at.query_params.update(answers_to_query(kb, scenario(kb, GOOD)))
    run(at)
    at.session_state["checked"] = {"some-item"}
    at.button(key="clear_all").click()
    run(at)
    assert at.session_state["answers"] == {}
    assert at.session_state["checked"] == set()
    assert at.header[0].value == f"1. {kb.sections[0].title}"
    assert dict(at.query_params) == {}
