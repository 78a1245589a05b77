"""Load the knowledge base (questions/, rules/, patterns/) into validated models.

Every problem becomes an AdvisorError that reads `path:line:column: field.path: what is wrong,
what is expected`. Cross-references (question ids, option values, pattern and checklist ids)
are checked here too, so the engine can trust what it is given.
"""

from __future__ import annotations

import errno
import os
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ValidationError

from .inventory import DERIVATIONS, Inventory, derived_answers
from .model import (
    UNSURE,
    AnswersFile,
    AnswerValue,
    ChecklistItem,
    Condition,
    NamedCondition,
    Pattern,
    Question,
    QuestionFile,
    QuestionRole,
    Rule,
    RuleFile,
    Section,
)
from .yamlsource import AdvisorError, Loc, Located, dotted, os_problem, parse_bytes, read_file, show

DEFAULT_ROOT = Path(__file__).resolve().parent.parent
RESERVED_OPTION_VALUES = {"yes", "no", "on", "off", "true", "false", "null", "y", "n"}


class KnowledgeBaseError(Exception):
    """One or more load errors, each already a one-line message."""

    def __init__(self, errors: list[AdvisorError]) -> None:
        self.errors = errors
        super().__init__("\n".join(e.one_line() for e in errors))


@dataclass
class KnowledgeBase:
    root: Path
    sections: list[Section]
    questions: dict[str, Question]  # in questionnaire order
    section_of: dict[str, str]
    rules: list[Rule]
    patterns: dict[str, Pattern]
    items: dict[str, tuple[str, ChecklistItem]]  # checklist item id -> (pattern id, item)
    sources: dict[str, Located] = field(default_factory=dict, repr=False)  # file -> parsed YAML
    where: dict[str, tuple[str, Loc]] = field(default_factory=dict, repr=False)  # "rule:<id>" -> (file, loc)
    conditions: dict[str, NamedCondition] = field(default_factory=dict)  # named conditions rules share
    condition_users: dict[str, list[str]] = field(default_factory=dict)  # condition id -> rule ids naming it
    compiled: Any = field(default=None, repr=False)  # filled lazily by the engine

    def locate(self, key: str, *extra: str | int) -> tuple[str, int | None, int | None, str]:
        """File, line, column and dotted field of a rule/question/pattern, for lint messages."""
        path, loc = self.where[key]
        line, col = self.sources[path].where((*loc, *extra))
        return path, line, col, dotted((*loc, *extra))

    def error(self, key: str, message: str, *extra: str | int) -> AdvisorError:
        path, line, col, fld = self.locate(key, *extra)
        return AdvisorError(path, line, col, fld, message)

    def derived_from(self, inventory: Inventory | None) -> dict[str, AnswerValue]:
        """The answers an inventory implies, for the questions that declare `derive:`."""
        derives = {qid: q.derive for qid, q in self.questions.items() if q.derive is not None}
        return derived_answers(derives, inventory)

    def question_with(self, role: str) -> Question | None:
        """The question that carries a role (the loader allows at most one)."""
        return next((q for q in self.questions.values() if q.role == role), None)

    def proposals_question(self) -> Question | None:
        return self.question_with("proposals")

    def system_name(self, answers: Mapping[str, Any]) -> str | None:
        """The answer to the question with role system-name, if it was given as text."""
        q = self.question_with("system-name")
        value = answers.get(q.id) if q else None
        return value if isinstance(value, str) and value.strip() else None


# --------------------------------------------------------------------------- pydantic errors


def _expected_fields(model: type[BaseModel], loc: Loc) -> list[str] | None:
    """Names allowed at `loc` inside `model`, to tell the author what a typo should have been."""
    current: Any = model
    for part in loc:
        current = _unwrap(current)
        if isinstance(part, int) or current is None:
            continue
        if isinstance(current, type) and issubclass(current, BaseModel):
            match = next((f for n, f in current.model_fields.items() if (f.alias or n) == part), None)
            current = match.annotation if match else None
        elif typing.get_origin(current) is dict:
            current = typing.get_args(current)[1]
    current = _unwrap(current)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return [f.alias or n for n, f in current.model_fields.items()]
    return None


def _unwrap(tp: Any) -> Any:
    """list[X] / X | None / Annotated[X, ...] -> X (the model we descend into)."""
    for _ in range(5):
        origin = typing.get_origin(tp)
        if origin is list:
            tp = typing.get_args(tp)[0]
        elif origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(tp) if a is not type(None)]
            models = [a for a in args if isinstance(a, type) and issubclass(a, BaseModel)]
            tp = models[0] if models else args[0]
        elif origin is typing.Annotated:
            tp = typing.get_args(tp)[0]
        else:
            break
    return tp


def _explain(err: dict[str, Any], model: type[BaseModel], loc: Loc) -> str:
    kind = err["type"]
    if kind == "extra_forbidden":
        allowed = _expected_fields(model, loc[:-1])
        hint = f", expected one of: {', '.join(allowed)}" if allowed else ""
        return f"unknown field {show(loc[-1])}{hint}"
    if kind == "missing":
        return "missing required field, expected a value here"
    if kind in ("model_type", "dict_type"):
        return f"got {describe(err.get('input'))}, expected a mapping (key: value)"
    if kind == "string_pattern_mismatch" and "\\x00-\\x1f" in err["ctx"]["pattern"]:
        return f"{show(err.get('input'))} contains a control character (a tab, a line break, an escape), " \
               "expected one line of printable text"
    if kind == "string_pattern_mismatch":
        return f"{show(err.get('input'))} is not a valid id, expected lowercase letters, digits and '-' or '_' " \
               f"({err['ctx']['pattern']})"
    msg: str = err["msg"]
    msg = msg.removeprefix("Value error, ")
    if kind.endswith("_type") or kind.endswith("_parsing"):
        wanted = _WANTED.get(kind.split("_")[0]) or msg[0].lower() + msg[1:]
        return f"got {describe(err.get('input'))}, expected {wanted}"
    if kind == "string_too_long":
        return f"text is {len(err.get('input') or ''):,} characters, expected at most {err['ctx']['max_length']}"
    return msg[0].lower() + msg[1:] if msg else kind


# pydantic's type names (`float_parsing`, `list_type`, ...) in the words an author uses.
_WANTED = {"int": "a whole number", "float": "a number", "string": "text", "list": "a list", "bool": "true or false",
           "dict": "a mapping (key: value)", "model": "a mapping (key: value)"}


def kind_of(value: Any) -> str:
    """What a YAML value is, in words: 'a number', 'text', 'a list', 'a mapping', 'true/false', 'no value'."""
    if value is None:
        return "no value"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "text"
    return "a list" if isinstance(value, list) else "a mapping" if isinstance(value, dict) else "a value"


def describe(value: Any) -> str:
    """A value for a message: its kind and, when it has one, a short quote of it."""
    if value is None:
        return "no value"
    if isinstance(value, bool):
        return f"true/false ({'true' if value else 'false'})"
    words = {int: "the number", float: "the number", str: "the text"}.get(type(value)) or kind_of(value)
    return f"{words} {show(value)}"


def validation_errors(exc: ValidationError, located: Located, model: type[BaseModel],
                      base: Loc = ()) -> list[AdvisorError]:
    out: list[AdvisorError] = []
    seen: set[str] = set()
    for err in exc.errors():
        raw_loc = tuple(err["loc"])
        # Keep only the parts that exist in the YAML (drop pydantic's union member names),
        # but name the missing field itself.
        loc = raw_loc
        while loc and (*base, *loc) not in located.marks:
            loc = loc[:-1]
        shown = raw_loc if err["type"] == "missing" else loc
        line, col = located.where((*base, *loc))
        message = _explain(err, model, raw_loc if err["type"] == "extra_forbidden" else loc)
        one = AdvisorError(located.path, line, col, dotted((*base, *shown)), message)
        if one.one_line() not in seen:
            seen.add(one.one_line())
            out.append(one)
    return out


def parse_model(located: Located, model: type[BaseModel]) -> tuple[Any, list[AdvisorError]]:
    """A parsed YAML file as `model`, or the one-line errors that say where it is wrong."""
    return _parse_model(located, model)


def _parse_model(located: Located, model: type[BaseModel]) -> tuple[Any, list[AdvisorError]]:
    if not isinstance(located.data, dict):
        kind = kind_of(located.data)
        return None, [located.error((), f"top level is {kind}, expected a mapping")]
    try:
        return model.model_validate(located.data), []
    except ValidationError as exc:
        return None, validation_errors(exc, located, model)


# --------------------------------------------------------------------------- answers


def check_answer(q: Question, value: Any) -> tuple[AnswerValue | None, str | None]:
    """Normalise one answer; return (value, None) or (None, what is expected)."""
    if q.type == "single":
        opts = q.option_values()
        if isinstance(value, str) and value in opts:
            return value, None
        return None, f"{show(value)} is not an option, expected one of: {', '.join(opts)}"
    if q.type == "multi":
        opts = q.option_values()
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list):
            return None, f"got {kind_of(value)}, expected a list of: {', '.join(opts)}"
        bad = [v for v in value if not isinstance(v, str) or v not in opts]
        if bad:
            return None, f"{show(bad[0])} is not an option, expected any of: {', '.join(opts)}"
        return sorted(set(value), key=opts.index), None
    if q.type == "bool":
        if isinstance(value, bool) or (q.unsure and value == UNSURE):
            return value, None
        if value == UNSURE:
            return None, f"got {show(value)}, but this question offers no Not sure, expected true or false"
        return None, f"got {show(value)}, expected {bool_choices(q)}"
    if q.type == "number":
        if isinstance(value, bool) or not isinstance(value, int | float):
            return None, f"got {show(value)}, expected a number"
        if value != value or value in (float("inf"), float("-inf")):
            return None, f"got {show(value)}, expected a finite number"
        if q.min is not None and value < q.min:
            return None, f"{value} is below the minimum, expected a number from {_num(q.min)} to {_num(q.max)}"
        if q.max is not None and value > q.max:
            return None, f"{value} is above the maximum, expected a number from {_num(q.min)} to {_num(q.max)}"
        return (int(value) if float(value).is_integer() else value), None
    # text: names such as "2048" arrive as numbers from YAML; keep them as text.
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return None, f"got {kind_of(value)}, expected text"
    text = str(value)
    if len(text) > q.max_length:
        return None, f"text is {len(text):,} characters, expected at most {q.max_length}"
    return text, None


def bool_choices(q: Question) -> str:
    """The answers a bool question takes, in words for a message."""
    return "true, false or unsure" if q.unsure else "true or false"


def _num(v: float | None) -> str:
    if v is None:
        return "any"
    return str(int(v)) if float(v).is_integer() else str(v)


def validate_answers(kb: KnowledgeBase, answers: Any, *, source: Located | None = None,
                     base: Loc = ("answers",)) -> dict[str, AnswerValue]:
    """Check answers against the questionnaire; raise the first problem as an AdvisorError."""

    def fail(loc: Loc, message: str) -> AdvisorError:
        if source is not None:
            return source.error(loc, message)
        return AdvisorError("answers", None, None, dotted(loc), message)

    if answers is None:
        return {}
    if not isinstance(answers, dict):
        raise fail(base, f"got {describe(answers)}, expected a mapping of question id to answer")
    out: dict[str, AnswerValue] = {}
    for qid, value in answers.items():
        q = kb.questions.get(qid) if isinstance(qid, str) else None
        if q is None:
            raise fail((*base, qid), f"unknown question id {show(qid)}, expected one of the questionnaire ids "
                                     f"(`python -m kafka_advisor questions`)")
        if value is None:
            continue  # an empty answer is simply unanswered
        if q.type in ("text", "single") and source is not None:
            # `010`, `0x1F` or `yes` stay the text the user wrote: a name, or an option value to look up.
            value = source.plain.get((*base, qid), value)
        elif q.type == "multi" and source is not None and isinstance(value, list):
            value = [source.plain.get((*base, qid, i), v) for i, v in enumerate(value)]
        norm, problem = check_answer(q, value)
        if problem:
            raise fail((*base, qid), problem)
        assert norm is not None
        out[qid] = norm
    return out


def load_answers_file(kb: KnowledgeBase, path: Path | str) -> tuple[str | None, dict[str, AnswerValue]]:
    return parse_answers(kb, read_file(path))


def parse_answers(kb: KnowledgeBase, located: Located) -> tuple[str | None, dict[str, AnswerValue]]:
    """Answers YAML (`title:` and `answers:`) -> validated answers."""
    if isinstance(located.data, dict):
        if ("title",) in located.plain:
            located.data["title"] = located.plain[("title",)]  # `title: 2024` is a title, not a number
        if "answers" in located.data and located.data["answers"] is None:
            located.data["answers"] = {}  # `answers:` with nothing under it: a template, no answers yet
    parsed, errors = _parse_model(located, AnswersFile)
    if errors:
        raise errors[0]
    return parsed.title, validate_answers(kb, parsed.answers, source=located)


def parse_answers_bytes(kb: KnowledgeBase, raw: bytes, name: str) -> tuple[str | None, dict[str, AnswerValue]]:
    return parse_answers(kb, parse_bytes(raw, name, max_bytes=200_000))


def _unique_names(located: Located) -> None:
    """A name used twice in the inventory, reported at its second use (the model can only point at the
    whole inventory)."""
    inv = located.data.get("inventory") if isinstance(located.data, dict) else None
    if not isinstance(inv, dict):
        return
    first: dict[str, tuple[str, int]] = {}
    for table in ("services", "externals"):
        rows = inv.get(table)
        for i, row in enumerate(rows if isinstance(rows, list) else []):
            name = row.get("name") if isinstance(row, dict) else None
            if not isinstance(name, str) or not name.strip():
                continue
            key = name.strip().casefold()
            if key in first:
                where = f"{first[key][0]}[{first[key][1]}]"
                raise located.error(("inventory", table, i, "name"), f"the name {show(name)} is used twice (also at "
                                    f"inventory.{where}), expected each service and system to have its own name")
            first[key] = (table, i)


@dataclass(frozen=True)
class AnswersDoc:
    """An answers file in full: its title, the answers the user gave, and the system inventory."""

    title: str | None
    answers: dict[str, AnswerValue]
    inventory: Inventory | None = None


def load_answers_doc(kb: KnowledgeBase, path: Path | str) -> AnswersDoc:
    return parse_answers_doc(kb, read_file(path))


def parse_answers_doc_bytes(kb: KnowledgeBase, raw: bytes, name: str) -> AnswersDoc:
    return parse_answers_doc(kb, parse_bytes(raw, name, max_bytes=200_000))


def parse_answers_doc(kb: KnowledgeBase, located: Located) -> AnswersDoc:
    """Answers YAML with an optional `inventory:` -> validated title, answers and inventory.

    An answer that the inventory also implies must agree with it: two different service counts in one
    file would leave the reader unsure which one the report used.
    """
    if isinstance(located.data, dict) and "inventory" in located.data and located.data["inventory"] is None:
        located.data["inventory"] = {}
    _unique_names(located)
    title, answers = parse_answers(kb, located)
    raw = located.data.get("inventory") if isinstance(located.data, dict) else None
    inventory = Inventory.model_validate(raw) if raw is not None else None
    for qid, value in kb.derived_from(inventory).items():
        given = answers.get(qid)
        if given is not None and given != value:
            raise located.error(("answers", qid), f"{show(given)} disagrees with the inventory, which gives "
                                                  f"{show(value)} ({DERIVATIONS[kb.questions[qid].derive or ''].says}); "
                                                  "expected to leave this answer out or to match")
    return AnswersDoc(title, answers, inventory)


# --------------------------------------------------------------------------- knowledge base


def load_kb(root: Path | str = DEFAULT_ROOT) -> KnowledgeBase:
    """Load and cross-check everything; raise KnowledgeBaseError listing every problem."""
    root = Path(root)
    errors: list[AdvisorError] = []
    sources: dict[str, Located] = {}
    where: dict[str, tuple[str, Loc]] = {}

    def files(sub: str) -> list[Path]:
        folder = root / sub
        try:
            names = os.listdir(folder)
        except OSError as exc:
            missing = exc.errno in (errno.ENOENT, errno.ENOTDIR)
            problem = "folder missing" if missing else f"cannot list folder ({os_problem(exc)})"
            errors.append(AdvisorError(str(folder), None, None, "", f"{problem}, expected YAML files here"))
            return []
        # .yml is as common as .yaml: a file saved either way is read, never skipped in silence.
        return sorted(folder / n for n in names if n.endswith((".yaml", ".yml")) and not n.startswith("."))

    def parse(path: Path, model: type[BaseModel]) -> Any:
        rel = _rel(path, root)
        try:
            located = read_file(path)
        except AdvisorError as exc:
            exc.path = rel
            errors.append(AdvisorError(rel, exc.line, exc.col, exc.field, exc.message))
            return None
        located.path = rel
        sources[rel] = located
        parsed, errs = _parse_model(located, model)
        errors.extend(errs)
        return parsed

    sections: list[Section] = []
    questions: dict[str, Question] = {}
    section_of: dict[str, str] = {}
    for path in files("questions"):
        qf = parse(path, QuestionFile)
        if qf is None:
            continue
        rel = _rel(path, root)
        if any(s.id == qf.section.id for s in sections):
            errors.append(sources[rel].error(("section", "id"), f"duplicate section id {qf.section.id!r}, expected a unique id"))
        sections.append(qf.section)
        for i, q in enumerate(qf.questions):
            key = f"question:{q.id}"
            if q.id in questions:
                errors.append(sources[rel].error(("questions", i, "id"), f"duplicate question id {q.id!r}, expected a unique id"))
                continue
            where[key] = (rel, ("questions", i))
            questions[q.id] = q
            section_of[q.id] = qf.section.id

    patterns: dict[str, Pattern] = {}
    items: dict[str, tuple[str, ChecklistItem]] = {}
    for path in files("patterns"):
        p = parse(path, Pattern)
        if p is None:
            continue
        rel = _rel(path, root)
        if p.id != path.stem:
            errors.append(sources[rel].error(("id",), f"id {p.id!r} differs from the file name, expected {path.stem!r}"))
        if p.id in patterns:
            errors.append(sources[rel].error(("id",), f"duplicate pattern id {p.id!r}, expected a unique id"))
            continue
        where[f"pattern:{p.id}"] = (rel, ())
        patterns[p.id] = p
        for i, item in enumerate(p.checklist):
            if item.id in items:
                message = f"duplicate checklist item id {item.id!r} (also in {items[item.id][0]}), expected a unique id"
                errors.append(sources[rel].error(("checklist", i, "id"), message))
                continue
            items[item.id] = (p.id, item)
            where[f"item:{item.id}"] = (rel, ("checklist", i))

    rules: list[Rule] = []
    seen_rules: set[str] = set()
    conditions: dict[str, NamedCondition] = {}
    for path in files("rules"):
        rf = parse(path, RuleFile)
        if rf is None:
            continue
        rel = _rel(path, root)
        for i, named in enumerate(rf.conditions):
            if named.id in conditions:
                errors.append(sources[rel].error(("conditions", i, "id"),
                                                 f"duplicate condition id {named.id!r}, expected a unique id"))
                continue
            where[f"condition:{named.id}"] = (rel, ("conditions", i))
            conditions[named.id] = named
        for i, rule in enumerate(rf.rules):
            if rule.id in seen_rules:
                errors.append(sources[rel].error(("rules", i, "id"), f"duplicate rule id {rule.id!r}, expected a unique id"))
                continue
            seen_rules.add(rule.id)
            where[f"rule:{rule.id}"] = (rel, ("rules", i))
            rules.append(rule)

    kb = KnowledgeBase(root, sections, questions, section_of, rules, patterns, items, sources, where, conditions)
    if not errors:
        errors.extend(cross_check(kb))
    if errors:
        raise KnowledgeBaseError(errors)
    # Named conditions are written into each rule once checked, so the engine, the explanations and
    # the what-if analysis see plain comparisons and need not know that names exist.
    kb.condition_users = {cid: [r.id for r in rules if cid in names_in(r.when)] for cid in conditions}
    kb.rules = [r.model_copy(update={"when": expand(r.when, conditions)}) for r in rules]
    return kb


def names_in(cond: Condition) -> set[str]:
    """The named conditions a condition tree refers to."""
    if cond.condition is not None:
        return {cond.condition}
    return {n for child in cond.children() for n in names_in(child)}


def expand(cond: Condition, named: Mapping[str, NamedCondition]) -> Condition:
    """The condition with every `condition: <id>` replaced by that named condition's tree."""
    if cond.condition is not None:
        return named[cond.condition].when
    if cond.question is not None:
        return cond
    if cond.not_ is not None:
        return cond.model_copy(update={"not_": expand(cond.not_, named)})
    group = "all" if cond.all is not None else "any"
    return cond.model_copy(update={group: [expand(c, named) for c in cond.children()]})


def _rel(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)


def cross_check(kb: KnowledgeBase) -> list[AdvisorError]:
    """References between files: question ids, option values, pattern and checklist ids."""
    errors: list[AdvisorError] = []
    order = list(kb.questions)

    for qid, q in kb.questions.items():
        key = f"question:{qid}"
        if q.show_if is not None:
            earlier = set(order[: order.index(qid)])
            errors += check_condition(kb, q.show_if, key, ("show_if",), allowed=earlier, refs="none")
        for i, opt in enumerate(q.options):
            if opt.value in RESERVED_OPTION_VALUES:
                errors.append(kb.error(key, f"option value {opt.value!r} reads as a YAML boolean, expected another word",
                                       "options", i, "value"))
        if q.default is not None:
            _, problem = check_answer(q, q.default)
            if problem:
                errors.append(kb.error(key, f"default {problem}", "default"))
        for i, opt in enumerate(q.options):
            if opt.pattern is not None and opt.pattern not in kb.patterns:
                errors.append(kb.error(key, _unknown_pattern(kb, opt.pattern), "options", i, "pattern"))
        if q.role == "proposals" and q.type != "multi":
            errors.append(kb.error(key, "the proposals question must be type: multi", "type"))
        if q.derive is not None:
            errors += _check_derive(kb, key, q)
    for role in typing.get_args(QuestionRole):
        holders = [qid for qid, q in kb.questions.items() if q.role == role]
        if len(holders) > 1:
            errors.append(kb.error(f"question:{holders[1]}", f"role {role!r} is also on {holders[0]!r}, expected one question",
                                   "role"))
    proposal_values = set(kb.proposals_question().option_values()) if kb.proposals_question() else set()

    for pid, p in kb.patterns.items():
        for i, rel in enumerate(p.related):
            if rel not in kb.patterns:
                message = f"unknown pattern id {rel!r}, expected one of the files in patterns/"
                errors.append(kb.error(f"pattern:{pid}", message, "related", i))
        for fld in ("requires", "pairs_with", "includes"):
            for i, link in enumerate(getattr(p, fld)):
                if link.pattern not in kb.patterns or link.pattern == pid:
                    problem = "a pattern cannot require itself" if link.pattern == pid else _unknown_pattern(kb, link.pattern)
                    errors.append(kb.error(f"pattern:{pid}", problem, fld, i, "pattern"))
                for j, other in enumerate(link.or_else):
                    if other not in kb.patterns or other == pid:
                        problem = "a pattern cannot require itself" if other == pid else _unknown_pattern(kb, other)
                        errors.append(kb.error(f"pattern:{pid}", problem, fld, i, "or_else", j))

    for cid, named in kb.conditions.items():
        errors += check_condition(kb, named.when, f"condition:{cid}", ("when",), allowed=set(order), refs="none")
    for rule in kb.rules:
        key = f"rule:{rule.id}"
        errors += check_condition(kb, rule.when, key, ("when",), allowed=set(order), refs="named")
        for i, rec in enumerate(rule.then.recommend):
            if rec.pattern not in kb.patterns:
                errors.append(kb.error(key, _unknown_pattern(kb, rec.pattern), "then", "recommend", i, "pattern"))
            elif rec.without_kafka and not kb.patterns[rec.pattern].any_transport:
                errors.append(kb.error(key, f"pattern {rec.pattern!r} needs Kafka, so it cannot be kept without it, "
                                       "expected a pattern with any_transport: true", "then", "recommend", i,
                                       "without_kafka"))
        for i, dis in enumerate(rule.then.discourage):
            if dis.pattern not in kb.patterns:
                errors.append(kb.error(key, _unknown_pattern(kb, dis.pattern), "then", "discourage", i, "pattern"))
        for i, j in enumerate(rule.then.judge):
            if j.proposal not in proposal_values:
                errors.append(kb.error(key, f"unknown proposal {j.proposal!r}, expected an option of the proposals question",
                                       "then", "judge", i, "proposal"))
        for i, item in enumerate(rule.then.checklist):
            if item not in kb.items:
                errors.append(kb.error(key, f"unknown checklist item {item!r}, expected an item id from a pattern's checklist",
                                       "then", "checklist", i))
        names = [e.name for e in rule.examples]
        for i, ex in enumerate(rule.examples):
            if names.count(ex.name) > 1:
                errors.append(kb.error(key, f"duplicate example name {ex.name!r}, expected unique names", "examples", i, "name"))
            try:
                path, loc = kb.where[key]
                validate_answers(kb, ex.answers, source=kb.sources[path], base=(*loc, "examples", i, "answers"))
            except AdvisorError as exc:
                errors.append(exc)
            exp = ex.expect
            for fld in ("recommended", "not_recommended", "discouraged", "not_discouraged", "cautioned"):
                for j, pid in enumerate(getattr(exp, fld)):
                    if pid not in kb.patterns:
                        errors.append(kb.error(key, _unknown_pattern(kb, pid), "examples", i, "expect", fld, j))
            for pid in exp.tiers:
                if pid not in kb.patterns:
                    errors.append(kb.error(key, _unknown_pattern(kb, pid), "examples", i, "expect", "tiers", pid))
            for value in exp.judged:
                if value not in proposal_values:
                    errors.append(kb.error(key, f"unknown proposal {value!r}, expected an option of the proposals question",
                                           "examples", i, "expect", "judged", value))
            for j, item in enumerate(exp.checklist):
                if item not in kb.items:
                    errors.append(kb.error(key, f"unknown checklist item {item!r}", "examples", i, "expect", "checklist", j))
    return errors


def _check_derive(kb: KnowledgeBase, key: str, q: Question) -> list[AdvisorError]:
    """A derived answer must fit its question: the same type, and every value it can yield an option."""
    d = DERIVATIONS[q.derive or ""]
    if q.type != d.question_type:
        return [kb.error(key, f"derive {q.derive!r} yields a {d.question_type} answer, expected the question to be "
                              f"type: {d.question_type}", "derive")]
    missing = [v for v in d.values if v not in q.option_values()]
    if missing:
        return [kb.error(key, f"derive {q.derive!r} can yield {', '.join(missing)}, expected those among the "
                              "question's options", "derive")]
    return []


def _unknown_pattern(kb: KnowledgeBase, pid: str) -> str:
    close = [p for p in kb.patterns if p.split("-")[0] == pid.split("-")[0]]
    hint = f" (did you mean {', '.join(close)}?)" if close else ""
    return f"unknown pattern id {pid!r}{hint}, expected a file name in patterns/"


_TYPE_OPS: dict[str, set[str]] = {
    "single": {"equals", "not_equals", "in_", "answered"},
    "bool": {"equals", "not_equals", "answered"},
    "multi": {"contains", "contains_any", "answered"},
    "number": {"equals", "not_equals", "in_", "gt", "gte", "lt", "lte", "answered"},
    "text": {"equals", "not_equals", "answered"},
}


def check_condition(kb: KnowledgeBase, cond: Condition, key: str, loc: Loc, *, allowed: set[str],
                    refs: Literal["named", "none"]) -> list[AdvisorError]:
    """Errors in a condition tree; `refs` says whether it may name a shared condition (rules may;
    show_if and named conditions themselves may not, so names never nest)."""
    errors: list[AdvisorError] = []
    if cond.condition is not None:
        if refs == "none":
            where_ = "a named condition" if key.startswith("condition:") else "show_if"
            return [kb.error(key, f"{where_} cannot name condition {cond.condition!r}, expected comparisons on questions",
                             *loc, "condition")]
        if cond.condition not in kb.conditions:
            known = ", ".join(sorted(kb.conditions)) or "none defined"
            return [kb.error(key, f"unknown condition {cond.condition!r}, expected one from a rule file's conditions: "
                                  f"({known})", *loc, "condition")]
        return []
    if cond.question is None:
        for name, child_loc in _child_locs(cond, loc):
            errors += check_condition(kb, name, key, child_loc, allowed=allowed, refs=refs)
        return errors
    q = kb.questions.get(cond.question)
    if q is None:
        return [kb.error(key, f"unknown question id {cond.question!r}, expected an id from questions/", *loc, "question")]
    if cond.question not in allowed:
        return [kb.error(key, f"question {cond.question!r} comes later in the questionnaire, expected an earlier question",
                         *loc, "question")]
    op = cond.operator
    op_name = op.rstrip("_")
    if op not in _TYPE_OPS[q.type]:
        ok = ", ".join(sorted(o.rstrip("_") for o in _TYPE_OPS[q.type]))
        return [kb.error(key, f"'{op_name}' does not apply to {q.type} question {q.id!r}, expected one of: {ok}", *loc, op_name)]
    values = cond.operand if isinstance(cond.operand, list) else [cond.operand]
    if op == "answered":
        return []
    for v in values:
        if q.type in ("single", "multi") and v not in q.option_values():
            errors.append(kb.error(key, f"{v!r} is not an option of {q.id!r}, expected one of: {', '.join(q.option_values())}",
                                   *loc, op_name))
        elif q.type == "bool" and not (isinstance(v, bool) or (q.unsure and v == UNSURE)):
            if v == UNSURE:
                message = f"'unsure' compared with yes/no question {q.id!r}, which offers no Not sure, " \
                          "expected true or false (or `unsure: true` on the question)"
            else:
                message = f"{v!r} compared with yes/no question {q.id!r}, expected {bool_choices(q)}"
            errors.append(kb.error(key, message, *loc, op_name))
        elif q.type == "number" and (isinstance(v, bool) or not isinstance(v, int | float)):
            errors.append(kb.error(key, f"{v!r} compared with number question {q.id!r}, expected a number", *loc, op_name))
    return errors


def _child_locs(cond: Condition, loc: Loc) -> list[tuple[Condition, Loc]]:
    if cond.all is not None:
        return [(c, (*loc, "all", i)) for i, c in enumerate(cond.all)]
    if cond.any is not None:
        return [(c, (*loc, "any", i)) for i, c in enumerate(cond.any)]
    assert cond.not_ is not None
    return [(cond.not_, (*loc, "not"))]


def answers_yaml(title: str | None, answers: dict[str, AnswerValue], inventory: Inventory | None = None) -> str:
    """The answers file format that `load_answers_file` (and, with an inventory, `load_answers_doc`) reads
    back (round-trip safe). Leave out the answers the inventory implies: a file whose answers disagree
    with its inventory is refused."""
    import yaml

    from .inventory import to_data

    doc: dict[str, Any] = {}
    if title:
        doc["title"] = title
    doc["answers"] = dict(answers)
    if inventory is not None and not inventory.is_empty():
        doc["inventory"] = to_data(inventory)
    return yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=100)
