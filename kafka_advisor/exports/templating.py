"""The Jinja environment for the HTML, print and ADR templates in kafka_advisor/templates/.

Autoescape is on: everything a user typed is text. Knowledge-base prose goes through `kb`,
markdown-it with raw HTML disabled, so backticks become code but no tag from any YAML reaches a page.
"""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markdown_it import MarkdownIt
from markupsafe import Markup

from .common import one_line

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
_MD = MarkdownIt("commonmark", {"html": False, "linkify": False})


def kb_text(text: str) -> Markup:
    # <wbr> before code spans: Unicode line breaking forbids a break before "." even after a space, so a list
    # such as "`.offset`, `.task.id`, ..." would otherwise run off the printed page.
    html = _MD.renderInline(one_line(text)).replace("<code>", "<wbr><code>")
    return Markup(html)  # markdown-it escapes: raw html is disabled


ENV = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=True, undefined=StrictUndefined,
                  extensions=["jinja2.ext.do"], keep_trailing_newline=True)
ENV.globals["kb"] = kb_text


def css(name: str) -> Markup:
    """A stylesheet from the templates folder, inlined (the pages open offline)."""
    return Markup((TEMPLATES / name).read_text(encoding="utf-8"))
