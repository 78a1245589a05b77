"""Assess: the questionnaire as a wizard, one section per step, then a review step."""

from __future__ import annotations

import logging
from typing import Any

import streamlit as st

from kafka_advisor.engine import effective_answers, visible_questions
from kafka_advisor.loader import KnowledgeBase, answers_yaml, check_answer, parse_answers_bytes
from kafka_advisor.model import AnswerValue, Question
from kafka_advisor.ui import pages, state
from kafka_advisor.ui.style import BOOL_LABELS, answer_md, kb_md, md_escape
from kafka_advisor.yamlsource import AdvisorError

# --------------------------------------------------------------------------- steps


def step() -> int:
    return st.session_state.setdefault("step", 0)


def _goto(index: int) -> None:
    st.session_state["step"] = index


def visible_by_section(kb: KnowledgeBase, answers: dict[str, AnswerValue]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {s.id: [] for s in kb.sections}
    for qid in visible_questions(kb, answers):
        out[kb.section_of[qid]].append(qid)
    return out


# --------------------------------------------------------------------------- question widgets


def _widget_value(q: Question, value: AnswerValue | None) -> Any:
    if q.type == "multi":
        return list(value) if isinstance(value, list) else []
    if q.type == "text":
        return "" if value is None else str(value)
    return value


def _store(qid: str) -> None:
    """on_change: copy the widget's value into the answers dict (the only source of truth)."""
    kb = state.get_kb()
    q = kb.questions[qid]
    raw = st.session_state.get(state.WIDGET_PREFIX + qid)
    if isinstance(raw, str):
        raw = raw.strip()
    answers = state.answers()
    if raw is None or raw == [] or raw == "":
        answers.pop(qid, None)
        return
    value, problem = check_answer(q, raw)
    if problem is None:
        answers[qid] = value
    else:  # the widgets only offer valid values; keep the old answer if one slips through
        state.flash("warning", f"{md_escape(q.text)}: {md_escape(problem)}")


def render_question(q: Question, answers: dict[str, AnswerValue]) -> None:
    key = state.WIDGET_PREFIX + q.id
    if q.id not in answers and q.default is not None:
        answers[q.id] = q.default
    if key not in st.session_state:
        st.session_state[key] = _widget_value(q, answers.get(q.id))
    common: dict[str, Any] = {"key": key, "on_change": _store, "args": (q.id,), "label_visibility": "collapsed"}
    with st.container(border=True):
        st.markdown(f"**{kb_md(q.text)}**")
        refs = f" · Chapter {', '.join(q.refs)}" if q.refs else ""
        st.caption(kb_md(q.help) + refs)
        if q.type == "single":
            captions = [kb_md(o.help or "") for o in q.options] if any(o.help for o in q.options) else None
            st.radio(q.text, q.option_values(), index=None, format_func=q.label_of, captions=captions, **common)
        elif q.type == "multi":
            st.pills(q.text, q.option_values(), selection_mode="multi", format_func=q.label_of, **common)
            st.caption("Pick all that apply.")
        elif q.type == "bool":
            # Yes / No, and Not sure ("unsure") on a question that offers it.
            st.radio(q.text, q.bool_values(), index=None, format_func=BOOL_LABELS.__getitem__, horizontal=True,
                     **common)
        elif q.type == "number":
            whole = all(b is None or float(b).is_integer() for b in (q.min, q.max))
            lo = None if q.min is None else (int(q.min) if whole else q.min)
            hi = None if q.max is None else (int(q.max) if whole else q.max)
            unit = f" ({q.unit})" if q.unit else ""
            st.number_input(q.text, min_value=lo, max_value=hi, value=None, step=1 if whole else None,
                            placeholder=q.placeholder or f"Enter a number{unit}", width=260, **common)
        else:
            st.text_input(q.text, max_chars=q.max_length, placeholder=q.placeholder or "", width=420, **common)


# --------------------------------------------------------------------------- file upload / download


def _uploaded() -> None:
    """on_change of the uploader: replace the answers, or explain why not and keep them."""
    kb = state.get_kb()
    key = f"upload_{st.session_state.get('upload_n', 0)}"
    file = st.session_state.get(key)
    if file is None:
        return
    st.session_state["upload_n"] = st.session_state.get("upload_n", 0) + 1  # fresh uploader: same file can come again
    try:
        title, new = parse_answers_bytes(kb, file.getvalue(), file.name)
    except AdvisorError as exc:
        state.flash("error", f"**Could not load that file; your answers are unchanged.**  \n{md_escape(exc.one_line())}")
        return
    except Exception as exc:  # a bug of ours, not the user's: keep the page and the answers, log the details
        logging.getLogger(__name__).exception("upload of %r failed", file.name)
        state.flash("error", "**Could not load that file; your answers are unchanged.**  \n"
                             f"{md_escape(file.name)}: the advisor failed to read it ({type(exc).__name__}).")
        return
    state.replace_answers(new, new_title=title)
    st.session_state["step"] = len(kb.sections)  # show what was loaded
    state.flash("success", f"Loaded {len(new)} answers from {md_escape(file.name)}.")


def _clear_all() -> None:
    state.replace_answers({})
    state.checked().clear()
    for key in [k for k in st.session_state if isinstance(k, str) and k.startswith(state.CHECK_PREFIX)]:
        del st.session_state[key]
    st.session_state["step"] = 0


def file_name(answers: dict[str, AnswerValue], suffix: str) -> str:
    name = str(state.get_kb().system_name(answers) or state.title() or "kafka-assessment")
    slug = "".join(c if c.isalnum() else "-" for c in name.lower()).strip("-")
    slug = "-".join(part for part in slug.split("-") if part)[:60] or "kafka-assessment"
    return f"{slug}-{suffix}"


def sidebar(kb: KnowledgeBase, answers: dict[str, AnswerValue], visible: dict[str, list[str]], current: int) -> None:
    with st.sidebar:
        st.subheader("Sections")
        for i, sec in enumerate(kb.sections):
            shown = visible[sec.id]
            done = sum(1 for q in shown if q in answers)
            icon = (":material/remove_circle_outline:" if not shown
                    else ":material/check_circle:" if done == len(shown)
                    else ":material/clock_loader_40:" if done else ":material/radio_button_unchecked:")
            st.button(f"{i + 1}. {sec.title}", key=f"goto_{i}", icon=icon, on_click=_goto, args=(i,),
                      type="primary" if i == current else "tertiary",
                      help=f"{done} of {len(shown)} answered" if shown else "No questions apply to your answers")
        review = len(kb.sections)
        st.button("Review answers", key="goto_review", icon=":material/fact_check:", on_click=_goto, args=(review,),
                  type="primary" if current == review else "tertiary")
        st.divider()
        st.subheader("Save or load")
        frozen = dict(answers)  # the download reflects the answers of the run that drew the button
        title = state.title()
        st.download_button("Download answers (YAML)", data=lambda: answers_yaml(title, effective_answers(kb, frozen)),
                           file_name=file_name(answers, "answers.yaml"), mime="application/x-yaml",
                           icon=":material/download:", on_click="ignore", disabled=not answers, key="download_answers")
        st.file_uploader("Load answers from a YAML file", type=["yaml", "yml"],
                         key=f"upload_{st.session_state.get('upload_n', 0)}", on_change=_uploaded, max_upload_size=1,
                         help="A file downloaded here before, or one written by hand (see examples/).")
        with st.popover("Start over", icon=":material/restart_alt:"):
            st.write("Clear every answer and every ticked checklist item?")
            st.button("Yes, clear everything", on_click=_clear_all, type="primary", key="clear_all")


# --------------------------------------------------------------------------- pages


def review(kb: KnowledgeBase, answers: dict[str, AnswerValue], visible: dict[str, list[str]]) -> None:
    st.header("Review your answers")
    total = sum(len(v) for v in visible.values())
    done = sum(1 for v in visible.values() for q in v if q in answers)
    st.caption(f"{done} of {total} relevant questions answered. Questions that do not apply to your answers are hidden. "
               "Unanswered questions are fine: the advice uses what you know.")
    for i, sec in enumerate(kb.sections):
        with st.container(border=True):
            head, edit = st.columns([5, 1], vertical_alignment="center")
            head.subheader(f"{i + 1}. {sec.title}")
            edit.button("Edit", key=f"edit_{i}", icon=":material/edit:", on_click=_goto, args=(i,))
            lines = [f"- {kb_md(kb.questions[q].text)}  \n  **{answer_md(kb.questions[q], answers.get(q))}**"
                     for q in visible[sec.id]]
            st.markdown("\n".join(lines) if lines else "_No questions apply._")
    left, right = st.columns(2)
    left.button("Back", icon=":material/arrow_back:", on_click=_goto, args=(len(kb.sections) - 1,), key="back")
    if right.button("See the results", icon=":material/insights:", type="primary", key="to_results"):
        state.mirror_to_url(kb)
        st.switch_page(pages.RESULTS)


def wizard_step(kb: KnowledgeBase, answers: dict[str, AnswerValue], visible: dict[str, list[str]], index: int) -> None:
    sec = kb.sections[index]
    st.header(f"{index + 1}. {sec.title}")
    st.caption(kb_md(sec.help))
    for qid in visible[sec.id]:
        render_question(kb.questions[qid], answers)
    left, right = st.columns(2)
    left.button("Back", icon=":material/arrow_back:", on_click=_goto, args=(index - 1,), disabled=index == 0, key="back")
    last = index == len(kb.sections) - 1
    right.button("Review answers" if last else "Next", icon=":material/arrow_forward:", icon_position="right",
                 type="primary", on_click=_goto, args=(index + 1,), key="next")


def render() -> None:
    kb = state.get_kb()
    answers = state.answers()
    steps = len(kb.sections) + 1
    current = min(max(step(), 0), steps - 1)
    visible = visible_by_section(kb, answers)

    sidebar(kb, answers, visible, current)
    st.title("Assess your system")
    state.show_flash()
    name = "Review" if current == steps - 1 else kb.sections[current].title
    st.progress((current + 1) / steps, text=f"Step {current + 1} of {steps}: {name}")
    if current == steps - 1:
        review(kb, answers, visible)
    else:
        wizard_step(kb, answers, visible, current)
    if st.session_state.get("shown_step", current) != current:
        # Streamlit keeps the scroll position across reruns: start a new step at its top. Fixed
        # script, nothing a user typed; the step number makes each one a new element that runs.
        st.html(f"<script>/* step {current} */ document.querySelector('[data-testid=\"stMainBlockContainer\"]')"
                "?.scrollIntoView({block: 'start'});</script>", unsafe_allow_javascript=True)
    st.session_state["shown_step"] = current
    state.mirror_to_url(kb)


if __name__ == "__main__":  # st.navigation runs page files as __main__
    render()
