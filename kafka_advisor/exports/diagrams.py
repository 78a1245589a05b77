"""dot, svg, png: the architecture diagram files (DOT always; SVG and PNG need Graphviz `dot`)."""

from __future__ import annotations

from ..diagram import render
from . import Exporter, register
from .common import diagram_dot

register(Exporter("dot", "Diagram (Graphviz DOT)", "dot", "text/vnd.graphviz; charset=utf-8",
                  lambda ctx: diagram_dot(ctx).encode("utf-8")))
register(Exporter("svg", "Diagram (SVG)", "svg", "image/svg+xml", lambda ctx: render(diagram_dot(ctx), "svg"),
                  needs_dot=True))
register(Exporter("png", "Diagram (PNG)", "png", "image/png", lambda ctx: render(diagram_dot(ctx), "png"),
                  needs_dot=True))
