"""The AsyncAPI 3.0 export: every example passes the official parser (@asyncapi/parser, with the Avro schema
parser) and the official AsyncAPI 3.0.0 JSON Schema (@asyncapi/specs, which bundles the Kafka bindings); a
broken document fails both. The Node.js tools are installed locally by scripts/ensure-node.sh."""

from __future__ import annotations

import copy
import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from kafka_advisor import engine
from kafka_advisor.exports import ExportContext, export
from kafka_advisor.exports.asyncapi import Ids, avro_name
from kafka_advisor.inventory import External, Inventory, Service, topic_name
from kafka_advisor.loader import KnowledgeBase, load_answers_doc

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
TWELVE = ROOT / "examples" / "order-platform-12-services-good-fit.yaml"
SCHEMA = ROOT / "node_modules" / "@asyncapi" / "specs" / "schemas" / "3.0.0.json"
VALIDATE = ROOT / "scripts" / "validate-asyncapi.mjs"
ID = re.compile(r"^[A-Za-z0-9_\-]+$")
HOSTILE = ['"]; click x "javascript:alert(1)"', "<script>alert(1)</script>", "a.b", "a_b", "A B"]


def ensure_node() -> None:
    if shutil.which("node") is None or shutil.which("npm") is None:
        pytest.fail("node/npm not on PATH: the AsyncAPI parser cannot run (install Node.js 20+)")
    done = subprocess.run([str(ROOT / "scripts" / "ensure-node.sh")], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr + done.stdout


def document_for(kb: KnowledgeBase, path: Path, inventory: Inventory | None = None) -> dict[str, Any]:
    doc = load_answers_doc(kb, path)
    report = engine.evaluate(kb, doc.answers, inventory=inventory or doc.inventory)
    return yaml.safe_load(export("asyncapi", ExportContext(report, kb, title=doc.title)))


def hostile_inventory() -> Inventory:
    services = [Service(name=name, database="postgresql", produces=[f"{name} happened"],
                        consumes=[f"{HOSTILE[(i + 1) % len(HOSTILE)]} happened"])
                for i, name in enumerate(HOSTILE)]
    return Inventory(services=services,
                     externals=[External(name="<b>warehouse</b>", kind="warehouse", events=[f"{HOSTILE[0]} happened"])])


@pytest.fixture(scope="module")
def documents(kb: KnowledgeBase) -> dict[str, dict[str, Any]]:
    docs = {p.stem: document_for(kb, p) for p in EXAMPLES}
    docs["hostile-names"] = document_for(kb, TWELVE, hostile_inventory())
    return docs


@pytest.fixture(scope="module")
def schema() -> jsonschema.Draft7Validator:
    ensure_node()
    return jsonschema.Draft7Validator(json.loads(SCHEMA.read_text(encoding="utf-8")))


def parse(tmp: Path, docs: dict[str, Any]) -> tuple[int, dict[str, list[dict[str, Any]]]]:
    """Run @asyncapi/parser over the documents in one node process: (exit code, {name: diagnostics})."""
    ensure_node()
    files = {}
    for name, doc in docs.items():
        files[name] = tmp / f"{name}.yaml"
        files[name].write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True), encoding="utf-8")
    done = subprocess.run(["node", str(VALIDATE), *map(str, files.values())], capture_output=True, text=True,
                          timeout=300, cwd=ROOT)
    out = json.loads(done.stdout)
    return done.returncode, {name: out[str(path)] for name, path in files.items()}


def errors(diagnostics: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [d for d in diagnostics if d["severity"] == "error"]


def test_every_example_passes_the_asyncapi_parser(documents: dict[str, Any], tmp_path: Path) -> None:
    code, diagnostics = parse(tmp_path, documents)
    assert {n: errors(d) for n, d in diagnostics.items() if errors(d)} == {}
    assert code == 0


@pytest.mark.parametrize("name", [p.stem for p in EXAMPLES] + ["hostile-names"])
def test_every_example_passes_the_json_schema(documents: dict[str, Any], schema: jsonschema.Draft7Validator,
                                              name: str) -> None:
    assert [e.message for e in schema.iter_errors(documents[name])] == []


def _broken(documents: dict[str, Any]) -> dict[str, Any]:
    base = documents["order-platform-good-fit"]
    bad_binding = copy.deepcopy(base)
    binding = next(iter(bad_binding["channels"].values()))["bindings"]["kafka"]
    binding["partitions"] = "six"  # not an integer
    binding["retentionMs"] = 1  # not a field of binding 0.5.0 (additionalProperties: false)
    no_version = copy.deepcopy(base)
    del no_version["asyncapi"]
    return {"bad-binding": bad_binding, "no-version": no_version}


def test_broken_documents_fail_the_parser(documents: dict[str, Any], tmp_path: Path) -> None:
    code, diagnostics = parse(tmp_path, _broken(documents))
    assert code == 1
    assert all(errors(d) for d in diagnostics.values()), diagnostics


def _messages(error: jsonschema.ValidationError) -> list[str]:
    return [error.message, *(m for sub in error.context for m in _messages(sub))]


def test_broken_documents_fail_the_json_schema(documents: dict[str, Any], schema: jsonschema.Draft7Validator) -> None:
    broken = _broken(documents)
    # the errors come from inside the Kafka 0.5.0 channel binding, which the bundled schema references by $id
    found = [m for e in schema.iter_errors(broken["bad-binding"]) for m in _messages(e)]
    assert any("'six' is not of type 'integer'" in m for m in found), found
    assert any("retentionMs" in m for m in found), found
    assert any("asyncapi" in e.message for e in schema.iter_errors(broken["no-version"]))


def test_twelve_services_channels_operations_and_avro(documents: dict[str, Any], kb: KnowledgeBase) -> None:
    doc = documents["order-platform-12-services-good-fit"]
    inv = load_answers_doc(kb, TWELVE).inventory
    assert inv is not None
    addresses = {c["address"]: c for c in doc["channels"].values()}
    events = {e for s in inv.services for e in [*s.produces, *s.consumes]}
    assert {topic_name(e) for e in events} <= set(addresses)
    assert any(a.startswith("dlq.") for a in addresses)  # the dead letter topic is a channel too
    assert not any(a.endswith("-connect-offsets") for a in addresses)  # Connect's own topics are not
    for channel in addresses.values():
        kafka = channel["bindings"]["kafka"]
        assert kafka["bindingVersion"] == "0.5.0"
        assert kafka["partitions"] >= 1 and kafka["replicas"] == 3
        assert kafka["x-topic-configuration"]["min.insync.replicas"] == 2
    order = addresses["order-placed"]["bindings"]["kafka"]
    assert order["topicConfiguration"] == {"cleanup.policy": ["delete"], "retention.ms": 31536000000}
    assert order["x-topic-configuration"]["remote.storage.enable"] is True
    parties = {o["x-kafka-advisor-party"]["name"] for o in doc["operations"].values()}
    assert {s.name for s in inv.services} <= parties
    sends = [o for o in doc["operations"].values() if o["x-kafka-advisor-party"]["name"] == "orders"]
    assert {o["action"] for o in sends} == {"send", "receive"}
    payloads = [m["payload"] for m in doc["components"]["messages"].values() if "schemaFormat" in m["payload"]]
    assert payloads and all(p["schemaFormat"].startswith("application/vnd.apache.avro") for p in payloads)
    assert doc["servers"]["kafka"] == {**doc["servers"]["kafka"], "host": "kafka:9092", "protocol": "kafka"}


def test_reply_and_example_channels(documents: dict[str, Any]) -> None:
    ledger = documents["event-sourced-ledger-caveats"]
    kinds = {c["bindings"]["kafka"]["x-kafka-advisor"]["kind"] for c in ledger["channels"].values()}
    assert {"event", "reply"} <= kinds
    poor = documents["crud-app-poor-fit"]
    assert [c["x-kafka-advisor-example"] for c in poor["channels"].values()] == [True]
    assert poor["operations"] == {}


def test_ids_are_valid_and_never_collide(documents: dict[str, Any]) -> None:
    for doc in documents.values():
        for section in (doc["channels"], doc["operations"], doc["components"]["messages"]):
            assert all(ID.fullmatch(k) for k in section)
    hostile = documents["hostile-names"]
    names = {o["x-kafka-advisor-party"]["name"] for o in hostile["operations"].values()}
    assert set(HOSTILE) <= names  # the names themselves are kept, as text
    ids = Ids()
    assert [ids.take(t) for t in ("a.b", "a_b", "A-B", "a-b", "", "")] == ["a_b", "a_b_2", "A-B", "a-b_2", "x", "x_2"]
    assert avro_name("1-order") == "_1_order"
