"""md: the full report in Markdown (GitHub-flavoured: tables and task lists)."""

from __future__ import annotations

from ..present import OUTWEIGHED_HEADING, ReasonView, ViewModel, human_bytes
from ..sizing import retention_words
from . import Exporter, register
from .common import md, md_cell, one_line


def reason_line(reason: ReasonView, seen: set[str] | None = None) -> str:
    """A rule that fired, in full the first time; a rule that explains several things is named again
    without repeating its reasoning and answers."""
    if seen is not None and reason.rule in seen:
        return f"- **{reason.title}** (see above)"
    if seen is not None:
        seen.add(reason.rule)
    used = "; ".join(f"{md(q)} = {md(a)}" for q, a in reason.answers)
    tail = f" _(because you answered: {used})_" if used else ""
    refs = f" §{', §'.join(reason.refs)}" if reason.refs else ""
    return f"- **{reason.title}**: {reason.because}{tail}{refs}"


def _why(reasons: list[ReasonView], seen: set[str], heading: str = "Why") -> list[str]:
    return [f"{heading}:", ""] + [reason_line(x, seen) for x in reasons] + [""] if reasons else []


def checklist_lines(vm: ViewModel, *, heading: str = "###", details: bool = True) -> list[str]:
    """Task list in two phases ("do first", "later"), grouped by pattern; ticked items are `[x]`."""
    out: list[str] = []
    for group in vm.checklist:
        out += [f"{heading} {group.heading}", ""]
        for name, items in group.patterns:
            out += [f"{heading}# {name}", ""]
            for item in items:
                out.append(f"- [{'x' if item.done else ' '}] **{item.severity}** {item.text} (`{item.id}`)")
                if details:
                    if item.why:
                        out.append(f"  - Why: {item.why}")
                    if item.config:
                        out.append(f"  - Config: `{item.config}`")
                    out.append(f"  - Refs: §{', §'.join(item.refs)}")
            out.append("")
    return out


def render_markdown(vm: ViewModel) -> str:
    v = vm.verdict
    seen: set[str] = set()  # rules whose reasoning is already written out
    out = [f"# Kafka Pattern Advisor report: {md(vm.title)}", ""]
    out += ["| | |", "|---|---|"]
    if vm.system:
        out.append(f"| System | {md(vm.system)} |")
    out += [
        f"| Verdict | **{v.level_words}** |",
        *(f"| {tier.capitalize()} | {', '.join(md_cell(c.name) for c in cards)} |" for tier, cards in vm.tiers.items()),
        *([] if vm.tiers else ["| Recommended patterns | none |"]),
        f"| Discouraged patterns | {', '.join(f'{md_cell(x.name)} ({x.severity})' for x in vm.discouraged) or 'none'} |",
        f"| Checklist | {vm.done} of {vm.total} done |",
        "",
    ]

    out += ["## Verdict", "", f"**{v.decision_words}** ({v.level_words}). {v.summary}", ""]
    for heading, alternatives in v.alternative_groups:
        out += [f"{heading}:", ""] + [f"- {a}" for a in alternatives] + [""]
    out += _why(v.reasons, seen)
    out += _why(v.outweighed, seen, OUTWEIGHED_HEADING)
    if v.risks:
        out += ["Risks:", ""] + [f"- **{x.label}**: {x.text} (`{x.rule}`, §{', §'.join(x.refs)})" for x in v.risks] + [""]

    if vm.proposals:
        out += ["## Your proposals, reviewed", ""]
        for j in vm.proposals:
            out += [f"### {j.words}: {j.label}", ""]
            if j.alternative:
                out += [f"**Instead:** {j.alternative}", ""]
            out += [f"- Condition: {c}" for c in j.conditions] + ([""] if j.conditions else [])
            out += _why(j.reasons, seen)

    out += ["## Recommended patterns", ""]
    if not vm.tiers:
        out += ["No pattern is recommended for these answers.", ""]
    n = 0
    for tier, cards in vm.tiers.items():
        out += [f"### {vm.tier_headings[tier]}", ""]
        for card in cards:
            n += 1
            section = f"section {card.section}" if card.section else ""
            out += [f"#### {n}. {card.name}", "", f"_{section}_", ""]
            if card.trigger:
                said = card.trigger in seen  # one "when" for several later patterns: written once
                seen.add(card.trigger)
                out += [f"**When:** {'as for the pattern above' if said else card.trigger}", ""]
            if card.meanwhile:
                out += [f"**Meanwhile:** {card.meanwhile}", ""]
            if card.caution:
                out += [f"**With care:** {card.caution}", "", *_why(card.caution_reasons, seen, "Why the care")]
            if card.needed_by:
                out += [f"Needed by: {', '.join(md(x) for x in card.needed_by)}", ""]
            if card.summary:
                out += [card.summary, ""]
            out += _why(card.reasons, seen)

    if vm.discouraged:
        out += ["## Discouraged patterns", ""]
        for dis in vm.discouraged:
            out += [f"### {dis.name} ({dis.severity})", "", f"**Instead:** {dis.alternative}", ""]
            out += _why(dis.reasons, seen)

    if vm.notes:
        # Each note names the pattern it is about: away from its card, "This includes ..." needs a subject.
        names = vm.pattern_names
        out += ["## Notes", ""]
        out += [f"- {f'**{md(names[n.pattern])}**: ' if n.pattern in names else ''}{n.text} §{', §'.join(n.refs)}"
                for n in vm.notes] + [""]

    if vm.unsure:
        out += ["## What the \u201cNot sure\u201d answers cost", ""]
        for question, changes in vm.unsure:
            found = "; ".join(f"{md(to)}: {md(effect)}" for to, effect in changes)
            out.append(f"- {md(question)}: " + (found or "finding out would not change the advice."))
        out.append("")

    if vm.what_if:
        out += ["## What-if", "", "| If you change | from | to | the result changes |", "|---|---|---|---|"]
        for w in vm.what_if:
            out.append(f"| {md(w.question)} | {md(w.from_text)} | {md(w.to_text)} | {md_cell(w.effect)} |")
        out.append("")

    if vm.tiers:
        out += ["## Trade-offs", ""]
        for card in vm.cards:
            out += [f"### {card.name}", "", "Pros:", ""] + [f"- {one_line(x)}" for x in card.pros]
            out += ["", "Cons:", ""] + [f"- {one_line(x)}" for x in card.cons] + [""]

    if vm.sizing:
        out += ["## Topic sizing", "", "| topic | partitions | replicas / min ISR | retention | broker disks | remote tier |",
                "|---|---:|---|---|---:|---:|"]
        out += [f"| {md_cell(t.name)} | {t.partitions} | {t.replication_factor} / {t.min_insync_replicas} | "
                f"{retention_words(t.retention_ms)} | {human_bytes(t.broker_bytes)} | "
                f"{human_bytes(t.remote_bytes) if t.tiered else '—'} |" for t in vm.sizing]
        out.append("")
        said: set[str] = set()  # one assumption often holds for every topic: written once
        for t in vm.sizing:
            fresh = [a for a in t.assumptions if a not in said]
            said.update(fresh)
            out += [f"- **{md(t.name)}**: partitions = {md(t.formula)}"] + [f"  - {md(a)}" for a in fresh]
        out.append("")

    out += [f"## Checklist ({vm.done} of {vm.total} done)", ""]
    out += checklist_lines(vm) if vm.total else ["No checklist items.", ""]

    out += ["## Appendix: answers", ""]
    out += answers_appendix(vm)
    return "\n".join(out).rstrip() + "\n"


def answers_appendix(vm: ViewModel) -> list[str]:
    out: list[str] = []
    for section in vm.answers:
        out += [f"### {section.title}", "", "| Question | Answer |", "|---|---|"]
        out += [f"| {md(q)} | {md(a)} |" for q, a in section.rows]
        out.append("")
    if vm.unanswered:
        out += ["Not answered:", ""] + [f"- {md(q)}" for q in vm.unanswered] + [""]
    if not out:
        out = ["No answers given.", ""]
    return out


register(Exporter("md", "Markdown report", "md", "text/markdown; charset=utf-8",
                  lambda ctx: render_markdown(ctx.vm).encode("utf-8")))
