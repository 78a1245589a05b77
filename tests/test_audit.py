"""The config audit: parsing with lines, every check (tests/audit_corpus), masking, the CLI and SARIF.

No mocks: configs are real text, assessments are real answers files evaluated by the engine, the
librdkafka checks construct real confluent-kafka clients, and SARIF is validated against the official
SARIF 2.1.0 schema (tests/reference/sarif-schema-2.1.0.json, source in the sibling .source file).
"""

from __future__ import annotations

import copy
import json
import logging
import random
import string
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from jsonschema.validators import validator_for

from kafka_advisor import audit_catalog, audit_checks, sarif
from kafka_advisor.audit import MASK, AuditResult, audit, audit_bytes, text_report
from kafka_advisor.audit_parse import MAX_BYTES, parse
from kafka_advisor.cli_audit import checks_markdown
from kafka_advisor.engine import evaluate
from kafka_advisor.loader import KnowledgeBase, load_answers_doc
from kafka_advisor.model import Report
from kafka_advisor.yamlsource import AdvisorError

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "audit_corpus"
REF = ROOT / "tests" / "reference"
CASES: list[dict[str, Any]] = yaml.safe_load((CORPUS / "expected.yaml").read_text())["cases"]
SECRET = "S3cr3t-Planted-Pw"


def report_for(kb: KnowledgeBase, answers: str | None, cache: dict[str, Report] = {}) -> Report | None:  # noqa: B006
    if answers is None:
        return None
    if answers not in cache:
        doc = load_answers_doc(kb, CORPUS / answers)
        cache[answers] = evaluate(kb, doc.answers, inventory=doc.inventory)
    return cache[answers]


def got(result: AuditResult) -> list[str]:
    return sorted(f"{f.rule}@{f.line}" if f.line is not None else f.rule for f in result.findings)


# --------------------------------------------------------------------------- data copied into the package


def test_shipped_kafka_catalog_is_generated_from_the_reference_files() -> None:
    names = json.loads((REF / "config_names.json").read_text())
    defaults = json.loads((REF / "config_defaults_3.9.json").read_text())
    rebuilt = audit_catalog.build_kafka_catalog(names, defaults)
    shipped = json.loads(audit_catalog.KAFKA_FILE.read_text())
    assert shipped == rebuilt, "kafka_advisor/data/kafka_configs_3.9.json is stale: rebuild it with build_kafka_catalog"
    assert "enable.idempotence" in shipped["scopes"]["producer"]
    assert shipped["scopes"]["producer"]["linger.ms"]["type"] == "long"


def test_every_librdkafka_name_is_known_to_the_installed_client() -> None:
    ck = pytest.importorskip("confluent_kafka")
    quiet = logging.Logger("quiet")
    unknown = []
    for name in audit_catalog.librdkafka_props():
        if name in ("bootstrap.servers", "metadata.broker.list"):
            continue  # a bogus broker list would only start connecting
        try:
            ck.Producer({name: "\x01bogus", "logger": quiet})
        except Exception as exc:  # any rejection but "no such property" proves the name exists
            if "No such configuration property" in str(exc):
                unknown.append(name)
    assert unknown == []
    assert len(audit_catalog.librdkafka_props()) > 150


# --------------------------------------------------------------------------- the corpus: one bad and one good file per check


def _case_id(case: dict[str, Any]) -> str:
    return f"{case['check']}::{case['file']}" + (f"[{Path(case['answers']).stem}]" if case.get("answers") else "")


@pytest.mark.parametrize("case", CASES, ids=[_case_id(c) for c in CASES])
def test_corpus_case(kb: KnowledgeBase, case: dict[str, Any]) -> None:
    text = (CORPUS / case["file"]).read_text()
    result = audit(text, case["file"], role=case.get("role"), report=report_for(kb, case.get("answers")))
    assert got(result) == sorted(case["expect"]), text_report(result)


def test_every_check_has_a_bad_and_a_good_file() -> None:
    ids = {c.id for c in audit_checks.CHECKS}
    bad = {c["check"] for c in CASES if c["file"].startswith("bad/") and any(e.split("@")[0] == c["check"] for e in c["expect"])}
    good = {c["check"] for c in CASES if c["file"].startswith("good/") and not any(e.split("@")[0] == c["check"]
                                                                                  for e in c["expect"])}
    assert ids - bad == set(), "checks without a known-bad file"
    assert ids - good == set(), "checks without a known-good file"
    assert {c["check"] for c in CASES} <= ids
    listed = {c["file"] for c in CASES}
    on_disk = {str(p.relative_to(CORPUS)) for d in ("bad", "good") for p in (CORPUS / d).iterdir()}
    assert on_disk == listed, "every corpus file is listed in expected.yaml, and every listed file exists"


def test_check_table_is_complete_and_cited() -> None:
    ids = [c.id for c in audit_checks.CHECKS]
    assert len(ids) == len(set(ids))
    for c in audit_checks.CHECKS:
        assert c.severity in ("high", "medium", "low")
        assert c.title and c.fix.endswith(".")
        assert "https://" in c.source or "apache/kafka" in c.source, c.id
    table = checks_markdown()
    assert all(f"`{i}`" in table for i in ids)


def test_audit_is_deterministic(kb: KnowledgeBase) -> None:
    text = (CORPUS / "bad/idempotence-silently-off.properties").read_text()
    rep = report_for(kb, "answers/eos-v4.yaml")
    assert audit(text, "a.properties", report=rep).to_json() == audit(text, "a.properties", report=rep).to_json()


# --------------------------------------------------------------------------- parsing keeps lines


def test_properties_lines_continuations_escapes_and_duplicates() -> None:
    text = ("# comment\n! also a comment\n\nacks = all\nsasl.jaas.config=org.Module required \\\n"
            "    username=\"u\";\nclient.id: a\\u0041\\=b\nacks=1\n")
    p = parse(text, "x.properties")
    assert [(e.key, e.value, e.line) for e in p.entries] == [
        ("acks", "all", 4), ("sasl.jaas.config", 'org.Module required username="u";', 5),
        ("client.id", "aA=b", 7), ("acks", "1", 8)]


def test_json_rest_body_yaml_strimzi_command_and_python_keep_lines() -> None:
    rest = parse('{\n  "name": "s",\n  "config": {\n    "connector.class": "x.Sink",\n    "topics": ["a", "b"]\n  }\n}', "c.json")
    assert rest.name == "s" and [(e.key, e.value, e.line) for e in rest.entries] == [
        ("connector.class", "x.Sink", 4), ("topics", "a,b", 5)]
    nested = parse("bootstrap:\n  servers: k:9092\nlinger.ms: 010\nenable.idempotence: true\n", "p.yaml")
    assert [(e.key, e.value, e.line) for e in nested.entries] == [
        ("bootstrap.servers", "k:9092", 2), ("linger.ms", "010", 3), ("enable.idempotence", "true", 4)]
    strimzi = parse((CORPUS / "bad/min-isr-one.yaml").read_text(), "t.yaml")
    assert strimzi.hint == "topic" and strimzi.name == "payments"
    assert ("replication.factor", "3", 8) in [(e.key, e.value, e.line) for e in strimzi.entries]
    cmd = parse((CORPUS / "bad/min-isr-not-below-rf.sh").read_text(), "t.sh")
    assert [(e.key, e.value, e.line) for e in cmd.entries] == [
        ("partitions", "6", 3), ("replication.factor", "2", 3), ("min.insync.replicas", "2", 3)]
    py = parse('conf = {\n    "acks": "all",\n    "enable.idempotence": True,\n    "on_delivery": report,\n}\n', "p.py")
    assert [(e.key, e.value, e.line) for e in py.entries] == [
        ("acks", "all", 2), ("enable.idempotence", "true", 3), ("on_delivery", "report", 4)]


def test_several_topic_commands_are_audited_one_by_one() -> None:
    text = ("kafka-topics.sh --create --topic a --replication-factor 3 --config min.insync.replicas=2\n"
            "kafka-topics.sh --create --topic b --replication-factor 2 --config min.insync.replicas=2\n")
    result = audit(text, "topics.sh")
    assert got(result) == ["min-isr-not-below-rf@2"]  # no duplicate-key: each command is its own topic


def test_duplicate_json_keys_are_a_finding_with_their_line() -> None:
    result = audit('{\n "acks": "all",\n "linger.ms": 5,\n "acks": "1"\n}', "p.json", role="producer")
    assert "duplicate-key@4" in got(result)


@pytest.mark.parametrize(("text", "role", "expected"), [
    ("acks=all\nlinger.ms=5\n", None, ("producer", "java")),
    ("group.id=g\nisolation.level=read_committed\n", None, ("consumer", "java")),
    ("application.id=a\nacks=all\n", None, ("streams", "java")),
    ("config.storage.topic=c\ngroup.id=g\nproducer.acks=all\n", None, ("connect-worker", "java")),
    ("cleanup.policy=compact\nretention.ms=1\n", None, ("topic", "java")),
    ("{'acks': 'all'}", None, ("producer", "librdkafka")),
    ("queue.buffering.max.messages=10\ncompression.codec=lz4\n", None, ("producer", "librdkafka")),
    ('{"connector.class": "io.debezium.connector.mysql.MySqlConnector"}', None, ("source-connector", "java")),
    ('{"connector.class": "x.Y", "topics.regex": "a.*"}', None, ("sink-connector", "java")),
    ("acks=all\n", "librdkafka-producer", ("producer", "librdkafka")),
])
def test_role_detection(text: str, role: str | None, expected: tuple[str, str]) -> None:
    r = audit(text, "x", role=role, real_client=False).role
    assert (r.role, r.flavour) == expected, r.reason


@pytest.mark.parametrize(("text", "words"), [
    ("bootstrap.servers=k:9092\nclient.id=a\n", "cannot tell what this config is for"),
    ("acks=all\nisolation.level=read_committed\n", "ambiguous config"),
    ('{"connector.class": "com.acme.Thing"}', "source from a sink"),
])
def test_unclear_role_asks_for_role_in_one_line(text: str, words: str) -> None:
    with pytest.raises(AdvisorError) as exc:
        audit(text, "x.json" if text.startswith("{") else "x.conf")
    line = exc.value.one_line()
    assert words in line and "--role" in line and "\n" not in line


# --------------------------------------------------------------------------- secrets


PLANTED = {
    "p.properties": f"acks=1\nsasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required \\\n"
                    f"    username=\"app\" password=\"{SECRET}\";\nssl.truststore.password={SECRET}\nlinger.ms=oops\n",
    "s.json": json.dumps({"name": "db-sink", "config": {
        "connector.class": "io.confluent.connect.jdbc.JdbcSinkConnector", "topics": "t", "errors.tolerance": "all",
        "connection.url": f"jdbc:postgresql://db/x?user=a&password={SECRET}", "connection.password": SECRET}}, indent=2),
    "c.yaml": f"group.id: g\nschema.registry.url: https://app:{SECRET}@sr:8081\nbasic.auth.user.info: app:{SECRET}\n"
              f"sasl.jaas.config: >\n  org.Module required\n  password=\"{SECRET}\";\nisolation.level: read_uncommitted\n",
    "p.py": f"config = {{'acks': 1, 'sasl.password': '{SECRET}', 'enable.idempotence': True, 'linger.ms': 'x{SECRET}'}}\n",
}


@pytest.mark.parametrize("name", list(PLANTED))
def test_a_planted_secret_never_appears_in_any_output(kb: KnowledgeBase, name: str, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    result = audit(PLANTED[name], name, report=report_for(kb, "answers/eos-v39.yaml"))
    outputs = [text_report(result), json.dumps(result.to_json()), sarif.dumps([result]), "\n".join(result.lines),
               repr(result.settings), " ".join(f"{f.message} {f.fix}" for f in result.findings), caplog.text]
    for out in outputs:
        assert SECRET not in out
    assert MASK in "\n".join(result.lines) and result.findings and result.masked >= 1


def test_a_placeholder_is_not_a_secret_and_stays_readable() -> None:
    result = audit("sasl.jaas.config=${file:/etc/kafka/jaas.properties:jaas}\nacks=all\n", "p.properties")
    assert ("sasl.jaas.config", "${file:/etc/kafka/jaas.properties:jaas}", 1) in result.settings


# --------------------------------------------------------------------------- bad input: one line each


def write(tmp_path: Path, name: str, data: bytes | str) -> Path:
    path = tmp_path / name
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return path


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kafka_advisor", "audit", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=120, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})


BAD_INPUTS = {
    "binary": ("x.bin", b"\x7fELF\x02\x01\x01\x00\x00\x00" * 50, "binary file"),
    "ten-mb": ("big.properties", b"a=b\n" * (10 * 1024 * 1024 // 4), "expected at most 1,000,000"),
    "unparseable": ("p.properties", "acks=all\nthis is not a setting\n", ":2:"),
    "duplicate-yaml": ("p.yaml", "acks: all\nacks: 1\n", "duplicate key"),
    "empty": ("e.properties", "# nothing here\n\n", "no settings found"),
    "blank": ("blank.properties", "", "file is empty"),
    "latin1": ("l.properties", "client.id=caf\xe9\n".encode("latin-1"), "not UTF-8"),
    "bad-json": ("c.json", '{"acks": "all",}', "JSON syntax error"),
    "too-many-settings": ("many.properties", "".join(f"k{i}=v\n" for i in range(2001)), "more than 2,000 settings"),
    "directory": ("folder", None, "is a directory"),
}


@pytest.mark.parametrize("case", list(BAD_INPUTS))
def test_bad_input_is_one_line_and_exit_2(tmp_path: Path, case: str) -> None:
    name, data, words = BAD_INPUTS[case]
    path = write(tmp_path, name, data) if data is not None else tmp_path
    out = cli(str(path))
    assert out.returncode == 2, out.stderr
    lines = out.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(str(path)) and words in lines[0], out.stderr
    assert "expected" in lines[0] and "Traceback" not in out.stderr


def test_unknown_role_format_and_severity_are_one_line(tmp_path: Path) -> None:
    path = write(tmp_path, "p.properties", "acks=all\n")
    for args, words in ((("--role", "brokerz"), "unknown role 'brokerz'"), (("--format", "xml"), "unknown format"),
                        (("--fail-on", "urgent"), "unknown severity")):
        out = cli(str(path), *args)
        assert out.returncode == 2 and out.stderr.count("\n") == 1 and words in out.stderr, out.stderr


def test_mangled_input_gives_a_finding_or_one_line_never_a_traceback() -> None:
    rng = random.Random(7)
    seeds = ["acks=all\nlinger.ms=5\n", '{"name": "s", "config": {"topics": "a", "connector.class": "x.Sink"}}',
             "bootstrap:\n  servers: k\nacks: all\n", "kafka-topics.sh --create --topic t --config min.insync.replicas=2\n",
             "conf = {'acks': 1, 'linger.ms': [1, 2]}\n", "{" * 3000, '{"a": ' * 2000 + "1" + "}" * 2000, "a: &x [*x]\n"]
    alphabet = string.printable + "é€\u202e{}[]:=\\'\"$"
    for _ in range(400):
        chars = list(rng.choice(seeds))
        for _ in range(rng.randint(0, 6)):
            pos = rng.randint(0, len(chars))
            if rng.random() < 0.5:
                chars.insert(pos, rng.choice(alphabet))
            elif chars:
                chars.pop(min(pos, len(chars) - 1))
        text = "".join(chars)
        for name in ("x", "x.json", "x.yaml", "x.py", "x.sh", "x.properties"):
            try:
                audit(text, name, real_client=False)
            except AdvisorError as exc:
                assert "\n" not in exc.one_line()


def test_the_size_cap_reads_no_more_than_it_allows() -> None:
    with pytest.raises(AdvisorError, match="larger than 1,000,000 bytes"):
        audit_bytes(b"a=b\n" * (MAX_BYTES // 4 + 1), "upload.properties")


def test_exit_codes_follow_fail_on(tmp_path: Path, kb: KnowledgeBase) -> None:
    clean = write(tmp_path, "clean.properties", "acks=all\nenable.idempotence=true\n")
    medium = write(tmp_path, "typo.properties", "acks=all\nenable.idempotence=true\nlinger.mss=5\n")
    assert cli(str(clean), "--fail-on", "low").returncode == 0
    assert cli(str(medium)).returncode == 0  # no --fail-on: findings are reported, not failed on
    assert cli(str(medium), "--fail-on", "high").returncode == 0
    out = cli(str(medium), "--fail-on", "medium")
    assert out.returncode == 1 and "typo.properties:3: medium unknown-key" in out.stdout
    judged = cli(str(clean), "--answers", str(CORPUS / "answers/eos-v4.yaml"), "--fail-on", "low", "--format", "json")
    assert judged.returncode == 1 and json.loads(judged.stdout)["findings"][0]["rule"] == "version-linger-default"
    bad_answers = write(tmp_path, "answers.yaml", "answers:\n  no_such_question: 1\n")
    out = cli(str(clean), "--answers", str(bad_answers))
    assert out.returncode == 2 and out.stderr.count("\n") == 1


def test_cli_masks_secrets_in_every_format(tmp_path: Path) -> None:
    path = write(tmp_path, "p.properties", PLANTED["p.properties"])
    for fmt in ("text", "json", "sarif"):
        out = cli(str(path), "--format", fmt)
        assert out.returncode == 0 and SECRET not in out.stdout + out.stderr and out.stdout


def test_checks_table_command() -> None:
    out = cli("--checks")
    assert out.returncode == 0 and out.stdout.startswith("| id | severity |")
    assert out.stdout.count("\n") == len(audit_checks.CHECKS) + 2


# --------------------------------------------------------------------------- SARIF 2.1.0


@pytest.fixture(scope="module")
def sarif_validator() -> Any:
    schema = json.loads((REF / "sarif-schema-2.1.0.json").read_text())
    cls = validator_for(schema)  # the schema's own $schema: draft-04
    cls.check_schema(schema)
    return cls(schema)


def test_sarif_output_validates_against_the_official_schema(kb: KnowledgeBase, sarif_validator: Any) -> None:
    results = [audit((CORPUS / c["file"]).read_text(), c["file"], role=c.get("role"), report=report_for(kb, c.get("answers")))
               for c in CASES if c["file"].startswith("bad/")]
    doc = json.loads(sarif.dumps(results))
    errors = sorted(sarif_validator.iter_errors(doc), key=lambda e: list(e.path))
    assert errors == [], [f"{list(e.path)}: {e.message}" for e in errors[:5]]
    run = doc["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == [c.id for c in audit_checks.CHECKS]
    flat = [(r, f) for r in results for f in r.findings]
    assert len(run["results"]) == len(flat) > 40
    for res, (result, finding) in zip(run["results"], flat, strict=True):
        assert rules[res["ruleIndex"]]["id"] == res["ruleId"] == finding.rule
        assert res["level"] == {"high": "error", "medium": "warning", "low": "note"}[finding.severity]
        loc = res["locations"][0]["physicalLocation"]
        assert loc["artifactLocation"]["uri"] == result.name
        assert loc.get("region", {}).get("startLine") == finding.line
        assert finding.fix in res["message"]["text"]


def test_an_invalid_sarif_document_fails_validation(sarif_validator: Any) -> None:
    good = sarif.to_sarif([audit("acks=1\n", "p.properties")])
    assert sarif_validator.is_valid(good)
    for break_it in (lambda d: d.pop("version"), lambda d: d["runs"][0]["results"][0].update(level="fatal"),
                     lambda d: d["runs"][0]["results"][0]["locations"][0]["physicalLocation"].update(region={"startLine": 0}),
                     lambda d: d["runs"][0]["tool"]["driver"].pop("name")):
        bad = copy.deepcopy(good)
        break_it(bad)
        assert not sarif_validator.is_valid(bad)
        with pytest.raises(jsonschema.ValidationError):
            sarif_validator.validate(bad)


# --------------------------------------------------------------------------- the advisor's own snippets pass its own audit

try:
    from kafka_advisor import configs
except ImportError:  # the snippets module comes from another change; until then this test must be wired
    configs = None  # type: ignore[assignment]

SNIPPET_ROLES = {"java-properties": "{role}", "librdkafka": "librdkafka-{role}", "topic-cli": "topic",
                 "topic-properties": "topic", "connector-json": "connector", "connect-worker": "connect-worker",
                 "streams": "streams"}
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))


def _snippet_role(s: Any, snippets: list[Any]) -> str:
    """The role a snippet is for; a connector's kind is read from its create body, which a PATCH body lacks."""
    if s.flavour != "connector-json":
        return SNIPPET_ROLES[s.flavour].format(role=getattr(s, "role", None) or "")
    if getattr(s, "method", "create") != "patch":
        return audit(s.body, s.path, role="connector", real_client=False).role.role
    for other in snippets:
        if other.flavour == "connector-json" and other.method != "patch" and other.connector == s.connector:
            return audit(other.body, other.path, real_client=False).role.role
    return "sink-connector" if str(s.connector).endswith("-sink") else "source-connector"


def _merged(snippets: list[Any]) -> tuple[list[tuple[str, str, str]], list[str]]:
    """The configs a user ends up with: every snippet for the same client, topic or connector put together
    (a PATCH onto the connector it patches: its values win, but a transforms/predicates list must keep
    every alias it replaces), as a JSON object; and the keys two snippets set differently."""
    groups: dict[tuple[Any, ...], dict[str, str]] = {}
    conflicts = []
    for s in sorted(snippets, key=lambda s: getattr(s, "method", "create") == "patch"):  # a PATCH after the create
        if s.flavour == "topic-cli":
            continue  # one self-contained command per topic: audited as it is
        role = _snippet_role(s, snippets)
        entries = parse(s.body, s.path).entries
        identity = next((e.value for e in entries if e.key in IDENTITY), None)
        key: tuple[Any, ...] = (role, s.connector) if s.flavour == "connector-json" else (s.flavour, role, tuple(s.targets))
        if identity is not None and any(groups.get(key, {}).get(k) not in (None, identity) for k in IDENTITY):
            key = (*key[:-1], (*key[-1], identity))  # another group.id or transactional.id: another client
        group = groups.setdefault(key, {})
        patch = getattr(s, "method", "create") == "patch"
        for e in entries:
            if patch and e.key in ("transforms", "predicates"):  # a PATCH replaces the list: it must keep every alias
                kept = set(group.get(e.key, "").split(",")) - {""} <= set(e.value.split(","))
                if not kept:
                    conflicts.append(f"{s.path}: {e.key}={e.value!r} drops aliases of {group[e.key]!r}")
            elif not patch and e.key in group and group[e.key] != e.value:
                conflicts.append(f"{s.path}: {e.key}={e.value!r}, another snippet for {key[-1]} sets {group[e.key]!r}")
            group[e.key] = e.value
    out = [(f"merged {k[-1]} ({k[-2]})", k[1] if len(k) == 3 else k[0], json.dumps(v, indent=1)) for k, v in groups.items()]
    return out, conflicts


IDENTITY = ("group.id", "transactional.id", "application.id")  # keys that tell one client from another


@pytest.mark.xfail(configs is None, strict=True, reason="kafka_advisor/configs.py (snippets_for) does not exist yet")
@pytest.mark.parametrize("example", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_every_generated_snippet_passes_the_audit(kb: KnowledgeBase, example: Path) -> None:
    """Each snippet alone breaks none of Kafka's rules; the configs they add up to also fit the assessment."""
    doc = load_answers_doc(kb, example)
    report = evaluate(kb, doc.answers, inventory=doc.inventory)
    snippets = configs.snippets_for(report, kb)
    problems = []
    for s in snippets:
        text = getattr(s, "body", None) or s.text  # the text to paste (`text` may carry comments JSON cannot hold)
        result = audit(text, s.path, role=_snippet_role(s, snippets))
        problems += [f"{s.flavour} {s.path}:{f.line}: {f.rule}: {f.message}" for f in result.findings]
        if getattr(s, "method", "create") != "patch":  # a PATCH body alone cannot say source or sink
            detected = audit(text, s.path, real_client=False).role
            assert detected.role == result.role.role, f"{s.flavour} {s.path}: detected {detected.role} ({detected.reason})"
        if s.flavour == "topic-cli":  # self-contained: judged against the assessment as it is
            problems += [f"{s.path}:{f.line}: {f.rule}: {f.message}"
                         for f in audit(text, s.path, role="topic", report=report).findings]
    merged, conflicts = _merged(snippets)
    problems += conflicts
    for name, role, text in merged:
        result = audit(text, "merged.json", role=role, report=report)
        problems += [f"{name}: {f.key}: {f.rule}: {f.message}" for f in result.findings]
    assert problems == []
