"""The import graph of the product, built from the source with ast, keeps its shape.

Every ``import`` and ``from ... import`` counts — at module level, inside functions, under
``TYPE_CHECKING``, relative ones, and ``importlib.import_module("...")`` with a literal
name. The rules (docs/architecture.md):

- no cycle among product modules;
- nothing imports ``consolidate.cli`` or ``consolidate.demo`` except the CLI and the demo;
- only ``consolidate/cli`` imports click;
- no module imports a higher layer: schemas < core < calendar < store < intake < reports <
  render < documents < mail < build < cli, demo. A module outside every layer fails too, so
  a new package has to be given its place here and in the architecture document.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
ROOTS = ("consolidate", "schemas")

#: Package or module -> layer; a module takes the layer of its longest listed prefix
#: (``consolidate`` itself, holding ``__version__``, only as a module).
LAYERS: dict[str, int] = {
    "schemas": 0,
    "consolidate": 1,
    "consolidate.data": 1,
    "consolidate.core": 1,
    "consolidate.calendar": 2,
    "consolidate.store": 3,
    "consolidate.intake": 4,
    "consolidate.reports": 5,
    "consolidate.render": 6,
    "consolidate.documents": 7,
    "consolidate.mail": 8,
    "consolidate.build": 9,
    "consolidate.cli": 10,
    "consolidate.demo": 10,
    "consolidate.__main__": 10,
}
LAYER_NAMES = {
    0: "schemas",
    1: "core",
    2: "calendar",
    3: "store",
    4: "intake",
    5: "reports",
    6: "render",
    7: "documents",
    8: "mail",
    9: "build",
    10: "cli/demo",
}
TOP = ("consolidate.cli", "consolidate.demo", "consolidate.__main__")


@dataclass(frozen=True)
class Edge:
    importer: str
    imported: str  # a product module, or the top-level name of a third-party one
    line: int


def module_name(path: Path, base: Path) -> str:
    parts = list(path.relative_to(base).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def product_modules(base: Path, roots: Iterable[str] = ROOTS) -> dict[str, Path]:
    modules: dict[str, Path] = {}
    for root in roots:
        for path in sorted((base / root).rglob("*.py")):
            modules[module_name(path, base)] = path
    return modules


def _resolve(module: str, is_package: bool, level: int, target: str | None) -> str:
    """The absolute name of a relative import (``from ..x import y`` in ``module``)."""
    if level == 0:
        return target or ""
    package = module.split(".") if is_package else module.split(".")[:-1]
    base = package[: len(package) - (level - 1)]
    return ".".join([*base, target] if target else base)


def imports_of(name: str, path: Path, modules: dict[str, Path]) -> list[Edge]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    is_package = path.name == "__init__.py"
    edges: list[Edge] = []

    def add(target: str, line: int) -> None:
        # the deepest product module the name designates (``a.b.func`` -> ``a.b``)
        parts = target.split(".")
        for i in range(len(parts), 0, -1):
            candidate = ".".join(parts[:i])
            if candidate in modules:
                edges.append(Edge(name, candidate, line))
                return
        edges.append(Edge(name, parts[0], line))  # third-party or standard library

    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                add(alias.name, node.lineno)
        elif isinstance(node, ast.ImportFrom):
            source = _resolve(name, is_package, node.level, node.module)
            for alias in node.names:
                sub = f"{source}.{alias.name}"
                # ``from pkg import submodule`` imports the submodule; otherwise the name
                # comes from ``source`` itself
                add(sub if sub in modules else source, node.lineno)
        elif (
            isinstance(node, ast.Call)
            and (
                (isinstance(node.func, ast.Attribute) and node.func.attr == "import_module")
                or (
                    isinstance(node.func, ast.Name)
                    and node.func.id in ("import_module", "__import__")
                )
            )
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            add(node.args[0].value, node.lineno)
    return edges


def import_graph(base: Path = REPO, roots: Iterable[str] = ROOTS) -> list[Edge]:
    modules = product_modules(base, roots)
    return [edge for name, path in modules.items() for edge in imports_of(name, path, modules)]


def layer_of(module: str) -> int | None:
    best: tuple[int, int] | None = None
    for prefix, layer in LAYERS.items():
        inside = module == prefix or (prefix != "consolidate" and module.startswith(prefix + "."))
        if inside and (best is None or len(prefix) > best[0]):
            best = (len(prefix), layer)
    return None if best is None else best[1]


def cycles(edges: list[Edge], modules: Iterable[str]) -> list[list[str]]:
    """Strongly connected components with more than one module, or a module importing itself."""
    known = set(modules)
    graph: dict[str, set[str]] = {m: set() for m in known}
    for e in edges:
        if e.imported in known:
            graph[e.importer].add(e.imported)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0

    def visit(v: str) -> None:  # Tarjan; the graph is small, recursion depth is fine
        nonlocal counter
        index[v] = low[v] = counter
        counter += 1
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1 or v in graph[v]:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def violations(base: Path = REPO, roots: Iterable[str] = ROOTS) -> list[str]:
    modules = product_modules(base, roots)
    edges = import_graph(base, roots)
    problems: list[str] = []
    for name in modules:
        if layer_of(name) is None:
            problems.append(f"{name}: in no layer (give it one in tests/test_architecture.py)")
    for cycle in cycles(edges, modules):
        problems.append("cycle: " + " -> ".join(cycle))
    for e in edges:
        where = f"{e.importer} (line {e.line}) imports {e.imported}"
        if e.imported == "click" and not (
            e.importer == "consolidate.cli" or e.importer.startswith("consolidate.cli.")
        ):
            problems.append(f"{where}: only consolidate/cli may import click")
        if e.imported not in modules:
            continue
        importer_top = any(e.importer == t or e.importer.startswith(t + ".") for t in TOP)
        imported_top = any(e.imported == t or e.imported.startswith(t + ".") for t in TOP)
        if imported_top and not importer_top:
            problems.append(f"{where}: only the CLI and the demo sit on top")
        low, high = layer_of(e.importer), layer_of(e.imported)
        if low is not None and high is not None and low < high:
            problems.append(
                f"{where}: {LAYER_NAMES[low]} must not import the higher layer {LAYER_NAMES[high]}"
            )
    return problems


def test_the_product_keeps_its_layers() -> None:
    assert violations() == []


def test_the_graph_sees_every_kind_of_import() -> None:
    """Function-level and relative imports are in the graph (the checks see them)."""
    edges = {(e.importer, e.imported) for e in import_graph()}
    assert ("consolidate.cli.reports", "consolidate.build") in edges  # inside a function
    assert ("consolidate.cli.app", "consolidate.cli.vi") in edges  # from pkg import module
    assert ("consolidate.cli", "consolidate.cli.app") in edges
    assert ("consolidate.core.files", "consolidate.core.errors") in edges  # module level
    assert ("consolidate.cli.app", "click") in edges


def _write(base: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = base / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        (  # a cycle through a function-level, relative import
            {
                "consolidate/__init__.py": "",
                "consolidate/core/__init__.py": "",
                "consolidate/core/a.py": "from consolidate.core import b\n",
                "consolidate/core/b.py": "def f():\n    from . import a\n",
            },
            "cycle: consolidate.core.a -> consolidate.core.b",
        ),
        (  # a lower layer importing a higher one, inside a function
            {
                "consolidate/__init__.py": "",
                "consolidate/store/__init__.py": "",
                "consolidate/store/db.py": "def f():\n    from ..reports.weekly import x\n",
                "consolidate/reports/__init__.py": "",
                "consolidate/reports/weekly.py": "x = 1\n",
            },
            "store must not import the higher layer reports",
        ),
        (
            {
                "consolidate/__init__.py": "",
                "consolidate/render/__init__.py": "",
                "consolidate/render/kit.py": "import click\n",
            },
            "only consolidate/cli may import click",
        ),
        (
            {
                "consolidate/__init__.py": "",
                "consolidate/build.py": "from consolidate.cli.app import main\n",
                "consolidate/cli/__init__.py": "",
                "consolidate/cli/app.py": "main = 1\n",
            },
            "only the CLI and the demo sit on top",
        ),
        (
            {
                "consolidate/__init__.py": "",
                "consolidate/build.py": "import importlib\nimportlib.import_module('consolidate.demo')\n",
                "consolidate/demo.py": "",
            },
            "only the CLI and the demo sit on top",
        ),
        (
            {"consolidate/__init__.py": "", "consolidate/extras/__init__.py": ""},
            "consolidate.extras: in no layer",
        ),
    ],
)
def test_the_checks_catch_what_they_should(
    tmp_path: Path, files: dict[str, str], expected: str
) -> None:
    _write(tmp_path, files)
    found = violations(tmp_path, ("consolidate",))
    assert any(expected in p for p in found), found


def test_every_product_exception_lives_in_errors_and_derives_from_one_base() -> None:
    import builtins
    import inspect

    from consolidate.core import errors

    builtin_exceptions = {
        name
        for name, obj in vars(builtins).items()
        if isinstance(obj, type) and issubclass(obj, BaseException)
    }
    exception_names = builtin_exceptions | {
        name for name, obj in vars(errors).items() if inspect.isclass(obj)
    }
    outside = []
    for name, path in product_modules(REPO).items():
        if name == "consolidate.core.errors":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef):
                bases = {
                    b.id if isinstance(b, ast.Name) else getattr(b, "attr", "") for b in node.bases
                }
                if bases & exception_names:
                    outside.append(f"{name}.{node.name}")
    assert outside == []
    for name, obj in vars(errors).items():
        if inspect.isclass(obj) and issubclass(obj, BaseException):
            assert issubclass(obj, errors.ConsolidateError), name
            assert not issubclass(obj, ValueError | LookupError | OSError), name
