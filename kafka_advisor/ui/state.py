"""Session state, the knowledge base, and the URL mirror of the answers.

Answers live in one plain dict, ``st.session_state["answers"]``. Widgets get their value from it
and write back through ``on_change``: Streamlit drops a widget's keyed value one run after the
widget stops rendering, so keeping answers only under widget keys would lose earlier steps.

The system inventory, when the user gave one, is ``st.session_state["inventory"]`` (an
``Inventory``, or None). The answers it implies are never stored among the user's own: they are
derived again wherever they are needed (``derived``, ``merged_answers``), so editing the inventory
updates them, and removing it brings the user's own answers back.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Callable
from typing import Any, TypeVar

import streamlit as st

from kafka_advisor.engine import effective_answers, evaluate
from kafka_advisor.inventory import Inventory, summary_of
from kafka_advisor.loader import DEFAULT_ROOT, KnowledgeBase, KnowledgeBaseError, load_kb
from kafka_advisor.model import AnswerValue, Report
from kafka_advisor.share import (
    INVENTORY_PARAM,
    RESERVED,
    answers_from_query,
    answers_to_query,
    inventory_from_param,
    inventory_to_param,
)
from kafka_advisor.ui.style import md_escape

ROOT_ENV = "KAFKA_ADVISOR_ROOT"  # lets tests point the app at another knowledge base
WIDGET_PREFIX = "q__"  # session keys of question widgets
CHECK_PREFIX = "chk__"  # session keys of checklist checkboxes
INVENTORY = "inventory"  # session key of the Inventory in effect (or None)
EDITOR_ROWS = "inv_rows"  # the inventory editor's tables as the user left them, valid or not
EDITOR_GEN = "inv_gen"  # part of the editor widgets' keys: a new number gives fresh tables
T = TypeVar("T")
_KEEP: Any = object()  # replace_answers: leave the inventory as it is


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


def prefs() -> dict[str, bool]:
    """Display choices that the exports follow (such as drawing discouraged patterns); a plain dict, so a
    deferred download reads it live."""
    return st.session_state.setdefault("prefs", {})


def checked() -> set[str]:
    return st.session_state.setdefault("checked", set())


def title() -> str | None:
    return st.session_state.get("title")


def replace_answers(new: dict[str, AnswerValue], *, new_title: str | None = None,
                    new_inventory: Inventory | None = _KEEP) -> None:
    """Swap in a whole set of answers (file upload, share link, what-if) and reseed every widget.

    The inventory stays as it is unless `new_inventory` is given (None removes it).
    """
    current = answers()
    current.clear()
    current.update(new)
    st.session_state["title"] = new_title
    if new_inventory is not _KEEP:
        replace_inventory(new_inventory)
    forget_widgets()


# --------------------------------------------------------------------------- inventory


def inventory() -> Inventory | None:
    """The inventory in effect: the last valid one the user gave (an empty one counts as none)."""
    return st.session_state.get(INVENTORY)


def replace_inventory(new: Inventory | None, *, from_editor: bool = False) -> None:
    """Put an inventory in effect. From anywhere but the editor (a file, a link, Start over, the
    example) the editor's tables start again from it; the editor itself keeps the rows the user typed."""
    st.session_state[INVENTORY] = None if new is None or new.is_empty() else new
    if not from_editor:
        st.session_state.pop(EDITOR_ROWS, None)
        st.session_state[EDITOR_GEN] = st.session_state.get(EDITOR_GEN, 0) + 1


def derived(kb: KnowledgeBase) -> dict[str, AnswerValue]:
    """{question id: answer} that the inventory gives; those questions are not asked."""
    return kb.derived_from(inventory())


def merged_answers(kb: KnowledgeBase) -> dict[str, AnswerValue]:
    """The user's answers with the inventory's on top, as the engine sees them."""
    return {**answers(), **derived(kb)}


def shared_answers(kb: KnowledgeBase) -> dict[str, AnswerValue]:
    """What a file or a link saves next to the inventory: the relevant answers, minus the ones the
    inventory gives (a saved file must not disagree with its own inventory)."""
    given = derived(kb)
    return {q: v for q, v in effective_answers(kb, merged_answers(kb)).items() if q not in given}


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


MIRRORED = "url_mirrored"  # the query this session last wrote to the address bar


def _link_part(query: dict[str, str]) -> dict[str, str]:
    """The part of a query that is the assessment: answers and the inventory, not navigation."""
    return {k: v for k, v in query.items() if k not in RESERVED or k == INVENTORY_PARAM}


def import_from_url(kb: KnowledgeBase) -> None:
    """Answers (and the inventory) from the address bar: once from the link the user opened, and again
    whenever the browser's Back or Forward brings an address this session did not just write.

    Every change of answers writes a new address (Streamlit pushes it onto the browser history), so Back
    after a what-if Apply, or after any edit, returns to the answers before it.
    """
    query = _link_part(st.query_params.to_dict())
    first = not st.session_state.get("url_read")
    st.session_state["url_read"] = True
    if not first:
        mirrored = st.session_state.get(MIRRORED)
        if not query or mirrored is None or query == mirrored:
            return  # our own address, or a page without answers in it (the catalogue)
    params = {k: v for k, v in query.items() if k not in RESERVED}
    found, errors = answers_from_query(kb, params) if params else ({}, [])
    inv, problem = inventory_from_param(query.get(INVENTORY_PARAM))
    if problem:
        errors.append(problem)
    if found or inv is not None:
        replace_answers(found, new_inventory=inv)
        if first:
            what = [f"{len(found)} answers"] if found else []
            what += [f"the system inventory ({summary_of(inv)})"] if inv is not None else []
            flash("success", f"Loaded {' and '.join(what)} from the link.")
        else:
            flash("info", "Back to the answers of that page in your browser history.")
        st.session_state[MIRRORED] = query
    if errors:
        # Each line quotes the link's own text (parameter names and values): shown as text, never as Markdown.
        shown = "\n".join(f"- {md_escape(e)}" for e in errors[:5])
        more = f"\n- … and {len(errors) - 5} more" if len(errors) > 5 else ""
        flash("warning", f"Some parts of the link were not understood:\n{shown}{more}")


def mirror_to_url(kb: KnowledgeBase) -> None:
    """Keep the address bar equal to the current answers, so the link reproduces them."""
    wanted = share_query(kb)
    if st.query_params.to_dict() != wanted:  # writing sends a message: only when it changed
        st.query_params.from_dict(wanted)
    st.session_state[MIRRORED] = wanted


def share_query(kb: KnowledgeBase) -> dict[str, str]:
    """The query parameters of a link to this assessment: the answers, and the inventory as `inv`."""
    def make() -> dict[str, str]:
        query = answers_to_query(kb, shared_answers(kb))
        inv = inventory()
        if inv is not None:
            query[INVENTORY_PARAM] = inventory_to_param(inv)
        return query

    return dict(memo("share_query", state_key(), make))  # every run mirrors it: compress once per change


# --------------------------------------------------------------------------- report


def report(kb: KnowledgeBase) -> Report:
    """The report for the current answers and inventory, computed once per distinct pair."""
    return memo("report", state_key(),
                lambda: evaluate(kb, answers(), with_what_if=True, inventory=inventory()))


def memo(name: str, key: Any, make: Callable[[], T]) -> T:
    """One value per session and key (such as the DOT for a report), recomputed when the key changes."""
    cached: tuple[Any, T] | None = st.session_state.get(f"memo_{name}")
    if cached is not None and cached[0] == key:
        return cached[1]
    value = make()
    st.session_state[f"memo_{name}"] = (key, value)
    return value


def state_key() -> tuple[Any, ...]:
    """Equal exactly when the report would be: the answers and the inventory in effect."""
    inv = inventory()
    return _freeze(answers()), (inv.model_dump_json() if inv is not None else None)


def answers_key() -> tuple[Any, ...]:
    """The key of memos that follow the report (the diagram, a prepared export): the same as state_key,
    so a changed inventory recomputes them too."""
    return state_key()


def _freeze(answers_: dict[str, AnswerValue]) -> tuple[tuple[str, Any], ...]:
    return tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in answers_.items()))
