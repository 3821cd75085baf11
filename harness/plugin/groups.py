"""Which cells of a scenario file share one pytest item, and what the item is called.

A grouped item holds the cells of one scenario for one principal, in file order, and is named
`scenario[principal]`: stable as long as the file says the same (pytest's `--lf` cache stores node
ids), and `-k alice` or `-k "reader decrypts"` picks groups by name. The same scenario name written
twice in a file gets `#2`, as cell ids do.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from harness.cells import Cell


@dataclass
class CellGroup:
    name: str
    scenario: str
    principal: str
    line: int
    cells: list[tuple[int, Cell]] = field(default_factory=list)  # (index in the file, cell)


def clean_name(text: str) -> str:
    # "::" separates pytest node ids; newlines break terminal output.
    return " ".join(text.replace("::", ":").split())


def group_by_scenario(cells: Iterable[tuple[int, Cell]]) -> list[CellGroup]:
    """Groups in first-seen order, one per (scenario as written, principal)."""
    groups: dict[tuple[int, str, str], CellGroup] = {}
    names: set[str] = set()
    for index, cell in cells:
        key = (cell.source.line, cell.source.scenario, cell.principal_label)
        group = groups.get(key)
        if group is None:
            base = clean_name(cell.source.scenario)
            if cell.principal_label:
                base += f"[{clean_name(cell.principal_label)}]"
            name, n = base, 2
            while name in names:
                name, n = f"{base}#{n}", n + 1
            names.add(name)
            group = CellGroup(name, cell.source.scenario, cell.principal_label, cell.source.line)
            groups[key] = group
        group.cells.append((index, cell))
    return list(groups.values())
