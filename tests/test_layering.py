"""The core never imports the UI: checked on the import graph, not on a promise."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PKG = ROOT / "kafka_advisor"


def core_modules() -> list[Path]:
    return [p for p in PKG.rglob("*.py") if "ui" not in p.relative_to(PKG).parts]


def test_no_core_module_mentions_streamlit_in_an_import() -> None:
    offenders = []
    for path in core_modules():
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
                if node.level and any(a.name == "ui" for a in node.names):
                    names.append("ui")
            if any(n.split(".")[0] == "streamlit" or n.startswith("kafka_advisor.ui") or n == "ui" or n.startswith("ui.")
                   for n in names):
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert offenders == []
    assert len(core_modules()) >= 8  # the check really looked at the core


def test_importing_every_core_module_loads_no_streamlit() -> None:
    mods = sorted(".".join(p.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
                  for p in core_modules() if p.name != "__main__.py")
    code = (
        "import importlib, sys\n"
        f"for m in {mods!r}: importlib.import_module(m)\n"
        "bad = sorted(m for m in sys.modules\n"
        "             if m == 'streamlit' or m.startswith(('streamlit.', 'kafka_advisor.ui')))\n"
        "print(len(sys.modules)); assert not bad, bad\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
