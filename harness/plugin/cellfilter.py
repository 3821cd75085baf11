"""`--iam-cell EXPR`: which cells run, by principal, action, resource, scenario, expectation or tag.

An expression is KEY=GLOB terms separated by spaces (shell-style quoting for values with spaces);
a cell matches when every term matches, and the option may be repeated: a cell matching any of the
expressions runs. Globs know `*` (any run of characters) and `?` (one character), as IAM policies
do; every other character is literal, so `[`, `]` in scenario names need no escaping.

Action names are matched without regard to case, as IAM matches them ("the prefix and the action
name are case insensitive",
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html); every
other field is matched exactly as written.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from harness.cells import Cell


class CellFilterError(ValueError):
    """An --iam-cell expression that cannot be read; the message names the expression and the term."""


def _principal(cell: Cell) -> tuple[str, ...]:
    # The scenario's name for the principal, and the ARN or label reports show.
    return (cell.principal_label, cell.subject.label)


# Per key: the values of a cell a term is matched against (any one matching is enough).
_FIELDS: dict[str, Callable[[Cell], tuple[str, ...]]] = {
    "principal": _principal,
    "action": lambda c: (c.action,),
    "resource": lambda c: (c.resource,),
    "scenario": lambda c: (c.source.scenario,),
    "expect": lambda c: (c.expected.value,),
    "tag": lambda c: c.tags,
    "file": lambda c: (c.source.file,),
}


def glob_regex(pattern: str, ignore_case: bool) -> re.Pattern[str]:
    parts = (".*" if p == "*" else "." if p == "?" else re.escape(p) for p in re.split(r"([*?])", pattern))
    return re.compile("".join(parts), re.IGNORECASE | re.DOTALL if ignore_case else re.DOTALL)


@dataclass(frozen=True)
class Term:
    key: str
    pattern: re.Pattern[str]

    def matches(self, cell: Cell) -> bool:
        return any(self.pattern.fullmatch(value) for value in _FIELDS[self.key](cell) if value)


@dataclass(frozen=True)
class CellFilter:
    expressions: tuple[tuple[Term, ...], ...]
    texts: tuple[str, ...]  # as given, for the run's selection metadata

    @classmethod
    def parse(cls, expressions: Iterable[str]) -> CellFilter:
        texts = tuple(expressions)
        return cls(tuple(_parse_one(text) for text in texts), texts)

    def matches(self, cell: Cell) -> bool:
        return any(all(term.matches(cell) for term in terms) for terms in self.expressions)


def _parse_one(text: str) -> tuple[Term, ...]:
    try:
        words = shlex.split(text)
    except ValueError as exc:
        raise CellFilterError(f"{text!r}: {exc}") from None
    if not words:
        raise CellFilterError(f"{text!r} is empty; write KEY=GLOB terms, e.g. 'principal=alice'")
    within = f" (in {text!r})" if len(words) > 1 else ""
    terms = []
    for word in words:
        key, sep, value = word.partition("=")
        key = key.strip().lower()
        if not sep or key not in _FIELDS:
            raise CellFilterError(f"{word!r} is not KEY=GLOB with KEY one of {', '.join(_FIELDS)}{within}")
        if not value:
            raise CellFilterError(f"{key}= has no value (use {key}=* for any){within}")
        terms.append(Term(key, glob_regex(value, ignore_case=key == "action")))
    return tuple(terms)
