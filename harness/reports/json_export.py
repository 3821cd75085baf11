"""report.json: the run result in report order (drift first), every cell, with the drift section.

It stays a valid run result: `RunResult.load` reads it (unknown top-level keys
such as `drift` are ignored), with the run's `estate` table when it has one.
Written as the run streams past: one cell per line, msgspec's C encoder
straight from the CellRecord (no dict copy), cells that are not a plain pass
first, then the passing cells in run order. Unlike run.json, the metadata
comes first (it is known when the report is written). A cell's `estate` is
always `[]` here: the facts are in the run's table.
"""

from __future__ import annotations

from typing import IO

import msgspec

from harness.reports.drift import Drift
from harness.reports.files import HashingWriter
from harness.reports.summary import PlacedCell, RunSummary
from harness.run.result import SCHEMA, SCHEMA_VERSION

_ENCODER = msgspec.json.Encoder()


class JsonFormat:
    """report.json, streamed: passing cells go to `spool` (each after `,\\n`); `finish` writes the file."""

    def __init__(self, spool: IO[bytes]) -> None:
        self.spool = spool
        self._buf = bytearray()

    def take(self, placed: PlacedCell) -> None:
        buf = self._buf
        buf += b",\n"
        buf += _ENCODER.encode(placed.cell)
        if len(buf) > 1 << 20:
            self.spool.write(buf)
            buf.clear()

    def finish(self, out: HashingWriter, summary: RunSummary, drift: Drift | None) -> None:
        self.spool.write(self._buf)
        self._buf.clear()
        head = {"schema": SCHEMA, "schema_version": SCHEMA_VERSION, "metadata": summary.metadata}
        out.write(_ENCODER.encode(head)[:-1] + b',"cells":[')
        held = summary.held_in_order()
        chunk = bytearray()
        for i, placed in enumerate(held):
            chunk += b",\n" if i else b"\n"
            chunk += _ENCODER.encode(placed.cell)
            if len(chunk) > 1 << 20:
                out.write(bytes(chunk))
                chunk.clear()
        out.write(bytes(chunk))
        # Spooled cells each start with ",\n"; with nothing before them the first comma goes.
        out.copy_from(self.spool, skip=0 if held else 1)
        tail = b'\n],"errors":' + _ENCODER.encode(summary.errors)
        if summary.estate:  # the facts of covered resources, once each, as run.json has them
            tail += b',"estate":' + _ENCODER.encode(summary.estate)
        if drift is not None:
            tail += b',"drift":' + _ENCODER.encode(drift.to_dict())
        out.write(tail + b"}\n")
