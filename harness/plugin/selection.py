"""What selected this run's cells, for `metadata.complete` and `metadata.selection` (harness/run/select.py).

Counted where collection happens (the process itself, or each xdist worker,
which all collect the same items): cells deselected (`-k`, `-m`, `--lf`,
`--deselect` all report through `pytest_deselected`) and cells collected.
`--iam-cell` counts the cells it leaves out as deselected too. The selectors themselves come from
the command line.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest


@dataclass
class SelectionCounts:
    deselected: int = 0
    collected: int = 0

    def merge_worker(self, data: dict[str, Any]) -> None:
        # Every worker collects and deselects the same items: the counts are the same, not to be added.
        self.deselected = max(self.deselected, int(data.get("deselected", 0)))
        self.collected = max(self.collected, int(data.get("collected", 0)))

    def as_dict(self) -> dict[str, int]:
        return {"deselected": self.deselected, "collected": self.collected}


def selection_metadata(config: pytest.Config, counts: SelectionCounts, recorded: int) -> dict[str, Any]:
    """`{"complete": bool, "selection": {...}}` for the run result's metadata."""
    selection: dict[str, Any] = {}
    keyword = str(config.getoption("keyword", "") or "").strip()
    if keyword:
        selection["keyword"] = keyword
    markers = str(config.getoption("markexpr", "") or "").strip()
    if markers:
        selection["markers"] = markers
    if _last_failed_narrows(config):
        selection["last_failed"] = True
    node_ids = [str(a) for a in (config.getoption("file_or_dir", None) or []) if "::" in str(a)]
    if node_ids:
        selection["node_ids"] = node_ids
    cell_filter = [str(e) for e in (config.getoption("iam_cell", None) or [])]
    if cell_filter:
        selection["cell_filter"] = cell_filter
    deselect = [str(d) for d in (config.getoption("deselect", None) or [])]
    if deselect:
        selection["deselect"] = deselect
    if counts.deselected:
        selection["deselected"] = counts.deselected
    not_run = max(counts.collected - recorded, 0)
    if not_run:
        selection["not_run"] = not_run  # e.g. -x / --maxfail stopped the run
    # --deselect of a harness cell shows in `deselected`; of another test it does not make this partial.
    complete = not (counts.deselected or not_run or selection.get("last_failed") or node_ids or cell_filter)
    return {"complete": complete, "selection": selection}


def _last_failed_narrows(config: pytest.Config) -> bool:
    """--lf skips files and cells once failures are recorded; with none recorded it runs everything."""
    if not config.getoption("lf", False):
        return False
    cache = getattr(config, "cache", None)
    if cache is None:
        return True  # cannot tell: assume it narrowed
    return bool(cache.get("cache/lastfailed", {}))
