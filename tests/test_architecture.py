"""The shape of the code: no circle of imports between any two files.

The layers themselves are checked by import-linter (``lint-imports``, run by CI, configured in
pyproject.toml); its ``acyclic_siblings`` contract only looks one level down, so this test
looks at every module.
"""

import grimp
import pytest

PACKAGES = [
    "core",
    "participants",
    "projects",
    "workgroups",
    "surveys",
    "evaluations",
    "catalogue",
    "lead",
    "privacy",
    "demo",
    "mathshub",
]


def import_circles(graph) -> list[list[str]]:
    """Groups of modules that import each other, directly or round a circle (Tarjan)."""
    modules = sorted(graph.modules)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    circles = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for imported in graph.find_modules_directly_imported_by(module):
            if imported not in index:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in on_stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == module:
                    break
            if len(group) > 1:
                circles.append(sorted(group))

    for module in modules:
        if module not in index:
            visit(module)
    return circles


@pytest.fixture(scope="module")
def graph():
    return grimp.build_graph(*PACKAGES)


def test_no_two_modules_import_each_other(graph):
    assert import_circles(graph) == []


def test_the_circle_finder_finds_a_circle():
    graph = grimp.build_graph(*PACKAGES)
    graph.add_import(importer="core.scoping", imported="lead.rules")  # lead.rules uses scoping

    assert any({"core.scoping", "lead.rules"} <= set(circle) for circle in import_circles(graph))
