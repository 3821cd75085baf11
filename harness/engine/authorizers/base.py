"""What an authorizer is: the facts it reads, how it adjusts the enforced evaluation, how it decides.

The enforcement stage (enforcement.py) asks each authorizer of the registry,
in order, and the first verdict decides. An authorizer reads the resource only
through the resource facts it declares (`Facts` refuses any other), and the
request only through the request facts it declares; the simulator keys its
per-resource reuse on every declared resource fact (simulator.py), so a new
rule that reads a new fact cannot reuse an answer given for a resource that
differs in it.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from enum import StrEnum
from typing import Protocol

from harness.dataclass import dataclass
from harness.engine.evaluate import CompiledInputs, Evaluation, Request
from harness.engine.reasons import NoteCode, Verdict

# Plain (not frozen) dataclasses, as in reasons.py: import time counts on every CLI run.


class RequestFact(StrEnum):
    """Parts of the request an authorizer may read (the simulator's reuse is keyed on each)."""

    ACTION = "action"
    CALLER = "caller"  # ARN, kind, path
    ACCOUNTS = "accounts"  # the caller's and the resource owner's
    POLICIES = "policies"  # the policies given, and what each said (the Evaluation)
    GRANTS = "grants"  # the KMS grants of the requested resource (Request.grants)


@dataclass(frozen=True, eq=False)
class ResourceFact:
    """A yes/no test of the lower-cased action and the resource ARN.

    `scope` says for which (lower-cased) actions the test can answer yes; for any
    other action the fact is no without testing the resource.
    """

    name: str
    test: Callable[[str, str], bool]
    scope: Callable[[str], bool]


class Facts(dict[ResourceFact, bool]):
    """One resource's answers to the resource facts of one authorizer (read-only once built).

    A dict, so that `facts[FACT]`, asked by every authorizer for every request, is a plain
    lookup; a fact the authorizer did not declare is refused (`__missing__`).
    """

    __slots__ = ()

    def __init__(self, index: dict[ResourceFact, int], values: tuple[bool, ...]) -> None:
        super().__init__({fact: values[position] for fact, position in index.items()})

    def __missing__(self, fact: ResourceFact) -> bool:
        raise KeyError(f"resource fact {fact.name!r} is not declared by this authorizer")


@dataclass(slots=True)
class Adjustment:
    """How the enforced evaluation differs from the simulator's, and the note that says so.

    `wraps`: the note wraps the deciding authorizer's note; otherwise it is shown
    only when no other note explains a changed decision.
    """

    note: NoteCode
    wraps: bool = False
    drop_scps: bool = False
    resource: str | None = None  # evaluate against this resource instead (a stand-in ARN)


class Authorizer(Protocol):
    name: str
    request_facts: frozenset[RequestFact]
    resource_facts: tuple[ResourceFact, ...]

    def adjust(self, req: Request, inputs: CompiledInputs, facts: Facts) -> Adjustment | None:
        """What the service evaluates differently from the simulator for this request."""
        ...

    def decide(self, ev: Evaluation, facts: Facts) -> Verdict | None:
        """The service's decision on the enforced evaluation, or None to leave it to the next."""
        ...


@dataclass(slots=True)
class FactTests:
    """The registry's facts in scope for one action: (position, test) of each."""

    tests: tuple[tuple[int, Callable[[str, str], bool]], ...]


class Rule:
    """Defaults for an authorizer: adjusts nothing, decides nothing."""

    name = "rule"
    request_facts: frozenset[RequestFact] = frozenset()
    resource_facts: tuple[ResourceFact, ...] = ()

    def adjust(self, req: Request, inputs: CompiledInputs, facts: Facts) -> Adjustment | None:
        return None

    def decide(self, ev: Evaluation, facts: Facts) -> Verdict | None:
        return None


class Registry:
    """Authorizers in the order they are asked, and the resource facts they declare."""

    def __init__(self, authorizers: tuple[Authorizer, ...]) -> None:
        self.authorizers = authorizers
        facts: list[ResourceFact] = []
        for a in authorizers:
            facts.extend(f for f in a.resource_facts if f not in facts)
        self.facts: tuple[ResourceFact, ...] = tuple(facts)
        position = {f: i for i, f in enumerate(facts)}
        self._index = [{f: position[f] for f in a.resource_facts} for a in authorizers]
        self._none = (False,) * len(facts)
        # Each authorizer's Facts for every combination of answers, built here once
        # (2 ** len(facts) of them, for up to 8 facts) rather than for every resource;
        # read-only afterwards.
        self._facts: dict[tuple[bool, ...], list[Facts]] = (
            {
                values: [Facts(index, values) for index in self._index]
                for values in itertools.product((False, True), repeat=len(facts))
            }
            if len(facts) <= 8
            else {}
        )
        self._none_facts = self._facts.get(self._none) or [Facts(index, self._none) for index in self._index]
        # Only authorizers that adjust are asked to, for every resource; and only those that
        # can decide are asked for a verdict (Rule's defaults do neither).
        self._adjusters = [
            (n, a) for n, a in enumerate(authorizers) if getattr(type(a), "adjust", None) is not Rule.adjust
        ]
        self._deciders = [
            (n, a.decide)
            for n, a in enumerate(authorizers)
            if getattr(type(a), "decide", None) is not Rule.decide
        ]

    def _facts_for(self, values: tuple[bool, ...]) -> list[Facts]:
        if values is self._none:  # (most resources: no fact holds; the tuple's hash is not kept)
            return self._none_facts
        found = self._facts.get(values)
        return found if found is not None else [Facts(index, values) for index in self._index]

    @property
    def request_facts(self) -> frozenset[RequestFact]:
        return frozenset(f for a in self.authorizers for f in a.request_facts)

    def in_scope(self, action_lower: str) -> FactTests:
        """The facts that can hold for this action (asked once per action, not per resource)."""
        return FactTests(tuple((i, f.test) for i, f in enumerate(self.facts) if f.scope(action_lower)))

    def fact_values(self, tests: FactTests, action_lower: str, resource: str) -> tuple[bool, ...]:
        """Every declared resource fact for this action and resource (part of the reuse key)."""
        if not tests.tests:
            return self._none
        values = list(self._none)
        for i, test in tests.tests:
            values[i] = test(action_lower, resource)
        return tuple(values)

    def adjustments(
        self, req: Request, inputs: CompiledInputs, values: tuple[bool, ...]
    ) -> tuple[Adjustment, ...]:
        found: list[Adjustment] = []
        # (The common case first, without a call: no fact holds.)
        facts = self._none_facts if values is self._none else self._facts_for(values)
        for n, a in self._adjusters:
            adjustment = a.adjust(req, inputs, facts[n])
            if adjustment is not None:
                found.append(adjustment)
        return tuple(found) if found else ()

    def decide(self, ev: Evaluation, values: tuple[bool, ...]) -> Verdict:
        facts = self._none_facts if values is self._none else self._facts_for(values)
        for n, decide in self._deciders:
            verdict = decide(ev, facts[n])
            if verdict is not None:
                return verdict
        return Verdict(ev.decision)
