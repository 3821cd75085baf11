"""Action, Resource and Condition elements: checked once per engine, compiled on first use.

Accounts write the same elements again and again (the same Action lists, the
same Resource patterns and Condition blocks across policies and statements),
so an Engine keeps each element it has read, keyed by what was written: a
statement reuses the element's check, its context keys and, once some
request reaches it, its compiled matcher. An element that fails its check is
not kept; the error names the statement (policy.py adds where it sits).

Keys are exact: Action and Resource by their strings, Condition by its JSON as
msgspec writes the parsed block (`true`, `1` and `1.0` stay distinct; see
`ElementCache.condition` for NaN). A full table drops its oldest entries
(bounded.py `drop_oldest`).
"""

from __future__ import annotations

import re

import msgspec

from harness.dataclass import dataclass
from harness.engine.bounded import drop_oldest
from harness.engine.conditions import (
    NO_CONDITION_KEYS,
    CompiledConditions,
    ConditionKeys,
    check_conditions,
    compile_conditions,
)
from harness.engine.context import RequestContext
from harness.engine.errors import MalformedPolicyDocument
from harness.engine.patterns import Match, PatternCache, PatternFlavor
from harness.engine.variables import POLICY_VERSION_WITH_VARIABLES, Template

_ENCODER = msgspec.json.Encoder()

# IAM only checks that an action is prefaced by a service; an action name with
# other characters (a comma, spaces) is accepted and simply matches nothing.
_ACTION_RE = re.compile(r"^[A-Za-z0-9*?-]+:")
# The service prefix of each line of an element's values joined by newlines (checked in one pass).
_PREFIX_LINES = re.compile(r"^([A-Za-z0-9*?-]+):", re.MULTILINE)
# A service prefix without wildcards (the one most elements write in every value).
_PLAIN_SERVICE = re.compile(r"[A-Za-z0-9-]+")


# ---------------------------------------------------------------------------
# Matchers


@dataclass(slots=True)
class ActionMatcher:
    """Action / NotAction values: case-insensitive, `*` and `?` wildcards."""

    values: tuple[str, ...]
    exact: frozenset[str]
    # The text before the star of each value whose one wildcard is a final `*` (`s3:Get*`,
    # `sqs:*`, the common shape): one `startswith` call tests them all.
    starts: tuple[str, ...]
    wildcards: tuple[Match, ...]  # one matcher per other value with a wildcard (patterns.py fast paths)

    def matches(self, action_lower: str) -> bool:
        if action_lower in self.exact or action_lower.startswith(self.starts):
            return True
        for match in self.wildcards:  # noqa: SIM110 (hot path: no generator)
            if match(action_lower):
                return True
        return False


def _compile_actions(values: tuple[str, ...], patterns: PatternCache) -> ActionMatcher:
    # "The prefix and the action name are case insensitive"
    # (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html):
    # values and the requested action are compared lower-cased.
    joined = "\n".join(values)
    if "*" not in joined and "?" not in joined:  # no wildcard in any value
        return ActionMatcher(values, frozenset(map(str.lower, values)), (), ())
    exact: set[str] = set()
    starts: list[str] = []
    wildcards: list[Match] = []
    for v in values:
        low = v.lower()
        if "*" not in low and "?" not in low:
            exact.add(low)
            continue
        head = low[:-1]
        if low[-1] == "*" and "*" not in head and "?" not in head:
            starts.append(head)
        else:
            wildcards.append(patterns.pattern(PatternFlavor.ACTION, low))
    return ActionMatcher(values, frozenset(exact), tuple(starts), tuple(wildcards))


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


# An ARN as the Resource element takes it: arn:partition:service:region:account:resource.
#
# IAM refuses a value that is not in ARN format ("Resource ... must be in ARN
# format or '*'"; https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html
# gives the six fields). Region and account may be empty (`arn:aws:s3:::bucket`).
# Our reading, where the docs say nothing more: fewer than six fields is
# accepted only when the value ends in `*` (`arn:aws:kms:*`), since a
# segment-final `*` may expand past the colons that follow; `arn:aws:kms`
# is refused like `not-an-arn`. Every field but the last is non-empty there.
# (Use `fullmatch`; one regex call per value costs less than splitting it.)
_RESOURCE_ARN = re.compile(r"arn:(?:[^:]+:[^:]+:[^:]*:[^:]*:.*|(?:[^:]+:){0,3}[^:]*\*)", re.DOTALL)


# ---------------------------------------------------------------------------
# Elements


@dataclass(slots=True)
class ActionElement:
    """An Action (or NotAction) element: its values, the services they name, its matcher."""

    values: tuple[str, ...]
    # Lower-cased service prefixes the values can match; None when a value's prefix
    # holds a wildcard (or is `*`), i.e. any service.
    prefixes: frozenset[str] | None
    patterns: PatternCache
    _matcher: ActionMatcher | None = None

    @property
    def matcher(self) -> ActionMatcher:
        found = self._matcher
        if found is None:
            found = self._matcher = _compile_actions(self.values, self.patterns)
        return found


@dataclass(slots=True)
class ResourceElement:
    """A Resource (or NotResource) element: its values, the policy variables it reads, its matcher."""

    values: tuple[str, ...]
    variables: bool  # policy variables are substituted (the policy's Version)
    context_keys: frozenset[str]  # lower-cased keys of its policy variables
    patterns: PatternCache
    _matcher: ResourceMatcher | None = None

    @property
    def matcher(self) -> ResourceMatcher:
        found = self._matcher
        if found is None:
            found = self._matcher = _compile_resources(
                self.values, variables=self.variables, patterns=self.patterns
            )
        return found


@dataclass(slots=True)
class ConditionElement:
    """A Condition element (checked), the context keys it reads, and its compiled clauses."""

    block: object  # as parsed; None without a Condition
    version: str | None
    keys: ConditionKeys
    patterns: PatternCache
    _compiled: CompiledConditions | None = None

    @property
    def compiled(self) -> CompiledConditions:
        found = self._compiled
        if found is None:
            found = self._compiled = compile_conditions(
                self.block, policy_version=self.version, patterns=self.patterns
            )
        return found


def _action_prefixes(values: tuple[str, ...]) -> frozenset[str] | None:
    """Lower-cased service prefixes of Action values; None when one may be any service."""
    prefixes: set[str] = set()
    for v in values:
        prefix = v.split(":", 1)[0].lower()
        if "*" in prefix or "?" in prefix:
            return None
        prefixes.add(prefix)
    return frozenset(prefixes)


def _checked_prefixes(values: tuple[str, ...]) -> frozenset[str] | None:
    """Check each Action value (see `_ACTION_RE`) and return `_action_prefixes` of them.

    Values without a newline (all that policies write) are checked over their joined
    text, a line per value: when every line starts with the first one's service and a
    colon, a service without wildcards (most elements name one service), two counts check
    them all; otherwise, without a bare `*`, one regex pass reads each line's prefix. Any
    other element takes the value-by-value check.
    """
    joined = "\n".join(values)
    newlines = len(values) - 1
    if joined.count("\n") != newlines:
        return _checked_each(values)
    colon = joined.find(":")
    service = joined[:colon]
    if (
        colon > 0
        and _PLAIN_SERVICE.fullmatch(service) is not None
        and joined.count(f"\n{service}:") == newlines
    ):
        return frozenset((service.lower(),))
    if "*" not in values:
        prefixes = _PREFIX_LINES.findall(joined)
        if len(prefixes) == len(values):
            lowered = "\n".join(prefixes).lower()
            if "*" in lowered or "?" in lowered:
                return None
            return frozenset(lowered.split("\n"))
    return _checked_each(values)


def _checked_each(values: tuple[str, ...]) -> frozenset[str] | None:
    """`_checked_prefixes`, value by value."""
    for a in values:
        if a != "*" and not _ACTION_RE.match(a):
            raise MalformedPolicyDocument(f"action {a!r} must be 'service:action' or '*'")
    return _action_prefixes(values)


class ElementCache:
    """The elements an Engine has read (bounded); `patterns` compiles their wildcards.

    Each method checks an element the first time it is written and raises
    MalformedPolicyDocument (no policy or statement named) when it is malformed.
    Resources and Conditions are kept in two tables each, by whether the policy's Version
    substitutes variables, so a key is the written element alone.
    """

    __slots__ = (
        "_actions",
        "_conditions",
        "_conditions_v",
        "_limit",
        "_resources",
        "_resources_v",
        "none",
        "patterns",
    )

    def __init__(self, patterns: PatternCache | None = None, limit: int = 16_384) -> None:
        self.patterns = patterns if patterns is not None else PatternCache()
        self._limit = limit
        self._actions: dict[tuple[str, ...], ActionElement] = {}
        # `_v`: written under the Version that substitutes policy variables.
        self._resources: dict[tuple[str, ...], ResourceElement] = {}
        self._resources_v: dict[tuple[str, ...], ResourceElement] = {}
        self._conditions: dict[bytes, ConditionElement] = {}
        self._conditions_v: dict[bytes, ConditionElement] = {}
        self.none = ConditionElement(None, None, NO_CONDITION_KEYS, self.patterns)

    def action(self, values: tuple[str, ...]) -> ActionElement:
        found = self._actions.get(values)
        if found is None:
            found = ActionElement(values, _checked_prefixes(values), self.patterns)
            if len(self._actions) >= self._limit:
                drop_oldest(self._actions, self._limit)
            self._actions[values] = found
        return found

    def resource(self, values: tuple[str, ...], version: str | None) -> ResourceElement:
        variables = version == POLICY_VERSION_WITH_VARIABLES  # variables_enabled, inline: per statement
        table = self._resources_v if variables else self._resources
        found = table.get(values)
        if found is None:
            keys: frozenset[str] = frozenset()
            for v in values:
                if v != "*" and _RESOURCE_ARN.fullmatch(v) is None:
                    raise MalformedPolicyDocument(f"resource {v!r} must be an ARN or '*'")
                if variables and "${" in v:
                    keys |= Template(v, variables=True).variable_keys
            found = ResourceElement(values, variables, keys, self.patterns)
            if len(table) >= self._limit:
                drop_oldest(table, self._limit)
            table[values] = found
        return found

    def condition(self, block: object, version: str | None) -> ConditionElement:
        if block is None:
            return self.none
        try:
            text = _ENCODER.encode(block)
        except (TypeError, ValueError, OverflowError, RecursionError):
            text = b"null"  # not kept: checked as is (and refused)
        if b"null" in text:
            # No valid Condition holds a null, and msgspec writes NaN and infinities as
            # null: such a block is checked as is and not kept, so neither can pass for
            # the other (a value merely containing "null" only loses the reuse).
            keys = check_conditions(block, policy_version=version, patterns=self.patterns)
            return ConditionElement(block, version, keys, self.patterns)
        table = self._conditions_v if version == POLICY_VERSION_WITH_VARIABLES else self._conditions
        found = table.get(text)
        if found is None:
            keys = check_conditions(block, policy_version=version, patterns=self.patterns)
            found = ConditionElement(block, version, keys, self.patterns)
            if len(table) >= self._limit:
                drop_oldest(table, self._limit)
            table[text] = found
        return found
