"""adr: an Architecture Decision Record in MADR 4 format, written from the report.

Options: Kafka with the recommended patterns, each discouraged pattern and its alternative, and the
non-Kafka alternatives of the verdict. The chosen option follows the verdict; nothing is re-decided.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from ..model import AnswerValue, Reason
from . import ExportContext, Exporter, register
from .common import (
    JUDGEMENT_WORDS,
    answer_text,
    by_tier,
    checked_ids,
    display_title,
    export_date,
    items_by_pattern,
    md,
    one_line,
    pattern_name,
    pros_cons,
    question_text,
    system_name,
    verdict_words,
)


@dataclass
class Option:
    title: str
    description: str
    good: list[str] = field(default_factory=list)
    bad: list[str] = field(default_factory=list)


# Capitalised first words that are names, not sentence starts: they keep their capital after "because".
# Any other plain capitalised word (Adding, Incompatible, Per-key) is a sentence start and is lowered;
# acronyms and words with inner capitals or digits (RF, KRaft, SMTs, Kafka's 3.0) never change.
_NAMES = frozenset({"kafka", "debezium", "connect", "postgresql", "mysql", "mariadb", "oracle", "confluent",
    "avro", "protobuf", "schema", "streams", "flink", "eventstoredb", "spring", "apache", "jdbc", "rabbitmq",
    "zookeeper", "graphviz", "jira", "gdpr", "rest", "grpc", "customer", "tiered", "mirrormaker", "java", "python"})


def _clause(text: str) -> str:
    """'The log keeps history.' -> 'the log keeps history' (to follow 'Good, because')."""
    text = one_line(text).rstrip(".")
    first = text.split(" ", 1)[0]
    word = first.split("-", 1)[0].rstrip(",:;").removesuffix("'s")
    plain = word[:1].isupper() and (len(word) == 1 or (word[1:].isalpha() and word[1:].islower()))
    if plain and word.lower() not in _NAMES and first != "I":
        text = text[0].lower() + text[1:]
    return text


def _reasons(ctx: ExportContext) -> list[Reason]:
    """The reasons this decision rests on, once each: the verdict's, the core's and the proposals'."""
    r = ctx.report
    core = [x for x in r.recommended if x.tier == "core"] or r.recommended
    seen: dict[str, Reason] = {}
    for reason in [*r.verdict.reasons, *(x for rec in core for x in rec.reasons),
                   *(x for j in r.proposals for x in j.reasons)]:
        if reason.rule.startswith("rule:") or ":" not in reason.rule:  # rules, not "requires:"/"proposal:" links
            seen.setdefault(reason.rule, reason)
    return list(seen.values())


MANAGED = "A managed Kafka service with the same patterns"


def _options(ctx: ExportContext) -> tuple[list[Option], Option]:
    """The real options an architect weighs: Kafka with the core patterns, managed Kafka, and the
    non-Kafka alternatives the verdict names. The chosen one is the engine's decision, not the ADR's."""
    r = ctx.report
    core = [x for x in r.recommended if x.tier == "core"] or r.recommended
    options: list[Option] = []
    kafka: Option | None = None
    if core:
        names = ", ".join(x.name for x in core)
        kafka = Option(f"Apache Kafka with {names}", "Adopt Kafka and build the core of the architecture on these "
                       "patterns; the baseline and later patterns are listed in the decision outcome.")
        for rec in core:  # the core's trade-offs are the decision's consequences; the rest stay in the report
            pros, cons = pros_cons(ctx, rec.pattern)
            kafka.good += [f"{_clause(x)} ({rec.name})" for x in pros[:2]]
            kafka.bad += [f"{_clause(x)} ({rec.name})" for x in cons[:2]]
        kafka.bad += [f"{_clause(x.text)} ({x.kind} risk)" for x in r.verdict.risks]
        options.append(kafka)
        options.append(Option(MANAGED, "The same architecture on a provider's Kafka (and, where offered, its "
                              "connectors and schema registry).",
                              ["the provider runs brokers, upgrades and replication, which removes most of the "
                               "operations risk"],
                              ["cost grows with throughput, partitions and retention, and some broker settings and "
                               "connector plugins are the provider's choice"]))
    fit_alternatives = r.verdict.system_alternatives
    for alt in fit_alternatives:
        options.append(Option(one_line(alt), "An alternative to Kafka for the whole system, named by the verdict.",
                              [_clause(x.because) for x in r.verdict.reasons if x.because][:3]))
    if r.verdict.level == "poor-fit" or kafka is None:
        chosen = options[len(options) - len(fit_alternatives)] if fit_alternatives else None
        if chosen is None:
            chosen = Option("Do not adopt Kafka for now", "Keep the current integration style and revisit later.",
                            [_clause(x.because) for x in r.verdict.reasons])
            options.append(chosen)
        if not chosen.bad:
            chosen.bad.append("what Kafka would bring (replay, fan-out to independent consumers, long retention) is not "
                              "available; revisit this record when the changes listed under More Information apply")
        if kafka is None:
            options.insert(0, Option("Adopt Apache Kafka", "No Kafka pattern is recommended for these answers.",
                                     bad=[_clause(r.verdict.summary)]))
        return _unique(options), chosen
    return _unique(options), kafka


def _unique(options: list[Option]) -> list[Option]:
    """One option per title: a discouraged pattern's alternative may also be the verdict's alternative."""
    seen: dict[str, Option] = {}
    for o in options:
        key = o.title.rstrip(".").lower()
        if key in seen:
            seen[key].good += [x for x in o.good if x not in seen[key].good]
        else:
            seen[key] = o
    return list(seen.values())


def _kafka_option(options: list[Option]) -> Option | None:
    return next((o for o in options if o.title.startswith("Apache Kafka with ")), None)


def render_adr(ctx: ExportContext, *, on: dt.date | None = None) -> str:
    r = ctx.report
    system = system_name(ctx) or display_title(ctx, default="the system")
    options, chosen = _options(ctx)
    status = "proposed"
    out = ["---", f"status: {status}", f"date: {export_date(on).isoformat()}", "---", ""]
    if r.verdict.level == "poor-fit" or not r.recommended:
        out.append(f"# Do not build {md(system)} on Apache Kafka; use {md(_clause(chosen.title))}")
    else:
        # A title, not a list: the leading core patterns; the tiers are in the decision outcome.
        core = [x for x in r.recommended if x.tier == "core"] or r.recommended
        lead = ", ".join(md(x.name) for x in core[:3])
        more = f" and {len(core) - 3} more core patterns" if len(core) > 3 else ""
        out.append(f"# Use Apache Kafka for {md(system)}, led by {lead}{more}")
    out.append("")

    out += ["## Context and Problem Statement", ""]
    goals = r.answers.get("goals")
    goal_text = f" The goals: {md(answer_text(ctx, 'goals', goals)).lower()}." if goals else ""
    out += [f"Should {md(system)} use Apache Kafka, and if so, with which interaction patterns?{goal_text} "
            f"The Kafka Pattern Advisor assessed the answers below and rated Kafka "
            f"**{verdict_words(r.verdict.level).lower()}**: {one_line(r.verdict.summary)}", ""]
    used = _facts(ctx)
    if used:
        out += ["Facts from the questionnaire that decided it:", ""]
        out += [f"* {md(question_text(ctx, q))}: {md(answer_text(ctx, q, v))}" for q, v in used] + [""]

    if r.proposals:
        out += ["Proposals reviewed:", ""]
        for j in r.proposals:
            tail = f"; instead: {one_line(j.alternative)}" if j.alternative else ""
            tail += "".join(f"; condition: {one_line(c)}" for c in j.conditions)
            out.append(f"* {JUDGEMENT_WORDS[j.judgement]}: {one_line(j.label)}{tail}")
        out.append("")
    if r.verdict.risks:
        out += ["Risks:", ""] + [f"* {x.kind}: {one_line(x.text)}" for x in r.verdict.risks] + [""]

    out += ["## Decision Drivers", ""]
    drivers = _reasons(ctx)
    out += [f"* {one_line(x.title)} (§{', §'.join(x.refs)})" for x in drivers] or ["* The answers given (no rule fired)."]
    out.append("")

    out += ["## Considered Options", ""] + [f"* {o.title}" for o in options] + [""]

    out += ["## Decision Outcome", "", f'Chosen option: "{chosen.title}", because {_clause(r.verdict.summary)}.', ""]
    tiers = by_tier(ctx) if chosen is _kafka_option(options) else {}
    for tier, recs in tiers.items():
        out.append(f"* {tier.capitalize()}: {', '.join(md(x.name) for x in recs)}")
    if tiers:
        out.append("")
    out += ["### Consequences", ""]
    consequences = [f"* Good, because {x}" for x in chosen.good] + [f"* Bad, because {x}" for x in chosen.bad]
    out += consequences or ["* Neutral, because the knowledge base lists no trade-offs for this option."]
    out.append("")

    out += ["### Confirmation", ""]
    items = r.checklist
    if items:
        done = len(checked_ids(ctx))
        first = [i for i in items if i.phase == "first"]
        out += [f"The implementation is confirmed in design and code review against the advisor's checklist "
                f"({done} of {len(items)} done). To do first:", ""]
        for pid, group in items_by_pattern(ctx).items():
            for item in group:
                if item.phase != "first":
                    continue
                box = "x" if item.id in ctx.checked else " "
                out.append(f"* [{box}] {one_line(item.text)} ({item.severity}, {pattern_name(ctx, pid)}, `{item.id}`)")
        later = len(items) - len(first)
        if later:
            out += ["", f"{later} more item{'s' if later != 1 else ''} for later are in the report's checklist."]
    else:
        out.append("Revisit this record when the answers change; the advisor gave no checklist.")
    out.append("")

    out += ["## Pros and Cons of the Options", ""]
    for o in options:
        out += [f"### {o.title}", "", o.description, ""]
        out += [f"* Good, because {x}" for x in o.good] + [f"* Bad, because {x}" for x in o.bad]
        if o.good or o.bad:
            out.append("")

    out += ["## More Information", ""]
    if r.discouraged:
        out += ["Not chosen, with the advisor's alternative:", ""]
        out += [f"* {md(d.name)} ({d.severity}): {one_line(d.alternative)}" for d in r.discouraged] + [""]
    # Only the changes that flip the verdict: the full what-if list is in the report.
    flips = [w for w in r.what_if if w.verdict is not None and w.verdict != r.verdict.level]
    if flips:
        out += ["Revisit this decision if one of these answers changes:", ""]
        out += [f"* {md(question_text(ctx, w.question))} “{md(answer_text(ctx, w.question, w.to))}” instead of "
                f"“{md(answer_text(ctx, w.question, w.from_))}”: {one_line(w.effect)}" for w in flips]
        out.append("")
    others = len(r.what_if) - len(flips)
    if others:
        out += [f"{others} other single-answer change{'s' if others != 1 else ''} would alter the pattern lists "
                "without changing the verdict; the report's what-if section lists them.", ""]
    refs = sorted({ref for x in drivers for ref in x.refs}, key=lambda s: [int(p) for p in s.split(".")])
    chapter = f" Chapter sections: §{', §'.join(refs)}." if refs else ""
    out.append(f"Generated by the Kafka Pattern Advisor from the assessment \"{md(display_title(ctx))}\".{chapter}")
    return "\n".join(out).rstrip() + "\n"


def _facts(ctx: ExportContext) -> list[tuple[str, AnswerValue]]:
    """The answers the reasons cite, in questionnaire order."""
    cited: dict[str, AnswerValue] = {}
    for reason in _reasons(ctx):
        cited.update(reason.answers)
    order = {q: i for i, q in enumerate(ctx.kb.questions)}
    return sorted(cited.items(), key=lambda kv: order.get(kv[0], len(order)))


register(Exporter("adr", "Architecture Decision Record (MADR)", "md", "text/markdown; charset=utf-8",
                  lambda ctx: render_adr(ctx).encode("utf-8")))
