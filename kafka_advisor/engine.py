"""evaluate(kb, answers) -> Report: pure, deterministic, explainable.

Conditions are compiled once per knowledge base into closures, so one evaluation is a few
hundred small function calls; what-if re-runs the same fast path for every candidate change.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from .loader import KnowledgeBase
from .model import (
    LEVEL_RANK,
    SEVERITY_RANK,
    AnswerValue,
    Condition,
    Discouragement,
    Note,
    Reason,
    Recommendation,
    Report,
    ReportItem,
    Rule,
    Verdict,
)

Answers = Mapping[str, AnswerValue]
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
    if cond.all is not None:
        parts = tuple(compile_condition(c) for c in cond.all)
        return lambda a: all(p(a) for p in parts)
    if cond.any is not None:
        parts = tuple(compile_condition(c) for c in cond.any)
        return lambda a: any(p(a) for p in parts)
    if cond.not_ is not None:
        inner = compile_condition(cond.not_)
        return lambda a: not inner(a)
    return _leaf(cond.question, cond.operator, cond.operand)


def _leaf(q: str, op: str, operand: Any) -> Test:
    # One specialised closure per operator: this runs for every rule of every evaluation.
    m = _MISSING
    if op == "answered":
        return lambda a: (q in a) == operand
    if op == "equals":
        return lambda a: a.get(q, m) == operand  # _MISSING equals nothing
    if op == "in_":
        members = frozenset(operand)
        return lambda a: a.get(q, m) in members
    if op == "contains":
        return lambda a: operand in a.get(q, ())
    if op == "contains_any":
        wanted = frozenset(operand)
        return lambda a: not wanted.isdisjoint(a.get(q, ()))
    if op == "not_equals":
        return lambda a: (v := a.get(q, m)) is not m and v != operand
    if op == "gt":
        return lambda a: (v := a.get(q, m)) is not m and v > operand
    if op == "gte":
        return lambda a: (v := a.get(q, m)) is not m and v >= operand
    if op == "lt":
        return lambda a: (v := a.get(q, m)) is not m and v < operand
    if op == "lte":
        return lambda a: (v := a.get(q, m)) is not m and v <= operand
    raise ValueError(op)


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


@dataclass(frozen=True)
class Compiled:
    visibility: tuple[tuple[str, Test | None], ...]
    rules: tuple[tuple[Rule, Test], ...]
    # Rules whose condition requires `question == one of values` are indexed by that answer, so an
    # evaluation only tests the rules its answers can possibly fire (plus the unguarded ones).
    guarded: dict[str, dict[Any, tuple[int, ...]]]
    unguarded: tuple[int, ...]
    # Explainers only for conditions with `any` groups; elsewhere every answered question counts.
    explainers: dict[str, Explainer]
    questions_of: dict[str, tuple[str, ...]]


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
            rules=tuple((r, compile_condition(r.when)) for r in kb.rules),
            guarded={q: {v: tuple(ix) for v, ix in by.items()} for q, by in guarded.items()},
            unguarded=tuple(unguarded),
            explainers={r.id: compile_explain(r.when) for r in kb.rules if _has_any(r.when)},
            questions_of={r.id: tuple(dict.fromkeys(c.question for c in r.when.comparisons())) for r in kb.rules},
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
    c = compiled(kb)
    candidates = list(c.unguarded)
    for question, by_value in c.guarded.items():
        value = effective.get(question, _MISSING)
        if value is not _MISSING:
            candidates += by_value.get(value, ())
    candidates.sort()
    rules = c.rules
    return [rules[i][0] for i in candidates if rules[i][1](effective)]


# --------------------------------------------------------------------------- aggregation


@dataclass(frozen=True)
class Outcome:
    """What the fired rules decide, before explanations are attached."""

    scores: dict[str, int]
    recommended: tuple[str, ...]
    discouraged: dict[str, tuple[str, str]]  # pattern -> (severity, alternative)
    level: str
    fit_alternatives: tuple[tuple[str, str], ...]  # (level, alternative), most serious level first

    def signature(self) -> tuple[str, frozenset[str], frozenset[str]]:
        return self.level, frozenset(self.recommended), frozenset(self.discouraged)


def decide(fired: list[Rule]) -> Outcome:
    scores: dict[str, int] = {}
    discouraged: dict[str, tuple[str, str]] = {}
    level = "good-fit"
    fit_alternatives: list[tuple[str, str]] = []
    for rule in fired:
        for rec in rule.then.recommend:
            scores[rec.pattern] = scores.get(rec.pattern, 0) + rec.weight
        for dis in rule.then.discourage:
            old = discouraged.get(dis.pattern)
            # The most severe finding wins; on a tie the earlier rule's alternative stays.
            if old is None or SEVERITY_RANK[dis.severity] < SEVERITY_RANK[old[0]]:
                discouraged[dis.pattern] = (dis.severity, dis.alternative)
        fit = rule.then.fit
        if fit is not None:
            if LEVEL_RANK[fit.level] > LEVEL_RANK[level]:
                level = fit.level
            if fit.alternative and (fit.level, fit.alternative) not in fit_alternatives:
                fit_alternatives.append((fit.level, fit.alternative))
    # A high-severity discouragement overrides any recommendation of the same pattern.
    recommended = tuple(sorted(
        (p for p, s in scores.items() if s > 0 and discouraged.get(p, ("low",))[0] != "high"),
        key=lambda p: (-scores[p], p),
    ))
    if level != "poor-fit":
        serious = any(sev in ("high", "medium") for sev, _ in discouraged.values())
        if serious or not recommended:
            level = "fit-with-caveats"
    fit_alternatives.sort(key=lambda pair: -LEVEL_RANK[pair[0]])  # stable: rule order within a level
    return Outcome(scores, recommended, discouraged, level, tuple(fit_alternatives))


def outcome_of(kb: KnowledgeBase, answers: Answers) -> Outcome:
    """The fast path used by what-if: no explanations, no checklist."""
    return decide(fired_rules(kb, effective_answers(kb, answers)))


# --------------------------------------------------------------------------- report


def _reason(kb: KnowledgeBase, rule: Rule, effective: Answers) -> Reason:
    c = compiled(kb)
    explainer = c.explainers.get(rule.id)
    if explainer is None:  # no `any` group: every answered question the rule reads made it hold
        used = {q: effective[q] for q in c.questions_of[rule.id] if q in effective}
    else:
        _, used = explainer(effective)
    # Built from already-validated knowledge: skip re-validation on this hot path.
    return Reason.model_construct(rule=rule.id, title=rule.title, because=rule.because, answers=used, refs=list(rule.refs))


def evaluate(kb: KnowledgeBase, answers: Answers, *, with_what_if: bool = False) -> Report:
    """Decide and explain. `answers` must already be validated against the questionnaire."""
    effective = effective_answers(kb, answers)
    fired = fired_rules(kb, effective)
    out = decide(fired)
    reasons = {rule.id: _reason(kb, rule, effective) for rule in fired}
    why_recommended: dict[str, list[Reason]] = {}
    why_discouraged: dict[str, list[Reason]] = {}
    for rule in fired:
        for rec in rule.then.recommend:
            why_recommended.setdefault(rec.pattern, []).append(reasons[rule.id])
        for dis in rule.then.discourage:
            why_discouraged.setdefault(dis.pattern, []).append(reasons[rule.id])

    recommended = [
        Recommendation.model_construct(pattern=p, name=kb.patterns[p].name, score=out.scores[p], reasons=why_recommended[p])
        for p in out.recommended
    ]
    discouraged = [
        Discouragement.model_construct(pattern=p, name=kb.patterns[p].name, severity=sev, alternative=alt,
                                       reasons=why_discouraged[p])
        for p, (sev, alt) in sorted(out.discouraged.items(), key=lambda kv: (SEVERITY_RANK[kv[1][0]], kv[0]))
    ]
    verdict_rules = [reasons[r.id] for r in fired if r.then.fit is not None]
    part_alternatives = [f"{d.name}: {d.alternative}" for d in discouraged if d.severity != "low"]
    verdict = Verdict.model_construct(
        level=out.level,
        summary=_summary(kb, out, fired),
        alternatives=[alt for _, alt in out.fit_alternatives] + part_alternatives,
        reasons=verdict_rules,
    )
    visible = _visible(compiled(kb), answers)
    report = Report.model_construct(
        verdict=verdict,
        recommended=recommended,
        discouraged=discouraged,
        checklist=_checklist(kb, out, fired),
        notes=[Note.model_construct(rule=r.id, text=n, refs=list(r.refs)) for r in fired for n in r.then.notes],
        unanswered=[q for q, v in visible.items() if v is None],
        fired=[r.id for r in fired],
        answers=effective,
    )
    if with_what_if:
        from .whatif import what_if  # local import: whatif builds on this module

        report = report.model_copy(update={"what_if": what_if(kb, answers, base=out)})
    return report


def _checklist(kb: KnowledgeBase, out: Outcome, fired: list[Rule]) -> list[ReportItem]:
    rank = {p: i for i, p in enumerate(out.recommended)}
    chosen: dict[str, None] = {}
    for p in out.recommended:
        for item in kb.patterns[p].checklist:
            chosen[item.id] = None
    for rule in fired:
        for item_id in rule.then.checklist:
            chosen[item_id] = None
    position = {item_id: i for i, item_id in enumerate(chosen)}

    def key(item_id: str) -> tuple[int, int, str, int]:
        pattern, item = kb.items[item_id]
        return SEVERITY_RANK[item.severity], rank.get(pattern, len(rank)), pattern, position[item_id]

    result = []
    for item_id in sorted(chosen, key=key):
        pattern, item = kb.items[item_id]
        result.append(ReportItem.model_construct(id=item.id, pattern=pattern, text=item.text, severity=item.severity,
                                                 why=item.why,
                                 config={k: dict(v) for k, v in item.config.items()}, refs=list(item.refs)))
    return result


def _summary(kb: KnowledgeBase, out: Outcome, fired: list[Rule]) -> str:
    names = [kb.patterns[p].name for p in out.recommended]
    if out.level == "poor-fit":
        why = "; ".join(r.title for r in fired if r.then.fit is not None and r.then.fit.level == "poor-fit")
        poor = [alt for level, alt in out.fit_alternatives if level == "poor-fit"]
        alt = f" Consider instead: {poor[0]}" if poor else ""
        alt += "" if not alt or alt.endswith(".") else "."
        return f"Kafka is a poor fit here: {why}.{alt}"
    # Sorted by severity so the summary leads with what matters most.
    serious = sorted(((p, sev) for p, (sev, _) in out.discouraged.items() if sev != "low"),
                     key=lambda ps: (SEVERITY_RANK[ps[1]], ps[0]))
    avoid = [f"{kb.patterns[p].name} ({sev})" for p, sev in serious if p not in out.recommended]
    careful = [f"{kb.patterns[p].name} ({sev})" for p, sev in serious if p in out.recommended]
    if not names:
        if avoid:
            return f"Kafka is not recommended for what you described: avoid {', '.join(avoid)}."
        return "Not enough answers to recommend a Kafka pattern yet: answer the open questions."
    lead = f"{len(names)} pattern{'s' if len(names) != 1 else ''} recommended, led by {names[0]}"
    if out.level == "good-fit":
        return f"Kafka is a good fit: {lead}."
    parts = []
    if avoid:
        parts.append(f"not for {', '.join(avoid)}")
    if careful:
        parts.append(f"apply {', '.join(careful)} with care")
    parts += [r.title for r in fired if r.then.fit is not None and r.then.fit.level == "fit-with-caveats"]
    return f"Kafka fits, with caveats: {lead}; {'; '.join(parts)}."
