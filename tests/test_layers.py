"""The packages of beltwatch depend on each other one way: faces (cli, api, web) on orchestration (ingest,
export, risk, report, ...) on stages and the store. Every import counts, also one inside a function:
a cycle deferred to call time is still a cycle, and it keeps two packages from being understood, tested
or replaced apart.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import beltwatch

PACKAGE = Path(beltwatch.__file__).parent


def unit_of(module: str) -> str:
    """The top-level package or module of beltwatch that `module` belongs to: beltwatch.api.routes -> api."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else parts[0]


def module_name(path: Path) -> tuple[str, str]:
    """The dotted name of the module at `path`, and the package its relative imports start from."""
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
        return ".".join(parts), ".".join(parts)
    return ".".join(parts), ".".join(parts[:-1])


def imported(node: ast.AST, package: str) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if isinstance(node, ast.ImportFrom):
        base = package.split(".")[: len(package.split(".")) - node.level + 1] if node.level else []
        target = ".".join([*base, *([node.module] if node.module else [])])
        return [target, *(f"{target}.{alias.name}" for alias in node.names)]
    return []


def import_graph() -> dict[str, dict[str, set[str]]]:
    """For every unit, the units it imports, each with the modules whose imports make that edge."""
    graph: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for path in sorted(PACKAGE.rglob("*.py")):
        module, package = module_name(path)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            for target in imported(node, package):
                if target.startswith("beltwatch.") and unit_of(target) != unit_of(module):
                    graph[unit_of(module)][unit_of(target)].add(module)
    return graph


def cycles(graph: dict[str, dict[str, set[str]]]) -> list[list[str]]:
    """The strongly connected components of more than one unit (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(unit: str) -> None:
        index[unit] = low[unit] = len(index)
        stack.append(unit)
        for other in graph.get(unit, {}):
            if other not in index:
                visit(other)
                low[unit] = min(low[unit], low[other])
            elif other in stack:
                low[unit] = min(low[unit], index[other])
        if low[unit] == index[unit]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == unit:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for unit in sorted(graph):
        if unit not in index:
            visit(unit)
    return found


def test_the_graph_sees_the_imports_that_make_the_layers():
    graph = import_graph()
    assert "api.routes" not in graph  # units, not modules
    assert "store" in graph["api"] and "store" in graph["web"] and "store" in graph["export"]
    assert "web" in graph["api"]  # the application mounts the dashboard: the one edge between faces
    assert "distributed" in graph["ingest"]  # an import inside a function is an edge too


def test_no_package_imports_itself_through_another():
    graph = import_graph()
    found = cycles(graph)
    described = [
        {a: {b: sorted(graph[a][b]) for b in component if b in graph[a]} for a in component}
        for component in found
    ]
    assert not found, f"import cycles between packages: {described}"
