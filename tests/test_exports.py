"""Exporters: the registry, each format's promises, rendering checks and an injection corpus."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
import zipfile
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
import yaml

from kafka_advisor import cli_export
from kafka_advisor.configs import snippet_files
from kafka_advisor.engine import evaluate
from kafka_advisor.exports import EXPORTERS, ExportContext, Exporter, ExportError, export, filename, register
from kafka_advisor.exports.common import one_line
from kafka_advisor.exports.csvfile import safe_cell
from kafka_advisor.loader import KnowledgeBase, load_answers_file, parse_answers_bytes
from kafka_advisor.model import Report, ReportItem, Verdict

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ("order-platform-good-fit", "crud-app-poor-fit")
ORDER = ["md", "json", "csv", "html", "pdf", "adr", "tasks", "zip", "dot", "svg", "png", "strimzi", "asyncapi", "mermaid"]
VERDICT_WORDS = {"good-fit": "Good fit", "fit-with-caveats": "Fit with caveats", "poor-fit": "Poor fit"}
EVIL = [
    'say "hi" and \'bye\'', "{braces} {system_name|x} }{", "<script>alert(1)</script><b>bold</b>", '"]; x [label="pwned"',
    "line one\nline two\r\n\tthree\x00nul", '=HYPERLINK("http://evil.example","click")', "emoji 🚀🔥👩‍💻 ok",
    "RTL \u202eשלום עולם مرحبا", "| pipe | table | --- |", "# heading\n- [x] fake task\n---\nstatus: hacked", "x" * 10_000,
]


@pytest.fixture(autouse=True)
def _fixed_date(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1736899200")  # 2025-01-15


def _context(kb: KnowledgeBase, scenario: str, **overrides: Any) -> ExportContext:
    title, answers = load_answers_file(kb, ROOT / "examples" / f"{scenario}.yaml")
    answers.update(overrides.pop("answers", {}))
    report = evaluate(kb, answers, with_what_if=True)
    checked = frozenset(i.id for i in report.checklist[:3])
    return ExportContext(report=report, kb=kb, checked=checked, title=overrides.pop("title", title), **overrides)


@pytest.fixture(scope="module", params=SCENARIOS)
def ctx(request: pytest.FixtureRequest, kb: KnowledgeBase) -> ExportContext:
    return _context(kb, request.param)


def _squash(text: str) -> str:
    return " ".join(text.split())


def _letters(text: str) -> str:
    return "".join(ch for ch in text if ch.isalnum())


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.page: list[str] = []
        self.in_svg = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag == "svg":
            self.in_svg += 1
        elif not self.in_svg:
            self.page.append(tag)  # the page's own structure; the diagram's shapes vary with label wrapping

    def handle_endtag(self, tag: str) -> None:
        if tag == "svg":
            self.in_svg -= 1

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _parse_html(data: bytes) -> _Tags:
    parser = _Tags()
    parser.feed(data.decode("utf-8"))
    parser.close()
    return parser


# --------------------------------------------------------------------------- registry


def test_registry_lists_every_format_in_order_with_its_file_details() -> None:
    assert list(EXPORTERS) == ORDER
    for name, e in EXPORTERS.items():
        assert e.name == name and e.label and "/" in e.mime and e.extension.isalnum()
    assert {n for n, e in EXPORTERS.items() if e.needs_dot} == {"svg", "png"}


def test_unknown_format_is_one_line_listing_the_known_ones(ctx: ExportContext) -> None:
    with pytest.raises(ExportError) as err:
        export("docx", ctx)
    assert "unknown export format 'docx'" in err.value.one_line() and "md, json, csv" in err.value.one_line()


def test_a_new_format_registers_exactly_like_the_builtins(ctx: ExportContext) -> None:
    shout = Exporter("shout", "Shouting verdict", "txt", "text/plain", lambda c: c.report.verdict.summary.upper().encode())
    register(shout)
    try:
        assert export("shout", ctx) == ctx.report.verdict.summary.upper().encode()
        assert filename("shout").endswith(".txt")
        with pytest.raises(ValueError, match="already registered"):
            register(shout)
    finally:
        del EXPORTERS["shout"]


def test_download_names_carry_the_system_name(ctx: ExportContext) -> None:
    assert filename("md", ctx).endswith("-report.md") and filename("csv", ctx).endswith("-checklist.csv")
    assert filename("zip", ctx).endswith(".zip") and " " not in filename("pdf", ctx)


# --------------------------------------------------------------------------- each format


def test_markdown_has_every_part_of_the_report(ctx: ExportContext) -> None:
    text = export("md", ctx).decode()
    r = ctx.report
    for heading in ("## Verdict", "## Recommended patterns", "## Checklist", "## Appendix: answers"):
        assert f"\n{heading}" in text
    assert VERDICT_WORDS[r.verdict.level] in text
    if r.what_if:
        assert "## What-if" in text
    for rec in r.recommended:
        assert f"### {rec.name}" in text or f". {rec.name}" in text
    for item in r.checklist:
        box = "x" if item.id in ctx.checked else " "
        assert f"- [{box}] **{item.severity}** {one_line(item.text)} (`{item.id}`)" in text
    # answers appear as the labels the user saw, not as option values
    q = ctx.kb.questions["ownership_model"]
    value = r.answers.get("ownership_model")
    if isinstance(value, str):
        assert f"| {q.text} | {q.label_of(value)} |" in text.replace("\\", "")


def test_json_is_the_report_plus_checklist_state(ctx: ExportContext) -> None:
    doc = json.loads(export("json", ctx))
    state = doc.pop("checklist_state")
    title = doc.pop("title")
    assert doc == ctx.report.to_json()
    assert title
    assert state == {"checked": [i.id for i in ctx.report.checklist if i.id in ctx.checked],
                     "done": len(ctx.checked), "total": len(ctx.report.checklist)}


def test_csv_has_one_row_per_checklist_item(ctx: ExportContext) -> None:
    raw = export("csv", ctx)
    assert b"\r\n" in raw
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8"), newline="")))
    assert rows[0] == ["id", "pattern", "item", "severity", "phase", "config", "refs", "done"]
    body = rows[1:]
    assert [r[0] for r in body] == [i.id for i in ctx.report.checklist]
    assert {r[0] for r in body if r[7] == "yes"} == set(ctx.checked)
    for row, item in zip(body, ctx.report.checklist, strict=True):
        assert row[3] == item.severity and row[6] == ", ".join(item.refs)
        assert row[4] == {"first": "do first", "later": "later"}[item.phase]
        for scope, values in item.config.items():
            for key in values:
                assert f"{key}=" in row[5] and scope in row[5]


@pytest.mark.parametrize("cell", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx", '=HYPERLINK("http://x")'])
def test_csv_cells_that_a_spreadsheet_would_run_are_neutralised(cell: str) -> None:
    assert safe_cell(cell) == "'" + cell
    assert safe_cell("plain " + cell) == "plain " + cell


def test_csv_neutralises_formulas_coming_from_the_knowledge_base(kb: KnowledgeBase) -> None:
    items = [ReportItem(id=f"i{n}", pattern="p", text=t, severity="low", config={"producer": {"acks": "-1"}}, refs=["7.1"])
             for n, t in enumerate(["=cmd|' /C calc'!A0", "+2", "@x", "-3", "fine"])]
    report = Report(verdict=Verdict(level="good-fit", summary="s", alternatives=[]), recommended=[], discouraged=[],
                    checklist=items, notes=[], unanswered=[])
    rows = list(csv.reader(io.StringIO(export("csv", ExportContext(report, kb)).decode(), newline="")))[1:]
    texts = [r[2] for r in rows]
    assert texts == ["'=cmd|' /C calc'!A0", "'+2", "'@x", "'-3", "fine"]
    assert all(not cell.startswith(("=", "+", "-", "@", "\t", "\r")) for r in rows for cell in r)


def test_html_is_self_contained_and_shows_the_diagram_inline(ctx: ExportContext) -> None:
    data = export("html", ctx)
    page = _parse_html(data)
    tags = {t for t, _ in page.tags}
    assert "svg" in tags and "style" in tags
    assert not tags & {"script", "link", "img", "iframe", "object", "embed", "base"}
    for tag, attrs in page.tags:
        for key, value in attrs.items():
            if key.startswith("xmlns"):
                continue  # namespace names are identifiers, never fetched
            assert not re.match(r"\s*(https?:|//|file:|ftp:)", value or "", re.I), (tag, key, value)
            if key in ("src", "href", "xlink:href"):
                assert (value or "").startswith(("#", "data:")), (tag, key, value)
    text = data.decode()
    assert "@import" not in text and not re.search(r"url\(\s*['\"]?(?!data:|#)", text)
    assert "<!DOCTYPE svg" not in text and "@media print" in text
    words = _squash(" ".join(page.text))
    assert VERDICT_WORDS[ctx.report.verdict.level] in words
    assert f"{len(ctx.checked)} of {len(ctx.report.checklist)} done" in words


def test_html_without_dot_says_so_and_keeps_the_dot_source(ctx: ExportContext, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KAFKA_ADVISOR_DOT", "no-such-graphviz-binary")
    text = export("html", ctx).decode()
    assert "Diagram not rendered" in text and "apt-get install graphviz" in text
    assert "digraph system" in text and "<svg" not in text  # the DOT source of the user's system diagram


def test_diagram_files_need_dot_and_say_so(ctx: ExportContext, monkeypatch: pytest.MonkeyPatch) -> None:
    assert export("svg", ctx).lstrip().startswith(b"<?xml")
    monkeypatch.setenv("KAFKA_ADVISOR_DOT", "no-such-graphviz-binary")
    for name in ("svg", "png"):
        with pytest.raises(ExportError) as err:
            export(name, ctx)
        assert "needs the Graphviz 'dot' program" in err.value.one_line()
    assert export("dot", ctx).startswith(b"digraph")


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_pdf_opens_and_holds_the_verdict_and_every_checklist_item(kb: KnowledgeBase, scenario: str, tmp_path: Path) -> None:
    ctx = _context(kb, scenario)
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(export("pdf", ctx))
    done = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, check=True, timeout=60)
    text = _squash(done.stdout.decode("utf-8"))
    assert VERDICT_WORDS[ctx.report.verdict.level] in text
    assert _squash(ctx.report.verdict.summary)[:60] in text
    # Knowledge-base text is Markdown (`code` is drawn without backticks); pdftotext adds spaces around code spans
    # and joins words hyphenated at a line end: compare letters and digits only.
    bare = _letters(text)
    missing = [i.id for i in ctx.report.checklist if _letters(i.text.replace("`", "")) not in bare]
    assert not missing, f"checklist items missing from the PDF text: {missing}"
    # the diagram is drawn as text, not lost: its heading (the first label of the drawing) is in the PDF text
    assert _squash(_diagram_heading(ctx)) in text


def _diagram_heading(ctx: ExportContext) -> str:
    import html

    from kafka_advisor.exports.printpage import _diagram_source

    svg = _diagram_source(ctx)[1]
    assert svg is not None
    return html.unescape(re.search(r"<text\b[^>]*>([^<]+)</text>", svg).group(1)).strip()


def _pdf_pages(pdf: Path) -> list[str]:
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, check=True, timeout=60).stdout
    return [_squash(page) for page in text.decode("utf-8").split("\f")[:-1]]


def test_pdf_is_a_review_document_not_a_dump(kb: KnowledgeBase, tmp_path: Path) -> None:
    """The largest example: a verdict page, the diagram on its own page, each long reason at most once, few pages."""
    ctx = _context(kb, "retail-data-mesh-good-fit")
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(export("pdf", ctx))
    pages = _pdf_pages(pdf)
    assert len(pages) <= 13, f"{len(pages)} pages"
    r = ctx.report
    assert VERDICT_WORDS[r.verdict.level] in pages[0]
    assert ("Why" if r.verdict.reasons else "Key reasons") in pages[0]
    assert pages[1].startswith("Architecture") and _squash(_diagram_heading(ctx)) in pages[1]
    bare = _letters(" ".join(pages))
    for rec in r.recommended:
        assert _letters(rec.name) in bare
        for x in rec.reasons:  # a `requires:` link is written as "needed by <pattern>" in the pattern's head line
            assert _letters(x.title if not x.rule.startswith("requires:") else x.title.removeprefix("Needed by ")) in bare
    for d in r.discouraged:
        assert _letters(d.alternative.replace("`", "")) in bare
    reasons = ({x.rule: x for x in r.verdict.reasons} | {x.rule: x for rec in r.recommended for x in rec.reasons}
               | {x.rule: x for d in r.discouraged for x in d.reasons})
    counts = {rule: bare.count(_letters(x.because.replace("`", ""))) for rule, x in reasons.items()}
    assert max(counts.values()) == 1 and sum(counts.values()) >= 3, counts  # page 1 explains a few, once; the HTML all


def test_print_diagram_text_is_laid_over_the_drawing_escaped() -> None:
    from kafka_advisor.exports.printpage import positioned_text

    svg = ('<svg width="200pt" height="100pt" viewBox="0.00 0.00 200.00 100.00" xmlns="http://www.w3.org/2000/svg">'
           '<g id="graph0" class="graph" transform="scale(1 1) rotate(0) translate(4 96)">'
           '<polygon fill="white" points="-4,4 -4,-96 196,-96 196,4 -4,4"/>'
           '<text text-anchor="start" x="10" y="-50" font-family="Arial" font-weight="bold" font-size="11.00" '
           'fill="#1a3d7c">&lt;script&gt;alert(1)&lt;/script&gt; &amp; co</text></g></svg>')
    out = str(positioned_text(svg))
    assert "<text" not in out and "&lt;script&gt;" in out and "<script>" not in out
    assert out.count("<span") == 1 and "font-weight:bold" in out and "color:#1a3d7c" in out
    assert positioned_text(svg.replace('id="graph0"', 'id="other"')) is None  # not shaped like Graphviz: caller inlines


def test_print_what_if_lists_each_result_once_with_every_change_behind_it(kb: KnowledgeBase) -> None:
    from kafka_advisor.exports.printpage import VERDICT_CHANGES, what_if_rows

    ctx = _context(kb, "retail-data-mesh-good-fit")
    groups = what_if_rows(ctx.vm)
    assert groups[0][0] == VERDICT_CHANGES  # the verdict-changing results come first
    for _, questions in groups:
        assert len({q for q, _, _ in questions}) == len(questions)  # each question once per heading
        for _, _, changes in questions:
            effects = [effect for _, effect in changes]
            assert len(effects) == len(set(effects))  # each result once per question
    for w in ctx.vm.what_if:
        heading = VERDICT_CHANGES if w.verdict is not None else groups[-1][0]
        questions = {q: (now, changes) for q, now, changes in dict(groups)[heading]}
        now, changes = questions[w.question]
        options = dict((effect, options) for options, effect in changes)[w.effect]
        assert (w.change or w.to_text) in " ".join(options) and (w.change or now == w.from_text)


def test_adr_follows_madr_4(ctx: ExportContext) -> None:
    text = export("adr", ctx).decode()
    front, body = text.split("\n---\n", 1)
    assert yaml.safe_load(front.removeprefix("---\n")) == {"status": "proposed", "date": yaml.safe_load("2025-01-15")}
    headings = [line for line in body.splitlines() if line.startswith("#")]
    order = ["## Context and Problem Statement", "## Decision Drivers", "## Considered Options", "## Decision Outcome",
             "### Consequences", "### Confirmation", "## Pros and Cons of the Options", "## More Information"]
    assert [h for h in headings if h in order] == order
    assert headings[0].startswith("# ")
    assert re.search(r'^Chosen option: "[^"]+", because ', body, re.M)
    options = body.split("## Considered Options", 1)[1].split("## Decision Outcome", 1)[0]
    r = ctx.report
    # The options are the real alternatives: Kafka run by the team with the core patterns, a managed Kafka
    # service with the same core patterns, and the verdict's alternatives (else: no broker).
    bullets = [line for line in options.splitlines() if line.startswith("* ")]
    kafka = ["* Self-managed Apache Kafka with the core patterns", "* A managed Kafka service with the same core patterns"]
    if r.verdict.decision == "do-not-adopt":
        kafka = ["* Self-managed Apache Kafka", "* A managed Kafka service"]
    others = [f"* {alt.strip()}" for alt in r.verdict.system_alternatives] or [
        "* No Kafka: keep the current approach without a broker, or a simpler messaging tool"]
    assert bullets == kafka + others
    chosen = re.search(r'^Chosen option: "([^"]+)"', body, re.M).group(1)
    assert chosen == (kafka[0][2:] if r.verdict.decision != "do-not-adopt" else others[0][2:])
    for dis in r.discouraged:  # discouraged patterns are not options: they are listed as not chosen
        assert f"* {dis.name}\n" not in options
        assert f"* {dis.name} ({dis.severity}): " in body.split("## More Information", 1)[1]
    assert "Good, because" in body and "Bad, because" in body
    confirmation = body.split("### Confirmation", 1)[1].split("## Pros and Cons", 1)[0]
    for item in r.checklist:
        assert (f"`{item.id}`" in confirmation) == (item.phase == "first")


def test_adr_date_is_injectable(ctx: ExportContext) -> None:
    import datetime as dt

    from kafka_advisor.exports.adr import render_adr

    assert "date: 2031-02-03" in render_adr(ctx.vm, on=dt.date(2031, 2, 3))


def test_tasks_are_a_task_list_grouped_by_pattern(ctx: ExportContext) -> None:
    text = export("tasks", ctx).decode()
    tasks = [line for line in text.splitlines() if re.match(r"- \[[ x]\] ", line)]
    assert len(tasks) == len(ctx.report.checklist)
    assert sum(line.startswith("- [x]") for line in tasks) == len(ctx.checked)
    phases = [line[4:] for line in text.splitlines() if line.startswith("### ")]
    assert phases == [p for p in ("Do first", "Later") if any(i.phase == {"Do first": "first", "Later": "later"}[p]
                                                               for i in ctx.report.checklist)]
    groups = [line[5:] for line in text.splitlines() if line.startswith("#### ")]
    assert len(groups) == len({(i.phase, i.pattern) for i in ctx.report.checklist})


def test_zip_holds_every_format_the_answers_and_the_diagrams(ctx: ExportContext) -> None:
    archive = zipfile.ZipFile(io.BytesIO(export("zip", ctx)))
    assert archive.testzip() is None
    names = {n.split("/", 1)[1] for n in archive.namelist()}
    snippets = {n for n in names if n.startswith("configs/")}
    assert names - snippets == {"report.md", "report.json", "checklist.csv", "report.html", "report.pdf", "adr.md",
                                "tasks.md", "diagram.dot", "diagram.svg", "diagram.png", "diagram.pdf", "answers.yaml",
                                "strimzi.yaml", "asyncapi.yaml", "diagram.mmd"}
    assert snippets == set(snippet_files(ctx.report, ctx.kb))  # the config snippets, ready to paste
    if ctx.report.recommended:
        assert any(n.endswith(".properties") for n in snippets)
    folder = archive.namelist()[0].split("/", 1)[0]
    assert archive.read(f"{folder}/report.md") == export("md", ctx)
    _, answers = parse_answers_bytes(ctx.kb, archive.read(f"{folder}/answers.yaml"), "answers.yaml")
    assert answers == ctx.report.answers


def test_zip_without_dot_explains_the_missing_diagrams(kb: KnowledgeBase, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KAFKA_ADVISOR_DOT", "no-such-graphviz-binary")
    archive = zipfile.ZipFile(io.BytesIO(export("zip", _context(kb, "crud-app-poor-fit"))))
    names = {n.split("/", 1)[1] for n in archive.namelist()}
    assert "README-diagram.txt" in names and "diagram.dot" in names and "diagram.svg" not in names


# --------------------------------------------------------------------------- injection corpus


FAST = ("md", "json", "csv", "html", "adr", "tasks", "dot", "svg")


def _shape(name: str, data: bytes) -> Any:
    """What must not change when a user-typed name changes: the structure of each format."""
    if name in ("md", "adr", "tasks"):
        lines = data.decode().splitlines()
        return ([line[:3] for line in lines if line.startswith(("#", "---", "- [", "* ["))],
                sum(line.startswith("|") for line in lines), len(lines))
    if name == "json":
        return sorted(json.loads(data))
    if name == "csv":
        return len(list(csv.reader(io.StringIO(data.decode(), newline=""))))
    if name == "html":
        return _parse_html(data).page
    if name == "dot":
        return len(re.findall(r"^\s+\"[^\"]+\" \[shape=", data.decode(), re.M))
    root = ET.fromstring(data)  # svg
    return sum(1 for g in root.iter("{http://www.w3.org/2000/svg}g") if g.get("class") == "node")


@pytest.fixture(scope="module")
def baseline(kb: KnowledgeBase) -> dict[str, Any]:
    ctx = _context(kb, "cdc-customer360-good-fit", answers={"system_name": "Plain", "source_db_name": "Plain"}, title="Plain")
    return {name: _shape(name, export(name, ctx)) for name in FAST}


@pytest.mark.parametrize("evil", EVIL, ids=range(len(EVIL)))
def test_hostile_names_break_no_output(kb: KnowledgeBase, baseline: dict[str, Any], evil: str) -> None:
    ctx = _context(kb, "cdc-customer360-good-fit", answers={"system_name": evil, "source_db_name": evil}, title=evil)
    assert ctx.report.answers["source_db_name"] == evil, "the scenario must show the source database question"
    for name in FAST:
        data = export(name, ctx)
        assert _shape(name, data) == baseline[name], f"{name} changed shape"
        if name in ("md", "adr", "tasks", "html"):
            assert "<script>" not in data.decode() and "<b>bold" not in data.decode()
    doc = json.loads(export("json", ctx))
    assert doc["answers"]["system_name"] == evil and doc["title"] == one_line(evil)
    html_text = _squash(" ".join(_parse_html(export("html", ctx)).text))
    assert _squash(one_line(evil))[:40] in html_text


def test_hostile_names_everywhere_still_give_a_pdf_png_and_zip(kb: KnowledgeBase, tmp_path: Path) -> None:
    every = " ".join(EVIL[:-1])
    # the small poor-fit report keeps this fast; integrations: db-in makes it ask for the source database name
    ctx = _context(kb, "crud-app-poor-fit", answers={"integrations": ["db-in"], "system_name": every,
                                                      "source_db_name": EVIL[3]}, title=EVIL[-1])
    assert ctx.report.answers["source_db_name"] == EVIL[3]
    pdf = tmp_path / "r.pdf"
    pdf.write_bytes(export("pdf", ctx))
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, check=True).stdout.decode()
    assert "<script>alert(1)</script>" in _squash(text) and "שלום" in text
    assert export("png", ctx).startswith(b"\x89PNG")
    archive = zipfile.ZipFile(io.BytesIO(export("zip", ctx)))
    assert archive.testzip() is None
    member = next(n for n in archive.namelist() if n.endswith("answers.yaml"))
    assert yaml.safe_load(archive.read(member))["answers"]["system_name"] == every


# --------------------------------------------------------------------------- CLI


def _args(answers: Path, to: str, output: Path | None, checked: str = "") -> Any:
    import argparse

    return argparse.Namespace(answers=answers, to=to, output=output, checked=checked, show_discouraged=False)


@pytest.mark.parametrize("fmt", ORDER)
def test_cli_writes_every_format(kb: KnowledgeBase, tmp_path: Path, fmt: str) -> None:
    scenario = ROOT / "examples" / "order-platform-good-fit.yaml"  # a poor fit has no checklist to tick
    _, answers = load_answers_file(kb, scenario)
    first = evaluate(kb, answers).checklist[0].id
    out = tmp_path / f"out.{fmt}"
    assert cli_export.run(_args(scenario, fmt, out, first), kb) == 0
    data = out.read_bytes()
    magic = {"pdf": b"%PDF-", "png": b"\x89PNG", "zip": b"PK", "dot": b"digraph", "svg": b"<?xml", "json": b"{"}
    assert data.startswith(magic.get(fmt, b"")) and len(data) > 100
    if fmt in ("md", "tasks", "adr"):
        assert "[x]" in data.decode() and first in data.decode()


@pytest.mark.parametrize(("answers", "to", "output", "checked", "message"), [
    ("missing.yaml", "md", None, "", "file not found"),
    ("crud-app-poor-fit.yaml", "docx", None, "", "unknown format 'docx'"),
    ("crud-app-poor-fit.yaml", "md", None, "no-such-item", "'no-such-item' is not a checklist item"),
    ("crud-app-poor-fit.yaml", "md", "missing-dir/x.md", "", "cannot write"),
    ("crud-app-poor-fit.yaml", "md", ".", "", "is a directory"),
])
def test_cli_bad_input_is_one_line_and_exit_2(kb: KnowledgeBase, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                             answers: str, to: str, output: str | None, checked: str, message: str) -> None:
    out = None if output is None else tmp_path / output
    code = cli_export.run(_args(ROOT / "examples" / answers, to, out, checked), kb)
    err = capsys.readouterr().err
    assert code == 2 and message in err and err.count("\n") == 1, err


def test_cli_refuses_an_item_of_a_pattern_outside_the_report(kb: KnowledgeBase, capsys: pytest.CaptureFixture[str]) -> None:
    scenario = ROOT / "examples" / "crud-app-poor-fit.yaml"
    _, answers = load_answers_file(kb, scenario)
    in_report = {i.id for i in evaluate(kb, answers).checklist}
    other = next(i for i in kb.items if i not in in_report)
    assert cli_export.run(_args(scenario, "md", None, other), kb) == 2
    assert "not in this report" in capsys.readouterr().err


def test_cli_writes_to_stdout_without_o(kb: KnowledgeBase, capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    assert cli_export.run(_args(ROOT / "examples" / "crud-app-poor-fit.yaml", "json", None), kb) == 0
    assert json.loads(capsysbinary.readouterr().out)["verdict"]["level"] == "poor-fit"


def test_the_tools_the_render_tests_rely_on_are_installed() -> None:
    assert shutil.which("dot") and shutil.which("pdftotext")


def test_a_risk_kind_reads_the_same_in_every_format(kb: KnowledgeBase) -> None:
    """A risk kind is put into words once (present.risk_words), so 'data-loss' reads 'Data loss' in the
    Markdown, the HTML page, the print page and the decision record alike, never as the raw id."""
    ctx = _context(kb, "order-platform-good-fit", answers={"kafka_status": "running", "broker_count": 2,
                                                            "loss_tolerance": "unacceptable"})
    assert any(r.kind == "data-loss" for r in ctx.report.verdict.risks)
    rendered = {fmt: export(fmt, ctx).decode() for fmt in ("md", "html", "adr")}
    assert "**Data loss**:" in rendered["md"]
    assert "<strong>Data loss:</strong>" in rendered["html"]
    assert "(data loss risk)" in rendered["adr"] and "* Data loss:" in rendered["adr"]
    from kafka_advisor.exports.printpage import render_print_html
    assert "<b>Data loss:</b>" in render_print_html(ctx)
    for text in rendered.values():
        assert "data-loss" not in text.replace("`durability-needs-three-brokers`", "")


def test_a_cautioned_pattern_shows_its_care_beside_it_and_is_not_also_discouraged(kb: KnowledgeBase) -> None:
    ctx = _context(kb, "cdc-customer360-good-fit")
    cautioned = [r for r in ctx.report.recommended if r.caution]
    assert cautioned, "the Customer 360 example warns about how to apply some recommended patterns"
    assert not {r.pattern for r in cautioned} & {d.pattern for d in ctx.report.discouraged}
    md = export("md", ctx).decode()
    html = _squash(export("html", ctx).decode())
    for r in cautioned:
        card = md.split(f". {r.name}\n", 1)[1].split("\n#### ", 1)[0]  # this pattern's card, up to the next
        assert f"**With care:** {one_line(r.caution)}" in card
        assert f"With care:</strong> {_squash(one_line(r.caution))}" in html.replace("&#39;", "'").replace("&#34;", '"')
