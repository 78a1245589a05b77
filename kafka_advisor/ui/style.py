"""One table of labels, icons and colours, and the formatting every page shares.

Nothing here renders raw ids or Python reprs: answers become option labels, levels and
severities become words with a fixed icon and colour, and user text is escaped for Markdown.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kafka_advisor import present
from kafka_advisor.chapter import SECTIONS
from kafka_advisor.diagram import one_line
from kafka_advisor.model import UNSURE, AnswerValue, Question


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

# ASCII punctuation that CommonMark, GFM or Streamlit acts on: links, images, code, emphasis, ~strike~, <html> and
# <autolinks>, &entities; (&#x202E; would bring a bidi override back), headings, lists, tables, $math$, and the
# :directive[...]{...} syntax of colours and badges. A backslash before any ASCII punctuation is valid CommonMark.
# "_" between letters or digits is left alone: it cannot open or close emphasis there, and ids stay readable.
_MD_SPECIAL = re.compile(r"[\\`*{}\[\]<>()#+\-.!|$~:=&]|_+")
# Some of Streamlit's Markdown works on the text after the escapes are decoded, so a backslash cannot stop it:
# GFM autolinks (https://..., www...., user@host), :material_icon:, :streamlit:, :emoji: shortcodes, and the
# typographic arrows. A word that could take part in one is shown as an inline code span, where nothing is
# interpreted. A colon that ends a word is safe (each of those needs a character right after the colon).
_LITERAL_WORD = re.compile(r":\S|@|www\.", re.IGNORECASE)
_ARROWS = frozenset({"<->", "->", "<-", "--", ">=", "<=", "~="})  # replaced only as words of their own


def _code_span(text: str) -> str:
    fence = "`" * (max((len(run) for run in re.findall("`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""  # CommonMark strips one space each side
    return f"{fence}{pad}{text}{pad}{fence}"


def _literal_word(word: str) -> str:
    # Streamlit rewrites ":material/" to ":material_" in the raw source, even inside code: that colon goes outside.
    first, *rest = word.split(":material/")
    return (_code_span(first) if first else "") + "".join("\\:" + _code_span("material/" + part) for part in rest)


def md_escape(text: str) -> str:
    """Text from a user, a link or a file, shown literally inside Streamlit Markdown: no links, images, math,
    colours, icons or emoji; one line; format controls (bidi, zero-width) as visible <U+XXXX> markers.

    Put it where no letter or digit directly follows (``**{x}**``, ``{x}.``, ``{x}: ...``): a following
    ``word:`` could pair with a colon at the end of the text into an emoji shortcode.
    """
    words = []
    for word in one_line(text).split(" "):
        if word in _ARROWS or _LITERAL_WORD.search(word):
            words.append(_literal_word(word))
        else:
            words.append(_MD_SPECIAL.sub(_backslash, word))
    return " ".join(words)


def _backslash(m: re.Match[str]) -> str:
    text, start, end = m.string, m.start(), m.end()
    if m.group()[0] == "_" and start > 0 and end < len(text) and text[start - 1].isalnum() and text[end].isalnum():
        return m.group()  # snake_case: an underscore run inside a word is never emphasis
    return "".join("\\" + c for c in m.group())


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


# The words of a yes/no answer; "unsure" is the Not sure of a bool question with `unsure: true`.
BOOL_LABELS: dict[bool | str, str] = {True: "Yes", False: "No", UNSURE: "Not sure"}


def format_answer(q: Question, value: AnswerValue | None) -> str:
    """An answer as the words a user picked; plain text. The formatting itself is present.format_answer's."""
    if value is None or value == []:
        return "not answered"
    return present.format_answer(q, value)


def answer_md(q: Question, value: AnswerValue | None) -> str:
    """An answer for Markdown: escaped, and set in italics when missing."""
    if value is None or value == []:
        return "_not answered_"
    return md_escape(format_answer(q, value))
