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
from collections.abc import Callable, Iterable
from enum import Enum
from typing import TypeVar

from harness.dataclass import dataclass
from harness.engine.bounded import drop_oldest

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
    return _tokens_source(_glob_tokens(list(segments), arn=arn))


# ---------------------------------------------------------------------------
# Tokens: one reading of a pattern, shared by the regex and the fast matchers
#
# A pattern is read once into tokens: literal text, `*` and `?`, each wildcard
# either free (may match a colon) or bounded (stays inside its ARN part). The
# regex source and the string-operation matchers below are both built from the
# tokens, so they cannot disagree on what a pattern means.

LIT, STAR, BOUNDED_STAR, ONE, BOUNDED_ONE = range(5)
_TOKEN_SOURCE = {STAR: ".*", BOUNDED_STAR: "[^:]*", ONE: ".", BOUNDED_ONE: "[^:]"}


@dataclass(frozen=True, slots=True)
class Tokens:
    """A pattern read into tokens, and the ArnLike rules on its shape."""

    items: tuple[tuple[int, str], ...]  # (kind, text); text only for LIT
    arn_shape: bool = False  # the value must have at least five colons (ArnLike)
    never: bool = False  # matches nothing (ArnLike pattern with one to four colons)


_GLOB_SPLIT = re.compile(r"([*?:])")
_COLON_SPLIT = re.compile(r"(:)")


def _atoms(segs: list[Segment]) -> list[tuple[str, str]]:
    """The pattern as runs of literal text ("lit") and single `:`, `*`, `?` characters.

    `*` and `?` of a literal segment (a substituted value, `${*}`) stay literal text.
    """
    out: list[tuple[str, str]] = []
    for text, is_glob in segs:
        for piece in (_GLOB_SPLIT if is_glob else _COLON_SPLIT).split(text):
            if not piece:
                continue
            if piece == ":" or (is_glob and piece in ("*", "?")):
                out.append((piece, piece))
            else:
                out.append(("lit", piece))
    return out


def _glob_tokens(segs: list[Segment], *, arn: bool) -> Tokens:
    atoms = _atoms(segs)
    colons_in_pattern = sum(1 for kind, _ in atoms if kind == ":")
    if arn and 0 < colons_in_pattern < _ARN_PARTS - 1:
        return Tokens((), arn_shape=True, never=True)
    per_part = arn and colons_in_pattern >= _ARN_PARTS - 1
    out: list[tuple[int, str]] = []
    colons = 0
    for kind, text in atoms:
        bounded = per_part and colons < _ARN_PARTS - 1
        if kind == ":":
            colons += 1
            out.append((LIT, ":"))
        elif kind == "*":
            out.append((BOUNDED_STAR if bounded else STAR, ""))
        elif kind == "?":
            out.append((BOUNDED_ONE if bounded else ONE, ""))
        else:
            out.append((LIT, text))
    return Tokens(_merge(out), arn_shape=arn)


def resource_tokens(segs: list[Segment]) -> Tokens:
    """A Resource / NotResource pattern (the rule is quoted in policy.py `ResourceMatcher`):
    a `*` or `?` inside one of the first five parts stays in it, a `*` that ends
    a part and every wildcard of the resource part run freely."""
    atoms = _atoms(segs)
    out: list[tuple[int, str]] = []
    colons = 0
    for idx, (kind, text) in enumerate(atoms):
        bounded = colons < _ARN_PARTS - 1
        if kind == ":":
            colons += 1
            out.append((LIT, ":"))
        elif kind == "*":
            # The character after the `*`, whatever segment it comes from.
            nxt = atoms[idx + 1][1][0] if idx + 1 < len(atoms) else ""
            out.append((BOUNDED_STAR if bounded and nxt not in (":", "") else STAR, ""))
        elif kind == "?":
            out.append((BOUNDED_ONE if bounded else ONE, ""))
        else:
            out.append((LIT, text))
    return Tokens(_merge(out))


def action_tokens(pattern_lower: str) -> Tokens:
    """An Action / NotAction value, already lower-cased: `*` and `?` run freely."""
    out: list[tuple[int, str]] = []
    for kind, text in _atoms([(pattern_lower, True)]):
        out.append((STAR, "") if kind == "*" else (ONE, "") if kind == "?" else (LIT, text))
    return Tokens(_merge(out))


def _merge(items: list[tuple[int, str]]) -> tuple[tuple[int, str], ...]:
    out: list[tuple[int, str]] = []
    run: list[str] = []
    for kind, text in items:
        if kind == LIT:
            run.append(text)
            continue
        if run:
            out.append((LIT, "".join(run)))
            run = []
        out.append((kind, text))
    if run:
        out.append((LIT, "".join(run)))
    return tuple(out)


def _tokens_source(tokens: Tokens) -> str:
    if tokens.never:
        return _NEVER
    body = "".join(re.escape(text) if kind == LIT else _TOKEN_SOURCE[kind] for kind, text in tokens.items)
    return _ARN_SHAPE + body if tokens.arn_shape else body


# ---------------------------------------------------------------------------
# Fast matchers: string operations instead of a regex
#
# A pattern whose wildcards are free `*` and `?` is a run of pieces between the
# stars; each piece has a fixed width (a `?` stands for one character). A value
# matches `p0*p1*...*pn` when p0 fits at its start, pn at its end, and p1..pn-1
# fit in order in between, each at its leftmost place: a fixed-width piece
# placed further left never leaves less room for the ones after it. An ARN
# pattern whose wildcards before the fifth colon are all bounded is matched
# part by part on the value split at its first five colons (within a part a
# bounded wildcard is a free one: the part holds no colon). Only a free `*`
# inside the first five parts next to a bounded wildcard takes a regex,
# compiled once per source and kept by the PatternCache; a regex costs far more
# to compile than the string operations cost to run, and most patterns are read
# for a handful of values.

Match = Callable[[str], bool]

_ONE = None  # in a piece: one character of any kind


def _never(value: str) -> bool:
    return False


def _always(value: str) -> bool:
    return True


def _star_glob(pieces: tuple[str, ...]) -> Match:
    """Matcher for literal pieces separated by free `*` (one piece: exact text)."""
    if len(pieces) == 1:
        text = pieces[0]
        return text.__eq__
    first, last, middle = pieces[0], pieces[-1], pieces[1:-1]
    if not first and not last and not any(middle):
        return _always
    if not middle:
        if not last:
            return lambda v: v.startswith(first)
        if not first:
            return lambda v: v.endswith(last)
        least = len(first) + len(last)
        return lambda v: len(v) >= least and v.startswith(first) and v.endswith(last)
    least = sum(map(len, pieces))
    head, tail = len(first), len(last)

    def match(v: str) -> bool:
        if len(v) < least or not v.startswith(first) or not v.endswith(last):
            return False
        pos, end = head, len(v) - tail
        for piece in middle:
            found = v.find(piece, pos, end)
            if found < 0:
                return False
            pos = found + len(piece)
        return True

    return match


@dataclass(frozen=True, slots=True)
class _Piece:
    """A fixed-width piece holding `?`: its width and its literal runs (offset, text)."""

    width: int
    runs: tuple[tuple[int, str], ...]

    @classmethod
    def of(cls, chars: list[str | None]) -> _Piece:
        runs: list[tuple[int, str]] = []
        start, text = 0, ""
        for offset, ch in enumerate(chars):
            if ch is _ONE:
                if text:
                    runs.append((start, text))
                text = ""
                start = offset + 1
            else:
                text += ch
        if text:
            runs.append((start, text))
        return cls(len(chars), tuple(runs))

    @classmethod
    def of_text(cls, text: str) -> _Piece:
        """`of` for a piece written as text, each `?` a wildcard."""
        runs: list[tuple[int, str]] = []
        offset = 0
        for chunk in text.split("?"):
            if chunk:
                runs.append((offset, chunk))
            offset += len(chunk) + 1
        return cls(len(text), tuple(runs))

    def at(self, v: str, pos: int) -> bool:
        """Whether the piece fits at `pos` (the caller has checked that `width` characters remain)."""
        for offset, text in self.runs:  # noqa: SIM110 (hot path: no generator)
            if not v.startswith(text, pos + offset):
                return False
        return True

    def find(self, v: str, pos: int, end: int) -> int:
        """The leftmost place from `pos` where the piece fits before `end`, or -1."""
        last = end - self.width
        if not self.runs:
            return pos if pos <= last else -1
        offset, text = self.runs[0]
        while pos <= last:
            found = v.find(text, pos + offset, last + offset + len(text))
            if found < 0:
                return -1
            start = found - offset
            if self.at(v, start):
                return start
            pos = start + 1
        return -1


def _wild_glob(pieces: tuple[_Piece, ...]) -> Match:
    """Matcher for fixed-width pieces (some holding `?`) separated by free `*`."""
    first, last = pieces[0], pieces[-1]
    if len(pieces) == 1:
        return lambda v: len(v) == first.width and first.at(v, 0)
    middle = pieces[1:-1]
    least = sum(p.width for p in pieces)

    def match(v: str) -> bool:
        n = len(v)
        if n < least or not first.at(v, 0) or not last.at(v, n - last.width):
            return False
        pos, end = first.width, n - last.width
        for piece in middle:
            found = piece.find(v, pos, end)
            if found < 0:
                return False
            pos = found + piece.width
        return True

    return match


def _pieces(
    items: tuple[tuple[int, str], ...], star_kinds: frozenset[int], one_kinds: frozenset[int]
) -> list[list[str | None]] | None:
    """The characters between stars (`_ONE` for a `?`), or None when a token is of another kind."""
    pieces: list[list[str | None]] = [[]]
    for kind, text in items:
        if kind == LIT:
            pieces[-1].extend(text)
        elif kind in star_kinds:
            pieces.append([])
        elif kind in one_kinds:
            pieces[-1].append(_ONE)
        else:
            return None
    return pieces


def _glob_of(pieces: list[list[str | None]]) -> Match:
    if any(_ONE in piece for piece in pieces):
        return _wild_glob(tuple(_Piece.of(piece) for piece in pieces))
    return _star_glob(tuple("".join(piece) for piece in pieces))  # type: ignore[arg-type]


_FREE = frozenset({STAR})
_FREE_ONE = frozenset({ONE})
_BOUNDED = frozenset({BOUNDED_STAR})
_BOUNDED_ONE = frozenset({BOUNDED_ONE})


def _by_parts(items: tuple[tuple[int, str], ...]) -> Match | None:
    """Part-by-part matcher: bounded wildcards only in the first five parts, free ones only after."""
    parts: list[list[tuple[int, str]]] = [[]]
    for kind, text in items:
        if kind != LIT or len(parts) == _ARN_PARTS:
            parts[-1].append((kind, text))
            continue
        chunks = text.split(":")
        for i, chunk in enumerate(chunks):
            if i:
                if len(parts) < _ARN_PARTS:
                    parts.append([])
                else:  # colons of the resource part are literal text of it
                    parts[-1].append((LIT, ":"))
            if chunk:
                parts[-1].append((LIT, chunk))
    if len(parts) != _ARN_PARTS:
        return None
    matchers: list[Match] = []
    for i, part in enumerate(parts):
        inner = i < _ARN_PARTS - 1
        pieces = _pieces(tuple(part), _BOUNDED if inner else _FREE, _BOUNDED_ONE if inner else _FREE_ONE)
        if pieces is None:
            return None
        matchers.append(_glob_of(pieces))
    checks = tuple(matchers)

    def match(v: str) -> bool:
        values = v.split(":", _ARN_PARTS - 1)
        if len(values) != _ARN_PARTS:
            return False
        for check, value in zip(checks, values, strict=True):  # noqa: SIM110 (hot path: no generator)
            if not check(value):
                return False
        return True

    return match


def fast_matcher(tokens: Tokens) -> Match | None:
    """A matcher without regex for the common shapes, or None (use the regex)."""
    if tokens.never:
        return _never
    pieces = _pieces(tokens.items, _FREE, _FREE_ONE)
    if pieces is not None:
        glob = _glob_of(pieces)
        if not tokens.arn_shape:
            return glob
        return lambda v: v.count(":") >= _ARN_PARTS - 1 and glob(v)
    return _by_parts(tokens.items)


def compile_tokens(tokens: Tokens) -> Match:
    """A matcher for the tokens: the fast one where it exists, else a full-match regex."""
    found = fast_matcher(tokens)
    if found is not None:
        return found
    fullmatch = compile_source(_tokens_source(tokens), ignore_case=False).fullmatch
    return lambda v: fullmatch(v) is not None


class PatternFlavor(Enum):
    """Which wildcard rules a pattern follows (see the token readers above)."""

    # Members are singletons compared by identity: hash them by identity too (C speed,
    # where Enum's own __hash__ is Python code on the cache's hot path).
    __hash__ = object.__hash__

    ACTION = "action"
    RESOURCE = "resource"
    STRING_LIKE = "string-like"
    ARN_LIKE = "arn-like"


_ABSENT = object()
T = TypeVar("T")


class PatternCache:
    """Compiled pattern matchers keyed by flavor and source, owned by an Engine (bounded).

    Accounts repeat the same patterns (AWS managed policies, `arn:aws:s3:::*`,
    `arn:aws:iam::*:role/...`), so each is read and compiled once per engine.
    """

    __slots__ = ("_items", "_limit", "_parsed")

    def __init__(self, limit: int = 16_384) -> None:
        self._items: dict[tuple[PatternFlavor, tuple[Segment, ...]], Match] = {}
        self._limit = limit
        # Other policy values read once per engine (e.g. CIDR ranges), keyed by reader and text.
        self._parsed: dict[tuple[Callable[[str], object], str], object] = {}

    def parsed(self, read: Callable[[str], T], text: str) -> T:
        """`read(text)`, once per engine; an exception from `read` is raised and not kept."""
        key = (read, text)
        found = self._parsed.get(key, _ABSENT)
        if found is _ABSENT:
            if len(self._parsed) >= self._limit:
                drop_oldest(self._parsed, self._limit)
            found = self._parsed[key] = read(text)
        return found  # type: ignore[return-value]

    def matcher(self, flavor: PatternFlavor, segments: tuple[Segment, ...]) -> Match:
        key = (flavor, segments)
        found = self._items.get(key)
        if found is None:
            if len(self._items) >= self._limit:
                drop_oldest(self._items, self._limit)
            single = len(segments) == 1 and segments[0][1]
            quick = _free_pieces(flavor, segments[0][0]) if single else None
            if quick is None:
                found = compile_tokens(_read(flavor, segments))
            elif "?" in segments[0][0]:
                found = _wild_glob(tuple(map(_Piece.of_text, quick)))
            else:
                found = _star_glob(quick)
            self._items[key] = found
        return found

    def pattern(self, flavor: PatternFlavor, text: str) -> Match:
        """Matcher for policy text whose `*` and `?` are all wildcards (no policy variables)."""
        return self.matcher(flavor, ((text, True),))

    def __len__(self) -> int:
        return len(self._items)


# A part of a Resource pattern whose wildcards are free: literal text, then perhaps a `*`
# that ends the part (possessive: the part is read once, without backtracking).
_FREE_PART = r"[^:*?]*+\*?+"
# A Resource pattern whose first five parts hold only free wildcards (all its parts, when
# it has fewer than six): any other `*`, and any `?`, there stays inside its part.
_FREE_HEAD = re.compile(rf"(?:{_FREE_PART}:){{5}}|(?:{_FREE_PART}:){{0,4}}+{_FREE_PART}\Z")


def _free_pieces(flavor: PatternFlavor, text: str) -> tuple[str, ...] | None:
    """The pieces between the stars of a pattern whose wildcards are all free, else None.

    Most patterns are of this shape (`arn:aws:s3:::bucket/*`, `arn:aws:sqs:*:111122223333:q-*`,
    `s3:Get*`, `arn:aws:iam::111122223333:role/svc-?1`), and reading them takes a split
    instead of the token readers above (a `?` stays in its piece: see `_Piece.of_text`).
    What makes a wildcard free is the token readers' rule, in short: always in an Action
    or a StringLike value; in a Resource, one after the fifth colon or a `*` that ends its
    part. ArnLike patterns take the token readers.
    """
    if flavor is PatternFlavor.ARN_LIKE:
        return None
    if flavor is PatternFlavor.RESOURCE and _FREE_HEAD.match(text) is None:
        return None
    return tuple(text.split("*"))


def _read(flavor: PatternFlavor, segments: tuple[Segment, ...]) -> Tokens:
    segs = list(segments)
    if flavor is PatternFlavor.ACTION:
        return action_tokens("".join(text for text, _ in segs))
    if flavor is PatternFlavor.RESOURCE:
        return resource_tokens(segs)
    return _glob_tokens(segs, arn=flavor is PatternFlavor.ARN_LIKE)


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
