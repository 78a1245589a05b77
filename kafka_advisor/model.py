"""Pydantic models for the knowledge base (questions, rules, patterns) and the Report.

Every model forbids unknown keys, so a misspelled YAML key fails loudly at load time
instead of being silently ignored.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)

from .chapter import SECTIONS
from .inventory import DerivationName, Inventory

Severity = Literal["low", "medium", "high"]
VerdictLevel = Literal["good-fit", "fit-with-caveats", "poor-fit"]
QuestionType = Literal["single", "multi", "bool", "number", "text"]
# Code that needs a particular question finds it by role, never by id.
QuestionRole = Literal["system-name", "proposals", "goals", "kafka-version", "event-volume", "retention", "ordering"]
# The inventory parts a checklist item can be done for one by one.
ItemScope = Literal["service", "producer-database", "capturable-database", "event", "sink", "source"]
# core: shapes this system's architecture; baseline: always-on hygiene; later: worth it when a trigger is met.
Tier = Literal["core", "baseline", "later"]
TIER_RANK: dict[str, int] = {"core": 0, "baseline": 1, "later": 2}
Judgement = Literal["endorse", "conditions", "warn"]
JUDGEMENT_RANK: dict[str, int] = {"warn": 0, "conditions": 1, "endorse": 2}
# In the order the verdict lists them: who runs it and what it costs first.
RiskKind = Literal["operations", "cost", "data-loss", "data-integrity", "compliance", "skills", "complexity", "latency"]
NodeKind = Literal[
    "service",
    "topic",
    "connector",
    "database",
    "stream-processor",
    "schema-registry",
    "object-storage",
    "external",
]
# Where a config key lives. Apache Kafka scopes are checked against the official name lists;
# the others (Debezium, JDBC connector, Schema Registry serdes) are third-party namespaces.
ConfigScope = Literal[
    "producer",
    "consumer",
    "topic",
    "broker",
    "admin",
    "streams",
    "connect_worker",
    "source_connector",
    "sink_connector",
    "debezium",
    "jdbc_source",
    "jdbc_sink",
    "schema_registry",
]

SEVERITY_RANK: dict[str, int] = {"high": 0, "medium": 1, "low": 2}
LEVEL_RANK: dict[str, int] = {"good-fit": 0, "fit-with-caveats": 1, "poor-fit": 2}

Id = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9-]*$", max_length=80)]
QuestionId = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=80)]
Text = Annotated[str, StringConstraints(min_length=1, strip_whitespace=True)]
Scalar = bool | int | float | str
AnswerValue = bool | int | float | str | list[str]
ConfigValue = bool | int | float | str
# The answer of a bool question with `unsure: true` whose answerer does not know (and of "Not sure" options).
UNSURE = "unsure"


def _check_ref(ref: str) -> str:
    if ref not in SECTIONS:
        known = ", ".join(s for s in SECTIONS if s.count(".") == 2)
        raise ValueError(f"unknown chapter section {ref!r}, expected one of {known} (or 7.1 .. 7.4)")
    return ref


Ref = Annotated[
    str,
    AfterValidator(_check_ref),
    Field(description="chapter section such as 7.4.1", json_schema_extra={"enum": list(SECTIONS)}),
]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


# --------------------------------------------------------------------------- questionnaire


class Option(Strict):
    value: Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]*$")]
    label: Text
    help: str | None = None
    pattern: Id | None = Field(default=None, description="the pattern this option proposes (proposals question)")
    hosting: Literal["managed", "self-managed"] | None = Field(
        default=None, description="choosing this option says who runs Kafka: the decision record follows it")


class Condition(Strict):
    """A condition tree: exactly one of all / any / not, one comparison on a question, or (in a rule)
    `condition: <id>`, a named condition from a rule file's `conditions:` list.

    A comparison on an unanswered question is false; `answered: false` tests for that.
    """

    all: list[Condition] | None = None
    any: list[Condition] | None = None
    not_: Condition | None = Field(default=None, alias="not")
    question: QuestionId | None = None
    equals: Scalar | None = None
    not_equals: Scalar | None = None
    in_: list[Scalar] | None = Field(default=None, alias="in")
    contains: str | None = None
    contains_any: list[str] | None = None
    gt: float | None = None
    gte: float | None = None
    lt: float | None = None
    lte: float | None = None
    answered: bool | None = None
    condition: Id | None = Field(default=None, description="a named condition (rules only), written once and shared")

    @model_validator(mode="after")
    def _one_form(self) -> Condition:
        groups = [k for k in ("all", "any", "not_") if getattr(self, k) is not None]
        ops = [k for k in OPERATORS if getattr(self, k) is not None]
        if self.condition is not None:
            if groups or ops or self.question is not None:
                raise ValueError("'condition' names a whole condition, expected it alone (no group, question or operator)")
            return self
        if groups and (ops or self.question is not None):
            raise ValueError("mix of a group (all/any/not) and a comparison, expected exactly one of them")
        if len(groups) > 1:
            raise ValueError(f"several groups {groups}, expected exactly one of all / any / not")
        if groups:
            children = getattr(self, groups[0])
            if isinstance(children, list) and not children:
                raise ValueError(f"empty '{groups[0]}' list, expected at least one condition")
            return self
        if self.question is None:
            raise ValueError("empty condition, expected all / any / not, 'question' with one operator, or 'condition'")
        if len(ops) != 1:
            names = ", ".join(o.rstrip("_") for o in OPERATORS)
            raise ValueError(f"comparison needs exactly one operator ({names}), got {len(ops)}")
        return self

    @property
    def operator(self) -> str:
        return next(k for k in OPERATORS if getattr(self, k) is not None)

    @property
    def operand(self) -> Any:
        return getattr(self, self.operator)

    def questions(self) -> set[str]:
        """Every question id this condition reads."""
        if self.question is not None:
            return {self.question}
        out: set[str] = set()
        for child in self.children():
            out |= child.questions()
        return out

    def children(self) -> list[Condition]:
        if self.all is not None:
            return self.all
        if self.any is not None:
            return self.any
        if self.not_ is not None:
            return [self.not_]
        return []

    def comparisons(self) -> list[Condition]:
        if self.question is not None:
            return [self]
        return [c for child in self.children() for c in child.comparisons()]


OPERATORS: tuple[str, ...] = (
    "equals",
    "not_equals",
    "in_",
    "contains",
    "contains_any",
    "gt",
    "gte",
    "lt",
    "lte",
    "answered",
)


class Question(Strict):
    id: QuestionId
    text: Text
    help: Text
    type: QuestionType
    options: list[Option] = []
    default: AnswerValue | None = None
    show_if: Condition | None = None
    min: float | None = None
    max: float | None = None
    unit: str | None = None
    placeholder: str | None = None
    max_length: int = Field(default=200, ge=1, le=10_000)
    refs: list[Ref] = []
    role: QuestionRole | None = Field(default=None, description="what code finds this question by")
    fact: bool = Field(default=False, description="a fact about the system (how many teams), not a choice the "
                                                  "user makes: what-if offers it apart from the choices")
    unsure: bool = Field(default=False, description='bool only: also offer "Not sure" (the answer value `unsure`)')
    derive: DerivationName | None = Field(default=None, description="answered from the system inventory when "
                                                                     "the user gives one (see inventory.py)")

    @field_validator("unsure")
    @classmethod
    def _unsure_on_bool(cls, value: bool, info: ValidationInfo) -> bool:
        kind = info.data.get("type")
        if value and kind is not None and kind != "bool":
            raise ValueError(f"'unsure: true' applies only to bool questions, got it on a {kind} question, "
                             "expected type: bool (single questions offer an option with value: unsure instead)")
        return value

    @model_validator(mode="after")
    def _shape(self) -> Question:
        if self.type in ("single", "multi") and len(self.options) < 2:
            raise ValueError(f"a {self.type} question needs at least two options")
        if self.type not in ("single", "multi") and self.options:
            raise ValueError(f"a {self.type} question takes no options, expected options only on single/multi")
        if self.type != "number" and (self.min is not None or self.max is not None):
            raise ValueError("min/max only apply to number questions")
        values = [o.value for o in self.options]
        dupes = sorted({v for v in values if values.count(v) > 1})
        if dupes:
            raise ValueError(f"duplicate option values {dupes}")
        return self

    def option_values(self) -> list[str]:
        return [o.value for o in self.options]

    def bool_values(self) -> list[bool | str]:
        """The answers a bool question accepts: true and false, and "unsure" when it offers Not sure."""
        return [True, False, UNSURE] if self.unsure else [True, False]

    def label_of(self, value: str) -> str:
        for o in self.options:
            if o.value == value:
                return o.label
        return value


class Section(Strict):
    id: Id
    title: Text
    help: Text


class QuestionFile(Strict):
    section: Section
    questions: list[Question]


# --------------------------------------------------------------------------- patterns


class ChecklistItem(Strict):
    id: Id
    text: Text
    severity: Severity
    why: str | None = None
    config: dict[ConfigScope, dict[str, ConfigValue]] = {}
    # Defaults the text relies on, checked against the Kafka 3.9 defaults table by the tests.
    defaults: dict[ConfigScope, dict[str, ConfigValue]] = {}
    refs: list[Ref] = Field(min_length=1)
    sources: list[str] = []
    # With an inventory, the item names the parts it is done once for (each service database, each sink).
    each: ItemScope | None = None
    # Only where a rule's answers call for it (a library's own defaults), not with every use of the pattern.
    on_request: bool = False



class Tradeoffs(Strict):
    pros: list[Text] = Field(min_length=1)
    cons: list[Text] = Field(min_length=1)


class DiagramNode(Strict):
    id: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$")]
    kind: NodeKind
    label: Text
    # Nodes with the same group are drawn together (a Kafka cluster, Connect workers, a domain).
    group: str | None = None


class DiagramEdge(Strict):
    from_: str = Field(alias="from")
    to: str
    label: str = ""
    style: Literal["solid", "dashed"] = "solid"


class Diagram(Strict):
    nodes: list[DiagramNode] = Field(min_length=1)
    edges: list[DiagramEdge] = []

    @model_validator(mode="after")
    def _edges_known(self) -> Diagram:
        ids = {n.id for n in self.nodes}
        for e in self.edges:
            for end in (e.from_, e.to):
                if end not in ids:
                    raise ValueError(f"edge end {end!r} is not a node of this diagram, expected one of {sorted(ids)}")
        return self


class Link(Strict):
    pattern: Id
    because: Text
    or_else: list[Id] = Field(default=[], description="parts that do the same job when `pattern` is ruled out")


class Pattern(Strict):
    id: Id
    name: Text
    section: Ref
    summary: Text
    tier: Tier = Field(default="core", description="the tier when a recommending rule names none")
    requires: list[Link] = Field(default=[], description="parts recommended with this pattern, with the reason")
    pairs_with: list[Link] = Field(default=[], description="patterns shown beside this one; not recommended by it")
    includes: list[Link] = Field(default=[], description="patterns this one already contains: recommended "
                                 "together, the included one is named inside this one instead of listed again")
    any_transport: bool = Field(default=False, description="an idea that holds without Kafka (an outbox, domain "
                                "ownership): a poor fit neither recommends nor discourages it unless proposed")
    if_proposed: Judgement = Field(default="warn", description="the judgement when the user proposes this "
                                   "pattern and no rule recommends or discourages it")
    helps_when: list[Text] = Field(min_length=1)
    hurts_when: list[Text] = Field(min_length=1)
    tradeoffs: Tradeoffs
    checklist: list[ChecklistItem] = []
    diagram: Diagram
    related: list[Id] = []
    alternatives: list[Text] = []
    refs: list[Ref] = Field(min_length=1)
    sources: list[str] = []




# --------------------------------------------------------------------------- rules


class Recommend(Strict):
    pattern: Id
    weight: int = Field(ge=1, le=100)
    tier: Tier | None = None
    trigger: Text | None = Field(default=None, description="for tier later: when it becomes worth it")
    without_kafka: bool = Field(default=False, description="the advice holds without Kafka: kept when the verdict "
                                "is a poor fit, as part of what to do instead (only for an any_transport pattern)")

    @model_validator(mode="after")
    def _trigger(self) -> Recommend:
        if (self.tier == "later") != (self.trigger is not None):
            raise ValueError("tier: later needs a trigger (when it becomes worth it), and only later takes one")
        return self


class Judge(Strict):
    """A rule's judgement on something the user proposed or already runs."""

    proposal: Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]*$")]
    judgement: Judgement
    alternative: Text | None = None
    conditions: list[Text] = []

    @model_validator(mode="after")
    def _complete(self) -> Judge:
        if self.judgement == "warn" and not self.alternative:
            raise ValueError("judgement: warn needs an alternative")
        if self.judgement == "conditions" and not self.conditions:
            raise ValueError("judgement: conditions needs conditions")
        return self


class Risk(Strict):
    kind: RiskKind
    text: Text


class Discourage(Strict):
    pattern: Id
    severity: Severity
    alternative: Text


class Fit(Strict):
    """A rule's judgement on Kafka for the whole system: caps the verdict level."""

    level: Literal["good-fit", "fit-with-caveats", "poor-fit"]  # good-fit: a reason to adopt; caps nothing
    alternative: str | None = None


class Effects(Strict):
    recommend: list[Recommend] = []
    discourage: list[Discourage] = []
    checklist: list[Id] = []
    notes: list[Text] = []
    fit: Fit | None = None
    judge: list[Judge] = []
    risks: list[Risk] = []

    @model_validator(mode="after")
    def _not_empty(self) -> Effects:
        if not (self.recommend or self.discourage or self.checklist or self.notes or self.fit or self.judge
                or self.risks):
            raise ValueError("no effect, expected at least one of recommend, discourage, checklist, notes, fit, "
                             "judge, risks")
        return self


class Expect(Strict):
    fires: bool
    verdict: VerdictLevel | None = None
    recommended: list[Id] = []
    not_recommended: list[Id] = []
    discouraged: list[Id] = []
    not_discouraged: list[Id] = []
    cautioned: list[Id] = Field(default=[], description="recommended, with a caution on how to apply it")
    checklist: list[Id] = []
    tiers: dict[Id, Tier] = {}
    judged: dict[str, Judgement] = Field(default={}, description="proposal -> expected judgement")


class Example(Strict):
    name: Annotated[str, StringConstraints(pattern=r"^[a-z0-9_]+$")]
    answers: dict[QuestionId, AnswerValue] = {}
    expect: Expect


class Rule(Strict):
    id: Id
    title: Text
    when: Condition
    then: Effects
    because: Text
    refs: list[Ref] = Field(min_length=1)
    sources: list[str] = []
    examples: list[Example] = Field(min_length=2)



class NamedCondition(Strict):
    """A condition several rules share, so it is written (and corrected) once. It compares answers
    only: it cannot name another condition, which keeps expansion linear and free of cycles."""

    id: Id
    title: Text
    when: Condition


class RuleFile(Strict):
    conditions: list[NamedCondition] = []
    rules: list[Rule] = []


class AnswersFile(Strict):
    title: str | None = Field(default=None, max_length=200)
    answers: dict[str, Any] = {}
    inventory: Inventory | None = None


# --------------------------------------------------------------------------- report


@dataclass(frozen=True, slots=True)
class Reason:
    """Why a rule fired. A plain dataclass, not a model: evaluation builds one per fired rule, and
    large rule sets fire thousands (pydantic still validates and serialises it inside the Report)."""

    rule: str
    title: str
    because: str
    answers: dict[str, AnswerValue]
    refs: list[str]


DECISIONS: dict[str, str] = {"good-fit": "adopt", "fit-with-caveats": "adopt-with-caveats", "poor-fit": "do-not-adopt"}


class RiskItem(Strict):
    kind: RiskKind
    text: str
    rule: str
    refs: list[str]


class Verdict(Strict):
    level: VerdictLevel
    summary: str
    decision: Literal["adopt", "adopt-with-caveats", "do-not-adopt"] = "adopt"
    core: list[str] = []  # the core patterns' ids, in rank order
    risks: list[RiskItem] = []  # operations and cost first
    alternatives: list[str]  # every alternative: the two lists below, in that order
    reasons: list[Reason] = []  # the verdict's level first: a poor fit's reasons, then a caveat's, then a good fit's
    outweighed: list[Reason] = []  # under a poor fit: the good-fit reasons it outweighs (empty otherwise)
    system_alternatives: list[str] = []  # instead of Kafka for the whole system (from `fit` effects)
    # Who runs the cluster: from an answer whose option declares `hosting`, else "managed" when an operations
    # risk was raised, else None (either is viable).
    hosting: Literal["managed", "self-managed"] | None = None
    part_alternatives: list[str] = []  # "<pattern>: <alternative>" for medium/high discouragements

    def alternative_groups(self) -> list[tuple[str, list[str]]]:
        """The non-empty alternative lists under the headings every view shows them with. A caveat's
        `fit` alternative is the condition Kafka is adopted on, not a replacement for it."""
        system = "Instead of Kafka" if self.level == "poor-fit" else "Adopt Kafka only with"
        groups = [(system, self.system_alternatives), ("For parts of the system", self.part_alternatives)]
        return [(heading, alts) for heading, alts in groups if alts]


class Recommendation(Strict):
    pattern: str
    name: str
    score: int
    reasons: list[Reason]
    tier: Tier = "core"
    trigger: str | None = None  # tier later: when it becomes worth it
    meanwhile: str | None = None  # tier later: what to do until then (a low warning against it, as advice)
    caution: str | None = None  # how to apply it with care: a warning short of "high" on a chosen pattern
    caution_severity: Severity | None = None
    caution_reasons: list[Reason] = []  # the rules behind the caution
    required_by: list[str] = []  # patterns that brought this one in (`requires`)
    pairs_with: list[str] = []
    includes: list[str] = []  # patterns this one contains (`includes`), named inside it instead of listed


class ProposalJudgement(Strict):
    proposal: str
    label: str
    pattern: str | None = None
    judgement: Judgement
    alternative: str | None = None
    conditions: list[str] = []
    reasons: list[Reason] = []


class Discouragement(Strict):
    pattern: str
    name: str
    severity: Severity
    alternative: str
    reasons: list[Reason]


class ReportItem(Strict):
    id: str
    pattern: str
    text: str
    severity: Severity
    why: str | None = None
    config: dict[str, dict[str, ConfigValue]]
    refs: list[str]
    phase: Literal["first", "later"] = "first"
    applies_to: list[str] = []  # inventory parts the item is done for, one by one (see ChecklistItem.each)


class Note(Strict):
    rule: str
    text: str
    refs: list[str]
    pattern: str | None = None  # the recommended or discouraged pattern it explains; None: the verdict


class WhatIf(Strict):
    question: str
    from_: AnswerValue | None = Field(alias="from")
    to: AnswerValue | None
    effect: str
    verdict: VerdictLevel | None = None
    added: list[str] = []
    removed: list[str] = []
    # The same change as data, so no view has to read `effect` back.
    fact: bool = False  # the changed answer is a fact about the system, not a choice
    recommends: list[str] = []
    no_longer_recommends: list[str] = []
    discourages: list[str] = []
    no_longer_discourages: list[str] = []
    cautions: list[str] = []  # recommended patterns that gain a caution on how to apply them
    no_longer_cautions: list[str] = []


def _named(recs: list[Recommendation], tiers: tuple[Tier, ...]) -> list[str]:
    """Pattern ids of these recommendations in these tiers, each followed by those named inside it."""
    return [p for r in recs if r.tier in tiers for p in (r.pattern, *r.includes)]


class Report(Strict):
    verdict: Verdict
    recommended: list[Recommendation]
    discouraged: list[Discouragement]
    checklist: list[ReportItem]
    proposals: list[ProposalJudgement] = []
    notes: list[Note]
    unanswered: list[str]
    what_if: list[WhatIf] = []
    fired: list[str] = []
    answers: dict[str, AnswerValue] = {}
    inventory: Inventory | None = None
    derived: list[str] = []  # answers that came from the inventory, not from the user

    def chosen(self, tiers: tuple[Tier, ...] = ("core", "baseline", "later")) -> list[str]:
        """Recommended pattern ids in these tiers, each followed by those named inside it (`includes`): a
        sink's dead letter queue is as chosen as the sink, though it has no card of its own."""
        return _named(self.recommended, tiers)

    @property
    def kafka_recommended(self) -> list[Recommendation]:
        """What to build on Kafka: the recommendations, or none under a poor fit, whose kept ideas
        (`without_kafka`) hold without it. Diagrams, configs, sizing and the audit read this."""
        return [] if self.verdict.level == "poor-fit" else self.recommended

    def kafka_chosen(self, tiers: tuple[Tier, ...] = ("core", "baseline", "later")) -> list[str]:
        """`chosen()` for what is built on Kafka (see `kafka_recommended`)."""
        return _named(self.kafka_recommended, tiers)

    def to_json(self) -> dict[str, Any]:
        """The stable JSON shape documented in the README."""
        return self.model_dump(mode="json", by_alias=True)
