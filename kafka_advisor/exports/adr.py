"""adr: an Architecture Decision Record in MADR 4 format, written from the report.

Options: Kafka with the recommended patterns, each discouraged pattern and its alternative, and the
non-Kafka alternatives of the verdict. The chosen option follows the verdict; nothing is re-decided.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from ..present import ViewModel
from . import Exporter, register
from .common import export_date, md, one_line


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


MANAGED = "A managed Kafka service with the same patterns"


def _options(vm: ViewModel) -> tuple[list[Option], Option]:
    """The real options an architect weighs: Kafka with the core patterns, managed Kafka, and the
    non-Kafka alternatives the verdict names. The chosen one is the engine's decision, not the ADR's."""
    v = vm.verdict
    core = vm.tiers.get("core") or vm.cards
    options: list[Option] = []
    kafka: Option | None = None
    if core:
        names = ", ".join(x.name for x in core)
        kafka = Option(f"Apache Kafka with {names}", "Adopt Kafka and build the core of the architecture on these "
                       "patterns; the baseline and later patterns are listed in the decision outcome.")
        for card in core:  # the core's trade-offs are the decision's consequences; the rest stay in the report
            kafka.good += [f"{_clause(x)} ({card.name})" for x in card.pros[:2]]
            kafka.bad += [f"{_clause(x)} ({card.name})" for x in card.cons[:2]]
        kafka.bad += [f"{_clause(x.text)} ({x.kind} risk)" for x in v.risks]
        options.append(kafka)
        options.append(Option(MANAGED, "The same architecture on a provider's Kafka (and, where offered, its "
                              "connectors and schema registry).",
                              ["the provider runs brokers, upgrades and replication, which removes most of the "
                               "operations risk"],
                              ["cost grows with throughput, partitions and retention, and some broker settings and "
                               "connector plugins are the provider's choice"]))
    fit_alternatives = v.system_alternatives
    for alt in fit_alternatives:
        options.append(Option(alt, "An alternative to Kafka for the whole system, named by the verdict.",
                              [_clause(x.because) for x in v.reasons if x.because][:3]))
    if v.decision == "do-not-adopt" or kafka is None:
        chosen = options[len(options) - len(fit_alternatives)] if fit_alternatives else None
        if chosen is None:
            chosen = Option("Do not adopt Kafka for now", "Keep the current integration style and revisit later.",
                            [_clause(x.because) for x in v.reasons])
            options.append(chosen)
        if not chosen.bad:
            chosen.bad.append("what Kafka would bring (replay, fan-out to independent consumers, long retention) is not "
                              "available; revisit this record when the changes listed under More Information apply")
        if kafka is None:
            options.insert(0, Option("Adopt Apache Kafka", "No Kafka pattern is recommended for these answers.",
                                     bad=[_clause(v.summary)]))
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


def render_adr(vm: ViewModel, *, on: dt.date | None = None) -> str:
    v = vm.verdict
    system = vm.system or (vm.title if vm.title != "Kafka assessment" else "the system")
    options, chosen = _options(vm)
    out = ["---", "status: proposed", f"date: {export_date(on).isoformat()}", "---", ""]
    if v.decision == "do-not-adopt" or not vm.tiers:
        out.append(f"# Do not build {md(system)} on Apache Kafka; use {md(_clause(chosen.title))}")
    else:
        # A title, not a list: the leading core patterns; the tiers are in the decision outcome.
        core = vm.tiers.get("core") or vm.cards
        lead = ", ".join(md(x.name) for x in core[:3])
        more = f" and {len(core) - 3} more core patterns" if len(core) > 3 else ""
        out.append(f"# Use Apache Kafka for {md(system)}, led by {lead}{more}")
    out.append("")

    out += ["## Context and Problem Statement", ""]
    goal_text = f" The goals: {md(vm.goals).lower()}." if vm.goals else ""
    out += [f"Should {md(system)} use Apache Kafka, and if so, with which interaction patterns?{goal_text} "
            f"The Kafka Pattern Advisor assessed the answers below and rated Kafka "
            f"**{v.level_words.lower()}**: {v.summary}", ""]
    if v.cited:
        out += ["Facts from the questionnaire that decided it:", ""]
        out += [f"* {md(q)}: {md(a)}" for q, a in v.cited] + [""]

    if vm.proposals:
        out += ["Proposals reviewed:", ""]
        for j in vm.proposals:
            tail = f"; instead: {j.alternative}" if j.alternative else ""
            tail += "".join(f"; condition: {c}" for c in j.conditions)
            out.append(f"* {j.words}: {j.label}{tail}")
        out.append("")
    if v.risks:
        out += ["Risks:", ""] + [f"* {x.kind}: {x.text}" for x in v.risks] + [""]

    out += ["## Decision Drivers", ""]
    out += [f"* {x.title} (§{', §'.join(x.refs)})" for x in v.drivers] or ["* The answers given (no rule fired)."]
    out.append("")

    out += ["## Considered Options", ""] + [f"* {o.title}" for o in options] + [""]

    out += ["## Decision Outcome", "", f'Chosen option: "{chosen.title}", because {_clause(v.summary)}.', ""]
    tiers = vm.tiers if chosen is _kafka_option(options) else {}
    for tier, cards in tiers.items():
        out.append(f"* {tier.capitalize()}: {', '.join(md(x.name) for x in cards)}")
    if tiers:
        out.append("")
    out += ["### Consequences", ""]
    consequences = [f"* Good, because {x}" for x in chosen.good] + [f"* Bad, because {x}" for x in chosen.bad]
    out += consequences or ["* Neutral, because the knowledge base lists no trade-offs for this option."]
    out.append("")

    out += ["### Confirmation", ""]
    if vm.total:
        out += [f"The implementation is confirmed in design and code review against the advisor's checklist "
                f"({vm.done} of {vm.total} done). To do first:", ""]
        first = [g for g in vm.checklist if g.phase == "first"]
        for group in first:
            for name, items in group.patterns:
                out += [f"* [{'x' if i.done else ' '}] {i.text} ({i.severity}, {name}, `{i.id}`)" for i in items]
        later = vm.total - sum(len(items) for g in first for _, items in g.patterns)
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
    if vm.discouraged:
        out += ["Not chosen, with the advisor's alternative:", ""]
        out += [f"* {md(d.name)} ({d.severity}): {d.alternative}" for d in vm.discouraged] + [""]
    # Only the changes that flip the verdict: the full what-if list is in the report.
    flips = [w for w in vm.what_if if w.verdict is not None]
    if flips:
        out += ["Revisit this decision if one of these answers changes:", ""]
        out += [f"* {md(w.question)} “{md(w.to_text)}” instead of “{md(w.from_text)}”: {w.effect}" for w in flips]
        out.append("")
    others = len(vm.what_if) - len(flips)
    if others:
        out += [f"{others} other single-answer change{'s' if others != 1 else ''} would alter the pattern lists "
                "without changing the verdict; the report's what-if section lists them.", ""]
    refs = sorted({ref for x in v.drivers for ref in x.refs}, key=lambda s: [int(p) for p in s.split(".")])
    chapter = f" Chapter sections: §{', §'.join(refs)}." if refs else ""
    out.append(f"Generated by the Kafka Pattern Advisor from the assessment \"{md(vm.title)}\".{chapter}")
    return "\n".join(out).rstrip() + "\n"


register(Exporter("adr", "Architecture Decision Record (MADR)", "md", "text/markdown; charset=utf-8",
                  lambda ctx: render_adr(ctx.vm).encode("utf-8")))
