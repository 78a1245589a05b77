"""Fuzzing the YAML reader and the loader: any input is a valid load or one clear AdvisorError line.

Inputs are arbitrary text, token soups of the constructs attackers use (anchors, aliases, merge
keys, tags, directives, deep brackets, control characters, long numbers), and mutations of the
shipped knowledge files and answers examples. Never another exception, never over the budgets.

`make test` runs a fast profile; `make fuzz` (HYPOTHESIS_PROFILE=long) runs 10,000 examples per
reader property.
"""

from __future__ import annotations

import os
import shutil
import time
import tracemalloc
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kafka_advisor.engine import evaluate
from kafka_advisor.loader import (
    KnowledgeBaseError,
    _parse_model,
    check_answer,
    load_kb,
    parse_answers,
)
from kafka_advisor.model import Pattern, QuestionFile, RuleFile
from kafka_advisor.yamlsource import MAX_LINE, AdvisorError, Located, parse_bytes, parse_text

ROOT = Path(__file__).resolve().parent.parent
LONG = os.environ.get("HYPOTHESIS_PROFILE") == "long"
FAST = settings(max_examples=10_000 if LONG else 150, deadline=None, derandomize=not LONG,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
KB = load_kb(ROOT)

TOKENS = [
    "a", "b", "answers", "title", "service_count", "system_name", "interaction_styles", "events",
    ":", ": ", " ", "  ", "\n", "\n  ", "- ", "[", "]", "{", "}", ",", "? ", "|", ">", "#", "'", '"',
    "&a ", "*a", "&b ", "*b", "<<: ", "!foo ", "!!str ", "!!int ", "!!binary ", "!!set ", "!<tag:x> ",
    "---\n", "...\n", "%YAML 1.1\n", "%TAG ! tag:x,2000:\n", "~", "yes", "null", ".inf", ".nan",
    "0x1F", "010", "12:30", "1e3", "-7", "9" * 60, "1." + "5" * 120, "\t", "\x00", "\x1b", "\x7f",
    "\u0085", "\u202e", "\u200b", "\ufeff", "Zürich", "東京", "\\", '"\\e"', '"\\x1b"', '"\\u202e"',
]
token_soup = st.lists(st.sampled_from(TOKENS), max_size=80).map("".join)
any_text = st.text(max_size=400)
deep = st.tuples(st.integers(0, 3000), st.sampled_from([("[", "]"), ("{a: ", "}"), ("{not: ", "}")])).map(
    lambda n_oc: "answers: " + n_oc[1][0] * n_oc[0] + n_oc[1][1] * n_oc[0])


def _shipped(*globs: str) -> list[tuple[str, str]]:
    files = [p for g in globs for p in sorted(ROOT.glob(g))]
    return [(str(p.relative_to(ROOT)), p.read_text(encoding="utf-8")) for p in files]


EXAMPLES = _shipped("examples/*.yaml")
KB_FILES = _shipped("questions/*.yaml", "rules/*.yaml", "patterns/*.yaml")


@st.composite
def mutated(draw: Any, sources: list[tuple[str, str]]) -> tuple[str, str]:
    """A shipped file with a few insertions, deletions and replacements."""
    name, text = draw(st.sampled_from(sources))
    for _ in range(draw(st.integers(1, 6))):
        at = draw(st.integers(0, len(text)))
        kind = draw(st.sampled_from(["insert", "delete", "replace"]))
        piece = draw(st.sampled_from(TOKENS) | st.text(max_size=3))
        if kind == "insert":
            text = text[:at] + piece + text[at:]
        elif kind == "delete":
            text = text[:at] + text[at + draw(st.integers(1, 40)):]
        else:
            text = text[:at] + piece + text[at + len(piece):]
    return name, text


def _one_clear_line(err: AdvisorError) -> None:
    line = err.one_line()
    assert "\n" not in line and "\r" not in line and len(line) <= MAX_LINE, line


def _within_budget(fn: Any, *args: Any) -> Any:
    """Run fn; an AdvisorError is a fine answer. Over 1 s of CPU or 200 MB of allocations is not.

    Time is taken untraced (tracemalloc slows Python several times), and a slow run is repeated
    once: a garbage-collection pause does not repeat, work that grows with a hostile input does.
    """
    def attempt() -> tuple[Any, float]:
        start = time.process_time()
        try:
            result = fn(*args)
        except AdvisorError as err:
            _one_clear_line(err)
            result = err
        return result, time.process_time() - start

    result, cpu = attempt()
    if cpu >= 1.0:
        result, cpu = attempt()
    assert cpu < 1.0, f"{cpu:.2f} s of CPU"
    tracemalloc.start()
    try:
        attempt()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 200 * 2**20, f"{peak / 2**20:.0f} MB"
    return result


def _answers(text: str) -> Any:
    located = parse_text(text, "fuzz.yaml")
    title, answers = parse_answers(KB, located)
    assert title is None or isinstance(title, str)
    for qid, value in answers.items():  # what loads is valid: the engine can trust it
        assert check_answer(KB.questions[qid], value) == (value, None)
    evaluate(KB, answers)
    return answers


@FAST
@given(st.one_of(any_text, token_soup, deep))
def test_reader_on_any_text(text: str) -> None:
    result = _within_budget(parse_text, text, "fuzz.yaml")
    assert isinstance(result, Located | AdvisorError)


@FAST
@given(st.binary(max_size=300) | token_soup.map(lambda t: t.encode("utf-8", "surrogatepass")))
def test_reader_on_any_bytes(raw: bytes) -> None:
    result = _within_budget(parse_bytes, raw, "fuzz.yaml")
    assert isinstance(result, Located | AdvisorError)


@FAST
@given(st.one_of(mutated(EXAMPLES), token_soup.map(lambda t: ("soup", "answers:\n  " + t))))
def test_answers_loader_on_mutated_examples(case: tuple[str, str]) -> None:
    _within_budget(_answers, case[1])


MODELS = {"questions": QuestionFile, "rules": RuleFile, "patterns": Pattern}


def _kb_file(name: str, text: str) -> Any:
    located = parse_text(text, name)
    _, errors = _parse_model(located, MODELS[name.split("/")[0]])
    for err in errors:
        _one_clear_line(err)
    return located


@FAST
@given(mutated(KB_FILES))
def test_kb_file_models_on_mutated_files(case: tuple[str, str]) -> None:
    _within_budget(_kb_file, *case)


@settings(max_examples=300 if LONG else 8, deadline=None, derandomize=not LONG,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(case=mutated(KB_FILES))
def test_whole_kb_load_on_a_mutated_file(kb_copy: Path, case: tuple[str, str]) -> None:
    name, text = case
    target = kb_copy / name
    original = (ROOT / name).read_bytes()
    target.write_text(text, encoding="utf-8")
    try:
        load_kb(kb_copy)
    except KnowledgeBaseError as exc:
        assert exc.errors
        for err in exc.errors:
            _one_clear_line(err)
    finally:
        target.write_bytes(original)


@pytest.fixture(scope="module")
def kb_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("kb")
    for sub in ("questions", "rules", "patterns"):
        shutil.copytree(ROOT / sub, root / sub)
    return root
