"""Helpers shared by the exporters: display texts, answer labels, escaping, the export date."""

from __future__ import annotations

import datetime as dt
import os
import re
from typing import TYPE_CHECKING

# one_line is the exporters' one cleaner (shared with the diagrams and the app): control characters become
# spaces, so user text never breaks a line format, and bidi / zero-width format controls visible <U+XXXX> markers.
from ..diagram import one_line as one_line
from ..diagram import report_dot
from ..model import UNSURE, AnswerValue, Recommendation, ReportItem

if TYPE_CHECKING:
    from . import ExportContext

VERDICTS: dict[str, tuple[str, str]] = {  # level -> (icon, words); icons exist in DejaVu Sans, so the PDF has them
    "good-fit": ("✓", "Good fit"),
    "fit-with-caveats": ("⚠", "Fit with caveats"),
    "poor-fit": ("✗", "Poor fit"),
}
SEVERITIES = ("high", "medium", "low")


def system_name(ctx: ExportContext) -> str | None:
    value = ctx.kb.system_name(ctx.report.answers)
    return one_line(value) or None if value else None


def display_title(ctx: ExportContext, default: str = "Kafka assessment") -> str:
    """The answers file's title, else the system name, else `default`."""
    return one_line(ctx.title or "") or system_name(ctx) or default


def verdict_words(level: str) -> str:
    icon, words = VERDICTS.get(level, ("", level))
    return f"{icon} {words}".strip()


def question_text(ctx: ExportContext, qid: str) -> str:
    q = ctx.kb.questions.get(qid)
    return q.text if q is not None else one_line(qid)  # an unknown id is whatever the answers named


def answer_text(ctx: ExportContext, qid: str, value: AnswerValue | None) -> str:
    """An answer as the user saw it: option labels, yes/no/not sure, numbers with their unit."""
    q = ctx.kb.questions.get(qid)
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if q is not None and q.type == "bool" and value == UNSURE:
        return "Not sure"
    if isinstance(value, list):  # an unknown question's values are raw user text
        return one_line(", ".join(q.label_of(v) if q else str(v) for v in value)) or "none"
    if isinstance(value, int | float):
        unit = f" {q.unit}" if q is not None and q.unit else ""
        if value == 1 and unit.endswith("s") and " " not in unit.strip() and len(unit) > 4:  # "1 teams" -> "1 team", not "1 m"
            unit = unit[:-1]
        return f"{value:g}{unit}" if isinstance(value, float) else f"{value}{unit}"
    if q is not None and q.type == "single":
        return q.label_of(value)
    return one_line(value)


def pattern_name(ctx: ExportContext, pid: str) -> str:
    p = ctx.kb.patterns.get(pid)
    return p.name if p is not None else pid


def items_by_pattern(ctx: ExportContext) -> dict[str, list[ReportItem]]:
    """Checklist items grouped by pattern: recommended patterns first, in rank order, then the rest."""
    order = [r.pattern for r in ctx.report.recommended]
    groups: dict[str, list[ReportItem]] = {p: [] for p in order}
    for item in ctx.report.checklist:
        groups.setdefault(item.pattern, []).append(item)
    return {p: items for p, items in groups.items() if items}


def checked_ids(ctx: ExportContext) -> list[str]:
    """Ticked items that are in this report's checklist, in checklist order."""
    return [i.id for i in ctx.report.checklist if i.id in ctx.checked]


def config_text(item: ReportItem) -> str:
    """`producer: acks=all; topic: min.insync.replicas=2`."""
    parts = []
    for scope, values in item.config.items():
        settings = ", ".join(f"{k}={_value(v)}" for k, v in values.items())
        parts.append(f"{scope}: {settings}")
    return "; ".join(parts)


def _value(v: object) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def pros_cons(ctx: ExportContext, pid: str) -> tuple[list[str], list[str]]:
    p = ctx.kb.patterns.get(pid)
    if p is None:
        return [], []
    return list(p.tradeoffs.pros), list(p.tradeoffs.cons)


# --------------------------------------------------------------------------- markdown escaping

_MD_SPECIAL = re.compile(r"[\\`*_\[\]<>|~&#!$]")  # $: GitHub renders $math$


def md(text: str) -> str:
    """User text inside Markdown: one line, and every character Markdown could act on escaped."""
    return _MD_SPECIAL.sub(r"\\\g<0>", one_line(text))


def md_cell(text: str) -> str:
    """Knowledge-base text inside a table cell: one line, pipes escaped."""
    return one_line(text).replace("|", "\\|")


# --------------------------------------------------------------------------- dates


def export_date(on: dt.date | None = None) -> dt.date:
    """The date written into exports: `on`, else SOURCE_DATE_EPOCH (reproducible builds), else today (UTC)."""
    if on is not None:
        return on
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC).date()
    return dt.datetime.now(tz=dt.UTC).date()


# --------------------------------------------------------------------------- diagram


def diagram_dot(ctx: ExportContext) -> str:
    return report_dot(ctx.report, ctx.kb, show_discouraged=ctx.show_discouraged)


_PROLOG = re.compile(r"\A.*?(?=<svg\b)", re.S)
_COMMENT = re.compile(r"<!--.*?-->", re.S)


def inline_svg(svg: bytes) -> str:
    """Graphviz SVG made fit for an HTML page: no XML prolog, no DOCTYPE (its DTD URL), no comments."""
    text = _PROLOG.sub("", svg.decode("utf-8"), count=1)
    return _COMMENT.sub("", text).strip()


# --------------------------------------------------------------------------- tiers, proposals, risks

TIER_HEADINGS: dict[str, str] = {
    "core": "Core: the patterns that shape this architecture",
    "baseline": "Baseline: always-on hygiene",
    "later": "Later: worth it when the system grows",
}
JUDGEMENT_WORDS: dict[str, str] = {
    "endorse": "Endorsed",
    "conditions": "Endorsed with conditions",
    "warn": "Warned against",
}
PHASE_HEADINGS: dict[str, str] = {"first": "Do first", "later": "Later"}
DECISION_WORDS: dict[str, str] = {"adopt": "Adopt Kafka", "adopt-with-caveats": "Adopt Kafka, with caveats",
                                  "do-not-adopt": "Do not adopt Kafka"}


def by_tier(ctx: ExportContext) -> dict[str, list[Recommendation]]:
    """Recommended patterns per tier, core first; empty tiers left out."""
    groups: dict[str, list[Recommendation]] = {t: [] for t in TIER_HEADINGS}
    for rec in ctx.report.recommended:
        groups[rec.tier].append(rec)
    return {t: recs for t, recs in groups.items() if recs}


def items_by_phase(ctx: ExportContext) -> dict[str, dict[str, list[ReportItem]]]:
    """Checklist items split into "do first" and "later", each grouped by pattern in rank order."""
    out: dict[str, dict[str, list[ReportItem]]] = {}
    for pid, items in items_by_pattern(ctx).items():
        for item in items:
            out.setdefault(item.phase, {}).setdefault(pid, []).append(item)
    return {phase: out[phase] for phase in PHASE_HEADINGS if phase in out}
