"""Reading input files and text defensively: regular files of sane size, UTF-8 only, bounded nesting.

Shared by the scenario loader, the account model and the `harness simulate-*`
commands; no YAML here, so the CLI's JSON path does not import PyYAML.
"""

from __future__ import annotations

import re
import stat
from pathlib import Path

# Nesting deeper than this is no scenario, account model or policy (an IAM policy is at most
# six levels deep); refusing it keeps PyYAML's recursive composer far from Python's limit.
MAX_DEPTH = 64

# A scenario file, account model or policy file larger than this is not one a person wrote;
# refusing it before reading keeps `/dev/zero` or a 2 GB log from exhausting memory.
MAX_FILE_BYTES = 16 * 1024 * 1024


_BRACKETS = re.compile(r"[\[\]{}]")


def nesting_line(text: str, limit: int = MAX_DEPTH) -> int:
    """The line where flow collections (`[`, `{`; JSON too) nest deeper than `limit`, else 0.

    A cheap scan that ignores quoting: it may overcount brackets inside quoted
    strings, which only matters for strings holding dozens of unbalanced `[`.
    Block nesting (indentation) is bounded by MAX_DEPTH in _convert.
    """
    if text.count("[") + text.count("{") <= limit:
        return 0
    depth = 0
    for match in _BRACKETS.finditer(text):  # only the brackets, not every character
        if match.group() in "[{":
            depth += 1
            if depth > limit:
                return text.count("\n", 0, match.start()) + 1
        else:
            depth = max(0, depth - 1)
    return 0


class FileProblem(Exception):
    """A file that cannot be read as a UTF-8 text file; `line` when the problem has one."""

    def __init__(self, message: str, hint: str = "", line: int = 0, *, missing: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.line = line
        self.missing = missing  # nothing at that path (callers may suggest a near name)


_UTF16_32_BOMS = (
    (b"\xff\xfe\x00\x00", "UTF-32"),
    (b"\x00\x00\xfe\xff", "UTF-32"),
    (b"\xff\xfe", "UTF-16"),
    (b"\xfe\xff", "UTF-16"),
)


def read_bytes_checked(path: Path, max_bytes: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of a regular file of at most `max_bytes`; FileProblem otherwise.

    Symlinks are followed (a pack may link shared policies); what they point to
    must be a regular file, so a FIFO or /dev/zero is refused without reading.
    """
    try:
        info = path.stat()
    except (FileNotFoundError, NotADirectoryError):
        raise FileProblem("no such file", missing=True) from None
    except (OSError, RuntimeError) as exc:  # RuntimeError: a symlink loop (Python 3.11)
        raise FileProblem(f"cannot read file: {getattr(exc, 'strerror', None) or exc}") from None
    if not stat.S_ISREG(info.st_mode):
        raise FileProblem("not a regular file (a directory, device, FIFO or socket)")
    if info.st_size > max_bytes:
        raise FileProblem(f"the file has {info.st_size:,} bytes, more than the {max_bytes:,} allowed")
    try:
        with path.open("rb") as handle:
            # One byte more than stat said, so a file that grew while we looked is noticed
            # (and never read past the cap); read() allocates what it is asked for.
            data = handle.read(info.st_size + 1)
    except OSError as exc:
        raise FileProblem(f"cannot read file: {exc.strerror or exc}") from None
    if len(data) > info.st_size:
        raise FileProblem("the file changed while it was read")
    return data


def decode_utf8(data: bytes) -> str:
    """Text of a UTF-8 file (a UTF-8 BOM is dropped); FileProblem for any other encoding."""
    for bom, name in _UTF16_32_BOMS:
        if data.startswith(bom):
            raise FileProblem(
                f"the file is {name} (it starts with a {name} byte-order mark)", "save it as UTF-8"
            )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise FileProblem(
            f"not UTF-8: byte 0x{data[exc.start]:02x} at column {column} cannot be decoded",
            "save the file as UTF-8 (a latin-1 editor writes é as one byte 0xe9)",
            line,
        ) from None
    if "\0" in text:
        at = text.index("\0")
        raise FileProblem(
            "the file contains a NUL byte" + (" (it looks like UTF-16)" if text.count("\0") > 1 else ""),
            "save it as UTF-8 without NUL characters",
            text.count("\n", 0, at) + 1,
        )
    return text.removeprefix("\ufeff")


def read_text_checked(path: Path, max_bytes: int = MAX_FILE_BYTES) -> str:
    """read_bytes_checked then decode_utf8."""
    return decode_utf8(read_bytes_checked(path, max_bytes))
