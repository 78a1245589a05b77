"""adr: one Architecture Decision Record in MADR 4 format, written from the view model.

The record holds one decision: adopt Kafka with the core patterns, or do not and use the verdict's
alternative. The considered options are the real alternatives an architect weighs: Kafka run by the
team, a managed Kafka service with the same core patterns, and the non-Kafka alternatives the verdict
names. The chosen option is the engine's decision (`vm.verdict.decision`, and `vm.verdict.hosting` for
who runs the cluster: the user's answer, else an operations risk). Nothing else is re-decided. The core patterns'
trade-offs are the consequences; baseline, later and discouraged patterns stay short lists, and their
details are in the report and the pattern catalogue.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from ..present import VERDICTS, ViewModel, WhatIfRow
from . import Exporter, register
from .common import SEVERITIES, export_date, md, one_line

TITLE_PATTERNS = 4  # the title names this many core patterns, then "and N more"
SELF_MANAGED = "Self-managed Apache Kafka with the core patterns"
MANAGED = "A managed Kafka service with the same core patterns"
NO_BROKER = "No Kafka: keep the current approach without a broker, or a simpler messaging tool"
OPERATIONS = "operations"  # the risk kind listed against running the cluster yourself
TRADE_OFFS = 2  # pros and cons per core pattern in the consequences; the report lists them all


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


def _main_clause(alternative: str) -> str:
    """'A database and an API; add a broker later.' -> 'a database and an API' (for the title)."""
    head = one_line(alternative).split("; ", 1)[0].split(", which ", 1)[0]
    return _clause(head)


def _named(names: list[str], limit: int = TITLE_PATTERNS) -> str:
    """`A, B, C, D and 2 more` (or `A, B and C`)."""
    shown = [md(x) for x in names[:limit]]
    if len(names) > limit:
        return f"{', '.join(shown)} and {len(names) - limit} more"
    return shown[0] if len(shown) == 1 else f"{', '.join(shown[:-1])} and {shown[-1]}"


def _level(vm: ViewModel) -> str:
    """`good fit`: the verdict level in words, without its icon."""
    return VERDICTS.get(vm.verdict.level, ("", vm.verdict.level))[1].lower()


def _options(vm: ViewModel) -> tuple[list[Option], Option]:
    """The considered options and the chosen one (the engine's decision)."""
    v = vm.verdict
    core = vm.tiers.get("core") or vm.cards
    names = _named([c.name for c in core]) if core else ""
    with_core = f", with the core patterns {names}" if core else "; no Kafka pattern is recommended for these answers"
    ops = [x for x in v.risks if x.kind == OPERATIONS]
    self_run = Option(SELF_MANAGED if core else "Self-managed Apache Kafka",
                      f"Run the Kafka cluster (brokers, controllers and, where the patterns need them, Connect "
                      f"workers and a schema registry) with the team's own operations{with_core}.",
                      ["every broker, topic and connector setting the checklist asks for is under the team's control"]
                      if core else [],
                      ["the team runs upgrades, replication, monitoring and capacity itself",
                       *(f"{_clause(x.text)} ({x.label.lower()} risk)" for x in ops)])
    managed = Option(MANAGED if core else "A managed Kafka service",
                     "The same architecture on a provider's Kafka (and, where offered, its connectors and schema "
                     "registry).",
                     ["the provider runs brokers, upgrades and replication, which removes most of the operations "
                      "risk"],
                     ["cost grows with throughput, partitions and retention, and some broker settings and "
                      "connector plugins are the provider's choice"])
    if v.system_alternatives:
        alternatives = [Option(alt, "An alternative to Kafka for the whole system, named by the verdict.")
                        for alt in v.system_alternatives]
    else:
        alternatives = [Option(NO_BROKER, "The verdict names no alternative to Kafka for these answers.")]
    if v.decision == "do-not-adopt" or not core:
        chosen = alternatives[0]
        chosen.good += [f"{_clause(x.because)}" for x in v.reasons if x.because]
        chosen.bad.append("what Kafka would bring (replay, fan-out to independent consumers, long retention) is "
                          "not available; revisit this record when the changes listed under More Information apply")
        self_run.bad.append(f"the advisor rated Kafka {_level(vm)} for the decision drivers above")
    else:
        chosen = managed if v.hosting == "managed" else self_run  # the engine's hosting decision
        alternatives[0].bad.append(f"the advisor rated Kafka {_level(vm)} for the decision drivers above")
    return [self_run, managed, *alternatives], chosen


def _consequences(vm: ViewModel, chosen: Option, kafka: bool) -> list[str]:
    if not kafka:
        return [f"* Good, because {x}" for x in chosen.good] + [f"* Bad, because {x}" for x in chosen.bad]
    core = vm.tiers.get("core") or vm.cards
    good = [f"* Good, because {_clause(x)} ({c.name})" for c in core for x in c.pros[:TRADE_OFFS]]
    bad = [f"* Bad, because {_clause(x)} ({c.name})" for c in core for x in c.cons[:TRADE_OFFS]]
    risks = [f"* Bad, because {_clause(x.text)} ({x.label.lower()} risk)" for x in vm.verdict.risks
             if not (chosen.title == MANAGED and x.kind == OPERATIONS)]
    return good + bad + risks or ["* Neutral, because the knowledge base lists no trade-offs for these patterns."]


def _flips(rows: list[WhatIfRow]) -> list[str]:
    """The verdict-changing what-if rows, one line per question: its answer now once, then each result with
    the answers that lead to it (a multi-select change as the options ticked or unticked)."""
    by_question: dict[str, dict[str, list[WhatIfRow]]] = {}
    for w in rows:
        if w.verdict is not None:
            by_question.setdefault(w.question, {}).setdefault(w.effect, []).append(w)
    lines = []
    for question, effects in by_question.items():
        every = [w for ws in effects.values() for w in ws]
        starts = dict.fromkeys(w.from_text for w in every if not w.change)
        now = f" (now “{md(next(iter(starts)))}”)" if len(starts) == 1 else ""
        results = []
        for effect, ws in effects.items():
            to = " or ".join(f"“{md(t)}”" for t in dict.fromkeys(w.change or w.to_text for w in ws))
            results.append(f"{to}: {effect}")
        lines.append(f"* {md(question)}{now}: " + "; ".join(results) if len(results) == 1
                     else f"* {md(question)}{now}:" + "".join(f" {i}) {r}." for i, r in enumerate(results, 1)))
    return lines


def render_adr(vm: ViewModel, *, on: dt.date | None = None) -> str:
    v = vm.verdict
    system = md(vm.system or (vm.title if vm.title != "Kafka assessment" else "the system"))
    options, chosen = _options(vm)
    core = vm.tiers.get("core") or vm.cards
    kafka = chosen.title in (SELF_MANAGED, MANAGED)
    out = ["---", "status: proposed", f"date: {export_date(on).isoformat()}", "---", ""]
    if kafka:
        out.append(f"# Use Apache Kafka with {_named([c.name for c in core])}")
    else:
        instead = md(_main_clause(chosen.title)) if chosen.title != NO_BROKER else "the current approach without a broker"
        out.append(f"# Do not adopt Kafka; use {instead}")
    out.append("")

    out += ["## Context and Problem Statement", ""]
    goals = f" The goals: {md(vm.goals).lower()}." if vm.goals else ""
    scope = f" The system inventory: {md(vm.inventory.summary)}." if vm.inventory else ""
    out += [f"Should {system} use Apache Kafka, and if so, with which interaction patterns?{goals}{scope} "
            f"The Kafka Pattern Advisor rated Kafka **{_level(vm)}** ({v.decision_words}): {v.summary}", ""]
    if v.cited:
        out += ["Facts from the questionnaire that decided it:", ""]
        out += [f"* {md(q)}: {md(a)}" for q, a in v.cited] + [""]
    if vm.proposals:
        out += ["Proposals reviewed:", ""]
        for j in vm.proposals:
            tail = f"; instead: {j.alternative}" if j.alternative else ""
            tail += "".join(f"; condition: {c}" for c in j.conditions)
            out.append(f"* {j.words}: {md(j.label)}{tail}")
        out.append("")
    if v.risks:
        out += ["Risks the advisor raised:", ""] + [f"* {x.label}: {x.text}" for x in v.risks] + [""]

    out += ["## Decision Drivers", ""]
    out += [f"* {x.title} (§{', §'.join(x.refs)})" for x in v.drivers] or ["* The answers given (no rule fired)."]
    out.append("")

    out += ["## Considered Options", ""] + [f"* {o.title}" for o in options] + [""]

    out += ["## Decision Outcome", ""]
    if kafka:
        because = (f"the advisor rated Kafka **{_level(vm)}** ({v.decision_words}) and the core patterns "
                   "below shape the architecture")
        if v.hosting and v.hosting_why:
            because += f"; who runs it follows from: {md(v.hosting_why)}"
        viable = "" if v.hosting else (f' "{MANAGED}" is also viable: the answers do not say who runs the cluster, '
                                       "and the advisor raised no operations risk that decides it.")
        out += [f'Chosen option: "{chosen.title}", because {because}.{viable}', ""]
        out += ["Core patterns, in rank order (each is described in the advisor's pattern catalogue):", ""]
        out += [f"* {md(c.name)} (§{c.section}, `{c.id}`)" if c.section else f"* {md(c.name)} (`{c.id}`)"
                for c in core] + [""]
        also = [f"* {tier.capitalize()}: {', '.join(md(c.name) for c in cards)}"
                for tier, cards in vm.tiers.items() if tier != "core" and cards is not core]
        if vm.discouraged:
            also.append(f"* Not recommended: {', '.join(f'{md(d.name)} ({d.severity})' for d in vm.discouraged)}; "
                        "the alternatives are under More Information")
        if also:
            out += ["The other patterns, with details in the advisor's report:", "", *also, ""]
    else:
        out += [f'Chosen option: "{chosen.title}", because the advisor rated Kafka **{_level(vm)}** '
                f"({v.decision_words}) for the reasons under Decision Drivers.", ""]
    out += ["### Consequences", "", *_consequences(vm, chosen, kafka), ""]

    out += ["### Confirmation", ""]
    if vm.total:
        counts = ", ".join(f"{n} {s}" for s in SEVERITIES
                           if (n := sum(1 for i in vm.items if i.severity == s)))
        out += [f"Design and code reviews check the implementation against the advisor's checklist: {vm.total} "
                f"items ({counts}), {vm.done} done. To do first, by pattern (the ids of the checklist export; [x]: done):", ""]
        first = [g for g in vm.checklist if g.phase == "first"]
        for group in first:
            for name, items in group.patterns:
                ids = ", ".join(("[x] " if i.done else "") + f"`{i.id}`" for i in items)
                out.append(f"* {md(name)}: {ids}")
        later = vm.total - sum(len(items) for g in first for _, items in g.patterns)
        if later:
            out += ["", f"{later} more item{'s' if later != 1 else ''} for later are in the report's checklist."]
    else:
        out.append("Revisit this record when the answers change; the advisor gave no checklist.")
    out.append("")

    out += ["## Pros and Cons of the Options", ""]
    described = [o for o in options if o.good or o.bad]
    for o in described:
        out += [f"### {o.title}", "", o.description, ""]
        if o is chosen and kafka:
            out.append("* Good, because of the core patterns' trade-offs listed under Consequences")
        if o is chosen and not kafka:
            out.append("* Good, because of the reasons listed under Consequences")
        else:
            out += [f"* Good, because {x}" for x in o.good] + [f"* Bad, because {x}" for x in o.bad]
        out.append("")
    others = len(options) - len(described)
    if others:
        out += [f"The other {others} alternative{'s' if others != 1 else ''} under Considered Options "
                f"{'are' if others != 1 else 'is'} named by the verdict as well; the same reasons apply.", ""]

    out += ["## More Information", ""]
    if vm.discouraged:
        out += ["Not chosen, with the advisor's alternative:", ""]
        out += [f"* {md(d.name)} ({d.severity}): {d.alternative}" for d in vm.discouraged] + [""]
    flips = _flips(vm.what_if)
    if flips:
        out += ["Revisit this decision if one of these answers changes:", "", *flips, ""]
    rest = sum(1 for w in vm.what_if if w.verdict is None)
    if rest:
        out += [f"{rest} other single-answer change{'s' if rest != 1 else ''} would alter the pattern lists "
                "without changing the verdict; the report's what-if section lists them.", ""]
    refs = sorted({ref for x in v.drivers for ref in x.refs}, key=lambda s: [int(p) for p in s.split(".")])
    chapter = f" Chapter sections: §{', §'.join(refs)}." if refs else ""
    out.append(f"Generated by the Kafka Pattern Advisor from the assessment \"{md(vm.title)}\"; the report holds "
               f"every pattern's trade-offs, the full checklist and all answers.{chapter}")
    return "\n".join(out).rstrip() + "\n"


register(Exporter("adr", "Architecture Decision Record (MADR)", "md", "text/markdown; charset=utf-8",
                  lambda ctx: render_adr(ctx.vm).encode("utf-8")))
