"""run.json written as cells are decided (schema version 3), and read back one cell at a time.

Layout: one JSON document (so `json.load` and any JSON tool read it whole),
laid out so a reader can also stream it line by line:

    {"schema":"iam-harness/run-result","schema_version":3,"entries":[    <- header, line 1
    {"def":0,"value":{"file":"a.yaml","scenario":"s","line":3,...}},     <- a definition, before first use
    {"def":1,"value":{"policy_id":"PolicyInputList.1","sid":"Use",...}}
    {"template":0,"action":"kms:Decrypt","resource":"...","deciding_statements":[1]},   <- a cell
    ...                                                                     one entry per line,
    ],"errors":[...],                                                       in decision order
    "estate":[{"arn":"arn:aws:ec2:...:volume/vol-1","kind":"ec2:volume",...}],   <- when cells cover any
    "metadata":{...}}                                                    <- last line

`entries` holds definitions (`{"def": N, "value": ...}`, `{"reset_defs": true}`)
and cells in one list, in the order they were written; a cell names its
template and its interned values (deciding statements, warnings, missing
context keys, advisory and error texts) by definition number and leaves out
every field equal to its default (the id when it is the standard one, the
outcome `judge` gives, ...): harness/run/records.py says exactly how. Read
it with `iter_cells` (one full record at a time) or `RunResult.load`, never
by hand.

The metadata (started/finished, counts, backend metadata, the policy
documents' sha256) is only known at the end, so it comes last. So does the
estate table (harness/run/estate.py: the facts of every resource a cell
covers, once per resource, gathered from the records as they are written;
left out when no cell covers anything), which `read_tail` returns with the
errors and metadata. A file
without its last line is a run that did not finish: a reader says so rather
than guessing. Encoding is msgspec's C encoder, compact: a string never
contains a raw newline, so one entry is one line.

A passing cell has no explanation text; its deciding statements (policy id,
Sid, lines) stay, and the documents' digests are in the metadata, so
`harness explain CELL_ID --run run.json` recomputes the explanation. Failed
and error cells keep their explanation in full.

Older files are still read: version 2 (same line layout, `cells` instead of
`entries`, every field of every cell, a passing cell without explanation)
and version 1 (one indented document, read whole).
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

import msgspec

from harness.redact import redact_data
from harness.run.estate import EstateTable
from harness.run.records import CellDecoder, CellEncoder, EntryError, full_record
from harness.run.schema import READABLE_VERSIONS, SCHEMA, SCHEMA_VERSION

STREAM_SCHEMA_VERSION = SCHEMA_VERSION
HEADER = b'{"schema":"' + SCHEMA.encode() + b'","schema_version":3,"entries":['
HEADER_V2 = b'{"schema":"' + SCHEMA.encode() + b'","schema_version":2,"cells":['
_HEADERS = (HEADER, HEADER_V2)
_ENCODER = msgspec.json.Encoder()
_DECODER = msgspec.json.Decoder()


class RunStreamWriter:
    """Writes run.json v3 next to its target and renames it into place on `finish`.

    `write_cell` redacts as it encodes (harness/run/records.py): that is the
    one redaction pass of a streamed run's cells; pass `redact=False` for
    data already redacted.
    """

    def __init__(self, path: Path, *, redact: bool = True) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        self._tmp = Path(tmp)
        self._out: IO[bytes] = os.fdopen(fd, "wb", buffering=1 << 20)
        self._out.write(HEADER)
        self._cells = CellEncoder(redact=redact)
        self._redact = redact
        self._entries = 0
        self.cells = 0
        # Bounded by the estate (each covered resource once), never by cells.
        self.estate = EstateTable()

    def write_cell(self, record: dict[str, Any]) -> None:
        """One cell (a CellRecord as a dict), with the definitions it needs first; its estate
        facts go to the run's table, written at the end."""
        out = self._out
        for entry in self._cells.encode(record):
            out.write(b"\n" if not self._entries else b",\n")
            out.write(_ENCODER.encode(entry))
            self._entries += 1
        facts = record.get("estate")
        if facts:
            self.estate.add(facts)
        self.cells += 1

    def finish(self, metadata: dict[str, Any], errors: list[dict[str, Any]]) -> Path:
        """Errors, the estate table and metadata (already redacted) last, then the file in place."""
        out = self._out
        estate = self.estate.rows()
        out.write(tail_bytes(errors, redact_data(estate) if self._redact else estate, metadata))
        out.close()
        os.chmod(self._tmp, 0o644)  # mkstemp makes it private; a report is meant to be read
        os.replace(self._tmp, self.path)
        return self.path

    def abort(self) -> None:
        if not self._out.closed:
            self._out.close()
        self._tmp.unlink(missing_ok=True)


def tail_bytes(errors: list[dict[str, Any]], estate: list[dict[str, Any]], metadata: dict[str, Any]) -> bytes:
    """The end of a v3 document, after the last entry: errors, the estate (when any), metadata."""
    parts = [b'\n],"errors":', _ENCODER.encode(errors)]
    if estate:
        parts += [b',\n"estate":', _ENCODER.encode(estate)]
    parts += [b',\n"metadata":', _ENCODER.encode(metadata), b"}\n"]
    return b"".join(parts)


def encode_entries(cells: Iterable[dict[str, Any]], *, redact: bool = False) -> list[dict[str, Any]]:
    """Cells (full records) as the `entries` of a v3 document."""
    encoder = CellEncoder(redact=redact)
    return [entry for cell in cells for entry in encoder.encode(cell)]


def encode_run(data: dict[str, Any]) -> bytes:
    """A whole run result (a `RunResult.to_dict()`, already redacted: `RunResult.dumps` sees to it)
    in the v3 layout, e.g. for `harness report merge`."""
    parts = [HEADER]
    for i, entry in enumerate(encode_entries(data.get("cells", []))):
        parts.append(b"\n" if not i else b",\n")
        parts.append(_ENCODER.encode(entry))
    parts.append(tail_bytes(data.get("errors", []), data.get("estate") or [], data.get("metadata", {})))
    return b"".join(parts)


def decode_entries(entries: Iterable[Any]) -> Iterator[dict[str, Any]]:
    """Full records from the `entries` of a v3 document (definitions resolved, defaults filled)."""
    decoder = CellDecoder()
    for i, entry in enumerate(entries):
        if not isinstance(entry, dict):
            raise StreamFormatError(f"entries[{i}] is not an object")
        try:
            cell = decoder.decode(entry)
        except EntryError as exc:
            raise StreamFormatError(f"entries[{i}]: {exc}") from None
        if cell is not None:
            yield cell


class StreamFormatError(ValueError):
    """A streamed file whose line layout is broken (truncated, edited by hand)."""


def _header(path: Path) -> bytes:
    # Bounded: a file without newlines (or /dev/zero) is not read whole to find out it is no header.
    with path.open("rb") as handle:
        return handle.readline(len(HEADER) + 2).rstrip(b"\r\n")


def is_streamed(path: str | Path) -> bool:
    """True for a file laid out one cell per line (schema version 2 or 3)."""
    path = Path(path)
    return _header(path) in _HEADERS


def iter_cells(path: str | Path) -> Iterator[dict[str, Any]]:
    """Every cell of a run.json, in file order, as a full record dict (every CellRecord field,
    defaults filled), whatever the version. Versions 2 and 3 are streamed (memory: one cell and
    the definitions in force); a version 1 file, or any run result written whole, is read whole.
    Each record and its lists are fresh; nested objects (a context entry) may be shared between
    records, so copy one before changing it."""
    path = Path(path)
    header = _header(path)
    if header not in _HEADERS:
        yield from (full_record(c) for c in _whole(path).get("cells", []))
        return
    decoder = CellDecoder() if header == HEADER else None
    with path.open("rb") as handle:
        handle.readline(len(HEADER) + 2)
        for number, line in enumerate(handle, start=2):
            line = line.rstrip(b"\r\n")
            if line.startswith(b"]"):
                return
            if line.endswith(b","):
                line = line[:-1]
            try:
                entry = _DECODER.decode(line)
            except msgspec.DecodeError as exc:
                raise StreamFormatError(f"{path}, line {number}: not JSON ({exc})") from None
            if not isinstance(entry, dict):
                raise StreamFormatError(f"{path}, line {number}: not an object")
            if decoder is None:
                yield full_record(entry)
                continue
            try:
                cell = decoder.decode(entry)
            except EntryError as exc:
                raise StreamFormatError(f"{path}, line {number}: {exc}") from None
            if cell is not None:
                yield cell
    raise StreamFormatError(f"{path}: the run did not finish (no end of the cell list)")


def load_document(path: str | Path) -> dict[str, Any]:
    """The whole run result in its expanded form, `{schema, schema_version, metadata, cells, errors}`
    with every cell a full record, whatever the version on disk (memory: the whole run; for tests
    and small runs; stream large ones with `iter_cells`)."""
    path = Path(path)
    data = _whole(path)
    data["cells"] = [full_record(c) for c in data.get("cells", [])]
    return data


def _whole(path: Path) -> dict[str, Any]:
    from harness.inputs.textfiles import FileProblem, read_bytes_checked

    try:  # a regular file (never a FIFO or /dev/zero); no size cap: a large run's file is large
        raw = read_bytes_checked(path, max_bytes=1 << 40)
    except FileProblem as exc:
        raise StreamFormatError(f"{path}: cannot read: {exc.message}") from None
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError) as exc:
        raise StreamFormatError(f"{path}: not a run result ({exc})") from None
    if not isinstance(data, dict) or data.get("schema") != SCHEMA:
        raise StreamFormatError(f"{path}: not an iam-harness run result")
    if data.get("schema_version") not in READABLE_VERSIONS:
        version = data.get("schema_version")
        raise StreamFormatError(f"{path}: unsupported run result schema_version {version!r}")
    if "entries" in data:
        data["cells"] = list(decode_entries(data.pop("entries") or []))
    return data


def read_tail(path: str | Path) -> dict[str, Any]:
    """`errors`, `estate` (when the run has one) and `metadata` of a run.json: read from its last
    lines without decoding the cells (versions 2 and 3), or from the whole document (version 1)."""
    path = Path(path)
    if not is_streamed(path):
        data = _whole(path)
        tail = {"errors": data.get("errors", []), "metadata": data.get("metadata", {})}
        return tail | ({"estate": data["estate"]} if "estate" in data else {})
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
