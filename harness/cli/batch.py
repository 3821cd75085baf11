"""`--cli-input-jsonl`: many simulator requests in one process, one response line per request.

Input: one AWS CLI request per line (the JSON of `--cli-input-json`), from a file
or standard input (`-`); blank lines are skipped. Output: for each request, in
order, one line of compact JSON with the fields `--cli-input-json` prints, or,
when that request fails, the AWS error shape
`{"Error": {"Code": "MalformedPolicyDocument", "Message": "..."}}`; the other
lines still run. Each failure is also reported on standard error with the file
and line, in the AWS CLI's wording. Exit code: 0 when every line ran, 2 when at
least one line failed or the file cannot be read (the AWS CLI exits non-zero
when a call fails; this project uses 2 for input errors, see harness/cli/main.py).
A line naming an action the catalog does not know is answered as AWS answers it, with a
warning on standard error naming file and line (once per name; harness/cli/action_names.py).

One Engine serves every line, so a policy or pattern repeated across requests is
compiled once; lines are read and answered one at a time (memory stays flat).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO, Any

import msgspec

from harness.cli.collector import collections_between_lines
from harness.cli.output import compact
from harness.dataclass import dataclass
from harness.engine import SimulationError
from harness.engine.errors import InvalidInput

_DECODER = msgspec.json.Decoder()

# One request line -> the response body; raises SimulationError for a request AWS would refuse.
Answer = Callable[[Any], dict[str, Any]]
# One request line -> warnings to print on standard error with the line's place (the answer stands).
Warn = Callable[[Any], list[str]]


@dataclass(frozen=True)
class BatchSummary:
    """How many request lines a batch answered and how many of them failed."""

    lines: int
    failed: int

    @property
    def exit_code(self) -> int:
        return 2 if self.failed else 0


# Request lines run to kilobytes (policies are JSON strings inside them): with the default
# 8 KiB buffer, reading a line of 4 KiB costs several refills and copies (on 4,000 such lines,
# 14 ms against 3 ms with this buffer). Memory stays flat: one buffer.
_READ_BUFFER = 1 << 16


def open_lines(path: str) -> tuple[Iterable[bytes], str]:
    """The request lines of PATH (`-`: standard input) and the name to report them under."""
    if path == "-":
        return sys.stdin.buffer, "<stdin>"
    try:
        handle = Path(path).open("rb", buffering=_READ_BUFFER)  # noqa: SIM115 (closed when the iteration ends)
    except OSError as exc:
        raise InvalidInput(f"cannot read {path}: {exc.strerror or exc}") from None
    return _closing(handle), path


def _closing(handle: IO[bytes]) -> Iterator[bytes]:
    with handle:
        yield from handle


def parse_line(raw: bytes) -> Any:
    """One request line (bytes, so that a line that is not UTF-8 fails alone)."""
    try:
        # msgspec reads valid JSON several times faster; anything it refuses (invalid
        # JSON, NaN, integers beyond 64 bits, deep nesting) goes to the json module,
        # which decides and words the error, so the result never depends on the fast path.
        # What msgspec accepts is UTF-8 (it checks the bytes of every string, and JSON
        # outside strings is ASCII), so only a refused line is decoded to text here.
        return _DECODER.decode(raw)
    except (msgspec.DecodeError, RecursionError):
        pass
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidInput(f"the line is not UTF-8 text ({exc.reason} at byte {exc.start + 1})") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidInput(f"invalid JSON at column {exc.colno}: {exc.msg}") from None
    except RecursionError:
        raise InvalidInput("invalid JSON: nested too deeply") from None


def error_body(exc: SimulationError) -> dict[str, Any]:
    return {"Error": {"Code": exc.code, "Message": exc.message}}


def run_lines(
    lines: Iterable[bytes],
    source: str,
    answer: Answer,
    operation: str,
    out: IO[bytes],
    err: IO[str],
    warn: Warn | None = None,
) -> BatchSummary:
    """Answer every non-blank line in order; a failing line becomes an error line."""
    with collections_between_lines() as line_answered:
        return _run(lines, source, answer, operation, out, err, line_answered, warn)


def _run(
    lines: Iterable[bytes],
    source: str,
    answer: Answer,
    operation: str,
    out: IO[bytes],
    err: IO[str],
    line_answered: Callable[[], None],
    warn: Warn | None = None,
) -> BatchSummary:
    count = failed = 0
    for number, raw in enumerate(lines, 1):
        if raw.isspace() or not raw:  # (as `not raw.strip()`, without copying the line)
            continue
        count += 1
        try:
            request = parse_line(raw)
            if warn is not None:
                for warning in warn(request):
                    print(f"{source}:{number}: {warning}", file=err)
            body = answer(request)
        except SimulationError as exc:
            failed += 1
            body = error_body(exc)
            print(
                f"{source}:{number}: An error occurred ({exc.code}) when calling the {operation} "
                f"operation: {exc.message}",
                file=err,
            )
        out.write(compact(body))
        line_answered()
    out.flush()
    return BatchSummary(count, failed)
