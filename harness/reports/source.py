"""A run result read one cell at a time: what every report renders from.

`RunSource` holds the run's metadata, load errors and estate table (the facts
of covered resources, bounded by the estate: harness/run/estate.py) and gives
its cells as a re-iterable stream of `CellRecord`s (`cells()`), so a renderer
keeps only what it aggregates, never the passing cells. Built from:

- a run.json path (`from_path`): a streamed file (schema version 2) is read
  through `harness.run.stream` (`is_streamed`, `read_tail`, `iter_cells`: full
  record dicts whatever the on-disk layout, which this module never parses);
  any other (version 1, or a v2 file whose line layout was edited) is loaded
  whole with `load_run`, the one case that holds every cell in memory;
- a `RunResult` in memory (`from_run`: tests, `report merge`);
- any factory of record iterators (`from_records`).

Redaction happens here, once, on the data: metadata, errors and estate when the
source is built, each cell as it is read (a bounded cache of scrubbed
strings), unless the data says it is already redacted (the plugin's run.json).
Every format is then serialised from clean data and never scrubbed again.
"""

from __future__ import annotations

import hashlib
import stat
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.redact import Redactor, redact_data
from harness.run.estate import EstateError, check_estate
from harness.run.load import RunInputError, cell_problem, load_run
from harness.run.result import CellRecord, RunResult, redact_run
from harness.run.stream import StreamFormatError, is_streamed, iter_cells, read_tail

_KNOWN = frozenset(CellRecord.__dataclass_fields__)


@dataclass
class RunSource:
    """Metadata, load errors and a re-iterable cell stream of one run result."""

    metadata: dict[str, Any]
    errors: list[dict[str, Any]]
    _records: Callable[[], Iterable[CellRecord]] = field(repr=False)
    # Where the cells come from, for error messages.
    origin: str = "run"
    # The raw file's SHA-256, when built from a path (report export's provenance).
    sha256: str | None = None
    # Cells counted by the last complete pass of `cells()` (None before one).
    count: int | None = None
    # The facts of every covered resource, once each (harness/run/estate.py).
    estate: list[dict[str, str]] = field(default_factory=list)

    def cells(self) -> Iterator[CellRecord]:
        """Every cell once, in the run's order; each call starts a new pass."""
        n = 0
        for record in self._records():
            n += 1
            yield record
        self.count = n

    @classmethod
    def from_run(cls, run: RunResult) -> RunSource:
        """A run in memory; redacted once here unless it already is (`run.redacted`)."""
        if not run.redacted:
            run = redact_run(run)
        cells = run.cells
        return cls(
            metadata=run.metadata,
            errors=run.errors,
            _records=lambda: iter(cells),
            origin="run",
            estate=run.estate,
        )

    @classmethod
    def from_records(
        cls,
        metadata: dict[str, Any],
        errors: list[dict[str, Any]],
        records: Callable[[], Iterable[dict[str, Any]]],
        *,
        redacted: bool = False,
        origin: str = "run",
        estate: list[dict[str, str]] | None = None,
    ) -> RunSource:
        """Cells from `records()` (full record dicts), checked and redacted as they are read."""
        estate = estate or []
        if not redacted:
            metadata, errors, estate = redact_data(metadata), redact_data(errors), redact_data(estate)

        def cells() -> Iterator[CellRecord]:
            redactor = None if redacted else Redactor()
            for i, data in enumerate(records()):
                yield _record(data, i, origin, redactor)

        return cls(metadata=metadata, errors=errors, _records=cells, origin=origin, estate=estate)

    @classmethod
    def from_path(cls, path: Path | str, *, redacted: bool = False, sha256: bool = False) -> RunSource:
        """The run result at `path`; RunInputError (naming the file) when it cannot be used.

        `redacted=True` is for a file this tool wrote from redacted data (the
        plugin's run.json): it is not scrubbed a second time. `sha256=True`
        hashes the file (one extra sequential read) for provenance.
        """
        path = Path(path)
        _check_regular(path)
        digest = _sha256(path) if sha256 else None
        tail: dict[str, Any] | None = None
        try:
            if is_streamed(path):
                tail = read_tail(path)
        except StreamFormatError:
            tail = None  # a broken line layout: read it whole below, which says what is wrong
        except OSError as exc:
            raise RunInputError(path, f"cannot read: {exc.strerror or exc}") from None
        if tail is None:
            run, _ = load_run(path)
            run.redacted = redacted or run.redacted
            source = cls.from_run(run)
            source.origin, source.sha256 = str(path), digest
            return source
        metadata, errors = tail.get("metadata", {}), tail.get("errors", [])
        if not isinstance(metadata, dict):
            raise RunInputError(path, "field 'metadata' must be an object")
        if not isinstance(errors, list):
            raise RunInputError(path, "field 'errors' must be a list")
        try:
            estate = check_estate(tail.get("estate"))
        except EstateError as exc:
            raise RunInputError(path, str(exc)) from None

        opened = _fingerprint(path)

        def records() -> Iterator[dict[str, Any]]:
            # A later pass (drift's removed requests) must read the same file, not the run.json
            # that replaced it.
            if _fingerprint(path) != opened:
                raise RunInputError(path, "the file changed since it was first read")
            try:
                yield from iter_cells(path)
            except StreamFormatError as exc:
                raise RunInputError(path, str(exc).removeprefix(f"{path}: ")) from None

        source = cls.from_records(
            metadata, errors, records, redacted=redacted, origin=str(path), estate=estate
        )
        source.sha256 = digest
        return source


def _record(data: Any, index: int, origin: str, redactor: Redactor | None) -> CellRecord:
    if redactor is not None and isinstance(data, dict):
        data = redactor.record(data)
    try:  # the common case, a full record with nothing else: no per-field checks
        return CellRecord(**data)
    except TypeError:
        return _checked_record(data, index, origin)


def _checked_record(data: Any, index: int, origin: str) -> CellRecord:
    """The record, or a RunInputError that says which cell and field is wrong."""
    problem = cell_problem(data, index)
    if problem:
        raise RunInputError(origin, problem)
    try:
        return CellRecord(**{k: v for k, v in data.items() if k in _KNOWN})
    except TypeError as exc:
        raise RunInputError(origin, f"cells[{index}]: {exc}") from None


def _fingerprint(path: Path) -> tuple[int, int, int] | None:
    try:
        info = path.stat()
    except OSError:
        return None
    return (info.st_ino, info.st_size, info.st_mtime_ns)


def _check_regular(path: Path) -> None:
    """A regular file (never a FIFO or /dev/zero, which would block or never end)."""
    try:
        info = path.stat()
    except (FileNotFoundError, NotADirectoryError):
        raise RunInputError(path, "cannot read: no such file") from None
    except (OSError, RuntimeError) as exc:  # RuntimeError: a symlink loop
        raise RunInputError(path, f"cannot read: {getattr(exc, 'strerror', None) or exc}") from None
    if not stat.S_ISREG(info.st_mode):
        raise RunInputError(path, "cannot read: not a regular file (a directory, device, FIFO or socket)")


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    try:
        with path.open("rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
    except OSError as exc:
        raise RunInputError(path, f"cannot read: {exc.strerror or exc}") from None
    return h.hexdigest()
