"""Helpers shared by the exporters: display texts, answer labels, escaping, the export date."""

from __future__ import annotations

import datetime as dt
import os
import re
from typing import TYPE_CHECKING

from .. import present

# one_line is the exporters' one cleaner (shared with the diagrams and the app): control characters become
# spaces, so user text never breaks a line format, and bidi / zero-width format controls visible <U+XXXX> markers.
from ..diagram import one_line as one_line
from ..model import AnswerValue, Recommendation, ReportItem

# The display words live with the view model; re-exported for the renderers not yet ported to it.
from ..present import DECISION_WORDS as DECISION_WORDS
from ..present import JUDGEMENT_WORDS as JUDGEMENT_WORDS
from ..present import PHASE_HEADINGS as PHASE_HEADINGS
from ..present import TIER_HEADINGS as TIER_HEADINGS
from ..present import VERDICTS as VERDICTS
from ..present import verdict_words as verdict_words
from ..system_diagram import architecture_dot

if TYPE_CHECKING:
    from . import ExportContext

SEVERITIES = ("high", "medium", "low")


def system_name(ctx: ExportContext) -> str | None:
    value = ctx.kb.system_name(ctx.report.answers)
    return one_line(value) or None if value else None


def display_title(ctx: ExportContext, default: str = "Kafka assessment") -> str:
    """The answers file's title, else the system name, else `default`."""
    return one_line(ctx.title or "") or system_name(ctx) or default


def question_text(ctx: ExportContext, qid: str) -> str:
    return present.question_text(ctx.kb, qid)


def answer_text(ctx: ExportContext, qid: str, value: AnswerValue | None) -> str:
    """An answer as the user saw it (the view model's one formatter)."""
    return present.answer_text(ctx.kb, qid, value)


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
    """`producer: acks=all; topic: min.insync.replicas=2` (the view model's one formatter)."""
    return present.config_text(item.config)


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
    """The user's own architecture: every export draws the same diagram as the results page."""
    return architecture_dot(ctx.report, ctx.kb, show_discouraged=ctx.show_discouraged)


_PROLOG = re.compile(r"\A.*?(?=<svg\b)", re.S)
_COMMENT = re.compile(r"<!--.*?-->", re.S)


def inline_svg(svg: bytes) -> str:
    """Graphviz SVG made fit for an HTML page: no XML prolog, no DOCTYPE (its DTD URL), no comments."""
    text = _PROLOG.sub("", svg.decode("utf-8"), count=1)
    return _COMMENT.sub("", text).strip()


# --------------------------------------------------------------------------- tiers, proposals, risks

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
