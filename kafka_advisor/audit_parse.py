"""Audit input: a config as the user wrote it -> key/value entries, each with its line.

Four shapes are read: Java `.properties`, JSON (flat, or the Connect REST `{"name":..., "config":{...}}`),
YAML (flat, nested Spring-style, Connect REST-style or a Strimzi KafkaTopic/KafkaConnector/KafkaConnect)
and a `kafka-topics.sh --create ... --config k=v` command. Entries keep duplicates, in file order:
a duplicate is a finding, not an input error (Kafka reads such a file, the last value wins). The one
exception is YAML, read by the project's one safe YAML reader, which refuses a duplicate key.

Every problem with the input itself is one `AdvisorError` line: file, line, what is expected.
"""

from __future__ import annotations

import ast
import json
import re
import shlex
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .yamlsource import AdvisorError, parse_text, read_regular_file, show

MAX_BYTES = 1_000_000  # a real client config is a few kilobytes; this leaves room for a whole worker file
MAX_SETTINGS = 2_000  # a worker file with every option set has a few hundred; more is not a config
FORMATS = ("properties", "json", "yaml", "kafka-topics", "python")
_EXTENSIONS = {".properties": "properties", ".conf": "properties", ".cfg": "properties", ".config": "properties",
               ".env": "properties", ".json": "json", ".yaml": "yaml", ".yml": "yaml", ".sh": "kafka-topics",
               ".py": "python"}
_PYTHON_START = re.compile(r"^(?:[A-Za-z_]\w*\s*=\s*)?(?:[\w.]*(?:Producer|Consumer|AdminClient)\s*\()?\s*\{")
_KEY = re.compile(r"[A-Za-z0-9_.\-$]+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_JSON_STRING = re.compile(r'"(?:[^"\\\n]|\\.)*"\s*:')
_EXPECTED = "expected a .properties, JSON or YAML config (or a kafka-topics.sh command, or a Python dict)"


@dataclass(frozen=True)
class Entry:
    key: str
    value: str  # as the client reads it: JSON/YAML scalars as their text (true, 5, a,b for a list)
    line: int


@dataclass(frozen=True)
class Parsed:
    format: str
    entries: tuple[Entry, ...]
    lines: tuple[str, ...]  # the text as given, one item per line (mask before showing it)
    name: str | None = None  # a connector's or topic's name, when the wrapper gives one
    hint: str | None = None  # a role the wrapper implies: "connector", "topic" or "connect-worker"
    parts: tuple[Parsed, ...] = ()  # several configs in one file (kafka-topics commands): audited one by one


# --------------------------------------------------------------------------- bytes and files


def decode(raw: bytes, name: str, *, max_bytes: int = MAX_BYTES) -> str:
    """Bytes of an upload or a file -> text; a binary, oversized or non-UTF-8 input is one line."""
    if len(raw) > max_bytes:
        raise AdvisorError(name, None, None, "", f"file is larger than {max_bytes:,} bytes, expected a config file "
                                                 f"of at most {max_bytes:,} bytes")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise AdvisorError(name, None, None, "", "is UTF-16 text, expected UTF-8")
    nul = raw.find(b"\x00")
    if nul >= 0:
        raise AdvisorError(name, None, None, "", f"binary file (NUL byte at offset {nul:,}), expected a text config")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise AdvisorError(name, None, None, "", f"not UTF-8 text (byte {exc.start:,}), expected a UTF-8 text config") from None
    bad = _CONTROL.search(text)
    if bad is not None:
        line = text.count("\n", 0, bad.start()) + 1
        raise AdvisorError(name, line, None, "", f"control character U+{ord(bad.group()):04X}, "
                                                 "expected printable text (is this a binary file?)")
    return text


def read_file(path: Path | str, *, max_bytes: int = MAX_BYTES) -> str:
    """A config file's text: only a regular file, at most `max_bytes` (never more than that is read)."""
    return decode(read_regular_file(path, "config file", max_bytes=max_bytes), str(path), max_bytes=max_bytes)


# --------------------------------------------------------------------------- the shapes


def detect_format(text: str, name: str) -> str:
    """By the file's extension, else by its first meaningful lines."""
    ext = Path(name).suffix.lower()
    if ext in _EXTENSIONS:
        return _EXTENSIONS[ext]
    meaningful = [ln for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith(("#", "!", "//"))]
    if not meaningful:
        return "properties"
    first = meaningful[0].lstrip()
    if first.startswith(("{", "[")):
        return "python" if re.search(r"'|\b(?:True|False|None)\b", text) and not _is_json(text) else "json"
    if _PYTHON_START.match(first):
        return "python"
    if "kafka-topics" in first:
        return "kafka-topics"
    if first.startswith(("---", "- ", "apiVersion:", "kind:")) or any(ln[:1] in (" ", "\t") and ":" in ln for ln in meaningful):
        return "yaml"
    return "properties"


def parse(text: str, name: str, fmt: str | None = None) -> Parsed:
    """Text -> Parsed, or an AdvisorError naming the line and what is expected."""
    if not text.strip():
        raise AdvisorError(name, None, None, "", f"file is empty, {_EXPECTED}")
    fmt = fmt or detect_format(text, name)
    if fmt not in FORMATS:
        raise AdvisorError(name, None, None, "", f"unknown format {fmt!r}, expected one of: {', '.join(FORMATS)}")
    parsed = {"properties": _properties, "json": _json, "yaml": _yaml, "kafka-topics": _command,
              "python": _python}[fmt](text, name)
    if not parsed.entries:
        raise AdvisorError(name, None, None, "", f"no settings found (only comments or blank lines), {_EXPECTED}")
    if len(parsed.entries) > MAX_SETTINGS:
        raise AdvisorError(name, parsed.entries[MAX_SETTINGS].line, None, "",
                           f"has more than {MAX_SETTINGS:,} settings, expected one config (a few dozen to a few hundred)")
    return parsed


def _lines(text: str) -> tuple[str, ...]:
    return tuple(text.splitlines())


# --------------------------------------------------------------------------- .properties

_ESCAPES = {"t": "\t", "n": "\n", "r": "\r", "f": "\f"}


def _logical_lines(text: str) -> list[tuple[int, str]]:
    """Java Properties logical lines: a line ending in an odd number of backslashes continues."""
    out: list[tuple[int, str]] = []
    pending: tuple[int, str] | None = None
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.lstrip(" \t\f") if pending is not None else raw
        if pending is None and (not line.strip() or line.lstrip(" \t\f").startswith(("#", "!"))):
            continue
        trailing = len(line) - len(line.rstrip("\\"))
        if trailing % 2 == 1:
            start, so_far = pending or (number, "")
            pending = (start, so_far + line[:-1])
            continue
        if pending is not None:
            out.append((pending[0], pending[1] + line))
            pending = None
        else:
            out.append((number, line))
    if pending is not None:
        out.append(pending)
    return out


def _unescape(text: str, name: str, line: int) -> str:
    out, i = [], 0
    while i < len(text):
        ch = text[i]
        if ch != "\\" or i + 1 == len(text):
            out.append(ch)
            i += 1
            continue
        nxt = text[i + 1]
        if nxt == "u":
            digits = text[i + 2:i + 6]
            if not re.fullmatch(r"[0-9A-Fa-f]{4}", digits):
                raise AdvisorError(name, line, None, "", f"malformed \\u escape {show(text[i:i + 6])}, "
                                                         "expected \\u and four hex digits")
            out.append(chr(int(digits, 16)))
            i += 6
            continue
        out.append(_ESCAPES.get(nxt, nxt))
        i += 2
    return "".join(out)


def _properties(text: str, name: str) -> Parsed:
    entries = []
    for number, line in _logical_lines(text):
        body = line.lstrip(" \t\f")
        i = 0
        while i < len(body) and body[i] not in "=: \t\f":
            i += 2 if body[i] == "\\" else 1
        raw_key, rest = body[:i], body[i:].lstrip(" \t\f")
        if not rest or rest[0] not in "=:":
            shown = show(body.strip(), 50)
            raise AdvisorError(name, number, None, "", f"cannot read {shown} as a setting, expected key=value "
                                                       "(a # starts a comment)")
        if not raw_key:
            raise AdvisorError(name, number, None, "", "a value without a key, expected key=value")
        key = _unescape(raw_key, name, number)
        if not _KEY.fullmatch(key):
            raise AdvisorError(name, number, None, "", f"{show(key, 50)} is not a config name, expected key=value "
                                                       "with a key of letters, digits, '.', '_' or '-'")
        value = _unescape(rest[1:].lstrip(" \t\f"), name, number).rstrip()
        entries.append(Entry(key, value, number))
    return Parsed("properties", tuple(entries), _lines(text))


# --------------------------------------------------------------------------- JSON


class _Pairs(list):  # type: ignore[type-arg]
    """A JSON object as its (key, value) pairs in order: duplicates survive the reading."""


def _json(text: str, name: str) -> Parsed:
    try:
        data = json.loads(text, object_pairs_hook=_Pairs)
    except json.JSONDecodeError as exc:
        raise AdvisorError(name, exc.lineno, exc.colno, "", f"JSON syntax error: {exc.msg}, expected valid JSON") from None
    except RecursionError:
        raise AdvisorError(name, None, None, "", "JSON nests too deep, expected a flat object of settings") from None
    if not isinstance(data, _Pairs):
        raise AdvisorError(name, 1, None, "", f"the JSON document is {_kind(data)}, expected an object of settings")
    key_lines = _json_key_lines(text)
    lines_of: dict[int, int] = {}  # id of a pairs list -> index of its first key in key_lines
    _number_keys(data, key_lines, lines_of, [0])
    top = dict(data)
    name_value = None
    body = data
    if isinstance(top.get("config"), _Pairs):  # Connect REST: {"name": ..., "config": {...}}
        body = top["config"]
        name_value = top.get("name") if isinstance(top.get("name"), str) else None
        extra = [k for k in top if k not in ("name", "config", "tasks", "type")]
        if extra:
            raise AdvisorError(name, _line_of(data, extra[0], lines_of, key_lines), None, extra[0],
                               "unexpected key beside 'config', expected a Connect REST body {\"name\": ..., \"config\": {...}}")
    entries = list(_flatten_pairs(body, "", name, lines_of, key_lines))
    hint = "connector" if body is not data or any(e.key == "connector.class" for e in entries) else None
    return Parsed("json", tuple(entries), _lines(text), name_value, hint)


def _json_key_lines(text: str) -> list[int]:
    """The line of every object key, in document order (a key is a string followed by a colon)."""
    out = []
    for m in _JSON_STRING.finditer(text):
        out.append(text.count("\n", 0, m.start()) + 1)
    return out


def _number_keys(node: Any, key_lines: list[int], where: dict[int, int], counter: list[int]) -> None:
    """Pre-order walk: the n-th key met is the n-th key in the text, so it gets the n-th key line."""
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, _Pairs):
            where[id(item)] = counter[0]
            counter[0] += len(item)
            stack.extend(reversed([v for _, v in item]))
        elif isinstance(item, list):
            stack.extend(reversed(item))


def _line_of(pairs: _Pairs, key: str, where: dict[int, int], key_lines: list[int]) -> int | None:
    start = where.get(id(pairs), 0)
    for n, (k, _) in enumerate(pairs):
        if k == key:
            index = start + n
            return key_lines[index] if index < len(key_lines) else None
    return None


def _flatten_pairs(pairs: _Pairs, prefix: str, name: str, where: dict[int, int], key_lines: list[int]) -> Any:
    start = where.get(id(pairs), 0)
    for n, (key, value) in enumerate(pairs):
        index = start + n
        line = key_lines[index] if index < len(key_lines) else 1
        full = f"{prefix}{key}"
        if isinstance(value, _Pairs):
            yield from _flatten_pairs(value, f"{full}.", name, where, key_lines)
            continue
        if not _KEY.fullmatch(full):
            raise AdvisorError(name, line, None, "", f"{show(full, 50)} is not a config name, expected keys of "
                                                     "letters, digits, '.', '_' or '-'")
        yield Entry(full, _scalar_text(value, name, line, full), line)


def _scalar_text(value: Any, name: str, line: int | None, key: str) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    if isinstance(value, int | float | str):
        return str(value)
    if isinstance(value, list):
        if all(isinstance(v, str | int | float | bool) for v in value):
            return ",".join(_scalar_text(v, name, line, key) for v in value)
        raise AdvisorError(name, line, None, key, "a list of objects, expected a value or a list of values")
    raise AdvisorError(name, line, None, key, f"{_kind(value)}, expected a value")


def _kind(value: Any) -> str:
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return "a string"
    if value is None:
        return "null"
    return f"a {type(value).__name__}"


def _is_json(text: str) -> bool:
    try:
        json.loads(text)
    except (ValueError, RecursionError):
        return False
    return True


# --------------------------------------------------------------------------- Python (confluent-kafka)


def _python(text: str, name: str) -> Parsed:
    """A confluent-kafka config dict pasted from Python code: read with `ast`, never executed."""
    start = text.find("{")
    end = text.rfind("}")
    if start < 0 or end < start:
        raise AdvisorError(name, None, None, "", "no {...} dict found, expected a Python dict of settings")
    first_line = text.count("\n", 0, start) + 1
    source = text[start:end + 1]
    try:
        with warnings.catch_warnings():  # "invalid escape sequence" and the like: about the user's text, not ours
            warnings.simplefilter("ignore")
            tree = ast.parse(source, mode="eval")
    except SyntaxError as exc:
        line = first_line + (exc.lineno or 1) - 1
        raise AdvisorError(name, line, None, "", f"Python syntax error: {exc.msg}, expected a dict literal "
                                                 "such as {'acks': 'all'}") from None
    except (RecursionError, MemoryError, ValueError):
        raise AdvisorError(name, None, None, "", "the dict nests too deep, expected a flat dict of settings") from None
    node = tree.body
    if not isinstance(node, ast.Dict):
        raise AdvisorError(name, first_line, None, "", "expected a dict literal such as {'acks': 'all'}")
    entries = []
    for key_node, value_node in zip(node.keys, node.values, strict=True):
        line = first_line + (getattr(key_node or value_node, "lineno", 1)) - 1
        if not isinstance(key_node, ast.Constant) or not isinstance(key_node.value, str):
            raise AdvisorError(name, line, None, "", "a key that is not a plain string (or a ** spread), "
                                                     "expected 'name': value pairs")
        key = key_node.value
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                value = ast.literal_eval(value_node)
        except (ValueError, TypeError, SyntaxError, RecursionError, MemoryError):
            # A callback, a variable or a call: its value is decided at run time; keep the source text.
            value = ast.get_source_segment(source, value_node) or "<expression>"
        if not _KEY.fullmatch(key):
            raise AdvisorError(name, line, None, "", f"{show(key, 50)} is not a config name, expected keys of "
                                                     "letters, digits, '.', '_' or '-'")
        entries.append(Entry(key, _scalar_text(value, name, line, key), line))
    return Parsed("python", tuple(entries), _lines(text))


# --------------------------------------------------------------------------- YAML

_STRIMZI = {"KafkaTopic": "topic", "KafkaConnector": "connector", "KafkaConnect": "connect-worker"}


def _yaml(text: str, name: str) -> Parsed:
    located = parse_text(text, name)  # the one safe YAML reader: budgets, positions, no duplicate keys
    data = located.data
    if not isinstance(data, dict):
        raise AdvisorError(name, 1, None, "", f"the YAML document is {_kind(data)}, expected a mapping of settings")
    entries: list[Entry] = []
    hint = None
    conf_name = None

    def line(loc: tuple[Any, ...]) -> int:
        return located.where(loc)[0] or 1

    kind = data.get("kind")
    spec = data.get("spec")
    if isinstance(kind, str) and kind in _STRIMZI and isinstance(spec, dict):
        hint = _STRIMZI[kind]
        meta = data.get("metadata")
        conf_name = meta.get("name") if isinstance(meta, dict) and isinstance(meta.get("name"), str) else None
        for src, dest in (("replicas", "replication.factor"), ("partitions", "partitions"),
                          ("class", "connector.class"), ("tasksMax", "tasks.max")):
            if src in spec and not isinstance(spec[src], dict | list):
                entries.append(Entry(dest, _scalar_text(spec[src], name, line(("spec", src)), dest), line(("spec", src))))
        config = spec.get("config") or {}
        if not isinstance(config, dict):
            raise AdvisorError(name, line(("spec", "config")), None, "spec.config", "expected a mapping of settings")
        entries += _flatten_yaml(config, ("spec", "config"), "", located, name)
    elif isinstance(data.get("config"), dict):
        hint = "connector"
        conf_name = data.get("name") if isinstance(data.get("name"), str) else None
        entries += _flatten_yaml(data["config"], ("config",), "", located, name)
    else:
        entries += _flatten_yaml(data, (), "", located, name)
    if hint is None and any(e.key == "connector.class" for e in entries):
        hint = "connector"
    return Parsed("yaml", tuple(entries), _lines(text), conf_name, hint)


def _flatten_yaml(mapping: dict[Any, Any], loc: tuple[Any, ...], prefix: str, located: Any, name: str) -> list[Entry]:
    out: list[Entry] = []
    stack = [(mapping, loc, prefix)]
    while stack:
        node, where, pre = stack.pop(0)
        for key, value in node.items():
            full = f"{pre}{key}"
            at = located.where((*where, key))[0] or 1
            if isinstance(value, dict):
                stack.insert(0, (value, (*where, key), f"{full}."))
                continue
            if not _KEY.fullmatch(full):
                raise AdvisorError(name, at, None, "", f"{show(full, 50)} is not a config name, expected keys of "
                                                       "letters, digits, '.', '_' or '-'")
            plain = located.plain.get((*where, key))
            text = plain if plain is not None and not isinstance(value, bool) and value is not None else None
            out.append(Entry(full, text if text is not None else _scalar_text(value, name, at, full), at))
    out.sort(key=lambda e: e.line)
    return out


# --------------------------------------------------------------------------- kafka-topics.sh

_VALUE_OPTIONS = {"--config", "--replication-factor", "--partitions", "--topic", "--bootstrap-server",
                  "--command-config", "--replica-assignment", "--bootstrap-controller"}


def _command(text: str, name: str) -> Parsed:
    """One or more kafka-topics.sh commands (a script creating several topics): one part per command."""
    tokens: list[tuple[str, int]] = []
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        line = line.removesuffix("\\").strip()
        try:
            words = shlex.split(line, comments=True)
        except ValueError as exc:
            raise AdvisorError(name, number, None, "", f"cannot read the command ({exc}), expected a kafka-topics.sh "
                                                       "command with --config key=value") from None
        tokens += [(w, number) for w in words]
    starts = [i for i, (w, _) in enumerate(tokens) if Path(w).name.startswith("kafka-topics")]
    if not starts:
        raise AdvisorError(name, None, None, "", "no kafka-topics command found, expected kafka-topics.sh --create "
                                                 "--topic NAME ... --config key=value")
    parts = [_one_command(tokens[a:b], text, name) for a, b in zip(starts, [*starts[1:], len(tokens)], strict=True)]
    parts = [p for p in parts if p.entries]
    if len(parts) == 1:
        return parts[0]
    entries = tuple(e for p in parts for e in p.entries)
    return Parsed("kafka-topics", entries, _lines(text), None, "topic", tuple(parts))


def _one_command(tokens: list[tuple[str, int]], text: str, name: str) -> Parsed:
    entries: list[Entry] = []
    topic = None
    i = 0
    while i < len(tokens):
        word, number = tokens[i]
        option, eq, inline = word.partition("=")
        if option in _VALUE_OPTIONS:
            if eq:
                value = inline
            elif i + 1 < len(tokens):
                i += 1
                value = tokens[i][0]
            else:
                raise AdvisorError(name, number, None, option, "has no value, expected a value after it")
            if option == "--config":
                key, sep, setting = value.partition("=")
                if not sep or not _KEY.fullmatch(key):
                    raise AdvisorError(name, number, None, "--config", f"{show(value, 50)}, expected key=value")
                entries.append(Entry(key, setting, number))
            elif option in ("--replication-factor", "--partitions"):
                entries.append(Entry(option.removeprefix("--").replace("-", "."), value, number))
            elif option == "--topic":
                topic = value
        i += 1
    return Parsed("kafka-topics", tuple(entries), _lines(text), topic, "topic")
