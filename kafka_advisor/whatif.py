"""What-if: the single-answer changes that would alter the verdict or the pattern lists."""

from __future__ import annotations

from collections.abc import Iterator

from .engine import Answers, Outcome, compiled, outcome_of, visible_questions
from .loader import KnowledgeBase
from .model import LEVEL_RANK, UNSURE, AnswerValue, Question, Report, WhatIf


def candidates(q: Question, current: AnswerValue | None, thresholds: list[float]) -> Iterator[AnswerValue]:
    """Every value worth trying for one question (numbers: either side of each rule threshold)."""
    if q.type == "single":
        yield from (v for v in q.option_values() if v != current)
    elif q.type == "bool":
        # "Not sure" is never a what-if: from "unsure" both real answers are tried, from yes/no the other one.
        yield from (v for v in (True, False) if v != current)
    elif q.type == "multi":
        chosen = list(current) if isinstance(current, list) else []
        for v in q.option_values():
            toggled = [x for x in chosen if x != v] if v in chosen else [*chosen, v]
            yield sorted(toggled, key=q.option_values().index)
    elif q.type == "number":
        seen: set[float] = set()
        for t in thresholds:
            for v in (t - 1, t, t + 1):
                if v in seen or v == current:
                    continue
                if (q.min is not None and v < q.min) or (q.max is not None and v > q.max):
                    continue
                seen.add(v)
                yield int(v) if float(v).is_integer() else v


def _thresholds(kb: KnowledgeBase) -> dict[str, list[float]]:
    out: dict[str, set[float]] = {}
    for facts in compiled(kb).facts:
        for cmp in facts.rule.when.comparisons():
            if cmp.operator in ("gt", "gte", "lt", "lte", "equals", "not_equals") and kb.questions[cmp.question].type == "number":
                out.setdefault(cmp.question, set()).add(float(cmp.operand))
    return {q: sorted(v) for q, v in out.items()}


def pattern_changes(base: Outcome, new: Outcome) -> dict[str, list[str]]:
    """Which patterns a change adds to or removes from each list, as pattern ids."""
    rec_before, rec_after = base.chosen(), new.chosen()
    dis_before, dis_after = set(base.discouraged), set(new.discouraged)
    # A caution counts while its pattern stays recommended; one that leaves with its pattern is that change.
    cau_before, cau_after = set(base.cautions) & rec_after, set(new.cautions) & rec_before
    return {"recommends": sorted(rec_after - rec_before), "no_longer_recommends": sorted(rec_before - rec_after),
            "discourages": sorted(dis_after - dis_before), "no_longer_discourages": sorted(dis_before - dis_after),
            "cautions": sorted(cau_after - set(base.cautions)), "no_longer_cautions": sorted(cau_before - set(new.cautions))}


def describe(kb: KnowledgeBase, base: Outcome, new: Outcome) -> tuple[str, list[str], list[str]]:
    def names(ids: set[str]) -> str:
        return ", ".join(kb.patterns[p].name for p in sorted(ids))

    parts: list[str] = []
    if new.level != base.level:
        parts.append(f"verdict becomes {new.level}")
    added: set[str] = set()
    removed: set[str] = set()
    for verb, before, after in (("recommends", base.chosen(), new.chosen()),
                                ("discourages", set(base.discouraged), set(new.discouraged))):
        plus, minus = after - before, before - after
        # Turned poor, the design it recommended is discouraged with it: "no longer recommends" says so.
        shown = plus - base.chosen() if verb == "discourages" and new.level == "poor-fit" else plus
        if shown:
            parts.append(f"{verb} {names(shown)}")
        if minus:
            parts.append(f"no longer {verb} {names(minus)}")
        added |= plus
        removed |= minus
    changes = pattern_changes(base, new)
    if changes["cautions"]:
        parts.append(f"adds a caution on {names(set(changes['cautions']))}")
    if changes["no_longer_cautions"]:
        parts.append(f"drops the caution on {names(set(changes['no_longer_cautions']))}")
    return "; ".join(parts), sorted(added), sorted(removed)


def what_if(kb: KnowledgeBase, answers: Answers, *, base: Outcome | None = None,
            fixed: set[str] | frozenset[str] = frozenset()) -> list[WhatIf]:
    """Single-answer changes to visible questions (not the `fixed` ones), most consequential first."""
    base = base or outcome_of(kb, answers)
    thresholds = _thresholds(kb)
    found: list[tuple[tuple[int, int, int], WhatIf]] = []
    order = {q: i for i, q in enumerate(kb.questions)}
    for qid in visible_questions(kb, answers):
        if qid in fixed:
            continue
        q = kb.questions[qid]
        current = answers.get(qid)
        for value in candidates(q, current, thresholds.get(qid, [])):
            changed = {**answers, qid: value}
            if value == []:
                changed.pop(qid)
            new = outcome_of(kb, changed)
            if new.signature() == base.signature():
                continue
            effect, added, removed = describe(kb, base, new)
            item = WhatIf(question=qid, from_=current, to=value, effect=effect,
                          verdict=new.level if new.level != base.level else None, added=added, removed=removed,
                          fact=q.fact, **pattern_changes(base, new))
            verdict_change = 0 if new.level != base.level else 1
            better = -LEVEL_RANK[new.level]
            found.append(((verdict_change, better, order[qid]), item))
    found.sort(key=lambda pair: pair[0])
    return [item for _, item in found]


def unsure_costs(report: Report) -> dict[str, list[WhatIf]]:
    """For every question answered "Not sure" (an `unsure` option, or "Not sure" on a yes/no question):
    the concrete answers that would change the advice (an empty list means finding out cannot change
    it). Needs a report built with what-if."""
    costs: dict[str, list[WhatIf]] = {q: [] for q, v in report.answers.items() if v == UNSURE}
    for w in report.what_if:
        if w.question in costs:
            costs[w.question].append(w)
    return costs
