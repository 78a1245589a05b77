"""Assess: the questionnaire as a wizard, one section per step, then a review step.

Right after the first section comes the optional step "Your system's parts" (the system
inventory, ui/inventory_editor.py). ``st.session_state["step"]`` is a section's index, INVENTORY_STEP
for that step, or ``len(kb.sections)`` for the review.
"""

from __future__ import annotations

import logging
from typing import Any

import streamlit as st

from kafka_advisor.engine import visible_questions
from kafka_advisor.inventory import Inventory, summary_of
from kafka_advisor.loader import KnowledgeBase, answers_yaml, check_answer, parse_answers_doc_bytes
from kafka_advisor.model import AnswerValue, Question
from kafka_advisor.ui import inventory_editor, pages, state
from kafka_advisor.ui.style import BOOL_LABELS, answer_md, kb_md, md_escape
from kafka_advisor.yamlsource import AdvisorError

# --------------------------------------------------------------------------- steps


INVENTORY_STEP = "inventory"
Step = int | str


def steps(kb: KnowledgeBase) -> list[Step]:
    """The wizard's steps in order: the first section, the inventory, the other sections, the review."""
    sections = list(range(len(kb.sections)))
    return [*sections[:1], INVENTORY_STEP, *sections[1:], len(kb.sections)]


def step(kb: KnowledgeBase) -> Step:
    """The current step; a stale or odd value falls back to the nearest real one."""
    raw = st.session_state.setdefault("step", 0)
    if raw == INVENTORY_STEP:
        return raw
    if isinstance(raw, int) and not isinstance(raw, bool):
        return min(max(raw, 0), len(kb.sections))
    return 0


def _goto(index: Step) -> None:
    st.session_state["step"] = index


def step_name(kb: KnowledgeBase, s: Step) -> str:
    if s == INVENTORY_STEP:
        return inventory_editor.TITLE
    return "Review" if s == len(kb.sections) else kb.sections[int(s)].title


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
        doc = parse_answers_doc_bytes(kb, file.getvalue(), file.name)
    except AdvisorError as exc:
        state.flash("error", f"**Could not load that file; your answers are unchanged.**  \n{md_escape(exc.one_line())}")
        return
    except Exception as exc:  # a bug of ours, not the user's: keep the page and the answers, log the details
        logging.getLogger(__name__).exception("upload of %r failed", file.name)
        state.flash("error", "**Could not load that file; your answers are unchanged.**  \n"
                             f"{md_escape(file.name)}: the advisor failed to read it ({type(exc).__name__}).")
        return
    inv = None if doc.inventory is None or doc.inventory.is_empty() else doc.inventory
    state.replace_answers(doc.answers, new_title=doc.title, new_inventory=inv)  # a file without one removes it
    st.session_state["step"] = len(kb.sections)  # show what was loaded
    parts = f" and the system inventory ({md_escape(summary_of(inv))})" if inv is not None else ""
    state.flash("success", f"Loaded {len(doc.answers)} answers{parts} from {md_escape(file.name)}.")


def _clear_all() -> None:
    state.replace_answers({}, new_inventory=None)
    state.checked().clear()
    for key in [k for k in st.session_state if isinstance(k, str) and k.startswith(state.CHECK_PREFIX)]:
        del st.session_state[key]
    st.session_state["step"] = 0


def file_name(answers: dict[str, AnswerValue], suffix: str) -> str:
    name = str(state.get_kb().system_name(answers) or state.title() or "kafka-assessment")
    slug = "".join(c if c.isalnum() else "-" for c in name.lower()).strip("-")
    slug = "-".join(part for part in slug.split("-") if part)[:60] or "kafka-assessment"
    return f"{slug}-{suffix}"


def download_yaml(title: str | None, answers: dict[str, AnswerValue], inventory: Inventory | None) -> str:
    """What "Download answers" saves: the answers without the ones the inventory gives, and the inventory.
    `answers` are the relevant ones (state.shared_answers); the file reads back to the same assessment."""
    return answers_yaml(title, answers, inventory=inventory)


def _inventory_button(current: Step) -> None:
    inv = state.inventory()
    st.button(inventory_editor.TITLE, key="goto_inventory", on_click=_goto, args=(INVENTORY_STEP,),
              icon=":material/check_circle:" if inv is not None else ":material/radio_button_unchecked:",
              type="primary" if current == INVENTORY_STEP else "tertiary",
              help=f"Optional: {summary_of(inv)}" if inv is not None else "Optional: none listed")


def sidebar(kb: KnowledgeBase, answers: dict[str, AnswerValue], visible: dict[str, list[str]], current: Step) -> None:
    """`answers` are the merged ones (the user's and the inventory's): a derived question counts as answered."""
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
            if i == 0:
                _inventory_button(current)
        review = len(kb.sections)
        st.button("Review answers", key="goto_review", icon=":material/fact_check:", on_click=_goto, args=(review,),
                  type="primary" if current == review else "tertiary")
        st.divider()
        st.subheader("Save or load")
        # The download reflects the answers and inventory of the run that drew the button.
        frozen, inv, title = state.shared_answers(kb), state.inventory(), state.title()
        st.download_button("Download answers (YAML)", data=lambda: download_yaml(title, frozen, inv),
                           file_name=file_name(answers, "answers.yaml"), mime="application/x-yaml",
                           icon=":material/download:", on_click="ignore", disabled=not frozen and inv is None,
                           key="download_answers")
        st.file_uploader("Load answers from a YAML file", type=["yaml", "yml"],
                         key=f"upload_{st.session_state.get('upload_n', 0)}", on_change=_uploaded, max_upload_size=1,
                         help="A file downloaded here before, or one written by hand (see examples/).")
        with st.popover("Start over", icon=":material/restart_alt:"):
            st.write("Clear every answer and every ticked checklist item?")
            st.button("Yes, clear everything", on_click=_clear_all, type="primary", key="clear_all")


# --------------------------------------------------------------------------- pages


def _review_inventory() -> None:
    inv = state.inventory()
    with st.container(border=True):
        head, edit = st.columns([5, 1], vertical_alignment="center")
        head.subheader(inventory_editor.TITLE)
        edit.button("Edit", key="edit_inventory", icon=":material/edit:", on_click=_goto, args=(INVENTORY_STEP,))
        st.markdown(f"**{md_escape(summary_of(inv))}**" if inv is not None
                    else "_None listed: the questions it could answer were asked instead._")


def review(kb: KnowledgeBase, answers: dict[str, AnswerValue], visible: dict[str, list[str]]) -> None:
    """`answers` are the merged ones: the user's, with the inventory's on top."""
    st.header("Review your answers")
    given = state.derived(kb)
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
                     + (" — from your inventory" if q in given else "")
                     for q in visible[sec.id]]
            st.markdown("\n".join(lines) if lines else "_No questions apply._")
        if i == 0:
            _review_inventory()
    left, right = st.columns(2)
    left.button("Back", icon=":material/arrow_back:", on_click=_goto, args=(len(kb.sections) - 1,), key="back")
    if right.button("See the results", icon=":material/insights:", type="primary", key="to_results"):
        state.mirror_to_url(kb)
        st.switch_page(pages.RESULTS)


def _back_next(kb: KnowledgeBase, current: Step) -> None:
    order = steps(kb)
    at = order.index(current)
    left, right = st.columns(2)
    left.button("Back", icon=":material/arrow_back:", on_click=_goto, args=(order[max(at - 1, 0)],), disabled=at == 0,
                key="back")
    after = order[at + 1]
    right.button("Review answers" if after == len(kb.sections) else "Next", icon=":material/arrow_forward:",
                 icon_position="right", type="primary", on_click=_goto, args=(after,), key="next")


def wizard_step(kb: KnowledgeBase, answers: dict[str, AnswerValue], visible: dict[str, list[str]], index: int) -> None:
    sec = kb.sections[index]
    st.header(f"{index + 1}. {sec.title}")
    st.caption(kb_md(sec.help))
    given = state.derived(kb)
    for qid in visible[sec.id]:
        if qid in given:  # the inventory answers it: shown, not asked
            with st.container(border=True, key=f"derived__{qid}"):
                st.markdown(inventory_editor.derived_line(kb, qid, given[qid]))
                st.caption("Change it by editing your system's parts.")
        else:
            render_question(kb.questions[qid], answers)
    _back_next(kb, index)


def render() -> None:
    kb = state.get_kb()
    order = steps(kb)
    current = step(kb)

    st.title("Assess your system")
    state.show_flash()
    at = order.index(current)
    st.progress((at + 1) / len(order), text=f"Step {at + 1} of {len(order)}: {step_name(kb, current)}")
    if current == INVENTORY_STEP:
        inventory_editor.render(kb)  # reads this run's table edits into the state
        _back_next(kb, current)
    elif current == len(kb.sections):
        merged = state.merged_answers(kb)
        review(kb, merged, visible_by_section(kb, merged))
    else:
        merged = state.merged_answers(kb)
        wizard_step(kb, state.answers(), visible_by_section(kb, merged), int(current))
    # After the page: the section list, counts and download follow what this run changed.
    merged = state.merged_answers(kb)
    sidebar(kb, merged, visible_by_section(kb, merged), current)
    if st.session_state.get("shown_step", current) != current:
        # Streamlit keeps the scroll position across reruns: start a new step at its top. Fixed
        # script, nothing a user typed; the step number makes each one a new element that runs.
        st.html(f"<script>/* step {current} */ document.querySelector('[data-testid=\"stMainBlockContainer\"]')"
                "?.scrollIntoView({block: 'start'});</script>", unsafe_allow_javascript=True)
    st.session_state["shown_step"] = current
    state.mirror_to_url(kb)


if __name__ == "__main__":  # st.navigation runs page files as __main__
    render()
