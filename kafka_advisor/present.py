"""The one presentation layer: Report + knowledge base + checklist state -> one view model.

Every renderer (the Streamlit pages and each exporter) renders this model and nothing else, so the
same fact reads the same everywhere. This module owns the display formatting: the answer
formatter, the config formatter and the checklist grouping. It is pure (no Streamlit, no I/O) and
never re-decides: it only arranges what the engine decided.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from .configs import Snippet, snippet_for_item, snippets_for
from .diagram import one_line
from .inventory import DB_LABELS, EXTERNAL_LABELS, Inventory, summary_of
from .loader import KnowledgeBase
from .model import UNSURE, AnswerValue, Question, Reason, Report, ReportItem, Verdict
from .sizing import TopicSizing, size_topics

VERDICTS: dict[str, tuple[str, str]] = {  # level -> (icon, words); icons exist in DejaVu Sans, so the PDF has them
    "good-fit": ("✓", "Good fit"),
    "fit-with-caveats": ("⚠", "Fit with caveats"),
    "poor-fit": ("✗", "Poor fit"),
}
DECISION_WORDS: dict[str, str] = {"adopt": "Adopt Kafka", "adopt-with-caveats": "Adopt Kafka, with caveats",
                                  "do-not-adopt": "Do not adopt Kafka"}
TIER_HEADINGS: dict[str, str] = {
    "core": "Core: the patterns that shape this architecture",
    "baseline": "Baseline: always-on hygiene",
    "later": "Later: worth it when the system grows",
}
# Under a poor fit the only patterns left are ideas a rule keeps without Kafka (`without_kafka`).
WITHOUT_KAFKA_HEADINGS: dict[str, str] = {"core": "Without Kafka: ideas that hold whatever carries the data"}
CORE_TITLES: dict[bool, str] = {False: "Core patterns", True: "Keep, without Kafka"}
JUDGEMENT_WORDS: dict[str, str] = {"endorse": "Endorsed", "conditions": "Endorsed with conditions",
                                   "warn": "Warned against"}
PHASE_HEADINGS: dict[str, str] = {"first": "Do first", "later": "Later"}
TOP_REASONS = 3  # the verdict at a glance shows this many reasons and risks; the rest is one click away
TOP_RISKS = 3
OUTWEIGHED_HEADING = "What speaks for Kafka here, outweighed by the reasons above"  # a poor fit's reasons for Kafka


def human_bytes(n: int | None) -> str:
    """A byte count for people ("1.5 GB"); sizing computes the numbers, every view words them alike."""
    if n is None:
        return "—"
    for unit, size in (("TB", 10**12), ("GB", 10**9), ("MB", 10**6), ("kB", 10**3)):
        if n >= size:
            return f"{n / size:,.1f} {unit}"
    return f"{n} B"


# --------------------------------------------------------------------------- formatters (the only ones)


def verdict_words(level: str) -> str:
    icon, words = VERDICTS.get(level, ("", level))
    return f"{icon} {words}".strip()


VERDICTS_ALTERNATIVE = "the verdict's alternative to Kafka, above"


def _proposal_alternative(alternative: str | None, verdict: Verdict) -> str | None:
    """A proposal a poor fit makes pointless gets the verdict's own alternative: said once, in the verdict,
    and pointed at here instead of repeated for every proposal."""
    if not alternative:
        return None
    if verdict.level == "poor-fit" and alternative in verdict.system_alternatives:
        return VERDICTS_ALTERNATIVE
    return one_line(alternative)


def risk_words(kind: str) -> str:
    """A risk kind as every view prints it: 'data-loss' -> 'Data loss'."""
    return kind.replace("-", " ").capitalize()


def question_text(kb: KnowledgeBase, qid: str) -> str:
    q = kb.questions.get(qid)
    return q.text if q is not None else one_line(qid)  # an unknown id is whatever the answers named


def answer_text(kb: KnowledgeBase, qid: str, value: AnswerValue | None) -> str:
    """An answer as the user saw it: option labels, yes/no/not sure, numbers with their unit."""
    q = kb.questions.get(qid)
    if value is None:
        return "—"
    if q is None:  # an unknown question's values are raw user text
        return one_line(", ".join(map(str, value)) if isinstance(value, list) else str(value)) or "none"
    return format_answer(q, value)


def format_answer(q: Question, value: AnswerValue) -> str:
    """The one answer formatter: labels joined by ", ", Yes/No/Not sure, "10,000 ms", "1 service"."""
    if q.type == "bool" or isinstance(value, bool):
        return "Not sure" if value == UNSURE else ("Yes" if value else "No")
    if isinstance(value, list):
        return one_line(", ".join(q.label_of(v) for v in value)) or "none"
    if isinstance(value, int | float):
        unit = q.unit or ""
        if value == 1 and len(unit) > 2 and unit.endswith("s") and not unit.endswith("ss"):
            unit = unit[:-1]  # "1 service", but "1 ms"
        number = f"{value:,}" if isinstance(value, float) and not value.is_integer() else f"{int(value):,}"
        return f"{number} {unit}".rstrip()
    if q.type == "single":
        return q.label_of(value)
    return one_line(str(value))


def config_value(v: object) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def config_text(config: Mapping[str, Mapping[str, object]]) -> str:
    """`producer: acks=all; topic: min.insync.replicas=2`."""
    return "; ".join(f"{scope}: {', '.join(f'{k}={config_value(v)}' for k, v in values.items())}"
                     for scope, values in config.items())


# --------------------------------------------------------------------------- the view model


@dataclass(frozen=True)
class ReasonView:
    rule: str
    title: str
    because: str
    answers: list[tuple[str, str]]  # (question text, answer text)
    refs: list[str]


@dataclass(frozen=True)
class PatternCard:
    id: str
    name: str
    tier: str
    rank: int  # 1-based place within its tier: shown instead of a raw score
    of: int  # how many patterns the tier holds
    section: str
    summary: str
    trigger: str | None
    meanwhile: str | None
    caution: str | None  # how to apply it with care (a warning short of "high" on a recommended pattern)
    caution_reasons: list[ReasonView]
    needed_by: list[str]  # names of the patterns that brought this one in as a part
    reasons: list[ReasonView]
    notes: list[str]
    pros: list[str]
    cons: list[str]


@dataclass(frozen=True)
class DiscouragedCard:
    id: str
    name: str
    severity: str
    alternative: str
    reasons: list[ReasonView]
    notes: list[str]


@dataclass(frozen=True)
class ProposalView:
    label: str
    judgement: str
    words: str
    alternative: str | None
    conditions: list[str]
    reasons: list[ReasonView]


@dataclass(frozen=True)
class RiskView:
    kind: str
    label: str  # the kind in words ("Data loss"), the same in every view
    text: str
    rule: str
    refs: list[str]


@dataclass(frozen=True)
class VerdictView:
    level: str
    level_words: str
    decision: str
    decision_words: str
    summary: str
    core: list[str]  # core pattern names, in rank order
    reasons: list[ReasonView]
    risks: list[RiskView]
    alternative_groups: list[tuple[str, list[str]]]
    notes: list[str]  # notes about the verdict itself
    system_alternatives: list[str] = field(default_factory=list)  # instead of Kafka for the whole system
    cited: list[tuple[str, str]] = field(default_factory=list)  # (question, answer) the decision's reasons cite
    drivers: list[ReasonView] = field(default_factory=list)  # the verdict's, the core's and the proposals' reasons
    hosting: str | None = None  # "managed" / "self-managed": who runs the cluster, as the engine decided; None: either
    hosting_why: str = ""  # what it rests on: the answer, or the operations risk
    outweighed: list[ReasonView] = field(default_factory=list)  # a poor fit's reasons for Kafka, outweighed


@dataclass(frozen=True)
class ItemView:
    id: str
    pattern: str  # the pattern's name
    text: str
    severity: str
    phase: str
    why: str | None
    config: str  # one line; "" when the item has none
    refs: list[str]
    done: bool
    pattern_id: str = ""
    applies_to: list[str] = field(default_factory=list)  # the inventory parts it is done for, one by one
    snippet: str | None = None  # the anchor of the config snippet that carries it out, in this report


@dataclass(frozen=True)
class ChecklistGroup:
    phase: str
    heading: str
    patterns: list[tuple[str, list[ItemView]]]  # (pattern name, items), patterns in rank order


@dataclass(frozen=True)
class WhatIfRow:
    question: str
    from_text: str
    to_text: str
    effect: str
    fact: bool
    verdict: str | None = None  # the verdict level after the change, when it changes
    change: str = ""  # a multi-select change as the options ticked or unticked ("+ Join or aggregate"); else ""


@dataclass(frozen=True)
class NoteView:
    text: str
    refs: list[str]
    pattern: str | None  # the pattern's id it explains; None: the verdict


@dataclass(frozen=True)
class AnswerSection:
    title: str
    rows: list[tuple[str, str]]


@dataclass(frozen=True)
class InventoryView:
    summary: str  # "12 services (5 teams), 1 external system, 10 events"
    services: list[tuple[str, str, str, str, str]]  # (name, team or domain, database, produces, consumes)
    externals: list[tuple[str, str, str, str]]  # (name, kind, direction, events)


@dataclass(frozen=True)
class ViewModel:
    title: str
    system: str | None
    verdict: VerdictView
    tiers: dict[str, list[PatternCard]]  # non-empty tiers, core first
    discouraged: list[DiscouragedCard]
    proposals: list[ProposalView]
    items: list[ItemView]  # every checklist item, in the engine's order
    checklist: list[ChecklistGroup]
    done: int
    total: int
    what_if: list[WhatIfRow]
    unsure: list[tuple[str, list[tuple[str, str]]]]  # (question, [(answer that would change it, effect)])
    answers: list[AnswerSection]
    unanswered: list[str]
    notes: list[NoteView] = field(default_factory=list)  # every note once, in the engine's order
    goals: str | None = None  # the goals answer, as text, for a decision record's problem statement
    inventory: InventoryView | None = None
    snippets: list[Snippet] = field(default_factory=list)  # ready-to-paste configs, core patterns first
    sizing: list[TopicSizing] = field(default_factory=list)  # every topic the advice names, sized (sizing.py)
    tier_headings: dict[str, str] = field(default_factory=lambda: dict(TIER_HEADINGS))
    core_title: str = CORE_TITLES[False]

    @property
    def cards(self) -> list[PatternCard]:
        return [c for cards in self.tiers.values() for c in cards]

    @property
    def pattern_names(self) -> dict[str, str]:
        """Display names of the recommended and discouraged patterns, by id."""
        return {c.id: c.name for c in self.cards} | {d.id: d.name for d in self.discouraged}


def _reason(kb: KnowledgeBase, r: Reason) -> ReasonView:
    return ReasonView(r.rule, one_line(r.title), one_line(r.because),
                      [(question_text(kb, q), answer_text(kb, q, v)) for q, v in r.answers.items()], list(r.refs))


def _name(kb: KnowledgeBase, pid: str) -> str:
    p = kb.patterns.get(pid)
    return p.name if p is not None else pid


def _item(kb: KnowledgeBase, item: ReportItem, checked: frozenset[str], anchors: frozenset[str] = frozenset()) -> ItemView:
    anchor = snippet_for_item(item.id, kb)
    return ItemView(item.id, _name(kb, item.pattern), one_line(item.text), item.severity, item.phase,
                    one_line(item.why) if item.why else None, config_text(item.config), list(item.refs),
                    item.id in checked, item.pattern, [one_line(x) for x in item.applies_to],
                    anchor if anchor in anchors else None)


def checklist_groups(kb: KnowledgeBase, report: Report, checked: frozenset[str] = frozenset(),
                     anchors: frozenset[str] = frozenset()) -> list[ChecklistGroup]:
    """The only checklist grouping: "do first" then "later", each by pattern in rank order (recommended
    patterns first, then the patterns of fired rules' items)."""
    order: dict[str, None] = dict.fromkeys(r.pattern for r in report.recommended)
    order.update(dict.fromkeys(i.pattern for i in report.checklist))
    by_phase: dict[str, dict[str, list[ItemView]]] = {}
    for pid in order:
        for item in report.checklist:
            if item.pattern == pid:
                by_phase.setdefault(item.phase, {}).setdefault(pid, []).append(_item(kb, item, checked, anchors))
    return [ChecklistGroup(phase, PHASE_HEADINGS[phase], [(_name(kb, p), items) for p, items in by_phase[phase].items()])
            for phase in PHASE_HEADINGS if phase in by_phase]


def build(report: Report, kb: KnowledgeBase, checked: frozenset[str] = frozenset(),
          title: str | None = None) -> ViewModel:
    """The view model every renderer draws."""
    system = kb.system_name(report.answers)
    system = one_line(system) or None if system else None
    notes: dict[str | None, list[str]] = {}
    for n in report.notes:
        notes.setdefault(n.pattern, []).append(one_line(n.text))
    v = report.verdict
    tiers: dict[str, list[PatternCard]] = {}
    for rec in report.recommended:
        tiers.setdefault(rec.tier, [])
    tiers = {t: [] for t in TIER_HEADINGS if t in tiers}
    for rec in report.recommended:
        p = kb.patterns.get(rec.pattern)
        cards = tiers[rec.tier]
        cards.append(PatternCard(
            rec.pattern, one_line(rec.name), rec.tier, len(cards) + 1, 0, p.section if p else "",
            one_line(p.summary) if p else "", one_line(rec.trigger) if rec.trigger else None,
            one_line(rec.meanwhile) if rec.meanwhile else None,
            one_line(rec.caution) if rec.caution else None, [_reason(kb, x) for x in rec.caution_reasons],
            [_name(kb, x) for x in rec.required_by], [_reason(kb, x) for x in rec.reasons],
            notes.get(rec.pattern, []), list(p.tradeoffs.pros) if p else [], list(p.tradeoffs.cons) if p else []))
    tiers = {t: [_with_of(c, len(cards)) for c in cards] for t, cards in tiers.items()}
    verdict = VerdictView(
        v.level, verdict_words(v.level), v.decision, DECISION_WORDS[v.decision], one_line(v.summary),
        [c.name for c in tiers.get("core", [])], [_reason(kb, x) for x in v.reasons],
        [RiskView(x.kind, risk_words(x.kind), one_line(x.text), x.rule, list(x.refs)) for x in v.risks],
        [(h, [one_line(a) for a in alts]) for h, alts in v.alternative_groups()], notes.get(None, []),
        [one_line(a) for a in v.system_alternatives], *_drivers(kb, report), v.hosting, _hosting_why(kb, report),
        [_reason(kb, x) for x in v.outweighed])
    snippets = snippets_for(report, kb)
    anchors = frozenset(x.group_anchor for x in snippets)
    groups = checklist_groups(kb, report, checked, anchors)
    poor = v.level == "poor-fit"
    return ViewModel(
        tier_headings={**TIER_HEADINGS, **(WITHOUT_KAFKA_HEADINGS if poor else {})},
        core_title=CORE_TITLES[poor],
        title=one_line(title or "") or system or "Kafka assessment",
        system=system,
        verdict=verdict,
        tiers=tiers,
        discouraged=[DiscouragedCard(d.pattern, one_line(d.name), d.severity, one_line(d.alternative),
                                     [_reason(kb, x) for x in d.reasons], notes.get(d.pattern, []))
                     for d in report.discouraged],
        proposals=[ProposalView(one_line(j.label), j.judgement, JUDGEMENT_WORDS[j.judgement],
                                _proposal_alternative(j.alternative, v),
                                [one_line(c) for c in j.conditions], [_reason(kb, x) for x in j.reasons])
                   for j in report.proposals],
        items=[_item(kb, i, checked, anchors) for i in report.checklist],
        checklist=groups,
        done=sum(1 for i in report.checklist if i.id in checked),
        total=len(report.checklist),
        what_if=[WhatIfRow(question_text(kb, w.question), answer_text(kb, w.question, w.from_),
                           answer_text(kb, w.question, w.to), one_line(w.effect), w.fact,
                           w.verdict if w.verdict != report.verdict.level else None,
                           _change(kb, w.question, w.from_, w.to)) for w in report.what_if],
        unsure=_unsure(kb, report),
        answers=_answers(kb, report),
        unanswered=[question_text(kb, q) for q in report.unanswered],
        notes=[NoteView(one_line(n.text), list(n.refs), n.pattern) for n in report.notes],
        goals=_goals(kb, report),
        inventory=_inventory(report.inventory),
        snippets=snippets,
        sizing=size_topics(report, kb, snippets),
    )


def _hosting_why(kb: KnowledgeBase, report: Report) -> str:
    """The answer the hosting decision follows ("Who would run ...? A managed cloud service"), or the risk."""
    for qid, value in report.answers.items():
        q = kb.questions.get(qid)
        if q is not None and q.type == "single" and any(o.value == value and o.hosting for o in q.options):
            return f"{q.text} {answer_text(kb, qid, value)}"
    ops = next((r for r in report.verdict.risks if r.kind == "operations"), None)
    return one_line(ops.text) if ops is not None and report.verdict.hosting else ""


def _goals(kb: KnowledgeBase, report: Report) -> str | None:
    q = kb.question_with("goals")
    value = report.answers.get(q.id) if q is not None else None
    return answer_text(kb, q.id, value) if q is not None and value else None


def _inventory(inv: Inventory | None) -> InventoryView | None:
    if inv is None or inv.is_empty():
        return None
    def names(xs: list[str]) -> str:
        return one_line(", ".join(xs)) or "—"
    return InventoryView(
        summary_of(inv),
        [(one_line(s.name), one_line(s.team or s.domain) or "—", DB_LABELS[s.database], names(s.produces),
          names(s.consumes)) for s in inv.services],
        [(one_line(x.name), EXTERNAL_LABELS[x.kind], x.direction, names(x.events)) for x in inv.externals])


def _drivers(kb: KnowledgeBase, report: Report) -> tuple[list[tuple[str, str]], list[ReasonView]]:
    """The reasons a decision rests on, once each (the verdict's, the core's, the proposals'; rules, not the
    `requires:` links), and the answers they cite in questionnaire order."""
    core = [x for x in report.recommended if x.tier == "core"] or report.recommended
    seen: dict[str, Reason] = {}
    for reason in [*report.verdict.reasons, *(x for rec in core for x in rec.reasons),
                   *(x for j in report.proposals for x in j.reasons)]:
        if reason.rule.startswith("rule:") or ":" not in reason.rule:
            seen.setdefault(reason.rule, reason)
    cited: dict[str, AnswerValue] = {}
    for reason in seen.values():
        cited.update(reason.answers)
    order = {q: i for i, q in enumerate(kb.questions)}
    facts = sorted(cited.items(), key=lambda kv: order.get(kv[0], len(order)))
    return ([(question_text(kb, q), answer_text(kb, q, v)) for q, v in facts],
            [_reason(kb, x) for x in seen.values()])


def _change(kb: KnowledgeBase, qid: str, old: AnswerValue | None, new: AnswerValue | None) -> str:
    """A multi-select change in short form: the options ticked (+) and unticked (−), not the whole new list."""
    q = kb.questions.get(qid)
    if q is None or not isinstance(new, list) or not isinstance(old, list | None):
        return ""
    before = old or []
    added = [q.label_of(v) for v in new if v not in before]
    removed = [q.label_of(v) for v in before if v not in new]
    return one_line("; ".join([*(f"+ {x}" for x in added), *(f"− {x}" for x in removed)])) or "—"


def _with_of(card: PatternCard, of: int) -> PatternCard:
    return PatternCard(**{**card.__dict__, "of": of})


def _unsure(kb: KnowledgeBase, report: Report) -> list[tuple[str, list[tuple[str, str]]]]:
    costs: dict[str, list[tuple[str, str]]] = {q: [] for q, v in report.answers.items() if v == UNSURE}
    for w in report.what_if:
        if w.question in costs:
            costs[w.question].append((answer_text(kb, w.question, w.to), one_line(w.effect)))
    return [(question_text(kb, q), changes) for q, changes in costs.items()]


def _answers(kb: KnowledgeBase, report: Report) -> list[AnswerSection]:
    out = []
    for section in kb.sections:
        rows = [(question_text(kb, q), answer_text(kb, q, report.answers[q])
                 + (" (from the inventory)" if q in report.derived else "")) for q in kb.questions
                if kb.section_of[q] == section.id and q in report.answers]
        if rows:
            out.append(AnswerSection(one_line(section.title), rows))
    unknown = [q for q in report.answers if q not in kb.questions]
    if unknown:
        out.append(AnswerSection("Other answers", [(one_line(q), answer_text(kb, q, report.answers[q]))
                                                   for q in unknown]))
    return out
