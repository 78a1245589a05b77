"""md: the full report in Markdown (GitHub-flavoured: tables and task lists)."""

from __future__ import annotations

from ..model import Reason, ReportItem
from ..whatif import unsure_costs
from . import ExportContext, Exporter, register
from .common import (
    DECISION_WORDS,
    JUDGEMENT_WORDS,
    PHASE_HEADINGS,
    TIER_HEADINGS,
    answer_text,
    by_tier,
    checked_ids,
    config_text,
    display_title,
    items_by_phase,
    md,
    md_cell,
    one_line,
    pattern_name,
    pros_cons,
    question_text,
    system_name,
    verdict_words,
)


def reason_line(ctx: ExportContext, reason: Reason) -> str:
    used = "; ".join(f"{md(question_text(ctx, q))} = {md(answer_text(ctx, q, v))}" for q, v in reason.answers.items())
    tail = f" _(because you answered: {used})_" if used else ""
    refs = f" §{', §'.join(reason.refs)}" if reason.refs else ""
    return f"- **{one_line(reason.title)}**: {one_line(reason.because)}{tail}{refs}"


def checklist_lines(ctx: ExportContext, *, heading: str = "###", details: bool = True) -> list[str]:
    """Task list in two phases ("do first", "later"), grouped by pattern; ticked items are `[x]`."""
    out: list[str] = []
    for phase, groups in items_by_phase(ctx).items():
        out += [f"{heading} {PHASE_HEADINGS[phase]}", ""]
        out += _pattern_items(ctx, groups, heading + "#", details)
    return out


def _pattern_items(ctx: ExportContext, groups: dict[str, list[ReportItem]], heading: str, details: bool) -> list[str]:
    out: list[str] = []
    for pid, items in groups.items():
        out += [f"{heading} {pattern_name(ctx, pid)}", ""]
        for item in items:
            box = "x" if item.id in ctx.checked else " "
            out.append(f"- [{box}] **{item.severity}** {one_line(item.text)} (`{item.id}`)")
            if details:
                if item.why:
                    out.append(f"  - Why: {one_line(item.why)}")
                if item.config:
                    out.append(f"  - Config: `{config_text(item)}`")
                out.append(f"  - Refs: §{', §'.join(item.refs)}")
        out.append("")
    return out


def render_markdown(ctx: ExportContext) -> str:
    r = ctx.report
    title = display_title(ctx)
    done, total = len(checked_ids(ctx)), len(r.checklist)
    out = [f"# Kafka Pattern Advisor report: {md(title)}", ""]
    out += ["| | |", "|---|---|"]
    if system_name(ctx):
        out.append(f"| System | {md(system_name(ctx) or '')} |")
    out += [
        f"| Verdict | **{verdict_words(r.verdict.level)}** |",
        *(f"| {tier.capitalize()} | {', '.join(md_cell(x.name) for x in recs)} |" for tier, recs in by_tier(ctx).items()),
        *([] if r.recommended else ["| Recommended patterns | none |"]),
        f"| Discouraged patterns | {', '.join(f'{md_cell(x.name)} ({x.severity})' for x in r.discouraged) or 'none'} |",
        f"| Checklist | {done} of {total} done |",
        "",
    ]

    out += ["## Verdict", "", f"**{DECISION_WORDS[r.verdict.decision]}** ({verdict_words(r.verdict.level)}). "
            f"{one_line(r.verdict.summary)}", ""]
    for heading, alternatives in r.verdict.alternative_groups():
        out += [f"{heading}:", ""] + [f"- {one_line(a)}" for a in alternatives] + [""]
    if r.verdict.reasons:
        out += ["Why:", ""] + [reason_line(ctx, x) for x in r.verdict.reasons] + [""]
    if r.verdict.risks:
        out += ["Risks:", ""] + [f"- **{x.kind}**: {one_line(x.text)} (`{x.rule}`, §{', §'.join(x.refs)})"
                                 for x in r.verdict.risks] + [""]

    if r.proposals:
        out += ["## Your proposals, reviewed", ""]
        for j in r.proposals:
            out += [f"### {JUDGEMENT_WORDS[j.judgement]}: {one_line(j.label)}", ""]
            if j.alternative:
                out += [f"**Instead:** {one_line(j.alternative)}", ""]
            out += [f"- Condition: {one_line(c)}" for c in j.conditions] + ([""] if j.conditions else [])
            if j.reasons:
                out += ["Why:", ""] + [reason_line(ctx, x) for x in j.reasons] + [""]

    out += ["## Recommended patterns", ""]
    if not r.recommended:
        out += ["No pattern is recommended for these answers.", ""]
    n = 0
    for tier, recs in by_tier(ctx).items():
        out += [f"### {TIER_HEADINGS[tier]}", ""]
        for rec in recs:
            n += 1
            p = ctx.kb.patterns.get(rec.pattern)
            section = f"section {p.section}" if p else ""
            out += [f"#### {n}. {one_line(rec.name)}", "", f"_{section}_", ""]
            if rec.trigger:
                out += [f"**When:** {one_line(rec.trigger)}", ""]
            if rec.required_by:
                out += [f"Needed by: {', '.join(md(pattern_name(ctx, x)) for x in rec.required_by)}", ""]
            if p:
                out += [one_line(p.summary), ""]
            if rec.reasons:
                out += ["Why:", ""] + [reason_line(ctx, x) for x in rec.reasons] + [""]

    if r.discouraged:
        out += ["## Discouraged patterns", ""]
        for dis in r.discouraged:
            out += [f"### {one_line(dis.name)} ({dis.severity})", "", f"**Instead:** {one_line(dis.alternative)}", ""]
            if dis.reasons:
                out += ["Why:", ""] + [reason_line(ctx, x) for x in dis.reasons] + [""]

    if r.notes:
        out += ["## Notes", ""] + [f"- {one_line(n.text)} §{', §'.join(n.refs)}" for n in r.notes] + [""]

    costs = unsure_costs(r)
    if costs:
        out += ["## What the \u201cNot sure\u201d answers cost", ""]
        for qid, changes in costs.items():
            found = "; ".join(f"{md(answer_text(ctx, qid, w.to))}: {md(w.effect)}" for w in changes)
            out.append(f"- {md(question_text(ctx, qid))}: " + (found or "finding out would not change the advice."))
        out.append("")

    if r.what_if:
        out += ["## What-if", "", "| If you change | from | to | the result changes |", "|---|---|---|---|"]
        for w in r.what_if:
            out.append(f"| {md(question_text(ctx, w.question))} | {md(answer_text(ctx, w.question, w.from_))} "
                       f"| {md(answer_text(ctx, w.question, w.to))} | {md_cell(w.effect)} |")
        out.append("")

    if r.recommended:
        out += ["## Trade-offs", ""]
        for rec in r.recommended:
            pros, cons = pros_cons(ctx, rec.pattern)
            out += [f"### {one_line(rec.name)}", "", "Pros:", ""] + [f"- {one_line(x)}" for x in pros]
            out += ["", "Cons:", ""] + [f"- {one_line(x)}" for x in cons] + [""]

    out += [f"## Checklist ({done} of {total} done)", ""]
    out += checklist_lines(ctx) if r.checklist else ["No checklist items.", ""]

    out += ["## Appendix: answers", ""]
    out += answers_appendix(ctx)
    return "\n".join(out).rstrip() + "\n"


def answers_appendix(ctx: ExportContext) -> list[str]:
    r = ctx.report
    out: list[str] = []
    for section in ctx.kb.sections:
        qids = [q for q in ctx.kb.questions if ctx.kb.section_of[q] == section.id and q in r.answers]
        if not qids:
            continue
        out += [f"### {one_line(section.title)}", "", "| Question | Answer |", "|---|---|"]
        out += [f"| {md(question_text(ctx, q))} | {md(answer_text(ctx, q, r.answers[q]))} |" for q in qids]
        out.append("")
    unknown = [q for q in r.answers if q not in ctx.kb.questions]
    if unknown:
        out += ["### Other answers", "", "| Question | Answer |", "|---|---|"]
        out += [f"| {md(q)} | {md(answer_text(ctx, q, r.answers[q]))} |" for q in unknown] + [""]
    if r.unanswered:
        out += ["Not answered:", ""] + [f"- {md(question_text(ctx, q))}" for q in r.unanswered] + [""]
    if not out:
        out = ["No answers given.", ""]
    return out


register(Exporter("md", "Markdown report", "md", "text/markdown; charset=utf-8",
                  lambda ctx: render_markdown(ctx).encode("utf-8")))
