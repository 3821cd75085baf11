"""Parse and compile one policy document; record where each statement sits.

Grammar (IAM JSON policy element reference,
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html and
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements.html):

- A policy is a JSON object with `Version`, optional `Id` and `Statement`.
  `Version` is `2012-10-17` or `2008-10-17`; when it is absent or
  `2008-10-17`, policy variables are plain text (elements_version.html).
- `Statement` is one statement object or a list of them.
- A statement has `Effect` (`Allow`/`Deny`), exactly one of `Action` /
  `NotAction`, one of `Resource` / `NotResource`, optionally `Sid`,
  `Principal` / `NotPrincipal` (resource-based policies only; identity
  policies must not name a principal) and `Condition`.

A document that breaks these rules is rejected as a whole with the statement
index and element at fault: the engine never evaluates half a policy.

Positions: MatchedStatements carry StartPosition/EndPosition of each
statement in the text that was submitted (API_Statement.html, API_Position.html).
The API reference does not say how lines and columns are counted; the AWS
CLI's documented example for simulate-custom-policy (policy on one line,
statement object starting at character 37 and ending at character 166,
counting from 1) reports StartPosition Column 38 and EndPosition Column 167.
So AWS counts lines and columns from 1 and points just past the opening
`{` and just past the closing `}`. `scan_statement_spans` reproduces that.
"""

from __future__ import annotations

import bisect
import json
import re
from collections.abc import Iterator
from typing import Any

import msgspec

from harness.dataclass import dataclass
from harness.engine.bounded import kept
from harness.engine.conditions import CompiledConditions
from harness.engine.context import RequestContext
from harness.engine.elements import (
    ActionElement,
    ActionMatcher,
    ConditionElement,
    ElementCache,
    ResourceElement,
    ResourceMatcher,
)
from harness.engine.errors import MalformedPolicyDocument
from harness.engine.principals import CompiledPrincipals, compile_principals
from harness.engine.types import MatchedStatement, PolicyKind, PolicySource, Position

VERSIONS = ("2012-10-17", "2008-10-17")
_TOP_LEVEL = frozenset({"Version", "Id", "Statement"})
_STATEMENT_KEYS = frozenset(
    {
        "Sid",
        "Effect",
        "Action",
        "NotAction",
        "Resource",
        "NotResource",
        "Principal",
        "NotPrincipal",
        "Condition",
    }
)
# Policies where a Principal element is required / forbidden.
_PRINCIPAL_REQUIRED = frozenset({PolicyKind.RESOURCE})
_PRINCIPAL_ALLOWED = frozenset({PolicyKind.RESOURCE, PolicyKind.RCP})

_DECODER = json.JSONDecoder()


class _RawStatements(msgspec.Struct):
    """A policy's Statement list, each statement kept as its text (msgspec.Raw)."""

    Statement: list[msgspec.Raw]


_RAW_STATEMENTS = msgspec.json.Decoder(_RawStatements)
# A policy text up to its first statement, as most are written: members whose value is a
# string (without escapes) or null, then the Statement list.
_LEAD = re.compile(
    r'[ \t\r\n]*+\{(?:[ \t\r\n]*+"[^"\\]*+"[ \t\r\n]*+:[ \t\r\n]*+(?:"[^"\\]*+"|null)[ \t\r\n]*+,)*+'
    r'[ \t\r\n]*+"Statement"[ \t\r\n]*+:[ \t\r\n]*+\[[ \t\r\n]*+'
)


# ---------------------------------------------------------------------------
# Statement spans in the submitted text


class _Scanner:
    """Just enough of a JSON scanner to find Statement objects and their spans.

    The document has already been parsed with `json.loads`, so the scanner
    can assume the text is valid JSON and only track positions.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self.i = 0
        # Offsets of line starts, for offset -> (line, column).
        self.line_starts = [0]
        if "\n" in text:  # most documents are sent on one line
            self.line_starts.extend(m.end() for m in re.finditer("\n", text))

    def position_after(self, offset: int) -> Position:
        """1-based line and column of the character just after `offset`."""
        if len(self.line_starts) == 1:  # a document on one line, as most are sent
            return Position(1, offset + 2)
        line = bisect.bisect_right(self.line_starts, offset) - 1
        return Position(line + 1, offset - self.line_starts[line] + 2)

    def skip_ws(self) -> None:
        t, i = self.text, self.i
        while i < len(t) and t[i] in " \t\r\n":
            i += 1
        self.i = i

    def string(self) -> str:
        # Use the json decoder for the exact string value.
        value, end = json.decoder.scanstring(self.text, self.i + 1)
        self.i = end
        return value

    def skip_value(self) -> tuple[int, int]:
        """Skip one value; return the offsets of its first and last character.

        The json module's C scanner reads the value (the text is valid JSON), which is
        far quicker than walking its characters here.
        """
        self.skip_ws()
        start = self.i
        _, self.i = _DECODER.raw_decode(self.text, start)
        return start, self.i - 1

    def statement_spans(self) -> list[tuple[int, int]]:
        """Offsets of the first and last character of each statement (the last Statement key
        wins, as in json.loads)."""
        found: list[tuple[int, int]] = []
        for span in self.spans_as_read():
            if span is None:
                found = []
            else:
                found.append(span)
        return found

    def spans_as_read(self) -> Iterator[tuple[int, int] | None]:
        """Each statement's offsets, read as far as asked; None where a Statement key begins."""
        self.skip_ws()
        if self.text[self.i] != "{":
            return
        self.i += 1
        while True:
            self.skip_ws()
            if self.text[self.i] == "}":
                return
            if self.text[self.i] == ",":
                self.i += 1
                continue
            key = self.string()
            self.skip_ws()
            self.i += 1  # ':'
            self.skip_ws()
            if key != "Statement":
                self.skip_value()
                continue
            yield None
            if self.text[self.i] == "{":
                yield self.skip_value()
            elif self.text[self.i] == "[":
                self.i += 1
                while True:
                    self.skip_ws()
                    c = self.text[self.i]
                    if c == "]":
                        self.i += 1
                        break
                    if c == ",":
                        self.i += 1
                        continue
                    yield self.skip_value()
            else:
                self.skip_value()


def scan_statement_spans(text: str) -> list[tuple[Position, Position]]:
    """Start and end positions (AWS convention, see module doc) of each statement."""
    scanner = _Scanner(text)
    return [(scanner.position_after(a), scanner.position_after(b)) for a, b in scanner.statement_spans()]


@dataclass(slots=True)
class _RegularStatements:
    """A Statement list whose statements are written one after another with one separator."""

    first: int  # offset of the first statement
    separator: int  # length of what comes between two statements
    raws: list[msgspec.Raw]  # each statement's text

    def offsets(self, index: int) -> tuple[int, int] | None:
        """The offsets of the first and last character of a statement; None past the last."""
        if index >= len(self.raws):
            return None
        start = self.first + sum(map(len, self.raws[:index])) + index * self.separator
        return start, start + len(self.raws[index]) - 1


def _regular_statements(text: str) -> _RegularStatements | None:
    """Where the statements are, for a policy written as most are; else None.

    msgspec reads the text in C without building its values (which `_Scanner.skip_value`
    does) and gives each statement's text. The regular case: an ASCII text (a byte offset
    is then a character offset), `_LEAD` reads it up to its first statement, and the same
    separator (whitespace and a comma) comes between every two statements: the first
    statement's text, then for each next one the separator and its text, must be what the
    text holds from there. The separator is what comes between the first two statements:
    the second statement's text starts with neither whitespace nor a comma, so its first
    occurrence after the first statement is where it starts.
    """
    if not text.isascii():
        return None
    lead = _LEAD.match(text)
    if lead is None:
        return None
    try:
        raws = _RAW_STATEMENTS.decode(text).Statement
    except (msgspec.MsgspecError, RecursionError):  # e.g. a Statement that is one object
        return None
    if not raws:
        return None
    encoded = text.encode()
    first = lead.end()
    separator = b""
    if len(raws) > 1:
        after = first + len(raws[0])
        second = encoded.find(raws[1], after)
        if second == -1:  # pragma: no cover - the text holds every statement's text
            return None
        separator = encoded[after:second]
    if not encoded.startswith(separator.join(raws), first):
        return None
    return _RegularStatements(first, len(separator), raws)


class _SpanReader:
    """Where a policy's statements are: read by `_regular_statements`, else scanned up to
    the statement asked for."""

    __slots__ = ("offsets", "reader", "regular", "scanner")

    def __init__(self, text: str) -> None:
        self.scanner = _Scanner(text)
        self.regular = _regular_statements(text)
        self.reader = self.scanner.spans_as_read() if self.regular is None else None
        self.offsets: list[tuple[int, int]] = []  # read by `reader` so far

    def offsets_at(self, index: int) -> tuple[int, int] | None:
        """The offsets of the first and last character of a statement; None past the last."""
        if self.regular is not None:
            return self.regular.offsets(index)
        offsets = self.offsets
        if index >= len(offsets) and self.reader is not None:
            for span in self.reader:
                if span is not None:
                    offsets.append(span)
                    if len(offsets) > index:
                        break
        return offsets[index] if index < len(offsets) else None


class StatementSpans:
    """Positions of a policy's statements, found on first use.

    Only a statement that ends up in MatchedStatements needs its position, and most
    policies of a mixed workload never do, so the text is read once, when a first position
    is asked for (`_SpanReader`), and a statement's offsets become line and column only
    when that statement is asked for. The document was read with one Statement key (a key
    written twice is refused), so the first Statement's list is the one that counts.
    """

    __slots__ = ("_count", "_read", "_text")

    def __init__(self, text: str, count: int) -> None:
        self._text = text
        self._count = count
        self._read: _SpanReader | None = None

    def __getitem__(self, index: int) -> tuple[Position, Position]:
        read = self._read
        if read is None:
            read = self._read = _SpanReader(self._text)
        found = read.offsets_at(index) if 0 <= index < self._count else None
        if found is None:  # pragma: no cover - see the docstring
            return Position(0, 0), Position(0, 0)
        return read.scanner.position_after(found[0]), read.scanner.position_after(found[1])


# ---------------------------------------------------------------------------
# Compiled elements


@dataclass(slots=True)
class CompiledStatement:
    """One statement: checked whole when its policy is read, matchers compiled when used.

    Reading a policy refuses every malformed element of every statement, so a
    policy is never half evaluated; but most statements of an account's policies
    concern other services than a request's, so Action, Resource and Condition
    matchers are built the first time a request reaches them, once per element
    (elements.py: statements that write the same element share it).
    """

    index: int  # 0-based position in the Statement list
    sid: str | None
    deny: bool
    action: ActionElement
    not_action: bool
    resource: ResourceElement | None  # None: no Resource element (trust-style resource policy)
    not_resource: bool
    principals: CompiledPrincipals | None
    not_principal: bool
    condition: ConditionElement
    # Lower-cased context keys the statement reads: condition keys, and policy variables
    # in Condition values and Resource.
    context_keys: frozenset[str]
    spans: StatementSpans  # shared by the policy's statements
    # Explanation text that depends only on the statement and its policy's id (render.py),
    # keyed by (source id, element; "" for the statement's label): written once, not for
    # every request that misses it.
    # None until a first line is written: most statements never get one.
    miss_lines: dict[tuple[str, str], tuple[str, str]] | None = None

    @property
    def start(self) -> Position:
        return self.spans[self.index][0]

    @property
    def end(self) -> Position:
        return self.spans[self.index][1]

    @property
    def effect(self) -> str:
        return "Deny" if self.deny else "Allow"

    @property
    def prefixes(self) -> frozenset[str] | None:
        return self.action.prefixes

    @property
    def actions(self) -> ActionMatcher:
        return self.action.matcher

    @property
    def resources(self) -> ResourceMatcher | None:
        return self.resource.matcher if self.resource is not None else None

    @property
    def conditions(self) -> CompiledConditions:
        return self.condition.compiled

    def action_matches(self, action_lower: str) -> bool:
        return self.action.matcher.matches(action_lower) != self.not_action

    def resource_matches(self, resource: str, ctx: RequestContext) -> bool:
        if self.resource is None:
            return True
        rm = self.resource.matcher
        if self.not_resource and rm.unresolved_keys(ctx):
            # IAM User Guide, policy variables: a variable AWS cannot resolve may
            # make the whole statement invalid. Under NotResource "matches no
            # listed resource" would otherwise read as "applies to everything",
            # turning a missing value into a grant, so the statement does not apply.
            # https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html
            return False
        return rm.matches(resource, ctx) != self.not_resource


@dataclass(slots=True)
class OtherServices:
    """How many statements of a policy name only other services than a request's, and which."""

    count: int
    services: frozenset[str]


@dataclass(slots=True)
class CompiledPolicy:
    """A policy document parsed and checked, its statements compiled."""

    source: PolicySource
    version: str | None
    policy_id: str | None
    statements: tuple[CompiledStatement, ...]
    # Tables filled as requests ask, each made on first use (most policies are used once,
    # by one action): statements per service and per action, context keys per action, the
    # other-services summary per service. Shared with the policy under another source.
    _by_service: dict[str, tuple[CompiledStatement, ...]] | None = None
    _by_action: dict[str, tuple[CompiledStatement, ...]] | None = None
    _keys_by_action: dict[str, frozenset[str]] | None = None
    _elsewhere: dict[str, OtherServices] | None = None
    _matched: dict[int, MatchedStatement] | None = None  # per source: not shared
    # Lower-cased condition keys referenced anywhere in the policy.
    condition_keys: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        keys: set[str] = set()
        for st in self.statements:  # (for every policy compiled: a loop is quickest here)
            if st.context_keys:
                keys |= st.context_keys
        self.condition_keys = frozenset(keys)

    def with_source(self, source: PolicySource) -> CompiledPolicy:
        """The same compiled policy under another source id or type (same text and kind)."""
        # The tables are made here when not yet, so that both policies fill the same ones.
        if self._by_service is None:
            self._by_service = {}
        if self._by_action is None:
            self._by_action = {}
        if self._keys_by_action is None:
            self._keys_by_action = {}
        if self._elsewhere is None:
            self._elsewhere = {}
        # Field by field (copy.copy is slower), sharing statements and the tables.
        clone = object.__new__(CompiledPolicy)
        clone.source = source
        clone.version = self.version
        clone.policy_id = self.policy_id
        clone.statements = self.statements
        clone._by_service = self._by_service
        clone._by_action = self._by_action
        clone._keys_by_action = self._keys_by_action
        clone._elsewhere = self._elsewhere
        clone._matched = None
        clone.condition_keys = self.condition_keys
        return clone

    def context_keys_for(self, action_lower: str) -> frozenset[str]:
        """Lower-cased context keys read by the statements this action reaches (kept per action)."""
        table = self._keys_by_action
        if table is None:
            table = self._keys_by_action = {}
        else:
            found = table.get(action_lower)
            if found is not None:
                return found
        keys: frozenset[str] = frozenset()
        for st in self.statements_for(action_lower):
            if st.context_keys:
                keys = keys | st.context_keys
        return kept(table, action_lower, keys)

    def matched(self, st: CompiledStatement) -> MatchedStatement:
        """The API's Statement for one of this policy's statements (built once per source)."""
        table = self._matched
        if table is None:
            table = self._matched = {}
        found = table.get(st.index)
        if found is None:
            src = self.source
            start, end = st.spans[st.index]
            found = table[st.index] = MatchedStatement(
                source_policy_id=src.source_id,
                source_policy_type=src.source_type,
                start=start,
                end=end,
                sid=st.sid,
                effect=st.effect,
                kind=src.kind,
            )
        return found

    def elsewhere(self, service: str) -> OtherServices:
        """The statements whose Action names only services other than `service`, summed up."""
        table = self._elsewhere
        found = table.get(service) if table is not None else None
        return found if found is not None else self._by_services(service)[1]

    def service_statements(self, service: str) -> tuple[CompiledStatement, ...]:
        """Statements whose Action/NotAction element can match some action of `service`
        (lower-cased prefix), in document order; the others name only other services."""
        table = self._by_service
        found = table.get(service) if table is not None else None
        return found if found is not None else self._by_services(service)[0]

    def _by_services(self, service: str) -> tuple[tuple[CompiledStatement, ...], OtherServices]:
        """`service_statements` and `elsewhere` of one service, found in one walk and kept."""
        # A NotAction, or an Action with a pattern that may match any service (prefixes
        # None), can match an action of any service; the other statements name only other
        # services (explanations sum them up).
        near: list[CompiledStatement] = []
        services: set[str] = set()
        for st in self.statements:
            prefixes = st.action.prefixes
            if st.not_action or prefixes is None or service in prefixes:
                near.append(st)
            else:
                services |= prefixes
        if self._by_service is None:
            self._by_service = {}
        if self._elsewhere is None:
            self._elsewhere = {}
        others = kept(
            self._elsewhere, service, OtherServices(len(self.statements) - len(near), frozenset(services))
        )
        return kept(self._by_service, service, tuple(near)), others

    def statements_for(self, action_lower: str) -> tuple[CompiledStatement, ...]:
        """Statements whose Action/NotAction element matches, in document order.

        Action matching does not depend on the resource or context, so the
        answer is kept per action on this (per-engine) object.
        """
        table = self._by_action
        if table is None:
            table = self._by_action = {}
        else:
            found = table.get(action_lower)
            if found is not None:
                return found
        candidates = self.service_statements(action_lower.split(":", 1)[0])
        return kept(table, action_lower, tuple(st for st in candidates if st.action_matches(action_lower)))


# ---------------------------------------------------------------------------
# Parsing


def _as_string_list(value: object, policy_id: str, index: int, element: str) -> tuple[str, ...]:
    # (Positional: called for every Action and Resource element read.)
    if type(value) is str and value:
        return (value,)  # the common case, without building a list
    items = value if isinstance(value, list) else [value]
    if not items:
        raise MalformedPolicyDocument(
            f"{element} must not be empty", policy_id=policy_id, statement=index, element=element
        )
    out: list[str] = []
    for item in items:
        if not isinstance(item, str) or not item:
            raise MalformedPolicyDocument(
                f"{element} values must be non-empty strings, got {item!r}",
                policy_id=policy_id,
                statement=index,
                element=element,
            )
        out.append(item)
    return tuple(out)


def _reject_duplicate_sids(statements: tuple[CompiledStatement, ...], policy_id: str) -> None:
    """In IAM, the Sid value must be unique within a JSON policy
    (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_sid.html).
    Applied to every kind of policy: a second statement with the same Sid is
    almost always a copy-paste whose edit was meant for the first.
    """
    seen: dict[str, int] = {}
    for st in statements:
        if st.sid is None:
            continue
        if st.sid in seen:
            raise MalformedPolicyDocument(
                f"duplicate Sid {st.sid!r} (also Statement[{seen[st.sid]}]); a Sid is unique within a policy",
                policy_id=policy_id,
                statement=st.index,
                element="Sid",
            )
        seen[st.sid] = st.index


def _one_of(
    stmt: dict[str, object], a: str, b: str, *, policy_id: str, index: int, required: bool
) -> str | None:
    if a in stmt and b in stmt:
        raise MalformedPolicyDocument(
            f"a statement may have {a} or {b}, not both", policy_id=policy_id, statement=index, element=a
        )
    if a in stmt:
        return a
    if b in stmt:
        return b
    if required:
        raise MalformedPolicyDocument(
            f"statement has neither {a} nor {b}", policy_id=policy_id, statement=index, element=a
        )
    return None


def _checked_statement(raw: object, pid: str, index: int) -> dict[str, Any]:
    """`raw` as a statement object, once its element names, Sid and Effect are valid."""
    if not isinstance(raw, dict):
        raise MalformedPolicyDocument("a statement must be a JSON object", policy_id=pid, statement=index)
    if not _STATEMENT_KEYS.issuperset(raw):
        unknown = sorted(raw.keys() - _STATEMENT_KEYS)[0]
        raise MalformedPolicyDocument(
            f"unknown element {unknown!r}", policy_id=pid, statement=index, element=unknown
        )
    sid = raw.get("Sid")
    if sid is not None and not isinstance(sid, str):
        raise MalformedPolicyDocument("Sid must be a string", policy_id=pid, statement=index, element="Sid")
    effect = raw.get("Effect")
    if effect not in ("Allow", "Deny"):
        raise MalformedPolicyDocument(
            f"Effect must be 'Allow' or 'Deny', got {effect!r}",
            policy_id=pid,
            statement=index,
            element="Effect",
        )
    return raw


# The element compilers below take positional arguments: they run for every statement read.
# Each tests its element's common case first, inline, for the same reason.


def _compile_action(stmt: dict[str, object], pid: str, index: int, elements: ElementCache) -> ActionElement:
    """The Action or NotAction element (exactly one is required)."""
    if "Action" in stmt and "NotAction" not in stmt:
        action_el = "Action"
    else:
        action_el = _one_of(stmt, "Action", "NotAction", policy_id=pid, index=index, required=True)
        assert action_el is not None
    actions = _as_string_list(stmt[action_el], pid, index, action_el)
    try:
        return elements.action(actions)
    except MalformedPolicyDocument as exc:
        raise MalformedPolicyDocument(exc.detail, policy_id=pid, statement=index, element=action_el) from None


def _compile_resource(
    stmt: dict[str, object],
    pid: str,
    index: int,
    kind: PolicyKind,
    version: str | None,
    elements: ElementCache,
) -> ResourceElement | None:
    """The Resource or NotResource element; None when a resource-based policy has neither."""
    # Resource-based policies attached to roles (trust policies) have no
    # Resource element; every other kind needs one.
    if "Resource" in stmt and "NotResource" not in stmt:
        resource_el: str | None = "Resource"
    else:
        resource_el = _one_of(
            stmt,
            "Resource",
            "NotResource",
            policy_id=pid,
            index=index,
            required=kind != PolicyKind.RESOURCE,
        )
    if resource_el is None:
        return None
    values = _as_string_list(stmt[resource_el], pid, index, resource_el)
    try:
        return elements.resource(values, version)
    except MalformedPolicyDocument as exc:
        raise MalformedPolicyDocument(
            exc.detail, policy_id=pid, statement=index, element=resource_el
        ) from None


def _compile_principal(
    stmt: dict[str, object], pid: str, index: int, kind: PolicyKind
) -> CompiledPrincipals | None:
    """The Principal or NotPrincipal element: required in resource-based policies, allowed
    in RCPs, refused elsewhere; None when absent."""
    if "Principal" not in stmt and "NotPrincipal" not in stmt and kind not in _PRINCIPAL_REQUIRED:
        return None
    principal_el = _one_of(
        stmt,
        "Principal",
        "NotPrincipal",
        policy_id=pid,
        index=index,
        required=kind in _PRINCIPAL_REQUIRED,
    )
    if principal_el is None:
        return None
    if kind not in _PRINCIPAL_ALLOWED:
        raise MalformedPolicyDocument(
            f"a {kind.value} policy must not specify a principal",
            policy_id=pid,
            statement=index,
            element=principal_el,
        )
    return compile_principals(stmt[principal_el], policy_id=pid, statement=index, element=principal_el)


def _compile_condition(
    stmt: dict[str, object], pid: str, index: int, version: str | None, elements: ElementCache
) -> ConditionElement:
    """The Condition element (an absent one is the element that always matches)."""
    try:
        return elements.condition(stmt.get("Condition"), version)
    except MalformedPolicyDocument as exc:
        raise MalformedPolicyDocument(
            exc.detail, policy_id=pid, statement=index, element="Condition"
        ) from None


def _compile_statement(
    raw: object,
    index: int,
    spans: StatementSpans,
    *,
    source: PolicySource,
    version: str | None,
    elements: ElementCache,
) -> CompiledStatement:
    pid = source.source_id
    kind = source.kind
    stmt = _checked_statement(raw, pid, index)
    action = _compile_action(stmt, pid, index, elements)
    resource = _compile_resource(stmt, pid, index, kind, version, elements)
    principals = _compile_principal(stmt, pid, index, kind)
    condition = _compile_condition(stmt, pid, index, version, elements)
    keys = condition.keys
    context_keys = keys.keys | keys.variable_keys if keys.variable_keys else keys.keys
    if resource is not None and resource.context_keys:
        context_keys = context_keys | resource.context_keys
    # Each element's compiler has refused a statement holding both an element and its Not
    # form, so the Not form's presence says which one the statement uses.
    return CompiledStatement(
        index,
        stmt.get("Sid"),
        stmt["Effect"] == "Deny",
        action,
        "NotAction" in stmt,
        resource,
        "NotResource" in stmt,
        principals,
        "NotPrincipal" in stmt,
        condition,
        context_keys,
        spans,
    )


# The elements most statements are written with; a statement holding only these (Action and
# Resource required) is read by `_plain_statement` in one function.
_PLAIN_KEYS = frozenset({"Sid", "Effect", "Action", "Resource", "Condition"})


def _plain_values(value: object) -> tuple[str, ...] | None:
    """An Action or Resource value as `_as_string_list` reads it, when it is a non-empty
    string or a non-empty list of them; None otherwise (left to `_as_string_list`)."""
    if type(value) is str:
        return (value,) if value else None
    if type(value) is not list or not value or "" in value:
        return None
    try:
        "".join(value)  # raises TypeError unless each value is a string (C speed, no loop)
    except TypeError:
        return None
    return tuple(value)


def _plain_statement(
    raw: object, index: int, spans: StatementSpans, version: str | None, elements: ElementCache
) -> CompiledStatement | None:
    """The statement, when it is a plain one that passes every check; None otherwise.

    Plain: a JSON object with Effect, Action, Resource and at most Sid and Condition,
    whose Action and Resource values are a non-empty string or a non-empty list of them,
    in a policy kind that needs no Principal. It runs the same checks as
    `_compile_statement`, fewer calls deep (most statements are plain); on any doubt or
    failure it returns None and `_compile_statement` reads the statement again, so every
    refusal is decided and worded there.
    """
    if type(raw) is not dict or not _PLAIN_KEYS.issuperset(raw):
        return None
    sid = raw.get("Sid")
    effect = raw.get("Effect")
    if (sid is not None and type(sid) is not str) or (effect != "Allow" and effect != "Deny"):
        return None
    actions = _plain_values(raw.get("Action"))
    resources = _plain_values(raw.get("Resource"))
    if actions is None or resources is None:
        return None
    try:
        action = elements.action(actions)
        resource = elements.resource(resources, version)
        block = raw.get("Condition")
        # (Inline for the statements without a Condition, about half.)
        condition = elements.none if block is None else elements.condition(block, version)
    except MalformedPolicyDocument:
        return None
    keys = condition.keys
    context_keys = keys.keys | keys.variable_keys if keys.variable_keys else keys.keys
    if resource.context_keys:
        context_keys = context_keys | resource.context_keys
    return CompiledStatement(
        index,
        sid,
        effect == "Deny",
        action,
        False,
        resource,
        False,
        None,
        False,
        condition,
        context_keys,
        spans,
    )


def _reject_duplicate_keys(pairs: list[tuple[str, object]]) -> dict[str, object]:
    built = dict(pairs)  # C speed; a shorter dict means a key came twice
    if len(built) == len(pairs):
        return built
    seen: set[str] = set()
    for k, _ in pairs:
        if k in seen:
            raise MalformedPolicyDocument(f"duplicate key {k!r}", element=k)
        seen.add(k)
    return built  # pragma: no cover - unreachable: some key was repeated


_POLICY_DECODER = json.JSONDecoder(object_pairs_hook=_reject_duplicate_keys)
_FAST_DECODER = msgspec.json.Decoder()
_FAST_ENCODER = msgspec.json.Encoder()


def parse_document(text: str) -> object:
    """The JSON value of a policy text; a key written twice in one object is refused.

    The json module, with a hook that sees every object's pairs, decides and words every
    refusal. Most texts take a quicker way: msgspec reads them (it refuses what json would
    refuse or read differently: NaN, infinities, a BOM), and a text without backslashes
    holds each string exactly as msgspec writes it back, so the colons of the text and of
    the rewritten value differ only when a key came twice (a dropped pair takes its colon
    with it). Any doubt goes the slow way.
    """
    if "\\" not in text:
        try:
            doc = _FAST_DECODER.decode(text)
            rewritten = _FAST_ENCODER.encode(doc)
        except (msgspec.MsgspecError, RecursionError, OverflowError, TypeError, ValueError):
            pass
        else:
            if rewritten.count(b":") == text.count(":"):
                return doc
    # A text starting with a BOM gets json.loads's own error.
    return json.loads(text) if text.startswith("\ufeff") else _POLICY_DECODER.decode(text)


def compile_policy(source: PolicySource, elements: ElementCache | None = None) -> CompiledPolicy:
    """Parse `source.text` and check every statement; raise MalformedPolicyDocument.

    `elements` is the caller's cache of elements and patterns (an Engine keeps one);
    without it the policy gets a cache of its own.
    """
    if elements is None:
        elements = ElementCache()
    pid = source.source_id
    try:
        doc = parse_document(source.text)
    except MalformedPolicyDocument as exc:
        raise MalformedPolicyDocument(
            exc.detail, policy_id=pid, statement=exc.statement, element=exc.element
        ) from None
    except (json.JSONDecodeError, RecursionError) as exc:
        raise MalformedPolicyDocument(f"not valid JSON: {exc}", policy_id=pid) from None
    if not isinstance(doc, dict):
        raise MalformedPolicyDocument("a policy must be a JSON object", policy_id=pid)
    if not _TOP_LEVEL.issuperset(doc):
        unknown = sorted(doc.keys() - _TOP_LEVEL)[0]
        raise MalformedPolicyDocument(
            f"unknown top-level element {unknown!r}", policy_id=pid, element=unknown
        )
    version = doc.get("Version")
    if version is not None and version not in VERSIONS:
        raise MalformedPolicyDocument(
            f"Version must be one of {', '.join(VERSIONS)}, got {version!r}", policy_id=pid, element="Version"
        )
    policy_id = doc.get("Id")
    if policy_id is not None and not isinstance(policy_id, str):
        raise MalformedPolicyDocument("Id must be a string", policy_id=pid, element="Id")
    if "Statement" not in doc:
        raise MalformedPolicyDocument("missing Statement", policy_id=pid, element="Statement")
    raw_statements = doc["Statement"]
    if isinstance(raw_statements, dict):
        raw_statements = [raw_statements]
    if not isinstance(raw_statements, list):
        raise MalformedPolicyDocument(
            "Statement must be an object or a list of objects", policy_id=pid, element="Statement"
        )
    spans = StatementSpans(source.text, len(raw_statements))
    plain = source.kind not in _PRINCIPAL_REQUIRED
    statements: list[CompiledStatement] = []
    for i, raw in enumerate(raw_statements):
        st = _plain_statement(raw, i, spans, version, elements) if plain else None
        if st is None:
            st = _compile_statement(raw, i, spans, source=source, version=version, elements=elements)
        statements.append(st)
    compiled = tuple(statements)
    _reject_duplicate_sids(compiled, pid)
    return CompiledPolicy(source=source, version=version, policy_id=policy_id, statements=compiled)
