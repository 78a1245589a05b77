"""Bidi and zero-width characters in user text: no output shows them raw, and no answer loses them.

Every export format is rendered once from answers whose text fields (system name, source database, the
answers file's title) hold each format control, then searched for the raw characters. Text formats must
show a visible <U+XXXX> marker instead; ordinary non-ASCII text must come through untouched.
"""

from __future__ import annotations

import io
import json
import re
import subprocess
import unicodedata
import zipfile
from html import unescape
from pathlib import Path

import pytest

from kafka_advisor.diagram import FORMAT_CONTROLS, one_line
from kafka_advisor.engine import evaluate
from kafka_advisor.exports import EXPORTERS, ExportContext, export
from kafka_advisor.loader import KnowledgeBase, answers_yaml, check_answer, load_answers_file, parse_answers_bytes
from kafka_advisor.ui.style import md_escape

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "retail-data-mesh-good-fit.yaml"  # asks for, and draws, both text answers
# The characters the security review named: bidi marks, embeddings, overrides and isolates, zero-width
# space / joiners, word joiner and invisible operators, the byte order mark.
NAMED = "\u061c\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2060\u2061\u2062\u2063\u2064" \
        "\u2066\u2067\u2068\u2069\ufeff"
# Other format controls: soft hyphen, Arabic number sign, Mongolian vowel separator, deprecated format
# characters, interlinear annotation, shorthand and musical format controls, tag characters.
OTHERS = "\u00ad\u0600\u180e\u206a\u206f\ufff9\ufffb\U0001bca0\U0001d173\U000e0001\U000e0041\U000e007f"
KEEP = "Zürich 東京"  # ordinary non-ASCII text, which every output keeps
SYSTEM = f"{KEEP} {NAMED}"  # 31 characters: within the question's limit of 80
DATABASE = f"db {OTHERS}"
TITLE = f"Title {NAMED}{OTHERS} end"
SHOWS_NAMES = ("md", "html", "adr", "json", "dot", "svg")  # formats that print the system name itself


def _marker(ch: str) -> str:
    return f"U+{ord(ch):04X}"  # as <U+202E>; each format escapes the brackets its own way


@pytest.fixture(scope="module")
def ctx(kb: KnowledgeBase) -> ExportContext:
    answers = dict(load_answers_file(kb, EXAMPLE)[1])
    for qid, text in (("system_name", SYSTEM), ("source_db_name", DATABASE)):
        value, problem = check_answer(kb.questions[qid], text)  # the app would accept these as typed
        assert problem is None and value == text
        answers[qid] = value
    report = evaluate(kb, answers, with_what_if=True)
    assert report.answers["source_db_name"] == DATABASE, "the example must keep the source database question"
    return ExportContext(report=report, kb=kb, title=TITLE, checked=frozenset(i.id for i in report.checklist[:2]))


@pytest.fixture(scope="module")
def rendered(ctx: ExportContext) -> dict[str, bytes]:
    return {name: export(name, ctx) for name in EXPORTERS}


def _unescape(markdown: str) -> str:
    return re.sub(r"\\(.)", r"\1", markdown)  # what Markdown shows of backslash escapes


def _raw(text: str) -> list[str]:
    return sorted({f"U+{ord(c):04X}" for c in FORMAT_CONTROLS.findall(text)})


# --------------------------------------------------------------------------- the character class


def test_the_class_is_every_format_control_of_this_pythons_unicode() -> None:
    cf = [c for c in range(0x110000) if unicodedata.category(chr(c)) == "Cf"]
    assert len(cf) > 150 and all(FORMAT_CONTROLS.fullmatch(chr(c)) for c in cf)
    extra = [c for c in range(0x110000) if FORMAT_CONTROLS.fullmatch(chr(c)) and unicodedata.category(chr(c)) != "Cf"]
    # The class follows a newer Unicode than some Pythons: the rest must be unassigned here, never a letter.
    assert all(unicodedata.category(chr(c)) == "Cn" for c in extra), [hex(c) for c in extra]


def test_one_line_makes_each_control_visible_and_keeps_ordinary_text() -> None:
    shown = one_line(f"{KEEP}\u202eabc\u2066x\u2069\U000e0041\n\tend")
    assert shown == f"{KEEP}<U+202E>abc<U+2066>x<U+2069><U+E0041> end"
    assert one_line("👩\u200d💻") == "👩<U+200D>💻"  # a visible cost of the rule: emoji sequences show their joiner


@pytest.mark.parametrize("ch", NAMED + OTHERS, ids=lambda c: f"U+{ord(c):04X}")
def test_streamlit_markdown_escape_shows_a_marker(ch: str) -> None:
    out = md_escape(f"{KEEP}{ch}x")
    assert ch not in out and f"{KEEP}<{_marker(ch)}>x" == _unescape(out)


# --------------------------------------------------------------------------- every export format


def test_every_format_is_covered(rendered: dict[str, bytes]) -> None:
    assert set(rendered) == set(EXPORTERS) >= {"md", "json", "csv", "html", "pdf", "adr", "tasks", "zip", "dot", "svg", "png"}


@pytest.mark.parametrize("name", ["md", "json", "csv", "html", "adr", "tasks", "dot", "svg"])
def test_no_text_format_holds_a_raw_control(rendered: dict[str, bytes], name: str) -> None:
    text = rendered[name].decode("utf-8")
    assert _raw(text) == [], f"{name} holds raw format controls"
    if name in ("dot", "svg"):  # labels are wrapped (and cut at 90 characters): read them line after line
        text = "".join(re.findall(r">([^<>]*)</text>", text)) if name == "svg" else text.replace("<BR/>", "")
    shown = unescape(text)  # html, svg and dot spell < and > as entities
    if name in SHOWS_NAMES:
        assert KEEP in shown
        assert all(_marker(c) in shown for c in NAMED[:8]), f"{name} hides that the name held controls"
    if name in ("md", "html", "adr", "tasks", "json"):  # the answers file's title, in full
        assert "Title" in shown and all(_marker(c) in shown for c in NAMED + OTHERS)
    if name in ("dot", "svg"):  # the source database's node
        assert all(_marker(c) in shown for c in OTHERS[:6])


def test_json_keeps_the_answers_exactly_as_typed(rendered: dict[str, bytes]) -> None:
    text = rendered["json"].decode("utf-8")
    assert "\\u202e" in text and KEEP in text  # escaped controls, readable letters
    doc = json.loads(text)
    assert doc["answers"]["system_name"] == SYSTEM and doc["answers"]["source_db_name"] == DATABASE
    assert doc["title"] == one_line(TITLE)  # the display title, as every other format shows it


def test_pdf_text_shows_markers_and_no_control(rendered: dict[str, bytes], tmp_path: Path) -> None:
    pdf = tmp_path / "r.pdf"
    pdf.write_bytes(rendered["pdf"])
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, check=True).stdout.decode()
    assert _raw(text) == []
    assert KEEP in text and "<U+061C>" in text and "<U+202E>" in text


def test_png_is_drawn_from_the_neutral_diagram(rendered: dict[str, bytes], ctx: ExportContext) -> None:
    # A picture has no characters to search: it is dot's drawing of the DOT checked above.
    from kafka_advisor.exports.common import diagram_dot

    assert rendered["png"].startswith(b"\x89PNG") and _raw(diagram_dot(ctx)) == []


def test_zip_members_hold_no_raw_control_but_the_answers_file_keeps_them(rendered: dict[str, bytes],
                                                                          kb: KnowledgeBase) -> None:
    archive = zipfile.ZipFile(io.BytesIO(rendered["zip"]))
    names = archive.namelist()
    assert any(n.endswith("report.md") for n in names) and any(n.endswith("diagram.svg") for n in names)
    for member in names:
        if member.endswith((".md", ".json", ".csv", ".html", ".dot", ".svg")):
            assert _raw(archive.read(member).decode("utf-8")) == [], member
    # answers.yaml is the user's data, for loading again: it must give back what was typed, controls and all.
    saved = next(n for n in names if n.endswith("answers.yaml"))
    title, answers = parse_answers_bytes(kb, archive.read(saved), "answers.yaml")
    assert answers["system_name"] == SYSTEM and answers["source_db_name"] == DATABASE and title == TITLE


def test_the_answers_download_round_trips_every_control(ctx: ExportContext, kb: KnowledgeBase) -> None:
    text = answers_yaml(TITLE, dict(ctx.report.answers))
    title, answers = parse_answers_bytes(kb, text.encode("utf-8"), "answers.yaml")
    assert (title, answers["system_name"], answers["source_db_name"]) == (TITLE, SYSTEM, DATABASE)


def test_ordinary_text_passes_every_cleaner_unchanged() -> None:
    for text in (KEEP, "Orders & Billing, v2 = 50%", "مرحبا שלום", "naïve café"):
        assert one_line(text) == text
        assert _unescape(md_escape(text)) == text  # only backslashes were added


# --------------------------------------------------------------------------- Streamlit Markdown: the rules

# Outside code spans, Streamlit rewrites text after the escapes are decoded: autolinks need "://", "www." or "@";
# :material_x:, :streamlit: and :emoji: need a colon followed by a letter. None may be left in plain text.
REWRITTEN = re.compile(r":\S|www\.|@", re.IGNORECASE)
CODE_SPAN = re.compile(r"(`+) ?.*? ?\1")


@pytest.mark.parametrize("text", ["[a](https://x.invalid)", ":smile:", "x:material/warning:", ":streamlit:", "a -> b",
                                  "www.x.invalid", "me@x.invalid", "`a``b`:", "10:30:00", "a:+1:b"])
def test_words_streamlit_would_rewrite_become_code_spans(text: str) -> None:
    out = md_escape(text)
    plain = _unescape(CODE_SPAN.sub(" ", out))
    assert "`" in out and REWRITTEN.search(plain) is None, plain
    assert ":material/" not in out  # rewritten in the raw source, even inside code


def test_code_spans_keep_backticks_and_plain_words_keep_their_look() -> None:
    assert md_escape("a:`b`") == "`` a:`b` ``"  # a longer fence, padded: CommonMark strips the two spaces
    assert md_escape("x:material/warning:") == r"`x`\:`material/warning:`"  # Streamlit rewrites ':material/'
    assert md_escape("service_count: _x_ *y* &amp; #1.") == r"service_count\: \_x\_ \*y\* \&amp; \#1\."
    assert md_escape("line\nbreak\r\n  and\ttab") == "line break and tab"
