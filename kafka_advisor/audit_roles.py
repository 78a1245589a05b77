"""Which kind of config a file is: the role the user named, or one detected from its keys.

The heuristic, in order (the result says which step decided):
1. The wrapper decides: a kafka-topics.sh command or a Strimzi KafkaTopic is a topic, a KafkaConnect a
   Connect worker, a Connect REST body or any `connector.class` a connector.
2. A connector is a sink when it has `topics`/`topics.regex` or sink-only keys (dead-letter queue,
   `consumer.override.*`), a source when it has source-only keys (`exactly.once.support`,
   `transaction.boundary`, `topic.creation.*`, `producer.override.*`); else its class name says `Sink`
   or `Source` (Debezium connectors are sources).
3. Otherwise each key votes for the roles it is *distinctive* of: valid in exactly one of producer,
   consumer, admin, topic, streams and Connect worker (librdkafka's producer-only and consumer-only
   properties vote too). A Streams key (such as `application.id`) or a worker key (such as
   `config.storage.topic`) decides at once, since those files also carry client keys. Else the
   role with the most votes wins if it has at least twice the runner-up's; a tie, or no vote, is
   ambiguous, and the error names what was seen and asks for `--role` in one line.
Client roles also have a flavour: librdkafka (confluent-kafka) for a Python dict, or when the file has
more keys only librdkafka knows than keys only the Java client knows; else the Java client.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import audit_catalog as cat
from .audit_parse import Parsed
from .yamlsource import AdvisorError

ROLE_CHOICES = (*cat.ROLES, "connector", "librdkafka-producer", "librdkafka-consumer", "librdkafka-admin")
ROLE_LABELS = {
    "producer": "producer", "consumer": "consumer", "admin": "admin client", "topic": "topic",
    "source-connector": "source connector", "sink-connector": "sink connector",
    "connect-worker": "Connect worker", "streams": "Kafka Streams app",
}
_ALIASES = {"worker": "connect-worker", "connect": "connect-worker", "kafka-streams": "streams", "source": "source-connector",
            "sink": "sink-connector", "admin-client": "admin", "topic-config": "topic", "java-producer": "producer",
            "java-consumer": "consumer", "java-admin": "admin"}
_SINK_KEYS = ("topics", "topics.regex", "errors.deadletterqueue.topic.name", "errors.deadletterqueue.topic.replication.factor",
              "errors.deadletterqueue.context.headers.enable")
_SOURCE_KEYS = ("exactly.once.support", "transaction.boundary", "transaction.boundary.interval.ms", "offsets.storage.topic",
                "topic.creation.groups")
_VOTERS = ("producer", "consumer", "admin", "topic", "streams", "connect-worker")


@dataclass(frozen=True)
class Role:
    role: str
    flavour: str  # "java" or "librdkafka"; "java" for every role that is not a client
    reason: str  # how it was decided, for the reader

    @property
    def label(self) -> str:
        base = ROLE_LABELS[self.role]
        if self.role in cat.CLIENT_ROLES:
            return f"{base} ({'librdkafka / confluent-kafka' if self.flavour == 'librdkafka' else 'Java client'})"
        return base


def resolve(parsed: Parsed, requested: str | None, name: str) -> Role:
    if requested is not None and str(requested).strip():
        return _requested(parsed, str(requested), name)
    return _detect(parsed, name)


def normalise(requested: str, where: str) -> str:
    """A role as the user typed it -> one of ROLE_CHOICES, or an AdvisorError listing them."""
    wanted = _ALIASES.get(requested.strip().lower(), requested.strip().lower())
    if wanted not in ROLE_CHOICES:
        raise AdvisorError(where, None, None, "--role", f"unknown role {requested!r}, expected one of: {', '.join(ROLE_CHOICES)}")
    return wanted


def _requested(parsed: Parsed, requested: str, name: str) -> Role:
    wanted = normalise(requested, name)
    if wanted.startswith("librdkafka-"):
        return Role(wanted.removeprefix("librdkafka-"), "librdkafka", "given with --role")
    if wanted == "connector":
        role, why = _connector_kind(parsed, name)
        return Role(role, "java", f"given with --role connector; {why}")
    if wanted in cat.CLIENT_ROLES:
        flavour, why = _flavour(parsed, wanted)
        return Role(wanted, flavour, f"given with --role; {why}")
    return Role(wanted, "java", "given with --role")


def _detect(parsed: Parsed, name: str) -> Role:
    keys = [e.key for e in parsed.entries]
    if parsed.hint == "topic":
        return Role("topic", "java", "a kafka-topics command" if parsed.format == "kafka-topics" else "a Strimzi KafkaTopic")
    if parsed.hint == "connect-worker":
        return Role("connect-worker", "java", "a Strimzi KafkaConnect")
    if parsed.hint == "connector" or "connector.class" in keys:
        role, why = _connector_kind(parsed, name)
        return Role(role, "java", why)
    votes: dict[str, list[str]] = {r: [] for r in _VOTERS}
    for key in dict.fromkeys(keys):
        owners = [r for r in _VOTERS if _java_known(r, key)]
        lib = cat.librdkafka_props().get(key)
        if lib is not None and not any(_java_known(r, key) for r in ("producer", "consumer")):
            owners += {"P": ["producer"], "C": ["consumer"]}.get(lib["scope"], [])
        if len(set(owners)) == 1:
            votes[owners[0]].append(key)
    for decisive in ("streams", "connect-worker"):
        if votes[decisive]:
            return Role(decisive, "java", f"detected from {_some(votes[decisive])}")
    ranked = sorted(((len(v), r) for r, v in votes.items() if v), reverse=True)
    if not ranked:
        raise AdvisorError(name, None, None, "--role", "cannot tell what this config is for (no key belongs to a single "
                                                       f"role), expected --role with one of: {', '.join(ROLE_CHOICES)}")
    (best, role), rest = ranked[0], ranked[1:]
    if rest and best < 2 * rest[0][0]:
        seen = "; ".join(f"{r} keys ({_some(votes[r])})" for _, r in ranked[:2])
        raise AdvisorError(name, None, None, "--role", f"ambiguous config: {seen}, expected --role "
                                                       f"{ranked[0][1]} or --role {ranked[1][1]}")
    flavour, why = _flavour(parsed, role) if role in cat.CLIENT_ROLES else ("java", "")
    reason = f"detected from {_some(votes[role])}" + (f"; {why}" if why else "")
    return Role(role, flavour, reason)


def _java_known(role: str, key: str) -> bool:
    return key in cat.scope_keys(cat.ROLE_SCOPES[role])


def _flavour(parsed: Parsed, role: str) -> tuple[str, str]:
    if parsed.format == "python":
        return "librdkafka", "a Python dict: confluent-kafka"
    scope = cat.scope_keys(cat.ROLE_SCOPES[role])
    lib_only = [e.key for e in parsed.entries if e.key not in scope and cat.librdkafka_known(e.key, role)
                and not cat.is_schema_registry_key(e.key)]
    java_only = [e.key for e in parsed.entries if e.key in scope and e.key not in cat.librdkafka_props()]
    if len(set(lib_only)) > len(set(java_only)):
        return "librdkafka", f"librdkafka keys ({_some(lib_only)})"
    if java_only:
        return "java", f"Java client keys ({_some(java_only)})"
    return "java", "keys both clients share: read as a Java client config (use --role librdkafka-... for confluent-kafka)"


def _connector_kind(parsed: Parsed, name: str) -> tuple[str, str]:
    keys = {e.key for e in parsed.entries}
    sink = [k for k in keys if k in _SINK_KEYS or k.startswith("consumer.override.")]
    source = [k for k in keys if k in _SOURCE_KEYS or k.startswith(("topic.creation.", "producer.override."))]
    if sink and not source:
        return "sink-connector", f"a sink connector ({_some(sink)})"
    if source and not sink:
        return "source-connector", f"a source connector ({_some(source)})"
    cls = next((e.value for e in reversed(parsed.entries) if e.key == "connector.class"), "")
    simple = cls.rsplit(".", 1)[-1]
    if "Sink" in simple and "Source" not in simple:
        return "sink-connector", f"a sink connector (class {simple})"
    if ("Source" in simple and "Sink" not in simple) or cls.startswith("io.debezium.connector."):
        return "source-connector", f"a source connector (class {simple})"
    raise AdvisorError(name, None, None, "--role", "cannot tell a source from a sink connector (no topics or "
                                                   "topics.regex, and the class name says neither), expected "
                                                   "--role source-connector or --role sink-connector")


def _some(keys: list[str], limit: int = 3) -> str:
    unique = list(dict.fromkeys(keys))
    return ", ".join(unique[:limit]) + (", ..." if len(unique) > limit else "")
