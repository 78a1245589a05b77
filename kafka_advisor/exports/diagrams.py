"""dot, svg, png: the architecture diagram files (DOT always; SVG and PNG need Graphviz `dot`).

They draw the user's own system (system_diagram), as the Results page does; without an inventory that
falls back to the core patterns' fragments.
"""

from __future__ import annotations

from ..diagram import render
from ..system_diagram import architecture_dot
from . import ExportContext, Exporter, register


def system_dot(ctx: ExportContext) -> str:
    return architecture_dot(ctx.report, ctx.kb, show_discouraged=ctx.show_discouraged)


register(Exporter("dot", "Diagram (Graphviz DOT)", "dot", "text/vnd.graphviz; charset=utf-8",
                  lambda ctx: system_dot(ctx).encode("utf-8")))
register(Exporter("svg", "Diagram (SVG)", "svg", "image/svg+xml", lambda ctx: render(system_dot(ctx), "svg"),
                  needs_dot=True))
register(Exporter("png", "Diagram (PNG)", "png", "image/png", lambda ctx: render(system_dot(ctx), "png"),
                  needs_dot=True))
