"""The demo generator stays out of the product's flow: no production layer and no DAG imports it."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = [ROOT / "transforms" / layer for layer in ("config", "ingest", "publish", "privacy")] + [ROOT / "dags"]


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names |= {f"{node.module}.{a.name}" for a in node.names}
    return names


def test_no_production_layer_imports_the_demo():
    files = [p for folder in PRODUCTION for p in folder.rglob("*.py")]
    assert len(files) > 20, "the layers were not found"
    offenders = {str(p.relative_to(ROOT)): sorted(n for n in _imports(p) if n.startswith("transforms.demo"))
                 for p in files}
    assert {k: v for k, v in offenders.items() if v} == {}


def test_the_scan_sees_an_import_of_the_demo(tmp_path):
    # The check above can fail: both import forms are seen.
    module = tmp_path / "m.py"
    module.write_text("import transforms.demo.generate\nfrom transforms import demo\n", encoding="utf-8")
    assert {"transforms.demo.generate", "transforms.demo"} <= _imports(module)
