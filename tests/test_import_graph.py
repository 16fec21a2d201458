"""The package's import graph: the output side (figures, report, compare, record, result
folders) holds no import cycle, counting imports inside functions too."""

from __future__ import annotations

import ast
from pathlib import Path

import sim

ROOT = Path(sim.__file__).parent
OUTPUT_SIDE = {"sim.figure_style", "sim.plots", "sim.labor_figures", "sim.econ_figures",
               "sim.dashboard.figures", "sim.report", "sim.comparison", "sim.output",
               "sim.run_data", "sim.record", "sim.manifest", "sim.results"}


def module_graph() -> dict[str, set[str]]:
    """Module -> the package modules it imports, anywhere in its file."""
    files = {}
    for path in ROOT.rglob("*.py"):
        parts = path.relative_to(ROOT.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        files[name] = path
    graph = {}
    for name, path in files.items():
        found = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found.add(node.module)
                found.update(f"{node.module}.{a.name}" for a in node.names)
            elif isinstance(node, ast.Import):
                found.update(a.name for a in node.names)
        graph[name] = {m for m in found if m in files and m != name}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[set[str]]:
    """The strongly connected components with more than one module (Tarjan)."""
    index, low, stack, on, out = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = set()
            while True:
                w = stack.pop()
                on.discard(w)
                comp.add(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(comp)

    for v in graph:
        if v not in index:
            visit(v)
    return out


def test_the_output_side_has_no_import_cycle():
    graph = module_graph()
    assert OUTPUT_SIDE <= set(graph)
    tangled = [c for c in cycles(graph) if c & OUTPUT_SIDE]
    assert not tangled, tangled


def test_the_cycle_finder_finds_a_cycle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [{"a", "b", "c"}]
