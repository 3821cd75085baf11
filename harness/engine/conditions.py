"""The Condition element: operators, set qualifiers, IfExists and Null.

A Condition block is compiled once (operators resolved, policy values parsed)
and then evaluated against many request contexts.

Documented rules this module implements (IAM User Guide):

- Condition operators: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
- Several operators, keys and values:
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-logic-multiple-context-keys-or-values.html
  Operators in one Condition are ANDed; keys under one operator are ANDed;
  several values for one key are ORed; under a negated operator
  (StringNotEquals, NumericNotEquals, DateNotEquals, NotIpAddress,
  ArnNotEquals, ArnNotLike, ...) they are NORed: the key must match none.
- Set qualifiers: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html
  and the examples page
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition_examples-multi-valued-context-keys.html
- Condition key names are case-insensitive, values are case-sensitive unless
  the operator says IgnoreCase:
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition.html
- Missing key (operators page, "Important" box): a positive operator is
  false, a negated one (StringNotLike, ArnNotLike, ...) is true; `...IfExists`
  is true, except under ForAnyValue, which is false for an absent key with or
  without IfExists (a live test, see `holds`); Null tests presence itself.
- A context value that is not an ARN under ArnNotEquals/ArnNotLike (a reading:
  the docs do not say): it matches no ARN pattern, so the negated operator,
  defined as "negated matching", is true. A Deny carve-out such as
  `ArnNotLike aws:PrincipalArn` then still denies when the value is garbage
  (often a `${..., 'default'}` fallback), rather than silently stop denying.
- A multivalued key without ForAllValues/ForAnyValue is not documented beyond
  "multivalued context keys require a condition set operator" (single- vs
  multivalued page). We read a positive operator as "some value matches" and
  a negated one as its negation, "no value matches"; for one value both are
  the plain comparison.
- A policy variable with no value (policy variables page: the statement may
  be invalid): a positive operator never matches it, and a negated operator
  whose values hold such a variable fails, so an Allow cannot grant because a
  value was missing.
- Operator names are case-sensitive: IAM rejects `stringEquals` with
  "MalformedPolicyDocument: Invalid Condition type" (observed in
  ministryofjustice/modernisation-platform-environments PR #8893), so an
  operator spelled with other capitals is an unknown operator here.
"""

from __future__ import annotations

import binascii
import ipaddress
import operator as op
import re
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation

from harness.dataclass import dataclass
from harness.engine.context import RequestContext
from harness.engine.errors import MalformedPolicyDocument
from harness.engine.patterns import Match, PatternCache, PatternFlavor
from harness.engine.variables import Template, variables_enabled

# ---------------------------------------------------------------------------
# Public result types


class ConditionFailure:
    """One clause that failed; `message` (one human line: why it did not match) is
    written on first read, since most failures are never shown (a deny decided
    elsewhere, the same request evaluated again with the context a service adds)."""

    __slots__ = ("_clause", "_ctx", "_message", "context_values", "key", "operator", "policy_values")

    def __init__(self, clause: _Clause, ctx: RequestContext, context_values: tuple[str, ...] | None) -> None:
        self.operator = clause.operator  # as written, e.g. "ForAllValues:StringLike"
        self.key = clause.key  # as written
        self.policy_values = clause.policy_values
        self.context_values = context_values  # None when the key was absent
        self._clause = clause
        self._ctx = ctx
        self._message: str | None = None

    @property
    def message(self) -> str:
        if self._message is None:
            self._message = self._clause._message(self._ctx, self.context_values)
        return self._message


# Not frozen: one is built for every evaluation that fails (most statements a request
# reaches, in a deny-heavy account), and a frozen dataclass sets each field through
# object.__setattr__. Nothing changes one once built.
@dataclass(slots=True)
class ConditionOutcome:
    """Whether a Condition block matched, the clauses that failed and the keys they missed."""

    matched: bool
    failures: tuple[ConditionFailure, ...]  # every clause that failed (empty when matched)
    # Keys (as written in the policy) that were absent from the request in a
    # clause that failed because of that absence. This is what the simulator
    # reports as MissingContextValues: keys the policy needed but did not get.
    missing_keys: tuple[str, ...]


MATCHED = ConditionOutcome(True, (), ())


# ---------------------------------------------------------------------------
# Value matchers
#
# A matcher answers, for one context value, "does it match at least one of the
# policy values?" in the operator's positive sense (StringNotEquals uses the
# StringEquals matcher and inverts it). It returns None when the context value
# cannot be read as the operator's type (e.g. "abc" for NumericLessThan): that
# value then satisfies neither the operator nor its negation.

Matcher = Callable[[str, RequestContext], "bool | None"]
# Builds an operator's matcher from its policy values (whether they may hold policy
# variables; the engine's caches of patterns and parsed values).
MatcherBuilder = Callable[[list[object], bool, PatternCache], Matcher]


class _Malformed(Exception):
    """A policy value the operator cannot use; turned into MalformedPolicyDocument."""


def _template(text: str) -> Template:
    """A policy value that may hold policy variables, parsed; read through the engine's
    cache (`PatternCache.parsed`), so a value accounts repeat is parsed once."""
    return Template(text, variables=True)


def _as_text(raw: object) -> str:
    if isinstance(raw, bool):
        return "true" if raw else "false"
    if isinstance(raw, (int, float)):
        return str(raw)
    if isinstance(raw, str):
        return raw
    raise _Malformed(f"value {raw!r} is not a string, number or boolean")


# --- String ----------------------------------------------------------------


def _string_equals(
    values: list[object], variables: bool, patterns: PatternCache, ignore_case: bool
) -> Matcher:
    static: set[str] = set()
    dynamic: list[Template] = []
    for raw in values:
        text = _as_text(raw)
        if variables and "${" in text and (t := patterns.parsed(_template, text)).has_variables:
            dynamic.append(t)
        else:
            static.add(text.lower() if ignore_case else text)
    frozen = frozenset(static)

    if not dynamic:
        if ignore_case:
            return lambda v, ctx: v.lower() in frozen
        return lambda v, ctx: v in frozen

    def match(v: str, ctx: RequestContext) -> bool:
        probe = v.lower() if ignore_case else v
        if probe in frozen:
            return True
        for t in dynamic:
            s = t.substitute(ctx)
            if s is not None and (s.lower() if ignore_case else s) == probe:
                return True
        return False

    return match


def _glob_matcher(values: list[object], variables: bool, *, arn: bool, patterns: PatternCache) -> Matcher:
    """StringLike and ArnLike: one matcher per value, from the engine's pattern cache."""
    flavor = PatternFlavor.ARN_LIKE if arn else PatternFlavor.STRING_LIKE
    static: list[Match] = []
    dynamic: list[Template] = []
    for raw in values:
        text = _as_text(raw)
        if variables and "${" in text and (t := patterns.parsed(_template, text)).has_variables:
            dynamic.append(t)
        else:
            static.append(patterns.pattern(flavor, text))
    checks = tuple(static)
    if not dynamic:
        if not checks:
            return lambda v, ctx: False
        if len(checks) == 1:
            only = checks[0]
            return lambda v, ctx: only(v)

        def match_static(v: str, ctx: RequestContext) -> bool:
            for check in checks:  # noqa: SIM110 (hot path: no generator)
                if check(v):
                    return True
            return False

        return match_static

    def match(v: str, ctx: RequestContext) -> bool:
        for check in checks:
            if check(v):
                return True
        for t in dynamic:
            segs = t.segments(ctx)
            if segs is not None and patterns.matcher(flavor, tuple(segs))(v):
                return True
        return False

    return match


# --- Numeric ---------------------------------------------------------------


# Plain decimal notation only: Decimal() alone would also take "1_000",
# "NaN", "Infinity" and non-ASCII digits.
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


def _parse_number(text: str) -> Decimal | None:
    s = text.strip()
    if not _NUMBER.fullmatch(s):
        return None
    try:
        return Decimal(s)
    except (InvalidOperation, ValueError):
        return None


def _numeric(compare: Callable[[Decimal, Decimal], bool]) -> MatcherBuilder:
    def build(values: list[object], variables: bool, patterns: PatternCache) -> Matcher:
        parsed: list[Decimal] = []
        for raw in values:
            if isinstance(raw, bool):
                raise _Malformed(f"value {raw!r} is not a number")
            d = _parse_number(_as_text(raw))
            if d is None:
                raise _Malformed(f"value {raw!r} is not a number")
            parsed.append(d)

        def match(v: str, ctx: RequestContext) -> bool | None:
            d = _parse_number(v)
            if d is None:
                return None
            return any(compare(d, p) for p in parsed)

        return match

    return build


# --- Date ------------------------------------------------------------------
# Dates are ISO 8601 (date only, or date and time with optional fraction and
# offset; no offset means UTC) or epoch seconds, on both sides. A string of
# digits is read as epoch seconds, so "20200101" is a moment in 1970, not
# 1 January 2020.

_EPOCH = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")


def _parse_date(text: str) -> float | None:
    s = text.strip()
    if _EPOCH.fullmatch(s):
        return float(s)
    try:
        dt = datetime.fromisoformat(s)
    except ValueError:
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.timestamp()


def _date(compare: Callable[[float, float], bool]) -> MatcherBuilder:
    def build(values: list[object], variables: bool, patterns: PatternCache) -> Matcher:
        parsed: list[float] = []
        for raw in values:
            t = _parse_date(_as_text(raw)) if not isinstance(raw, bool) else None
            if t is None:
                raise _Malformed(f"value {raw!r} is not an ISO 8601 date or epoch seconds")
            parsed.append(t)

        def match(v: str, ctx: RequestContext) -> bool | None:
            t = _parse_date(v)
            if t is None:
                return None
            return any(compare(t, p) for p in parsed)

        return match

    return build


# --- Bool ------------------------------------------------------------------
# Policy values may be JSON booleans or the strings "true"/"false" in any case.


def _parse_bool(raw: object) -> bool | None:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, str):
        low = raw.strip().lower()
        if low == "true":
            return True
        if low == "false":
            return False
    return None


def _bool(values: list[object], variables: bool, patterns: PatternCache) -> Matcher:
    static: set[bool] = set()
    dynamic: list[Template] = []
    for raw in values:
        if (
            variables
            and isinstance(raw, str)
            and "${" in raw
            and (t := patterns.parsed(_template, raw)).has_variables
        ):
            dynamic.append(t)
            continue
        b = _parse_bool(raw)
        if b is None:
            raise _Malformed(f"value {raw!r} is not true or false")
        static.add(b)

    def match(v: str, ctx: RequestContext) -> bool | None:
        b = _parse_bool(v)
        if b is None:
            return None
        if b in static:
            return True
        for t in dynamic:
            s = t.substitute(ctx)
            if s is not None and _parse_bool(s) is b:
                return True
        return False

    return match


# --- Binary ----------------------------------------------------------------
# BinaryEquals compares base64-encoded values byte for byte after decoding.


def _decode_b64(text: str) -> bytes | None:
    try:
        import base64  # rare operator: loaded on first use, not by every CLI run

        return base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        return None


def _binary(values: list[object], variables: bool, patterns: PatternCache) -> Matcher:
    parsed: set[bytes] = set()
    for raw in values:
        if not isinstance(raw, str) or (b := _decode_b64(raw)) is None:
            raise _Malformed(f"value {raw!r} is not base64")
        parsed.add(b)

    def match(v: str, ctx: RequestContext) -> bool | None:
        b = _decode_b64(v)
        if b is None:
            return None
        return b in parsed

    return match


# --- IP address ------------------------------------------------------------
# IPv4 or IPv6, CIDR or a single address; a value of one IP version never
# matches a range of the other.

_Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def _network(text: str) -> _Network:
    return ipaddress.ip_network(text, strict=False)


def _ip(values: list[object], variables: bool, patterns: PatternCache) -> Matcher:
    nets: list[_Network] = []
    for raw in values:
        text = _as_text(raw).strip()
        try:
            # Accounts repeat their ranges across policies: each is read once per engine.
            nets.append(patterns.parsed(_network, text))
        except ValueError:
            raise _Malformed(f"value {raw!r} is not an IP address or CIDR range") from None

    def match(v: str, ctx: RequestContext) -> bool | None:
        text = v.strip()
        try:
            addr = ipaddress.ip_address(text)
        except ValueError:
            try:
                net = ipaddress.ip_network(text, strict=False)
            except ValueError:
                return None
            return any(net.version == n.version and net.subnet_of(n) for n in nets)  # type: ignore[arg-type]
        return any(addr in n for n in nets)

    return match


# --- ARN -------------------------------------------------------------------
# ArnEquals and ArnLike behave the same: part-by-part, case-sensitive, with
# `*`/`?` wildcards inside a part (patterns.py); built by `_glob_matcher`.


# ---------------------------------------------------------------------------
# Operator table: base name -> (matcher builder, negated, value kind for messages)


@dataclass(frozen=True)
class _OperatorSpec:
    """How a condition operator (its base name) is built and checked."""

    build: MatcherBuilder | None  # None: glob and IP operators
    negated: bool
    kind: str  # what a context value must be, for type-error messages
    glob: PatternFlavor | None = None  # StringLike / ArnLike: built from the engine's pattern cache
    text_only: bool = False  # values are compared as text: nothing to parse when checking


def _glob_spec(negated: bool, kind: str, flavor: PatternFlavor) -> _OperatorSpec:
    return _OperatorSpec(None, negated, kind, flavor, text_only=True)


def _string_spec(ignore_case: bool, negated: bool) -> _OperatorSpec:
    return _OperatorSpec(
        lambda vs, var, patterns: _string_equals(vs, var, patterns, ignore_case),
        negated,
        "string",
        text_only=True,
    )


_OPERATORS: dict[str, _OperatorSpec] = {
    "StringEquals": _string_spec(False, False),
    "StringNotEquals": _string_spec(False, True),
    "StringEqualsIgnoreCase": _string_spec(True, False),
    "StringNotEqualsIgnoreCase": _string_spec(True, True),
    "StringLike": _glob_spec(False, "string", PatternFlavor.STRING_LIKE),
    "StringNotLike": _glob_spec(True, "string", PatternFlavor.STRING_LIKE),
    "NumericEquals": _OperatorSpec(_numeric(op.eq), False, "number"),
    "NumericNotEquals": _OperatorSpec(_numeric(op.eq), True, "number"),
    "NumericLessThan": _OperatorSpec(_numeric(op.lt), False, "number"),
    "NumericLessThanEquals": _OperatorSpec(_numeric(op.le), False, "number"),
    "NumericGreaterThan": _OperatorSpec(_numeric(op.gt), False, "number"),
    "NumericGreaterThanEquals": _OperatorSpec(_numeric(op.ge), False, "number"),
    "DateEquals": _OperatorSpec(_date(op.eq), False, "date"),
    "DateNotEquals": _OperatorSpec(_date(op.eq), True, "date"),
    "DateLessThan": _OperatorSpec(_date(op.lt), False, "date"),
    "DateLessThanEquals": _OperatorSpec(_date(op.le), False, "date"),
    "DateGreaterThan": _OperatorSpec(_date(op.gt), False, "date"),
    "DateGreaterThanEquals": _OperatorSpec(_date(op.ge), False, "date"),
    "Bool": _OperatorSpec(_bool, False, "boolean"),
    "BinaryEquals": _OperatorSpec(_binary, False, "base64 value"),
    "IpAddress": _OperatorSpec(None, False, "IP address"),
    "NotIpAddress": _OperatorSpec(None, True, "IP address"),
    "ArnEquals": _glob_spec(False, "ARN", PatternFlavor.ARN_LIKE),
    "ArnLike": _glob_spec(False, "ARN", PatternFlavor.ARN_LIKE),
    "ArnNotEquals": _glob_spec(True, "ARN", PatternFlavor.ARN_LIKE),
    "ArnNotLike": _glob_spec(True, "ARN", PatternFlavor.ARN_LIKE),
}

# Operators whose values may hold policy variables (condition operators page:
# string, Bool and ARN operators say "Policy variables - Supported"; numeric,
# date, binary and IP operators do not).
_VARIABLE_OPERATORS = frozenset(
    name for name in _OPERATORS if name.startswith(("String", "Arn")) or name == "Bool"
)

_FOR_ALL = "ForAllValues:"
_FOR_ANY = "ForAnyValue:"
_IF_EXISTS = "IfExists"
_NULL = "Null"

# Qualifier codes
_NONE, _ALL, _ANY = 0, 1, 2


# ---------------------------------------------------------------------------
# Clauses


class _Clause:
    """One (operator, key) pair of a Condition block."""

    __slots__ = (
        "_last",
        "form",
        "if_exists",
        "key",
        "lkey",
        "match",
        "negated",
        "null_expect",
        "operator",
        "policy_values",
        "qualifier",
        "templates",
    )

    def __init__(
        self,
        written: _Written,
        match: Matcher | None,
        null_expect: frozenset[bool],
        templates: tuple[Template, ...],
    ) -> None:
        form = written.form
        self.operator = written.operator
        self.key = written.key
        self.lkey = written.key.lower()
        self.policy_values = written.shown
        self.form = form
        # Read on every evaluation: kept here rather than looked up through `form`.
        self.qualifier = form.qualifier
        self.if_exists = form.if_exists
        self.negated = form.spec.negated if form.spec is not None else False
        self.match = match
        self.null_expect = null_expect
        self.templates = templates  # the values that hold policy variables, parsed
        self._last: ConditionFailure | None = None

    def holds(self, ctx: RequestContext) -> bool:
        cv = ctx.get(self.lkey)
        values = cv.values if cv is not None else ()
        match = self.match
        if match is None:
            # Null: "true" means the key is absent (or an empty list), "false" present.
            return (not values) in self.null_expect
        if not values:
            # Absent (or empty list). Condition operators page, "Important" box:
            # a missing key makes a positive operator false and a negated one
            # true; IfExists makes it true. ForAllValues is true for an absent
            # or empty key, ForAnyValue false (single- vs multivalued page).
            # ForAnyValue stays false with IfExists too: IfExists is applied to
            # each value inside the set loop, and with no value there is nothing
            # to apply it to. A live test published on AWS re:Post ("ForAnyValue:
            # StringEqualsIfExists behaving unexpectedly") saw exactly this
            # pattern deny; a live result outranks a reading of the operators page.
            if self.qualifier == _ALL:
                return True
            if self.qualifier == _ANY:
                return False
            return self.if_exists or self.negated
        negated = self.negated
        if negated and self.templates:
            # A policy variable without a value may make the statement invalid
            # (IAM User Guide, policy variables). For a negated operator "matches
            # none of the values" would read a missing value as a match and let
            # an Allow grant; the clause fails instead, so the statement does not
            # apply. https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html
            for t in self.templates:
                if t.unresolved(ctx):
                    return False
        if self.qualifier == _NONE and not negated:
            # Positive operator: any value matching any policy value. For a
            # single-valued key this is the plain comparison. (A plain loop: this
            # is the hot path and a generator in any() costs an allocation.)
            for v in values:  # noqa: SIM110
                if match(v, ctx):
                    return True
            return False
        if self.qualifier == _ANY:
            # At least one context value satisfies the operator (negation applied
            # per value, so ForAnyValue:StringNotEquals = some value is not listed).
            for v in values:
                r = match(v, ctx)
                if r is not None and r != negated:
                    return True
            return False
        # ForAllValues (negation per value: every value matches no policy value)
        # and a negated operator without a qualifier (the key matches none of
        # the policy values): every context value must satisfy the operator.
        # A value of the wrong type satisfies neither sense.
        for v in values:
            r = match(v, ctx)
            if r is None or r == negated:
                return False
        return True

    # -- explanation (only built for clauses that failed) --------------------

    def failure(self, ctx: RequestContext) -> ConditionFailure:
        # The resources and actions of one request share its context: the failure, and
        # the message it writes when read, serve them all (the context is held, not its id,
        # so a later request's context cannot be mistaken for it).
        last = self._last
        if last is not None and last._ctx is ctx:
            return last
        cv = ctx.get(self.lkey)
        ctx_values = cv.values if cv is not None else None
        last = self._last = ConditionFailure(self, ctx, ctx_values)
        return last

    def _message(self, ctx: RequestContext, ctx_values: tuple[str, ...] | None) -> str:
        key, opname = self.key, self.operator
        if self.match is None:
            if ctx_values is None or not ctx_values:
                return f"{key} is absent; {opname} requires it to be present"
            return f"{key} is present; {opname} requires it to be absent"
        if not ctx_values:
            what = "absent" if ctx_values is None else "an empty list"
            if self.qualifier == _ANY:
                return f"{key} is {what}; {opname} needs at least one value to match"
            return f"{key} is {what} from the request; {opname} requires it"
        note = ""
        if self.templates:
            unresolved = [u for t in self.templates for u in t.unresolved(ctx)]
            if unresolved:
                note = " (policy variable " + ", ".join(sorted(set(unresolved))) + " has no value)"
        wanted = ", ".join(map(repr, self.policy_values))
        bad = [v for v in ctx_values if self.match(v, ctx) is None]
        if bad:
            return (
                f"{key} value {bad[0]!r} is not a valid {self.form.type_name}; "
                f"{opname} cannot compare it with {wanted}{note}"
            )
        if self.form.base == "Bool" and len(ctx_values) == 1:
            return f"{key} is {ctx_values[0]}; the policy requires {' or '.join(self.policy_values)}{note}"
        shown = ", ".join(map(repr, ctx_values))
        if self.qualifier == _ALL:
            return f"not every value of {key} ({shown}) satisfies {opname} {wanted}{note}"
        if self.qualifier == _ANY:
            return f"no value of {key} ({shown}) satisfies {opname} {wanted}{note}"
        if self.negated:
            return f"{key} is {shown}, which {opname} excludes ({wanted}){note}"
        return f"{key} is {shown}; {opname} requires {wanted}{note}"


# ---------------------------------------------------------------------------
# Compilation


class CompiledConditions:
    """A parsed Condition block; `evaluate` is cheap and allocation-free on success."""

    __slots__ = ("_clauses",)

    def __init__(self, clauses: tuple[_Clause, ...]) -> None:
        self._clauses = clauses

    @property
    def keys(self) -> frozenset[str]:
        """Lower-cased condition keys the block tests (check_conditions gives them to the
        engine: worked out here only when asked)."""
        return frozenset(c.lkey for c in self._clauses)

    @property
    def variable_keys(self) -> frozenset[str]:
        """Lower-cased keys used as policy variables inside condition values."""
        return frozenset(k for c in self._clauses for t in c.templates for k in t.variable_keys)

    def __len__(self) -> int:
        return len(self._clauses)

    def evaluate(self, ctx: RequestContext) -> ConditionOutcome:
        failed: list[_Clause] | None = None
        for clause in self._clauses:
            if not clause.holds(ctx):
                if failed is None:
                    failed = []
                failed.append(clause)
        if failed is None:
            return MATCHED
        failures: list[ConditionFailure] = []
        missing: list[str] = []
        for c in failed:
            failure = c.failure(ctx)
            failures.append(failure)
            if failure.context_values is None and c.key not in missing:  # the key is absent
                missing.append(c.key)
        return ConditionOutcome(False, tuple(failures), tuple(missing))

    def matches(self, ctx: RequestContext) -> bool:
        """Just the verdict, without explanations."""
        return all(c.holds(ctx) for c in self._clauses)


# The block of a statement without Condition (immutable; shared rather than rebuilt).
NO_CONDITIONS = CompiledConditions(())


def _malformed(message: str) -> MalformedPolicyDocument:
    return MalformedPolicyDocument(message, element="Condition")


def _split_operator(name: str) -> tuple[int, str, bool]:
    qualifier = _NONE
    rest = name
    if rest.startswith(_FOR_ALL):
        qualifier, rest = _ALL, rest[len(_FOR_ALL) :]
    elif rest.startswith(_FOR_ANY):
        qualifier, rest = _ANY, rest[len(_FOR_ANY) :]
    if_exists = rest.endswith(_IF_EXISTS) and rest != _IF_EXISTS
    if if_exists:
        rest = rest[: -len(_IF_EXISTS)]
    return qualifier, rest, if_exists


# Checks a policy value (str, bool, int or float) the way an operator's matcher builder
# reads it (whether the value may hold policy variables, the engine's cache); False, or
# an exception, when the full reading may refuse it.
ValueCheck = Callable[["str | bool | int | float", bool, "PatternCache | None"], bool]


class _Form:
    """One way of writing an operator (qualifier, base, IfExists), resolved once.

    A plain class: the module builds one for every name `_FORMS` lists, each time a
    process starts, and a frozen dataclass costs several times as much to build."""

    __slots__ = ("base", "if_exists", "qualifier", "spec", "takes_variables", "value_ok")

    def __init__(self, base: str, qualifier: int, if_exists: bool) -> None:
        spec = _OPERATORS.get(base)
        self.base = base
        self.qualifier = qualifier
        self.if_exists = if_exists
        self.spec: _OperatorSpec | None = spec  # None: Null
        # Its values may hold policy variables (under Version 2012-10-17).
        self.takes_variables = base in _VARIABLE_OPERATORS
        # What the lean reading checks of each value; None: compared as text, nothing to parse.
        self.value_ok = _value_check(base)

    @property
    def type_name(self) -> str:
        """What a context value must be, for type-error messages."""
        return self.spec.kind if self.spec is not None else "boolean"


def _form_of(opname: object) -> _Form:
    """The operator an element names; raises for a name `_FORMS` does not list."""
    if type(opname) is str:
        form = _FORMS.get(opname)
        if form is not None:
            return form
    if not isinstance(opname, str):
        raise _malformed(f"condition operator {opname!r} is not a string")
    qualifier, base, if_exists = _split_operator(opname)
    if base == _NULL:
        if if_exists or qualifier != _NONE:
            # AWS documents Null only on its own; a qualified or IfExists
            # Null is not an operator it lists.
            raise _malformed(f"unknown condition operator {opname!r}")
        return _Form(base, qualifier, if_exists)
    if base not in _OPERATORS:
        import difflib  # only to word an error

        close = difflib.get_close_matches(base, [*_OPERATORS, _NULL], n=1)
        hint = f"; did you mean {close[0]}?" if close else ""
        raise _malformed(f"unknown condition operator {opname!r}{hint}")
    return _Form(base, qualifier, if_exists)  # (a subclass of str: read as its text says)


@dataclass(slots=True)
class _Written:
    """One (operator, key) pair of a block as written: operator resolved, values read as text."""

    operator: str
    key: str
    values: list[object]
    shown: tuple[str, ...]
    form: _Form
    variables: bool  # policy variables are substituted in its values


def _written(block: object, variables: bool) -> list[_Written]:
    """Read a Condition element's shape; raise for what no operator can use."""
    if not isinstance(block, dict):
        raise _malformed(f"Condition must be an object, not {type(block).__name__}")
    out: list[_Written] = []
    for opname, keys in block.items():
        form = _form_of(opname)
        if not isinstance(keys, dict):
            raise _malformed(f"{opname}: expected an object of condition keys, not {type(keys).__name__}")
        clause_vars = variables and form.takes_variables
        for key, raw in keys.items():
            if not isinstance(key, str) or not key:
                raise _malformed(f"{opname}: condition key {key!r} is not a non-empty string")
            if type(raw) is str:  # most clauses: one value, already text
                out.append(_Written(opname, key, [raw], (raw,), form, clause_vars))
                continue
            raw_values: list[object] = list(raw) if isinstance(raw, list) else [raw]
            try:
                shown = tuple(_as_text(v) for v in raw_values)
            except _Malformed as exc:
                raise _malformed(f"{opname} {key}: {exc}") from None
            out.append(_Written(opname, key, raw_values, shown, form, clause_vars))
    return out


def _null_expect(w: _Written) -> frozenset[bool]:
    """What a Null clause expects of the key's presence; raises for a value not true or false."""
    expect: set[bool] = set()
    for v in w.values:
        b = _parse_bool(v)
        if b is None:
            raise _malformed(f"{w.operator} {w.key}: value {v!r} is not true or false")
        expect.add(b)
    return frozenset(expect)


def _match_of(w: _Written, spec: _OperatorSpec, patterns: PatternCache) -> Matcher:
    """The clause's matcher; raises MalformedPolicyDocument for a value the operator cannot parse."""
    try:
        if spec.build is not None:
            return spec.build(w.values, w.variables, patterns)
        if spec.glob is None:
            return _ip(w.values, w.variables, patterns)
        return _glob_matcher(
            w.values, w.variables, arn=spec.glob is PatternFlavor.ARN_LIKE, patterns=patterns
        )
    except _Malformed as exc:
        raise _malformed(f"{w.operator} {w.key}: {exc}") from None


@dataclass(slots=True)
class ConditionKeys:
    """The context keys a Condition element reads (lower-cased): as condition keys, and
    as policy variables inside its values.

    Not frozen: one is built for every distinct Condition element read, and a frozen
    dataclass sets each field through object.__setattr__, twice as slow. Nothing changes
    one once built."""

    keys: frozenset[str]
    variable_keys: frozenset[str]


NO_CONDITION_KEYS = ConditionKeys(frozenset(), frozenset())
_NO_KEYS: frozenset[str] = frozenset()


# What the lean reading checks of a value, by operator kind: whether the full reading
# accepts it, by the parsers its matcher builder uses. Each is given a str, bool, int
# or float; an exception is doubt too (str() of a huge int, a bad CIDR).


def _text(v: str | bool | int | float) -> str:
    return v if type(v) is str else _as_text(v)  # as `_written` does (str() of a huge int raises)


def _text_ok(v: str | bool | int | float, variables: bool, patterns: PatternCache | None) -> bool:
    _text(v)  # string, ARN operators: any scalar that reads as text (checked for non-strings)
    return True


def _null_ok(v: str | bool | int | float, variables: bool, patterns: PatternCache | None) -> bool:
    return _parse_bool(v) is not None  # `_null_expect`


def _bool_ok(v: str | bool | int | float, variables: bool, patterns: PatternCache | None) -> bool:
    # `_bool`: a value with a policy variable is not parsed
    if variables and type(v) is str and "${" in v and Template(v, variables=True).has_variables:
        return True
    return _parse_bool(v) is not None


def _number_ok(v: str | bool | int | float, variables: bool, patterns: PatternCache | None) -> bool:
    return type(v) is not bool and _parse_number(_text(v)) is not None  # `_numeric`


def _date_ok(v: str | bool | int | float, variables: bool, patterns: PatternCache | None) -> bool:
    return type(v) is not bool and _parse_date(_text(v)) is not None  # `_date`


def _ip_ok(v: str | bool | int | float, variables: bool, patterns: PatternCache | None) -> bool:
    text = _text(v).strip()  # `_ip` (reads a boolean as "true"/"false", and refuses it)
    if patterns is not None:
        patterns.parsed(_network, text)  # raises ValueError as in `_ip`
    else:
        _network(text)
    return True


def _binary_ok(v: str | bool | int | float, variables: bool, patterns: PatternCache | None) -> bool:
    return type(v) is str and _decode_b64(v) is not None  # `_binary`


def _value_check(base: str) -> ValueCheck | None:
    if base == _NULL:
        return _null_ok
    spec = _OPERATORS[base]
    if spec.text_only:
        return None
    if base == "Bool":
        return _bool_ok
    if base == "BinaryEquals":
        return _binary_ok
    if spec.build is None:
        return _ip_ok
    return _number_ok if base.startswith("Numeric") else _date_ok


# Every way to write an operator that `_written` accepts (any qualifier, with or without
# IfExists; Null only bare). A name not here is one the full reading refuses (or words a
# hint for).
_FORMS: dict[str, _Form] = {
    f"{prefix}{base}{suffix}": _Form(base, qualifier, bool(suffix))
    for base in _OPERATORS
    for prefix, qualifier in (("", _NONE), (_FOR_ALL, _ALL), (_FOR_ANY, _ANY))
    for suffix in ("", _IF_EXISTS)
}
_FORMS[_NULL] = _Form(_NULL, _NONE, False)


def _lean_block_keys(block: object, variables: bool, patterns: PatternCache | None) -> ConditionKeys | None:
    """What `check_conditions` returns for a block the full reading accepts, read without
    building `_Written` objects or matchers (values are checked by the same parsers); None
    on any doubt (a value of another type, one a parser refuses or raises for), and the full
    reading then refuses the block with its own message, or accepts it."""
    if type(block) is not dict:
        return None
    keys: list[str] = []
    variable_keys = _NO_KEYS
    for opname, clauses in block.items():
        form = _FORMS.get(opname) if type(opname) is str else None
        if form is None or type(clauses) is not dict:
            return None
        value_ok = form.value_ok
        takes_variables = variables and form.takes_variables
        for key, raw in clauses.items():
            if type(key) is not str or not key:
                return None
            keys.append(key.lower())
            if type(raw) is str and value_ok is None and not (takes_variables and "${" in raw):
                continue  # most clauses: one value, compared as text (nothing to read)
            for v in raw if type(raw) is list else (raw,):
                t = type(v)
                if t is str:
                    if takes_variables and "${" in v:
                        # Accounts repeat the same few values (`${aws:PrincipalAccount}`):
                        # each is parsed once per engine (and again not when compiled).
                        found = _template(v) if patterns is None else patterns.parsed(_template, v)
                        variable_keys = variable_keys | found.variable_keys
                    if value_ok is None:  # most values: nothing to parse
                        continue
                elif t is not bool and t is not int and t is not float:
                    return None  # None, a list, an object, a subclass: the full reading words it
                try:
                    # Any exception is doubt: the full reading raises what it raises, after
                    # its shape checks.
                    if not (value_ok or _text_ok)(v, takes_variables, patterns):
                        return None
                except Exception:
                    return None
    return ConditionKeys(frozenset(keys), variable_keys)


def check_conditions(
    block: object, *, policy_version: str | None, patterns: PatternCache | None = None
) -> ConditionKeys:
    """Everything `compile_conditions` refuses, refused without compiling the block.

    A policy is checked whole when it is read, but a statement's conditions are
    compiled only once a request reaches the statement (policy.py). Values that
    are only compared as text need no parsing; numbers, dates, booleans, IP
    ranges and base64 are parsed here, so a bad one is refused up front.
    """
    if block is None:
        return NO_CONDITION_KEYS
    variables = variables_enabled(policy_version)
    lean = _lean_block_keys(block, variables, patterns)
    if lean is not None:
        return lean
    return _full_check(block, variables, patterns)


def _full_check(block: object, variables: bool, patterns: PatternCache | None) -> ConditionKeys:
    """The full reading: every clause read and its matcher built; words every refusal."""
    written = _written(block, variables)
    if patterns is None:
        patterns = PatternCache()
    for w in written:
        spec = w.form.spec
        if spec is None:
            _null_expect(w)
        elif not spec.text_only:
            _match_of(w, spec, patterns)
    return _keys_of(written)


def _keys_of(written: list[_Written]) -> ConditionKeys:
    """The context keys the clauses read, as condition keys and as policy variables."""
    variable_keys: set[str] = set()
    for w in written:
        if w.variables:
            for v in w.values:
                if isinstance(v, str) and "${" in v:
                    variable_keys |= Template(v, variables=True).variable_keys
    return ConditionKeys(frozenset(w.key.lower() for w in written), frozenset(variable_keys))


# What a clause other than Null expects of its key's presence: nothing.
_NO_NULL: frozenset[bool] = frozenset()


def _templates(w: _Written, patterns: PatternCache) -> tuple[Template, ...]:
    """The clause's values that hold policy variables, parsed (none when its operator or
    the policy's Version takes no variables)."""
    if not w.variables:
        return ()
    found: list[Template] = []
    for v in w.values:
        if isinstance(v, str) and "${" in v and (t := patterns.parsed(_template, v)).has_variables:
            found.append(t)
    return tuple(found)


def compile_conditions(
    block: object, *, policy_version: str | None, patterns: PatternCache | None = None
) -> CompiledConditions:
    """Parse a Condition element once (`patterns`: the engine's cache of compiled patterns).

    Raises MalformedPolicyDocument (element "Condition") for a non-object
    block, an unknown operator, or a policy value the operator cannot parse
    (numbers, dates, booleans, IP ranges, base64).
    """
    if block is None:
        return NO_CONDITIONS
    if patterns is None:
        patterns = PatternCache()
    clauses: list[_Clause] = []
    for w in _written(block, variables_enabled(policy_version)):
        spec = w.form.spec
        if spec is None:
            clauses.append(_Clause(w, None, _null_expect(w), ()))
        else:
            clauses.append(_Clause(w, _match_of(w, spec, patterns), _NO_NULL, _templates(w, patterns)))
    return CompiledConditions(tuple(clauses))


def known_operators() -> frozenset[str]:
    """Base operator names (without qualifier or IfExists), Null included."""
    return frozenset(_OPERATORS) | {_NULL}


__all__ = [
    "MATCHED",
    "CompiledConditions",
    "ConditionFailure",
    "ConditionKeys",
    "ConditionOutcome",
    "check_conditions",
    "compile_conditions",
    "known_operators",
]
