"""The system inventory: derivations, topic names, parts, answers files, share links, the engine, the CLI.

Expected values are written out by hand from the inventories below, not computed by the code under test.
"""

from __future__ import annotations

import base64
import json
import re
import time
import zlib
from pathlib import Path
from urllib.parse import parse_qsl, urlencode

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kafka_advisor import cli
from kafka_advisor.engine import evaluate
from kafka_advisor.exports import ExportContext, export
from kafka_advisor.inventory import (
    DERIVATIONS,
    External,
    Inventory,
    Service,
    derived_answers,
    from_data,
    parts_for,
    summary_of,
    to_data,
    topic_name,
)
from kafka_advisor.loader import (
    KnowledgeBase,
    answers_yaml,
    load_answers_doc,
    load_answers_file,
    parse_answers_doc_bytes,
)
from kafka_advisor.share import (
    MAX_INVENTORY_JSON,
    RESERVED,
    answers_from_query,
    inventory_from_param,
    inventory_to_param,
)
from kafka_advisor.ui import inventory_editor as editor
from kafka_advisor.yamlsource import AdvisorError

ROOT = Path(__file__).resolve().parent.parent
TWELVE = ROOT / "examples" / "order-platform-12-services-good-fit.yaml"
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))


def svc(name: str, **kw: object) -> Service:
    return Service(name=name, **kw)  # type: ignore[arg-type]


def ext(name: str, kind: str, direction: str = "sink", events: list[str] | None = None) -> External:
    return External(name=name, kind=kind, direction=direction, events=events or [])  # type: ignore[arg-type]


def derive(name: str, inv: Inventory) -> object:
    return DERIVATIONS[name].derive(inv)


@pytest.fixture(scope="module")
def twelve(kb: KnowledgeBase) -> Inventory:
    inv = load_answers_doc(kb, TWELVE).inventory
    assert inv is not None
    return inv


# --------------------------------------------------------------------------- derivations


def test_counts_of_services_teams_and_domains() -> None:
    inv = Inventory(services=[svc("a", team="Web", domain="shop"), svc("b", team="web"), svc("c", team="ops")])
    assert derive("service-count", inv) == 3
    assert derive("team-count", inv) == 2  # "Web" and "web" are one team
    assert derive("domain-count", inv) == 1
    no_teams = Inventory(services=[svc("a"), svc("b")])
    assert derive("team-count", no_teams) is None  # nothing filled in: the inventory does not tell
    assert derive("domain-count", no_teams) is None
    assert derive("service-count", Inventory(externals=[ext("w", "warehouse")])) is None


@pytest.mark.parametrize(("externals", "expected"), [
    ([], None),  # none listed: asked as before
    ([ext("w", "warehouse")], ["lake-out"]),
    ([ext("l", "lake", "both")], ["lake-out"]),
    ([ext("legacy", "database", "source")], ["db-in"]),
    ([ext("idx", "search")], ["db-out"]),
    ([ext("idx", "search", "both")], ["db-out"]),  # a search index never feeds Kafka as a database would
    ([ext("crm", "saas", "source")], ["saas"]),
    ([ext("drop", "files")], ["saas"]),
    ([ext("w", "warehouse"), ext("erp", "other", "both"), ext("crm", "saas")], ["db-in", "db-out", "lake-out", "saas"]),
])
def test_integrations_from_externals(externals: list[External], expected: list[str] | None) -> None:
    assert derive("integrations", Inventory(services=[svc("a")], externals=externals)) == expected


@pytest.mark.parametrize(("captures", "expected"), [
    (["yes", "yes"], "yes-log"),
    (["no", "no"], "no-log"),
    (["yes", "no"], "some-log"),
    (["yes", "unsure"], "some-log"),
    (["unsure", "unsure"], "unsure"),
])
def test_db_log_access(captures: list[str], expected: str) -> None:
    inv = Inventory(services=[svc(f"s{i}", database="postgresql", log_capture=c) for i, c in enumerate(captures)]
                    + [svc("stateless", log_capture="no")])  # no database: its column does not count
    assert derive("db-log-access", inv) == expected


def test_db_log_access_and_kind_without_databases_do_not_tell() -> None:
    inv = Inventory(services=[svc("a"), svc("b", log_capture="yes")])
    assert derive("db-log-access", inv) is None
    assert derive("source-db-kind", inv) is None


def test_source_db_kind_is_the_most_common_capturable_database() -> None:
    inv = Inventory(services=[svc("a", database="mysql", log_capture="yes"), svc("b", database="mysql", log_capture="yes"),
                              svc("c", database="postgresql", log_capture="yes"),
                              svc("d", database="oracle", log_capture="no"), svc("e", database="oracle", log_capture="no"),
                              svc("f", database="oracle", log_capture="no")])
    assert derive("source-db-kind", inv) == "mysql"  # the oracles cannot be captured
    assert derive("source-db-kind", Inventory(services=[svc("m", database="mongodb", log_capture="yes")])) == "other"


def test_derived_answers_by_question_id(kb: KnowledgeBase, twelve: Inventory) -> None:
    assert kb.derived_from(None) == {} and kb.derived_from(Inventory()) == {}
    assert kb.derived_from(twelve) == {"service_count": 12, "team_count": 5, "integrations": ["lake-out"],
                                       "db_log_access": "yes-log", "source_db_kind": "postgresql"}
    # Only the derivations a question declares are used, under that question's id.
    assert derived_answers({"n": "service-count"}, twelve) == {"n": 12}


def test_summary_of() -> None:
    assert summary_of(Inventory()) == "empty"
    inv = Inventory(services=[svc("a", team="x", produces=["e1"]), svc("b", team="x", consumes=["e1", "e2"])],
                    externals=[ext("w", "warehouse", events=["e3"])])
    assert summary_of(inv) == "2 services (1 team), 1 external system, 3 events"


# --------------------------------------------------------------------------- topic names and parts


LEGAL_TOPIC = re.compile(r"^[a-zA-Z0-9._-]{1,249}$")


@pytest.mark.parametrize(("event", "topic"), [
    ("order-placed", "order-placed"),
    ("Order Placed!", "order-placed"),
    ("  payments.captured  ", "payments.captured"),
    ("ä", "events"),
    ("..", "events"),  # Kafka refuses "." and ".." as names
    ("-x-", "x"),
])
def test_topic_name(event: str, topic: str) -> None:
    assert topic_name(event) == topic


@given(st.text(max_size=400))
def test_topic_name_is_always_legal(event: str) -> None:
    topic = topic_name(event)
    assert LEGAL_TOPIC.match(topic), topic
    assert topic not in (".", "..")


def test_parts_for_the_twelve_services(twelve: Inventory) -> None:
    assert parts_for(twelve, "service") == ["storefront", "catalog", "search", "orders", "payments", "billing", "ledger",
                                            "shipping", "inventory", "returns", "customers", "notifications"]
    # A database that publishes events needs an outbox: search, ledger and notifications only consume.
    assert parts_for(twelve, "producer-database") == [f"{n} (PostgreSQL)" for n in (
        "storefront", "catalog", "orders", "payments", "billing", "shipping", "inventory", "returns", "customers")]
    assert len(parts_for(twelve, "capturable-database")) == 12
    assert parts_for(twelve, "event")[:3] == ["cart-checked-out", "product-changed", "order-placed"]
    assert len(parts_for(twelve, "event")) == 10
    assert parts_for(twelve, "sink") == ["Analytics warehouse"]
    assert parts_for(twelve, "source") == []
    with pytest.raises(ValueError, match="unknown inventory scope"):
        parts_for(twelve, "galaxy")


def test_parts_leave_out_what_does_not_apply() -> None:
    inv = Inventory(services=[svc("a", database="mysql", log_capture="no", produces=["x"]), svc("b", produces=["x"])],
                    externals=[ext("crm", "saas", "source", ["y"]), ext("lake", "lake", "both", ["x"])])
    assert parts_for(inv, "capturable-database") == []
    assert parts_for(inv, "producer-database") == ["a (MySQL)"]
    assert parts_for(inv, "source") == ["crm", "lake"]
    assert parts_for(inv, "sink") == ["lake"]


# --------------------------------------------------------------------------- answers files


def _doc_error(kb: KnowledgeBase, tmp_path: Path, text: str) -> tuple[Path, str]:
    path = tmp_path / "answers.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(AdvisorError) as info:
        load_answers_doc(kb, path)
    line = info.value.one_line()
    assert "\n" not in line
    return path, line


def test_a_bad_database_kind_is_one_line_with_file_and_line(kb: KnowledgeBase, tmp_path: Path) -> None:
    path, line = _doc_error(kb, tmp_path, "answers: {}\ninventory:\n  services:\n    - {name: a, database: db2}\n")
    assert line.startswith(f"{path}:4:17: inventory.services[0].database: ")
    assert "'postgresql'" in line and "'none'" in line


def test_a_61_character_name_is_refused(kb: KnowledgeBase, tmp_path: Path) -> None:
    path, line = _doc_error(kb, tmp_path, f"answers: {{}}\ninventory:\n  services:\n    - name: {'n' * 61}\n")
    assert line == f"{path}:4:7: inventory.services[0].name: text is 61 characters, expected at most 60"


def test_a_duplicate_name_is_refused(kb: KnowledgeBase, tmp_path: Path) -> None:
    text = "answers: {}\ninventory:\n  services:\n    - name: orders\n  externals:\n    - {name: Orders, kind: cache}\n"
    path, line = _doc_error(kb, tmp_path, text)
    # At the second use, naming the first: the line of the repeated entry, not of `inventory:`.
    assert line.startswith(f"{path}:6:8: inventory.externals[0].name: "), line
    assert "'Orders' is used twice (also at inventory.services[0])" in line and "expected" in line


def test_a_control_character_in_a_name_is_refused(kb: KnowledgeBase, tmp_path: Path) -> None:
    path, line = _doc_error(kb, tmp_path, 'answers: {}\ninventory:\n  services:\n    - name: "a\\tb"\n')
    assert line.startswith(f"{path}:4:7: inventory.services[0].name: ")
    assert "'a\\tb'" in line  # the tab is shown escaped: the line stays one line


def test_a_control_character_message_says_what_is_wrong(kb: KnowledgeBase, tmp_path: Path) -> None:
    _, line = _doc_error(kb, tmp_path, 'answers: {}\ninventory:\n  services:\n    - name: "a\\tb"\n')
    assert "valid id" not in line and "control" in line


def test_an_answer_that_disagrees_with_the_inventory_is_refused(kb: KnowledgeBase, tmp_path: Path) -> None:
    text = "answers:\n  service_count: 3\ninventory:\n  services:\n    - name: a\n    - name: b\n"
    path, line = _doc_error(kb, tmp_path, text)
    assert line == (f"{path}:2:3: answers.service_count: 3 disagrees with the inventory, which gives 2 (services listed "
                    "in the inventory); expected to leave this answer out or to match")


def test_an_answer_that_agrees_with_the_inventory_is_fine(kb: KnowledgeBase) -> None:
    doc = parse_answers_doc_bytes(kb, b"answers:\n  service_count: 2\ninventory:\n  services: [{name: a}, {name: b}]\n",
                                  "a.yaml")
    assert doc.answers == {"service_count": 2} and doc.inventory is not None and len(doc.inventory.services) == 2


def test_answers_yaml_with_an_inventory_round_trips(kb: KnowledgeBase, twelve: Inventory) -> None:
    doc = load_answers_doc(kb, TWELVE)
    text = answers_yaml(doc.title, doc.answers, inventory=doc.inventory)
    back = parse_answers_doc_bytes(kb, text.encode("utf-8"), "again.yaml")
    assert (back.title, back.answers, back.inventory) == (doc.title, doc.answers, twelve)


def test_answers_yaml_round_trips_names_that_yaml_would_misread(kb: KnowledgeBase) -> None:
    tricky = ["yes", "010", "null", "a: b", "#not a comment", "- dash", "Ünïcode ✓", "[x]", "'q'", "2024-01-01"]
    inv = Inventory(services=[svc(n, team=n, produces=[n, f"{n} event"]) for n in tricky],
                    externals=[ext("on", "other", "both", ["off"])])
    back = parse_answers_doc_bytes(kb, answers_yaml(None, {}, inventory=inv).encode("utf-8"), "t.yaml")
    assert back.inventory == inv


def test_answers_yaml_without_an_inventory_is_as_before(kb: KnowledgeBase) -> None:
    assert answers_yaml("T", {"service_count": 3}) == answers_yaml("T", {"service_count": 3}, inventory=None)
    assert "inventory" not in answers_yaml("T", {"service_count": 3}, inventory=Inventory())


# --------------------------------------------------------------------------- share links


def _param(doc: object) -> str:
    return base64.urlsafe_b64encode(zlib.compress(json.dumps(doc).encode())).decode().rstrip("=")


def test_share_link_round_trip_of_the_twelve_services(twelve: Inventory) -> None:
    param = inventory_to_param(twelve)
    assert re.fullmatch(r"[A-Za-z0-9_-]+", param)  # URL-safe, no padding
    assert len(param) < 1500  # a link that still fits in a chat message
    query = urlencode({"service_count": "12", "inv": param})
    back, problem = inventory_from_param(dict(parse_qsl(query))["inv"])
    assert problem is None and back == twelve


def test_the_inventory_parameter_is_not_an_answer(kb: KnowledgeBase, twelve: Inventory) -> None:
    assert "inv" in RESERVED
    assert answers_from_query(kb, {"inv": inventory_to_param(twelve), "service_count": "12"}) == ({"service_count": 12}, [])


@pytest.mark.parametrize(("raw", "words"), [
    ("!!not base64!!", "is not URL-safe base64"),
    ("aGVsbG8", "not zlib-compressed"),  # base64 of "hello"
    (_param({"services": [{"name": "a", "database": "db2"}]}), "service 1, database: input should be 'postgresql'"),
    (_param({"services": [{"name": "a"}, {"name": "A"}]}), "the name 'A' is used twice"),
    (_param([1, 2, 3]), "the inventory does not fit"),
    (base64.urlsafe_b64encode(zlib.compress(b'{"services": [')).decode(), "is not JSON"),
    (base64.urlsafe_b64encode(zlib.compress(b'{"services": []}')[:-4]).decode(), "cut short"),
])
def test_a_bad_inventory_parameter_is_one_readable_line(raw: str, words: str) -> None:
    inv, problem = inventory_from_param(raw)
    assert inv is None
    assert problem is not None and "\n" not in problem and len(problem) < 300
    assert problem.startswith("Link parameter 'inv': ") and problem.endswith("; it was ignored.")
    assert words in problem, problem


def test_a_zlib_bomb_is_refused_without_unpacking_it() -> None:
    bomb = base64.urlsafe_b64encode(zlib.compress(b"0" * 10_000_000, 9)).decode().rstrip("=")
    started = time.perf_counter()
    inv, problem = inventory_from_param(bomb)
    assert time.perf_counter() - started < 0.5
    assert inv is None and problem is not None and f"more than {MAX_INVENTORY_JSON:,} bytes" in problem


def test_empty_and_repeated_inventory_parameters(twelve: Inventory) -> None:
    assert inventory_from_param(None) == (None, None)
    assert inventory_from_param("  ") == (None, None)
    assert inventory_from_param(_param({})) == (None, None)  # an empty inventory is no inventory
    assert inventory_from_param(["garbage!", inventory_to_param(twelve)]) == (twelve, None)  # the last one wins


# --------------------------------------------------------------------------- the engine and the CLI


def test_the_engine_names_the_parts_each_item_is_done_for(kb: KnowledgeBase, twelve: Inventory) -> None:
    doc = load_answers_doc(kb, TWELVE)
    report = evaluate(kb, doc.answers, inventory=twelve)
    assert report.inventory == twelve
    assert set(report.derived) <= set(kb.derived_from(twelve)) and "service_count" in report.derived
    with_parts = [i for i in report.checklist if i.applies_to]
    assert with_parts, "the 12-service report has per-part checklist items"
    for item in with_parts:
        each = kb.items[item.id][1].each
        assert each is not None and item.applies_to == parts_for(twelve, each), item.id
    outbox = [i for i in report.checklist if kb.items[i.id][1].each == "producer-database"]
    assert outbox and outbox[0].applies_to[0] == "storefront (PostgreSQL)"
    plain = evaluate(kb, doc.answers)
    assert plain.inventory is None and plain.derived == []
    assert all(i.applies_to == [] for i in plain.checklist)


def _cli_evaluate(kb: KnowledgeBase, capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    args = cli.build_parser().parse_args(["evaluate", *argv])
    assert cli._COMMANDS["evaluate"](args, kb) == 0
    return capsys.readouterr().out


@pytest.mark.parametrize("path", [p for p in EXAMPLES if p != TWELVE], ids=lambda p: p.stem)
def test_evaluate_output_without_an_inventory_is_as_before(kb: KnowledgeBase, capsys: pytest.CaptureFixture[str],
                                                           monkeypatch: pytest.MonkeyPatch, path: Path) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1736899200")
    assert load_answers_doc(kb, path).inventory is None
    title, answers = load_answers_file(kb, path)  # the way `evaluate` read answers before the inventory
    before = evaluate(kb, answers, with_what_if=True)
    want_md = export("md", ExportContext(report=before, kb=kb, title=title)).decode("utf-8")
    assert _cli_evaluate(kb, capsys, str(path)) == want_md
    want_json = json.loads(export("json", ExportContext(report=before, kb=kb, title=title)))
    got = json.loads(_cli_evaluate(kb, capsys, str(path), "--format", "json"))
    assert got == before.to_json() and got["verdict"] == want_json["verdict"]


def test_evaluate_text_shows_the_inventory_and_marks_derived_answers(kb: KnowledgeBase,
                                                                      capsys: pytest.CaptureFixture[str]) -> None:
    out = _cli_evaluate(kb, capsys, str(TWELVE))
    head = out.split("\n| |")[0]  # above the summary table
    assert "Inventory: 12 services (5 teams), 1 external system, 10 events\n" in head
    assert "- How many services or applications will exchange data? = 12 services (from the inventory)" in head
    assert "- How many teams build those services? = 5 teams (from the inventory)" in head
    derived = evaluate(kb, load_answers_doc(kb, TWELVE).answers, inventory=load_answers_doc(kb, TWELVE).inventory).derived
    assert head.count("(from the inventory)") == len(derived) >= 3


# --------------------------------------------------------------------------- the editor's tables (no Streamlit run)


def test_editor_rows_round_trip(twelve: Inventory) -> None:
    rows = editor.rows_of(twelve)
    assert rows["services"][3] == {"name": "orders", "team": "checkout", "domain": None, "database": "postgresql",
                                   "log_capture": "yes", "produces": "order-placed, order-cancelled",
                                   "consumes": "cart-checked-out, payment-captured"}
    assert editor.inventory_of(rows) == (twelve, [])
    assert editor.inventory_of(editor.rows_of(None)) == (None, [])


def test_editor_ignores_blank_rows_and_counts_rows_as_shown() -> None:
    blank = dict.fromkeys(editor.SERVICE_COLUMNS)
    rows = {"services": [{"name": "a", "produces": " x ,, y,"}, blank, {"name": " ", "team": "t"},
                         {**blank, "name": "n" * 61}],
            "externals": [{"name": "w"}, {"name": "A", "kind": "cache"}]}
    inv, problems = editor.inventory_of(rows)
    assert inv is None
    assert problems == [
        "Services row 3, name: expected text of 1 to 60 characters",
        "Services row 4, name: 61 characters, expected text of 1 to 60 characters",
        "External systems row 1, kind: expected one of: Warehouse, Data lake, Search index, Cache, Database, "
        "SaaS tool, Files, Other system",
        "External systems row 2, name: the name 'A' is used twice (also Services row 1), expected each service "
        "and system to have its own name",
    ]
    fixed = {"services": [rows["services"][0], blank], "externals": [{"name": "w", "kind": "warehouse"}]}
    inv, problems = editor.inventory_of(fixed)
    assert problems == [] and inv == Inventory(services=[svc("a", produces=["x", "y"])], externals=[ext("w", "warehouse")])


def test_editor_problems_name_the_column_and_the_event() -> None:
    rows = {"services": [{"name": "a", "database": "db2", "consumes": "ok, " + "e" * 81}, {"name": "b\tc"}],
            "externals": []}
    _, problems = editor.inventory_of(rows)
    assert problems[0].startswith("Services row 1, database: expected one of: PostgreSQL, MySQL")
    assert problems[1].startswith("Services row 1, consumes, event 2: 'eeee")
    assert problems[1].endswith("is 81 characters, expected event names of 1 to 80 characters, separated by commas")
    assert problems[2] == ("Services row 2, name: expected text on one line, without tabs, line breaks or other "
                           "control characters")


def test_editor_example_is_three_services_and_a_warehouse() -> None:
    assert [s.name for s in editor.EXAMPLE.services] == ["orders", "payments", "shipping"]
    assert [(x.kind, x.direction) for x in editor.EXAMPLE.externals] == [("warehouse", "sink")]
    assert from_data(to_data(editor.EXAMPLE)) == editor.EXAMPLE
