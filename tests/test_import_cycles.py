"""No import cycles inside a layer (app, ui, storage, sync), function-level imports included.

A cycle is a set of modules that import each other, directly or through others (one strongly
connected component of the layer's import graph); a package's `__init__` counts as a module, so a
package that imports a submodule which imports the package back is a cycle too. import-linter's
`acyclic_siblings` contract only compares sibling packages and misses that case, hence this test.
Imports under `if TYPE_CHECKING:` are not counted: they never run (mypy resolves them).

ALLOWED lists the cycles that exist and are being removed; it can only shrink: an entry that is no
longer a cycle fails the test until it is deleted.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from itertools import pairwise
from pathlib import Path

import grimp
import pytest

LAYERS = ("app", "ui", "storage", "sync")
ALLOWED: Mapping[str, tuple[frozenset[str], ...]] = {layer: () for layer in LAYERS}
"""Per layer, the known cycles (each the set of its modules). Empty: no cycle is allowed anywhere."""


def _imports_within(graph: grimp.ImportGraph, layer: str) -> dict[str, set[str]]:
    modules = {m for m in graph.modules if m == layer or m.startswith(layer + ".")}
    return {m: graph.find_modules_directly_imported_by(m) & modules for m in modules}


def _reachable(edges: Mapping[str, set[str]], start: str) -> set[str]:
    seen: set[str] = set()
    todo = [start]
    while todo:
        for imported in edges[todo.pop()] - seen:
            seen.add(imported)
            todo.append(imported)
    return seen


def find_cycles(graph: grimp.ImportGraph, layer: str) -> list[frozenset[str]]:
    """The layer's cycles: each a set of modules that all reach each other by imports."""
    edges = _imports_within(graph, layer)
    reach = {m: _reachable(edges, m) for m in edges}
    cycles = {frozenset(n for n in reach[m] if m in reach[n]) for m in edges if m in reach[m]}
    return sorted(cycles, key=sorted)


def describe(graph: grimp.ImportGraph, cycle: frozenset[str]) -> str:
    """One path around the cycle from its first module, each import with its line."""
    start = min(cycle)
    came_from: dict[str, str] = {}
    todo = [start]
    while start not in came_from:  # breadth first, inside the cycle: the shortest way back to start
        importer = todo.pop(0)
        for imported in sorted(graph.find_modules_directly_imported_by(importer) & cycle):
            if imported not in came_from:
                came_from[imported] = importer
                todo.append(imported)
    path = [start]
    while len(path) == 1 or path[-1] != start:
        path.append(came_from[path[-1]])
    path.reverse()
    steps = [path[0]]
    for importer, imported in pairwise(path):
        line = min(d["line_number"] for d in graph.get_import_details(importer=importer, imported=imported))
        steps.append(f"{imported} (line {line} of {importer})")
    others = sorted(cycle - set(path))
    return " -> ".join(steps) + (f"; also in this cycle: {', '.join(others)}" if others else "")


def cycle_problems(graph: grimp.ImportGraph, layer: str, allowed: Iterable[frozenset[str]]) -> list[str]:
    """New cycles (named, with a path) and allow-listed ones that are gone."""
    found = find_cycles(graph, layer)
    allowed = set(allowed)
    problems = [f"import cycle in {layer}: {describe(graph, c)}" for c in found if c not in allowed]
    gone = [c for c in sorted(allowed, key=sorted) if c not in found]
    problems += [f"{sorted(c)} is no longer a cycle in {layer}: remove it from ALLOWED" for c in gone]
    return problems


@pytest.fixture(scope="module")
def project_graph() -> grimp.ImportGraph:
    return grimp.build_graph(*LAYERS, exclude_type_checking_imports=True, cache_dir=None)


@pytest.mark.parametrize("layer", LAYERS)
def test_no_import_cycle_inside_a_layer(project_graph: grimp.ImportGraph, layer: str) -> None:
    assert cycle_problems(project_graph, layer, ALLOWED[layer]) == []


def _graph(*imports: tuple[str, str]) -> grimp.ImportGraph:
    graph = grimp.ImportGraph()
    for number, (importer, imported) in enumerate(imports, start=1):
        graph.add_import(importer=importer, imported=imported, line_number=number, line_contents="import")
    return graph


def test_a_cycle_is_named_with_its_path_and_lines() -> None:
    graph = _graph(("app.cli", "app.commands"), ("app.commands", "app.support"), ("app.support", "app.cli"))
    graph.add_import(importer="app.commands", imported="app.cli", line_number=9, line_contents="import")

    assert cycle_problems(graph, "app", ()) == [
        "import cycle in app: app.cli -> app.commands (line 1 of app.cli) -> app.cli (line 9 of app.commands); "
        "also in this cycle: app.support"
    ]


def test_a_package_importing_a_submodule_that_imports_it_back_is_a_cycle() -> None:
    graph = _graph(("app.policy", "app.policy.linux"), ("app.policy.linux", "app.policy"), ("app.config", "app.policy"))

    assert find_cycles(graph, "app") == [frozenset({"app.policy", "app.policy.linux"})]


def test_imports_across_layers_and_one_way_imports_are_no_cycle() -> None:
    graph = _graph(("app.a", "storage.b"), ("storage.b", "app.c"), ("app.c", "app.d"), ("storage.b", "storage.e"))

    assert find_cycles(graph, "app") == []
    assert find_cycles(graph, "storage") == []


def test_an_allowed_cycle_passes_and_one_that_is_gone_fails() -> None:
    cycle = frozenset({"storage.moments", "storage.outbox"})
    graph = _graph(("storage.moments", "storage.outbox"), ("storage.outbox", "storage.moments"))
    assert cycle_problems(graph, "storage", [cycle]) == []

    graph.remove_import(importer="storage.outbox", imported="storage.moments")
    assert cycle_problems(graph, "storage", [cycle]) == [
        "['storage.moments', 'storage.outbox'] is no longer a cycle in storage: remove it from ALLOWED"
    ]


def test_function_level_imports_count_and_type_checking_imports_do_not(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    package = tmp_path / "cyclepkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("from cyclepkg import b\n")
    (package / "b.py").write_text("def late():\n    from cyclepkg import a\n")
    (package / "c.py").write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from cyclepkg import d\n")
    (package / "d.py").write_text("from cyclepkg import c\n")
    monkeypatch.syspath_prepend(str(tmp_path))

    graph = grimp.build_graph("cyclepkg", exclude_type_checking_imports=True, cache_dir=None)

    assert find_cycles(graph, "cyclepkg") == [frozenset({"cyclepkg.a", "cyclepkg.b"})]
