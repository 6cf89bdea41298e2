"""The import rules of ARCHITECTURE.md, checked on the source (not on what a run happens to load)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TRANSFORMS = ROOT / "transforms"


def imports_of(path: Path) -> set[str]:
    """Every module a file imports, anywhere in it (also inside functions), absolute names."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            raise AssertionError(f"{path}: relative import; the rules read absolute names")
    return found


def offenders(files, forbidden: tuple[str, ...]) -> dict[str, list[str]]:
    """File -> the forbidden modules (or their submodules) it imports."""
    bad = {}
    for path in files:
        hits = sorted(m for m in imports_of(path) if any(m == f or m.startswith(f + ".") for f in forbidden))
        if hits:
            bad[str(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)] = hits
    return bad


def py(folder: Path) -> list[Path]:
    files = sorted(folder.rglob("*.py"))
    assert files, f"no Python files under {folder}"
    return files


def test_transforms_never_import_airflow():
    assert offenders(py(TRANSFORMS), ("airflow", "samla_airflow")) == {}


def test_ingest_never_imports_publish():
    assert offenders(py(TRANSFORMS / "ingest"), ("transforms.publish",)) == {}


def test_configuration_imports_no_later_layer():
    later = ("transforms.ingest", "transforms.publish", "transforms.privacy", "transforms.demo")
    assert offenders(py(TRANSFORMS / "config"), later) == {}


@pytest.mark.parametrize("layer", ["config", "ingest", "publish", "privacy"])
def test_no_production_layer_imports_the_demo_generator(layer):
    assert offenders(py(TRANSFORMS / layer), ("transforms.demo",)) == {}


def test_shared_modules_import_only_configuration():
    shared = [TRANSFORMS / f"{name}.py" for name in ("period", "atomic", "values", "clock", "names")]
    layers = ("transforms.ingest", "transforms.publish", "transforms.privacy", "transforms.demo")
    assert offenders(shared, layers) == {}


def test_the_clock_imports_nothing_of_samla():
    assert offenders([TRANSFORMS / "clock.py"], ("transforms", "samla_airflow", "airflow")) == {}


def test_the_checker_sees_imports_inside_functions(tmp_path):
    probe = tmp_path / "probe.py"
    probe.write_text("def f():\n    from airflow.sdk import dag\n    import transforms.publish.warehouse\n")
    assert offenders([probe], ("airflow",)) == {str(probe): ["airflow.sdk", "airflow.sdk.dag"]}
    assert offenders([probe], ("transforms.publish",)) == {str(probe): ["transforms.publish.warehouse"]}
    assert offenders([probe], ("transforms.pub",)) == {}  # a prefix of a name is not that module
