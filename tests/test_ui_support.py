"""Helpers for the AppTest suites (test_ui_*.py): start the app, answer questions, read text.

Holds no tests itself; it sits beside them so that every UI test drives the app the same way.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from streamlit.testing.v1 import AppTest

from kafka_advisor.engine import visible_questions
from kafka_advisor.loader import KnowledgeBase, load_answers_file
from kafka_advisor.model import AnswerValue

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
ASSESS = "kafka_advisor/ui/assess.py"
RESULTS = "kafka_advisor/ui/results.py"
CATALOGUE = "kafka_advisor/ui/catalogue.py"
GOOD = ROOT / "examples" / "order-platform-good-fit.yaml"
POOR = ROOT / "examples" / "crud-app-poor-fit.yaml"


def new_app() -> AppTest:
    return AppTest.from_file(APP, default_timeout=30)


def scenario(kb: KnowledgeBase, path: Path) -> dict[str, AnswerValue]:
    return load_answers_file(kb, path)[1]


def ok(at: AppTest) -> AppTest:
    """The run raised nothing: Streamlit shows an exception element instead of raising."""
    assert not at.exception, [e.message for e in at.exception]
    return at


def run(at: AppTest) -> AppTest:
    return ok(at.run())


def set_answer(at: AppTest, kb: KnowledgeBase, qid: str, value: AnswerValue | None) -> None:
    """Put a value into a question's widget the way a user would (no run)."""
    q = kb.questions[qid]
    key = f"q__{qid}"
    if q.type in ("single", "bool"):
        at.radio(key=key).set_value(value)
    elif q.type == "multi":
        at.pills(key=key).set_value(list(value) if isinstance(value, list) else [])
    elif q.type == "number":
        at.number_input(key=key).set_value(value)
    else:
        at.text_input(key=key).input("" if value is None else str(value))


def widget_value(at: AppTest, kb: KnowledgeBase, qid: str) -> Any:
    q = kb.questions[qid]
    key = f"q__{qid}"
    if q.type in ("single", "bool"):
        return at.radio(key=key).value
    if q.type == "multi":
        return at.pills(key=key).value
    if q.type == "number":
        return at.number_input(key=key).value
    return at.text_input(key=key).value


def section_questions(kb: KnowledgeBase, section: str, answers: Mapping[str, AnswerValue]) -> list[str]:
    return [q for q in visible_questions(kb, answers) if kb.section_of[q] == section]


def walk(at: AppTest, kb: KnowledgeBase, answers: Mapping[str, AnswerValue]) -> Iterator[int]:
    """Answer each step through its widgets and press Next; yields each step index once answered."""
    for i, section in enumerate(kb.sections):
        assert at.header[0].value == f"{i + 1}. {section.title}"
        for qid in section_questions(kb, section.id, answers):
            if qid in answers:
                set_answer(at, kb, qid, answers[qid])
                run(at)
        yield i
        at.button(key="next").click()
        run(at)


def texts(at: AppTest) -> str:
    """Everything a user reads on the page, as one string."""
    parts: list[str] = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "success", "warning", "error", "info", "code"):
        parts += [str(e.value) for e in at.get(kind)]
    parts += [e.label for e in at.get("expander")]
    parts += [c.label for c in at.checkbox]
    parts += [str(e.proto.label) for e in at.get("page_link")]
    return "\n".join(parts)
