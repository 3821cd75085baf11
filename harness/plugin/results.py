"""Gather cell records from test reports (locally or from xdist workers) into a RunBuilder.

Workers attach each cell's CellRecord to its test report's
`user_properties`; xdist ships reports to the controller, which collects
them in `pytest_runtest_logreport`. Without xdist the same hook sees the
same reports, so both paths produce the same run result. Building the run
result itself (metadata, merging, redaction) is the library's job
(harness/runbuilder.py); this module only reads pytest's report payloads.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from harness.plugin.caveats import CaveatTally
from harness.runbuilder import RunBuilder

PROP_CELL = "iam_cell"
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
                record = value["record"]
                self.add_cell(record, int(value["index"]))
                for warning in record.get("warnings") or ():
                    self.caveats.add(warning, f"{record['file']}:{record['line']}")
            elif name == PROP_FILE:
                self.add_file(value)
            elif name == PROP_FILE_ERROR:
                self.add_file_errors(value["file"], value["errors"])
