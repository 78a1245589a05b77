"""evaluate(kb, answers) -> Report: pure, deterministic, explainable.

Conditions are compiled once per knowledge base into closures, so one evaluation is a few
hundred small function calls; what-if re-runs the same fast path for every candidate change.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple, get_args

from .inventory import Inventory, parts_for
from .loader import KnowledgeBase
from .model import (
    DECISIONS,
    JUDGEMENT_RANK,
    LEVEL_RANK,
    SEVERITY_RANK,
    TIER_RANK,
    AnswerValue,
    Condition,
    Discouragement,
    Note,
    ProposalJudgement,
    Reason,
    Recommendation,
    Report,
    ReportItem,
    RiskItem,
    RiskKind,
    Rule,
    Verdict,
)

Answers = Mapping[str, AnswerValue]
TIERS: tuple[str, ...] = tuple(sorted(TIER_RANK, key=TIER_RANK.__getitem__))
Test = Callable[[Answers], bool]
_MISSING: Any = object()


# --------------------------------------------------------------------------- conditions


def _compare(op: str, value: Any, operand: Any) -> bool:
    if op == "equals":
        return bool(value == operand)
    if op == "not_equals":
        return bool(value != operand)
    if op == "in_":
        return value in operand
    if op == "contains":
        return operand in value
    if op == "contains_any":
        return any(o in value for o in operand)
    if op == "gt":
        return bool(value > operand)
    if op == "gte":
        return bool(value >= operand)
    if op == "lt":
        return bool(value < operand)
    if op == "lte":
        return bool(value <= operand)
    raise ValueError(op)


def holds(cond: Condition, answers: Answers) -> bool:
    """Interpretive evaluation; the reference semantics that `compile_condition` must match."""
    if cond.all is not None:
        return all(holds(c, answers) for c in cond.all)
    if cond.any is not None:
        return any(holds(c, answers) for c in cond.any)
    if cond.not_ is not None:
        return not holds(cond.not_, answers)
    assert cond.question is not None
    value = answers.get(cond.question, _MISSING)
    if cond.operator == "answered":
        return (value is not _MISSING) == cond.answered
    if value is _MISSING:
        return False
    return _compare(cond.operator, value, cond.operand)


def compile_condition(cond: Condition) -> Test:
    """Compile a condition tree into one Python function with the same meaning as `holds`.

    Rules run on every evaluation and on every what-if candidate, so the tree becomes a single
    expression (`a.get(q) == v and (...)`) instead of nested closures: fewer calls and far fewer
    objects to touch, which is what keeps 10 000-rule sets fast. Only numbered names built here
    appear in the generated source; question ids and values travel as bound constants.
    """
    consts: list[Any] = []
    source = f"lambda a: {_expr(cond, consts)}"
    namespace = {"_M": _MISSING, **{f"_c{i}": v for i, v in enumerate(consts)}}
    return eval(compile(source, "<condition>", "eval"), namespace)


def _expr(cond: Condition, consts: list[Any]) -> str:
    if cond.all is not None:
        return "(" + " and ".join(_expr(c, consts) for c in cond.all) + ")"
    if cond.any is not None:
        return "(" + " or ".join(_expr(c, consts) for c in cond.any) + ")"
    if cond.not_ is not None:
        return f"(not {_expr(cond.not_, consts)})"

    def const(value: Any) -> str:
        consts.append(value)
        return f"_c{len(consts) - 1}"

    q, op, operand = const(cond.question), cond.operator, cond.operand
    if op == "answered":
        return f"({q} {'in' if operand else 'not in'} a)"
    if op == "equals":
        return f"(a.get({q}, _M) == {const(operand)})"  # _M equals nothing
    if op == "in_":
        return f"(a.get({q}, _M) in {const(frozenset(operand))})"
    if op == "contains":
        return f"({const(operand)} in a.get({q}, ()))"
    if op == "contains_any":
        return f"(not {const(frozenset(operand))}.isdisjoint(a.get({q}, ())))"
    symbol = {"not_equals": "!=", "gt": ">", "gte": ">=", "lt": "<", "lte": "<="}[op]
    return f"((_v := a.get({q}, _M)) is not _M and _v {symbol} {const(operand)})"


def explain(cond: Condition, answers: Answers) -> tuple[bool, dict[str, AnswerValue]]:
    """Whether the condition holds, and the answers that made it so."""
    if cond.question is not None:
        ok = holds(cond, answers)
        used = {cond.question: answers[cond.question]} if ok and cond.question in answers else {}
        return ok, used
    if cond.not_ is not None:
        ok, _ = explain(cond.not_, answers)
        return not ok, {q: answers[q] for q in sorted(cond.not_.questions()) if q in answers} if not ok else {}
    results = [explain(c, answers) for c in cond.children()]
    ok = all(r[0] for r in results) if cond.all is not None else any(r[0] for r in results)
    used: dict[str, AnswerValue] = {}
    if ok:
        for child_ok, child_used in results:
            if child_ok:
                used.update(child_used)
    return ok, used


Explainer = Callable[[Answers], tuple[bool, dict[str, AnswerValue]]]
_FALSE: tuple[bool, dict[str, AnswerValue]] = (False, {})


def compile_explain(cond: Condition) -> Explainer:
    """Compiled form of `explain`, used for every fired rule of every evaluation."""
    if cond.question is not None:
        test, q = compile_condition(cond), cond.question
        return lambda a: ((True, {q: a[q]} if q in a else {}) if test(a) else _FALSE)
    if cond.not_ is not None:
        inner, qs = compile_condition(cond.not_), tuple(sorted(cond.not_.questions()))
        return lambda a: _FALSE if inner(a) else (True, {q: a[q] for q in qs if q in a})
    parts = tuple(compile_explain(c) for c in cond.children())
    if cond.all is not None:

        def all_of(a: Answers) -> tuple[bool, dict[str, AnswerValue]]:
            used: dict[str, AnswerValue] = {}
            for part in parts:
                ok, u = part(a)
                if not ok:
                    return _FALSE
                used.update(u)
            return True, used

        return all_of

    def any_of(a: Answers) -> tuple[bool, dict[str, AnswerValue]]:
        hit, used = False, {}
        for part in parts:
            ok, u = part(a)
            if ok:
                hit = True
                used.update(u)
        return hit, used

    return any_of


# --------------------------------------------------------------------------- compiled kb


class Facts(NamedTuple):
    """One rule flattened for the hot path: evaluation touches these small tuples, not the pydantic
    models, which keeps large rule sets cache-friendly."""

    rule: Rule
    test: Test
    recommend: tuple[tuple[str, int, str | None, str | None, bool], ...]  # pattern, weight, tier, trigger, without Kafka
    discourage: tuple[tuple[str, int, str, str], ...]  # pattern, severity rank, severity, alternative
    fit: tuple[str, int, str | None] | None  # level, level rank, alternative
    checklist: tuple[str, ...]
    explainer: Explainer | None  # only for conditions with `any`; elsewhere every answered question counts
    questions: tuple[str, ...]
    judge: tuple[tuple[str, str, str | None, tuple[str, ...]], ...]  # proposal, judgement, alternative, conditions


@dataclass(frozen=True)
class PatternFacts:
    """What the tiers, `requires` and proposals need from the patterns and the proposals question."""

    tier: dict[str, str]  # pattern -> default tier
    requires: dict[str, tuple[tuple[str, ...], ...]]  # pattern -> its parts, each a tuple of interchangeable ids
    if_proposed: dict[str, str]  # pattern -> judgement when proposed and no rule speaks either way
    proposals_question: str | None
    proposal_pattern: dict[str, str]  # proposal option -> pattern it proposes
    alternative: dict[str, str]  # pattern -> its first listed alternative
    includes: dict[str, tuple[tuple[str, str], ...]] = field(default_factory=dict)  # pattern -> (contained, why)
    any_transport: frozenset[str] = frozenset()  # ideas that hold without Kafka (`any_transport: true`)


def _pattern_facts(kb: KnowledgeBase) -> PatternFacts:
    q = kb.proposals_question()
    return PatternFacts(
        tier={pid: p.tier for pid, p in kb.patterns.items()},
        requires={pid: tuple((link.pattern, *link.or_else) for link in p.requires) for pid, p in kb.patterns.items()},
        if_proposed={pid: p.if_proposed for pid, p in kb.patterns.items()},
        proposals_question=q.id if q else None,
        proposal_pattern={o.value: o.pattern for o in q.options if o.pattern} if q else {},
        alternative={pid: p.alternatives[0] for pid, p in kb.patterns.items() if p.alternatives},
        includes={pid: tuple((link.pattern, link.because) for link in p.includes)
                  for pid, p in kb.patterns.items() if p.includes},
        any_transport=frozenset(pid for pid, p in kb.patterns.items() if p.any_transport),
    )


@dataclass(frozen=True)
class Compiled:
    visibility: tuple[tuple[str, Test | None], ...]
    facts: tuple[Facts, ...]
    # Rules whose condition requires `question == one of values` are indexed by that answer, so an
    # evaluation only tests the rules its answers can possibly fire (plus the unguarded ones).
    guarded: dict[str, dict[Any, tuple[int, ...]]]
    unguarded: tuple[int, ...]
    patterns: PatternFacts


def _guard(cond: Condition) -> tuple[str, tuple[Any, ...]] | None:
    """A (question, values) the answers must match for the condition to hold, if there is one."""
    leaves = [cond] if cond.question is not None else (cond.all or [])
    for leaf in leaves:
        if leaf.question is not None and leaf.operator in ("equals", "in_"):
            values = leaf.operand if leaf.operator == "in_" else [leaf.operand]
            return leaf.question, tuple(values)
    return None


def _has_any(cond: Condition) -> bool:
    return cond.any is not None or any(_has_any(c) for c in cond.children())


def _facts(rule: Rule) -> Facts:
    then, fit = rule.then, rule.then.fit
    return Facts(
        rule=rule,
        test=compile_condition(rule.when),
        recommend=tuple((r.pattern, r.weight, r.tier, r.trigger, r.without_kafka) for r in then.recommend),
        discourage=tuple((d.pattern, SEVERITY_RANK[d.severity], d.severity, d.alternative) for d in then.discourage),
        fit=(fit.level, LEVEL_RANK[fit.level], fit.alternative) if fit else None,
        checklist=tuple(then.checklist),
        explainer=compile_explain(rule.when) if _has_any(rule.when) else None,
        questions=tuple(dict.fromkeys(c.question for c in rule.when.comparisons())),
        judge=tuple((j.proposal, j.judgement, j.alternative, tuple(j.conditions)) for j in then.judge),
    )


def compiled(kb: KnowledgeBase) -> Compiled:
    if kb.compiled is None:
        guarded: dict[str, dict[Any, list[int]]] = {}
        unguarded: list[int] = []
        for i, rule in enumerate(kb.rules):
            guard = _guard(rule.when)
            if guard is None:
                unguarded.append(i)
                continue
            by_value = guarded.setdefault(guard[0], {})
            for value in guard[1]:
                by_value.setdefault(value, []).append(i)
        kb.compiled = Compiled(
            visibility=tuple((qid, compile_condition(q.show_if) if q.show_if else None) for qid, q in kb.questions.items()),
            facts=tuple(_facts(r) for r in kb.rules),
            guarded={q: {v: tuple(ix) for v, ix in by.items()} for q, by in guarded.items()},
            unguarded=tuple(unguarded),
            patterns=_pattern_facts(kb),
        )
    return kb.compiled


def visible_questions(kb: KnowledgeBase, answers: Answers) -> list[str]:
    """Questions relevant to these answers, in order (show_if sees only visible earlier answers)."""
    return list(_visible(compiled(kb), answers))


def _visible(c: Compiled, answers: Answers) -> dict[str, AnswerValue | None]:
    seen: dict[str, AnswerValue | None] = {}
    effective: dict[str, AnswerValue] = {}
    for qid, test in c.visibility:
        if test is None or test(effective):
            seen[qid] = answers.get(qid)
            if qid in answers:
                effective[qid] = answers[qid]
    return seen


def effective_answers(kb: KnowledgeBase, answers: Answers) -> dict[str, AnswerValue]:
    """Answers to questions that are still relevant; hidden questions' stale answers are dropped."""
    return {q: v for q, v in _visible(compiled(kb), answers).items() if v is not None}


def fired_rules(kb: KnowledgeBase, effective: Answers) -> list[Rule]:
    """Rules whose condition holds, in knowledge-base order."""
    return [f.rule for f in _fire(compiled(kb), effective)]


def _fire(c: Compiled, effective: Answers) -> list[Facts]:
    candidates = list(c.unguarded)
    for question, by_value in c.guarded.items():
        value = effective.get(question, _MISSING)
        if value is not _MISSING:
            candidates += by_value.get(value, ())
    candidates.sort()
    facts = c.facts
    return [facts[i] for i in candidates if facts[i].test(effective)]


# --------------------------------------------------------------------------- aggregation


@dataclass(frozen=True)
class Outcome:
    """What the fired rules decide, before explanations are attached."""

    scores: dict[str, int]
    recommended: tuple[str, ...]  # core first, then baseline, then later; by score within a tier
    discouraged: dict[str, tuple[str, str]]  # pattern -> (severity, alternative)
    level: str
    fit_alternatives: tuple[tuple[str, str], ...]  # (level, alternative), most serious level first
    tiers: dict[str, str] = field(default_factory=dict)
    triggers: dict[str, str] = field(default_factory=dict)  # later-tier pattern -> when it is worth it
    required_by: dict[str, tuple[str, ...]] = field(default_factory=dict)  # part -> patterns that need it
    judgements: dict[str, Judged] = field(default_factory=dict)  # proposal -> judgement
    meanwhile: dict[str, str] = field(default_factory=dict)  # later-tier pattern -> what to do until then
    included: dict[str, tuple[str, str]] = field(default_factory=dict)  # contained pattern -> (container, why)
    cautions: dict[str, tuple[str, str]] = field(default_factory=dict)  # recommended -> (severity, how, with care)

    def chosen(self) -> frozenset[str]:
        """Recommended patterns and those named inside them (a sink's dead letter queue)."""
        return frozenset(self.recommended) | frozenset(self.included)

    def signature(self) -> tuple[str, frozenset[str], frozenset[str], frozenset[str]]:
        return self.level, self.chosen(), frozenset(self.discouraged), frozenset(self.cautions)


class Judged(NamedTuple):
    judgement: str
    alternative: str | None
    conditions: tuple[str, ...]
    source: str  # "rule": a rule judged it; "pattern": derived from the pattern's standing; "verdict": poor fit


_NO_PATTERNS = PatternFacts({}, {}, {}, None, {}, {})
MAX_CORE = 6  # "the few patterns that shape the architecture": more than six is a backlog, not a design
KEPT_WITHOUT_KAFKA = "Keep the idea without Kafka: carry it over what the verdict names instead."
OVERFLOW_TRIGGER = "Once the core patterns are in place: it ranked below the six that shape this architecture most."


def decide(fired: list[Facts], pf: PatternFacts = _NO_PATTERNS, proposals: tuple[str, ...] = ()) -> Outcome:
    scores: dict[str, int] = {}
    tier_rank: dict[str, int] = {}
    triggers: dict[str, str] = {}
    worst: dict[str, tuple[int, str, str]] = {}  # pattern -> (severity rank, severity, alternative)
    level, level_rank = "good-fit", 0
    fit_alternatives: list[tuple[str, str]] = []
    ruled: dict[str, Judged] = {}
    without_kafka: set[str] = set()  # advice a rule says holds without Kafka: kept under a poor fit
    for f in fired:
        for pattern, weight, tier, trigger, keep in f.recommend:
            scores[pattern] = scores.get(pattern, 0) + weight
            if keep:
                without_kafka.add(pattern)
            rank = TIER_RANK[tier or pf.tier.get(pattern, "core")]
            # The most prominent tier any rule gives wins: one rule's "core" outweighs another's "later".
            if rank < tier_rank.get(pattern, 99):
                tier_rank[pattern] = rank
            if trigger and pattern not in triggers:
                triggers[pattern] = trigger
        for pattern, rank, severity, alternative in f.discourage:
            old = worst.get(pattern)
            # The most severe finding wins; on a tie the earlier rule's alternative stays.
            if old is None or rank < old[0]:
                worst[pattern] = (rank, severity, alternative)
        if f.fit is not None:
            fit_level, fit_rank, alternative = f.fit
            if fit_rank > level_rank:
                level, level_rank = fit_level, fit_rank
            if alternative and (fit_level, alternative) not in fit_alternatives:
                fit_alternatives.append((fit_level, alternative))
        for proposal, judgement, alternative, conditions in f.judge:
            old_j = ruled.get(proposal)
            if old_j is None or JUDGEMENT_RANK[judgement] < JUDGEMENT_RANK[old_j.judgement]:
                ruled[proposal] = Judged(judgement, alternative, conditions, "rule")
            elif judgement == old_j.judgement == "conditions":
                ruled[proposal] = old_j._replace(conditions=old_j.conditions + conditions)
    fit_alternatives.sort(key=lambda pair: -LEVEL_RANK[pair[0]])  # stable: rule order within a level
    system_alt = next((alt for lv, alt in fit_alternatives if lv == "poor-fit"), None)

    def blocked(p: str) -> bool:  # a high-severity discouragement overrides any recommendation
        return worst.get(p, (9, "low", ""))[1] == "high"

    chosen = {p for p, sc in scores.items() if sc > 0 and not blocked(p)}
    proposed = {pf.proposal_pattern[v]: v for v in proposals if v in pf.proposal_pattern}
    judgements: dict[str, Judged] = {}
    if level == "poor-fit":
        # Do not adopt: no Kafka pattern is recommended, and every proposed pattern is pointless.
        # So is the Kafka design the answers were heading for: the core patterns it would otherwise
        # have recommended (a sink connector for the flows out, say). Baseline hygiene is not a design,
        # and an idea that holds with any transport (an outbox, domain ownership) is not pointless.
        meant = {p for p in chosen if tier_rank.get(p, 0) == TIER_RANK["core"] and p not in pf.any_transport}
        # What a rule says holds without Kafka (product thinking on warehouse tables) is part of the
        # alternative, so it stays, and is not pointless when proposed either.
        chosen &= without_kafka
        for p in sorted((set(proposed) | meant) - chosen):
            if p not in worst or worst[p][0] > SEVERITY_RANK["medium"]:
                worst[p] = (SEVERITY_RANK["medium"], "medium", system_alt or "Do without Kafka, as the verdict says.")
    else:
        for p, value in proposed.items():
            if value in ruled or p in chosen or p in worst:
                continue
            if pf.if_proposed.get(p) == "endorse":
                chosen.add(p)  # hygiene the user proposed: endorsed, and on the list with its default tier
                tier_rank.setdefault(p, TIER_RANK[pf.tier.get(p, "core")])
    for value, j in ruled.items():
        p = pf.proposal_pattern.get(value)
        if p is not None and j.judgement == "warn" and level != "poor-fit":
            chosen.discard(p)
            if p not in worst or worst[p][0] > SEVERITY_RANK["medium"]:
                worst[p] = (SEVERITY_RANK["medium"], "medium", j.alternative or "")

    # A pattern whose required part is ruled out (every interchangeable option blocked) cannot work.
    unworkable = {p for p in chosen if any(all(blocked(o) for o in opts) for opts in pf.requires.get(p, ()))}
    for p in unworkable:
        chosen.discard(p)
    # Parts that a chosen pattern needs come with it, at its tier (breadth first, so chains resolve).
    required_by: dict[str, list[str]] = {}
    # Under a poor fit what is left holds without Kafka, so it brings no Kafka parts (an outbox kept
    # as a queue table needs no Connect relay).
    queue = sorted(chosen, key=lambda p: (tier_rank.get(p, 0), -scores.get(p, 0), p)) if level != "poor-fit" else []
    while queue:
        p = queue.pop(0)
        for opts in pf.requires.get(p, ()):
            # The first option not ruled out; one already chosen is preferred over adding another.
            usable = [o for o in opts if not blocked(o)]
            part = next((o for o in usable if o in chosen), usable[0] if usable else None)
            if part is None:
                continue
            required_by.setdefault(part, []).append(p)
            # A part sits no higher than the pattern that needs it, nor than its own tier (a baseline
            # part stays baseline under a core pattern).
            rank = max(tier_rank.get(p, 0), TIER_RANK[pf.tier.get(part, "core")])
            if part not in chosen:
                chosen.add(part)
                tier_rank[part] = rank
                queue.append(part)
            elif rank < tier_rank.get(part, 99):
                tier_rank[part] = rank
    if level != "poor-fit":
        # A proposed pattern that nothing needs, not even as a part of another: the pattern's stance is "warn".
        for p, value in proposed.items():
            if value not in ruled and p not in chosen and p not in worst:
                worst[p] = (SEVERITY_RANK["low"], "low",
                            pf.alternative.get(p, "Leave it out: nothing you described needs it."))

    # A pattern that another chosen one already contains is named inside it, not listed twice; one the
    # user proposed stays listed, so that its judgement has a recommendation to point at.
    included: dict[str, tuple[str, str]] = {}
    for p in sorted(chosen):
        for inner, why in pf.includes.get(p, ()):
            if inner in chosen and inner not in proposed and inner not in included:
                included[inner] = (p, why)
    chosen -= set(included)

    # At most MAX_CORE patterns shape the architecture; lower-scored ones wait until those are in place.
    def weight(p: str) -> int:  # a required part ranks with the strongest pattern that needs it
        return max([scores.get(p, 0), *(scores.get(n, 0) for n in required_by.get(p, ()))])

    core_ranked = sorted((p for p in chosen if tier_rank.get(p, 0) == 0), key=lambda p: (-weight(p), p))
    for p in core_ranked[MAX_CORE:]:
        tier_rank[p] = TIER_RANK["later"]
        triggers[p] = OVERFLOW_TRIGGER
    # "Later" and "discouraged" at once reads as a contradiction to an architect.
    meanwhile: dict[str, str] = {}
    # A low warning stays with the deferred recommendation as its "meanwhile" instead.
    for p in [p for p in chosen if tier_rank.get(p, 0) == TIER_RANK["later"] and p in worst and worst[p][1] == "low"]:
        _, _, alternative = worst.pop(p)
        meanwhile[p] = alternative
    # So does "recommended" beside "discouraged": a warning short of "high" on a pattern that is still
    # chosen (raw CDC topics read by other teams, CQRS where users read their own writes) is about how
    # to apply it, and becomes the recommendation's caution. A proposal ruled "warn" keeps its warning.
    cautions: dict[str, tuple[str, str]] = {}
    warned = {pf.proposal_pattern.get(v) for v, j in ruled.items() if j.judgement == "warn"}
    for p in sorted(chosen & set(worst) - warned):
        _, severity, alternative = worst.pop(p)
        cautions[p] = (severity, alternative)
    tiers = {p: TIERS[tier_rank.get(p, 0)] for p in chosen}
    recommended = tuple(sorted(chosen, key=lambda p: (tier_rank.get(p, 0), -scores.get(p, 0), p)))
    discouraged = {p: (sev, alt) for p, (_, sev, alt) in worst.items()}

    for value in proposals:
        p = pf.proposal_pattern.get(value)
        if level == "poor-fit" and (value not in ruled or ruled[value].judgement != "warn"):
            # Pointless without Kafka, unless a rule keeps its idea without it.
            judgements[value] = (Judged("conditions", None, (KEPT_WITHOUT_KAFKA,), "verdict") if p in recommended
                                 else Judged("warn", system_alt, (), "verdict"))
        elif value in ruled:
            j = ruled[value]
            # A rule's endorsement or conditions do not soften a discouragement that keeps the
            # proposed pattern off the list: the more severe judgement stands.
            if j.judgement != "warn" and p is not None and p in discouraged and p not in recommended:
                j = Judged("warn", discouraged[p][1], (), "pattern")
            judgements[value] = j
        elif p is not None and p in recommended:
            judgements[value] = (Judged("conditions", None, (cautions[p][1],), "pattern") if p in cautions
                                 else Judged("endorse", None, (), "pattern"))
        elif p is not None and p in discouraged:
            judgements[value] = Judged("warn", discouraged[p][1], (), "pattern")
    if level == "good-fit" and (not recommended or any(discouraged.get(p, ("",))[0] == "high" for p in proposed)):
        # The verdict is about Kafka for this system: `fit` effects speak to that, and so does a
        # proposal that is ruled out outright. Any other caveat on one pattern stays with that
        # pattern (its discouragement, or the proposal's judgement).
        level = "fit-with-caveats"
    return Outcome(scores, recommended, discouraged, level, tuple(fit_alternatives), tiers,
                   {p: t for p, t in triggers.items() if tiers.get(p) == "later"},
                   {p: tuple(by) for p, by in required_by.items() if p in chosen}, judgements, meanwhile, included,
                   cautions)


def _proposals(c: Compiled, effective: Answers) -> tuple[str, ...]:
    q = c.patterns.proposals_question
    value = effective.get(q) if q else None
    return tuple(value) if isinstance(value, list) else ()


def outcome_of(kb: KnowledgeBase, answers: Answers) -> Outcome:
    """The fast path used by what-if: no explanations, no checklist."""
    c = compiled(kb)
    effective = effective_answers(kb, answers)
    return decide(_fire(c, effective), c.patterns, _proposals(c, effective))


# --------------------------------------------------------------------------- report


def _reason(f: Facts, effective: Answers) -> Reason:
    if f.explainer is None:  # no `any` group: every answered question the rule reads made it hold
        used = {q: effective[q] for q in f.questions if q in effective}
    else:
        _, used = f.explainer(effective)
    rule = f.rule
    return Reason(rule=rule.id, title=rule.title, because=rule.because, answers=used, refs=list(rule.refs))


def evaluate(kb: KnowledgeBase, answers: Answers, *, with_what_if: bool = False,
             inventory: Inventory | None = None) -> Report:
    """Decide and explain. `answers` must already be validated against the questionnaire.

    With an inventory, the answers it implies replace the user's own (the questionnaire does not ask
    them then), and checklist items that are done once per part name those parts.
    """
    derived = kb.derived_from(inventory)
    answers = {**answers, **derived}
    c = compiled(kb)
    effective = effective_answers(kb, answers)
    fired = _fire(c, effective)
    proposals = _proposals(c, effective)
    out = decide(fired, c.patterns, proposals)
    reasons = [_reason(f, effective) for f in fired]
    why_recommended: dict[str, list[Reason]] = {}
    why_discouraged: dict[str, list[Reason]] = {}
    why_judged: dict[str, list[tuple[str, Reason]]] = {}  # proposal -> (the rule's judgement, why)
    for f, reason in zip(fired, reasons, strict=True):
        for pattern, *_ in f.recommend:
            why_recommended.setdefault(pattern, []).append(reason)
        for pattern, *_ in f.discourage:
            why_discouraged.setdefault(pattern, []).append(reason)
        for proposal, judgement, *_ in f.judge:
            why_judged.setdefault(proposal, []).append((judgement, reason))
    proposed = {v: p for v, p in c.patterns.proposal_pattern.items() if v in proposals}
    for value, p in proposed.items():
        mine = _proposal_reason(kb, value, p, effective)
        if p in out.recommended and p not in why_recommended:
            why_recommended[p] = [mine]
        if p in out.discouraged and p not in why_discouraged:
            why_discouraged[p] = [mine]
    for part, needers in out.required_by.items():
        why_recommended.setdefault(part, []).extend(_requires_reason(kb, n, part) for n in needers)
    if out.level == "poor-fit":
        for p in out.discouraged:
            if p not in why_discouraged and p in why_recommended:
                why_discouraged[p] = [_pointless_reason(kb, p, why_recommended[p])]

    recommended = [
        Recommendation.model_construct(
            pattern=p, name=kb.patterns[p].name, score=out.scores.get(p, 0), reasons=why_recommended.get(p, []),
            tier=out.tiers[p], trigger=out.triggers.get(p), meanwhile=out.meanwhile.get(p),
            caution=out.cautions[p][1] if p in out.cautions else None,
            caution_severity=out.cautions[p][0] if p in out.cautions else None,
            caution_reasons=why_discouraged.get(p, []) if p in out.cautions else [],
            required_by=list(out.required_by.get(p, ())),
            pairs_with=[link.pattern for link in kb.patterns[p].pairs_with],
            includes=sorted(inner for inner, (outer, _) in out.included.items() if outer == p))
        for p in out.recommended
    ]
    discouraged = [
        Discouragement.model_construct(pattern=p, name=kb.patterns[p].name, severity=sev, alternative=alt,
                                       reasons=why_discouraged.get(p, []))
        for p, (sev, alt) in sorted(out.discouraged.items(), key=lambda kv: (SEVERITY_RANK[kv[1][0]], kv[0]))
    ]
    judged = _judgements(kb, out, proposals, why_judged, why_recommended, why_discouraged, effective)
    # The verdict's reasons lead with its own level (a poor fit's, then a caveat's); under a poor fit,
    # what speaks for Kafka is kept apart as outweighed, so "why not" never lists a reason for.
    by_level = sorted(((f.fit[1], reason) for f, reason in zip(fired, reasons, strict=True) if f.fit is not None),
                      key=lambda pair: -pair[0])
    verdict_rules = [r for rank, r in by_level if out.level != "poor-fit" or rank > 0]
    outweighed = [r for rank, r in by_level if out.level == "poor-fit" and rank == 0]
    touched = set(out.recommended) | set(proposed.values())
    # A poor fit's alternatives are what to use instead of Kafka; a caveat's condition for adopting
    # Kafka (a managed service, say) would contradict the verdict there.
    system_alternatives = [alt for level, alt in out.fit_alternatives if out.level != "poor-fit" or level == "poor-fit"]
    # Parts' alternatives assume Kafka stays (a read model fed by Kafka, say): a poor fit has none but
    # its own, and a part whose alternative is the system's says nothing the verdict does not.
    part_alternatives = [f"{d.name}: {d.alternative}" for d in discouraged
                         if d.severity != "low" and d.pattern in touched and d.alternative not in system_alternatives
                         and out.level != "poor-fit"]
    risks = sorted((RiskItem.model_construct(kind=r.kind, text=r.text, rule=f.rule.id, refs=list(f.rule.refs))
                    for f in fired for r in f.rule.then.risks), key=lambda r: RISK_ORDER.index(r.kind))
    core = [p for p in out.recommended if out.tiers[p] == "core"]
    verdict = Verdict.model_construct(
        level=out.level,
        decision=DECISIONS[out.level],
        core=core,
        risks=risks,
        summary=_summary(kb, out, [f.rule for f in fired if f.fit is not None], risks),
        alternatives=system_alternatives + part_alternatives,
        reasons=verdict_rules,
        outweighed=outweighed,
        system_alternatives=system_alternatives,
        hosting=_hosting(kb, effective, risks),
        part_alternatives=part_alternatives,
    )
    visible = _visible(c, answers)
    report = Report.model_construct(
        verdict=verdict,
        recommended=recommended,
        discouraged=discouraged,
        checklist=_checklist(kb, out, fired, inventory),
        proposals=judged,
        notes=_notes(kb, fired, out),
        unanswered=[q for q, v in visible.items() if v is None],
        fired=[f.rule.id for f in fired],
        answers=effective,
        inventory=inventory,
        derived=[q for q in derived if q in effective],
    )
    if with_what_if:
        from .whatif import what_if  # local import: whatif builds on this module

        # A derived answer changes by editing the inventory, not by a what-if click.
        report = report.model_copy(update={"what_if": what_if(kb, answers, base=out, fixed=set(derived))})
    return report


def _hosting(kb: KnowledgeBase, effective: Answers, risks: list[RiskItem]) -> str | None:
    """Who runs Kafka: the user's own answer when an option says so; a provider when operations are a risk."""
    for qid, value in effective.items():
        q = kb.questions.get(qid)
        if q is not None and q.type == "single":
            hosting = next((o.hosting for o in q.options if o.value == value and o.hosting), None)
            if hosting:
                return hosting
    return "managed" if any(r.kind == "operations" for r in risks) else None


def _notes(kb: KnowledgeBase, fired: list[Facts], out: Outcome) -> list[Note]:
    """Each note once, attached to the pattern its rule is about (the first it recommends or discourages
    that is on a list), or to the verdict."""
    seen: set[str] = set()
    notes = []
    for f in fired:
        about = [p for p, *_ in f.recommend if p in out.recommended]
        about += [p for p, *_ in f.discourage if p in out.discouraged or p in out.cautions]
        # A poor fit keeps the verdict's own notes and those on what it discourages; the rest advise on a
        # Kafka design it does not recommend (as its checklist leaves out their items).
        if out.level == "poor-fit" and not about and f.fit is None:
            continue
        for text in f.rule.then.notes:
            if text in seen:
                continue
            seen.add(text)
            notes.append(Note.model_construct(rule=f.rule.id, text=text, refs=list(f.rule.refs),
                                              pattern=about[0] if about else None))
    for inner, (outer, why) in sorted(out.included.items()):
        notes.append(Note.model_construct(rule=f"includes:{inner}", text=why, refs=[kb.patterns[outer].section],
                                          pattern=outer))
    return notes


RISK_ORDER: tuple[str, ...] = get_args(RiskKind)


def _proposal_reason(kb: KnowledgeBase, value: str, pattern: str, effective: Answers) -> Reason:
    q = kb.proposals_question()
    assert q is not None
    p = kb.patterns[pattern]
    return Reason(rule=f"proposal:{value}", title=f"Proposed: {q.label_of(value)}",
                  because=f"You said this is proposed or in place; no rule calls for {p.name} or against it, so "
                          f"the pattern's own stance applies ({'endorse' if p.if_proposed == 'endorse' else 'warn'}).",
                  answers={q.id: effective[q.id]}, refs=[p.section])


def _pointless_reason(kb: KnowledgeBase, pattern: str, would: list[Reason]) -> Reason:
    """Under a poor fit: the part of a Kafka design these answers point to, and why it goes (what to do
    instead is the discouragement's alternative)."""
    answers: dict[str, AnswerValue] = {}
    for r in would:
        answers.update(r.answers)
    titles = "; ".join(dict.fromkeys(r.title for r in would))
    name = kb.patterns[pattern].name
    return Reason(rule=f"poor-fit:{pattern}", title=f"Kafka is a poor fit here, so {name} is not needed",
                  because=f"Your answers point to it ({titles}), as part of a Kafka design; without Kafka it has "
                          "nothing to do.", answers=answers, refs=[kb.patterns[pattern].section])


def _requires_reason(kb: KnowledgeBase, needer: str, part: str) -> Reason:
    p = kb.patterns[needer]
    link = next(lk for lk in p.requires if part in (lk.pattern, *lk.or_else))
    return Reason(rule=f"requires:{needer}", title=f"Needed by {p.name}", because=link.because, answers={},
                  refs=[p.section])


def _judgements(kb: KnowledgeBase, out: Outcome, proposals: tuple[str, ...],
                why_judged: dict[str, list[tuple[str, Reason]]],
                why_recommended: dict[str, list[Reason]], why_discouraged: dict[str, list[Reason]],
                effective: Answers) -> list[ProposalJudgement]:
    q = kb.proposals_question()
    result = []
    for value in proposals:
        j = out.judgements.get(value)
        if q is None or j is None:
            continue
        pattern = compiled(kb).patterns.proposal_pattern.get(value)
        if j.source == "rule":
            # The rules behind the judgement that stands: a milder one it overrode is not its reason.
            why = [r for judgement, r in why_judged.get(value, []) if judgement == j.judgement]
        elif j.source == "verdict":
            why = [Reason(rule="verdict", title="Kafka is a poor fit here", because=j.alternative or "",
                          answers={q.id: effective[q.id]}, refs=["7.1"])]
        else:
            assert pattern is not None
            why = why_discouraged.get(pattern, []) if j.judgement == "warn" else why_recommended.get(pattern, [])
            if j.judgement == "conditions":  # the conditions are the pattern's caution: its rules say why
                why = why + why_discouraged.get(pattern, [])
        result.append(ProposalJudgement.model_construct(
            proposal=value, label=q.label_of(value), pattern=pattern, judgement=j.judgement,
            alternative=j.alternative, conditions=list(j.conditions), reasons=why))
    return result


def _checklist(kb: KnowledgeBase, out: Outcome, fired: list[Facts], inventory: Inventory | None) -> list[ReportItem]:
    """Items of the recommended patterns and of fired rules: "do first" before "later", then by severity."""
    if out.level == "poor-fit":
        # Do not adopt: nothing to configure. What a poor fit keeps (without_kafka) is an idea whose card
        # says what it means; its checklist items configure Kafka.
        return []
    rank = {p: i for i, p in enumerate(out.recommended)}
    chosen: dict[str, None] = {}
    for p in out.recommended:
        for item in kb.patterns[p].checklist:
            # Baseline hygiene stays short: its high-severity items, and what a fired rule asks for.
            if not item.on_request and (out.tiers.get(p) != "baseline" or item.severity == "high"):
                chosen[item.id] = None
    asked: set[str] = set()  # items a fired rule names: the answers point at them
    for f in fired:
        for item_id in f.checklist:
            chosen[item_id] = None
            asked.add(item_id)
    position = {item_id: i for i, item_id in enumerate(chosen)}

    def phase(item_id: str) -> str:
        # Do first: the high-severity items of the core and baseline, and the medium ones the answers
        # point at; a pattern's other medium items, low ones and a later pattern's wait.
        pattern, item = kb.items[item_id]
        if out.tiers.get(pattern) == "later" or item.severity == "low":
            return "later"
        if item.severity == "high":
            return "first"
        return "first" if item_id in asked and pattern in out.tiers else "later"

    def key(item_id: str) -> tuple[int, int, int, str, int]:
        pattern, item = kb.items[item_id]
        return (phase(item_id) == "later", SEVERITY_RANK[item.severity], rank.get(pattern, len(rank)), pattern,
                position[item_id])

    result = []
    for item_id in sorted(chosen, key=key):
        pattern, item = kb.items[item_id]
        result.append(ReportItem.model_construct(id=item.id, pattern=pattern, text=item.text, severity=item.severity,
                                                 why=item.why, config={k: dict(v) for k, v in item.config.items()},
                                                 refs=list(item.refs), phase=phase(item_id),
                                                 applies_to=parts_for(inventory, item.each)
                                                 if inventory is not None and item.each else []))
    return result


def _summary(kb: KnowledgeBase, out: Outcome, fit_rules: list[Rule], risks: list[RiskItem]) -> str:
    """One paragraph: the decision, the core it rests on, and the main risk."""
    if out.level == "poor-fit":
        why = "; ".join(r.title for r in fit_rules if r.then.fit is not None and r.then.fit.level == "poor-fit")
        # The alternatives are data (verdict.system_alternatives): every view lists them, so the
        # summary does not repeat them.
        kept = [kb.patterns[p].name for p in out.recommended]
        return f"Kafka is a poor fit here: {why}." + (f" Without Kafka, keep: {', '.join(kept)}." if kept else "")

    def names(tier: str) -> list[str]:
        return [kb.patterns[p].name for p in out.recommended if out.tiers[p] == tier]

    core, baseline = names("core"), names("baseline")
    touched = set(out.recommended)
    serious = sorted(((p, sev) for p, (sev, _) in out.cautions.items() if sev != "low"),
                     key=lambda ps: (SEVERITY_RANK[ps[1]], ps[0]))
    if not out.recommended:
        avoid = [f"{kb.patterns[p].name} ({sev})" for p, (sev, _) in out.discouraged.items() if sev != "low"]
        if avoid:
            return f"Kafka is not recommended for what you described: avoid {', '.join(avoid)}."
        return "Not enough answers to recommend a Kafka pattern yet: answer the open questions."
    lead = f"core: {', '.join(core)}" if core else f"baseline only: {', '.join(baseline)}"
    if core and baseline:
        lead += f"; baseline: {', '.join(baseline)}"
    parts = [f"apply {kb.patterns[p].name} ({sev}) with care" for p, sev in serious]
    proposal_pattern = compiled(kb).patterns.proposal_pattern
    proposed = {proposal_pattern[v] for v in out.judgements if v in proposal_pattern}
    parts += [f"not for {kb.patterns[p].name}, as proposed ({sev})" for p, (sev, _) in sorted(out.discouraged.items())
              if sev == "high" and p in proposed and p not in touched]
    if out.level == "good-fit":
        return f"Kafka is a good fit: {lead}{'; ' + '; '.join(parts) if parts else ''}."
    parts += [r.title for r in fit_rules if r.then.fit is not None and r.then.fit.level == "fit-with-caveats"]
    if risks and not parts:
        parts.append(risks[0].text)
    return f"Kafka fits, with caveats: {lead}; {'; '.join(parts)}." if parts else f"Kafka fits, with caveats: {lead}."
