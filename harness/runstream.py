"""run.json written as cells are decided (schema version 2), and read back one cell at a time.

Layout: still one JSON document (so `json.load` and any JSON tool read it
whole), laid out so a reader can also stream it line by line:

    {"schema":"iam-harness/run-result","schema_version":2,"cells":[      <- header, line 1
    {...cell...},                                                        <- one cell per line,
    {...cell...}                                                            in decision order
    ],"errors":[...],                                                    <- after the last cell
    "metadata":{...}}                                                    <- last line

The metadata (started/finished, counts, backend metadata) is only known at
the end, so it comes last. A file without its last line is a run that did
not finish: a reader says so rather than guessing. Encoding is msgspec's C
encoder, compact (no indentation): a string never contains a raw newline, so
one cell is one line.

A passing cell is written compact (`compact_record`): its explanation text
is dropped; its deciding statements (policy id, Sid, lines) stay, and the
policy documents' sha256 digests are in the metadata, so
`harness explain CELL_ID --run run.json` can recompute the explanation.
Failed and error cells keep everything.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import msgspec

from harness.runresult import SCHEMA

STREAM_SCHEMA_VERSION = 2
HEADER = b'{"schema":"' + SCHEMA.encode() + b'","schema_version":2,"cells":['
_ENCODER = msgspec.json.Encoder()
_DECODER = msgspec.json.Decoder()



def compact_record(record: dict[str, Any]) -> dict[str, Any]:
    """The record as run.json v2 stores it: every field (raw JSON readers such as jq rely on them),
    but a passing cell without its explanation text."""
    if record.get("outcome") == "passed" and record.get("explanation"):
        return {k: v for k, v in record.items() if k != "explanation"}
    return record


class RunStreamWriter:
    """Writes run.json v2 next to its target and renames it into place on `finish`."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        self._tmp = Path(tmp)
        self._out: IO[bytes] = os.fdopen(fd, "wb", buffering=1 << 20)
        self._out.write(HEADER)
        self.cells = 0

    def write_cell(self, record: dict[str, Any]) -> None:
        """One cell, already redacted (the caller owns the one redaction pass)."""
        self._out.write(b"\n" if not self.cells else b",\n")
        self._out.write(_ENCODER.encode(compact_record(record)))
        self.cells += 1

    def finish(self, metadata: dict[str, Any], errors: list[dict[str, Any]]) -> Path:
        out = self._out
        out.write(b"\n],\"errors\":")
        out.write(_ENCODER.encode(errors))
        out.write(b',\n"metadata":')
        out.write(_ENCODER.encode(metadata))
        out.write(b"}\n")
        out.close()
        os.chmod(self._tmp, 0o644)  # mkstemp makes it private; a report is meant to be read
        os.replace(self._tmp, self.path)
        return self.path

    def abort(self) -> None:
        if not self._out.closed:
            self._out.close()
        self._tmp.unlink(missing_ok=True)


def encode_run(data: dict[str, Any]) -> bytes:
    """A whole run result (a `RunResult.to_dict()`) in the v2 layout, e.g. for `harness report merge`."""
    parts = [HEADER]
    for i, cell in enumerate(data.get("cells", [])):
        parts.append(b"\n" if not i else b",\n")
        parts.append(_ENCODER.encode(compact_record(cell)))
    parts.append(b'\n],"errors":' + _ENCODER.encode(data.get("errors", [])))
    parts.append(b',\n"metadata":' + _ENCODER.encode(data.get("metadata", {})) + b"}\n")
    return b"".join(parts)


class StreamFormatError(ValueError):
    """A v2 file whose line layout is broken (truncated, edited by hand): read it whole instead."""


def is_streamed(path: Path) -> bool:
    with path.open("rb") as handle:
        return handle.readline().rstrip(b"\r\n") == HEADER


def iter_cells(path: Path) -> Iterator[dict[str, Any]]:
    """The cells of a v2 run.json one at a time (memory: one cell), in file order."""
    with path.open("rb") as handle:
        if handle.readline().rstrip(b"\r\n") != HEADER:
            raise StreamFormatError(f"{path}: not a streamed (schema_version 2) run result")
        for line in handle:
            line = line.rstrip(b"\r\n")
            if line.startswith(b"]"):
                return
            if line.endswith(b","):
                line = line[:-1]
            try:
                cell = _DECODER.decode(line)
            except msgspec.DecodeError as exc:
                raise StreamFormatError(f"{path}: a cell line is not JSON ({exc})") from None
            if not isinstance(cell, dict):
                raise StreamFormatError(f"{path}: a cell line is not an object")
            yield cell
    raise StreamFormatError(f"{path}: the run did not finish (no end of the cell list)")


def read_tail(path: Path) -> dict[str, Any]:
    """`errors` and `metadata` of a v2 run.json, read from its last lines without decoding the cells."""
    with path.open("rb") as handle:
        handle.seek(0, os.SEEK_END)
        size = handle.tell()
        chunk = 1 << 16
        while True:
            start = max(0, size - chunk)
            handle.seek(start)
            tail = handle.read()
            cut = tail.rfind(b'\n],"errors":')
            if cut >= 0 or start == 0:
                break
            chunk *= 4
    if cut < 0:
        raise StreamFormatError(f"{path}: the run did not finish (no errors and metadata at its end)")
    try:
        data = _DECODER.decode(b"{" + tail[cut + 3 :])
    except msgspec.DecodeError as exc:
        raise StreamFormatError(f"{path}: its last lines are not JSON ({exc})") from None
    if not isinstance(data, dict):
        raise StreamFormatError(f"{path}: its last lines are not an object")
    return data
