"""Config snippets (snippets/*.yaml -> kafka_advisor.configs): checked by the real client and the reference tables.

- every librdkafka snippet of every example builds a real confluent_kafka Producer / Consumer / AdminClient,
  with no construction error, no CONFWARN and no error that is not about the missing broker;
- every Java, topic, Connect and Streams key is in the Kafka 3.9 name lists (tests/reference), every
  connector key in the Kafka lists or the sourced third-party lists (tests/reference/third_party_*.json);
- every stated default agrees with the defaults tables;
- values come from the answers and the inventory, placeholders are resolved, transactional ids are stable;
- the comments follow the user's Kafka version.
"""

from __future__ import annotations

import ast
import dataclasses
import json
import logging
import re
import shlex
import subprocess
import sys
from functools import cache
from pathlib import Path

import confluent_kafka
import pytest
from confluent_kafka.admin import AdminClient
from test_knowledge import (
    APACHE_SCOPES,
    DEFAULTS,
    NAMES,
    PREDICATE_KEYS,
    SMT_KEYS,
    TOPIC_CREATION_KEYS,
    _as_text,
    _rendered_default,
    key_problem,
)

from kafka_advisor.configs import kafka_version, snippet_files, snippet_for_item, snippet_links, snippets_for
from kafka_advisor.engine import evaluate
from kafka_advisor.inventory import Inventory, parts_for, topic_name
from kafka_advisor.loader import KnowledgeBaseError, load_answers_doc, load_kb
from kafka_advisor.model import Recommendation, Report
from kafka_advisor.snippet_model import PLACEHOLDER, library, load_snippets

ROOT = Path(__file__).resolve().parent.parent
REF = Path(__file__).resolve().parent / "reference"
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
DBZ = json.loads((REF / "third_party_debezium.json").read_text())
JDBC = json.loads((REF / "third_party_jdbc.json").read_text())
SR = json.loads((REF / "third_party_schema_registry.json").read_text())
RDK = json.loads((REF / "third_party_librdkafka.json").read_text())
KB = load_kb()
TWELVE = ROOT / "examples" / "order-platform-12-services-good-fit.yaml"

# apache/kafka 3.9.0-rc3 connect/json/src/main/java/org/apache/kafka/connect/json/JsonConverterConfig.java
# (ConfigDef read mechanically, like tests/reference/third_party_*.json): JsonConverter's own keys, used as
# key.converter.<key> / value.converter.<key>.
JSON_CONVERTER_KEYS = {"schemas.enable", "schemas.cache.size", "decimal.format", "replace.null.with.default"}
# apache/kafka 3.9.0-rc3 clients/.../common/config/provider/FileConfigProvider.java (class name) and
# WorkerConfig.java CONFIG_PROVIDERS_CONFIG ("config.providers"; then config.providers.<name>.class / .param.*).
CONFIG_PROVIDER_KEY = re.compile(r"^config\.providers\.[A-Za-z0-9_-]+\.(class|param\.[A-Za-z0-9_.-]+)$")
APACHE_CLASSES = {"org.apache.kafka.common.config.provider.FileConfigProvider",
                  "org.apache.kafka.connect.storage.StringConverter", "org.apache.kafka.connect.json.JsonConverter"}
DEBEZIUM_SMTS = {cls: set(keys) | {"type", "predicate", "negate"} for cls, keys in DBZ["transforms"].items()}
CONNECTOR_CLASSES = {*DBZ["connector_classes"], *JDBC["connector_classes"].values()}
NETWORK_ERRORS = {confluent_kafka.KafkaError._TRANSPORT, confluent_kafka.KafkaError._ALL_BROKERS_DOWN,
                  confluent_kafka.KafkaError._RESOLVE}


def doc_of(path: Path):
    return load_answers_doc(KB, path)


@cache
def report_of(path: Path, inventory: bool = True, **changes: str) -> Report:
    doc = doc_of(path)
    return evaluate(KB, {**doc.answers, **changes}, inventory=doc.inventory if inventory else None)


@cache
def snippets_of(path: Path, inventory: bool = True, **changes: str):
    return snippets_for(report_of(path, inventory, **changes), KB)


# A system that uses every template and every variant of a line: PostgreSQL, MySQL and databases whose log cannot
# be read, sinks a JDBC sink can and cannot write to, source systems; every pattern with snippets recommended.
WIDE_INVENTORY = Inventory.model_validate({
    "services": [
        {"name": "orders", "database": "postgresql", "log_capture": "yes", "produces": ["order-placed"],
         "consumes": ["payment-captured"]},
        {"name": "Payments", "database": "mysql", "log_capture": "yes", "produces": ["payment-captured"],
         "consumes": ["order-placed"]},
        {"name": "billing", "database": "sqlserver", "log_capture": "no", "produces": ["invoice-issued"]},
        {"name": "ledger", "database": "oracle", "log_capture": "no", "consumes": ["invoice-issued"]},
        {"name": "stock", "database": "mysql", "log_capture": "no"}],
    "externals": [
        {"name": "Warehouse", "kind": "warehouse", "direction": "sink", "events": ["order-placed", "invoice-issued"]},
        {"name": "Search index", "kind": "search", "direction": "sink", "events": ["order-placed"]},
        {"name": "CRM", "kind": "saas", "direction": "source", "events": ["customer-changed"]},
        {"name": "ERP", "kind": "database", "direction": "source", "events": ["erp-order"]}]})
WIDE_ANSWERS = {"transform_needs": ["rename-mask", "route"], "duplicate_tolerance": "harmful"}


@cache
def wide_report(inventory: bool, version: str | None, data_format: str = "schema-registry",
                db: str = "postgresql") -> Report:
    doc = doc_of(ROOT / "examples" / "cdc-customer360-good-fit.yaml")
    answers = {**doc.answers, **WIDE_ANSWERS, "data_format": data_format, "source_db_kind": db}
    if version:
        answers.update(kafka_status="running", kafka_version=version)
    else:
        answers.pop("kafka_version", None)
    report = evaluate(KB, answers, inventory=WIDE_INVENTORY if inventory else None)
    have = {r.pattern for r in report.recommended}
    extra = [Recommendation(pattern=pid, name=KB.patterns[pid].name, score=1, reasons=[], tier="later",
                            trigger="a test wants every template") for pid in library(KB).templates if pid not in have]
    return report.model_copy(update={"recommended": [*report.recommended, *extra]})


WIDE = [(inv, v, f, d) for inv in (True, False) for v in (None, "pre-3-0", "v3-0-to-3-1", "v3-9", "v4-1", "unsure")
        for f, d in (("schema-registry", "postgresql"), ("plain-json", "mysql"))] + \
    [(False, None, "mixed", "sqlserver"), (False, "v3-3-to-3-8", "unsure", "oracle")]


def every_snippet():
    for path in EXAMPLES:
        for inventory in (True, False):
            for s in snippets_of(path, inventory):
                yield f"{path.stem}{'' if inventory else '-no-inventory'}:{s.anchor}", s
    for inv, version, fmt, db in WIDE:
        for s in snippets_for(wide_report(inv, version, fmt, db), KB):
            yield f"wide{'' if inv else '-no-inventory'}-{version}-{fmt}-{db}:{s.anchor}", s


ALL = list(every_snippet())


def test_every_template_line_is_rendered_somewhere() -> None:
    """So every line of the knowledge goes through the checks below."""
    rendered = {(s.pattern, s.template, ln.key, str(ln.why)) for _, s in ALL for ln in s.lines}
    lib = library(KB)
    missing = [(pid, t.id, ln.key, ln.only, ln.since, ln.until) for pid, t in lib.all() for ln in t.lines
               if (pid, t.id, ln.key, ln.why) not in rendered]
    assert missing == []


def test_the_examples_really_produce_snippets() -> None:
    flavours = {s.flavour for _, s in ALL}
    assert flavours == {"java-properties", "librdkafka", "topic-cli", "topic-properties", "connector-json",
                        "connect-worker", "streams"}
    assert len(ALL) > 500
    assert {s.pattern for _, s in ALL} == set(library(KB).templates)
    from_examples = {s.pattern for where, s in ALL if not where.startswith("wide")}
    assert from_examples >= {"durability-baseline", "idempotent-producer", "transactions-exactly-once",
                             "transactional-outbox", "cdc-log-based", "cdc-query-based", "sink-connector",
                             "dead-letter-queue", "smt", "schema-evolution", "hot-cold-data", "request-response",
                             "kafka-connect"}


def test_every_pattern_the_issue_names_has_templates() -> None:
    lib = library(KB)
    assert set(lib.templates) >= {
        "durability-baseline", "idempotent-producer", "transactions-exactly-once", "transactional-outbox",
        "cdc-log-based", "cdc-query-based", "source-connector", "sink-connector", "dead-letter-queue", "smt",
        "schema-evolution", "hot-cold-data", "event-sourcing-snapshots", "request-response", "kafka-connect"}
    flavours = {(pid, t.flavour) for pid, t in lib.all()}
    assert ("transactions-exactly-once", "streams") in flavours
    assert ("transactions-exactly-once", "java-properties") in flavours
    assert ("transactions-exactly-once", "librdkafka") in flavours


# --------------------------------------------------------------------------- librdkafka: the real client

class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


_CLIENT_NO = iter(range(1_000_000))


def client_problems(role: str, config: dict) -> list[str]:
    """Build the real client from `config`; its warnings and errors other than "no broker here".

    A bad name or value or a conflict raises KafkaException at construction (not caught here); a key meant
    for another client type only logs CONFWARN, which is served on the first poll.
    """
    handler = _Collect()
    logger = logging.getLogger(f"kafka-advisor-snippet-check-{next(_CLIENT_NO)}")
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    errors: list[confluent_kafka.KafkaError] = []
    conf = {"bootstrap.servers": "localhost:9092", **config, "logger": logger, "error_cb": errors.append}
    if role == "producer":
        client = confluent_kafka.Producer(conf)
        client.poll(0)
        client.flush(0)
    elif role == "consumer":
        client = confluent_kafka.Consumer(conf)
        client.poll(0)
        client.close()
    else:
        client = AdminClient(conf)
        client.poll(0)
    # librdkafka serves queued log lines on a poll, and a line from another test's client (the audit builds
    # clients without brokers) can arrive here: a warning about a missing bootstrap.servers is never this
    # client's, which always has one.
    records = [r for r in handler.records if "No `bootstrap.servers` configured" not in r.getMessage()]
    problems = [r.getMessage() for r in records if "CONFWARN" in r.getMessage()]
    problems += [r.getMessage() for r in records
                 if r.levelno >= logging.WARNING and "CONFWARN" not in r.getMessage() and not _network(r.getMessage())]
    problems += [str(e) for e in errors if e.code() not in NETWORK_ERRORS]
    return problems


def _network(message: str) -> bool:
    return message.startswith("FAIL ") or "Connection refused" in message or "brokers are down" in message


def librdkafka_config(s) -> dict:
    """The dict in the rendered .py text (it must be a valid Python literal), checked against the structured lines."""
    tree = ast.parse(s.body)
    assigns = [n for n in tree.body if isinstance(n, ast.Assign)]
    assert len(assigns) == 1 and assigns[0].targets[0].id == "config", s.path  # type: ignore[attr-defined]
    config = ast.literal_eval(assigns[0].value)
    assert config == s.config, s.path
    return config


LIBRDKAFKA = [(where, s) for where, s in ALL if s.flavour == "librdkafka"]


@pytest.mark.parametrize(("where", "snippet"), LIBRDKAFKA, ids=[w for w, _ in LIBRDKAFKA])
def test_librdkafka_snippet_builds_a_real_client_without_warnings(where, snippet) -> None:
    assert snippet.role in ("producer", "consumer", "admin")
    assert client_problems(snippet.role, librdkafka_config(snippet)) == []


def test_librdkafka_check_covers_every_role_used() -> None:
    assert {s.role for _, s in LIBRDKAFKA} >= {"producer", "consumer"}
    assert len(LIBRDKAFKA) >= 20


def test_the_client_check_fails_a_key_meant_for_another_client() -> None:
    problems = client_problems("consumer", {"group.id": "g", "linger.ms": 5})
    assert problems and "CONFWARN" in problems[0] and "producer property" in problems[0]
    problems = client_problems("admin", {"group.id": "g"})
    assert problems and "consumer property" in problems[0]
    assert client_problems("producer", {"enable.idempotence": True, "acks": "all"}) == []  # the check can pass


def test_the_client_check_fails_an_unknown_key_and_a_conflict() -> None:
    with pytest.raises(confluent_kafka.KafkaException, match="No such configuration property"):
        client_problems("producer", {"enable.idempotency": True})
    with pytest.raises(confluent_kafka.KafkaException, match="acks"):
        client_problems("producer", {"enable.idempotence": True, "acks": 1})


# --------------------------------------------------------------------------- names against the reference lists


def java_problem(role: str, key: str) -> str | None:
    if key in SR["serde"]:  # the serializer's own settings travel in the client's properties
        return None
    return key_problem(role, key)


def streams_problem(key: str) -> str | None:
    if key in APACHE_SCOPES["streams"]:
        return None
    for prefix, client in (("producer.", "producer"), ("consumer.", "consumer"), ("admin.", "admin"),
                           ("main.consumer.", "consumer"), ("restore.consumer.", "consumer"),
                           ("global.consumer.", "consumer"), ("topic.", "topic")):
        if key.startswith(prefix) and key[len(prefix):] in APACHE_SCOPES[client]:
            return None
    return f"{key!r} is not a Kafka 3.9 streams config"


def worker_problem(key: str) -> str | None:
    if CONFIG_PROVIDER_KEY.match(key):
        return None
    for prefix in ("key.converter.", "value.converter.", "header.converter."):
        if key.startswith(prefix):
            rest = key[len(prefix):]
            return None if rest in JSON_CONVERTER_KEYS or rest in SR["converter"] else f"{key}: unknown converter key"
    return key_problem("connect_worker", key)


def connector_problems(where: str, s) -> list[str]:
    """Keys of a connector config, by its kind: Kafka's connector keys, plus the plugin's sourced list."""
    config = {k: str(v) for k, v in s.config.items()}
    cls = config.get("connector.class", "")
    kind = "sink" if (s.method == "create" and "Sink" in cls) or (s.method == "patch" and s.connector and
                                                                   s.connector.endswith("-sink")) else "source"
    if cls:
        assert cls in CONNECTOR_CLASSES, f"{where}: unknown connector class {cls}"
    plugin: set[str] = set()
    if cls.startswith("io.debezium."):
        plugin = set(DBZ["connector"])
    elif cls == JDBC["connector_classes"]["jdbc_source"]:
        plugin = set(JDBC["jdbc_source"])
    elif cls == JDBC["connector_classes"]["jdbc_sink"]:
        plugin = set(JDBC["jdbc_sink"])
    problems = []
    types = {k.split(".")[1]: v.split("$")[0] for k, v in config.items() if re.fullmatch(r"transforms\.[^.]+\.type", k)}
    preds = {k.split(".")[1]: v for k, v in config.items() if re.fullmatch(r"predicates\.[^.]+\.type", k)}
    for key in config:
        if key in plugin or any(key.startswith(p) for p in DBZ["prefixes"] if cls.startswith("io.debezium.")):
            continue
        if key.startswith("transforms.") and key.count(".") >= 2:
            alias, _, setting = key[len("transforms."):].partition(".")
            known = {**SMT_KEYS, **DEBEZIUM_SMTS}.get(types.get(alias, ""))
            if known is None:
                problems.append(f"{where}: {key}: transform {alias!r} has no known type")
            elif setting not in known:
                problems.append(f"{where}: {key}: {types[alias]} has no setting {setting!r}")
            continue
        if key.startswith("predicates.") and key.count(".") >= 2:
            alias, _, setting = key[len("predicates."):].partition(".")
            known = PREDICATE_KEYS.get(preds.get(alias, ""))
            if known is None or setting not in known:
                problems.append(f"{where}: {key}: unknown predicate setting")
            continue
        if key.startswith("topic.creation.default."):
            if key[len("topic.creation.default."):] not in TOPIC_CREATION_KEYS:
                problems.append(f"{where}: {key}: not a topic config")
            continue
        if key.startswith(("key.converter.", "value.converter.")):
            continue
        p = key_problem(f"{kind}_connector", key)
        if p:
            problems.append(f"{where}: {p}")
    for alias, cls_name in types.items():
        if cls_name not in SMT_KEYS and cls_name not in DEBEZIUM_SMTS:
            problems.append(f"{where}: transforms.{alias}.type: {cls_name} is neither an Apache nor a Debezium SMT")
    for alias, cls_name in preds.items():
        if cls_name not in PREDICATE_KEYS:
            problems.append(f"{where}: predicates.{alias}.type: {cls_name} is not an Apache predicate")
    return problems


def key_problems(where: str, s) -> list[str]:
    if s.flavour == "connector-json":
        return connector_problems(where, s)
    check = {"java-properties": lambda k: java_problem(s.role, k), "streams": streams_problem,
             "connect-worker": worker_problem,
             "topic-cli": lambda k: None if k in ("partitions", "replication.factor") else key_problem("topic", k),
             "topic-properties": lambda k: None if k in ("partitions", "replication.factor") else key_problem("topic", k),
             "librdkafka": lambda k: None}[s.flavour]
    return [f"{where}: {p}" for ln in s.lines if (p := check(ln.key))]


def test_every_key_is_a_real_key() -> None:
    problems = [p for where, s in ALL for p in key_problems(where, s)]
    assert problems == []
    assert sum(len(s.lines) for _, s in ALL if s.flavour != "librdkafka") > 1000


def test_the_key_check_catches_typos() -> None:
    assert java_problem("producer", "enable.idempotency")
    assert worker_problem("value.converter.schemas.enabled")
    assert streams_problem("processing.guarantees")
    assert key_problem("topic", "remote.storage.enabled")


def test_class_names_are_real() -> None:
    known = {*CONNECTOR_CLASSES, *SMT_KEYS, *DEBEZIUM_SMTS, *PREDICATE_KEYS, *SR["classes"], *APACHE_CLASSES}
    for where, s in ALL:
        for ln in s.lines:
            if isinstance(ln.value, str) and re.fullmatch(r"(org|io)\.[a-z]+(\.[A-Za-z0-9]+)+(\$\w+)?", ln.value):
                assert ln.value.split("$")[0] in known, f"{where}: {ln.key}={ln.value}"


# --------------------------------------------------------------------------- stated defaults


def stated_default(s, key: str) -> str | None:
    """The reference table's default for a key of this snippet, as text; None when no table knows it."""
    if s.flavour == "librdkafka":
        table = RDK["consumer" if s.role == "consumer" else "producer"]
        return table.get(key)
    if s.flavour == "java-properties":
        if key in SR["serde"]:
            return SR["serde"][key]
        return _rendered_default(s.role, key)
    scope = {"streams": "streams", "connect-worker": "connect_worker", "topic-cli": "topic",
             "topic-properties": "topic"}.get(s.flavour)
    if scope:
        return _rendered_default(scope, key)
    config = {k: str(v) for k, v in s.config.items()}
    cls = config.get("connector.class", "")
    if key.startswith("transforms.") and key.count(".") >= 2:
        alias, _, setting = key[len("transforms."):].partition(".")
        smt = config.get(f"transforms.{alias}.type", "")
        return DBZ["transforms"].get(smt, {}).get(setting)
    for table, applies in ((DBZ["connector"], cls.startswith("io.debezium.")), (JDBC["jdbc_source"], "JdbcSource" in cls),
                           (JDBC["jdbc_sink"], "JdbcSink" in cls)):
        if applies and key in table:
            return table[key]
    kind = "sink_connector" if (s.connector or "").endswith("-sink") or "Sink" in cls else "source_connector"
    return _rendered_default(kind, key)


def _same(value, table: str) -> bool:
    """'-1 (all)' matches all and -1; '""' matches the empty string."""
    text = _as_text(value)
    options = {table, table.split(" (")[0].strip(), *re.findall(r"\((\w+)\)", table)}
    return text in options or (text == "" and table == '""')


def test_every_stated_default_agrees_with_the_reference_tables() -> None:
    checked, problems = 0, []
    for where, s in ALL:
        for ln in s.lines:
            if ln.default is None:
                continue
            expected = stated_default(s, ln.key)
            if expected is None:
                problems.append(f"{where}: {ln.key}: no reference default known")
                continue
            checked += 1
            if not _same(ln.default, expected):
                problems.append(f"{where}: {ln.key}: the snippet says the default is {ln.default!r}, the table {expected!r}")
    assert problems == []
    assert checked > 300


def test_the_default_check_catches_a_wrong_default() -> None:
    assert not _same(1, "0")
    assert _same("all", "-1 (all)") and _same(5, "5") and _same(True, "true")
    assert _rendered_default("producer", "linger.ms") == "0"  # 3.9; KIP-1030 makes it 5 from 4.0


# --------------------------------------------------------------------------- values from the answers and inventory


def test_every_placeholder_is_resolved() -> None:
    for where, s in ALL:
        for text in (s.text, s.body, s.notes_text or "", s.path):
            left = PLACEHOLDER.findall(text)
            assert left == [], f"{where}: unresolved {left}"
        assert all(isinstance(ln.value, bool | int | float | str) for ln in s.lines)


def test_transactional_ids_are_stable_and_come_from_the_service_name() -> None:
    ids = [(where, ln.value) for where, s in ALL for ln in s.lines if ln.key == "transactional.id"]
    assert len(ids) > 10
    for where, value in ids:
        assert re.fullmatch(r"[a-z0-9-]+-tx-[0-9]+", str(value)), where
        assert not re.search(r"[0-9a-f]{8}-?[0-9a-f]{4}|uuid|random|\$\{|time|date", str(value), re.I), where
    for _, template in library(KB).all():
        for ln in template.lines:
            if ln.key == "transactional.id":
                assert "{service}" in str(ln.value) and not re.search(r"uuid|random|time", str(ln.value), re.I)
    wide = [s.config["transactional.id"] for s in snippets_for(wide_report(True, None), KB)
            if s.flavour == "java-properties" and "transactional.id" in s.config]
    assert wide == ["orders-tx-1", "payments-tx-1"]  # the services that consume and produce, by name


def test_transactional_id_per_processing_service_of_an_inventory() -> None:
    inv = Inventory.model_validate({"services": [
        {"name": "Payment API", "produces": ["payment-requested"]},
        {"name": "Scorer", "consumes": ["payment-requested"], "produces": ["payment-scored"]},
        {"name": "Fraud check", "consumes": ["payment-scored"], "produces": ["payment-flagged"]}]})
    doc = doc_of(ROOT / "examples" / "payments-exactly-once-good-fit.yaml")
    report = evaluate(KB, doc.answers, inventory=inv)
    assert "transactions-exactly-once" in {r.pattern for r in report.recommended}
    ids = {s.targets[0]: s.config["transactional.id"] for s in snippets_for(report, KB)
           if "transactional.id" in s.config and s.flavour == "java-properties"}
    assert ids == {"Scorer": "scorer-tx-1", "Fraud check": "fraud-check-tx-1"}
    streams = {s.targets[0]: s.config["application.id"] for s in snippets_for(report, KB) if s.flavour == "streams"}
    assert streams == {"Scorer": "scorer", "Fraud check": "fraud-check"}


def test_twelve_services_one_outbox_connector_per_producing_database() -> None:
    doc = doc_of(TWELVE)
    inv = doc.inventory
    assert inv is not None
    snippets = snippets_of(TWELVE)
    outbox = [s for s in snippets if s.pattern == "transactional-outbox"]
    expected = parts_for(inv, "producer-database")
    assert [s.targets[0] for s in outbox] == expected and len(expected) == 9
    for s, svc in zip(outbox, [x for x in inv.databases() if x.produces], strict=True):
        body = json.loads(s.body)
        assert body["name"] == f"{svc.name}-outbox" == s.connector
        assert body["config"]["topic.prefix"] == svc.name
        assert body["config"]["slot.name"] == f"{svc.name}_outbox"
        assert body["config"]["connector.class"] == "io.debezium.connector.postgresql.PostgresConnector"
        assert body["config"]["transforms.outbox.type"] == "io.debezium.transforms.outbox.EventRouter"
        topics = ",".join(topic_name(e) for e in svc.produces)
        assert any(topics in h for h in s.header), (s.header, topics)
    assert len({json.loads(s.body)["config"]["slot.name"] for s in outbox}) == 9


def test_twelve_services_topics_come_from_the_events_and_one_sink_per_sink_system() -> None:
    inv = doc_of(TWELVE).inventory
    assert inv is not None
    snippets = snippets_of(TWELVE)
    events = tuple(topic_name(e) for e in inv.events())
    topic_cli = [s for s in snippets if s.flavour == "topic-cli" and s.pattern in ("durability-baseline", "hot-cold-data")]
    assert topic_cli and all(s.topics == events for s in topic_cli)
    sinks = [s for s in snippets if s.pattern == "sink-connector"]
    assert [s.targets[0] for s in sinks] == parts_for(inv, "sink") == ["Analytics warehouse"]
    body = json.loads(sinks[0].body)
    warehouse = next(x for x in inv.externals if x.name == "Analytics warehouse")
    assert body["name"] == "analytics-warehouse-sink"
    assert body["config"]["topics"] == ",".join(topic_name(e) for e in warehouse.events)
    dlq = [s for s in snippets if s.pattern == "dead-letter-queue" and s.flavour == "connector-json"]
    assert [s.connector for s in dlq] == ["analytics-warehouse-sink"]
    assert json.loads(dlq[0].body)["errors.deadletterqueue.topic.name"] == "dlq.analytics-warehouse-sink"
    dlq_topics = [s for s in snippets if s.pattern == "dead-letter-queue" and s.flavour == "topic-cli"]
    assert dlq_topics[0].topics == ("dlq.analytics-warehouse-sink",)


def test_without_inventory_every_example_still_yields_snippets() -> None:
    lib = library(KB)
    for path in EXAMPLES:
        report = report_of(path, False)
        listed = [p for r in report.recommended for p in (r.pattern, *r.includes)]  # contained ones apply too
        with_templates = [p for p in listed if p in lib.templates]
        snippets = snippets_of(path, False)
        assert bool(snippets) == bool(with_templates), path.name
        assert {s.pattern for s in snippets} == set(with_templates), path.name
        system = re.sub(r"[^a-z0-9]+", "-", (KB.system_name(report.answers) or "app").lower()).strip("-")
        for s in snippets:
            if s.connector:
                assert s.connector.startswith(system), (path.name, s.connector)


def test_core_and_baseline_come_before_later_and_later_is_marked() -> None:
    rank = {"core": 0, "baseline": 1, "later": 2}
    for path in EXAMPLES:
        tiers = [rank[s.tier] for s in snippets_of(path)]
        assert tiers == sorted(tiers), path.name
    later = [s for _, s in ALL if s.tier == "later"]
    assert later and all(any("later" in h and "worth it when" in h for h in s.header) for s in later)


def test_snippets_are_deterministic() -> None:
    report = report_of(TWELVE)
    assert [s.to_json() for s in snippets_for(report, KB)] == [s.to_json() for s in snippets_for(report, KB)]
    assert snippet_files(report, KB) == snippet_files(report, KB)


def test_flavour_filter() -> None:
    only = snippets_for(report_of(TWELVE), KB, flavours=["connector-json"])
    assert only and {s.flavour for s in only} == {"connector-json"}
    assert snippets_for(report_of(TWELVE), KB, flavours=[]) == []


# --------------------------------------------------------------------------- formats


def test_connector_json_parses_and_holds_strings() -> None:
    checked = 0
    for where, s in ALL:
        if s.flavour != "connector-json":
            continue
        doc = json.loads(s.body)
        config = doc["config"] if s.method == "create" else doc
        if s.method == "create":
            assert set(doc) == {"name", "config"} and doc["name"] == s.connector, where
            assert "connector.class" in config, where
        assert all(isinstance(v, str) for v in config.values()), where
        assert config == {k: _as_text(v) for k, v in s.config.items()}, where
        assert s.notes_text and all(ln.key in s.notes_text for ln in s.lines), where
        checked += 1
    assert checked > 20


def test_topic_cli_lines_parse_and_use_only_topic_configs() -> None:
    checked = 0
    for where, s in ALL:
        if s.flavour != "topic-cli":
            continue
        commands = [line for line in s.body.splitlines() if line and not line.startswith("#")]
        assert len(commands) == len(s.topics) >= 1, where
        for command, topic in zip(commands, s.topics, strict=True):
            args = shlex.split(command)
            assert args[:2] == ["kafka-topics.sh", "--bootstrap-server"] and "--create" in args, where
            assert args[args.index("--topic") + 1] == topic
            assert re.fullmatch(r"[a-zA-Z0-9._-]{1,249}", topic), where
            assert int(args[args.index("--partitions") + 1]) >= 1
            assert args[args.index("--replication-factor") + 1] == "3"
            configs = [args[i + 1] for i, a in enumerate(args) if a == "--config"]
            for c in configs:
                key, _, value = c.partition("=")
                assert key in APACHE_SCOPES["topic"] and value, (where, c)
            checked += 1
    assert checked > 30


def test_properties_text_reads_back_to_the_lines() -> None:
    for where, s in ALL:
        if s.flavour not in ("java-properties", "topic-properties", "connect-worker", "streams"):
            continue
        pairs = {}
        for line in s.body.splitlines():
            if line and not line.startswith("#"):
                key, _, value = line.partition("=")
                pairs[key] = value.replace("\\\\", "\\")
        expected = {ln.key: _as_text(ln.value) for ln in s.lines
                    if not (s.flavour == "topic-properties" and ln.key in ("partitions", "replication.factor"))}
        assert pairs == expected, where


def test_every_line_has_a_why_and_a_valid_section_in_its_comment() -> None:
    from kafka_advisor.chapter import SECTIONS

    for where, s in ALL:
        comments = " ".join(line.strip().lstrip("#").strip() for line in s.text.splitlines() if line.strip().startswith("#"))
        for ln in s.lines:
            assert ln.why and ln.refs and all(r in SECTIONS for r in ln.refs), where
            assert ln.comment() in comments, (where, ln.key)
            assert all(n in comments for n in ln.notes), (where, ln.key)


def test_mask_field_is_guarded_against_tombstones_and_runs_after_unwrap() -> None:
    masks = 0
    for path in EXAMPLES:
        for inventory in (True, False):
            snippets = snippets_of(path, inventory)
            classes = {s.connector: str(s.config.get("connector.class", "")) for s in snippets if s.method == "create"}
            created = {s.connector: [a for a in str(s.config.get("transforms", "")).split(",") if a]
                       for s in snippets if s.method == "create"}
            for s in snippets:
                config = {k: _as_text(v) for k, v in s.config.items()}
                for key, value in config.items():
                    if not (re.fullmatch(r"transforms\.[^.]+\.type", key) and value.startswith(
                            "org.apache.kafka.connect.transforms.MaskField")):
                        continue
                    alias = key.split(".")[1]
                    predicate = config[f"transforms.{alias}.predicate"]
                    assert config[f"predicates.{predicate}.type"].endswith("RecordIsTombstone"), s.path
                    assert config[f"transforms.{alias}.negate"] == "true", s.path
                    chain = config["transforms"].split(",")
                    own = created.get(s.connector, []) if s.method == "patch" else []
                    assert chain[:len(own)] == own, s.path  # a PATCH replaces the list: it keeps the connector's own
                    assert chain[len(own):] == [k.split(".")[1] for k in config
                                                if re.fullmatch(r"transforms\.[^.]+\.type", k)], s.path
                    target = classes.get(s.connector, "") if s.method == "patch" else config.get("connector.class", "")
                    if target.startswith("io.debezium."):
                        unwraps = [a for a in chain if config.get(f"transforms.{a}.type") ==
                                   "io.debezium.transforms.ExtractNewRecordState"]
                        assert unwraps and chain.index(unwraps[0]) < chain.index(alias), s.path
                        masks += 1
    assert masks >= 2


def test_no_compacted_topic_is_tiered() -> None:
    for where, s in ALL:
        config = {k: _as_text(v) for k, v in s.config.items()}
        if "compact" in config.get("cleanup.policy", ""):
            assert config.get("remote.storage.enable", "false") == "false", where


def test_errors_tolerance_all_comes_with_a_dead_letter_topic() -> None:
    for where, s in ALL:
        config = {k: _as_text(v) for k, v in s.config.items()}
        if config.get("errors.tolerance") == "all":
            assert config.get("errors.deadletterqueue.topic.name", "").startswith("dlq."), where
            assert config.get("errors.deadletterqueue.context.headers.enable") == "true", where


# --------------------------------------------------------------------------- the user's Kafka version

# Written first, from the sources in the snippet files: the 4.x facts a snippet must mention for a 4.x user.
EXPECTED_4X = {
    ("idempotent-producer", "java-properties-producer", "linger.ms"): "KIP-1030",
    ("idempotent-producer", "java-properties-producer", "max.in.flight.requests.per.connection"): "fails at startup",
    ("transactions-exactly-once", "streams", "processing.guarantee"): "removed in 4.0",
    ("transactions-exactly-once", "java-properties-producer", "transactional.id"): "KIP-890",
}
EXPECTED_3_0_TO_3_1 = {
    ("idempotent-producer", "java-properties-producer", "enable.idempotence"): "KAFKA-13598",
    ("durability-baseline", "java-properties-producer", "enable.idempotence"): "KAFKA-13598",
}
CUSTOMER360 = ROOT / "examples" / "cdc-customer360-good-fit.yaml"  # recommends idempotence and transactions
REQUEST_REPLY = ROOT / "examples" / "event-sourced-ledger-caveats.yaml"  # recommends request-response


def notes_of(snippets, pattern: str, template: str, key: str) -> str:
    found = [" ".join(ln.notes) for s in snippets if s.pattern == pattern and s.template == template
             for ln in s.lines if ln.key == key]
    assert found, (pattern, template, key)
    return " ".join(found)


@pytest.mark.parametrize("version", ["v4-0", "v4-1", "v4-2", "v4-3-plus"])
def test_4x_answers_get_the_4x_comments(version: str) -> None:
    snippets = snippets_of(CUSTOMER360, True, kafka_status="running", kafka_version=version)
    for (pattern, template, key), words in EXPECTED_4X.items():
        assert words in notes_of(snippets, pattern, template, key), (version, key)
    rr = snippets_of(REQUEST_REPLY, True, kafka_status="running", kafka_version=version)
    assert "KIP-1030" in notes_of(rr, "request-response", "java-properties-producer", "linger.ms")


def test_3_9_answers_get_no_4x_comments() -> None:
    snippets = snippets_of(CUSTOMER360, True, kafka_status="running", kafka_version="v3-9")
    for (pattern, template, key), words in {**EXPECTED_4X, **EXPECTED_3_0_TO_3_1}.items():
        assert words not in notes_of(snippets, pattern, template, key), key
    assert all("4.0+" not in n for s in snippets for ln in s.lines for n in ln.notes)
    rr = snippets_of(REQUEST_REPLY, True, kafka_status="running", kafka_version="v3-9")
    assert "KIP-1030" not in notes_of(rr, "request-response", "java-properties-producer", "linger.ms")


def test_3_0_and_3_1_answers_get_the_kafka_13598_comment() -> None:
    snippets = snippets_of(CUSTOMER360, True, kafka_status="running", kafka_version="v3-0-to-3-1")
    for (pattern, template, key), words in EXPECTED_3_0_TO_3_1.items():
        assert words in notes_of(snippets, pattern, template, key)
    assert "KIP-1030" not in notes_of(snippets, "idempotent-producer", "java-properties-producer", "linger.ms")


def test_versions_before_3_0_get_the_old_streams_guarantee_and_no_exactly_once_source() -> None:
    snippets = snippets_of(CUSTOMER360, True, kafka_status="running", kafka_version="pre-3-0")
    streams = next(s for s in snippets if s.flavour == "streams")
    assert streams.config["processing.guarantee"] == "exactly_once_beta"
    modern = snippets_of(CUSTOMER360, True, kafka_status="running", kafka_version="v3-9")
    assert next(s for s in modern if s.flavour == "streams").config["processing.guarantee"] == "exactly_once_v2"
    assert "acks=1" in notes_of(snippets, "durability-baseline", "java-properties-producer", "acks")


def test_unknown_version_is_written_for_a_current_release_and_unsure_shows_every_note() -> None:
    given = snippets_of(CUSTOMER360, True, kafka_status="running", kafka_version="v4-1")
    unknown = snippets_of(ROOT / "examples" / "payments-exactly-once-good-fit.yaml")
    assert kafka_version(KB, report_of(ROOT / "examples" / "payments-exactly-once-good-fit.yaml").answers).answer is None
    assert "removed in 4.0" in notes_of(unknown, "transactions-exactly-once", "streams", "processing.guarantee")
    unsure = snippets_of(CUSTOMER360, True, kafka_status="running", kafka_version="unsure")
    assert "KAFKA-13598" in notes_of(unsure, "idempotent-producer", "java-properties-producer", "enable.idempotence")
    assert "KIP-1030" in notes_of(unsure, "idempotent-producer", "java-properties-producer", "linger.ms")
    assert len([n for s in unsure for ln in s.lines for n in ln.notes]) > \
        len([n for s in given for ln in s.lines for n in ln.notes])


def test_exactly_once_source_support_needs_3_3() -> None:
    old = snippets_of(CUSTOMER360, True, kafka_status="running", kafka_version="v3-2")
    new = snippets_of(CUSTOMER360, True, kafka_status="running", kafka_version="v3-9")
    worker = lambda snippets: next(s for s in snippets if s.flavour == "connect-worker").config  # noqa: E731
    assert "exactly.once.source.support" not in worker(old)
    assert worker(new)["exactly.once.source.support"] == "enabled"


# --------------------------------------------------------------------------- files, links, loading, CLI


def test_snippet_files_for_the_zip() -> None:
    files = snippet_files(report_of(TWELVE), KB)
    snippets = snippets_of(TWELVE)
    assert "configs/README.txt" in files
    for s in snippets:
        assert s.path.startswith(f"configs/{s.pattern}/") and files[s.path] == s.body.encode("utf-8")
        if s.flavour == "connector-json":
            json.loads(files[s.path])
            assert s.path.removesuffix(".json") + ".notes.txt" in files
    assert len({s.path for s in snippets}) == len(snippets)
    for args in WIDE:
        wide = snippets_for(wide_report(*args), KB)
        assert len({s.path for s in wide}) == len(wide) and len({s.anchor for s in wide}) == len(wide), args
    assert len(files) == len(snippets) + sum(s.flavour == "connector-json" for s in snippets) + 1
    assert snippet_files(report_of(ROOT / "examples" / "crud-app-poor-fit.yaml"), KB) == {}


def test_checklist_items_link_to_their_snippets() -> None:
    lib = library(KB)
    anchors = {lib.anchor(pid, t) for pid, t in lib.all()}
    links = snippet_links(KB)
    assert links and set(links.values()) <= anchors
    for _, t in lib.all():
        for item in t.items:
            assert item in KB.items
            assert snippet_for_item(item, KB) is not None
    assert snippet_for_item("idem-enable-explicitly", KB) == "snippet-idempotent-producer-java-properties-producer"
    assert snippet_for_item("outbox-same-db-transaction", KB) is None  # no config: nothing to paste
    assert snippet_for_item("no-such-item", KB) is None
    rendered = {s.group_anchor for _, s in ALL}
    assert "snippet-transactional-outbox-connector-json" in rendered


def test_every_item_whose_keys_a_snippet_sets_is_linked() -> None:
    lib = library(KB)
    links = snippet_links(KB)
    missing = []
    for item_id, (pid, item) in KB.items.items():
        keys = {k for values in item.config.values() for k in values}
        sets_a_key = any(keys & {ln.key for ln in t.lines} for t in lib.templates.get(pid, []))
        if sets_a_key and item_id not in links:
            missing.append(item_id)
    assert missing == []


def test_snippets_load_lazily_and_only_once() -> None:
    code = ("import sys; from kafka_advisor.loader import load_kb; kb = load_kb(); "
            "assert 'kafka_advisor.snippet_model' not in sys.modules, 'loaded with the knowledge base'; "
            "from kafka_advisor.snippet_model import library; assert library(kb) is library(kb)")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr


def _broken(tmp_path: Path, name: str, text: str) -> str:
    (tmp_path / "snippets").mkdir(exist_ok=True)
    (tmp_path / "snippets" / name).write_text(text, encoding="utf-8")
    kb = dataclasses.replace(KB, root=tmp_path)
    with pytest.raises(KnowledgeBaseError) as exc:
        load_snippets(kb)
    return "\n".join(e.one_line() for e in exc.value.errors)


GOOD = """pattern: idempotent-producer
sources: [a source]
snippets:
  - id: java
    flavour: java-properties
    role: producer
    title: A title
    lines:
      - {key: acks, value: all, why: A reason., refs: ["7.4.1"]}
"""


def test_a_good_file_loads(tmp_path: Path) -> None:
    (tmp_path / "snippets").mkdir()
    (tmp_path / "snippets" / "idempotent-producer.yaml").write_text(GOOD, encoding="utf-8")
    lib = load_snippets(dataclasses.replace(KB, root=tmp_path))
    assert [t.id for t in lib.templates["idempotent-producer"]] == ["java"]


@pytest.mark.parametrize(("change", "message"), [
    (("flavour: java-properties", "flavor: java-properties"), r"snippets\[0\]\.flavor: unknown field 'flavor'"),
    (('refs: ["7.4.1"]', 'refs: ["7.9.9"]'), r"unknown chapter section '7\.9\.9'"),
    (("value: all", "value: '{servise}'"), r"unknown placeholder \{servise\}"),
    (("    role: producer\n", ""), r"role is for java-properties and librdkafka only"),
    (("    lines:", "    items: [no-such-item]\n    lines:"), r"unknown checklist item 'no-such-item'"),
    (("    lines:", "    only: [postgres]\n    lines:"), r"unknown tag 'postgres'"),
    (("pattern: idempotent-producer", "pattern: idempotent-producers"), r"differs from the file name"),
])
def test_a_broken_file_gives_one_line_with_file_line_and_column(tmp_path: Path, change, message) -> None:
    text = _broken(tmp_path, "idempotent-producer.yaml", GOOD.replace(*change))
    assert re.search(r"^snippets/idempotent-producer\.yaml:\d+:\d+: ", text), text
    assert re.search(message, text), text
    assert "Traceback" not in text


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kafka_advisor", "configs", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)


def test_cli_prints_snippets_as_text_and_json() -> None:
    out = run_cli(str(TWELVE), "--flavor", "connector-json,topic-cli")
    assert out.returncode == 0, out.stderr
    assert "# ===== configs/transactional-outbox/connector-json.orders-outbox.json" in out.stdout
    assert "kafka-topics.sh --bootstrap-server" in out.stdout and "java-properties" not in out.stdout
    out = run_cli(str(TWELVE), "--format", "json", "--flavor", "librdkafka")
    doc = json.loads(out.stdout)
    assert doc["snippets"] and {s["flavour"] for s in doc["snippets"]} == {"librdkafka"}


@pytest.mark.parametrize(("args", "message"), [
    (("--flavor", "yaml"), "unknown flavour 'yaml', expected one of: java-properties"),
    (("--format", "xml"), "unknown format 'xml', expected text or json"),
])
def test_cli_bad_options_are_one_line_and_exit_2(args, message) -> None:
    out = run_cli(str(TWELVE), *args)
    assert out.returncode == 2 and out.stdout == ""
    assert out.stderr.count("\n") == 1 and message in out.stderr


def test_cli_bad_answers_file_is_one_line_and_exit_2(tmp_path: Path) -> None:
    out = run_cli(str(tmp_path / "missing.yaml"))
    assert out.returncode == 2 and out.stderr.count("\n") == 1 and "missing.yaml" in out.stderr
    bad = tmp_path / "bad.yaml"
    bad.write_text("answers: {kafka_version: v9-9}\n", encoding="utf-8")
    out = run_cli(str(bad))
    assert out.returncode == 2 and out.stderr.count("\n") == 1 and "bad.yaml:1:" in out.stderr


def test_names_in_the_reference_lists_are_sourced() -> None:
    for data in (DBZ, JDBC, SR, RDK):
        assert data["_source"]["repo"] and data["_source"]["method"]
        assert data["_source"].get("commit") or data["_source"].get("tag")
    assert NAMES["_source"]["tag"] == "3.9.0-rc3" and DEFAULTS["_source"]
