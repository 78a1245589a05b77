"""Knowledge-base lints beyond what the loader rejects (the `validate` command).

Each finding is a one-line AdvisorError pointing at the YAML that should change.
"""

from __future__ import annotations

from .chapter import FIXED_PATTERN_IDS, SUBSECTIONS
from .examples import run_examples
from .loader import KnowledgeBase
from .model import Condition, Question
from .yamlsource import AdvisorError


def lint(kb: KnowledgeBase, *, run_rule_examples: bool = True) -> list[AdvisorError]:
    findings: list[AdvisorError] = []
    findings += missing_fixed_patterns(kb)
    findings += unreachable_patterns(kb)
    findings += unrequested_items(kb)
    findings += unused_questions(kb)
    findings += unused_conditions(kb)
    findings += impossible_conditions(kb)
    findings += example_coverage(kb)
    findings += uncited_subsections(kb)
    if run_rule_examples:
        for result in run_examples(kb):
            for failure in result.failures:
                idx = next(i for i, e in enumerate(_rule(kb, result.rule).examples) if e.name == result.case)
                findings.append(kb.error(f"rule:{result.rule}", f"example {result.case!r} fails: {failure}", "examples", idx))
    return findings


def _rule(kb: KnowledgeBase, rule_id: str):
    return next(r for r in kb.rules if r.id == rule_id)


def missing_fixed_patterns(kb: KnowledgeBase) -> list[AdvisorError]:
    return [AdvisorError(f"patterns/{p}.yaml", None, None, "id", f"pattern {p!r} is missing, expected a file for every fixed id")
            for p in FIXED_PATTERN_IDS if p not in kb.patterns]


def unreachable_patterns(kb: KnowledgeBase) -> list[AdvisorError]:
    recommendable = {rec.pattern for r in kb.rules for rec in r.then.recommend}
    return [kb.error(f"pattern:{p}", f"no rule recommends pattern {p!r}, expected at least one rule with "
                                     f"`recommend: [{{pattern: {p}, weight: ...}}]`", "id")
            for p in kb.patterns if p not in recommendable]


def unrequested_items(kb: KnowledgeBase) -> list[AdvisorError]:
    """An `on_request` item reaches a checklist only through a rule, so some rule must ask for it."""
    asked = {item for r in kb.rules for item in r.then.checklist}
    return [kb.error(f"pattern:{p.id}", f"no rule asks for checklist item {item.id!r}, which is `on_request: true`; "
                                        f"expected a rule with `checklist: [{item.id}]`", "checklist", i)
            for p in kb.patterns.values() for i, item in enumerate(p.checklist) if item.on_request and item.id not in asked]


def unused_questions(kb: KnowledgeBase) -> list[AdvisorError]:
    read = {q for r in kb.rules for q in r.when.questions()}
    gating = {q for question in kb.questions.values() if question.show_if for q in question.show_if.questions()}
    # Text answers only label diagrams and exports; they are used without any rule reading them.
    return [kb.error(f"question:{q.id}", f"no rule reads question {q.id!r}, expected a rule condition on it (or remove it)", "id")
            for q in kb.questions.values() if q.id not in read and q.id not in gating and q.type != "text"]


def unused_conditions(kb: KnowledgeBase) -> list[AdvisorError]:
    return [kb.error(f"condition:{cid}", f"no rule names condition {cid!r}, expected `condition: {cid}` in a rule "
                                         "(or remove it)", "id")
            for cid, users in kb.condition_users.items() if not users]


def example_coverage(kb: KnowledgeBase) -> list[AdvisorError]:
    out = []
    for rule in kb.rules:
        kinds = {e.expect.fires for e in rule.examples}
        for fires, word in ((True, "fires"), (False, "does not fire")):
            if fires not in kinds:
                out.append(kb.error(f"rule:{rule.id}", f"no example where the rule {word}, expected one with "
                                                       f"`expect: {{fires: {str(fires).lower()}}}`", "examples"))
    return out


def citations(kb: KnowledgeBase) -> dict[str, set[str]]:
    """Section -> what cites it ('pattern:<id>', 'rule:<id>', 'item:<id>')."""
    cited: dict[str, set[str]] = {}
    for p in kb.patterns.values():
        for ref in {p.section, *p.refs}:
            cited.setdefault(ref, set()).add(f"pattern:{p.id}")
        for item in p.checklist:
            for ref in item.refs:
                cited.setdefault(ref, set()).add(f"item:{item.id}")
    for r in kb.rules:
        for ref in r.refs:
            cited.setdefault(ref, set()).add(f"rule:{r.id}")
    return cited


def uncited_subsections(kb: KnowledgeBase) -> list[AdvisorError]:
    """Each subsection needs a pattern and a rule or checklist item that cite it."""
    cited = citations(kb)
    out = []
    for sec in SUBSECTIONS:
        who = cited.get(sec, set())
        has_pattern = any(w.startswith("pattern:") for w in who)
        has_rule = any(w.startswith(("rule:", "item:")) for w in who)
        if not (has_pattern and has_rule):
            missing = " and ".join(x for x, ok in (("a pattern", has_pattern), ("a rule or checklist item", has_rule)) if not ok)
            out.append(AdvisorError("knowledge base", None, None, f"refs {sec}",
                                    f"chapter subsection {sec} is not cited by {missing}, "
                                    f"expected `refs: [\"{sec}\"]` somewhere"))
    return out


def impossible_conditions(kb: KnowledgeBase) -> list[AdvisorError]:
    out: list[AdvisorError] = []
    for rule in kb.rules:
        problem = _never_holds(kb, rule.when)
        if problem:
            message = f"condition can never hold: {problem}, expected a satisfiable condition"
            out.append(kb.error(f"rule:{rule.id}", message, "when"))
    for q in kb.questions.values():
        if q.show_if is not None:
            problem = _never_holds(kb, q.show_if)
            if problem:
                out.append(kb.error(f"question:{q.id}", f"show_if can never hold: {problem}, expected a satisfiable condition",
                                    "show_if"))
    return out


def _never_holds(kb: KnowledgeBase, cond: Condition) -> str | None:
    """A reason the condition is unsatisfiable, judged per question within `all` groups."""
    if cond.question is not None:
        q = kb.questions[cond.question]
        if not _possible_values(q, [cond]):
            return f"{_show(cond)} is impossible for {q.id} (range {q.min}..{q.max})"
        return None
    if cond.any is not None:
        reasons = [_never_holds(kb, c) for c in cond.any]
        return "; ".join(r for r in reasons if r) if all(reasons) else None
    if cond.not_ is not None:
        return None  # a negation is satisfiable unless its inner condition always holds, which we do not judge
    assert cond.all is not None
    for child in cond.all:
        reason = _never_holds(kb, child)
        if reason:
            return reason
    by_question: dict[str, list[Condition]] = {}
    for child in cond.all:
        if child.question is not None:
            by_question.setdefault(child.question, []).append(child)
    for qid, comps in by_question.items():
        q = kb.questions[qid]
        if len(comps) > 1 and not _possible_values(q, comps):
            return f"{' and '.join(_show(c) for c in comps)} contradict each other"
    return None


def _possible_values(q: Question, comps: list[Condition]) -> bool:
    """Is there a valid answer to q satisfying every comparison? (numbers: checked on a grid)"""
    from .engine import holds

    if any(c.operator == "answered" and c.answered is False for c in comps):
        return all(c.operator == "answered" and c.answered is False for c in comps)
    if q.type == "single":
        pool: list = q.option_values()
    elif q.type == "bool":
        pool = q.bool_values()  # true, false and, when the question offers Not sure, "unsure"
    elif q.type == "multi":
        opts = q.option_values()
        pool = [opts, *([o] for o in opts)]
    elif q.type == "number":
        points = {q.min if q.min is not None else -1e9, q.max if q.max is not None else 1e9}
        for c in comps:
            if isinstance(c.operand, int | float) and not isinstance(c.operand, bool):
                points |= {c.operand - 0.5, c.operand, c.operand + 0.5}
            elif isinstance(c.operand, list):
                points |= {v for v in c.operand if isinstance(v, int | float)}
        pool = [p for p in points if (q.min is None or p >= q.min) and (q.max is None or p <= q.max)]
    else:
        return True
    return any(all(holds(c, {q.id: v}) for c in comps) for v in pool)


def _show(c: Condition) -> str:
    return f"{c.question} {c.operator.rstrip('_')} {c.operand!r}"
