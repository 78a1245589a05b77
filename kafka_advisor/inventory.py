"""The user's own system: services, their databases and events, and the systems outside Kafka.

An inventory is optional. When it is given, the answers it already implies (how many services and
teams, which integrations, whether log-based capture is possible) are derived from it instead of
being asked again; the questions that can be derived say so with `derive:` in the questionnaire
YAML, so no code here knows a question id.

A derivation returns None when the inventory does not tell (no team filled in, no external system
listed): the question is then asked as before.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

# The derivations a question may declare with `derive:`.
DerivationName = Literal["service-count", "team-count", "domain-count", "integrations", "db-log-access",
                         "source-db-kind"]
AnswerValue = int | str | list[str]  # what a derivation yields (a subset of model.AnswerValue)

DbKind = Literal["postgresql", "mysql", "sqlserver", "oracle", "mongodb", "other", "none"]
LogCapture = Literal["yes", "no", "unsure"]
ExternalKind = Literal["warehouse", "lake", "search", "cache", "database", "saas", "files", "other"]
Direction = Literal["source", "sink", "both"]

DB_LABELS: dict[str, str] = {"postgresql": "PostgreSQL", "mysql": "MySQL", "sqlserver": "SQL Server",
                             "oracle": "Oracle", "mongodb": "MongoDB", "other": "database", "none": "no database"}
EXTERNAL_LABELS: dict[str, str] = {"warehouse": "warehouse", "lake": "data lake", "search": "search index",
                                   "cache": "cache", "database": "database", "saas": "SaaS tool",
                                   "files": "files", "other": "system"}

MAX_SERVICES = 200
MAX_EXTERNALS = 100
MAX_EVENTS = 50  # per service or external system

# Names are shown in diagrams and exports: printable text on one line, no control characters.
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=60,
                                        pattern=r"^[^\x00-\x1f\x7f]+$")]
EventName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80,
                                             pattern=r"^[^\x00-\x1f\x7f]+$")]
OptionalName = Annotated[str, StringConstraints(strip_whitespace=True, max_length=60, pattern=r"^[^\x00-\x1f\x7f]*$")]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Service(_Strict):
    name: Name
    team: OptionalName = ""
    domain: OptionalName = ""
    database: DbKind = "none"
    log_capture: LogCapture = Field(default="unsure", description="can its database's log be read (CDC)")
    produces: list[EventName] = Field(default=[], max_length=MAX_EVENTS)
    consumes: list[EventName] = Field(default=[], max_length=MAX_EVENTS)


class External(_Strict):
    name: Name
    kind: ExternalKind
    direction: Direction = "sink"
    events: list[EventName] = Field(default=[], max_length=MAX_EVENTS,
                                    description="a sink reads these events; a source writes them")


class Inventory(_Strict):
    services: list[Service] = Field(default=[], max_length=MAX_SERVICES)
    externals: list[External] = Field(default=[], max_length=MAX_EXTERNALS)

    @model_validator(mode="after")
    def _unique_names(self) -> Inventory:
        seen: set[str] = set()
        for part in [*self.services, *self.externals]:
            key = part.name.casefold()
            if key in seen:
                raise ValueError(f"the name {part.name!r} is used twice, expected each service and system "
                                 "to have its own name")
            seen.add(key)
        return self

    def is_empty(self) -> bool:
        return not self.services and not self.externals

    def events(self) -> list[str]:
        """Every event named anywhere, in first-mention order."""
        seen: dict[str, None] = {}
        for s in self.services:
            for e in [*s.produces, *s.consumes]:
                seen.setdefault(e, None)
        for x in self.externals:
            for e in x.events:
                seen.setdefault(e, None)
        return list(seen)

    def producers_of(self, event: str) -> list[str]:
        return [s.name for s in self.services if event in s.produces] + \
               [x.name for x in self.externals if x.direction != "sink" and event in x.events]

    def consumers_of(self, event: str) -> list[str]:
        return [s.name for s in self.services if event in s.consumes] + \
               [x.name for x in self.externals if x.direction != "source" and event in x.events]

    def databases(self) -> list[Service]:
        """Services that own a database."""
        return [s for s in self.services if s.database != "none"]


def topic_name(event: str) -> str:
    """A Kafka topic name for an event: legal characters only ([a-zA-Z0-9._-], at most 249)."""
    slug = re.sub(r"[^a-zA-Z0-9._-]+", "-", event.strip()).strip("-.").lower()
    return (slug or "events")[:249]


# --------------------------------------------------------------------------- derived answers


def _distinct(values: list[str]) -> int | None:
    filled = {v.casefold() for v in values if v}
    return len(filled) or None


def _service_count(inv: Inventory) -> AnswerValue | None:
    return len(inv.services) or None


def _team_count(inv: Inventory) -> AnswerValue | None:
    return _distinct([s.team for s in inv.services])


def _domain_count(inv: Inventory) -> AnswerValue | None:
    return _distinct([s.domain for s in inv.services])


def _integrations(inv: Inventory) -> AnswerValue | None:
    if not inv.externals:
        return None  # no external system listed: the inventory does not tell
    flows: set[str] = set()
    for x in inv.externals:
        if x.kind in ("saas", "files"):
            flows.add("saas")
            continue
        if x.direction in ("source", "both") and x.kind in ("database", "other"):
            flows.add("db-in")
        if x.direction in ("sink", "both"):
            flows.add("lake-out" if x.kind in ("warehouse", "lake") else "db-out")
    order = ["db-in", "db-out", "lake-out", "saas"]
    return [f for f in order if f in flows]


def _db_log_access(inv: Inventory) -> AnswerValue | None:
    known = {s.log_capture for s in inv.databases()}
    if not known:
        return None
    if known == {"yes"}:
        return "yes-log"
    if known == {"no"}:
        return "no-log"
    if "yes" in known and "no" in known:
        return "some-log"
    return "unsure" if known == {"unsure"} else "some-log"


def _source_db_kind(inv: Inventory) -> AnswerValue | None:
    kinds = Counter(s.database for s in inv.databases() if s.log_capture == "yes")
    if not kinds:
        return None
    kind = kinds.most_common(1)[0][0]
    return "other" if kind == "mongodb" else kind


@dataclass(frozen=True)
class Derivation:
    """How one answer follows from the inventory, and what shape of question it fits."""

    question_type: str
    values: tuple[str, ...]  # option values the question must offer (single and multi)
    derive: Callable[[Inventory], AnswerValue | None]
    says: str  # shown next to the derived answer: where it came from


DERIVATIONS: dict[str, Derivation] = {
    "service-count": Derivation("number", (), _service_count, "services listed in the inventory"),
    "team-count": Derivation("number", (), _team_count, "distinct teams in the inventory"),
    "domain-count": Derivation("number", (), _domain_count, "distinct domains in the inventory"),
    "integrations": Derivation("multi", ("db-in", "db-out", "lake-out", "saas"), _integrations,
                               "the external systems in the inventory"),
    "db-log-access": Derivation("single", ("yes-log", "no-log", "some-log", "unsure"), _db_log_access,
                                "the log-capture column of the inventory's databases"),
    "source-db-kind": Derivation("single", ("postgresql", "mysql", "sqlserver", "oracle", "other"),
                                 _source_db_kind, "the most common capturable database in the inventory"),
}
assert set(DERIVATIONS) == set(DerivationName.__args__), "every declared derivation has a rule"  # type: ignore[attr-defined]


def derived_answers(derives: Mapping[str, str], inv: Inventory | None) -> dict[str, AnswerValue]:
    """{question id: derivation name} (from the questionnaire) + inventory -> the answers it implies."""
    if inv is None or inv.is_empty():
        return {}
    out: dict[str, AnswerValue] = {}
    for qid, name in derives.items():
        value = DERIVATIONS[name].derive(inv)
        if value is not None:
            out[qid] = value
    return out


def from_data(data: Any) -> Inventory:
    """A plain mapping (from YAML, a share link, the editor) -> Inventory; raises pydantic's ValidationError."""
    return Inventory.model_validate(data)


def to_data(inv: Inventory) -> dict[str, Any]:
    """The inventory as it is written in an answers file: empty fields left out."""
    return inv.model_dump(mode="json", exclude_defaults=True)


def summary_of(inv: Inventory) -> str:
    """One line for the answer appendix: "12 services (5 teams), 3 external systems"."""
    parts = []
    if inv.services:
        teams = _team_count(inv)
        parts.append(f"{len(inv.services)} service{'s' * (len(inv.services) != 1)}"
                     + (f" ({teams} team{'s' * (teams != 1)})" if isinstance(teams, int) else ""))
    if inv.externals:
        parts.append(f"{len(inv.externals)} external system{'s' * (len(inv.externals) != 1)}")
    events = inv.events()
    if events:
        parts.append(f"{len(events)} event{'s' * (len(events) != 1)}")
    return ", ".join(parts) or "empty"


def parts_for(inv: Inventory, scope: str) -> list[str]:
    """The names a checklist item with `each: <scope>` is done for, in inventory order."""
    if scope == "service":
        return [s.name for s in inv.services]
    if scope == "producer-database":  # a service that owns a database and publishes events (an outbox each)
        return [f"{s.name} ({DB_LABELS[s.database]})" for s in inv.databases() if s.produces]
    if scope == "capturable-database":
        return [f"{s.name} ({DB_LABELS[s.database]})" for s in inv.databases() if s.log_capture != "no"]
    if scope == "event":
        return [topic_name(e) for e in inv.events()]
    if scope == "sink":
        return [x.name for x in inv.externals if x.direction != "source"]
    if scope == "source":
        return [x.name for x in inv.externals if x.direction != "sink"]
    raise ValueError(f"unknown inventory scope {scope!r}")
