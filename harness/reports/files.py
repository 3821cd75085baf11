"""Report files: written to a temporary sibling, hashed as written, moved into place atomically.

Every file is written to a temporary file in the target directory and moved
into place with `os.replace` (atomic on POSIX and Windows), so a reader, a
CI artifact upload or a crash never sees half a report. The SHA-256 is
computed from the bytes as they are written (a large report is never read
back to be hashed).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


@dataclass
class WrittenFile:
    path: Path
    sha256: str
    bytes: int


class HashingWriter:
    """A binary sink that hashes and counts what passes through it."""

    def __init__(self, out: IO[bytes]) -> None:
        self._out = out
        self._hash = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes) -> int:
        self._hash.update(data)
        self.size += len(data)
        return self._out.write(data)

    def copy_from(self, spool: IO[bytes], skip: int = 0) -> None:
        """Append everything in `spool` after its first `skip` bytes, a megabyte at a time."""
        spool.flush()
        spool.seek(skip)
        for chunk in iter(lambda: spool.read(1 << 20), b""):
            self.write(chunk)

    @property
    def sha256(self) -> str:
        return self._hash.hexdigest()


@contextlib.contextmanager
def atomic_file(path: Path) -> Iterator[HashingWriter]:
    """Write `path` through a HashingWriter; in place only if the block completes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        # mkstemp creates 0600; reports are meant to be read (CI artifacts), so keep an
        # existing file's mode, else the usual 0644.
        if hasattr(os, "fchmod"):
            os.fchmod(fd, path.stat().st_mode & 0o777 if path.exists() else 0o644)
        with os.fdopen(fd, "wb", buffering=1 << 20) as fh:
            writer = HashingWriter(fh)
            yield writer
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def atomic_write(path: Path, data: bytes) -> WrittenFile:
    """Write `data` to `path` via a temporary sibling and os.replace."""
    with atomic_file(path) as out:
        out.write(data)
    return WrittenFile(path, out.sha256, out.size)


def spool_file(directory: Path | None) -> IO[bytes]:
    """An anonymous temporary file (deleted when closed) for rows written before their final place
    is known; in the report directory, so a large report does not fill a RAM-backed /tmp."""
    if directory is not None:
        directory.mkdir(parents=True, exist_ok=True)
    return tempfile.TemporaryFile(dir=directory, buffering=1 << 20)


__all__ = ["HashingWriter", "WrittenFile", "atomic_file", "atomic_write", "sha256_bytes", "sha256_file"]
