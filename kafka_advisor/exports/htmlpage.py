"""html: one self-contained page (inline SVG diagram, inline CSS, print styles) that opens offline.

Jinja2 autoescapes everything a user typed; knowledge-base prose goes through markdown-it with
raw HTML disabled, so backticks become code but no tag from any YAML file reaches the page.
"""

from __future__ import annotations

import functools
from typing import Any

from jinja2 import Environment
from markdown_it import MarkdownIt
from markupsafe import Markup

from ..diagram import dot_available, render
from . import ExportContext, Exporter, register
from .common import (
    JUDGEMENT_WORDS,
    VERDICTS,
    answer_text,
    checked_ids,
    config_text,
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

_MD = MarkdownIt("commonmark", {"html": False, "linkify": False})


def _kb_text(text: str) -> Markup:
    # <wbr> before code spans: Unicode line breaking forbids a break before "." even after a space, so a list
    # such as "`.offset`, `.task.id`, ..." would otherwise run off the printed page.
    html = _MD.renderInline(one_line(text)).replace("<code>", "<wbr><code>")
    return Markup(html)  # markdown-it escapes: raw html is disabled


CSS = """
@page { size: A4; margin: 16mm 14mm 18mm 14mm;
  @bottom-left { content: string(doctitle); font: 8pt "DejaVu Sans", sans-serif; color: #6c757d; }
  @bottom-right { content: "page " counter(page) " of " counter(pages); font: 8pt "DejaVu Sans", sans-serif; color: #6c757d; } }
@page wide { size: A4 landscape; margin: 12mm; }
:root { --ink: #1f2933; --muted: #5f6b7a; --line: #dfe3e8; --good: #1e7b34; --warn: #9a6700; --bad: #b42318;
  --good-bg: #e9f6ec; --warn-bg: #fff6e0; --bad-bg: #fdecea; }
* { box-sizing: border-box; }
html { font-family: "DejaVu Sans", "Liberation Sans", Arial, sans-serif; color: var(--ink); font-size: 14px; line-height: 1.5; }
body { margin: 0 auto; max-width: 1040px; padding: 28px 32px 48px; background: #fff; }
h1 { font-size: 1.7rem; margin: 0 0 .2rem; }
/* the page footer's title: a short copy, in a box of no height (a display: none box sets no string) */
.doctitle { string-set: doctitle content(); display: block; height: 0; overflow: hidden; }
h2 { font-size: 1.25rem; margin: 2rem 0 .6rem; padding-bottom: .25rem; border-bottom: 2px solid var(--line);
  break-after: avoid; }
h3 { font-size: 1.02rem; margin: 1.1rem 0 .3rem; break-after: avoid; }
p { margin: .35rem 0; }
ul { margin: .3rem 0 .6rem; padding-left: 1.3rem; }
li { margin: .15rem 0; }
code { font-family: "DejaVu Sans Mono", monospace; font-size: .86em; background: #f3f5f7; padding: 0 .25em; border-radius: 3px; }
table { table-layout: fixed; border-collapse: collapse; width: 100%; margin: .4rem 0 .8rem; font-size: .93rem; }
th, td { text-align: left; vertical-align: top; padding: .35rem .55rem; border-bottom: 1px solid var(--line); }
th { background: #f6f8fa; font-weight: 600; }
.muted { color: var(--muted); }
.subtitle { color: var(--muted); margin: 0 0 1.2rem; }
.verdict { border-radius: 8px; padding: .9rem 1.1rem; margin: 1rem 0; border-left: 8px solid; break-inside: avoid; }
.verdict .level { font-size: 1.25rem; font-weight: 700; }
.verdict.good-fit { background: var(--good-bg); border-color: var(--good); }
.verdict.good-fit .level { color: var(--good); }
.verdict.fit-with-caveats { background: var(--warn-bg); border-color: #d4a017; }
.verdict.fit-with-caveats .level { color: var(--warn); }
.verdict.poor-fit { background: var(--bad-bg); border-color: var(--bad); }
.verdict.poor-fit .level { color: var(--bad); }
.facts td:first-child { color: var(--muted); }
.card { border: 1px solid var(--line); border-radius: 8px; padding: .7rem 1rem; margin: .7rem 0; break-inside: avoid; }
.card h3 { margin-top: 0; }
.card.discouraged { border-color: #f1b5ae; background: #fffafa; }
.rank { display: inline-block; min-width: 1.6rem; text-align: center; background: #1a3d7c; color: #fff; border-radius: 4px;
  margin-right: .4rem; font-size: .9rem; }
.badge { display: inline-block; font-size: .74rem; font-weight: 700; text-transform: uppercase; letter-spacing: .03em;
  padding: .05rem .45rem; border-radius: 10px; vertical-align: .1em; }
.sev-high { background: #fdecea; color: var(--bad); border: 1px solid #f1b5ae; }
.sev-medium { background: #fff6e0; color: var(--warn); border: 1px solid #f0d48a; }
.sev-low { background: #eef2f6; color: #44505c; border: 1px solid #cfd6de; }
.reasons li { margin: .3rem 0; }
.answers-used { color: var(--muted); font-size: .88rem; }
.ref { color: var(--muted); font-size: .85rem; white-space: nowrap; }
figure.diagram { margin: .6rem 0; border: 1px solid var(--line); border-radius: 8px; padding: .6rem; overflow-x: auto; }
figure.diagram svg { max-width: 100%; height: auto; display: block; margin: 0 auto; }
@media screen { /* the diagram is wide (left to right): let it use the whole window, not the text column */
  figure.diagram { width: calc(100vw - 48px); max-width: 1800px; position: relative; left: 50%; transform: translateX(-50%); } }
figcaption { color: var(--muted); font-size: .85rem; margin-top: .3rem; }
.notice { border: 1px solid #f0d48a; background: #fff8e1; border-radius: 8px; padding: .7rem 1rem; }
pre { white-space: pre-wrap; word-break: break-all; font-size: .75rem; background: #f6f8fa; padding: .6rem; border-radius: 6px; }
.tradeoffs td:first-child { font-weight: 600; }
/* Fixed table layout takes column widths from the first row: fast in WeasyPrint, stable on screen. */
.w20 { width: 20%; } .w25 { width: 25%; } .w28 { width: 28%; } .w40 { width: 40%; } .w45 { width: 45%; }
.tradeoffs ul { margin: 0; }
.checklist { list-style: none; padding-left: 0; }
/* Positioned rather than flex: WeasyPrint lays out flex boxes several times slower. */
.checklist li { position: relative; padding: .4rem 0 .4rem 1.8rem; border-bottom: 1px solid #eef0f2; break-inside: avoid; }
.box { position: absolute; left: .1rem; top: .3rem; font-size: 1.15rem; line-height: 1.2; }
.box.done { color: var(--good); }
.item-meta { color: var(--muted); font-size: .85rem; }
.wrap { overflow-wrap: anywhere; }
footer { margin-top: 2.5rem; color: var(--muted); font-size: .82rem; border-top: 1px solid var(--line); padding-top: .6rem; }
@media print {
  html { font-size: 10pt; }
  body { max-width: none; padding: 0; }
  h2 { margin-top: 1.3rem; }
  .diagram-section { page: wide; }
  figure.diagram { border: 0; padding: 0; overflow: visible; }
  figure.diagram svg { max-height: 165mm; width: auto; max-width: 100%; }
  a { color: inherit; text-decoration: none; }
  body { overflow-wrap: break-word; }  /* a long unbroken name wraps instead of running off the page */
}
"""

TEMPLATE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="Kafka Pattern Advisor">
<title>{{ title | truncate(120, True, "…", 0) }} · Kafka Pattern Advisor</title>
<style>{{ css }}</style>
</head>
<body>
<header>
<span class="doctitle">{{ title | truncate(80, True, "…", 0) }}</span>
<h1 class="wrap">{{ title | truncate(300, True, "…", 0) }}</h1>
<p class="subtitle">Kafka Pattern Advisor report{% if system and system != title %} for <strong class="wrap">{{ system | truncate(300, True, "…", 0) }}</strong>{% endif %}
 · {{ date }}</p>
</header>

<section class="verdict {{ r.verdict.level }}">
<div class="level">{{ verdict_icon }} {{ verdict_words }}</div>
<p>{{ kb(r.verdict.summary) }}</p>
{% for heading, alternatives in r.verdict.alternative_groups() %}<p><strong>{{ heading }}:</strong></p>
<ul>{% for a in alternatives %}<li>{{ kb(a) }}</li>{% endfor %}</ul>{% endfor %}
</section>

<table class="facts">
{% for tier in ["core", "baseline", "later"] %}{% set recs = r.recommended | selectattr("tier", "equalto", tier) | list %}{% if recs %}
<tr><td class="w28">{{ tier | capitalize }}</td><td>{% for x in recs %}{{ x.name }}{% if not loop.last %}, {% endif %}{% endfor %}</td></tr>{% endif %}{% endfor %}
{% if not r.recommended %}<tr><td class="w28">Recommended patterns</td><td>none</td></tr>{% endif %}
<tr><td>Discouraged patterns</td><td>{% for x in r.discouraged %}{{ x.name }} <span class="badge sev-{{ x.severity }}">{{ x.severity }}</span>{% if not loop.last %}, {% endif %}{% else %}none{% endfor %}</td></tr>
<tr><td>Checklist</td><td>{{ done }} of {{ total }} done</td></tr>
</table>

{% if r.verdict.risks %}<h2>Top risks</h2>
<ul>{% for x in r.verdict.risks %}<li><strong>{{ x.kind }}:</strong> {{ kb(x.text) }}</li>{% endfor %}</ul>{% endif %}

{% if r.verdict.reasons %}<h2>Why this verdict</h2>
<ul class="reasons">{% for x in r.verdict.reasons %}{{ reason(x) }}{% endfor %}</ul>{% endif %}

{% if r.proposals %}<h2>Your proposals, reviewed</h2>
{% for j in r.proposals %}<div class="card{% if j.judgement == 'warn' %} discouraged{% endif %}"><h3>{{ judgement_words[j.judgement] }}: {{ j.label }}</h3>
{% if j.alternative %}<p><strong>Instead:</strong> {{ kb(j.alternative) }}</p>{% endif %}
{% if j.conditions %}<ul>{% for c in j.conditions %}<li>{{ kb(c) }}</li>{% endfor %}</ul>{% endif %}
{% if j.reasons %}<ul class="reasons">{% for x in j.reasons %}{{ reason(x) }}{% endfor %}</ul>{% endif %}
</div>{% endfor %}{% endif %}

<section class="diagram-section">
<h2>Architecture</h2>
{% if svg %}<figure class="diagram">{{ svg }}
<figcaption>Composed from the recommended patterns' diagram fragments; shared parts (one Kafka cluster, one Connect cluster, one
schema registry) are drawn once.{% if show_discouraged and r.discouraged %} Discouraged parts are dashed red.{% endif %}</figcaption></figure>
{% else %}<div class="notice"><strong>Diagram not rendered:</strong> {{ no_dot }}
<details><summary>Graphviz DOT source</summary><pre>{{ dot }}</pre></details></div>{% endif %}
</section>

<h2>Recommended patterns</h2>
{% for rec in r.recommended %}{% set p = patterns.get(rec.pattern) %}
<div class="card"><h3><span class="rank">{{ loop.index }}</span>{{ rec.name }}</h3>
<p class="muted">{{ rec.tier | capitalize }}{% if p %} · section {{ p.section }}{% endif %}</p>
{% if rec.trigger %}<p><strong>When:</strong> {{ kb(rec.trigger) }}</p>{% endif %}
{% if p %}<p>{{ kb(p.summary) }}</p>{% endif %}
{% if rec.reasons %}<ul class="reasons">{% for x in rec.reasons %}{{ reason(x) }}{% endfor %}</ul>{% endif %}
</div>
{% else %}<p>No pattern is recommended for these answers.</p>{% endfor %}

{% if r.discouraged %}<h2>Discouraged patterns</h2>
{% for d in r.discouraged %}<div class="card discouraged"><h3>✗ {{ d.name }} <span class="badge sev-{{ d.severity }}">{{ d.severity }}</span></h3>
<p><strong>Instead:</strong> {{ kb(d.alternative) }}</p>
{% if d.reasons %}<ul class="reasons">{% for x in d.reasons %}{{ reason(x) }}{% endfor %}</ul>{% endif %}
</div>{% endfor %}{% endif %}

{% if r.notes %}<h2>Notes</h2>
<ul>{% for n in r.notes %}<li>{{ kb(n.text) }} <span class="ref">§{{ n.refs | join(", §") }}</span></li>{% endfor %}</ul>{% endif %}

{% if r.what_if %}<h2>What if</h2>
<table><tr><th class="w28">If you change</th><th class="w20">from</th><th class="w20">to</th><th>the result changes</th></tr>
{% for w in r.what_if %}<tr><td>{{ question(w.question) }}</td><td class="wrap">{{ answer(w.question, w.from_) }}</td>
<td class="wrap">{{ answer(w.question, w.to) }}</td><td>{{ kb(w.effect) }}</td></tr>{% endfor %}</table>{% endif %}

{% if r.recommended %}<h2>Trade-offs</h2>
<table class="tradeoffs"><tr><th class="w20">Pattern</th><th class="w40">Pros</th><th class="w40">Cons</th></tr>
{% for rec in r.recommended %}{% set pc = tradeoffs(rec.pattern) %}<tr><td>{{ rec.name }}</td>
<td><ul>{% for x in pc[0] %}<li>{{ kb(x) }}</li>{% endfor %}</ul></td>
<td><ul>{% for x in pc[1] %}<li>{{ kb(x) }}</li>{% endfor %}</ul></td></tr>{% endfor %}</table>{% endif %}

<h2>Checklist <span class="muted">({{ done }} of {{ total }} done)</span></h2>
{% for pid, items in groups.items() %}<h3>{{ pname(pid) }}</h3>
<ul class="checklist">{% for i in items %}<li><span class="box{% if i.id in checked %} done{% endif %}">{% if i.id in checked %}☑{% else %}☐{% endif %}</span>
<div><span class="badge sev-{{ i.severity }}">{{ i.severity }}</span> {{ kb(i.text) }}
<div class="item-meta">{% if i.why %}{{ kb(i.why) }} · {% endif %}{% if i.config %}<code>{{ config(i) }}</code> · {% endif %}<code>{{ i.id }}</code> · §{{ i.refs | join(", §") }}</div></div></li>
{% endfor %}</ul>{% else %}<p>No checklist items.</p>{% endfor %}

<h2>Appendix: answers</h2>
{% for s, rows in answers %}<h3>{{ s }}</h3>
<table>{% for q, a in rows %}<tr><td{% if loop.first %} class="w45"{% endif %}>{{ q }}</td><td class="wrap">{{ a }}</td></tr>{% endfor %}</table>
{% else %}<p>No answers given.</p>{% endfor %}
{% if unanswered %}<p class="muted">Not answered: {{ unanswered | join("; ") }}</p>{% endif %}

<footer>Generated by the Kafka Pattern Advisor on {{ date }}. The verdict and patterns follow the chapter
“Kafka Interaction Patterns”; section numbers (§) refer to it.</footer>
</body>
</html>
"""  # noqa: E501 - template lines follow the HTML, not the Python line length

_ENV = Environment(autoescape=True, trim_blocks=False, lstrip_blocks=False)
_TEMPLATE = _ENV.from_string(TEMPLATE)
_REASON = _ENV.from_string(
    '<li><strong>{{ x.title }}</strong>: {{ kb(x.because) }}'
    '{% if used %} <span class="answers-used">(because you answered: {{ used }})</span>{% endif %}'
    ' <span class="ref">§{{ x.refs | join(", §") }}</span></li>'
)
_REASON_AGAIN = _ENV.from_string('<li><strong>{{ x.title }}</strong> <span class="muted">(explained above)</span></li>')

NO_DOT = ("the Graphviz 'dot' program is needed to draw the architecture diagram and was not found on PATH. "
          "Install Graphviz (Debian/Ubuntu: apt-get install graphviz, macOS: brew install graphviz) and export "
          "again; the DOT source below renders with any Graphviz viewer.")


def render_html(ctx: ExportContext) -> str:
    dot = diagram_dot(ctx)
    svg = Markup(inline_svg(render(dot, "svg"))) if dot_available() else None  # diagram.py escaped every label
    return _page(ctx, dot, svg)


def _page(ctx: ExportContext, dot: str, svg: Markup | None) -> str:
    r = ctx.report
    icon, words = VERDICTS.get(r.verdict.level, ("", r.verdict.level))

    seen: set[str] = set()

    def reason(x: Any) -> Markup:
        # A rule that backs several patterns is explained in full once; later mentions point back to it.
        if x.rule in seen:
            return Markup(_REASON_AGAIN.render(x=x))  # rendered with autoescape
        seen.add(x.rule)
        used = "; ".join(f"{question_text(ctx, q)} = {answer_text(ctx, q, v)}" for q, v in x.answers.items())
        return Markup(_REASON.render(x=x, used=used, kb=_kb_text))  # rendered with autoescape

    answers = []
    for section in ctx.kb.sections:
        rows = [(question_text(ctx, q), answer_text(ctx, q, r.answers[q]))
                for q in ctx.kb.questions if ctx.kb.section_of[q] == section.id and q in r.answers]
        if rows:
            answers.append((section.title, rows))
    other = [(question_text(ctx, q), answer_text(ctx, q, v)) for q, v in r.answers.items() if q not in ctx.kb.questions]
    if other:
        answers.append(("Other answers", other))
    return _TEMPLATE.render(
        r=r, title=display_title(ctx), system=system_name(ctx), date=export_date().isoformat(), css=Markup(CSS),
        verdict_icon=icon, verdict_words=words, done=len(checked_ids(ctx)), total=len(r.checklist),
        checked=set(checked_ids(ctx)), groups=items_by_pattern(ctx), patterns=ctx.kb.patterns,
        svg=svg, dot=dot, no_dot=NO_DOT, show_discouraged=ctx.show_discouraged, judgement_words=JUDGEMENT_WORDS,
        kb=_kb_text, reason=reason, question=functools.partial(question_text, ctx),
        answer=functools.partial(answer_text, ctx), pname=functools.partial(pattern_name, ctx),
        tradeoffs=functools.partial(pros_cons, ctx), config=config_text, answers=answers,
        unanswered=[question_text(ctx, q) for q in r.unanswered],
    )


register(Exporter("html", "HTML report (self-contained)", "html", "text/html; charset=utf-8",
                  lambda ctx: render_html(ctx).encode("utf-8")))
