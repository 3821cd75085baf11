"""Glob and ARN pattern matching as IAM policies use it.

IAM wildcards (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_String):
`*` matches any run of characters, including none; `?` matches exactly one
character; every other character stands for itself. A pattern must match the
whole value, not a part of it.

ArnLike / ArnEquals (same page, #Conditions_ARN): each of the six
colon-delimited parts of an ARN (`arn:partition:service:region:account:resource`)
is matched on its own, so a wildcard in the region cannot swallow a colon; the
last part, the resource, may itself contain colons and is matched as a whole.

Patterns are described as segments `(text, glob)`: in a segment with
`glob=True` the characters `*` and `?` are wildcards, in one with `glob=False`
everything is literal. Policy variables use this to keep substituted values
literal while the policy's own text keeps its wildcards (see variables.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# An ARN has six parts, hence at least five colons.
_ARN_PARTS = 6
_ARN_SHAPE = "(?=(?:[^:]*:){5})"
_NEVER = "(?!)"

Segment = tuple[str, bool]


def glob_source(segments: Iterable[Segment], *, arn: bool = False) -> str:
    """Regex source (without anchors) for glob segments.

    With `arn=True` the pattern is matched part by part: wildcards before the
    fifth colon stay inside their part, and the value must be ARN-shaped (six
    parts). AWS does not document patterns with fewer than six parts; we read
    a pattern without any colon (typically `*`, as in the common
    `"ArnLike": {"aws:SourceArn": "*"}`) as a whole-string glob over an
    ARN-shaped value, and a pattern with one to four colons as matching
    nothing, since its parts cannot line up with an ARN's.
    """
    segs = list(segments)
    colons_in_pattern = sum(text.count(":") for text, _ in segs)
    if arn and 0 < colons_in_pattern < _ARN_PARTS - 1:
        return _NEVER
    per_part = arn and colons_in_pattern >= _ARN_PARTS - 1
    out: list[str] = [_ARN_SHAPE] if arn else []
    colons = 0
    for text, is_glob in segs:
        for ch in text:
            bounded = per_part and colons < _ARN_PARTS - 1
            if ch == ":":
                colons += 1
                out.append(":")
            elif is_glob and ch == "*":
                out.append("[^:]*" if bounded else ".*")
            elif is_glob and ch == "?":
                out.append("[^:]" if bounded else ".")
            else:
                out.append(re.escape(ch))
    return "".join(out)


def compile_source(source: str, *, ignore_case: bool) -> re.Pattern[str]:
    flags = re.DOTALL | (re.IGNORECASE if ignore_case else 0)
    return re.compile(source, flags)


def glob_regex(pattern: str, *, ignore_case: bool) -> re.Pattern[str]:
    """Compiled glob; use `.fullmatch(value)`. `*`/`?` are wildcards, the rest literal.

    Not cached here (no module state); `re` keeps its own small compile cache,
    and callers that compile per request should hold a RegexCache.
    """
    return compile_source(glob_source([(pattern, True)]), ignore_case=ignore_case)


def arn_regex(pattern: str) -> re.Pattern[str]:
    """Compiled ArnLike pattern (case-sensitive); use `.fullmatch(value)`."""
    return compile_source(glob_source([(pattern, True)], arn=True), ignore_case=False)


def arn_like(pattern: str, value: str) -> bool:
    """ArnLike semantics: part-by-part glob; a value that is not an ARN never matches."""
    return arn_regex(pattern).fullmatch(value) is not None


def is_glob_free(text: str) -> bool:
    return "*" not in text and "?" not in text


class RegexCache:
    """A small bounded cache of compiled patterns, owned by whoever needs it.

    Used where a pattern depends on the request (policy variables), so the
    same substituted pattern is not recompiled on every evaluation.
    """

    __slots__ = ("_items", "_limit")

    def __init__(self, limit: int = 256) -> None:
        self._items: dict[tuple[str, bool], re.Pattern[str]] = {}
        self._limit = limit

    def compile(self, source: str, *, ignore_case: bool) -> re.Pattern[str]:
        key = (source, ignore_case)
        found = self._items.get(key)
        if found is None:
            if len(self._items) >= self._limit:
                self._items.clear()
            found = compile_source(source, ignore_case=ignore_case)
            self._items[key] = found
        return found

    def glob(self, pattern: str, *, ignore_case: bool) -> re.Pattern[str]:
        return self.compile(glob_source([(pattern, True)]), ignore_case=ignore_case)

    def __len__(self) -> int:
        return len(self._items)
