"""What the audit knows about config names: Kafka 3.9 names, types and ranges per role, librdkafka's
properties, the Schema Registry serializer keys, and the prefixes under which a config passes keys on.

The data lives in `kafka_advisor/data/` and is generated, never edited by hand:
- `kafka_configs_3.9.json` from `tests/reference/config_names.json` and `config_defaults_3.9.json`
  by `build_kafka_catalog` (tests/test_audit.py rebuilds it and fails when the copy differs);
- `librdkafka_configs.json` from librdkafka's CONFIGURATION.md (its `_source` names the commit;
  tests/test_audit.py checks every name against the installed confluent-kafka client).
"""

from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent / "data"
KAFKA_FILE = DATA / "kafka_configs_3.9.json"
LIBRDKAFKA_FILE = DATA / "librdkafka_configs.json"

# Role -> the scope of the Kafka 3.9 lists that holds its keys.
ROLE_SCOPES: dict[str, str] = {
    "producer": "producer",
    "consumer": "consumer",
    "admin": "admin",
    "topic": "topic",
    "source-connector": "source_connector",
    "sink-connector": "sink_connector",
    "connect-worker": "connect_worker",
    "streams": "streams",
}
ROLES = tuple(ROLE_SCOPES)
CLIENT_ROLES = ("producer", "consumer", "admin")  # the roles librdkafka also has
_REFERENCE_SCOPES = {  # scope in the shipped file -> list in config_names.json, table in config_defaults_3.9.json
    "producer": ("producer", "producer"),
    "consumer": ("consumer", "consumer"),
    "admin": ("_admin_from_generated_docs", "admin"),
    "topic": ("topic", "topic"),
    "source_connector": ("source_connector", "source_connector"),
    "sink_connector": ("sink_connector", "sink_connector"),
    "connect_worker": ("connect_worker", "connect_worker"),
    "streams": ("streams", "streams"),
    "broker": ("_broker_from_generated_docs", "broker"),  # not a role: names a broker key found in a topic file
}

# Keys a topic file may carry beside topic configs: what kafka-topics.sh --create and Strimzi take.
TOPIC_CREATION_KEYS = ("replication.factor", "partitions")

# Prefixes under which one config hands settings to another scope (Kafka 3.9 prefix constants in
# StreamsConfig, WorkerConfig, DistributedConfig, ConnectorConfig, TopicCreationConfig; see the
# `_dynamic_prefixes_note` of tests/reference/config_names.json).
PREFIXES: dict[str, tuple[tuple[str, str | None], ...]] = {
    # role: ((prefix, scope whose keys may follow, or None: anything may follow), ...)
    "streams": (("main.consumer.", "consumer"), ("restore.consumer.", "consumer"), ("global.consumer.", "consumer"),
                ("consumer.", "consumer"), ("producer.", "producer"), ("admin.", "admin"), ("topic.", "topic"),
                ("client.tag.", None)),
    "connect-worker": (("producer.", "producer"), ("consumer.", "consumer"), ("admin.", "admin"),
                       ("config.storage.", "topic"), ("offset.storage.", "topic"), ("status.storage.", "topic"),
                       ("key.converter.", None), ("value.converter.", None), ("header.converter.", None),
                       ("config.providers.", None), ("listeners.https.", None), ("admin.listeners.https.", None)),
    "source-connector": (("producer.override.", "producer"), ("admin.override.", "admin"),
                         ("key.converter.", None), ("value.converter.", None), ("header.converter.", None)),
    "sink-connector": (("consumer.override.", "consumer"), ("admin.override.", "admin"),
                       ("key.converter.", None), ("value.converter.", None), ("header.converter.", None)),
}
TRANSFORM_KEY = re.compile(r"^(transforms|predicates)\.([^.]+)\.(.+)$")
TOPIC_CREATION_KEY = re.compile(r"^topic\.creation\.([^.]+)\.(.+)$")

# Confluent Schema Registry serializer/deserializer keys, read literally from
# confluentinc/schema-registry schema-serializer/.../AbstractKafkaSchemaSerDeConfig.java (baseConfigDef) and
# client/.../SchemaRegistryClientConfig.java; their SSL keys carry the `schema.registry.` prefix.
SCHEMA_REGISTRY_KEYS = frozenset({
    "schema.registry.url", "max.schemas.per.subject", "normalize.schemas", "auto.register.schemas",
    "propagate.schema.tags", "use.schema.id", "id.compatibility.strict", "use.latest.version",
    "use.latest.with.metadata", "latest.compatibility.strict", "latest.cache.size", "schema.format",
    "rule.executors", "rule.actions", "rule.service.loader.enable", "basic.auth.credentials.source",
    "bearer.auth.credentials.source", "basic.auth.user.info", "bearer.auth.token", "context.name.strategy",
    "key.subject.name.strategy", "value.subject.name.strategy", "key.schema.id.serializer",
    "key.schema.id.deserializer", "value.schema.id.serializer", "value.schema.id.deserializer",
    "schema.reflection", "proxy.host", "proxy.port", "specific.avro.reader", "avro.use.logical.type.converters",
    "avro.reflection.allow.null", "json.fail.invalid.schema", "json.oneof.for.nullables", "json.write.dates.iso8601",
    "specific.protobuf.key.type", "specific.protobuf.value.type", "derive.type", "reference.subject.name.strategy",
})
SCHEMA_REGISTRY_PREFIXES = ("schema.registry.", "basic.auth.", "bearer.auth.", "request.header.", "srclient.")


@dataclass(frozen=True)
class Spec:
    """One config key: its type, its default as the documentation shows it, and its valid values."""

    type: str
    default: str
    valid: str


def build_kafka_catalog(names: dict[str, Any], defaults: dict[str, Any]) -> dict[str, Any]:
    """The shipped Kafka 3.9 catalog from the two reference files (names decide; defaults add types)."""
    scopes: dict[str, dict[str, dict[str, str]]] = {}
    for scope, (names_key, defaults_key) in _REFERENCE_SCOPES.items():
        table = defaults.get(defaults_key, {})
        scopes[scope] = {
            key: _spec_of(table.get(key, {}), with_server_default=scope == "topic") for key in sorted(names[names_key])
        }
    return {
        "_source": {
            "generated_from": ["tests/reference/config_names.json", "tests/reference/config_defaults_3.9.json"],
            "names": names["_source"],
            "defaults": defaults["_source"],
            "note": "Built by kafka_advisor.audit_catalog.build_kafka_catalog; tests/test_audit.py fails when it differs.",
        },
        "scopes": scopes,
        "transforms": defaults.get("connect_transforms", {}),
        "predicates": defaults.get("connect_predicates", {}),
    }


def _spec_of(raw: dict[str, Any], *, with_server_default: bool) -> dict[str, str]:
    out = {"type": str(raw.get("type") or ""), "default": str(raw.get("default") or ""), "valid": str(raw.get("valid") or "")}
    if with_server_default and raw.get("server_default"):
        out["server_default"] = str(raw["server_default"])
    return out


@cache
def kafka() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(KAFKA_FILE.read_text(encoding="utf-8"))
    return data


@cache
def librdkafka() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(LIBRDKAFKA_FILE.read_text(encoding="utf-8"))
    return data


def scope_keys(scope: str) -> dict[str, dict[str, str]]:
    keys: dict[str, dict[str, str]] = kafka()["scopes"][scope]
    return keys


def spec(scope: str, key: str) -> Spec | None:
    raw = scope_keys(scope).get(key)
    return Spec(raw["type"], raw["default"], raw["valid"]) if raw else None


def librdkafka_props() -> dict[str, dict[str, str]]:
    props: dict[str, dict[str, str]] = librdkafka()["properties"]
    return props


def librdkafka_known(key: str, role: str) -> bool:
    """A librdkafka property usable by this client type (an admin client is a producer underneath)."""
    if key in librdkafka()["python_client_only"]:
        return True
    prop = librdkafka_props().get(key)
    if prop is None:
        return False
    return prop["scope"] == "*" or prop["scope"] == {"producer": "P", "consumer": "C", "admin": "P"}[role]


def librdkafka_other_role(key: str, role: str) -> str | None:
    """The client type this librdkafka property belongs to, when it is not `role`'s."""
    prop = librdkafka_props().get(key)
    if prop is None or librdkafka_known(key, role):
        return None
    return {"P": "producer", "C": "consumer"}.get(prop["scope"])


def is_schema_registry_key(key: str) -> bool:
    return key in SCHEMA_REGISTRY_KEYS or key.startswith(SCHEMA_REGISTRY_PREFIXES)


def nearest(key: str, candidates: list[str] | tuple[str, ...] | set[str] | dict[str, Any], cutoff: float = 0.8) -> str | None:
    """The closest valid name (difflib ratio), when one is close enough to be a likely typo."""
    found = difflib.get_close_matches(key, list(candidates), n=1, cutoff=cutoff)
    return found[0] if found else None
