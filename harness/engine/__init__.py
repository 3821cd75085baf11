"""Offline IAM evaluation engine: SimulationInput in, SimulationOutput out.

`Engine.simulate` answers what the IAM Policy Simulator
(SimulateCustomPolicy / SimulatePrincipalPolicy) answers, and on every result
also what the real service enforces (`enforced_decision`, with a one-line
`advisory` where the two differ: KMS key policies, request context every real
request carries). Pure: no I/O, no module state; the compiled-policy cache
lives on the Engine instance.
"""

from __future__ import annotations

from harness.engine.bounded import SeenBefore, drop_oldest
from harness.engine.elements import ElementCache
from harness.engine.errors import InvalidInput, MalformedPolicyDocument, NoSuchEntity, SimulationError
from harness.engine.patterns import PatternCache
from harness.engine.policy import CompiledPolicy, compile_policy
from harness.engine.simulator import Simulator
from harness.engine.types import (
    ContextEntry,
    Decision,
    EvaluationResult,
    MatchedStatement,
    PolicyKind,
    PolicySource,
    Position,
    ResourceResult,
    SimulationInput,
    SimulationOutput,
)


class Engine:
    """Evaluate simulations; compiled policies and patterns are cached per engine (bounded).

    A policy seen again is compiled once per text and kind, whatever its id in the
    request: the same managed policy in many requests, or twice in one, is kept after its
    second reading. The key is the text itself: Python hashes a string once and confirms
    a hit by comparing the bytes, so two texts never share an entry (a truncated digest
    could collide, and costs more to compute). A policy seen for the first time is not
    kept (bounded.SeenBefore notes its hash): in a batch of distinct requests most are
    never seen again, and keeping each would only crowd out the ones that repeat and free
    it later from cold memory (on bench_reference.py's one-cell workload, fewer policies
    are compiled this way than with every policy kept). Least recently used entries go
    first. Patterns (`*`/`?` globs) and the Action, Resource and Condition elements are
    kept apart (elements.py, 16,384 each), so a policy compiled again finds its matchers
    built.
    """

    def __init__(
        self, *, explain: bool = True, cache_size: int = 256, pattern_cache_size: int = 16_384
    ) -> None:
        self._cache: dict[tuple[str, PolicyKind], CompiledPolicy] = {}
        self._cache_size = cache_size
        self._seen = SeenBefore()
        self._elements = ElementCache(PatternCache(pattern_cache_size), pattern_cache_size)
        self._simulator = Simulator(self.compile, explain=explain)

    def compile(self, source: PolicySource) -> CompiledPolicy:
        """Parse and compile one policy (cached). Raises MalformedPolicyDocument."""
        key = (source.text, source.kind)
        found = self._cache.pop(key, None)
        if found is not None:
            self._cache[key] = found  # now the most recently used
        else:
            # Not kept when malformed (raises): the error names this source's id.
            found = compile_policy(source, self._elements)
            if self._seen.check(hash(key)):
                if len(self._cache) >= self._cache_size:
                    # The least recently used entries go (dicts keep insertion order).
                    drop_oldest(self._cache, self._cache_size)
                self._cache[key] = found
        known = found.source
        if known is not source and (
            known.source_id != source.source_id
            or known.source_type != source.source_type
            or known.origin != source.origin
        ):
            # Same text and kind (the key) under another id, type or origin: share the
            # compiled statements.
            found = found.with_source(source)
        return found

    def simulate(self, inp: SimulationInput) -> SimulationOutput:
        """Run one simulation. Raises InvalidInput or MalformedPolicyDocument for bad input."""
        return self._simulator.run(inp)

    @property
    def cache_size(self) -> int:
        return len(self._cache)


__all__ = [
    "CompiledPolicy",
    "ContextEntry",
    "Decision",
    "Engine",
    "EvaluationResult",
    "InvalidInput",
    "MalformedPolicyDocument",
    "MatchedStatement",
    "NoSuchEntity",
    "PolicyKind",
    "PolicySource",
    "Position",
    "ResourceResult",
    "SimulationError",
    "SimulationInput",
    "SimulationOutput",
    "compile_policy",
]
