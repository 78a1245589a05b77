"""The Mermaid export renders with @mermaid-js/mermaid-cli on the machine's Chromium: every example, a system
with hostile names (which must stay text), and a deliberately broken diagram (which must fail).

All charts render in one mmdc call (a Markdown file of ```mermaid blocks, -j 2), so one browser start serves
them all."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from kafka_advisor import engine
from kafka_advisor.exports import ExportContext, export
from kafka_advisor.exports.mermaid import text, to_mermaid
from kafka_advisor.inventory import External, Inventory, Service
from kafka_advisor.loader import KnowledgeBase, load_answers_doc
from kafka_advisor.system_diagram import architecture, node_names

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
TWELVE = ROOT / "examples" / "order-platform-12-services-good-fit.yaml"
MMDC = ROOT / "node_modules" / ".bin" / "mmdc"
CHROMIUM = Path("/usr/bin/chromium")
HOSTILE = ['"]; click x "javascript:alert(1)"', "<script>alert(1)</script>", "a#b;c [d] {e} |f|", "end"]


def ensure_tools() -> None:
    if shutil.which("node") is None or shutil.which("npm") is None:
        pytest.fail("node/npm not on PATH: mermaid-cli cannot run (install Node.js 20+)")
    if not CHROMIUM.exists():
        pytest.fail("Debian chromium (/usr/bin/chromium) is not installed")
    done = subprocess.run([str(ROOT / "scripts" / "ensure-node.sh")], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr + done.stdout


def render(tmp: Path, charts: dict[str, str]) -> tuple[subprocess.CompletedProcess[str], dict[str, Path]]:
    """Render the charts in one mmdc call: (the process, {name: its SVG})."""
    ensure_tools()
    puppeteer = tmp / "puppeteer.json"
    puppeteer.write_text(json.dumps({"executablePath": str(CHROMIUM), "args": ["--no-sandbox"]}), encoding="utf-8")
    names = list(charts)
    (tmp / "charts.md").write_text("".join(f"```mermaid\n{charts[n]}```\n\n" for n in names), encoding="utf-8")
    done = subprocess.run([str(MMDC), "-i", str(tmp / "charts.md"), "-o", str(tmp / "out.md"), "-p", str(puppeteer),
                           "-j", "2", "-q"], capture_output=True, text=True, timeout=300, cwd=tmp)
    return done, {n: tmp / f"out-{i}.svg" for i, n in enumerate(names, 1)}


def hostile_inventory() -> Inventory:
    return Inventory(services=[Service(name=n, database="postgresql", produces=[f"{n} done"]) for n in HOSTILE[:2]]
                     + [Service(name=n, consumes=[f"{HOSTILE[0]} done"]) for n in HOSTILE[2:]],
                     externals=[External(name="<img src=x onerror=alert(1)>", kind="warehouse",
                                         events=[f"{HOSTILE[1]} done"])])


def reports(kb: KnowledgeBase) -> dict[str, tuple[ExportContext, list[str]]]:
    out = {}
    for path in [*EXAMPLES, None]:
        doc = load_answers_doc(kb, path or TWELVE)
        inv = hostile_inventory() if path is None else doc.inventory
        report = engine.evaluate(kb, doc.answers, inventory=inv)
        ctx = ExportContext(report, kb, title=doc.title)
        out[path.stem if path else "hostile-names"] = (ctx, node_names(architecture(report, kb)))
    return out


@pytest.fixture(scope="module")
def rendered(kb: KnowledgeBase, tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[list[str], str]]:
    tmp = tmp_path_factory.mktemp("mermaid")
    made = reports(kb)
    charts = {name: export("mermaid", ctx).decode("utf-8") for name, (ctx, _) in made.items()}
    done, svgs = render(tmp, charts)
    assert done.returncode == 0, done.stderr[-2000:]
    return {name: (made[name][1], svgs[name].read_text(encoding="utf-8")) for name in charts}


def _visible(svg: str) -> str:
    root = ET.fromstring(svg)
    return " ".join(" ".join(t.split()) for t in root.itertext())


@pytest.mark.parametrize("name", [p.stem for p in EXAMPLES])
def test_every_example_renders_with_its_names(rendered: dict[str, tuple[list[str], str]], name: str) -> None:
    names, svg = rendered[name]
    visible = _visible(svg)
    assert names and all(n in visible for n in names), [n for n in names if n not in visible]


def test_twelve_services_are_all_drawn(rendered: dict[str, tuple[list[str], str]], kb: KnowledgeBase) -> None:
    inv = load_answers_doc(kb, TWELVE).inventory
    assert inv is not None
    visible = _visible(rendered["order-platform-12-services-good-fit"][1])
    assert all(s.name in visible for s in inv.services)


def test_hostile_names_render_as_text(rendered: dict[str, tuple[list[str], str]]) -> None:
    _, svg = rendered["hostile-names"]
    root = ET.fromstring(svg)
    for el in root.iter():
        tag = el.tag.rsplit("}", 1)[-1].lower()
        assert tag not in ("script", "img", "a"), tag
        assert not any("javascript:" in v.lower() or k.lower().startswith("on") for k, v in el.attrib.items()), el.attrib
    visible = _visible(svg)
    for name in HOSTILE[:3]:
        assert name in visible  # shown as the user typed it


def test_labels_never_carry_mermaid_syntax() -> None:
    for name in HOSTILE:
        assert not re.search(r'["\[\]{}|;<>#:]', text(name).replace("#", "").replace(";", "")), text(name)
    assert text('a"b') == "a#34;b"


def test_same_model_as_the_graphviz_diagram(kb: KnowledgeBase) -> None:
    ctx, _ = reports(kb)["order-platform-12-services-good-fit"]
    d = architecture(ctx.report, ctx.kb)
    chart = to_mermaid(d)
    assert chart.count("subgraph ") == len({n.cluster for n in d.nodes if n.cluster})
    assert len(re.findall(r"^  +n\d+[(\[{]", chart, re.M)) == len(d.nodes)
    # Every edge is drawn, and each once: edges that end on different rows of the topics table end on
    # the same box here, so they collapse into one arrow.
    arrows = re.findall(r"^  (n\d+|g\d+) (-->|-\.->|==>)(?:\|[^|]*\|)? (n\d+|g\d+)$", chart, re.M)
    assert len(arrows) == len(set(arrows)) and len(re.findall(r"(-->|-\.->|==>)", chart)) == len(arrows)
    ids = {n.id: f"n{i}" for i, n in enumerate(d.nodes, 1)}
    assert {(ids[e.src], ids[e.dst]) for e in d.edges if not e.ltail and not e.lhead} <= {(a, c) for a, _, c in arrows}
    assert len(arrows) < len(d.edges)  # the 12-service example has such parallel edges


def test_a_broken_diagram_fails(tmp_path: Path) -> None:
    done, svgs = render(tmp_path, {"broken": 'flowchart LR\n  a["unclosed --> b\n  subgraph\n'})
    assert done.returncode != 0
    assert not svgs["broken"].exists()
