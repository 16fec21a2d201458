"""The package's import graph: the output side (figures, report, compare, record, result
folders) holds no import cycle, counting imports inside functions too; the figures package
holds none within itself, and the model core never imports it."""

from __future__ import annotations

import ast
from pathlib import Path

import sim

ROOT = Path(sim.__file__).parent
FIGURES = {"sim.figures", "sim.figures.style", "sim.figures.common", "sim.figures.run",
           "sim.figures.labour", "sim.figures.economy", "sim.figures.dashboard",
           "sim.figures.report", "sim.figures.report_tables", "sim.figures.comparison"}
OUTPUTS = {"sim.outputs", "sim.outputs.output", "sim.outputs.run_data", "sim.outputs.record",
           "sim.outputs.manifest", "sim.outputs.results", "sim.outputs.milestones"}
OUTPUT_SIDE = FIGURES | OUTPUTS
#: The model: what a run executes. It records results; it never draws or writes them.
MODEL_CORE = ("sim.model",)
#: The packages of the layout, each with an ``__init__`` that says what it is for.
PACKAGES = ("sim", "sim.model", "sim.model.agents", "sim.model.mechanisms", "sim.config",
            "sim.data", "sim.outputs", "sim.figures", "sim.sweep", "sim.dashboard")


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


def test_the_figures_package_holds_every_figure_module_and_no_cycle():
    graph = module_graph()
    figures = {m for m in graph if m == "sim.figures" or m.startswith("sim.figures.")}
    assert figures == FIGURES
    inside = {m: graph[m] & figures for m in figures}
    assert not cycles(inside), cycles(inside)
    # the old modules are gone, not left behind as shims
    assert not {"sim.plots", "sim.labor_figures", "sim.econ_figures", "sim.figure_style",
                "sim.dashboard.figures"} & set(graph)


def reachable(graph: dict[str, set[str]], start: str) -> set[str]:
    """The modules ``start`` imports, directly or through others."""
    seen, todo = set(), [start]
    while todo:
        for m in graph[todo.pop()] - seen:
            seen.add(m)
            todo.append(m)
    return seen


def test_the_model_core_never_imports_figures_or_outputs():
    graph = module_graph()
    core = [m for m in graph if any(m == c or m.startswith(c + ".") for c in MODEL_CORE)]
    assert "sim.model.model" in core and "sim.model.task_market" in core
    assert any(m.startswith("sim.model.agents.") for m in core)
    assert any(m.startswith("sim.model.mechanisms.") for m in core)
    drawn = {m: sorted(reachable(graph, m) & OUTPUT_SIDE) for m in core}
    assert not any(drawn.values()), {m: f for m, f in drawn.items() if f}


def test_every_package_says_what_it_is_for():
    for name in PACKAGES:
        init = ROOT.parent.joinpath(*name.split("."), "__init__.py")
        doc = ast.get_docstring(ast.parse(init.read_text()))
        assert doc and len(doc.split()) >= 10, name
    # no module left at the top level that belongs in a package
    top = sorted(p.stem for p in ROOT.glob("*.py"))
    assert top == ["__init__", "cli", "ensemble", "errors", "files", "forks",
                   "runner"], top


def test_reachable_follows_imports_of_imports():
    assert reachable({"a": {"b"}, "b": {"c"}, "c": set(), "d": {"a"}}, "a") == {"b", "c"}


def test_the_cycle_finder_finds_a_cycle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [{"a", "b", "c"}]
