"""Gather cell records from test reports (locally or from xdist workers) into a RunBuilder.

Workers attach each cell's CellRecord to its test report's
`user_properties`; xdist ships reports to the controller, which collects
them in `pytest_runtest_logreport`. Without xdist the same hook sees the
same reports, so both paths produce the same run result. Building the run
result itself (metadata, merging, redaction) is the library's job
(harness/run/builder.py); this module only reads pytest's report payloads.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from harness.plugin.caveats import CaveatTally
from harness.run.builder import RunBuilder

PROP_CELL = "iam_cell"  # one cell: {"index", "record"}
PROP_CELLS = "iam_cells"  # an item's cells: {"group": bool, "cells": [[index, record], ...]}
PROP_FILE = "iam_file"
PROP_FILE_ERROR = "iam_file_error"


class RunCollector(RunBuilder):
    """A RunBuilder fed from test reports' user_properties; also tallies caveats for the summary."""

    def __init__(self, stream: Path | None = None) -> None:
        super().__init__(stream)
        self.caveats = CaveatTally()

    def take(self, user_properties: Iterable[Any]) -> None:
        for prop in user_properties:
            try:
                name, value = prop
            except (TypeError, ValueError):
                continue
            if name == PROP_CELL:
                self._add(value["record"], int(value["index"]))
            elif name == PROP_CELLS:
                for index, record in value["cells"]:
                    self._add(record, int(index))
            elif name == PROP_FILE:
                self.add_file(value)
            elif name == PROP_FILE_ERROR:
                self.add_file_errors(value["file"], value["errors"])

    def _add(self, record: dict[str, Any], index: int) -> None:
        self.add_cell(record, index)
        for warning in record.get("warnings") or ():
            self.caveats.add(warning, f"{record['file']}:{record['line']}")


# What a report may drop once the run result has it: pytest keeps every report to the end of the
# session (the terminal's counts), and the records would otherwise stay with them.
BULKY = frozenset({PROP_CELL, PROP_CELLS, PROP_FILE})


def failed_cells(user_properties: Iterable[Any]) -> list[str] | None:
    """Ids of the cells a grouped item's report says failed or errored; None for any other report."""
    for prop in user_properties:
        if isinstance(prop, tuple | list) and len(prop) == 2 and prop[0] == PROP_CELLS and prop[1]["group"]:
            cells = prop[1]["cells"]
            return [record["id"] for _index, record in cells if record["outcome"] in ("failed", "error")]
    return None


def drop_bulky(user_properties: list[Any]) -> None:
    user_properties[:] = [
        p for p in user_properties if not (isinstance(p, tuple | list) and p and p[0] in BULKY)
    ]
