"""The safe YAML reader: what it keeps (text stays text, positions) and what it refuses, in one line."""

from __future__ import annotations

from pathlib import Path

import pytest

from kafka_advisor.loader import KnowledgeBase, answers_yaml, load_kb, parse_answers
from kafka_advisor.yamlsource import MAX_DEPTH, MAX_LINE, AdvisorError, parse_text, shorten

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("typed", ["0x1F", "010", "12:30", "1e3", "0o17", "0b101", "1_000", "2024-01-01", "yes", ".inf"])
def test_text_answers_stay_what_the_user_typed(kb: KnowledgeBase, typed: str) -> None:
    # YAML 1.1 reads these as 31, 8, 750, ... ; a system name is text, whatever it looks like.
    _, answers = parse_answers(kb, parse_text(f"title: {typed}\nanswers:\n  system_name: {typed}\n", "a.yaml"))
    assert answers["system_name"] == typed


def test_title_that_looks_like_a_number_stays_text(kb: KnowledgeBase) -> None:
    title, _ = parse_answers(kb, parse_text("title: 2024\nanswers: {}\n", "a.yaml"))
    assert title == "2024"


@pytest.mark.parametrize(("text", "value"), [
    ("n: 010", 10), ("n: 1_000", 1000), ("n: -7", -7), ("n: 2.5", 2.5), ("n: 1e3", 1000.0),
    ("n: 0x1F", "0x1F"), ("n: 12:30", "12:30"), ("n: 2024-01-01", "2024-01-01"), ("n: ~", None),
    ("n: yes", True), ("n: Off", False), ("n: '010'", "010"), ("n: !!str 10", "10"), ("n: !!float 1", 1.0),
])
def test_scalars_resolve_like_yaml_1_2_with_1_1_booleans(text: str, value: object) -> None:
    assert parse_text(text, "x.yaml").data == {"n": value}


def test_numbers_in_number_answers_are_decimal(kb: KnowledgeBase) -> None:
    _, answers = parse_answers(kb, parse_text("answers:\n  service_count: 010\n", "a.yaml"))
    assert answers["service_count"] == 10  # decimal, not the octal 8 of YAML 1.1


def test_answers_yaml_writes_text_that_reads_back_the_same(kb: KnowledgeBase) -> None:
    answers = {"system_name": "0x1F"}
    _, back = parse_answers(kb, parse_text(answers_yaml("010", answers), "a.yaml"))
    assert back == answers


def test_aliases_within_budget_are_expanded_and_keep_positions() -> None:
    located = parse_text("base: &b {x: 1}\nuse: *b\nlist: [*b, *b]\n", "a.yaml")
    assert located.data == {"base": {"x": 1}, "use": {"x": 1}, "list": [{"x": 1}, {"x": 1}]}
    assert located.where(("use",)) == (2, 1) and located.where(("list", 1)) == (3, 12)


def test_depth_at_the_cap_reads_one_more_is_refused() -> None:
    depth = MAX_DEPTH
    located = parse_text("[" * depth + "]" * depth, "a.yaml")
    inner = located.data
    for _ in range(depth - 1):
        inner = inner[0]
    assert inner == []
    with pytest.raises(AdvisorError, match="nesting is deeper than"):
        parse_text("[" * (depth + 1) + "]" * (depth + 1), "a.yaml")


@pytest.mark.parametrize(("text", "message"), [
    ("a: &a [*a]", "refers to the value that contains it"),
    ("a: *nope", "unknown alias *nope"),
    ("a: {x: 1}\nb:\n  <<: {y: 2}", "merge keys (<<) are not supported"),
    ("a: !foo 1", "tag !foo is not supported"),
    ("a: !!binary aGk=", "tag !!binary is not supported"),
    ("a: !!python/object:os.system {}", "is not supported"),
    ("a: !!int x", "is not a valid !!int"),
    ("a: 1\n---\nb: 2", "a second YAML document"),
    ("? [a, b]\n: 1", "a mapping key must be a plain value"),
    ("a: 1\na: 2", "duplicate key"),
])
def test_refused_constructs_are_one_clear_line(text: str, message: str) -> None:
    with pytest.raises(AdvisorError) as err:
        parse_text(text, "a.yaml")
    line = err.value.one_line()
    assert message in line and "\n" not in line and line.startswith("a.yaml:")


def test_error_lines_are_cut_and_escaped() -> None:
    err = AdvisorError("a.yaml", 1, 1, "answers.x", "got '" + "\x1b[31m" + "y" * 5000 + "', expected a number")
    line = err.one_line()
    assert len(line) <= MAX_LINE and line.endswith("expected a number") and "\x1b" not in line and "\\u001b" in line
    assert "\u202e" not in AdvisorError("a\u202eb.yaml", None, None, "", "x").one_line()
    assert shorten("abc", 10) == "abc"


def test_a_yml_file_in_the_knowledge_base_is_read(tmp_path: Path) -> None:
    import shutil

    for sub in ("questions", "rules", "patterns"):
        shutil.copytree(ROOT / sub, tmp_path / sub)
    (tmp_path / "patterns" / "claim-check.yaml").rename(tmp_path / "patterns" / "claim-check.yml")
    assert "claim-check" in load_kb(tmp_path).patterns
