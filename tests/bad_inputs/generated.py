"""Corpus cases built at test time: too big to commit, or bytes an editor would mangle.

Each entry is name -> a function returning the file's bytes; its golden is answers/NAME.err
(or kb/NAME.err for names starting with `kb-`, whose first line says where the file goes).
"""

from __future__ import annotations

from collections.abc import Callable


def _laughs(levels: int, width: int) -> bytes:
    """The "billion laughs": each level is `width` aliases of the one before."""
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, levels):
        prev, cur = chr(ord("a") + i - 1), chr(ord("a") + i)
        lines.append(f"{cur}: &{cur} [" + ",".join([f"*{prev}"] * width) + "]")
    return ("answers:\n  system_name: x\n" + "\n".join(lines) + "\n").encode()


def _nested(depth: int, open_: str, close: str) -> bytes:
    return f"answers: {open_ * depth}{close * depth}\n".encode()


def _nested_block(depth: int) -> bytes:
    return ("answers:\n" + "".join("  " * (i + 1) + "k:\n" for i in range(depth))).encode()


GENERATED: dict[str, Callable[[], bytes]] = {
    "alias-bomb-9-levels": lambda: _laughs(9, 10),
    "alias-bomb-6-levels": lambda: _laughs(6, 10),
    "nested-flow-lists-1000": lambda: _nested(1000, "[", "]"),
    "nested-flow-lists-100000": lambda: _nested(100_000, "[", "]"),
    "nested-flow-maps-3000": lambda: _nested(3000, "{a: ", "}"),
    "nested-block-maps-1200": lambda: _nested_block(1200),
    "huge-flow-list": lambda: ("title: [" + ",".join(["x"] * 700_000) + "]\n").encode(),
    "huge-block-list": lambda: ("answers:\n  interaction_styles:\n" + "    - events\n" * 60_000).encode(),
    "over-size-limit": lambda: b"# padding\n" * 210_000 + b"answers: {}\n",
    "long-integer-5000-digits": lambda: b"answers:\n  service_count: " + b"9" * 5000 + b"\n",
    "long-float": lambda: b"answers:\n  service_count: 1." + b"5" * 5000 + b"\n",
    "long-list-value-in-error": lambda: ("answers:\n  service_count: [" + ",".join(["1"] * 300_000) + "]\n").encode(),
    "long-text-value": lambda: b"answers:\n  system_name: " + b"x" * 1_000_000 + b"\n",
    "long-key": lambda: b"answers:\n  " + b"k" * 500_000 + b": 1\n",
    "nul-byte": lambda: b"answers:\n  system_name: a\x00b\n",
    "esc-byte": lambda: b"answers:\n  system_name: a\x1b[31mred\n",
    "del-byte": lambda: b"answers:\n  system_name: a\x7fb\n",
    "c1-control": lambda: "answers:\n  system_name: a\u0085\u0090b\n".encode(),
    "utf16-be-no-bom": lambda: "title: x\nanswers: {}\n".encode("utf-16-be"),
    "utf16-le-no-bom": lambda: "title: x\nanswers: {}\n".encode("utf-16-le"),
    "utf16-le-bom": lambda: "title: x\nanswers: {}\n".encode("utf-16"),
    "utf32-be": lambda: "title: x\nanswers: {}\n".encode("utf-32-be"),
    "latin1-text": lambda: "answers:\n  system_name: Zürich\n".encode("latin-1"),
    "lone-surrogate-bytes": lambda: b"answers:\n  system_name: \xed\xa0\x80\n",
    "binary-garbage": lambda: bytes(range(256)) * 4,
    # Line endings and invisible characters an editor would normalise, hide or reorder.
    "crlf-syntax-error": lambda: (
        b"title: Windows line endings\r\nanswers:\r\n  system_name: Orders\r\n"
        b"  goals: [event-history\r\n  service_count: 3\r\n"),
    "cr-only-line-endings-syntax-error": lambda: (
        b"title: Old Mac line endings\ranswers:\r  system_name: Orders\r    service_count: 3\r"),
    "utf8-bom-syntax-error": lambda: b"\xef\xbb\xbftitle: BOM: then a stray colon\nanswers: {}\n",
    "nbsp-indentation": lambda: "title: Pasted from a web page\nanswers:\n\u00a0\u00a0system_name: Orders\n".encode(),
    "zero-width-space-in-question-id": lambda: "title: Invisible\nanswers:\n  service\u200b_count: 3\n".encode(),
    "bom-inside-question-id": lambda: "title: BOM inside\nanswers:\n  \ufeffservice_count: 3\n".encode(),
    "raw-bidi-override-in-option": lambda: "title: Bidi\nanswers:\n  kafka_status: \u202egninnur\n".encode(),
    "raw-bidi-override-in-question-id": lambda: "title: Bidi\nanswers:\n  \u202etnuoc_ecivres: 3\n".encode(),
    "line-separator-in-value": lambda: "title: Line separator\nanswers:\n  kafka_status: run\u2028ning\n".encode(),
    "nel-in-value": lambda: "title: Next line\nanswers:\n  kafka_status: run\u0085ning\n".encode(),
    "kb-question-file-nul-byte": lambda: (
        b"# target: questions/09-zz.yaml\nsection:\n  id: zz\n  title: Ex\x00tra\n  help: Extra questions.\n"
        b"questions: []\n"),
    "kb-rules-crlf-syntax-error": lambda: (
        b"# target: rules/zz-crlf.yaml\r\nrules:\r\n  - id: zz-crlf\r\n    title: Saved on Windows\r\n"
        b"    when: {question: service_count, gte: 100\r\n    then:\r\n      notes: [Many services.]\r\n"),
    "kb-alias-bomb": lambda: b"# target: rules/zz-bomb.yaml\n" + _laughs(9, 10).replace(b"answers:\n  system_name: x\n", b""),
    "kb-deep-not-3000": lambda: (
        "# target: rules/zz-deep.yaml\nrules:\n  - id: deep\n    title: Deep\n    when: "
        + "{not: " * 3000 + "{question: service_count, gte: 1}" + "}" * 3000 + "\n").encode(),
}
