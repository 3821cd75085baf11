"""`-k` on grouped items matches cells, as it does with one item per cell.

pytest's `-k` judges an item on the union of its names, which for a group of cells would make
`-k "not Encrypt"` drop a group holding one Encrypt cell. So groups are kept away from pytest's
`-k` (plugin.py) and narrowed here instead: each cell is judged on the names its own item would
have had (its id, action, principal, tags, file and directories) plus the group's name. pytest's
expression parser is not public API: where it cannot be imported, pytest's `-k` selects whole
groups by those names.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from harness.plugin.items import CellGroupItem

try:  # pytest >= 8: the parser -k and -m use, and pytest's -k itself
    from _pytest.mark import deselect_by_keyword
    from _pytest.mark.expression import Expression
except ImportError:  # pragma: no cover - depends on pytest's internals
    Expression = None  # type: ignore[assignment,misc]


AVAILABLE = Expression is not None


class _Names:
    """pytest's KeywordMatcher: case-insensitive substring of any of the names."""

    def __init__(self, shared: list[str], names: Iterable[str]) -> None:
        self.names = [*shared, *(n.lower() for n in names)]

    def __call__(self, subname: str, /, **kwargs: Any) -> bool:
        if kwargs:
            raise pytest.UsageError("Keyword expressions do not support call parameters.")
        sub = subname.lower()
        return any(sub in name for name in self.names)


def compile_keyword(keyword: str) -> Any:
    """The compiled `-k` expression; a malformed one is the usage error pytest would raise."""
    assert Expression is not None
    try:
        return Expression.compile(keyword)
    except SyntaxError as exc:
        raise pytest.UsageError(
            f"Wrong expression passed to '-k': {exc.text}: at column {exc.offset}: {exc.msg}"
        ) from None


def narrow_by_keyword(item: CellGroupItem, expr: Any) -> int:
    """Keep the cells of `item` that the compiled `-k` expression matches; returns how many were dropped."""
    shared = [
        node.name
        for node in item.listchain()
        if not isinstance(node, pytest.Session)
        and not (isinstance(node, pytest.Directory) and isinstance(node.parent, pytest.Session))
    ]
    shared.extend(item.listextrakeywords())
    shared.extend(mark.name for mark in item.iter_markers())
    lowered = [name.lower() for name in shared]
    assert item.file_node.loaded is not None
    names = item.file_node.loaded.item_names
    kept = [
        (index, cell)
        for index, cell in item.cells
        if expr.evaluate(_Names(lowered, (names[cell.id], cell.action, cell.principal_label)))
    ]
    dropped = len(item.cells) - len(kept)
    item.cells = kept
    return dropped


def narrow_groups(config: pytest.Config, items: list[pytest.Item], keyword: str) -> int:
    """Narrow every group in `items` to the cells `-k keyword` matches; a group left without cells is
    deselected. Returns how many cells were dropped from groups still selected."""
    from harness.plugin.items import CellGroupItem

    expr = compile_keyword(keyword)
    dropped = 0
    emptied = []
    for item in items:
        if isinstance(item, CellGroupItem):
            dropped += narrow_by_keyword(item, expr)
            if not item.cells:
                emptied.append(item)
    if emptied:
        gone = {id(item) for item in emptied}
        items[:] = [item for item in items if id(item) not in gone]
        config.hook.pytest_deselected(items=emptied)
    return dropped


def deselect_others(config: pytest.Config, items: list[pytest.Item]) -> None:
    """pytest's own `-k` over the items that are not groups (cell items, other tests)."""
    from harness.plugin.items import CellGroupItem

    others = [item for item in items if not isinstance(item, CellGroupItem)]
    before = len(others)
    deselect_by_keyword(others, config)
    if len(others) != before:
        kept = {id(item) for item in others}
        items[:] = [item for item in items if isinstance(item, CellGroupItem) or id(item) in kept]
