"""JSON output of the simulate commands, encoded with msgspec.

`pretty` gives exactly the bytes of `json.dump(body, indent=4)` (Python's default
`ensure_ascii=True`, separators `,` and `: `), about five times faster on a
10,000-cell response: msgspec encodes and indents, and the few characters the json
module escapes and msgspec writes as UTF-8 (DEL and everything beyond ASCII) are
escaped the same way afterwards; they can only occur inside strings. Bodies hold
strings, integers, booleans, None, lists and dicts (the API's response shapes have
no floating-point numbers, whose exponent msgspec writes differently). A body
msgspec cannot encode (a string with a lone surrogate) goes through the json
module instead, so the output never changes.

`compact` is one line per response for `--cli-input-jsonl`: no spaces, UTF-8.
"""

from __future__ import annotations

import json
import re
from typing import Any

import msgspec

_ENCODER = msgspec.json.Encoder()
# What json's ensure_ascii escapes beyond what msgspec escapes: DEL and non-ASCII.
# (Written as a negated class: the range up to U+10FFFF takes ~100x longer to compile.)
_NOT_ASCII = re.compile("[^\x00-\x7e]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x10000:
        return f"\\u{code:04x}"
    code -= 0x10000
    return f"\\u{0xD800 | (code >> 10):04x}\\u{0xDC00 | (code & 0x3FF):04x}"


def pretty(body: Any) -> bytes:
    """Bytes identical to `json.dumps(body, indent=4)` encoded as ASCII, plus a newline."""
    try:
        raw = msgspec.json.format(_ENCODER.encode(body), indent=4)
    except (TypeError, UnicodeEncodeError, OverflowError):
        return (json.dumps(body, indent=4) + "\n").encode("ascii")
    if raw.isascii() and b"\x7f" not in raw:
        return raw + b"\n"
    return _NOT_ASCII.sub(_escape, raw.decode("utf-8")).encode("ascii") + b"\n"


def compact(body: Any) -> bytes:
    """One line of compact JSON (UTF-8), newline included."""
    try:
        return _ENCODER.encode(body) + b"\n"
    except (TypeError, UnicodeEncodeError, OverflowError):
        return (json.dumps(body, separators=(",", ":")) + "\n").encode("ascii")
