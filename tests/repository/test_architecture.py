"""The import rules of ARCHITECTURE.md, checked on the source (not on what a run happens to load)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TRANSFORMS = ROOT / "transforms"
PLUGIN = ROOT / "plugins" / "samla_airflow"
# transforms/ from the bottom up: a module imports only from its own layer or an earlier one. The kernel is
# transforms/'s own modules (period, atomic, paths, values, clock, names) and the message catalogue.
LAYERS = ("kernel", "config", "privacy", "ingest", "upkeep", "publish", "demo")


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


def test_the_checker_sees_imports_inside_functions(tmp_path):
    probe = tmp_path / "probe.py"
    probe.write_text("def f():\n    from airflow.sdk import dag\n    import transforms.publish.warehouse\n")
    assert offenders([probe], ("airflow",)) == {str(probe): ["airflow.sdk", "airflow.sdk.dag"]}
    assert offenders([probe], ("transforms.publish",)) == {str(probe): ["transforms.publish.warehouse"]}
    assert offenders([probe], ("transforms.pub",)) == {}  # a prefix of a name is not that module


def module_name(path: Path, top: Path) -> str:
    """``top/a/b.py`` -> ``a.b``; a package's ``__init__.py`` is the package itself."""
    parts = path.relative_to(top).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph(files: dict[str, Path]) -> dict[str, set[str]]:
    """Module -> the modules among ``files`` it imports, anywhere in it (also inside functions).

    ``from pkg import name`` counts as an import of ``pkg.name`` when that is a module, else of ``pkg``;
    a name outside ``files`` resolves to its longest enclosing module among them, if any."""
    def resolve(name: str) -> str | None:
        while name and name not in files:
            name = name.rpartition(".")[0]
        return name or None

    graph = {}
    for module, path in files.items():
        targets = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Import):
                targets |= {resolve(alias.name) for alias in node.names}
            elif isinstance(node, ast.ImportFrom):
                assert node.level == 0 and node.module, f"{path}: relative import; the rules read absolute names"
                for alias in node.names:
                    submodule = f"{node.module}.{alias.name}"
                    targets.add(submodule if submodule in files else resolve(node.module))
        graph[module] = targets - {None, module}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One cycle (``[a, b, …, a]``) through each group of modules that import each other, shortest first found."""
    found, done = [], set()
    for start in sorted(graph):
        if start in done:
            continue
        # Breadth first from start's imports back to start: the shortest cycle through it, if any.
        paths = {target: [start, target] for target in sorted(graph[start])}
        queue = list(paths)
        while queue and start not in paths:
            module = queue.pop(0)
            for target in sorted(graph.get(module, ())):
                if target not in paths:
                    paths[target] = paths[module] + [target]
                    queue.append(target)
        if start in paths:
            found.append(paths[start])
            done |= set(paths[start])
    return found


def samla_modules() -> dict[str, Path]:
    files = {module_name(p, ROOT): p for p in py(TRANSFORMS)}
    files |= {module_name(p, PLUGIN.parent): p for p in py(PLUGIN)}
    return files


def test_no_import_cycles():
    found = cycles(import_graph(samla_modules()))
    assert not found, "import cycles:\n" + "\n".join(" -> ".join(cycle) for cycle in found)


def test_the_cycle_check_finds_a_cycle_hidden_in_a_function(tmp_path):
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("from pkg import b\n")
    (package / "b.py").write_text("def f():\n    from pkg.c import g\n")
    (package / "c.py").write_text("import pkg.a\nfrom pkg import VALUE\n")
    files = {module_name(p, tmp_path): p for p in sorted(package.glob("*.py"))}
    graph = import_graph(files)
    assert graph == {"pkg": set(), "pkg.a": {"pkg.b"}, "pkg.b": {"pkg.c"}, "pkg.c": {"pkg.a", "pkg"}}
    assert cycles(graph) == [["pkg.a", "pkg.b", "pkg.c", "pkg.a"]]


def layer_of(module: str) -> str:
    """``transforms.ingest.ledger`` -> ``ingest``; transforms/'s own modules and the catalogue -> ``kernel``;
    anything outside transforms/ -> ``plugin``."""
    parts = module.split(".")
    if parts[0] != "transforms":
        return "plugin"
    if len(parts) == 1 or parts[1] == "messages" or (TRANSFORMS / f"{parts[1]}.py").exists():
        return "kernel"
    return parts[1]


def layer_breaches(graph: dict[str, set[str]]) -> list[str]:
    """``a (layer) -> b (layer)`` for every import of a later layer (or of the plugin) by a module of transforms/."""
    rank = {layer: i for i, layer in enumerate((*LAYERS, "plugin"))}
    return sorted(f"{module} ({layer_of(module)}) -> {target} ({layer_of(target)})"
                  for module, targets in graph.items() if layer_of(module) != "plugin"
                  for target in targets if rank[layer_of(target)] > rank[layer_of(module)])


def test_every_package_of_transforms_has_a_layer():
    packages = {p.parent.name for p in TRANSFORMS.glob("*/__init__.py")}
    assert packages <= set(LAYERS) | {"messages"}


def test_each_layer_imports_only_itself_and_earlier_layers():
    assert layer_breaches(import_graph(samla_modules())) == []


def test_the_kernel_imports_nothing_of_samla_but_the_kernel():
    graph = import_graph(samla_modules())
    kernel = [m for m in graph if layer_of(m) == "kernel"]
    assert {"transforms.period", "transforms.atomic", "transforms.paths", "transforms.messages"} <= set(kernel)
    assert {m: sorted(t for t in graph[m] if layer_of(t) != "kernel") for m in kernel
            if any(layer_of(t) != "kernel" for t in graph[m])} == {}


def test_the_layer_check_sees_an_import_of_a_later_layer():
    graph = {"transforms.period": {"transforms.config.project"}, "transforms.ingest.x": {"transforms.upkeep.y"},
             "transforms.upkeep.y": {"transforms.ingest.x", "transforms.messages"},
             "transforms.config.z": {"samla_airflow.locks"}}
    assert layer_breaches(graph) == [
        "transforms.config.z (config) -> samla_airflow.locks (plugin)",
        "transforms.ingest.x (ingest) -> transforms.upkeep.y (upkeep)",
        "transforms.period (kernel) -> transforms.config.project (config)"]
