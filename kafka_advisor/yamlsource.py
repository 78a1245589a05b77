"""Safe YAML parsing that remembers where every value came from.

PyYAML's `safe_load` throws line numbers away; we compose the node tree with the safe
loader ourselves so an error in `rules[3].when.all[0].gte` can point at its exact line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

MAX_BYTES = 2_000_000  # larger than any sane knowledge or answers file

Loc = tuple[str | int, ...]


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
        return f"{where}:{field} {self.message}"


def dotted(loc: Loc) -> str:
    """('rules', 3, 'when', 'all', 0) -> 'rules[3].when.all[0]'."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


@dataclass
class Located:
    """Parsed YAML data plus the line/column of every mapping key and value."""

    path: str
    data: Any
    marks: dict[Loc, tuple[int, int]] = field(default_factory=dict)

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


# libyaml scans about 15 times faster than PyYAML's pure-Python scanner (the knowledge base loads
# in a tenth of the time). Messages are worded by the pure loader: a file that fails is read again
# with it, so every error reads exactly as before.
_FAST_LOADER = getattr(yaml, "CSafeLoader", None)


def parse_text(text: str, path: str) -> Located:
    if _FAST_LOADER is not None:
        try:
            return _parse_text(text, path, _FAST_LOADER)
        except AdvisorError:
            pass
    return _parse_text(text, path, yaml.SafeLoader)


def _parse_text(text: str, path: str, loader_class: type) -> Located:
    loader = loader_class(text)
    try:
        try:
            node = loader.get_single_node()
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            problem = exc.problem or exc.context or "invalid YAML"
            line, col = (mark.line + 1, mark.column + 1) if mark else (None, None)
            raise AdvisorError(path, line, col, "", f"YAML syntax error: {problem}, expected valid YAML") from None
        except yaml.YAMLError as exc:
            raise AdvisorError(path, None, None, "", f"YAML error: {exc}") from None
        located = Located(path, None)
        if node is None:
            return located
        located.data = _build(loader, node, (), located)
        return located
    finally:
        loader.dispose()


def _build(loader: yaml.SafeLoader, node: yaml.Node, loc: Loc, out: Located) -> Any:
    out.marks[loc] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(node, yaml.MappingNode):
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise out.error(loc, "a mapping key must be a plain value, expected a name")
            key = loader.construct_object(key_node)
            if key == "<<":
                raise out.error(loc, "YAML merge keys (<<) are not supported, expected plain keys")
            key_loc = (*loc, key)
            if key in result:
                line = key_node.start_mark.line + 1
                raise AdvisorError(out.path, line, key_node.start_mark.column + 1, dotted(key_loc),
                                   "duplicate key, expected each key once")
            out.marks[key_loc] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            result[key] = _build(loader, value_node, key_loc, out)
            # Keep the key's own mark: errors about a value read best on the key's line.
            out.marks[key_loc] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_build(loader, child, (*loc, i), out) for i, child in enumerate(node.value)]
    try:
        return loader.construct_object(node, deep=True)
    except yaml.YAMLError as exc:
        raise out.error(loc, f"cannot read value: {exc}") from None


def read_file(path: Path | str, *, max_bytes: int = MAX_BYTES) -> Located:
    """Read and parse a YAML file; every failure is an AdvisorError with one clear line."""
    p = Path(path)
    name = str(path)
    if not p.exists():
        raise AdvisorError(name, None, None, "", "file not found, expected an existing YAML file")
    if p.is_dir():
        raise AdvisorError(name, None, None, "", "is a directory, expected a YAML file")
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise AdvisorError(name, None, None, "", f"cannot read file ({exc.strerror}), expected a readable file") from None
    return parse_bytes(raw, name, max_bytes=max_bytes)


def parse_bytes(raw: bytes, name: str, *, max_bytes: int = MAX_BYTES) -> Located:
    if len(raw) > max_bytes:
        raise AdvisorError(name, None, None, "", f"file is {len(raw):,} bytes, expected at most {max_bytes:,}")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise AdvisorError(name, None, None, "", f"not UTF-8 text (byte {exc.start}), expected a UTF-8 YAML file") from None
    located = parse_text(text, name)
    if located.data is None:
        raise AdvisorError(name, None, None, "", "file is empty, expected a YAML mapping")
    return located
