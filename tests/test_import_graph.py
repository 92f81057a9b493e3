"""The packages of ``schemadiff`` import one another in one direction only.

Every import counts, also those under ``TYPE_CHECKING`` and inside
functions: a lazy import hides a cycle from the interpreter, not from a
reader.  The source is parsed, nothing is imported.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).parents[1] / "schemadiff"


def _packages() -> set[str]:
    return {p.name for p in PACKAGE.iterdir() if p.is_dir() and any(p.glob("*.py"))}


def _imported(path: Path) -> set[str]:
    """Dotted ``schemadiff...`` names a module imports (relative imports resolved)."""
    own = path.relative_to(PACKAGE.parent).with_suffix("").parts
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = own[: len(own) - node.level]
                found.add(".".join([*base, *([node.module] if node.module else [])]))
            elif node.module:
                found.add(node.module)
    return {name for name in found if name.startswith("schemadiff.")}


def package_graph() -> dict[str, set[str]]:
    """Package -> the other packages its modules import."""
    packages = _packages()
    graph: dict[str, set[str]] = {name: set() for name in packages}
    for name in packages:
        for path in (PACKAGE / name).rglob("*.py"):
            for target in _imported(path):
                other = target.split(".")[1]
                if other in packages and other != name:
                    graph[name].add(other)
    return graph


def _reachable(graph: dict[str, set[str]], start: str) -> set[str]:
    seen: set[str] = set()
    todo = list(graph[start])
    while todo:
        node = todo.pop()
        if node not in seen:
            seen.add(node)
            todo.extend(graph[node])
    return seen


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Each group of packages that reach one another (a strongly connected component)."""
    reach = {name: _reachable(graph, name) for name in graph}
    groups: list[list[str]] = []
    for name in sorted(graph):
        if name in reach[name] and not any(name in g for g in groups):
            groups.append(sorted(n for n in reach[name] if name in reach[n]))
    return groups


def test_no_cycle_between_packages() -> None:
    assert cycles(package_graph()) == []


def test_runtime_uses_operations_never_the_reverse() -> None:
    graph = package_graph()
    assert "operations" in graph["runtime"]
    assert "runtime" not in graph["operations"]


def test_a_cycle_is_found() -> None:
    """The check itself sees a cycle, also one through a third package."""
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(graph) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []
