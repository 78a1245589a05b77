"""Session state, the knowledge base, and the URL mirror of the answers.

Answers live in one plain dict, ``st.session_state["answers"]``. Widgets get their value from it
and write back through ``on_change``: Streamlit drops a widget's keyed value one run after the
widget stops rendering, so keeping answers only under widget keys would lose earlier steps.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Callable
from typing import Any, TypeVar

import streamlit as st

from kafka_advisor.engine import effective_answers, evaluate
from kafka_advisor.loader import DEFAULT_ROOT, KnowledgeBase, KnowledgeBaseError, load_kb
from kafka_advisor.model import AnswerValue, Report
from kafka_advisor.share import RESERVED, answers_from_query, answers_to_query
from kafka_advisor.ui.style import md_escape

ROOT_ENV = "KAFKA_ADVISOR_ROOT"  # lets tests point the app at another knowledge base
WIDGET_PREFIX = "q__"  # session keys of question widgets
CHECK_PREFIX = "chk__"  # session keys of checklist checkboxes
T = TypeVar("T")


@st.cache_resource(show_spinner=False)
def _load(root: str) -> KnowledgeBase:
    # Cached per process: every session shares one read-only knowledge base.
    kb = load_kb(root)
    evaluate(kb, {})  # compile the rule conditions once, here, not in the first user's click
    # Everything alive now (Streamlit, pydantic, the knowledge base) lives as long as the process.
    # Freezing it keeps the cyclic GC from walking those objects again and again: measured here,
    # reruns otherwise spend tens of milliseconds in full collections (see bench/bench_ui.py).
    gc.freeze()
    return kb


def kb_root() -> str:
    return os.environ.get(ROOT_ENV) or str(DEFAULT_ROOT)


def load() -> tuple[KnowledgeBase | None, list[str]]:
    """The knowledge base, or None and the loader's one-line errors."""
    try:
        return _load(kb_root()), []
    except KnowledgeBaseError as exc:
        return None, [e.one_line() for e in exc.errors]


def get_kb() -> KnowledgeBase:
    """The loaded knowledge base; app.py stops the run before any page when loading failed."""
    kb, _ = load()
    assert kb is not None
    return kb


# --------------------------------------------------------------------------- answers


def answers() -> dict[str, AnswerValue]:
    return st.session_state.setdefault("answers", {})


def checked() -> set[str]:
    return st.session_state.setdefault("checked", set())


def title() -> str | None:
    return st.session_state.get("title")


def replace_answers(new: dict[str, AnswerValue], *, new_title: str | None = None) -> None:
    """Swap in a whole set of answers (file upload, share link, what-if) and reseed every widget."""
    current = answers()
    current.clear()
    current.update(new)
    st.session_state["title"] = new_title
    forget_widgets()


def forget_widgets() -> None:
    for key in [k for k in st.session_state if isinstance(k, str) and k.startswith(WIDGET_PREFIX)]:
        del st.session_state[key]


def flash(kind: str, text: str) -> None:
    """A message shown once, on the next render of a page that calls show_flash().

    `text` is Markdown: quote anything from a user, a link or a file through style.md_escape.
    """
    st.session_state.setdefault("flash", []).append((kind, text))


def show_flash() -> None:
    for kind, text in st.session_state.pop("flash", []):
        {"error": st.error, "warning": st.warning, "success": st.success}.get(kind, st.info)(text)


def import_from_url(kb: KnowledgeBase) -> None:
    """Once per session: answers from the link the user opened."""
    if st.session_state.get("url_read"):
        return
    st.session_state["url_read"] = True
    params = {k: v for k, v in st.query_params.to_dict().items() if k not in RESERVED}
    if not params:
        return
    found, errors = answers_from_query(kb, params)
    if found:
        replace_answers(found)
        flash("success", f"Loaded {len(found)} answers from the link.")
    if errors:
        # Each line quotes the link's own text (parameter names and values): shown as text, never as Markdown.
        shown = "\n".join(f"- {md_escape(e)}" for e in errors[:5])
        more = f"\n- … and {len(errors) - 5} more" if len(errors) > 5 else ""
        flash("warning", f"Some parts of the link were not understood:\n{shown}{more}")


def mirror_to_url(kb: KnowledgeBase) -> None:
    """Keep the address bar equal to the current answers, so the link reproduces them."""
    wanted = answers_to_query(kb, effective_answers(kb, answers()))
    if st.query_params.to_dict() != wanted:  # writing sends a message: only when it changed
        st.query_params.from_dict(wanted)


def share_query(kb: KnowledgeBase) -> dict[str, str]:
    return answers_to_query(kb, effective_answers(kb, answers()))


# --------------------------------------------------------------------------- report


def report(kb: KnowledgeBase) -> Report:
    """The report for the current answers, computed once per distinct set of answers."""
    return memo("report", answers_key(), lambda: evaluate(kb, answers(), with_what_if=True))


def memo(name: str, key: Any, make: Callable[[], T]) -> T:
    """One value per session and key (such as the DOT for a report), recomputed when the key changes."""
    cached: tuple[Any, T] | None = st.session_state.get(f"memo_{name}")
    if cached is not None and cached[0] == key:
        return cached[1]
    value = make()
    st.session_state[f"memo_{name}"] = (key, value)
    return value


def answers_key() -> tuple[tuple[str, Any], ...]:
    return _freeze(answers())


def _freeze(answers_: dict[str, AnswerValue]) -> tuple[tuple[str, Any], ...]:
    return tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in answers_.items()))
