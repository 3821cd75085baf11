"""The last authorizer: where no service rule applies, the service decides as the simulator does
(on the enforced evaluation: the request with the context every real request carries)."""

from __future__ import annotations

from harness.engine.authorizers.base import Facts, RequestFact, Rule
from harness.engine.evaluate import Evaluation
from harness.engine.reasons import Verdict


class DefaultAuthorizer(Rule):
    name = "default"
    request_facts = frozenset({RequestFact.POLICIES})

    def decide(self, ev: Evaluation, facts: Facts) -> Verdict | None:
        return Verdict(ev.decision)
