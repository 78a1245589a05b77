"""The one safe YAML reader: positions for every value, and budgets a hostile file cannot exceed.

PyYAML's `safe_load` throws line numbers away and trusts its input: aliases expand without limit
("billion laughs"), nesting recurses until Python's stack runs out, and YAML 1.1 turns the text
`0x1F` into 31. So we read the parser's *event stream* ourselves, with an explicit stack (no
recursion), a depth cap, a budget on values that counts every alias expansion, a closed set of
tags, and a small YAML 1.2-style resolver (decimal numbers only; no sexagesimal, octal, hex,
timestamps or merge keys). Every failure is one `AdvisorError` line.
"""

from __future__ import annotations

import errno
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .textsafety import CONTROL, FORMAT_CONTROLS

MAX_BYTES = 2_000_000  # larger than any sane knowledge or answers file
MAX_DEPTH = 48  # the knowledge base nests 14 deep at most; conditions compile well within this
MAX_VALUES = 20_000  # values after alias expansion; the largest shipped file has about 1,400
MAX_DIGITS = 50  # int() of 4,300+ digits raises; no answer or setting needs more than this
MAX_LINE = 300  # characters in one error line
PURE_RETRY_BYTES = 256_000  # re-read a failing file with the pure loader (its wording) up to this size

Loc = tuple[str | int, ...]

# Characters YAML forbids (C0 controls but tab/LF/CR, DEL, C1 but NEL, surrogates, U+FFFE/FFFF).
_NOT_PRINTABLE = re.compile("[^\x09\x0a\x0d\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# YAML 1.1 counts NEL, U+2028 and U+2029 as line breaks (editors do not: every line number after
# them would be off), and a non-breaking space pasted from a web page is not indentation.
_LINE_SEPARATORS = {"\x85": "next line (NEL)", "\u2028": "line separator", "\u2029": "paragraph separator"}
_NBSP_INDENT = re.compile("^[ ]*\xa0", re.MULTILINE)
# A stream of nothing but comments, blank lines and document markers holds no document.
_EMPTY_STREAM = re.compile(r"(?:[ \t]*(?:---|\.\.\.)?[ \t]*(?:#[^\n]*)?(?:\r?\n|\r|$))*")
# What must never reach a terminal or a one-line message: the same table every output uses.
_UNSAFE_IN_LINE = re.compile(f"{CONTROL.pattern}|{FORMAT_CONTROLS.pattern}")


class AdvisorError(Exception):
    """A user-facing error: one line with file, line, column, field and what is expected."""

    def __init__(self, path: str, line: int | None, col: int | None, field: str, message: str) -> None:
        self.path, self.line, self.col, self.field, self.message = path, line, col, field, message
        super().__init__(self.one_line())

    def one_line(self) -> str:
        where = self.path
        if self.line is not None:
            where += f":{self.line}:{self.col or 1}"
        field = f" {self.field}:" if self.field else ""
        return shorten(safe_line(f"{where}:{field} {self.message}"), MAX_LINE)


def safe_line(text: str) -> str:
    """Control, bidi and zero-width characters as visible escapes: the line stays one honest line."""
    return _UNSAFE_IN_LINE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def shorten(text: str, limit: int) -> str:
    """Cut the middle of a long text: the start names the place, the end says what is expected."""
    if len(text) <= limit:
        return text
    tail = limit // 3
    return f"{text[: limit - tail - 3]} … {text[-tail:]}"


def show(value: Any, limit: int = 60) -> str:
    """A value quoted for a message (repr), cut to `limit` characters."""
    return shorten(repr(value), limit)


def dotted(loc: Loc) -> str:
    """('rules', 3, 'when', 'all', 0) -> 'rules[3].when.all[0]'."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + shorten(str(part), 60)
    return shorten(out, 100)


@dataclass
class Located:
    """Parsed YAML data plus the line/column of every mapping key and value.

    `plain` keeps the source text of every unquoted scalar that did not resolve to a string, so a
    text answer written `010` or `0x1F` stays exactly what the user typed.
    """

    path: str
    data: Any
    marks: dict[Loc, tuple[int, int]] = field(default_factory=dict)
    plain: dict[Loc, str] = field(default_factory=dict)

    def where(self, loc: Loc) -> tuple[int | None, int | None]:
        """Line and column of the deepest known prefix of `loc` (1-based)."""
        for n in range(len(loc), -1, -1):
            mark = self.marks.get(tuple(loc[:n]))
            if mark is not None:
                return mark
        return None, None

    def error(self, loc: Loc, message: str) -> AdvisorError:
        line, col = self.where(loc)
        return AdvisorError(self.path, line, col, dotted(loc), message)


# --------------------------------------------------------------------------- scalars

_WORDS: dict[str, Any] = {w: None for w in ("", "~", "null", "Null", "NULL")}
_WORDS.update({w: True for w in ("yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON")})
_WORDS.update({w: False for w in ("no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF")})
_NUMBER_START = frozenset("+-.0123456789")
_INT = re.compile(r"[-+]?[0-9][0-9_]*")
_FLOAT = re.compile(r"[-+]?(?:\.[0-9][0-9_]*|[0-9][0-9_]*(?:\.[0-9_]*)?)(?:[eE][-+]?[0-9]+)?")
_INF = re.compile(r"[-+]?\.(?:inf|Inf|INF)")
_NAN = re.compile(r"\.(?:nan|NaN|NAN)")
_STD = "tag:yaml.org,2002:"
_TAGS = {f"{_STD}{t}" for t in ("str", "int", "float", "bool", "null", "map", "seq")} | {"!"}


class _ValueError(Exception):
    """A scalar that cannot be read; becomes an AdvisorError at the scalar's position."""


def _resolve(value: str) -> Any:
    """A plain scalar: null, bool (YAML 1.1 words, as option values avoid them), decimal number, text."""
    if value in _WORDS:
        return _WORDS[value]
    if value[0] not in _NUMBER_START:  # the common case, names and option values: text at once
        return value
    if _INT.fullmatch(value):
        return _int(value)
    if _FLOAT.fullmatch(value) and any(c.isdigit() for c in value):
        return _float(value)
    if _INF.fullmatch(value):
        return float("-inf") if value.startswith("-") else float("inf")
    if _NAN.fullmatch(value):
        return float("nan")
    return value


def _int(value: str) -> int:
    digits = value.replace("_", "").lstrip("+-")
    if len(digits) > MAX_DIGITS:
        raise _ValueError(f"number has {len(digits):,} digits, expected at most {MAX_DIGITS}")
    return int(value.replace("_", ""))


def _float(value: str) -> float:
    if len(value) > MAX_DIGITS * 2:
        raise _ValueError(f"number is {len(value):,} characters long, expected at most {MAX_DIGITS * 2}")
    return float(value.replace("_", ""))


def _tagged(tag: str, value: str) -> Any:
    """A scalar with an explicit standard tag (`!!str 010`)."""
    kind = tag.removeprefix(_STD)
    if tag == "!" or kind == "str":
        return value
    resolved = _resolve(value)
    wanted = {"int": int, "float": (int, float), "bool": bool, "null": type(None)}.get(kind)
    if wanted is None or isinstance(resolved, bool) != (kind == "bool") or not isinstance(resolved, wanted):
        article = "an" if kind == "int" else "a"
        raise _ValueError(f"{show(value)} is not a valid !!{kind}, expected {article} {kind} value")
    return float(resolved) if kind == "float" else resolved


# --------------------------------------------------------------------------- the event builder


class _Frame:
    """One open mapping or sequence on the builder's stack."""

    __slots__ = ("anchor", "key", "key_mark", "loc", "start_count", "value")

    def __init__(self, value: dict[Any, Any] | list[Any], loc: Loc, anchor: str | None, start_count: int) -> None:
        self.value, self.loc, self.anchor, self.start_count = value, loc, anchor, start_count
        self.key: Any = _NO_KEY
        self.key_mark: tuple[int, int] = (0, 0)


_NO_KEY = object()
_TOO_DEEP = f"nesting is deeper than {MAX_DEPTH} levels, expected a flatter document"


def _mark(event: yaml.Event) -> tuple[int, int]:
    return event.start_mark.line + 1, event.start_mark.column + 1


class _Builder:
    """Turns parser events into Python data, recording marks, under the depth and value budgets."""

    def __init__(self, path: str) -> None:
        self.out = Located(path, None)
        self.stack: list[_Frame] = []
        self.anchors: dict[str, tuple[Any, int]] = {}  # anchor -> (value, its size in values)
        self.open_anchors: set[str] = set()
        self.count = 0
        self.aliased = False

    def fail(self, event: yaml.Event, loc: Loc, message: str) -> AdvisorError:
        line, col = _mark(event)
        return AdvisorError(self.out.path, line, col, dotted(loc), message)

    def _spend(self, event: yaml.Event, loc: Loc, n: int) -> None:
        self.count += n
        if self.count > MAX_VALUES:
            how = ("expands to more than {:,} values (each use of an alias counts its values again)" if self.aliased
                   else "has more than {:,} values")
            raise self.fail(event, loc, f"the document {how.format(MAX_VALUES)}, expected a smaller document")

    def _slot(self, event: yaml.Event, is_scalar: bool) -> Loc | None:
        """Where the next node goes; None when it is a mapping key (handled by the caller)."""
        if not self.stack:
            return ()
        top = self.stack[-1]
        if isinstance(top.value, list):
            return (*top.loc, len(top.value))
        if top.key is _NO_KEY:
            if not is_scalar:
                raise self.fail(event, top.loc, "a mapping key must be a plain value, expected a name")
            return None
        return (*top.loc, top.key)

    def _place(self, loc: Loc, value: Any, mark: tuple[int, int]) -> None:
        if not self.stack:
            self.out.data = value
            self.out.marks[()] = mark
            return
        top = self.stack[-1]
        if isinstance(top.value, list):
            top.value.append(value)
            self.out.marks[loc] = mark
        else:
            top.value[top.key] = value
            # Keep the key's own mark: errors about a value read best on the key's line.
            self.out.marks[loc] = top.key_mark
            top.key = _NO_KEY

    def _key(self, event: yaml.ScalarEvent, key: Any) -> None:
        top = self.stack[-1]
        key_loc = (*top.loc, key)
        assert isinstance(top.value, dict)
        if key in top.value:
            raise self.fail(event, key_loc, "duplicate key, expected each key once")
        top.key, top.key_mark = key, _mark(event)
        self.out.marks[key_loc] = top.key_mark

    def scalar(self, event: yaml.ScalarEvent) -> None:
        slot = self._slot(event, True)
        loc = slot if slot is not None else self.stack[-1].loc
        self._check_tag(event, loc)
        plain = event.tag is None and event.implicit[0]  # unquoted and untagged: the resolver decides
        if slot is None:  # a mapping key
            self._spend(event, loc, 1)
            if plain and event.value == "<<":
                raise self.fail(event, loc, "YAML merge keys (<<) are not supported, expected plain keys")
            # Keys are names: `yes:`, `3:` or `~:` stay the text written, never true, 3 or null.
            self._key(event, event.value)
            return
        try:
            if plain:
                value = _resolve(event.value)
            elif event.tag is None:
                value = event.value  # quoted: always text
            else:
                value = _tagged(event.tag, event.value)
        except _ValueError as exc:
            raise self.fail(event, loc, str(exc)) from None
        self._spend(event, slot, 1)
        if plain and not isinstance(value, str):
            self.out.plain[slot] = event.value
        self._remember(event.anchor, value, 1)
        self._place(slot, value, _mark(event))

    def alias(self, event: yaml.AliasEvent) -> None:
        slot = self._slot(event, False)
        assert slot is not None
        name = event.anchor
        if name in self.open_anchors:
            raise self.fail(event, slot, f"alias *{shorten(name, 40)} refers to the value that contains it, "
                                         "expected an alias of a finished value")
        if name not in self.anchors:
            raise self.fail(event, slot, f"unknown alias *{shorten(name, 40)}, expected an anchor (&name) defined earlier")
        value, size = self.anchors[name]
        self.aliased = True
        self._spend(event, slot, size)
        self._place(slot, value, _mark(event))

    def start(self, event: yaml.CollectionStartEvent, value: dict[Any, Any] | list[Any]) -> None:
        slot = self._slot(event, False)
        assert slot is not None
        self._check_tag(event, slot)
        expected = f"{_STD}{'map' if isinstance(value, dict) else 'seq'}"
        if event.tag not in (None, "!", expected):
            raise self.fail(event, slot, f"tag {_tag_name(event.tag)} does not fit this value, expected no tag")
        if len(self.stack) >= MAX_DEPTH:
            raise self.fail(event, slot, _TOO_DEEP)
        self._spend(event, slot, 1)
        self._place(slot, value, _mark(event))
        if event.anchor is not None:
            self.open_anchors.add(event.anchor)
        self.stack.append(_Frame(value, slot, event.anchor, self.count - 1))

    def end(self) -> None:
        frame = self.stack.pop()
        if frame.anchor is not None:
            self.open_anchors.discard(frame.anchor)
            self._remember(frame.anchor, frame.value, self.count - frame.start_count)

    def _remember(self, anchor: str | None, value: Any, size: int) -> None:
        if anchor is not None:
            self.anchors[anchor] = (value, size)

    def _check_tag(self, event: yaml.NodeEvent, loc: Loc) -> None:
        tag = getattr(event, "tag", None)
        if tag is not None and tag not in _TAGS:
            raise self.fail(event, loc, f"tag {_tag_name(tag)} is not supported, expected plain YAML values "
                                        "(quote the text if it starts with '!')")


def _tag_name(tag: str) -> str:
    """A tag as it is usually written: `!!binary`, not `tag:yaml.org,2002:binary`."""
    return shorten("!!" + tag.removeprefix(_STD) if tag.startswith(_STD) else tag, 60)


def _build(loader: Any, path: str) -> Located:
    builder = _Builder(path)
    documents = 0
    while True:
        event = loader.get_event()
        if isinstance(event, yaml.ScalarEvent):
            builder.scalar(event)
        elif isinstance(event, yaml.MappingStartEvent):
            builder.start(event, {})
        elif isinstance(event, yaml.SequenceStartEvent):
            builder.start(event, [])
        elif isinstance(event, yaml.MappingEndEvent | yaml.SequenceEndEvent):
            builder.end()
        elif isinstance(event, yaml.AliasEvent):
            builder.alias(event)
        elif isinstance(event, yaml.DocumentStartEvent):
            documents += 1
            if documents > 1:
                line, col = _mark(event)
                raise AdvisorError(path, line, col, "", "a second YAML document (---), expected a single document")
        elif isinstance(event, yaml.StreamEndEvent):
            return builder.out


# --------------------------------------------------------------------------- text and files

# libyaml scans about 15 times faster than PyYAML's pure-Python parser. Syntax errors are worded
# by the pure parser (its messages name the problem better), re-read only for files small enough.
_FAST_LOADER = getattr(yaml, "CSafeLoader", None)


class _SyntaxError(Exception):
    def __init__(self, error: AdvisorError) -> None:
        self.error = error


def parse_text(text: str, path: str) -> Located:
    """YAML text -> Located, or an AdvisorError; never another exception, within the budgets."""
    _check_printable(text, path)
    if _EMPTY_STREAM.fullmatch(text):
        return Located(path, None)
    if _FAST_LOADER is not None:
        try:
            return _parse_text(text, path, _FAST_LOADER)
        except _SyntaxError as exc:
            if len(text) > PURE_RETRY_BYTES:
                raise exc.error from None
    try:
        return _parse_text(text, path, yaml.SafeLoader)
    except _SyntaxError as exc:
        raise exc.error from None


def _parse_text(text: str, path: str, loader_class: type) -> Located:
    loader = None
    try:
        loader = loader_class(text)
        return _build(loader, path)
    except yaml.MarkedYAMLError as exc:
        if "maximum nesting depth" in str(exc.problem):  # libyaml's own cap (1,000) is above ours
            mark = exc.problem_mark
            raise AdvisorError(path, mark.line + 1 if mark else None, mark.column + 1 if mark else None,
                               "", _TOO_DEEP) from None
        mark, message = _syntax(exc)
        line, col = (mark.line + 1, mark.column + 1) if mark else (None, None)
        raise _SyntaxError(AdvisorError(path, line, col, "", message)) from None
    except yaml.YAMLError as exc:
        raise _SyntaxError(AdvisorError(path, None, None, "", f"YAML error: {exc}, expected valid YAML")) from None
    finally:
        if loader is not None:
            loader.dispose()


def _syntax(exc: yaml.MarkedYAMLError) -> tuple[Any, str]:
    """The parser's complaint in the words of someone editing the file, at the place to look."""
    problem, context = exc.problem or "", exc.context or ""
    unfinished = "end of stream" in problem or "<stream end>" in problem
    if unfinished and "quoted scalar" in context:
        return exc.context_mark, "quoted text is never closed (the file ends first), expected a closing quote"
    if unfinished and "flow mapping" in context:
        return exc.context_mark, "a '{' is never closed (the file ends first), expected a matching '}'"
    if unfinished and "flow sequence" in context:
        return exc.context_mark, "a '[' is never closed (the file ends first), expected a matching ']'"
    mark = exc.problem_mark or exc.context_mark
    if "expected <block end>" in problem:
        return mark, ("YAML syntax error: the indentation does not match the lines above, "
                      "expected keys aligned with their siblings")
    if "mapping values are not allowed" in problem:
        return mark, ("YAML syntax error: ': ' where a key cannot start (quote a value that contains ': '; "
                      "a key is at most 1,024 characters), expected valid YAML")
    return mark, f"YAML syntax error: {problem or context or 'invalid YAML'}, expected valid YAML"


def _check_printable(text: str, path: str) -> None:
    bad = _NOT_PRINTABLE.search(text)
    nbsp = _NBSP_INDENT.search(text)
    if nbsp is not None and (bad is None or nbsp.end() - 1 < bad.start()):
        line, col = _line_col(text, nbsp.end() - 1)
        raise AdvisorError(path, line, col, "", "non-breaking space (U+00A0) used for indentation, expected spaces")
    if bad is None:
        return
    line, col = _line_col(text, bad.start())
    char = bad.group()
    if char == "\x00" and text.count("\x00") * 3 >= len(text):
        message = "looks like UTF-16 or UTF-32 text (NUL bytes), expected UTF-8"
    elif char in _LINE_SEPARATORS:
        message = f"{_LINE_SEPARATORS[char]} U+{ord(char):04X} is not allowed, expected printable text"
    else:
        message = f"control character U+{ord(char):04X} is not allowed in YAML, expected printable text"
    raise AdvisorError(path, line, col, "", message)


def _line_col(text: str, at: int) -> tuple[int, int]:
    return text.count("\n", 0, at) + 1, at - (text.rfind("\n", 0, at) + 1) + 1


def parse_bytes(raw: bytes, name: str, *, max_bytes: int = MAX_BYTES) -> Located:
    """Bytes of a YAML file (an upload, say) -> Located; every failure is an AdvisorError."""
    if len(raw) > max_bytes:
        raise AdvisorError(name, None, None, "", f"file is {len(raw):,} bytes, expected at most {max_bytes:,}")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise AdvisorError(name, None, None, "", "is UTF-16 text, expected UTF-8")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise AdvisorError(name, None, None, "", f"not UTF-8 text (byte {exc.start}), expected a UTF-8 YAML file") from None
    located = parse_text(text, name)
    if located.data is None:
        raise AdvisorError(name, None, None, "", "file is empty, expected a YAML mapping")
    return located


_KINDS = ((stat.S_ISFIFO, "is a FIFO (named pipe)"), (stat.S_ISCHR, "is a character device"),
          (stat.S_ISBLK, "is a block device"), (stat.S_ISSOCK, "is a socket"))


def file_kind(mode: int) -> str | None:
    """What a non-regular file is, in words; None for a regular file or a directory."""
    return next((words for test, words in _KINDS if test(mode)), None)


def os_problem(exc: OSError) -> str:
    """An OSError as the words a user can act on."""
    words = {errno.ENOENT: "file not found", errno.EACCES: "permission denied",
             errno.EPERM: "permission denied", errno.ENAMETOOLONG: "file name too long",
             errno.ENOTDIR: "a part of the path is not a folder", errno.ELOOP: "too many symbolic links",
             errno.ENOSPC: "no space left on the device", errno.EFBIG: "file too large"}
    return words.get(exc.errno or 0) or (exc.strerror or type(exc).__name__).lower()


def read_file(path: Path | str, *, max_bytes: int = MAX_BYTES) -> Located:
    """Read and parse a YAML file; every failure is an AdvisorError with one clear line."""
    return parse_bytes(read_regular_file(path, "YAML file", max_bytes=max_bytes), str(path), max_bytes=max_bytes)


def read_regular_file(path: Path | str, what: str, *, max_bytes: int) -> bytes:
    """A file's bytes, at most `max_bytes + 1` of them (so the caller can say it is too big).

    The size is checked before reading, and only regular files are read: a FIFO, a device such as
    /dev/zero or a socket could block forever or never end. `what` ("YAML file", "config file")
    names what was expected in the one-line error.
    """
    name = str(path)
    try:
        info = os.stat(path)
    except (OSError, ValueError) as exc:  # ValueError: an embedded NUL in the path
        problem = os_problem(exc) if isinstance(exc, OSError) else "invalid file name"
        expected = f"an existing {what}" if getattr(exc, "errno", None) == errno.ENOENT else f"a readable {what}"
        raise AdvisorError(name, None, None, "", f"{problem}, expected {expected}") from None
    if stat.S_ISDIR(info.st_mode):
        raise AdvisorError(name, None, None, "", f"is a directory, expected a {what}")
    kind = file_kind(info.st_mode)
    if kind is not None:
        raise AdvisorError(name, None, None, "", f"{kind}, expected a regular {what}")
    if info.st_size > max_bytes:
        raise AdvisorError(name, None, None, "", f"file is {info.st_size:,} bytes, expected at most {max_bytes:,}")
    try:
        # O_NONBLOCK: if the file was swapped for a FIFO since the stat, opening must not hang.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
        with os.fdopen(fd, "rb") as fh:
            if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
                raise AdvisorError(name, None, None, "", f"is not a regular file, expected a regular {what}")
            return fh.read(max_bytes + 1)  # a file that grew since the stat is still cut at the limit
    except OSError as exc:
        raise AdvisorError(name, None, None, "", f"{os_problem(exc)}, expected a readable {what}") from None
