"""Export formats as a registry: each format is an Exporter registered by its own module.

A new format is one module that calls `register(Exporter(...))`; the built-ins below are loaded
exactly that way. Exporters read the Report and the KnowledgeBase only: they never re-decide.
"""

from __future__ import annotations

import functools
import importlib
import re
from collections.abc import Callable
from dataclasses import dataclass

from ..loader import KnowledgeBase
from ..model import Report
from ..present import ViewModel, build
from ..yamlsource import AdvisorError


@dataclass(frozen=True)
class ExportContext:
    report: Report
    kb: KnowledgeBase
    checked: frozenset[str] = frozenset()  # checklist item ids ticked by the user
    title: str | None = None  # the answers file's title, if any
    show_discouraged: bool = False  # draw discouraged patterns in the diagram (dashed red)

    @functools.cached_property
    def vm(self) -> ViewModel:
        """The one view model every exporter renders (built once per context)."""
        return build(self.report, self.kb, self.checked, self.title)


@dataclass(frozen=True)
class Exporter:
    name: str
    label: str
    extension: str
    mime: str
    render: Callable[[ExportContext], bytes]
    needs_dot: bool = False


class ExportError(AdvisorError):
    """An export that cannot be made (unknown format, no `dot`): one line for the user."""

    def __init__(self, message: str) -> None:
        super().__init__("export", None, None, "", message)


EXPORTERS: dict[str, Exporter] = {}


def register(exporter: Exporter) -> Exporter:
    if exporter.name in EXPORTERS:
        raise ValueError(f"export format {exporter.name!r} is already registered")
    EXPORTERS[exporter.name] = exporter
    return exporter


def export(name: str, ctx: ExportContext) -> bytes:
    """Render one format; unknown names and a missing `dot` become an ExportError."""
    exporter = EXPORTERS.get(name)
    if exporter is None:
        raise ExportError(f"unknown export format {name!r}, expected one of: {', '.join(EXPORTERS)}")
    from ..diagram import DiagramError, dot_available

    if exporter.needs_dot and not dot_available():
        raise ExportError(f"the {name} export needs the Graphviz 'dot' program, which was not found on PATH; "
                          "install Graphviz (Debian/Ubuntu: apt-get install graphviz, macOS: brew install graphviz, "
                          "see the README) or export 'dot' instead")
    try:
        return exporter.render(ctx)
    except DiagramError as exc:
        raise ExportError(f"{name}: {exc.message}") from None


# Zip members and download names: "report.md" reads better than "md.md".
STEMS: dict[str, str] = {"md": "report", "json": "report", "html": "report", "pdf": "report", "csv": "checklist",
                         "adr": "adr", "tasks": "tasks", "zip": "kafka-advisor", "dot": "diagram", "svg": "diagram",
                         "png": "diagram", "strimzi": "strimzi",
                         "asyncapi": "asyncapi", "mermaid": "diagram"}


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60]


def filename(name: str, ctx: ExportContext | None = None) -> str:
    """A download name such as `order-platform-report.md` (the system name or title, when known)."""
    exporter = EXPORTERS[name]
    stem = STEMS.get(name, name)
    prefix = ""
    if ctx is not None:
        from .common import display_title

        prefix = slug(display_title(ctx, default=""))
    return f"{prefix}-{stem}.{exporter.extension}" if prefix else f"{stem}.{exporter.extension}"


BUILTINS = ("markdown", "jsonfile", "csvfile", "htmlpage", "pdf", "adr", "tasks", "bundle", "diagrams", "strimzi",
            "asyncapi", "mermaid")
for _module in BUILTINS:
    importlib.import_module(f"{__name__}.{_module}")

__all__ = ["EXPORTERS", "ExportContext", "ExportError", "Exporter", "export", "filename", "register"]
