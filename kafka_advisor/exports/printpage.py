"""The print edition of the report: the HTML the PDF is made from, written for a review board.

The screen HTML (htmlpage.py) keeps everything and is read on screen. This page is concise: page 1 holds
the verdict, the alternatives and the key reasons; then the architecture diagram on a page of its own,
one row per recommended pattern (score, the rules behind it in short form, trade-offs side by side),
the discouraged patterns with their alternatives, the checklist as one compact table, the what-if changes
grouped by result, and the notes. The long `because` texts appear at most once: on page 1 for the key
reasons; the HTML report has all of them.

WeasyPrint's time grows with the amount of text (about 25 us of CPU per character here) and, less, with
the number of boxes, so the markup stays lean: the checkbox is a pseudo-element, cells carry their class.
Escaping follows htmlpage.py: Jinja autoescapes user text, and knowledge-base prose goes through
markdown-it with raw HTML disabled.
"""

from __future__ import annotations

import base64
import dataclasses
import functools
import html
import re
from dataclasses import dataclass

from jinja2 import Environment
from markdown_it import MarkdownIt
from markupsafe import Markup

from ..diagram import dot_available, render
from ..model import AnswerValue, ConfigValue, Reason, ReportItem
from . import ExportContext
from .common import (
    JUDGEMENT_WORDS,
    SEVERITIES,
    VERDICTS,
    answer_text,
    checked_ids,
    diagram_dot,
    display_title,
    export_date,
    inline_svg,
    items_by_pattern,
    one_line,
    pattern_name,
    pros_cons,
    question_text,
    system_name,
)
from .htmlpage import NO_DOT

KEY_REASONS = 4  # reasons explained on page 1 when the verdict itself gives none
SHORT_ANSWER = 48  # characters of an answer quoted in a reason line; the HTML report has it in full

# The diagram page: A4, or A3 when A4 would shrink the 9 pt edge labels below about 5 pt; 10 mm margins and room
# for the heading and the caption. Architecture documents often fold out an A3 diagram; on screen it zooms.
PAGES_MM = {"a4": (210.0, 297.0), "a3": (297.0, 420.0)}
A3_BELOW = 0.55  # A4 scale under which the diagram gets an A3 page
DIAGRAM_MARGIN_MM = 10.0
DIAGRAM_TEXT_MM = 16.0
PT_PER_MM = 72 / 25.4

_MD = MarkdownIt("commonmark", {"html": False, "linkify": False})

# One sans family for the text and the diagram (Graphviz asks for Arial, which fontconfig maps to Liberation
# Sans): every face WeasyPrint embeds is loaded and subset once per PDF, so a second family costs time for nothing.
CSS = """
@page { size: A4; margin: 12mm 11mm 13mm 11mm;
  @bottom-left { content: string(doctitle); font: 7pt "Liberation Sans", Arial, sans-serif; color: #6c757d; }
  @bottom-right { content: "page " counter(page) " of " counter(pages); font: 7pt "Liberation Sans", Arial, sans-serif;
    color: #6c757d; } }
@page diagram-a4-landscape { size: A4 landscape; margin: 10mm; }
@page diagram-a4-portrait { size: A4 portrait; margin: 10mm; }
@page diagram-a3-landscape { size: A3 landscape; margin: 10mm; }
@page diagram-a3-portrait { size: A3 portrait; margin: 10mm; }
html { font-family: "Liberation Sans", Arial, sans-serif; font-size: 8.4pt; line-height: 1.28; color: #1f2933; }
body { margin: 0; }
h1 { font-size: 17pt; line-height: 1.15; margin: 0 0 1mm; }
h2 { font-size: 11.5pt; margin: 5mm 0 2mm; padding-bottom: .6mm; border-bottom: 1.2pt solid #1a3d7c; color: #1a3d7c;
  break-after: avoid; }
h2.page { break-before: page; margin-top: 0; }
p { margin: 1mm 0; }
ul { margin: .5mm 0 1mm; padding-left: 4mm; }
li { margin: 0 0 1.3mm; }
code { font-family: "Liberation Mono", monospace; font-size: .92em; }
a { color: inherit; text-decoration: none; }
b { color: #1f2933; }
.doctitle { string-set: doctitle content(); display: block; height: 0; overflow: hidden; }
.kicker { font-size: 7.5pt; letter-spacing: .08em; text-transform: uppercase; color: #5f6b7a; margin: 0 0 2mm; }
.sub { color: #5f6b7a; margin: 0 0 4mm; }
.muted, .ans, .ref { color: #5f6b7a; }
.small { font-size: 7.5pt; }
.wrap { overflow-wrap: anywhere; }
.verdict { padding: 3mm 4mm; margin: 0 0 4mm; border-left: 3mm solid; }
.verdict .level { font-size: 14pt; font-weight: bold; }
.verdict p { font-size: 9.5pt; margin: 1mm 0 0; }
.good-fit { background: #e9f6ec; border-color: #1e7b34; } .good-fit .level { color: #1e7b34; }
.fit-with-caveats { background: #fff6e0; border-color: #d4a017; } .fit-with-caveats .level { color: #9a6700; }
.poor-fit { background: #fdecea; border-color: #b42318; } .poor-fit .level { color: #b42318; }
table { width: 100%; table-layout: fixed; border-collapse: collapse; margin: 1mm 0 3mm; }
th, td { text-align: left; vertical-align: top; padding: .8mm 1.3mm; border-bottom: .4pt solid #d5dae0;
  overflow-wrap: anywhere; }
thead th { background: #eef1f5; font-size: 7pt; text-transform: uppercase; letter-spacing: .03em; color: #44505c; }
.glance th { width: 25mm; color: #44505c; }
.toc a::after { content: " p. " target-counter(attr(href), page); }
.rank { font-weight: bold; color: #1a3d7c; }
.sev { font-size: 7pt; font-weight: bold; text-transform: uppercase; }
.high { color: #b42318; } .medium { color: #9a6700; } .low { color: #5f6b7a; }
.patterns td { font-size: 7.4pt; line-height: 1.22; }
.patterns div.b { padding-left: 2.1mm; text-indent: -2.1mm; }
.patterns tr.head td { border-bottom: 0; padding-top: 1.8mm; background: #f6f8fa; }
.name { font-weight: bold; font-size: 8.4pt; }
.checklist td { font-size: 7.2pt; line-height: 1.2; padding-top: .45mm; padding-bottom: .45mm; }
.checklist td.group { background: #f3f5f8; font-weight: bold; font-size: 8pt; padding-top: 1.1mm; border-bottom: .6pt solid #aab3bd; }
.checklist .cfg { font-size: 6.9pt; color: #44505c; text-transform: none; letter-spacing: 0; font-weight: normal; }
.checklist .ref { font-size: 6.9pt; font-weight: normal; text-transform: none; }
/* The checkbox is drawn with borders: the ballot-box glyphs are not in Liberation Sans and would pull in a second font. */
td.box::before { content: ""; display: block; width: 2.5mm; height: 2.5mm; margin-top: .25mm; border: .6pt solid #44505c; }
td.box.done::before { background: #1e7b34; border-color: #1e7b34; }
.whatif td { font-size: 7.2pt; line-height: 1.2; }
/* A checklist row stays whole (its box beside its text), and a pattern's heading stays with its first items. */
.checklist tr, .whatif tr { break-inside: avoid; }
tr.head, tr.grp { break-after: avoid; }
.diagram-page { break-after: page; }
.a4-landscape { page: diagram-a4-landscape; } .a4-portrait { page: diagram-a4-portrait; }
.a3-landscape { page: diagram-a3-landscape; } .a3-portrait { page: diagram-a3-portrait; }
.diagram-page h2 { margin-top: 0; }
.drawing { position: relative; margin: 0 auto; }
.drawing img { position: absolute; left: 0; top: 0; }
/* Diagram labels as positioned text: WeasyPrint lays out SVG text one letter at a time, several times slower. */
.drawing span { position: absolute; width: 1pt; white-space: pre; line-height: 1; font-family: Arial, "Liberation Sans"; }
.drawing span.c { width: 400pt; text-align: center; } .drawing span.e { width: 400pt; text-align: right; }
.drawing svg { display: block; margin: 0 auto; }
figure { margin: 0; }
figcaption { color: #5f6b7a; font-size: 7.5pt; margin-top: 1.5mm; }
.notice { border: .6pt solid #d4a017; background: #fff8e1; padding: 2mm 3mm; }
pre { white-space: pre-wrap; overflow-wrap: anywhere; font-size: 6.5pt; }
"""  # noqa: E501 - CSS lines follow the stylesheet, not the Python line length

TEMPLATE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="generator" content="Kafka Pattern Advisor">
<title>{{ title | truncate(120, True, "…", 0) }} · Kafka Pattern Advisor</title>
<style>{{ css }}</style>
</head>
<body>
<span class="doctitle">{{ title | truncate(80, True, "…", 0) }}</span>
<p class="kicker">Kafka Pattern Advisor · architecture review · {{ date }}</p>
<h1 class="wrap">{{ title | truncate(300, True, "…", 0) }}</h1>
<p class="sub">Assessment of Apache Kafka{% if system and system != title %} for <b class="wrap">{{ system | truncate(300, True, "…", 0) }}</b>{% endif %},
following the chapter “Kafka Interaction Patterns”; § numbers refer to its sections.</p>

<section class="verdict {{ r.verdict.level }}">
<div class="level">{{ verdict_words }}</div>
<p>{{ kb(r.verdict.summary) }}</p>
{% for heading, alternatives in r.verdict.alternative_groups() %}<p><b>{{ heading }}:</b></p>
<ul>{% for a in alternatives %}<li>{{ kb(a) }}</li>{% endfor %}</ul>{% endfor %}
</section>

<table class="glance">
{% for tier in ["core", "baseline", "later"] %}{% set recs = r.recommended | selectattr("tier", "equalto", tier) | list %}{% if recs %}
<tr><th>{{ tier | capitalize }}</th><td>{% for x in recs %}{{ x.name }}{% if not loop.last %}; {% endif %}{% endfor %}</td></tr>{% endif %}{% endfor %}
{% if not r.recommended %}<tr><th>Recommended</th><td>none</td></tr>{% endif %}
{% for j in r.proposals %}<tr><th>{% if loop.first %}Proposals{% endif %}</th><td><b>{{ judgement_words[j.judgement] }}:</b> {{ j.label }}{% if j.alternative %}. Instead: {{ kb(j.alternative) }}{% endif %}{% for c in j.conditions %}. {{ kb(c) }}{% endfor %}</td></tr>{% endfor %}
{% if r.verdict.risks %}<tr><th>Risks</th><td>{% for x in r.verdict.risks %}<b>{{ x.kind }}:</b> {{ kb(x.text) }}{% if not loop.last %}<br>{% endif %}{% endfor %}</td></tr>{% endif %}
<tr><th>Discouraged</th><td>{% for x in r.discouraged %}{{ x.name }} <span class="sev {{ x.severity }}">{{ x.severity }}</span>{% if not loop.last %}; {% endif %}{% else %}none{% endfor %}</td></tr>
<tr><th>Checklist</th><td>{{ total }} items ({{ severity_counts }}); {{ done }} done</td></tr>
{% if r.what_if %}<tr><th>What-if</th><td>{{ r.what_if | length }} single-answer changes would alter the result</td></tr>{% endif %}
<tr><th>Contents</th><td class="toc"><a href="#architecture">Architecture</a>{% if r.recommended %} · <a href="#recommended">Recommended patterns</a>{% endif %}
{%- if r.discouraged %} · <a href="#discouraged">Discouraged patterns</a>{% endif %} · <a href="#checklist">Checklist</a>
{%- if whatif %} · <a href="#whatif">What-if</a>{% endif %}{% if r.notes %} · <a href="#notes">Notes</a>{% endif %}</td></tr>
</table>

{% if key %}<h2>{{ key_heading }}</h2>
<ul>{% for x in key %}<li><b>{{ x.title }}.</b> {{ kb(x.because) }}{% if short(x) %} <span class="ans">({{ short(x) }})</span>{% endif %} <span class="ref">§{{ x.refs | join(", §") }}</span></li>{% endfor %}</ul>
<p class="muted small">The HTML report explains every other rule in full and lists all answers.</p>{% endif %}

<section class="diagram-page {{ drawing.page }}">
<h2 id="architecture">Architecture</h2>
{% if drawing.html %}<figure>{{ drawing.html }}
<figcaption>Composed from the recommended patterns' diagram fragments; shared parts are drawn once. Kafka is the middle
column: producers on its left, consumers on its right.{% if show_discouraged and r.discouraged %} Discouraged parts are dashed red.{% endif %}</figcaption></figure>
{% else %}<div class="notice"><b>Diagram not rendered:</b> {{ no_dot }}<pre>{{ drawing.dot }}</pre></div>{% endif %}
</section>

{% if r.recommended %}<h2 id="recommended">Recommended patterns</h2>
<table class="patterns"><thead><tr><th style="width: 50%">Pros</th><th>Cons</th></tr></thead>
{% for rec in r.recommended %}{% set p = patterns.get(rec.pattern) %}{% set pc = tradeoffs(rec.pattern) %}<tr class="head"><td colspan="2">
<span class="rank">{{ loop.index }}.</span> <span class="name">{{ rec.name }}</span> <span class="muted">· {{ rec.tier }}{% if p %} · §{{ p.section }}{% endif %}</span>
{%- if rec.reasons %}<br>Why: {{ why(rec.reasons) }}{% endif %}</td></tr>
<tr><td>{% for x in pc[0] %}<div class="b">• {{ kb(x) }}</div>{% endfor %}</td><td>{% for x in pc[1] %}<div class="b">• {{ kb(x) }}</div>{% endfor %}</td></tr>
{% endfor %}</table>{% endif %}

{% if r.discouraged %}<h2 id="discouraged">Discouraged patterns</h2>
<table class="patterns"><thead><tr><th style="width: 30%">Pattern</th><th style="width: 36%">Instead</th><th>Why</th></tr></thead>
{% for d in r.discouraged %}<tr><td><span class="name">{{ d.name }}</span> <span class="sev {{ d.severity }}">{{ d.severity }}</span></td>
<td>{{ kb(d.alternative) }}</td>
<td>{{ why(d.reasons) }}</td></tr>
{% endfor %}</table>{% endif %}

<h2 id="checklist">Checklist <span class="muted">({{ done }} of {{ total }} done)</span></h2>
{% if groups %}<table class="checklist"><thead><tr><th style="width: 5mm"></th><th>Item <span class="cfg">and config keys</span></th><th style="width: 19mm">Severity, §</th></tr></thead>
{% for pid, items in groups.items() %}<tr class="grp"><td class="group" colspan="3">{{ pname(pid) }} · {{ items | length }} item{{ "s" if items | length != 1 }}</td></tr>
{% for i in items %}<tr><td class="box{% if i.id in checked %} done{% endif %}"></td><td>{{ kb(i.text) }}{% if i.config %}<div class="cfg">{{ config(i) }}</div>{% endif %}</td><td class="sev {{ i.severity }}">{{ i.severity }}<div class="ref">§{{ i.refs | join(", ") }}</div></td></tr>
{% endfor %}{% endfor %}</table>{% else %}<p>No checklist items.</p>{% endif %}

{% if whatif %}<h2 id="whatif">What-if</h2>
<p class="muted small">Single-answer changes that would alter the verdict or the pattern lists, most consequential first.</p>
<table class="whatif"><thead><tr><th style="width: 45%">Changing one of these answers</th><th>changes the result</th></tr></thead>
{% for changes, effect in whatif %}<tr><td>{% for q, change in changes %}<div>{{ q }} <b>{{ change }}</b></div>{% endfor %}</td><td>{{ effect }}</td></tr>
{% endfor %}</table>{% endif %}
{% if r.notes %}<h2 id="notes">Notes</h2>
<ul>{% for n in r.notes %}<li>{{ kb(n.text) }} <span class="ref">§{{ n.refs | join(", §") }}</span></li>{% endfor %}</ul>{% endif %}

</body>
</html>
"""  # noqa: E501 - template lines follow the HTML, not the Python line length

_ENV = Environment(autoescape=True, trim_blocks=False, lstrip_blocks=False)
_TEMPLATE = _ENV.from_string(TEMPLATE)


def print_text(text: str) -> Markup:
    """Knowledge-base Markdown as inline HTML (code spans); markdown-it escapes, raw HTML is disabled.

    <wbr> before a code span: Unicode line breaking forbids a break before "." even after a space, so a list
    such as "`.offset`, `.task.id`, ..." would otherwise run past its table cell into the next column.
    """
    return Markup(_MD.renderInline(one_line(text)).replace("<code>", "<wbr><code>"))


def short_answers(ctx: ExportContext, reason: Reason) -> str:
    """The answers behind a rule in short form: `team count: 30 teams; ops capacity: A platform team`."""
    parts = []
    for qid, value in reason.answers.items():
        text = answer_text(ctx, qid, value)
        if len(text) > SHORT_ANSWER:
            text = text[: SHORT_ANSWER - 1].rstrip() + "…"
        parts.append(f"{short_question(qid)}: {text}")
    return "; ".join(parts)


def key_reasons(ctx: ExportContext) -> tuple[str, list[Reason]]:
    """Page 1's reasons: the verdict's own, else those behind the top recommended patterns."""
    r = ctx.report
    if r.verdict.reasons:
        return "Why this verdict", list(r.verdict.reasons)
    seen: dict[str, Reason] = {}
    for rec in r.recommended:
        for x in rec.reasons:
            seen.setdefault(x.rule, x)
        if len(seen) >= KEY_REASONS:
            break
    return "Key reasons", list(seen.values())[:KEY_REASONS]


def reason_line(ctx: ExportContext, reasons: list[Reason]) -> Markup:
    """`Title A (a: 1; b: 2); Title B (c: 3)`: each answer shown once, after the first rule that cites it."""
    shown: set[str] = set()
    parts = []
    for x in reasons:
        new = {q: v for q, v in x.answers.items() if q not in shown}
        shown |= set(new)
        answers = short_answers(ctx, dataclasses.replace(x, answers=new)) if new else ""
        part = Markup("<b>{}</b>").format(x.title)
        if answers:
            part += Markup(' <span class="ans">({})</span>').format(answers)
        parts.append(part)
    return Markup("; ").join(parts)


def what_if_rows(ctx: ExportContext) -> list[tuple[list[tuple[str, str]], str]]:
    """What-if grouped by result: each effect once, with every answer change that leads to it.

    Changes of one question with the same result share a line (`30 teams → 1 team or 2 teams`); a multi-select
    change shows the option ticked or unticked (`+ Join or aggregate`) rather than the whole new list.
    """
    groups: dict[str, dict[str, list[str]]] = {}
    for w in ctx.report.what_if:
        changes = groups.setdefault(one_line(w.effect), {}).setdefault(w.question, [])
        change = change_text(ctx, w.question, w.from_, w.to)
        if change not in changes:
            changes.append(change)
    return [([(question_text(ctx, q), _joined(changes)) for q, changes in by_question.items()], effect)
            for effect, by_question in groups.items()]


def _joined(changes: list[str]) -> str:
    """`30 → 1`, `30 → 2` -> `30 → 1 or 2`: one starting value written once."""
    starts = {c.split(" → ", 1)[0] for c in changes}
    if len(starts) == 1 and all(" → " in c for c in changes):
        return f"{starts.pop()} → " + " or ".join(c.split(" → ", 1)[1] for c in changes)
    return " or ".join(changes)


def change_text(ctx: ExportContext, qid: str, old: AnswerValue | None, new: AnswerValue | None) -> str:
    if isinstance(old, list) and isinstance(new, list):
        q = ctx.kb.questions.get(qid)
        label = q.label_of if q is not None else str
        added = [label(v) for v in new if v not in old]
        removed = [label(v) for v in old if v not in new]
        return one_line("; ".join([*(f"+ {x}" for x in added), *(f"− {x}" for x in removed)])) or "—"
    return f"{answer_text(ctx, qid, old)} → {answer_text(ctx, qid, new)}"


def short_question(qid: str) -> str:
    """`team_count` -> `team count`: the short name of a question, as in the reason lines."""
    return one_line(qid.replace("_", " "))


def _value(v: ConfigValue) -> str:
    return ("true" if v else "false") if isinstance(v, bool) else str(v)


def config_lines(item: ReportItem) -> Markup:
    """`producer: acks=all, retries=5; topic: min.insync.replicas=2`."""
    lines = [html.escape(f"{scope}: " + ", ".join(f"{k}={_value(v)}" for k, v in values.items()))
             for scope, values in item.config.items()]
    return Markup("; ".join(lines))


def severity_counts(items: list[ReportItem]) -> str:
    counts = {s: sum(1 for i in items if i.severity == s) for s in SEVERITIES}
    return ", ".join(f"{n} {s}" for s, n in counts.items() if n) or "none"


# --------------------------------------------------------------------------- the diagram

_SVG_SIZE = re.compile(r'<svg\b[^>]*?\bwidth="([\d.]+)pt"[^>]*?\bheight="([\d.]+)pt"[^>]*?\bviewBox="([-\d. ]+)"', re.S)
_GRAPH_TRANSFORM = re.compile(r'<g id="graph0"[^>]*?transform="scale\(([-\d.]+) ([-\d.]+)\) rotate\(0\) '
                              r'translate\(([-\d.]+) ([-\d.]+)\)"')
_TEXT = re.compile(r"<text\b([^>]*)>(.*?)</text>", re.S)
_ATTR = re.compile(r'([\w:-]+)="([^"]*)"')
_COLOUR = re.compile(r"#[0-9a-fA-F]{3,8}|[a-z]{3,20}")
ASCENT = 0.905  # Liberation Sans ascent in em: from the top of a line-height: 1 box to the SVG text baseline


@dataclass(frozen=True)
class Drawing:
    dot: str
    html: Markup | None  # None: no `dot`, the DOT source is shown instead
    page: str = "a4-landscape"  # the named page (size and orientation) the diagram is drawn on


def page_box(svg_w: float, svg_h: float) -> tuple[str, float]:
    """(page name, scale) that draws a svg_w x svg_h pt diagram largest: A4 in either orientation, else A3."""
    best = ("a4-landscape", 0.0)
    for size in ("a4", "a3"):
        short, long = ((side - 2 * DIAGRAM_MARGIN_MM) * PT_PER_MM for side in PAGES_MM[size])
        text = DIAGRAM_TEXT_MM * PT_PER_MM
        for orientation, (w, h) in (("landscape", (long, short)), ("portrait", (short, long))):
            scale = min(w / svg_w, (h - text) / svg_h)
            if scale > best[1]:
                best = (f"{size}-{orientation}", scale)
        if best[1] >= A3_BELOW:
            break
    return best


def positioned_text(svg: str) -> Markup | None:
    """The diagram as a text-free SVG image with its labels laid over it as positioned HTML text.

    Same drawing, same font and metrics (Arial = Liberation Sans), text still selectable; about half the PDF
    time of an inline SVG. None when the SVG is not shaped as Graphviz writes it (then the caller inlines it).
    """
    size, transform = _SVG_SIZE.search(svg), _GRAPH_TRANSFORM.search(svg)
    if size is None or transform is None:
        return None
    width, height = float(size.group(1)), float(size.group(2))
    view = [float(v) for v in size.group(3).split()]
    if len(view) != 4 or view[2] <= 0:
        return None
    _, scale = page_box(width, height)
    k = scale * width / view[2]  # SVG user units -> pt on the page
    sx, sy, tx, ty = (float(v) for v in transform.groups())
    spans = []
    for attrs, content in _TEXT.findall(svg):
        a = dict(_ATTR.findall(attrs))
        try:
            x, y, font = float(a["x"]), float(a["y"]), float(a.get("font-size", "14"))
        except (KeyError, ValueError):
            return None
        size_pt = k * font
        left, top = k * (sx * (x + tx) - view[0]), k * (sy * (y + ty) - view[1]) - ASCENT * size_pt
        anchor = a.get("text-anchor", "start")
        cls = {"middle": ' class="c"', "end": ' class="e"'}.get(anchor, "")
        left -= {"middle": 200.0, "end": 400.0}.get(anchor, 0.0)
        style = f"left:{left:.2f}pt;top:{top:.2f}pt;font-size:{size_pt:.2f}pt"
        if a.get("font-weight") == "bold":
            style += ";font-weight:bold"
        if a.get("font-style") == "italic":
            style += ";font-style:italic"
        fill = a.get("fill", "")
        if _COLOUR.fullmatch(fill) and fill != "black":
            style += f";color:{fill}"
        spans.append(f'<span{cls} style="{style}">{html.escape(html.unescape(content), quote=False)}</span>')
    bare = _TEXT.sub("", svg)
    data = base64.b64encode(bare.encode("utf-8")).decode("ascii")
    w, h = width * scale, height * scale
    return Markup(f'<div class="drawing" style="width:{w:.1f}pt;height:{h:.1f}pt">'
                  f'<img alt="" style="width:{w:.1f}pt;height:{h:.1f}pt" src="data:image/svg+xml;base64,{data}">'
                  + "".join(spans) + "</div>")


def fitted_svg(svg: str) -> Markup:
    """The inline SVG sized to the page (the fallback when its text cannot be laid over)."""
    size = _SVG_SIZE.search(svg)
    if size is None:
        return Markup(svg)
    width, height = float(size.group(1)), float(size.group(2))
    _, scale = page_box(width, height)
    start, end = size.span(1)
    svg = f"{svg[:start]}{width * scale:.1f}{svg[end:]}"
    size = _SVG_SIZE.search(svg)
    assert size is not None
    start, end = size.span(2)
    return Markup(f"{svg[:start]}{height * scale:.1f}{svg[end:]}")


def drawing(ctx: ExportContext) -> Drawing:
    dot = diagram_dot(ctx)
    if not dot_available():
        return Drawing(dot, None)
    svg = inline_svg(render(dot, "svg"))
    size = _SVG_SIZE.search(svg)
    page = page_box(float(size.group(1)), float(size.group(2)))[0] if size else "a4-landscape"
    # diagram.py escaped every label, and positioned_text escapes the text it moves out of the SVG
    return Drawing(dot, positioned_text(svg) or fitted_svg(svg), page)


# --------------------------------------------------------------------------- the page


def render_print_html(ctx: ExportContext) -> str:
    r = ctx.report
    heading, key = key_reasons(ctx)
    shorts: dict[str, str] = {}

    def short(x: Reason) -> str:
        if x.rule not in shorts:
            shorts[x.rule] = short_answers(ctx, x)
        return shorts[x.rule]

    return _TEMPLATE.render(
        r=r, title=display_title(ctx), system=system_name(ctx), date=export_date().isoformat(), css=Markup(CSS),
        verdict_words=VERDICTS.get(r.verdict.level, ("", r.verdict.level))[1], done=len(checked_ids(ctx)),
        total=len(r.checklist), severity_counts=severity_counts(r.checklist), checked=set(checked_ids(ctx)),
        groups=items_by_pattern(ctx), patterns=ctx.kb.patterns, key=key, key_heading=heading,
        whatif=what_if_rows(ctx), drawing=drawing(ctx), no_dot=NO_DOT, show_discouraged=ctx.show_discouraged,
        kb=print_text, short=short, why=functools.partial(reason_line, ctx), config=config_lines,
        judgement_words=JUDGEMENT_WORDS,
        pname=functools.partial(pattern_name, ctx), tradeoffs=functools.partial(pros_cons, ctx),
    )
