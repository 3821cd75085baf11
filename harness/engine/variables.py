"""IAM policy variables: `${key}` placeholders filled from the request context.

Rules, from "IAM policy elements: Variables and tags"
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html):

- `${key}` is replaced by the value of context key `key`; key names are
  case-insensitive like every condition key.
- `${*}`, `${?}` and `${$}` stand for a literal `*`, `?` and `$`, for when a
  policy needs those characters without their wildcard/variable meaning.
- `${key, 'default'}` uses `default` when the key has no value.
- A variable whose key has no value (and no default) makes the containing
  string unable to match anything: we return None and callers treat that value
  as "never matches".
- Variables are only recognised under policy Version "2012-10-17"; under
  "2008-10-17" (or no Version) the text is literal. Callers pass
  `variables=False` in that case (see `variables_enabled`).
- Multivalued context keys cannot serve as policy variables
  ("Single-valued vs. multivalued context keys", key points:
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html).
  We therefore treat a list-typed key, or any key carrying other than exactly
  one value, as having no value (the default applies if there is one).

Substituted values, defaults included, are inserted verbatim: in a glob
pattern they are literal, so a username containing `*` does not become a
wildcard. Only the policy's own text keeps glob meaning.
"""

from __future__ import annotations

import re

from harness.dataclass import dataclass
from harness.engine.context import RequestContext
from harness.engine.patterns import RegexCache, Segment, compile_source, glob_source

POLICY_VERSION_WITH_VARIABLES = "2012-10-17"

_SPECIALS = {"*": "*", "?": "?", "$": "$"}
# Where a variable's key ends: at its default (`,`) or at the closing `}`.
_KEY_END = re.compile("[,}]")
_NO_KEYS: frozenset[str] = frozenset()

# Part kinds inside a parsed template.
_GLOB = 0  # policy text: `*`/`?` are wildcards
_LITERAL = 1  # `${*}` and friends: literal characters
_VARIABLE = 2


def variables_enabled(policy_version: str | None) -> bool:
    """Variables are only substituted under Version 2012-10-17."""
    return policy_version == POLICY_VERSION_WITH_VARIABLES


# Not frozen: a policy's every Resource and condition value with `${` is parsed into
# parts, and a frozen dataclass sets each field through object.__setattr__, three times
# as slow. Nothing changes one once built (a Template may be shared through a cache).
@dataclass(slots=True)
class _Part:
    """One piece of a template: literal text or a `${...}` variable."""

    kind: int
    text: str  # literal text, or the variable's key lower-cased
    default: str | None = None
    written: str = ""  # the variable as written, for messages


def _parse_variable(text: str, start: int) -> tuple[_Part, int] | None:
    """Parse `${...}` at `start`; return the part and the index after `}`.

    None when the text at `start` is not a well-formed variable, in which case
    the `$` is ordinary text.
    """
    i = start + 2
    n = len(text)
    found = _KEY_END.search(text, i)
    if found is None:
        return None
    j = found.start()
    key = text[i:j].strip()
    if not key:
        return None
    default: str | None = None
    if text[j] == ",":
        k = j + 1
        while k < n and text[k] == " ":
            k += 1
        if k >= n or text[k] != "'":
            return None
        end_quote = text.find("'", k + 1)
        if end_quote < 0:
            return None
        default = text[k + 1 : end_quote]
        m = end_quote + 1
        while m < n and text[m] == " ":
            m += 1
        if m >= n or text[m] != "}":
            return None
        j = m
    written = text[start : j + 1]
    if key in _SPECIALS and default is None:
        return _Part(_LITERAL, _SPECIALS[key], written=written), j + 1
    return _Part(_VARIABLE, key.lower(), default, written), j + 1


class Template:
    """A policy string parsed once into glob text, literals and variables."""

    __slots__ = ("_parts", "has_variables", "text", "variable_keys")

    def __init__(self, text: str, *, variables: bool = True) -> None:
        self.text = text
        if not (variables and "${" in text):
            # Plain policy text (most values): one glob part, no parsing.
            self._parts = (_Part(_GLOB, text),) if text else ()
            self.has_variables = False
            self.variable_keys = _NO_KEYS
            return
        parts: list[_Part] = []
        keys: list[str] = []
        has_variables = False  # a well-formed `${...}` (a variable or a special)
        buf_start = 0
        i = text.find("${")
        while i >= 0:
            parsed = _parse_variable(text, i)
            if parsed is None:
                i = text.find("${", i + 1)
                continue
            part, after = parsed
            has_variables = True
            if i > buf_start:
                parts.append(_Part(_GLOB, text[buf_start:i]))
            parts.append(part)
            if part.kind == _VARIABLE:
                keys.append(part.text)
            buf_start = after
            i = text.find("${", after)
        if buf_start < len(text):
            parts.append(_Part(_GLOB, text[buf_start:]))
        self._parts = tuple(parts)
        self.has_variables = has_variables
        self.variable_keys = frozenset(keys) if keys else _NO_KEYS

    def segments(self, ctx: RequestContext | None) -> list[Segment] | None:
        """`(text, glob)` segments with variables filled in; None if one has no value."""
        out: list[Segment] = []
        for p in self._parts:
            if p.kind == _VARIABLE:
                value = _lookup(p.text, ctx)
                if value is None:
                    value = p.default
                if value is None:
                    return None
                out.append((value, False))
            else:
                out.append((p.text, p.kind == _GLOB))
        return out

    def substitute(self, ctx: RequestContext | None) -> str | None:
        if not self.has_variables:
            return self.text
        segs = self.segments(ctx)
        return None if segs is None else "".join(t for t, _ in segs)

    def regex_source(self, ctx: RequestContext | None, *, arn: bool = False) -> str | None:
        segs = self.segments(ctx)
        return None if segs is None else glob_source(segs, arn=arn)

    def unresolved(self, ctx: RequestContext | None) -> tuple[str, ...]:
        """Variables (as written) that have neither a value nor a default."""
        return tuple(
            p.written
            for p in self._parts
            if p.kind == _VARIABLE and p.default is None and _lookup(p.text, ctx) is None
        )


def _lookup(key: str, ctx: RequestContext | None) -> str | None:
    if ctx is None:
        return None
    cv = ctx.get(key)
    if cv is None or cv.multivalued or len(cv.values) != 1:
        return None
    return cv.values[0]


def has_variables(text: str) -> bool:
    """True when `text` holds at least one well-formed `${...}` (specials included)."""
    return "${" in text and Template(text).has_variables


def substitute(text: str, ctx: RequestContext) -> str | None:
    """`text` with variables filled in verbatim; None when one has no value."""
    return Template(text).substitute(ctx)


def pattern_regex(
    text: str,
    ctx: RequestContext | None,
    *,
    ignore_case: bool,
    variables: bool,
    cache: RegexCache | None = None,
) -> re.Pattern[str] | None:
    """Glob regex for `text` (use `.fullmatch`); None when a variable has no value.

    The policy's own `*`/`?` are wildcards; substituted values and `${*}`,
    `${?}`, `${$}` are literal. With `variables=False` (policy Version other
    than 2012-10-17) `${...}` is plain text.
    """
    source = Template(text, variables=variables).regex_source(ctx)
    if source is None:
        return None
    if cache is not None:
        return cache.compile(source, ignore_case=ignore_case)
    return compile_source(source, ignore_case=ignore_case)
