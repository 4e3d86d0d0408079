"""The package's import graph has no cycle, function-level imports included.

Every module of ``iur_survey`` is parsed (never imported); every ``import`` / ``from ... import`` anywhere in
it -- at the top, inside a function, under ``if TYPE_CHECKING`` -- that names another module of the package
is an arrow (except a package's ``__init__`` handing on the names of its own submodules).  A cycle is
reported with its modules in order.  Data flows one way
(read -> clean -> measure -> model -> report -> book; see docs/architecture.md).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parents[1] / "iur_survey"


def _module_name(path: Path) -> str:
    rel = path.relative_to(PKG.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _resolve(name: str, modules: set[str]) -> str | None:
    """The module ``name`` stands for (a name imported from a package may be a submodule or an attribute)."""
    while name:
        if name in modules:
            return name
        name = name.rpartition(".")[0]
    return None


def import_graph() -> dict[str, set[str]]:
    files = {(_module_name(p)): p for p in PKG.rglob("*.py")}
    modules = set(files)
    graph: dict[str, set[str]] = {m: set() for m in modules}
    for mod, path in files.items():
        package = mod if path.name == "__init__.py" else mod.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.split(".")
                    base = base[:len(base) - (node.level - 1)]
                    prefix = ".".join(base + ([node.module] if node.module else []))
                else:
                    prefix = node.module or ""
                targets = [f"{prefix}.{a.name}" for a in node.names] + [prefix]
            for t in targets:
                dep = _resolve(t, modules)
                # a package's __init__ handing on its own submodules' names is its face, not an arrow
                if dep and dep != mod and not (path.name == "__init__.py" and dep.startswith(mod + ".")):
                    graph[mod].add(dep)
    return graph


def find_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan), each sorted.

    >>> find_cycles({"a": {"b"}, "b": {"a"}, "c": {"a"}})
    [['a', 'b']]
    """
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return sorted(out)


def test_the_graph_is_read():
    g = import_graph()
    assert "iur_survey.sem.api" in g and "iur_survey.sem.matrices" in g["iur_survey.sem.ml"]


def test_no_import_cycle():
    cycles = find_cycles(import_graph())
    if cycles:
        pytest.fail("import cycles (function-level imports included): "
                    + "; ".join(" <-> ".join(c) for c in cycles))


def test_the_sem_engine_knows_nothing_of_the_study():
    """sem/ imports neither the study layer nor the instrument (issue 13): the study's model is built in
    iur_survey/study.py, which imports sem."""
    g = import_graph()
    bad = sorted((m, d) for m, deps in g.items() if m.startswith("iur_survey.sem") for d in deps
                 if d in ("iur_survey.study", "iur_survey.instrument"))
    assert not bad, bad
    assert "iur_survey.instrument" in g["iur_survey.study"]


@pytest.mark.parametrize("engine", ["sem", "pls", "measure"])
def test_the_engines_import_neither_the_study_nor_the_instrument(engine):
    """sem/, pls/ and measure/ take the model and the constructs from their caller (the command line, the
    pipeline, the book): none of their modules imports iur_survey.study or iur_survey.instrument."""
    g = import_graph()
    prefix = f"iur_survey.{engine}"
    modules = [m for m in g if m == prefix or m.startswith(prefix + ".")]
    assert modules
    bad = sorted((m, d) for m in modules for d in g[m] if d in ("iur_survey.study", "iur_survey.instrument"))
    assert not bad, bad


def _third_party_imports() -> set[str]:
    out: set[str] = set()
    for path in PKG.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                out.update(a.name.split(".")[0] for a in node.names)
            elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
                out.add(node.module.split(".")[0])
    return out


def test_every_declared_runtime_dependency_is_imported():
    """Each name in pyproject's ``[project] dependencies`` is imported somewhere in the package."""
    import re
    import tomllib
    from importlib.metadata import packages_distributions

    deps = tomllib.loads((PKG.parent / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]
    declared = {re.split(r"[\[=<>!~ ;]", d, maxsplit=1)[0].lower().replace("_", "-") for d in deps}
    dist_of = packages_distributions()
    used = {dist.lower().replace("_", "-") for mod in _third_party_imports() for dist in dist_of.get(mod, [])}
    assert not declared - used, f"declared but never imported: {sorted(declared - used)}"
