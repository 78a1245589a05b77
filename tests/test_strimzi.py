"""Strimzi export: every resource validates against the shipped CRDs' openAPIV3Schema; names follow a stated rule."""

from __future__ import annotations

import copy
import re
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from kafka_advisor.configs import snippets_for
from kafka_advisor.engine import evaluate
from kafka_advisor.exports import EXPORTERS, ExportContext, export, filename
from kafka_advisor.exports.strimzi import API_VERSION, FORBIDDEN_CONNECTOR_KEYS
from kafka_advisor.inventory import Inventory, topic_name
from kafka_advisor.loader import KnowledgeBase, load_answers_doc
from kafka_advisor.names import is_k8s_name, k8s_names, topic_clashes

ROOT = Path(__file__).resolve().parent.parent
CRDS = ROOT / "tests" / "reference" / "strimzi"
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
TWELVE = ROOT / "examples" / "order-platform-12-services-good-fit.yaml"
LABEL_VALUE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")


@cache
def crd(kind: str) -> tuple[str, dict[str, Any]]:
    """(apiVersion, openAPIV3Schema) of the version the CRD serves and stores."""
    for path in CRDS.glob("*.yaml"):
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        if doc["spec"]["names"]["kind"] == kind:
            [version] = [v for v in doc["spec"]["versions"] if v["served"] and v["storage"]]
            return f"{doc['spec']['group']}/{version['name']}", version["schema"]["openAPIV3Schema"]
    raise AssertionError(f"no CRD for {kind} in {CRDS}")


def undeclared(value: Any, schema: dict[str, Any], path: str = "") -> list[str]:
    """Fields a structural schema does not declare: the API server would silently prune (drop) them."""
    if isinstance(value, dict) and "properties" in schema and not schema.get("x-kubernetes-preserve-unknown-fields"):
        out = [f"{path}.{k}" for k in value if k not in schema["properties"]]
        return out + [x for k, v in value.items() if k in schema["properties"]
                      for x in undeclared(v, schema["properties"][k], f"{path}.{k}")]
    if isinstance(value, list) and "items" in schema:
        return [x for i, v in enumerate(value) for x in undeclared(v, schema["items"], f"{path}[{i}]")]
    return []


def check(doc: dict[str, Any]) -> None:
    """What the API server checks: the schema, no pruned fields, a DNS-1123 name, a valid label value."""
    version, schema = crd(doc["kind"])
    assert doc["apiVersion"] == version
    jsonschema.validate(doc, schema)
    assert undeclared(doc, schema) == []
    assert is_k8s_name(doc["metadata"]["name"]), doc["metadata"]["name"]
    assert all(len(v) <= 63 and LABEL_VALUE.fullmatch(v) for v in doc["metadata"]["labels"].values())


def _report(kb: KnowledgeBase, path: Path, inventory: Inventory | None = None):
    doc = load_answers_doc(kb, path)
    return evaluate(kb, doc.answers, inventory=inventory or doc.inventory), doc.title


def _docs(kb: KnowledgeBase, path: Path, inventory: Inventory | None = None) -> tuple[str, list[dict[str, Any]]]:
    report, title = _report(kb, path, inventory)
    text = export("strimzi", ExportContext(report=report, kb=kb, title=title)).decode("utf-8")
    return text, [d for d in yaml.safe_load_all(text) if d is not None]


def test_api_version_is_what_the_crds_serve() -> None:
    assert crd("KafkaTopic")[0] == crd("KafkaConnector")[0] == API_VERSION == "kafka.strimzi.io/v1"


def test_registered_with_a_download_name() -> None:
    assert EXPORTERS["strimzi"].extension == "yaml"
    assert filename("strimzi") == "strimzi.yaml"


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_every_example_validates(kb: KnowledgeBase, path: Path) -> None:
    text, docs = _docs(kb, path)
    assert text.startswith("# Strimzi resources for ")
    assert "Cruise Control" in text and "can only grow" in text
    for doc in docs:
        check(doc)
        if doc["kind"] == "KafkaConnector":
            assert doc["spec"]["class"] and not set(FORBIDDEN_CONNECTOR_KEYS) & set(doc["spec"]["config"])
    report, _ = _report(kb, path)
    if report.verdict.decision == "do-not-adopt" and not report.recommended:
        assert docs == [] and "No resources" in text
    else:
        assert any(d["kind"] == "KafkaTopic" for d in docs)
    if report.inventory is None:
        assert "EXAMPLE topic" in text or not docs


def test_twelve_services_resources(kb: KnowledgeBase) -> None:
    _, docs = _docs(kb, TWELVE)
    report, _ = _report(kb, TWELVE)
    topics = {d["spec"].get("topicName", d["metadata"]["name"]): d for d in docs if d["kind"] == "KafkaTopic"}
    events = {topic_name(e) for e in report.inventory.events()}  # type: ignore[union-attr]
    internal = {"order-platform-connect-configs", "order-platform-connect-offsets", "order-platform-connect-status"}
    assert set(topics) == events | {"dlq.analytics-warehouse-sink"} | internal
    assert len([d for d in docs if d["kind"] == "KafkaTopic"]) == len(topics)  # one each
    assert topics["order-platform-connect-configs"]["spec"]["partitions"] == 1
    assert topics["order-placed"]["spec"]["config"]["remote.storage.enable"] is True
    assert all(topics[e]["spec"]["replicas"] == 3 and topics[e]["spec"]["config"]["min.insync.replicas"] == 2
               for e in events)
    creates = [s for s in snippets_for(report, kb, flavours=["connector-json"]) if s.method == "create"]
    connectors = {d["metadata"]["name"]: d for d in docs if d["kind"] == "KafkaConnector"}
    assert set(connectors) == {s.connector for s in creates}
    assert len(connectors) == 10 and sum(n.endswith("-outbox") for n in connectors) == 9
    sink = connectors["analytics-warehouse-sink"]["spec"]
    assert sink["tasksMax"] == 6 and sink["config"]["errors.deadletterqueue.topic.name"] == "dlq.analytics-warehouse-sink"


# --------------------------------------------------------------------------- negative cases: the validator can fail


def _topic(kb: KnowledgeBase) -> dict[str, Any]:
    return next(d for d in _docs(kb, TWELVE)[1] if d["kind"] == "KafkaTopic")


@pytest.mark.parametrize("breakage", ["partitions-as-string", "zero-partitions", "no-spec", "replicas-too-many"])
def test_broken_topic_fails(kb: KnowledgeBase, breakage: str) -> None:
    doc = copy.deepcopy(_topic(kb))
    if breakage == "partitions-as-string":
        doc["spec"]["partitions"] = "6"
    elif breakage == "zero-partitions":
        doc["spec"]["partitions"] = 0
    elif breakage == "no-spec":
        del doc["spec"]
    else:
        doc["spec"]["replicas"] = 40_000
    with pytest.raises(jsonschema.ValidationError):
        check(doc)


def test_broken_connector_fails(kb: KnowledgeBase) -> None:
    doc = copy.deepcopy(next(d for d in _docs(kb, TWELVE)[1] if d["kind"] == "KafkaConnector"))
    doc["spec"]["state"] = "sleeping"  # the CRD's enum: paused, stopped, running
    with pytest.raises(jsonschema.ValidationError):
        check(doc)


def test_unknown_spec_field_would_be_pruned(kb: KnowledgeBase) -> None:
    # The CRD does not forbid unknown fields (no additionalProperties: false): jsonschema passes them and the
    # API server silently prunes them. The pruning check is what catches a misspelt field.
    doc = copy.deepcopy(_topic(kb))
    doc["spec"]["partition"] = 6
    jsonschema.validate(doc, crd("KafkaTopic")[1])
    assert undeclared(doc, crd("KafkaTopic")[1]) == [".spec.partition"]
    with pytest.raises(AssertionError):
        check(doc)


def test_bad_name_fails(kb: KnowledgeBase) -> None:
    doc = copy.deepcopy(_topic(kb))
    doc["metadata"]["name"] = "Order_Placed"
    with pytest.raises(AssertionError):
        check(doc)


# --------------------------------------------------------------------------- names


def test_valid_names_are_kept() -> None:
    assert [(n.name, n.lossy) for n in k8s_names(["order-placed", "dlq.orders-sink", "a.b.c"])] == [
        ("order-placed", False), ("dlq.orders-sink", False), ("a.b.c", False)]


@pytest.mark.parametrize("topic", ["Order_Placed", "order__placed", "-x-", "..a..", "_", "A" * 249, "x.-y", "9_"])
def test_invalid_names_become_valid(topic: str) -> None:
    [n] = k8s_names([topic])
    assert n.lossy and is_k8s_name(n.name) and n.topic == topic and re.search(r"-[0-9a-f]{8}$", n.name)


def test_names_that_normalise_alike_never_collide() -> None:
    topics = ["order_placed", "Order_Placed", "order-placed", "order--placed", "ORDER_PLACED"]
    names = k8s_names(topics)
    assert len({n.name for n in names}) == len(topics)
    assert [n.lossy for n in names] == [True, True, False, False, True]  # "--" is allowed inside a label
    assert all(is_k8s_name(n.name) for n in names)


def test_export_tells_the_user(kb: KnowledgeBase) -> None:
    base = load_answers_doc(kb, TWELVE).inventory
    assert base is not None
    data = base.model_dump(mode="json")
    data["services"][0]["produces"] += ["order_placed", "Order Placed", "order.placed"]
    inv = Inventory.model_validate(data)
    clashes = topic_clashes(inv)
    assert any("'Order Placed'" in c and "'order-placed'" in c for c in clashes)  # share one topic: said
    assert any("'.' and '_'" in c for c in clashes)
    text, docs = _docs(kb, TWELVE, inv)
    for doc in docs:
        check(doc)
    renamed = [d for d in docs if d["kind"] == "KafkaTopic" and "topicName" in d["spec"]]
    assert [d["spec"]["topicName"] for d in renamed] == ["order_placed"]
    assert renamed[0]["metadata"]["name"] != "order-placed"
    assert "Renamed for Kubernetes" in text and "'order_placed'" in text
    assert "would share one topic" in text and "collide" in text
