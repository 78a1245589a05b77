"""Answers <-> URL query parameters, so a link reproduces an assessment.

One parameter per answered question, named by its id:

- single and text: the option value or the text itself
- multi: option values joined by commas (option values never contain a comma)
- bool: ``true`` / ``false``, and ``unsure`` on a question that offers "Not sure"
- number: the number as written by Python (``25``, ``2.5``)

The system inventory, when there is one, travels as one more parameter, ``inv``: its answers-file
form (``inventory.to_data``) as compact JSON, compressed with zlib and written in URL-safe base64
without padding.

Reading is forgiving and never raises: every parameter that is unknown or does not fit its
question is left out and reported as one readable line. The lines are plain text that quotes the
link (names and values cut to a readable length); whoever shows them escapes them for the medium.
"""

from __future__ import annotations

import base64
import binascii
import json
import zlib
from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from .inventory import Inventory, from_data, to_data
from .loader import KnowledgeBase, bool_choices, check_answer
from .model import UNSURE, AnswerValue, Question
from .yamlsource import shorten, show

INVENTORY_PARAM = "inv"
# Parameters that belong to navigation, to Streamlit itself or to the inventory, not to answers.
RESERVED: frozenset[str] = frozenset({"pattern", "embed", "embed_options", INVENTORY_PARAM})
MAX_INVENTORY_JSON = 64 * 1024  # bytes of JSON a link may unpack to: a 200-service inventory is far below
MAX_INVENTORY_PARAM = 96 * 1024  # characters of the parameter itself, read before anything is decoded

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


# --------------------------------------------------------------------------- the inventory


def inventory_to_param(inv: Inventory) -> str:
    """The inventory as the text of the ``inv`` parameter: compact JSON, zlib, URL-safe base64, no padding."""
    text = json.dumps(to_data(inv), ensure_ascii=False, separators=(",", ":"), sort_keys=False)
    packed = zlib.compress(text.encode("utf-8"), 9)
    return base64.urlsafe_b64encode(packed).decode("ascii").rstrip("=")


def inventory_from_param(raw: str | list[str] | None) -> tuple[Inventory | None, str | None]:
    """The ``inv`` parameter -> (inventory, None), or (None, one readable line saying why it was ignored).

    Never raises. An empty parameter, or one that holds an empty inventory, is no inventory and no problem.
    """
    if isinstance(raw, list):  # a repeated parameter: the last one wins, as for answers
        raw = raw[-1] if raw else None
    if raw is None or not raw.strip():
        return None, None
    found = _decode_inventory(raw.strip())
    if isinstance(found, Inventory):
        return (None if found.is_empty() else found), None
    return None, f"Link parameter {show(INVENTORY_PARAM)}: {found}; it was ignored."


def _decode_inventory(text: str) -> Inventory | str:
    """The inventory a parameter holds, or what is wrong with it (plain words, user text quoted and cut)."""
    if len(text) > MAX_INVENTORY_PARAM:
        return f"the text is {len(text):,} characters, expected at most {MAX_INVENTORY_PARAM:,}"
    try:
        packed = base64.b64decode(text + "=" * (-len(text) % 4), altchars=b"-_", validate=True)
    except (binascii.Error, ValueError):
        return f"{show(text, 40)} is not URL-safe base64, expected the text of a link made by this advisor"
    unpack = zlib.decompressobj()
    try:
        data = unpack.decompress(packed, MAX_INVENTORY_JSON + 1)  # never more than the cap, whatever it claims
    except zlib.error:
        return "the data is not zlib-compressed, expected the text of a link made by this advisor"
    if len(data) > MAX_INVENTORY_JSON or unpack.unconsumed_tail:
        return f"the data unpacks to more than {MAX_INVENTORY_JSON:,} bytes, expected a smaller inventory"
    if not unpack.eof:
        return "the data is cut short, expected the whole link (was it copied in full?)"
    try:
        doc = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):  # json.JSONDecodeError is a ValueError
        return "the data is not JSON, expected the text of a link made by this advisor"
    try:
        return from_data(doc)
    except ValidationError as exc:
        return _validation_line(exc)


def _validation_line(exc: ValidationError) -> str:
    errors = exc.errors(include_url=False)
    first = errors[0]
    where = _where(tuple(first["loc"]))
    msg = str(first["msg"]).removeprefix("Value error, ")
    msg = msg[:1].lower() + msg[1:]
    more = f" (and {len(errors) - 1} more problem{'s' * (len(errors) > 2)})" if len(errors) > 1 else ""
    line = f"{where}: {msg}" if where else msg
    return f"the inventory does not fit: {shorten(line, 160)}{more}"


def _where(loc: tuple[Any, ...]) -> str:
    """('services', 2, 'produces', 0) -> 'service 3, produces 1': counted from 1, as a reader counts."""
    words = {"services": "service", "externals": "external system"}
    out: list[str] = []
    for part in loc:
        if isinstance(part, int) and out:
            out[-1] += f" {part + 1}"
        else:
            out.append(words.get(str(part), str(part)))
    return ", ".join(out)
