"""The command line, through a real subprocess: outputs, exit codes, one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from minikb import write_minikb

ROOT = Path(__file__).resolve().parent.parent


def cli(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kafka_advisor", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=120, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})


@pytest.fixture(scope="module")
def mini(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_minikb(tmp_path_factory.mktemp("mini"))


def write(tmp_path: Path, name: str, text: str) -> Path:
    p = tmp_path / name
    p.write_text(text)
    return p


def test_evaluate_json(mini: Path, tmp_path: Path) -> None:
    f = write(tmp_path, "a.yaml", "title: t\nanswers:\n  style: queries\n  latency_ms: 30\n")
    out = cli("--kb", str(mini), "evaluate", str(f), "--format", "json")
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    assert doc["verdict"]["level"] == "poor-fit"
    assert doc["discouraged"][0]["pattern"] == "gamma"
    assert any(w["question"] == "style" and w["to"] == "events" for w in doc["what_if"])


@pytest.mark.parametrize(("threshold", "code"), [("high", 1), ("medium", 1), ("low", 1)])
def test_fail_on_gates_high_findings(mini: Path, tmp_path: Path, threshold: str, code: int) -> None:
    f = write(tmp_path, "a.yaml", "answers:\n  style: queries\n  latency_ms: 30\n")
    out = cli("--kb", str(mini), "evaluate", str(f), "--format", "json", "--fail-on", threshold)
    assert out.returncode == code
    assert "gamma (high)" in out.stderr


def test_fail_on_ignores_findings_below_threshold(mini: Path, tmp_path: Path) -> None:
    f = write(tmp_path, "a.yaml", "answers:\n  durable: true\n")  # beta discouraged at medium only
    assert cli("--kb", str(mini), "evaluate", str(f), "--format", "json", "--fail-on", "high").returncode == 0
    assert cli("--kb", str(mini), "evaluate", str(f), "--format", "json", "--fail-on", "medium").returncode == 1


def test_test_command_counts(mini: Path) -> None:
    out = cli("--kb", str(mini), "test")
    assert out.returncode == 0
    assert out.stdout.strip() == "8 passed, 0 failed"


def test_test_command_fails_on_a_broken_example(tmp_path: Path) -> None:
    from minikb import RULES

    root = write_minikb(tmp_path, rules=RULES.replace("expect: {fires: true, recommended: [alpha]}",
                                                        "expect: {fires: true, recommended: [beta]}"))
    out = cli("--kb", str(root), "test")
    assert out.returncode == 1
    assert out.stdout.strip() == "7 passed, 1 failed"
    assert "FAIL events-fit::fires: expected beta recommended" in out.stderr


def test_validate_reports_lints_with_locations(mini: Path) -> None:
    out = cli("--kb", str(mini), "validate")
    assert out.returncode == 2
    # The mini knowledge base misses the fixed catalogue and most chapter subsections.
    assert "patterns/cqrs.yaml: id: pattern 'cqrs' is missing" in out.stderr
    assert "chapter subsection 7.3.9 is not cited" in out.stderr
    assert "patterns/gamma.yaml:2:1: id: no rule recommends pattern 'gamma'" in out.stderr


def test_questions_and_patterns_json(mini: Path) -> None:
    q = json.loads(cli("--kb", str(mini), "questions", "--format", "json").stdout)
    assert [x["id"] for x in q["sections"][0]["questions"]] == ["style", "latency_ms", "needs", "durable", "name"]
    assert q["sections"][0]["questions"][1]["show_if"] == {"question": "style", "equals": "queries"}
    p = json.loads(cli("--kb", str(mini), "patterns", "--format", "json").stdout)
    assert sorted(x["id"] for x in p["patterns"]) == ["alpha", "beta", "gamma"]


BAD_INPUTS = {
    "missing file": (lambda d: ["evaluate", str(d / "nope.yaml")], "nope.yaml: file not found, expected an existing YAML file"),
    "directory": (lambda d: ["evaluate", str(d)], "is a directory, expected a YAML file"),
    "empty file": (lambda d: ["evaluate", str(write(d, "e.yaml", ""))], "e.yaml: file is empty, expected a YAML mapping"),
    "syntax error": (lambda d: ["evaluate", str(write(d, "s.yaml", "answers: {style: [events\n"))], "is never closed"),
    "list not mapping": (lambda d: ["evaluate", str(write(d, "l.yaml", "- style\n- events\n"))],
                         "l.yaml:1:1: top level is a list, expected a mapping"),
    "answers is a list": (lambda d: ["evaluate", str(write(d, "al.yaml", "answers:\n  - style\n"))],
                          "al.yaml:1:1: answers: got a list ['style'], expected a mapping"),
    "unknown question": (lambda d: ["evaluate", str(write(d, "u.yaml", "answers:\n  stlye: events\n"))],
                         "u.yaml:2:3: answers.stlye: unknown question id 'stlye'"),
    "not an option": (lambda d: ["evaluate", str(write(d, "o.yaml", "answers:\n  style: event\n"))],
                      "o.yaml:2:3: answers.style: 'event' is not an option, expected one of: events, queries"),
    "out of range": (lambda d: ["evaluate", str(write(d, "r.yaml", "answers:\n  style: queries\n  latency_ms: -5\n"))],
                     "r.yaml:3:3: answers.latency_ms: -5 is below the minimum, expected a number from 1 to 10000"),
    "unknown top-level key": (lambda d: ["evaluate", str(write(d, "k.yaml", "answer:\n  style: events\n"))],
                              "k.yaml:1:1: answer: unknown field 'answer', expected one of: title, answers"),
    "binary file": (lambda d: ["evaluate", str(_binary(d))], "not UTF-8 text"),
    "unknown flag": (lambda d: ["evaluate", "x.yaml", "--bogus"], "error: unrecognized arguments: --bogus (see --help)"),
    "unknown command": (lambda d: ["frobnicate"], "error: argument command: invalid choice: 'frobnicate'"),
    "bad format": (lambda d: ["evaluate", "x.yaml", "--format", "xml"], "invalid choice: 'xml'"),
    "bad fail-on": (lambda d: ["evaluate", "x.yaml", "--fail-on", "critical"], "invalid choice: 'critical'"),
    "missing kb": (lambda d: ["--kb", str(d / "nokb"), "validate"], "folder missing, expected YAML files here"),
}


def _binary(d: Path) -> Path:
    p = d / "bin.yaml"
    p.write_bytes(b"\x80\x81\x00answers")
    return p


@pytest.mark.parametrize("case", sorted(BAD_INPUTS))
def test_bad_input_is_one_line_and_exit_2(mini: Path, tmp_path: Path, case: str) -> None:
    make_args, expected = BAD_INPUTS[case]
    args = make_args(tmp_path)
    if args[0] != "--kb":
        args = ["--kb", str(mini), *args]
    out = cli(*args)
    assert out.returncode == 2, (out.stdout, out.stderr)
    lines = out.stderr.strip().splitlines()
    assert "Traceback" not in out.stderr
    assert len(lines) == 1 or case == "missing kb", out.stderr
    assert expected in lines[0], out.stderr


def test_broken_knowledge_base_lists_every_error_and_exits_2(tmp_path: Path) -> None:
    from minikb import RULES

    root = write_minikb(tmp_path, rules=RULES.replace("pattern: alpha, weight: 5", "pattern: nope, weight: 5"))
    out = cli("--kb", str(root), "validate")
    assert out.returncode == 2
    assert "rules/main.yaml:7:" in out.stderr and "unknown pattern id 'nope'" in out.stderr
    assert "Traceback" not in out.stderr


# --------------------------------------------------------------------------- the system inventory

TWELVE = ROOT / "examples" / "order-platform-12-services-good-fit.yaml"
BAD_INVENTORY = "answers:\n  service_count: 3\ninventory:\n  services:\n    - {name: orders, database: db2}\n"


def test_evaluate_shows_the_inventory_and_the_answers_it_gave() -> None:
    out = cli("evaluate", str(TWELVE.relative_to(ROOT)))
    assert out.returncode == 0, out.stderr
    assert "\nInventory: 12 services (5 teams), 1 external system, 10 events\n" in out.stdout
    assert "= 12 services (from the inventory)" in out.stdout
    doc = json.loads(cli("evaluate", str(TWELVE), "--format", "json").stdout)
    assert doc["inventory"]["services"][0]["name"] == "storefront"
    assert "service_count" in doc["derived"] and doc["answers"]["service_count"] == 12


@pytest.mark.parametrize("command", [["evaluate"], ["export", "--to", "md"]])
def test_a_bad_inventory_is_one_line_with_file_and_line_and_exit_2(tmp_path: Path, command: list[str]) -> None:
    path = write(tmp_path, "inv.yaml", BAD_INVENTORY)
    out = cli(command[0], str(path), *command[1:])
    assert out.returncode == 2, (out.stdout, out.stderr)
    assert out.stdout == "" and "Traceback" not in out.stderr
    assert out.stderr.splitlines() == [out.stderr.strip()]  # one line
    assert out.stderr.startswith(f"{path}:5:22: inventory.services[0].database: "), out.stderr


def test_an_answer_against_the_inventory_is_one_line_and_exit_2(tmp_path: Path) -> None:
    path = write(tmp_path, "dis.yaml", BAD_INVENTORY.replace("database: db2", "database: mysql"))
    out = cli("evaluate", str(path))
    assert out.returncode == 2
    assert out.stderr.startswith(f"{path}:2:3: answers.service_count: 3 disagrees with the inventory, which gives 1")


def test_export_uses_the_inventory(tmp_path: Path) -> None:
    target = tmp_path / "tasks.md"
    out = cli("export", str(TWELVE), "--to", "json", "-o", str(target))
    assert out.returncode == 0, out.stderr
    doc = json.loads(target.read_text())
    assert any(item.get("applies_to") for item in doc["checklist"])
