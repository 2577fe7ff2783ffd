"""The layers of src/hpguide: each imports only the layers below it, and no module imports itself round a circle.

Checked over ``ast`` rather than with import-linter: no extra dependency for
forty lines, every import counts (module level, inside functions, and under
``TYPE_CHECKING``, since a lazy import is still a dependency), and the order
below is the one README's and CONTRIBUTING's map describe.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from .conftest import ROOT

PACKAGE = ROOT / "src" / "hpguide"

#: Lowest first. A module may import its own layer and those before it.
LAYERS = ("core", "kb", "resolver", "discover", "site", "cli")
#: The package's own top (the curated public API, ``python -m hpguide``, old import paths) may import any layer.
TOP = "top"
#: What a layer may take from the package root: the version, nothing else.
ROOT_NAMES_ALLOWED = {"__version__"}


def module_name(path: Path, package: Path) -> str:
    parts = list(path.relative_to(package.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def layer_of(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in LAYERS else TOP


def imports_of(path: Path, package: Path) -> list[tuple[int, str, list[str]]]:
    """(line, imported hpguide module, names) for every import of the package in one file."""
    name = module_name(path, package)
    is_package = path.name == "__init__.py"
    here = name.split(".") if is_package else name.split(".")[:-1]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name, []) for alias in node.names if alias.name.split(".")[0] == "hpguide"]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = here[: len(here) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.split(".")[0] != "hpguide":
                continue
            names = [alias.name for alias in node.names]
            if not node.module and node.level:
                # `from . import x`: x may be a submodule
                subs = [f"{target}.{n}" for n in names if (package.parent / Path(*f"{target}.{n}".split("."))).exists()
                        or (package.parent / Path(*f"{target}.{n}".split("."))).with_suffix(".py").exists()]
                found += [(node.lineno, sub, []) for sub in subs]
                names = [n for n in names if f"{target}.{n}" not in subs]
                if not names:
                    continue
            found.append((node.lineno, target, names))
    return found


def layer_violations(package: Path) -> list[str]:
    """One line per import that reaches up a layer (or into the package root for more than the version)."""
    problems = []
    for path in sorted(package.rglob("*.py")):
        source = module_name(path, package)
        mine = layer_of(source)
        if mine == TOP:
            continue
        for line, target, names in imports_of(path, package):
            theirs = layer_of(target)
            where = f"{path.relative_to(package.parent)}:{line}"
            if theirs == TOP:
                if target == package.name and set(names) <= ROOT_NAMES_ALLOWED:
                    continue
                problems.append(f"{where}: {mine} imports {target} {names} from the package top")
            elif LAYERS.index(theirs) > LAYERS.index(mine):
                problems.append(f"{where}: {mine} imports {target} (layer {theirs} is above {mine})")
    return problems


def import_cycles(package: Path) -> list[list[str]]:
    """Every strongly connected group of modules (more than one, or one importing itself) in the import graph."""
    graph: dict[str, set[str]] = {}
    for path in package.rglob("*.py"):
        source = module_name(path, package)
        graph.setdefault(source, set())
        for _, target, _ in imports_of(path, package):
            if target != source and target != package.name:
                graph[source].add(target)
    # Tarjan's algorithm, iteratively over a small graph.
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return groups


def test_every_module_belongs_to_a_layer_or_the_top():
    top = sorted(module_name(p, PACKAGE) for p in PACKAGE.rglob("*.py") if layer_of(module_name(p, PACKAGE)) == TOP)
    assert top == ["hpguide", "hpguide.__main__", "hpguide.schedules"]
    assert {p.name for p in PACKAGE.iterdir() if p.is_dir() and not p.name.startswith(("_", "."))} == set(LAYERS)


def test_no_layer_imports_a_higher_one():
    assert layer_violations(PACKAGE) == []


def test_no_import_circles():
    assert import_cycles(PACKAGE) == []


def test_subpackage_inits_state_their_job_and_import_nothing():
    for layer in LAYERS:
        tree = ast.parse((PACKAGE / layer / "__init__.py").read_text(encoding="utf-8"))
        assert ast.get_docstring(tree), layer
        assert not [n for n in ast.walk(tree) if isinstance(n, (ast.Import, ast.ImportFrom))], layer


# ---------------------------------------------------------------------- the checks themselves can fail


def _tree(tmp_path: Path, files: dict[str, str]) -> Path:
    package = tmp_path / "hpguide"
    for name, text in files.items():
        path = package / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    for folder in [package, *[p for p in package.rglob("*") if p.is_dir()]]:
        (folder / "__init__.py").touch()
    return package


@pytest.mark.parametrize("text", [
    "from ..cli.main import main\n",
    "def f():\n    from hpguide.resolver import api\n",
    "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from ..kb.load import KnowledgeBase\n",
    "from .. import query\n",
])
def test_an_upward_import_is_reported(tmp_path, text):
    package = _tree(tmp_path, {"core/formula.py": text, "cli/main.py": "", "resolver/api.py": "", "kb/load.py": ""})
    problems = layer_violations(package)
    assert len(problems) == 1 and problems[0].startswith("hpguide/core/formula.py:"), problems


def test_version_from_the_root_and_downward_imports_are_allowed(tmp_path):
    package = _tree(tmp_path, {"kb/load.py": "from .. import __version__\nfrom ..core import formula\n",
                               "core/formula.py": "from .errors import X\n", "core/errors.py": ""})
    assert layer_violations(package) == []


def test_a_circle_is_reported(tmp_path):
    package = _tree(tmp_path, {"kb/a.py": "def f():\n    from .b import g\n", "kb/b.py": "from . import a\n",
                               "kb/c.py": "from . import a\n"})
    assert import_cycles(package) == [["hpguide.kb.a", "hpguide.kb.b"]]
