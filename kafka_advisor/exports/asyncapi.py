"""asyncapi: the advice as an AsyncAPI 3.0.0 document (YAML), the hub format EventCatalog, Studio and the
generators read.

Contents: `info`; one Kafka server placeholder (`kafka:9092`); one channel per topic the advice names
(sizing.py: business topics, reply, snapshot and dead letter topics; Connect's internal topics are not
application channels and are left to the Strimzi export), each with its messages and a Kafka channel binding
(0.5.0: `partitions`, `replicas`, `topicConfiguration`); `send` / `receive` operations for every service and
external system of the inventory; message payload placeholders, in Avro (with the Kafka message binding's
schema registry fields) when a schema registry is recommended.

What binding 0.5.0 cannot hold goes into `x-` extensions: `x-topic-configuration` (the topic configs
0.5.0 does not define, such as min.insync.replicas, remote.storage.enable and local.retention.ms) and
`x-kafka-advisor` (the topic's kind, the patterns that name it, how its partitions were sized and what was
assumed). When no topic is named (nothing recommended) one example channel is written, marked as such.

Ids. Channel, message, operation and Avro names come from the names the user typed, so each is derived by one
rule (`Ids.take`): every run of characters outside [A-Za-z0-9_-] becomes "_", leading and trailing "_" are
dropped, an empty result becomes "x", at most 64 characters are kept; a result already taken in the same
namespace gets "_2", "_3"... So `dlq.analytics-sink` is channel `dlq_analytics-sink`, and two names that
normalise alike still get distinct ids. The topic's real name is always the channel's `address`.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from ..inventory import Inventory, topic_name
from ..model import ConfigValue
from ..sizing import TopicSizing
from . import ExportContext, Exporter, register
from .common import display_title, one_line

ASYNCAPI_VERSION = "3.0.0"
BINDING_VERSION = "0.5.0"
SERVER_ID = "kafka"
SERVER_HOST = "kafka:9092"
SCHEMA_REGISTRY_URL = "http://schema-registry:8081"
AVRO = "application/vnd.apache.avro+json;version=1.9.0"
REGISTRY = "schema-evolution"
ID_MAX = 64
# The topicConfiguration keys binding 0.5.0 defines (bindings/kafka/0.5.0/channel.json), with their types.
BINDING_CONFIG = ("cleanup.policy", "retention.ms", "retention.bytes", "delete.retention.ms", "max.message.bytes")
KIND_WORDS = {"event": "Business events", "reply": "Replies of the request-response pattern",
              "snapshot": "State snapshots of the event-sourced stream",
              "dlq": "Dead letter topic: records a sink connector could not write, parked with error headers"}
SKIPPED_KINDS = ("connect-internal",)


class Ids:
    """Valid, distinct AsyncAPI ids from free text (the rule is in the module docstring)."""

    def __init__(self) -> None:
        self._used: set[str] = set()

    @staticmethod
    def base(text: str) -> str:
        return re.sub(r"[^A-Za-z0-9_-]+", "_", text).strip("_")[:ID_MAX] or "x"

    def take(self, text: str) -> str:
        base = self.base(text)
        out, n = base, 2
        while out.casefold() in self._used:  # case-insensitively: ids also become file names in generators
            out, n = f"{base}_{n}", n + 1
        self._used.add(out.casefold())
        return out


def avro_name(text: str) -> str:
    """An Avro record name ([A-Za-z_][A-Za-z0-9_]*) for a message id."""
    name = re.sub(r"[^A-Za-z0-9_]", "_", text)
    return name if re.match(r"[A-Za-z_]", name) else "_" + name


def _registry(ctx: ExportContext) -> bool:
    return any(r.pattern == REGISTRY and r.tier in ("core", "baseline") for r in ctx.report.kafka_recommended)


def _int(value: ConfigValue | None) -> int | None:
    try:
        return int(str(value))
    except (TypeError, ValueError):
        return None


def _binding(t: TopicSizing | None) -> dict[str, Any]:
    kafka: dict[str, Any] = {}
    if t is None:
        kafka["x-kafka-advisor"] = {"sizing": "not sized: no topic snippet names this topic"}
        kafka["bindingVersion"] = BINDING_VERSION
        return kafka
    config: dict[str, Any] = {"cleanup.policy": [p.strip() for p in t.cleanup_policy.split(",") if p.strip()],
                              "retention.ms": t.retention_ms}
    extra: dict[str, Any] = {"min.insync.replicas": t.min_insync_replicas}
    for key, value in t.config.items():
        if key in ("cleanup.policy", "retention.ms", "min.insync.replicas"):
            continue
        number = _int(value) if key in BINDING_CONFIG else None
        if number is not None:
            config[key] = number
        else:
            extra[key] = value
    kafka.update(partitions=t.partitions, replicas=t.replication_factor, topicConfiguration=config)
    kafka["x-topic-configuration"] = extra
    advisor: dict[str, Any] = {"kind": t.kind, "patterns": list(t.patterns), "partitions": t.formula,
                               "durability": t.durability_source}
    if t.broker_bytes is not None:
        advisor["brokerStorageBytes"] = t.broker_bytes
    if t.remote_bytes is not None:
        advisor["remoteStorageBytes"] = t.remote_bytes
    if t.assumptions:
        advisor["assumptions"] = list(t.assumptions)
    if t.example:
        advisor["example"] = "a generic topic named after the system: there is no inventory of services and events"
    kafka["x-kafka-advisor"] = advisor
    kafka["bindingVersion"] = BINDING_VERSION
    return kafka


def _payload(name: str, what: str, registry: bool) -> dict[str, Any]:
    doc = f"Placeholder for {what}: replace with the real schema."
    if registry:
        return {"schemaFormat": AVRO,
                "schema": {"type": "record", "name": avro_name(name), "namespace": "events", "doc": doc, "fields": []}}
    return {"type": "object", "description": doc, "additionalProperties": True}


def _message(mid: str, title: str, what: str, registry: bool) -> dict[str, Any]:
    msg: dict[str, Any] = {"name": mid, "title": one_line(title), "summary": one_line(what),
                           "contentType": "application/octet-stream" if registry else "application/json",
                           "payload": _payload(mid, what, registry)}
    if registry:  # Confluent wire format: the schema id in the payload's first bytes, one subject per topic
        msg["bindings"] = {"kafka": {"schemaIdLocation": "payload", "schemaIdPayloadEncoding": "confluent",
                                     "schemaLookupStrategy": "TopicIdStrategy", "bindingVersion": BINDING_VERSION}}
    return msg


def _events_by_topic(inv: Inventory | None) -> dict[str, list[str]]:
    """Topic name -> the event names (as typed) that land on it, in inventory order."""
    out: dict[str, list[str]] = {}
    if inv is None:
        return out
    names = [e for s in inv.services for e in [*s.produces, *s.consumes]] + [e for x in inv.externals for e in x.events]
    for event in names:
        events = out.setdefault(topic_name(event), [])
        if event not in events:
            events.append(event)
    return out


def document(ctx: ExportContext) -> dict[str, Any]:
    report = ctx.report
    registry = _registry(ctx)
    inv = report.inventory if report.inventory is not None and not report.inventory.is_empty() else None
    sizing = {t.name: t for t in ctx.vm.sizing if t.kind not in SKIPPED_KINDS}
    events = _events_by_topic(inv)
    topics = list(dict.fromkeys([*events, *sizing]))

    channel_ids, message_ids, operation_ids = Ids(), Ids(), Ids()
    channels: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    channel_of: dict[str, str] = {}  # topic -> channel id
    message_of: dict[str, str] = {}  # event name (or topic, without an inventory) -> message id
    for topic in topics:
        t = sizing.get(topic)
        kind = t.kind if t is not None else "event"
        cid = channel_ids.take(topic)
        channel_of[topic] = cid
        refs: dict[str, Any] = {}
        if topic in events:
            for event in events[topic]:
                mid = message_ids.take(event)
                message_of[event] = mid
                messages[mid] = _message(mid, event, f"the {event!s} event", registry)
                refs[mid] = {"$ref": f"#/components/messages/{mid}"}
        else:
            what = {"dlq": "a record a sink connector could not write (the original bytes, with error headers)",
                    "reply": "a reply, correlated to its request by a header",
                    "snapshot": "a snapshot of an aggregate's state"}.get(kind, f"an event on {topic}")
            mid = message_ids.take(f"{topic}-record" if kind == "dlq" else topic)
            message_of[topic] = mid
            messages[mid] = _message(mid, topic, what, registry and kind != "dlq")
            refs[mid] = {"$ref": f"#/components/messages/{mid}"}
        channels[cid] = {"address": topic, "title": one_line(topic),
                         "description": KIND_WORDS.get(kind, KIND_WORDS["event"]) + ".",
                         "servers": [{"$ref": f"#/servers/{SERVER_ID}"}],
                         "messages": refs, "bindings": {"kafka": _binding(t)}}

    if not channels:  # nothing recommended: one example channel, so the document still shows the shape
        cid = channel_ids.take("example-events")
        mid = message_ids.take("ExampleEvent")
        messages[mid] = _message(mid, "Example event", "an example event", registry)
        channels[cid] = {"address": "example-events", "title": "Example channel (not advice)",
                         "description": "No Kafka architecture is recommended for these answers: this channel only "
                                        "shows the document's shape.",
                         "messages": {mid: {"$ref": f"#/components/messages/{mid}"}},
                         "bindings": {"kafka": {"x-kafka-advisor": {"example": "not advice: nothing is recommended"},
                                                "bindingVersion": BINDING_VERSION}},
                         "x-kafka-advisor-example": True}

    operations: dict[str, Any] = {}
    party_ids = Ids()

    def add(party: str, party_kind: str, action: str, names: list[str]) -> None:
        pid = party_ids.take(party) if party not in seen else seen[party]
        seen[party] = pid
        by_topic: dict[str, list[str]] = {}
        for event in names:
            by_topic.setdefault(topic_name(event), [])
            if message_of[event] not in by_topic[topic_name(event)]:
                by_topic[topic_name(event)].append(message_of[event])
        for topic, mids in by_topic.items():
            cid = channel_of[topic]
            oid = operation_ids.take(f"{pid}-{action}-{cid}")
            operations[oid] = {
                "action": action, "title": one_line(f"{party} {'sends to' if action == 'send' else 'receives from'} "
                                                    f"{topic}"),
                "channel": {"$ref": f"#/channels/{cid}"},
                "messages": [{"$ref": f"#/channels/{cid}/messages/{m}"} for m in mids],
                "x-kafka-advisor-party": {"name": one_line(party), "kind": party_kind}}

    seen: dict[str, str] = {}
    if inv is not None:
        for s in inv.services:
            if s.produces:
                add(s.name, "service", "send", list(s.produces))
            if s.consumes:
                add(s.name, "service", "receive", list(s.consumes))
        for x in inv.externals:
            if x.events and x.direction in ("source", "both"):
                add(x.name, f"external {x.kind} (source)", "send", list(x.events))
            if x.events and x.direction in ("sink", "both"):
                add(x.name, f"external {x.kind} (sink)", "receive", list(x.events))

    title = display_title(ctx)
    vm = ctx.vm
    description = (f"{vm.verdict.level_words}: {one_line(vm.verdict.summary)}\n\n"
                   "Generated by Kafka Pattern Advisor from the assessment: the server, payload schemas and sizing "
                   "are placeholders and planning figures to review, not a deployed system.")
    server: dict[str, Any] = {"host": SERVER_HOST, "protocol": "kafka",
                              "description": "Placeholder: replace with your bootstrap servers."}
    if registry:
        server["bindings"] = {"kafka": {"schemaRegistryUrl": SCHEMA_REGISTRY_URL, "schemaRegistryVendor": "confluent",
                                        "bindingVersion": BINDING_VERSION}}
    return {"asyncapi": ASYNCAPI_VERSION,
            "info": {"title": title, "version": "0.1.0", "description": description},
            "defaultContentType": "application/json",
            "servers": {SERVER_ID: server},
            "channels": channels,
            "operations": operations,
            "components": {"messages": messages}}


def render_asyncapi(ctx: ExportContext) -> bytes:
    text = yaml.safe_dump(document(ctx), sort_keys=False, allow_unicode=True, width=110)
    return ("# AsyncAPI 3.0.0 document generated by Kafka Pattern Advisor (placeholders to review).\n" + text
            ).encode("utf-8")


register(Exporter("asyncapi", "AsyncAPI 3.0 document (YAML)", "yaml", "application/yaml; charset=utf-8",
                  render_asyncapi))
