"""The layering of docs/architecture.md holds: no module imports a layer above its own, no circle.

Imports are read from the source (module level, inside functions and under TYPE_CHECKING alike:
a lazy import is still a dependency), and every module is imported once to prove the table and
the package agree.
"""

from __future__ import annotations

import ast
import importlib
import re
from dataclasses import dataclass
from pathlib import Path

import harness

ROOT = Path(harness.__file__).parent
DOC = ROOT.parent / "docs" / "architecture.md"


@dataclass(frozen=True)
class Layer:
    rank: int
    name: str
    prefixes: tuple[str, ...]


def layers() -> list[Layer]:
    text = DOC.read_text(encoding="utf-8")
    rows = text.split("<!-- layers:", 1)[1].split("\n\n", 1)[0]
    found = []
    for line in rows.splitlines():
        match = re.match(r"^\| (\d+) ([\w ]+?) \| (.+?) \|", line)
        if match:
            prefixes = tuple(re.findall(r"`([\w.]+)`", match.group(3)))
            found.append(Layer(int(match.group(1)), match.group(2), prefixes))
    return found


def module_names() -> list[str]:
    names = []
    for path in sorted(ROOT.rglob("*.py")):
        parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        names.append(".".join(parts))
    return names


def source_of(module: str) -> Path:
    base = ROOT.parent / Path(*module.split("."))
    return base / "__init__.py" if base.is_dir() else base.with_suffix(".py")


def imports_of(module: str, known: set[str]) -> set[str]:
    """The harness modules `module` imports; `from pkg import sub` counts as importing pkg.sub."""
    tree = ast.parse(source_of(module).read_text(encoding="utf-8"))
    package = module if source_of(module).name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.split(".")[0] == "harness")
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            if base.split(".")[0] != "harness":
                continue
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                found.add(sub if sub in known else base)
    return found - {module}


def layer_of(module: str, table: list[Layer]) -> Layer:
    best: tuple[int, Layer] | None = None
    for layer in table:
        for prefix in layer.prefixes:
            # `harness` names the package's face only, not everything under it.
            inside = module == prefix or (prefix != "harness" and module.startswith(prefix + "."))
            if inside and (best is None or len(prefix) > best[0]):
                best = (len(prefix), layer)
    assert best is not None, f"{module} is in no layer of docs/architecture.md: add it to the table"
    return best[1]


def test_the_layer_table_is_read_from_the_doc() -> None:
    table = layers()
    assert [layer.rank for layer in table] == list(range(1, len(table) + 1))
    assert {"harness.engine", "harness.run", "harness.reports", "harness.plugin"} <= {
        p for layer in table for p in layer.prefixes
    }


def test_every_module_imports() -> None:
    for name in module_names():
        if name != "harness.__main__":  # runs the CLI on import
            importlib.import_module(name)


def test_no_module_imports_a_layer_above_its_own() -> None:
    table = layers()
    known = set(module_names())
    upward = []
    for module in sorted(known):
        own = layer_of(module, table)
        for target in sorted(imports_of(module, known)):
            theirs = layer_of(target, table)
            if theirs.rank > own.rank:
                upward.append(f"{module} ({own.name}) imports {target} ({theirs.name})")
    assert upward == []


def test_the_import_graph_has_no_circle() -> None:
    known = set(module_names())
    graph = {m: sorted(imports_of(m, known) & known) for m in known}
    circles = strongly_connected(graph)
    assert circles == [], "\n".join(" <-> ".join(c) for c in circles)


def strongly_connected(graph: dict[str, list[str]]) -> list[list[str]]:
    """Tarjan's components of more than one module (iterative: the graph is a few hundred nodes)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []
    counter = 0
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(graph[root]))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(graph[child])))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    out.append(sorted(component))
    return sorted(out)
