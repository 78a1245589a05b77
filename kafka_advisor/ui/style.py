"""One table of labels, icons and colours, and the formatting every page shares.

Nothing here renders raw ids or Python reprs: answers become option labels, levels and
severities become words with a fixed icon and colour, and user text is escaped for Markdown.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kafka_advisor.chapter import SECTIONS
from kafka_advisor.model import AnswerValue, Question


@dataclass(frozen=True)
class Look:
    label: str
    icon: str  # a Material icon, as Streamlit spells it
    colour: str  # a Streamlit colour name: works in light and dark themes


LEVELS: dict[str, Look] = {
    "good-fit": Look("Good fit", ":material/check_circle:", "green"),
    "fit-with-caveats": Look("Fit with caveats", ":material/warning:", "orange"),
    "poor-fit": Look("Poor fit", ":material/cancel:", "red"),
}

SEVERITIES: dict[str, Look] = {
    "high": Look("High", ":material/priority_high:", "red"),
    "medium": Look("Medium", ":material/error:", "orange"),
    "low": Look("Low", ":material/info:", "blue"),
}

PAGE_ICONS = {
    "assess": ":material/checklist_rtl:",
    "results": ":material/insights:",
    "catalogue": ":material/menu_book:",
}

# Markdown and Streamlit's own syntax ($ math, :colour[...], :emoji:) in text a user typed.
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+\-.!|$~:=])")


def md_escape(text: str) -> str:
    """User-typed text, shown literally inside Markdown (no links, images, math or markup)."""
    return _MD_SPECIAL.sub(r"\\\1", text).replace("\n", " ")


def kb_md(text: str) -> str:
    """Knowledge-base text as Markdown: authors may use `code`, but `$` must not start math."""
    return text.replace("$", r"\$")


def level_label(level: str) -> str:
    return LEVELS[level].label


def level_md(level: str) -> str:
    look = LEVELS[level]
    return f":{look.colour}[{look.icon} **{look.label}**]"


def severity_md(severity: str) -> str:
    """A coloured badge for a severity, inline in Markdown."""
    look = SEVERITIES[severity]
    return f":{look.colour}-badge[{look.icon} {look.label}]"


def section_title(ref: str) -> str:
    title = SECTIONS.get(ref)
    return f"{ref} {title}" if title else ref


def format_number(value: float | int) -> str:
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,}"
    return f"{int(value):,}"


def format_answer(q: Question, value: AnswerValue | None) -> str:
    """An answer as the words a user picked (labels, Yes/No, units); plain text, not Markdown."""
    if value is None or value == []:
        return "not answered"
    if q.type == "single" and isinstance(value, str):
        return q.label_of(value)
    if q.type == "multi" and isinstance(value, list):
        return "; ".join(q.label_of(v) for v in value)
    if q.type == "bool":
        return "Yes" if value else "No"
    if q.type == "number" and isinstance(value, int | float) and not isinstance(value, bool):
        unit = q.unit or ""
        if value == 1 and len(unit) > 2 and unit.endswith("s") and not unit.endswith("ss"):
            unit = unit[:-1]  # "1 service", but "1 ms"
        return f"{format_number(value)} {unit}".rstrip()
    return str(value)


def answer_md(q: Question, value: AnswerValue | None) -> str:
    """An answer for Markdown: escaped, and set in italics when missing."""
    if value is None or value == []:
        return "_not answered_"
    return md_escape(format_answer(q, value))
