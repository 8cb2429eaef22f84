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
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        found.update(name for name in names if name in known)
    return found


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
