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
from dataclasses import dataclass, field

from harness.engine.conditions import CompiledConditions, check_conditions, compile_conditions
from harness.engine.context import RequestContext
from harness.engine.errors import MalformedPolicyDocument
from harness.engine.patterns import Match, PatternCache, PatternFlavor
from harness.engine.principals import CompiledPrincipals, compile_principals
from harness.engine.types import PolicyKind, PolicySource, Position
from harness.engine.variables import Template, variables_enabled

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

# IAM only checks that an action is prefaced by a service; an action name with
# other characters (a comma, spaces) is accepted and simply matches nothing.
_ACTION_RE = re.compile(r"^[A-Za-z0-9*?-]+:")
_DECODER = json.JSONDecoder()


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
        for m in re.finditer("\n", text):
            self.line_starts.append(m.end())

    def position_after(self, offset: int) -> Position:
        """1-based line and column of the character just after `offset`."""
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
        self.skip_ws()
        if self.text[self.i] != "{":
            return []
        self.i += 1
        found: list[tuple[int, int]] = []
        while True:
            self.skip_ws()
            if self.text[self.i] == "}":
                return found
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
            # The last duplicate key wins, as in json.loads.
            found = []
            if self.text[self.i] == "{":
                found.append(self.skip_value())
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
                    found.append(self.skip_value())
            else:
                self.skip_value()


def scan_statement_spans(text: str) -> list[tuple[Position, Position]]:
    """Start and end positions (AWS convention, see module doc) of each statement."""
    scanner = _Scanner(text)
    return [(scanner.position_after(a), scanner.position_after(b)) for a, b in scanner.statement_spans()]


class StatementSpans:
    """Positions of a policy's statements, scanned on first use.

    Only a statement that ends up in MatchedStatements needs its position, and most
    policies of a mixed workload never do, so the text is scanned lazily, once.
    """

    __slots__ = ("_count", "_spans", "_text")

    def __init__(self, text: str, count: int) -> None:
        self._text = text
        self._count = count
        self._spans: list[tuple[Position, Position]] | None = None

    def __getitem__(self, index: int) -> tuple[Position, Position]:
        if self._spans is None:
            spans = scan_statement_spans(self._text)
            if len(spans) != self._count:  # pragma: no cover - the scanner follows json.loads
                spans = [(Position(0, 0), Position(0, 0))] * self._count
            self._spans = spans
        return self._spans[index]


# ---------------------------------------------------------------------------
# Compiled elements


@dataclass(slots=True)
class ActionMatcher:
    """Action / NotAction values: case-insensitive, `*` and `?` wildcards."""

    values: tuple[str, ...]
    exact: frozenset[str]
    wildcards: tuple[Match, ...]  # one matcher per value with a wildcard (patterns.py fast paths)

    def matches(self, action_lower: str) -> bool:
        if action_lower in self.exact:
            return True
        for match in self.wildcards:  # noqa: SIM110 (hot path: no generator)
            if match(action_lower):
                return True
        return False


def _compile_actions(values: tuple[str, ...], patterns: PatternCache) -> ActionMatcher:
    # "The prefix and the action name are case insensitive"
    # (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html):
    # values and the requested action are compared lower-cased.
    exact: set[str] = set()
    wildcards: list[Match] = []
    for v in values:
        low = v.lower()
        if "*" in low or "?" in low:
            wildcards.append(patterns.pattern(PatternFlavor.ACTION, low))
        else:
            exact.add(low)
    return ActionMatcher(values, frozenset(exact), tuple(wildcards))


def _action_prefixes(values: tuple[str, ...]) -> frozenset[str] | None:
    """Lower-cased service prefixes of Action values; None when one may be any service."""
    prefixes: set[str] = set()
    for v in values:
        prefix = v.split(":", 1)[0].lower()
        if "*" in prefix or "?" in prefix:
            return None
        prefixes.add(prefix)
    return frozenset(prefixes)


@dataclass(slots=True)
class ResourceMatcher:
    """Resource / NotResource values; policy variables are filled per request.

    Resource element page (reference_policies_elements_resource.html,
    "Including wildcard characters in the resource ARN"): `*` and `?` work
    inside any ARN segment (the colon-separated parts); a `*` that is the last
    character of a segment may expand past the colons that follow. We keep a
    `*` or `?` in the middle of one of the first five segments inside that
    segment, and let a segment-final `*` and anything in the resource part run
    freely (patterns.py `resource_tokens`). Matching is case-sensitive.
    """

    values: tuple[str, ...]
    any: bool  # a bare "*" is present
    exact: frozenset[str]
    wildcards: tuple[Match, ...]
    templates: tuple[Template, ...]
    patterns: PatternCache

    def matches(self, resource: str, ctx: RequestContext) -> bool:
        if self.any or resource in self.exact:
            return True
        for match in self.wildcards:
            if match(resource):
                return True
        for t in self.templates:
            segs = t.segments(ctx)
            if segs is None:
                continue  # a variable without a value matches nothing
            if self.patterns.matcher(PatternFlavor.RESOURCE, tuple(segs))(resource):
                return True
        return False

    def unresolved_keys(self, ctx: RequestContext) -> tuple[str, ...]:
        """Context keys of policy variables that have no value (for MissingContextValues)."""
        out: list[str] = []
        for t in self.templates:
            for written in t.unresolved(ctx):
                key = written[2:-1].split(",", 1)[0].strip() if written.startswith("${") else written
                if key not in out:
                    out.append(key)
        return tuple(out)


def _compile_resources(
    values: tuple[str, ...], *, variables: bool, patterns: PatternCache
) -> ResourceMatcher:
    exact: set[str] = set()
    wildcards: list[Match] = []
    templates: list[Template] = []
    has_any = False
    for v in values:
        if v == "*":
            has_any = True
            continue
        if variables and "${" in v and (t := Template(v, variables=variables)).has_variables:
            templates.append(t)
        elif "*" in v or "?" in v:
            wildcards.append(patterns.pattern(PatternFlavor.RESOURCE, v))
        else:
            exact.add(v)
    return ResourceMatcher(values, has_any, frozenset(exact), tuple(wildcards), tuple(templates), patterns)


@dataclass(slots=True)
class StatementCompiler:
    """What a policy's statements compile their matchers with: the engine's pattern
    cache and whether policy variables are substituted (the policy's Version)."""

    patterns: PatternCache
    version: str | None


@dataclass(slots=True)
class CompiledStatement:
    """One statement: checked whole when its policy is read, matchers compiled when used.

    Reading a policy refuses every malformed element of every statement, so a
    policy is never half evaluated; but most statements of an account's policies
    concern other services than a request's, so Action, Resource and Condition
    matchers are built the first time a request reaches them, once.
    """

    index: int  # 0-based position in the Statement list
    sid: str | None
    deny: bool
    action_values: tuple[str, ...]
    # Lower-cased service prefixes the Action element can match; None when a value's
    # prefix holds a wildcard (or is `*`), i.e. any service.
    prefixes: frozenset[str] | None
    not_action: bool
    resource_values: tuple[str, ...] | None  # None: no Resource element (trust-style resource policy)
    not_resource: bool
    principals: CompiledPrincipals | None
    not_principal: bool
    condition_block: object  # the Condition element as parsed (checked), None without one
    # Lower-cased context keys the statement reads: condition keys, and policy variables
    # in Condition values and Resource.
    context_keys: frozenset[str]
    spans: StatementSpans  # shared by the policy's statements
    compiler: StatementCompiler  # shared by the policy's statements
    # Explanation text that depends only on the statement and its policy's id (render.py),
    # keyed by (source id, element): written once, not for every request that misses it.
    miss_lines: dict[tuple[str, str], tuple[str, str]] = field(default_factory=dict)
    _actions: ActionMatcher | None = None
    _resources: ResourceMatcher | None = None
    _conditions: CompiledConditions | None = None

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
    def actions(self) -> ActionMatcher:
        found = self._actions
        if found is None:
            found = self._actions = _compile_actions(self.action_values, self.compiler.patterns)
        return found

    @property
    def resources(self) -> ResourceMatcher | None:
        found = self._resources
        if found is None and self.resource_values is not None:
            found = self._resources = _compile_resources(
                self.resource_values,
                variables=variables_enabled(self.compiler.version),
                patterns=self.compiler.patterns,
            )
        return found

    @property
    def conditions(self) -> CompiledConditions:
        found = self._conditions
        if found is None:
            found = self._conditions = compile_conditions(
                self.condition_block, policy_version=self.compiler.version, patterns=self.compiler.patterns
            )
        return found

    def action_matches(self, action_lower: str) -> bool:
        return self.actions.matches(action_lower) != self.not_action

    def resource_matches(self, resource: str, ctx: RequestContext) -> bool:
        rm = self.resources
        if rm is None:
            return True
        if self.not_resource and rm.unresolved_keys(ctx):
            # IAM User Guide, policy variables: a variable AWS cannot resolve may
            # make the whole statement invalid. Under NotResource "matches no
            # listed resource" would otherwise read as "applies to everything",
            # turning a missing value into a grant, so the statement does not apply.
            # https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html
            return False
        return rm.matches(resource, ctx) != self.not_resource


@dataclass(slots=True)
class CompiledPolicy:
    source: PolicySource
    version: str | None
    policy_id: str | None
    statements: tuple[CompiledStatement, ...]
    # Statements that can match an action of a given service, in document order;
    # `_wild` holds those whose Action (or NotAction) may match any service.
    _by_service: dict[str, tuple[CompiledStatement, ...]] = field(default_factory=dict)
    _wild: tuple[CompiledStatement, ...] = ()
    _by_action: dict[str, tuple[CompiledStatement, ...]] = field(default_factory=dict)
    # Lower-cased condition keys referenced anywhere in the policy.
    condition_keys: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        by_service: dict[str, list[CompiledStatement]] = {}
        wild: list[CompiledStatement] = []
        keys: set[str] = set()
        for st in self.statements:
            keys |= st.context_keys
            if st.not_action or st.prefixes is None:
                wild.append(st)
            else:
                for p in st.prefixes:
                    by_service.setdefault(p, []).append(st)
        self._wild = tuple(wild)
        self._by_service = {k: tuple(v) for k, v in by_service.items()}
        self.condition_keys = frozenset(keys)

    def with_source(self, source: PolicySource) -> CompiledPolicy:
        """The same compiled policy under another source id or type (same text and kind)."""
        # Field by field (copy.copy is slower), sharing statements and the per-action index.
        clone = object.__new__(CompiledPolicy)
        clone.source = source
        clone.version = self.version
        clone.policy_id = self.policy_id
        clone.statements = self.statements
        clone._by_service = self._by_service
        clone._wild = self._wild
        clone._by_action = self._by_action
        clone.condition_keys = self.condition_keys
        return clone

    def service_statements(self, service: str) -> tuple[CompiledStatement, ...]:
        """Statements whose Action/NotAction element can match some action of `service`
        (lower-cased prefix), in document order; the others name only other services."""
        candidates = self._by_service.get(service, ())
        if self._wild:
            candidates = tuple(sorted((*candidates, *self._wild), key=lambda s: s.index))
        return candidates

    def statements_for(self, action_lower: str) -> tuple[CompiledStatement, ...]:
        """Statements whose Action/NotAction element matches, in document order.

        Action matching does not depend on the resource or context, so the
        answer is kept per action on this (per-engine) object.
        """
        found = self._by_action.get(action_lower)
        if found is not None:
            return found
        candidates = self.service_statements(action_lower.split(":", 1)[0])
        found = tuple(st for st in candidates if st.action_matches(action_lower))
        if len(self._by_action) > 4096:
            self._by_action.clear()
        self._by_action[action_lower] = found
        return found


# ---------------------------------------------------------------------------
# Parsing


def _as_string_list(value: object, *, policy_id: str, index: int, element: str) -> tuple[str, ...]:
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


def _is_resource_arn(value: str) -> bool:
    """An ARN as the Resource element takes it: arn:partition:service:region:account:resource.

    IAM refuses a value that is not in ARN format ("Resource ... must be in ARN
    format or '*'"; https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html
    gives the six fields). Region and account may be empty (`arn:aws:s3:::bucket`).
    Our reading, where the docs say nothing more: fewer than six fields is
    accepted only when the value ends in `*` (`arn:aws:kms:*`), since a
    segment-final `*` may expand past the colons that follow; `arn:aws:kms`
    is refused like `not-an-arn`.
    """
    parts = value.split(":", 5)
    if parts[0] != "arn" or len(parts) < 2:
        return False
    if len(parts) == 6:
        return bool(parts[1]) and bool(parts[2])
    return value.endswith("*") and all(parts[1:-1])


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


def _compile_statement(
    raw: object,
    index: int,
    spans: StatementSpans,
    *,
    source: PolicySource,
    version: str | None,
    compiler: StatementCompiler,
) -> CompiledStatement:
    pid = source.source_id
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

    action_el = _one_of(raw, "Action", "NotAction", policy_id=pid, index=index, required=True)
    assert action_el is not None
    actions = _as_string_list(raw[action_el], policy_id=pid, index=index, element=action_el)
    for a in actions:
        if a != "*" and not _ACTION_RE.match(a):
            raise MalformedPolicyDocument(
                f"action {a!r} must be 'service:action' or '*'",
                policy_id=pid,
                statement=index,
                element=action_el,
            )

    # Resource-based policies attached to roles (trust policies) have no
    # Resource element; every other kind needs one.
    resource_el = _one_of(
        raw,
        "Resource",
        "NotResource",
        policy_id=pid,
        index=index,
        required=source.kind != PolicyKind.RESOURCE,
    )
    resources = None
    if resource_el is not None:
        values = _as_string_list(raw[resource_el], policy_id=pid, index=index, element=resource_el)
        for v in values:
            if v != "*" and not _is_resource_arn(v):
                raise MalformedPolicyDocument(
                    f"resource {v!r} must be an ARN or '*'",
                    policy_id=pid,
                    statement=index,
                    element=resource_el,
                )
        resources = values

    principal_el = _one_of(
        raw,
        "Principal",
        "NotPrincipal",
        policy_id=pid,
        index=index,
        required=source.kind in _PRINCIPAL_REQUIRED,
    )
    principals = None
    if principal_el is not None:
        if source.kind not in _PRINCIPAL_ALLOWED:
            raise MalformedPolicyDocument(
                f"a {source.kind.value} policy must not specify a principal",
                policy_id=pid,
                statement=index,
                element=principal_el,
            )
        principals = compile_principals(
            raw[principal_el], policy_id=pid, statement=index, element=principal_el
        )

    block = raw.get("Condition")
    try:
        keys = check_conditions(block, policy_version=version, patterns=compiler.patterns)
    except MalformedPolicyDocument as exc:
        raise MalformedPolicyDocument(
            exc.detail, policy_id=pid, statement=index, element="Condition"
        ) from None
    context_keys = keys.keys | keys.variable_keys
    if resources is not None and variables_enabled(version):
        for v in resources:
            if "${" in v:
                context_keys |= Template(v, variables=True).variable_keys

    return CompiledStatement(
        index=index,
        sid=sid,
        deny=effect == "Deny",
        action_values=actions,
        prefixes=_action_prefixes(actions),
        not_action=action_el == "NotAction",
        resource_values=resources,
        not_resource=resource_el == "NotResource",
        principals=principals,
        not_principal=principal_el == "NotPrincipal",
        condition_block=block,
        context_keys=context_keys,
        spans=spans,
        compiler=compiler,
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


def compile_policy(source: PolicySource, patterns: PatternCache | None = None) -> CompiledPolicy:
    """Parse `source.text` and compile every statement; raise MalformedPolicyDocument.

    `patterns` is the caller's cache of compiled patterns (an Engine keeps one); without it
    the policy gets a cache of its own.
    """
    if patterns is None:
        patterns = PatternCache()
    pid = source.source_id
    try:
        doc = json.loads(source.text, object_pairs_hook=_reject_duplicate_keys)
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
    compiler = StatementCompiler(patterns, version)
    compiled = tuple(
        _compile_statement(raw, i, spans, source=source, version=version, compiler=compiler)
        for i, raw in enumerate(raw_statements)
    )
    _reject_duplicate_sids(compiled, pid)
    return CompiledPolicy(source=source, version=version, policy_id=policy_id, statements=compiled)
