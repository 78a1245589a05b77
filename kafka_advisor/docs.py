"""Generated documentation: the README's pattern catalogue table (`python -m kafka_advisor.docs`)."""

from __future__ import annotations

import re
import sys
from pathlib import Path

from .chapter import SECTIONS
from .loader import KnowledgeBase, load_kb

README = Path(__file__).resolve().parent.parent / "README.md"
START, END = "<!-- catalogue:start -->", "<!-- catalogue:end -->"


def _section_key(ref: str) -> tuple[int, ...]:
    return tuple(int(x) for x in ref.split("."))


def catalogue_markdown(kb: KnowledgeBase) -> str:
    """One row per pattern, in chapter order: id, name, section, first sentence of the summary."""
    rows = ["| pattern | section | what it is |", "|---|---|---|"]
    for p in sorted(kb.patterns.values(), key=lambda p: (_section_key(p.section), p.id)):
        first = re.split(r"(?<=[.!?])\s", p.summary.strip(), maxsplit=1)[0].replace("|", "\\|")
        rows.append(f"| `{p.id}` {p.name} | {p.section} {SECTIONS[p.section]} | {first} |")
    counts = (f"{len(kb.patterns)} patterns, {len(kb.rules)} rules, {len(kb.questions)} questions, "
              f"{len(kb.items)} checklist items.")
    return "\n".join([START, counts, "", *rows, END])


def updated_readme(text: str, kb: KnowledgeBase) -> str:
    block = catalogue_markdown(kb)
    if START not in text:
        return text.rstrip() + "\n\n" + block + "\n"
    return re.sub(re.escape(START) + ".*?" + re.escape(END), lambda _: block, text, flags=re.S)


def main() -> int:
    kb = load_kb()
    README.write_text(updated_readme(README.read_text(encoding="utf-8"), kb), encoding="utf-8")
    print(f"README catalogue updated: {len(kb.patterns)} patterns", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
