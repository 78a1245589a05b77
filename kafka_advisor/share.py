"""Answers <-> URL query parameters, so a link reproduces an assessment.

One parameter per answered question, named by its id:

- single and text: the option value or the text itself
- multi: option values joined by commas (option values never contain a comma)
- bool: ``true`` / ``false``, and ``unsure`` on a question that offers "Not sure"
- number: the number as written by Python (``25``, ``2.5``)

Reading is forgiving and never raises: every parameter that is unknown or does not fit its
question is left out and reported as one readable line. The lines are plain text that quotes the
link (names and values cut to a readable length); whoever shows them escapes them for the medium.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .loader import KnowledgeBase, bool_choices, check_answer
from .model import UNSURE, AnswerValue, Question
from .yamlsource import show

# Parameters that belong to navigation or to Streamlit itself, not to answers.
RESERVED: frozenset[str] = frozenset({"pattern", "embed", "embed_options"})

_TRUE = {"true", "yes", "1", "on"}
_FALSE = {"false", "no", "0", "off"}


def encode_answer(q: Question, value: AnswerValue) -> str:
    """One answer as the text of its query parameter."""
    if q.type == "multi":
        return ",".join(value) if isinstance(value, list) else str(value)
    if q.type == "bool":
        if value == UNSURE:
            return UNSURE
        return "true" if value else "false"
    if q.type == "number" and isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def answers_to_query(kb: KnowledgeBase, answers: Mapping[str, AnswerValue]) -> dict[str, str]:
    """Answers -> query parameters, in questionnaire order; unknown ids and empty answers are left out."""
    out: dict[str, str] = {}
    for qid, q in kb.questions.items():
        value = answers.get(qid)
        if value is None or value == [] or value == "":
            continue
        out[qid] = encode_answer(q, value)
    return out


def _decode(q: Question, raw: str) -> tuple[Any, str | None]:
    """Query text -> a value that check_answer can judge, or a problem."""
    if q.type == "multi":
        return [part.strip() for part in raw.split(",") if part.strip()], None
    if q.type == "bool":
        low = raw.strip().lower()
        if low in _TRUE:
            return True, None
        if low in _FALSE:
            return False, None
        if low == UNSURE:
            return UNSURE, None  # check_answer refuses it on a question that offers no Not sure
        return None, f"got {show(raw)}, expected {bool_choices(q)}"
    if q.type == "number":
        text = raw.strip()
        try:
            return int(text), None
        except ValueError:
            pass
        try:
            return float(text), None
        except ValueError:
            return None, f"got {show(raw)}, expected a number"
    return raw, None


def answers_from_query(kb: KnowledgeBase, params: Mapping[str, str | list[str]]) -> tuple[dict[str, AnswerValue], list[str]]:
    """Query parameters -> (valid answers in questionnaire order, one line per ignored parameter)."""
    found: dict[str, AnswerValue] = {}
    errors: list[str] = []
    for key, raw in params.items():
        if key in RESERVED:
            continue
        q = kb.questions.get(key)
        if q is None:
            errors.append(f"Link parameter {show(key)} is not a question of this questionnaire; it was ignored.")
            continue
        if isinstance(raw, list):  # a repeated parameter: the last one wins, as in a browser
            raw = raw[-1] if raw else ""
        if raw == "":
            continue
        value, problem = _decode(q, raw)
        if problem is None:
            if value == []:
                continue
            value, problem = check_answer(q, value)
        if problem is not None:
            errors.append(f"Link parameter {show(key)}: {problem}; it was ignored.")
            continue
        found[key] = value
    order = {qid: i for i, qid in enumerate(kb.questions)}
    return dict(sorted(found.items(), key=lambda kv: order[kv[0]])), errors
