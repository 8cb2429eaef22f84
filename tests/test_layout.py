"""The layout's promises, checked on the source: no import cycle, product files and functions short, one-way flow."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("archive_qa", "ingest", "storage", "qa", "generators", "evaluation", "ui")
MAX_FILE_LINES = 300
MAX_FUNCTION_LINES = 60


def _product_files() -> Iterator[Path]:
    yield ROOT / "app.py"
    for package in PACKAGES:
        yield from sorted((ROOT / package).rglob("*.py"))


def _bench_files() -> Iterator[Path]:
    """The benchmarks: held to the same lengths, outside the import graph (they may import any layer)."""
    yield from sorted((ROOT / "bench").glob("*.py"))


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path, known: set[str]) -> set[str]:
    """The project modules `path` imports, at the top or inside functions (both run at some point)."""
    return _imports_of(path.read_text(), _module_name(path), path.name == "__init__.py", known)


def _imports_of(source: str, module: str, is_package: bool, known: set[str]) -> set[str]:
    """The project modules `source` (module `module`) imports: statements, relative ones included, and
    `__import__` / `importlib.import_module` calls. A call given a computed name is taken to import every
    project module the source names in a string (`for name in ("a.b", ...): __import__(name)`)."""
    package = module if is_package else module.rpartition(".")[0]
    tree = ast.parse(source)
    found: set[str] = set()
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = _absolute(node, package)
            names = [base] + [f"{base}.{alias.name}" if base else alias.name for alias in node.names]
        elif isinstance(node, ast.Call):
            names = _dynamic_imports(node)
            if names == ["?"]:  # a computed name: any module named in a string may be the one
                names = [n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)]
        found.update(name for name in names if name in known)
    return found


def _absolute(node: ast.ImportFrom, package: str) -> str:
    """The module a `from ... import` names, a relative one (level > 0) resolved against `package`."""
    if node.level == 0:
        return node.module or ""
    parts = package.split(".") if package else []
    anchor = ".".join(parts[: len(parts) - (node.level - 1)])
    return ".".join(part for part in (anchor, node.module) if part)


def _dynamic_imports(call: ast.Call) -> list[str]:
    """`__import__("x", fromlist=[...])` / `importlib.import_module("x")`: x (and x.<from>); ["?"] for a computed x."""
    func = call.func
    name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
    if name not in ("__import__", "import_module") or not call.args:
        return []
    first = call.args[0]
    if not (isinstance(first, ast.Constant) and isinstance(first.value, str)):
        return ["?"]
    names = [first.value]
    for keyword in call.keywords:
        if name == "__import__" and keyword.arg == "fromlist" and isinstance(keyword.value, ast.List | ast.Tuple):
            names += [f"{first.value}.{item.value}" for item in keyword.value.elts if isinstance(item, ast.Constant)]
    return names


def _graph() -> dict[str, set[str]]:
    files = {_module_name(path): path for path in _product_files()}
    known = set(files)
    return {name: _imports(path, known) - {name} for name, path in files.items()}


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle of `graph` (a depth-first search's back edge), or None."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for target in sorted(graph.get(node, ())):
            if state.get(target) == 1:
                return [*stack[stack.index(target) :], target]
            if target not in state and (found := visit(target)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": set()}) is None


def test_imports_counts_dynamic_and_relative_imports() -> None:
    known = {"pkg", "pkg.cli", "pkg.sub", "pkg.sub.deep", "pkg.options"}
    assert _imports_of("import importlib\nimportlib.import_module('pkg.sub')", "pkg.cli", False, known) == {"pkg.sub"}
    assert _imports_of("from importlib import import_module\nimport_module('pkg.options')", "x", False, known) == {
        "pkg.options"
    }
    assert _imports_of("__import__('pkg.sub', fromlist=['deep'])", "x", False, known) == {"pkg.sub", "pkg.sub.deep"}
    assert _imports_of("from .cli import main", "pkg.sub", False, known) == {"pkg.cli"}
    assert _imports_of("from .. import cli", "pkg.sub.deep", False, known) == {"pkg", "pkg.cli"}
    assert _imports_of("from . import deep", "pkg.sub", True, known) == {"pkg.sub", "pkg.sub.deep"}
    assert _imports_of("x = 'pkg.sub'", "pkg.cli", False, known) == set()  # a string alone imports nothing


def test_a_subcommand_loaded_by_name_that_imports_its_loader_is_a_cycle() -> None:
    known = {"pkg", "pkg.cli", "pkg.sub"}
    loader = 'def plugins():\n    for name in ("pkg.sub",):\n        __import__(name, fromlist=["register"])'
    subcommand = "def register():\n    from pkg.cli import store_options"
    graph = {
        "pkg.cli": _imports_of(loader, "pkg.cli", False, known),
        "pkg.sub": _imports_of(subcommand, "pkg.sub", False, known),
    }
    assert _cycle(graph) == ["pkg.cli", "pkg.sub", "pkg.cli"]


def test_no_import_cycle() -> None:
    assert _cycle(_graph()) is None


@pytest.mark.parametrize(
    ("lower", "upper"),
    [
        ("storage", "ingest"),
        ("storage", "qa"),
        ("qa", "ingest"),
        ("ingest", "qa"),
        ("generators", "qa"),
        ("archive_qa.settings", ""),
    ],
)
def test_data_flows_one_way(lower: str, upper: str) -> None:
    """storage is beneath both halves; ingest and qa never import each other; settings import nothing of ours."""
    graph = _graph()
    offenders = {
        (module, target)
        for module, targets in graph.items()
        if module == lower or module.startswith(lower + ".")
        for target in targets
        if (target.split(".")[0] == upper) or (upper == "" and target.split(".")[0] in PACKAGES)
    }
    assert not offenders


def _long_files(paths: Iterator[Path]) -> dict[str, int]:
    lengths = {str(path.relative_to(ROOT)): len(path.read_text().splitlines()) for path in paths}
    return {name: n for name, n in lengths.items() if n > MAX_FILE_LINES}


def _long_functions(paths: Iterator[Path]) -> dict[str, int]:
    long = {}
    for path in paths:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    long[f"{path.relative_to(ROOT)}:{node.lineno} {node.name}"] = length
    return long


def test_product_files_are_short() -> None:
    assert not _long_files(_product_files())


def test_product_functions_are_short() -> None:
    assert not _long_functions(_product_files())


def test_bench_files_are_short() -> None:
    assert not _long_files(_bench_files())


def test_bench_functions_are_short() -> None:
    assert not _long_functions(_bench_files())
