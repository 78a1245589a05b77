"""The print edition (the PDF) and the decision record, on the shipped examples.

The PDF: page 1 is a one-page executive summary for every example, the diagram page prints every label at
11 CSS px or more, the 12-service example fits six pages, and no sentence is printed twice. The ADR: one
decision, the real options, the engine's choice, about 150 lines. The goldens repeat no sentence.
"""

from __future__ import annotations

import collections
import html
import re
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml

from kafka_advisor.engine import evaluate
from kafka_advisor.exports import ExportContext, export
from kafka_advisor.exports import printpage as pp
from kafka_advisor.exports.adr import MANAGED, NO_BROKER, SELF_MANAGED, render_adr
from kafka_advisor.exports.common import one_line
from kafka_advisor.loader import KnowledgeBase, load_answers_doc, parse_answers_doc_bytes

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted(p.stem for p in (ROOT / "examples").glob("*.yaml"))
TWELVE = "order-platform-12-services-good-fit"
GOLDEN = Path(__file__).resolve().parent / "golden"
LONG = 40  # a sentence at least this long is printed once
SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


@pytest.fixture(autouse=True)
def _fixed_date(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1736899200")  # 2025-01-15


def _context(kb: KnowledgeBase, name: str, **answers: object) -> ExportContext:
    doc = load_answers_doc(kb, ROOT / "examples" / f"{name}.yaml")
    report = evaluate(kb, {**doc.answers, **answers}, with_what_if=True, inventory=doc.inventory)
    return ExportContext(report=report, kb=kb, title=doc.title)


_PDFS: dict[str, Path] = {}


def _pdf(kb: KnowledgeBase, name: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example's PDF, made once per test process."""
    if name not in _PDFS:
        path = tmp_path_factory.mktemp("pdf") / f"{name}.pdf"
        path.write_bytes(export("pdf", _context(kb, name)))
        _PDFS[name] = path
    return _PDFS[name]


def _pages(pdf: Path) -> list[str]:
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, check=True, timeout=60)
    return out.stdout.decode("utf-8").split("\f")[:-1]


def _page_count(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, check=True, timeout=60).stdout.decode()
    return int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))


def _squash(text: str) -> str:
    return " ".join(text.split())


def _repeated(pieces: list[str]) -> list[str]:
    counts = collections.Counter(p for p in pieces if len(p) > LONG)
    return [p for p, n in counts.items() if n > 1]


def _pdf_sentences(pages: list[str], footer: str) -> list[str]:
    """The PDF text in sentences, without what repeats by design: the running footer (title, page number)
    and the table headers WeasyPrint repeats on every page (set in capitals by the stylesheet)."""
    out = []
    for page in pages:
        lines = [line for line in page.splitlines()
                 if line.strip() != footer and not re.fullmatch(r"page \d+ of \d+", line.strip())
                 and not (line.strip() and line.strip() == line.strip().upper() and re.search(r"[A-Z]{3}", line))]
        out += SENTENCE_END.split(_squash(" ".join(lines)))
    return out


# --------------------------------------------------------------------------- the PDF


@pytest.mark.parametrize("name", EXAMPLES)
def test_page_one_is_a_one_page_executive_summary(kb: KnowledgeBase, name: str,
                                                  tmp_path_factory: pytest.TempPathFactory) -> None:
    ctx = _context(kb, name)
    vm = ctx.vm
    pdf = _pdf(kb, name, tmp_path_factory)
    first = _squash(subprocess.run(["pdftotext", "-enc", "UTF-8", "-f", "1", "-l", "1", str(pdf), "-"],
                                   capture_output=True, check=True).stdout.decode())
    assert vm.verdict.decision_words in first and vm.verdict.level_words.split(" ", 1)[-1] in first
    for card in vm.tiers.get("core", []):
        assert _squash(card.name) in first, card.name
    for x in vm.verdict.reasons[:3] or vm.verdict.drivers[:3]:
        assert _squash(x.title) in first
    for alternative in vm.verdict.system_alternatives:
        assert _squash(alternative)[:60] in first
    for j in vm.proposals:
        assert f"{j.words}: {_squash(j.label)}" in first
    assert f"Checklist: {vm.total} items" in first
    # nothing of page 1 spilled over: the second page begins with the next section
    assert _squash(_pages(pdf)[1]).startswith("Architecture")


def test_the_twelve_service_example_fits_six_pages(kb: KnowledgeBase, tmp_path_factory: pytest.TempPathFactory) -> None:
    pdf = _pdf(kb, TWELVE, tmp_path_factory)
    assert _page_count(pdf) <= 6
    pages = [_squash(p) for p in _pages(pdf)]
    # the order of a review: summary, diagram, patterns, discouraged, what-if, then the checklist appendix
    text = " ".join(pages)
    marks = ["Core patterns", "Architecture", "Recommended patterns", "Discouraged patterns",
             "What if one answer changed", "Appendix: checklist"]
    assert [text.index(m) for m in marks] == sorted(text.index(m) for m in marks)
    assert pages[1].startswith("Architecture") and pages[2].startswith("Recommended patterns")  # one diagram page
    # the full checklist, each item with the parts it is for
    ctx = _context(kb, TWELVE)
    letters = "".join(ch for ch in text if ch.isalnum())
    for item in ctx.vm.items:
        assert "".join(ch for ch in item.text.replace("`", "") if ch.isalnum()) in letters, item.id
    assert any(i.applies_to for i in ctx.vm.items) and "For: " in text


def test_the_diagram_page_prints_every_label_at_11_css_px_or_more(kb: KnowledgeBase,
                                                                   tmp_path_factory: pytest.TempPathFactory) -> None:
    """The scale is the page box over the SVG's natural size; the smallest label at that scale is >= 11 px."""
    ctx = _context(kb, TWELVE)
    _, svg, system = pp._diagram_source(ctx)
    assert svg is not None and system, "the print edition draws the user's system (system_diagram.py)"
    width, height = pp.svg_size(svg)  # natural size, pt
    smallest = pp.smallest_label_pt(svg)
    page, scale = pp.page_box(width, height, smallest)
    assert page == "a4-landscape"
    box_w, box_h = pp.page_area("a4", "landscape")
    assert scale == pytest.approx(min(1.0, box_w / width, box_h / height))
    assert smallest * scale * 96 / 72 >= pp.MIN_LABEL_PX == 11.0
    # the drawing is printed at that scale, and the page box matches the stylesheet's diagram page
    assert f'<div class="drawing" style="width:{width * scale:.1f}pt;height:{height * scale:.1f}pt">' in str(
        pp.drawing(ctx).html)
    css = (ROOT / "kafka_advisor" / "templates" / "print.css").read_text()
    margins = re.search(r"@page diagram-a4-landscape \{ size: A4 landscape; margin: ([\d.]+)mm ([\d.]+)mm ([\d.]+)mm "
                        r"([\d.]+)mm; \}", css)
    assert margins and tuple(float(x) for x in margins.groups()) == pp.DIAGRAM_MARGIN_MM
    info = subprocess.run(["pdfinfo", "-f", "2", "-l", "2", str(_pdf(kb, TWELVE, tmp_path_factory))],
                          capture_output=True, check=True).stdout.decode()
    assert re.search(r"Page\s+2 size:\s+841\.\d+ x 595\.\d+ pts", info), info
    try:  # cross-check with the diagram module's own reading of the SVG, where it offers one
        from kafka_advisor.system_diagram import measure
    except ImportError:  # pragma: no cover
        return
    seen = measure(svg, box_w * 96 / 72, box_h * 96 / 72)
    assert seen.smallest_px == pytest.approx(smallest * scale * 96 / 72, rel=0.01)


@pytest.mark.parametrize("name", EXAMPLES)
def test_no_sentence_is_printed_twice(kb: KnowledgeBase, name: str, tmp_path_factory: pytest.TempPathFactory) -> None:
    ctx = _context(kb, name)
    footer = _squash(ctx.vm.title)
    footer = footer if len(footer) <= 80 else footer[:79].rstrip() + "…"
    sentences = _pdf_sentences(_pages(_pdf(kb, name, tmp_path_factory)), footer)
    assert len(sentences) > 20
    assert not _repeated(sentences)


def test_the_sentence_ledger_prints_each_long_sentence_once() -> None:
    ledger = pp.Ledger()
    first = "Once the core patterns are in place: it ranked below the six that shape this architecture most."
    assert ledger.fresh(f"{first} Meanwhile: use an idempotent producer.") == (
        f"{first} Meanwhile: use an idempotent producer.")
    assert ledger.fresh(f"{first} Meanwhile: keep one writer per aggregate.") == (
        "Meanwhile: keep one writer per aggregate.")
    assert ledger.fresh("Not sure. Not sure.") == "Not sure. Not sure."  # short sentences may repeat
    ledger.fresh("Data mesh on Kafka: A well-governed shared Kafka cluster with clear topic ownership.")
    assert ledger.shown("A well-governed shared Kafka cluster with clear topic ownership.")
    assert not ledger.shown("A different alternative that nothing has printed so far.")


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attrs: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs.extend(name for name, _ in attrs)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


HOSTILE = ["<script>alert(1)</script>", '"]; x [label="pwned"', "{{ vm.title }} {% raw %}", "RTL \u202eשלום",
           "| pipe | --- |", "&amp; <b>bold</b>"]


def test_hostile_inventory_names_stay_text_on_every_page(kb: KnowledgeBase, tmp_path: Path) -> None:
    raw = yaml.safe_load((ROOT / "examples" / f"{TWELVE}.yaml").read_text(encoding="utf-8"))
    services = raw["inventory"]["services"]
    for service, evil in zip(services, HOSTILE, strict=False):
        service["name"] = evil
    raw["answers"]["system_name"] = HOSTILE[0]
    services[3]["produces"] = ["<img src=x onerror=alert(1)>", *services[3]["produces"][1:]]
    doc = parse_answers_doc_bytes(kb, yaml.safe_dump(raw, allow_unicode=True).encode(), "hostile.yaml")
    ctx = ExportContext(report=evaluate(kb, doc.answers, with_what_if=True, inventory=doc.inventory), kb=kb,
                        title=doc.title)
    page = pp.render_print_html(ctx)
    parsed = _Text()
    parsed.feed(page)
    assert "script" not in parsed.tags and parsed.tags.count("img") == 1  # the diagram's own image, nothing else
    assert not [a for a in parsed.attrs if a.startswith("on")]
    text = _squash(" ".join(parsed.text))
    for evil in HOSTILE:
        assert _squash(one_line(evil)) in text, evil  # laid over the diagram as text, named in the checklist
    pdf = tmp_path / "hostile.pdf"
    pdf.write_bytes(export("pdf", ctx))
    printed = _squash(" ".join(_pages(pdf)))
    assert "<script>alert(1)</script>" in printed and "שלום" in printed and "{{ vm.title }}" in printed


# --------------------------------------------------------------------------- the ADR


def _options(text: str) -> list[str]:
    block = text.split("## Considered Options", 1)[1].split("## Decision Outcome", 1)[0]
    return [line[2:] for line in block.splitlines() if line.startswith("* ")]


def _chosen(text: str) -> str:
    return re.search(r'^Chosen option: "([^"]+)"', text, re.M).group(1)


def test_adr_is_one_decision_with_the_real_options(kb: KnowledgeBase) -> None:
    vm = _context(kb, TWELVE).vm
    text = render_adr(vm)
    lines = text.splitlines()
    assert len(lines) <= 200, len(lines)
    core = [c.name for c in vm.tiers["core"]]
    assert len(core) > 4
    assert f"# Use Apache Kafka with {', '.join(core[:4])} and {len(core) - 4} more" in lines
    assert _options(text) == [SELF_MANAGED, MANAGED, NO_BROKER]  # the verdict names no system alternative
    # The answers say a managed cloud service runs it: the engine's hosting decision, which the record follows.
    assert vm.verdict.hosting == "managed"
    assert _chosen(text) == MANAGED
    assert "A managed cloud service" in text.split("## Decision Outcome", 1)[1]
    outcome = text.split("## Decision Outcome", 1)[1].split("### Consequences", 1)[0]
    for c in vm.tiers["core"]:
        assert f"* {c.name} (§{c.section}, `{c.id}`)" in outcome
    for c in vm.tiers["baseline"]:
        assert c.name in outcome
    consequences = text.split("### Consequences", 1)[1].split("### Confirmation", 1)[0]
    assert consequences.count("* Good, because ") >= len(core) and consequences.count("* Bad, because ") >= len(core)
    for c in vm.tiers["baseline"]:  # the baseline's trade-offs stay in the report
        assert f"({c.name})" not in consequences


def test_adr_says_either_is_viable_when_nothing_decides_who_runs_it(kb: KnowledgeBase) -> None:
    doc = load_answers_doc(kb, ROOT / "examples" / "order-platform-12-services-good-fit.yaml")
    answers = {k: v for k, v in doc.answers.items() if k != "ops_capacity"}
    rep = evaluate(kb, answers, with_what_if=True, inventory=doc.inventory)
    assert rep.verdict.hosting is None
    text = render_adr(ExportContext(report=rep, kb=kb, title=doc.title).vm)
    assert _chosen(text) == SELF_MANAGED and f'"{MANAGED}" is also viable' in text


def test_adr_chooses_the_managed_service_when_the_engine_raises_an_operations_risk(kb: KnowledgeBase) -> None:
    vm = _context(kb, TWELVE, ops_capacity="nobody").vm
    assert vm.verdict.decision != "do-not-adopt" and any(x.kind == "operations" for x in vm.verdict.risks)
    text = render_adr(vm)
    assert _chosen(text) == MANAGED and text.startswith("---")
    assert "# Use Apache Kafka with " in text


def test_adr_for_a_poor_fit_chooses_the_verdicts_alternative(kb: KnowledgeBase) -> None:
    vm = _context(kb, "crud-app-poor-fit").vm
    text = render_adr(vm)
    first = vm.verdict.system_alternatives[0]
    assert _options(text) == ["Self-managed Apache Kafka", "A managed Kafka service", *vm.verdict.system_alternatives]
    assert _chosen(text) == first
    title = next(line for line in text.splitlines() if line.startswith("# "))
    assert title == "# Do not adopt Kafka; use a single relational database and a synchronous API (REST or gRPC)"


@pytest.mark.parametrize("name", EXAMPLES)
def test_adr_repeats_no_sentence(kb: KnowledgeBase, name: str) -> None:
    text = render_adr(_context(kb, name).vm)
    assert len(text.splitlines()) <= 200
    assert not _repeated(_markdown_sentences(text))


# --------------------------------------------------------------------------- the goldens


def _markdown_sentences(text: str) -> list[str]:
    """Lines split into sentences; headings and table rows are labels and data, not sentences (a pattern may
    head two phases; a question heads its row in the what-if table and in the answers appendix)."""
    # Likewise the answers a reason cites, "_(because you answered: Q = A; ...)_": two rules may rest on the
    # same answer, and citing it is data; each rule's own reasoning is written once (markdown.reason_line).
    # And config lines (`- Config: ...`): two items may set the same key, and a key is data, not prose.
    text = CONFIG_LINE.sub("", CITED_ANSWERS.sub("", text))
    return [s.strip() for line in text.splitlines() if not line.startswith(("#", "|"))
            for s in SENTENCE_END.split(line)]


CITED_ANSWERS = re.compile(r"_\(because you answered: .*?\)_")
CONFIG_LINE = re.compile(r"^\s*- Config: `[^`]*`$", re.M)


GOLDENS = [pytest.param(p, id=str(p.relative_to(GOLDEN)))
           for p in sorted(GOLDEN.rglob("*")) if p.is_file() and p.suffix != ".json"]  # JSON is data, not prose


@pytest.mark.parametrize("path", GOLDENS)
def test_no_golden_repeats_a_sentence(path: Path) -> None:
    assert not _repeated(_markdown_sentences(html.unescape(path.read_text(encoding="utf-8"))))
