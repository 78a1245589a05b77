"""Config snippet templates (snippets/*.yaml): the models, and loading them with file:line:col errors.

A snippet file holds the templates of one pattern: each template is a flavour (Java `.properties`,
librdkafka, a topic, a connector, a Connect worker, a Streams app) and a list of lines, each with the
key, the value (which may name placeholders such as `{service}`), why it is there and the chapter
section. `snippets/_values.yaml` says which answers fill the answer-driven placeholders and tags.

Snippets are loaded lazily, on their first use, and cached per knowledge-base root: the core knowledge
base load does not read them.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, StringConstraints, model_validator

from .loader import KnowledgeBase, KnowledgeBaseError, parse_model
from .model import ConfigValue, Id, QuestionId, Ref, Strict, Text
from .yamlsource import AdvisorError, Located, read_file

Flavour = Literal["java-properties", "librdkafka", "topic-cli", "topic-properties", "connector-json", "connect-worker",
                  "streams"]
FLAVOURS: tuple[str, ...] = Flavour.__args__  # type: ignore[attr-defined]
Role = Literal["producer", "consumer", "admin"]
# What a template is rendered once for (see configs.parts): the system, or each part of the inventory.
Scope = Literal["system", "service", "producer", "consumer", "processor", "producer-database", "capturable-database",
                "polled-database", "event", "sink", "source", "source-connector", "sink-connector"]
Version = Annotated[str, StringConstraints(pattern=r"^\d+\.\d+$")]
Key = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_][A-Za-z0-9_.$-]*$", max_length=200)]
Tag = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]*$")]
# In `only:` lists, a+b means a part carrying both tags; the list matches when any entry does.
TagSet = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]*(\+[a-z0-9][a-z0-9-]*)*$")]

# Placeholders every part fills (configs.py); `_values.yaml` adds the answer-driven ones.
CONTEXT_PLACEHOLDERS: tuple[str, ...] = (
    "system", "service", "group", "topic", "topics", "connector", "database", "db_host", "dlq_topic", "sink", "source",
    "server_id", "bootstrap", "schema_registry_url", "transform_aliases", "predicate_aliases",
)
# Tags a part can carry: database and external-system kinds, and the pattern that created a connector.
BUILTIN_TAGS: tuple[str, ...] = (
    "postgresql", "mysql", "sqlserver", "oracle", "mongodb", "other", "warehouse", "lake", "search", "cache",
    "database", "saas", "files", "jdbc", "external",
)
PLACEHOLDER = re.compile(r"(?<!\$)\{([a-z_]+)\}")
SNIPPETS_DIR = "snippets"
VALUES_FILE = "_values.yaml"


def version_tuple(v: str) -> tuple[int, ...]:
    return tuple(int(p) for p in v.split("."))


class Versioned(Strict):
    since: Version | None = Field(default=None, description="applies from this Kafka version on (inclusive)")
    until: Version | None = Field(default=None, description="applies before this Kafka version (exclusive)")

    @model_validator(mode="after")
    def _order(self) -> Versioned:
        if self.since and self.until and version_tuple(self.since) >= version_tuple(self.until):
            raise ValueError(f"since {self.since} is not before until {self.until}, expected since < until")
        return self


class VersionNote(Versioned):
    """A comment shown only to users whose Kafka version falls in [since, until)."""

    text: Text

    @model_validator(mode="after")
    def _bounded(self) -> VersionNote:
        if not self.since and not self.until:
            raise ValueError("a version note needs since or until, expected the versions it is about")
        return self


class Note(Versioned):
    """A header comment of the snippet."""

    text: Text
    refs: list[Ref] = Field(default=[])


class Line(Versioned):
    key: Key
    value: ConfigValue
    why: Text
    refs: list[Ref] = Field(min_length=1)
    default: ConfigValue | None = Field(default=None, description="the value Kafka (or the third-party "
                                        "component) uses when the key is unset; checked against the reference tables")
    only: list[TagSet] = Field(default=[], description="only for parts carrying one of these tags (a+b: both)")
    with_: list[Id] = Field(default=[], alias="with", description="only when one of these patterns is recommended")
    notes: list[VersionNote] = Field(default=[])


class Template(Versioned):
    id: Id
    flavour: Flavour
    role: Role | None = Field(default=None, description="java-properties and librdkafka: the client")
    title: Text
    each: Scope = "system"
    for_: str | None = Field(default=None, alias="for", description="who a system-level snippet is for when it is "
                             "not the system's own producers and consumers (the requester of request-reply)")
    topic: str | None = Field(default=None, description="topic flavours: the topic name (default {topic})")
    connector: str | None = Field(default=None, description="connector-json: the connector name")
    method: Literal["create", "patch"] = Field(default="create", description="connector-json: POST a new connector, "
                                               "or PATCH keys into an existing one (Connect 3.8+, KIP-477)")
    creates: Literal["source", "sink"] | None = Field(default=None, description="connector-json create: its kind")
    only: list[TagSet] = Field(default=[])
    with_: list[Id] = Field(default=[], alias="with")
    items: list[Id] = Field(default=[], description="checklist items this snippet carries out")
    notes: list[Note] = Field(default=[])
    lines: list[Line] = Field(min_length=1)

    @model_validator(mode="after")
    def _shape(self) -> Template:
        clients = ("java-properties", "librdkafka")
        if (self.flavour in clients) != (self.role is not None):
            raise ValueError(f"role is for {' and '.join(clients)} only, expected it there and nowhere else")
        connector = self.flavour == "connector-json"
        if connector != (self.connector is not None):
            raise ValueError("connector (the connector name) is for connector-json only, expected it there")
        if not connector and (self.creates is not None or self.method != "create"):
            raise ValueError("method and creates are for connector-json only")
        if connector and (self.method == "create") != (self.creates is not None):
            raise ValueError("a connector-json create needs creates: source or sink, and a patch takes none")
        if self.topic is not None and self.flavour not in ("topic-cli", "topic-properties"):
            raise ValueError("topic is for topic-cli and topic-properties only")
        seen: dict[tuple, str] = {}
        for line in self.lines:
            cond = (line.key, line.since, line.until, tuple(line.only), tuple(line.with_))
            if cond in seen:
                raise ValueError(f"key {line.key!r} appears twice under the same conditions, expected one line")
            seen[cond] = line.key
        return self


class SnippetFile(Strict):
    pattern: Id
    sources: list[Text] = Field(min_length=1)
    snippets: list[Template] = Field(min_length=1)


class ValueRule(Strict):
    """An answer-driven placeholder: the answer's option -> the value."""

    answer: QuestionId
    map: dict[str, ConfigValue] = Field(min_length=1)
    default: ConfigValue
    why: Text


class TagRule(Strict):
    """Answer options that give every part a tag (for multi questions, each chosen option)."""

    answer: QuestionId
    map: dict[str, Tag] = Field(min_length=1)
    default: Tag | None = None
    fallback: bool = Field(default=False, description="only for parts that carry none of this rule's tags "
                                                      "already (a service's own database kind wins over the answer)")


class ValuesFile(Strict):
    values: dict[Annotated[str, StringConstraints(pattern=r"^[a-z_]+$")], ValueRule] = Field(default={})
    tags: dict[Id, TagRule] = Field(default={})


@dataclass(frozen=True)
class SnippetLibrary:
    """Every template by pattern id (in file order), the answer-driven values and each pattern's sources."""

    templates: dict[str, list[Template]]
    values: ValuesFile
    sources: dict[str, list[str]] = field(default_factory=dict)

    def all(self) -> list[tuple[str, Template]]:
        return [(pid, t) for pid, ts in self.templates.items() for t in ts]

    def anchor(self, pattern: str, template: Template) -> str:
        return f"snippet-{pattern}-{template.id}"

    def tags(self) -> set[str]:
        """Every tag a part can carry: the built-in ones, pattern ids, and those the answers give."""
        return {*BUILTIN_TAGS, *self.templates, *(t for r in self.values.tags.values() for t in r.map.values())}

    @staticmethod
    def matches(only: list[str], tags: frozenset[str] | set[str]) -> bool:
        """An `only:` list against a part's tags: empty matches all; otherwise any entry whose tags it all has."""
        return not only or any(set(entry.split("+")) <= tags for entry in only)

    def placeholders(self) -> set[str]:
        return {*CONTEXT_PLACEHOLDERS, *self.values.values}


EMPTY = SnippetLibrary({}, ValuesFile())
_CACHE: dict[str, SnippetLibrary] = {}


def library(kb: KnowledgeBase) -> SnippetLibrary:
    """The snippet templates of this knowledge base, loaded and checked once (a root without snippets/ has none)."""
    key = str(Path(kb.root).resolve())
    if key not in _CACHE:
        _CACHE[key] = load_snippets(kb)
    return _CACHE[key]


def load_snippets(kb: KnowledgeBase) -> SnippetLibrary:
    """Read snippets/*.yaml under the knowledge-base root; raise KnowledgeBaseError with one line per problem."""
    folder = Path(kb.root) / SNIPPETS_DIR
    if not folder.is_dir():
        return EMPTY
    errors: list[AdvisorError] = []
    names = sorted(n for n in os.listdir(folder) if n.endswith((".yaml", ".yml")) and not n.startswith("."))
    values, values_src = ValuesFile(), None
    files: list[tuple[Located, SnippetFile]] = []
    for name in names:
        rel = f"{SNIPPETS_DIR}/{name}"
        try:
            located = read_file(folder / name)
        except AdvisorError as exc:
            errors.append(AdvisorError(rel, exc.line, exc.col, exc.field, exc.message))
            continue
        located.path = rel
        if name == VALUES_FILE:
            parsed, errs = parse_model(located, ValuesFile)
            errors += errs
            values, values_src = (parsed, located) if parsed is not None else (values, None)
            continue
        parsed, errs = parse_model(located, SnippetFile)
        errors += errs
        if parsed is None:
            continue
        if parsed.pattern != Path(name).stem:
            errors.append(located.error(("pattern",), f"pattern {parsed.pattern!r} differs from the file name, "
                                                      f"expected {Path(name).stem!r}"))
        files.append((located, parsed))
    lib = SnippetLibrary({f.pattern: f.snippets for _, f in files}, values, {f.pattern: f.sources for _, f in files})
    if values_src is not None:
        errors += _check_values(kb, values_src, values)
    for located, f in files:
        errors += _check_file(kb, lib, located, f)
    if errors:
        raise KnowledgeBaseError(errors)
    return lib


def _check_values(kb: KnowledgeBase, src: Located, values: ValuesFile) -> list[AdvisorError]:
    errors = []
    for group, rules in (("values", values.values), ("tags", values.tags)):
        for name, rule in rules.items():
            q = kb.questions.get(rule.answer)
            if q is None:
                errors.append(src.error((group, name, "answer"), f"unknown question id {rule.answer!r}, expected an id "
                                                                 "from questions/"))
                continue
            for option in rule.map:
                if option not in q.option_values():
                    errors.append(src.error((group, name, "map", option), f"{option!r} is not an option of "
                                            f"{q.id!r}, expected one of: {', '.join(q.option_values())}"))
    return errors


def _check_file(kb: KnowledgeBase, lib: SnippetLibrary, src: Located, f: SnippetFile) -> list[AdvisorError]:
    errors = []
    if f.pattern not in kb.patterns:
        errors.append(src.error(("pattern",), f"unknown pattern id {f.pattern!r}, expected a file name in patterns/"))
    tags, known = lib.tags(), lib.placeholders()
    ids = [t.id for t in f.snippets]
    for i, t in enumerate(f.snippets):
        at = ("snippets", i)
        if ids.count(t.id) > 1:
            errors.append(src.error((*at, "id"), f"duplicate snippet id {t.id!r}, expected unique ids in one file"))
        for j, item in enumerate(t.items):
            if item not in kb.items:
                errors.append(src.error((*at, "items", j), f"unknown checklist item {item!r}, expected an item id from "
                                                            "a pattern's checklist"))
        for where, names in ((at, t.with_), *(((*at, "lines", j), ln.with_) for j, ln in enumerate(t.lines))):
            for k, pid in enumerate(names):
                if pid not in kb.patterns:
                    errors.append(src.error((*where, "with", k), f"unknown pattern id {pid!r}, expected a pattern id"))
        for where, names in ((at, t.only), *(((*at, "lines", j), ln.only) for j, ln in enumerate(t.lines))):
            for k, entry in enumerate(names):
                for tag in entry.split("+"):
                    if tag not in tags:
                        errors.append(src.error((*where, "only", k), f"unknown tag {tag!r}, expected one of: "
                                                                     f"{', '.join(sorted(tags))}"))
        texts = [((*at, "connector"), t.connector), ((*at, "topic"), t.topic), ((*at, "for"), t.for_),
                 *(((*at, "notes", j, "text"), n.text) for j, n in enumerate(t.notes)),
                 *(((*at, "lines", j, "value"), ln.value) for j, ln in enumerate(t.lines))]
        for where, text in texts:
            for name in PLACEHOLDER.findall(text) if isinstance(text, str) else []:
                if name not in known:
                    errors.append(src.error(where, f"unknown placeholder {{{name}}}, expected one of: "
                                                   f"{', '.join('{' + n + '}' for n in sorted(known))}"))
    return errors
