"""The authorizer registry (harness/engine/authorizers/): declared facts key the reuse of answers."""

from __future__ import annotations

import pytest
from engine_builders import allow, build_input, policy

from harness.engine import Decision, Engine
from harness.engine.authorizers import REGISTRY, Facts, Registry, RequestFact, ResourceFact, Rule
from harness.engine.authorizers.default import DefaultAuthorizer
from harness.engine.evaluate import Evaluation
from harness.engine.reasons import Note, NoteCode, Verdict
from harness.engine.simulator import KEYED_REQUEST_FACTS, Simulator

BUCKET_A = "arn:aws:s3:::bucket-a/locked/x"
BUCKET_B = "arn:aws:s3:::bucket-a/open/x"

LOCKED = ResourceFact(
    "an object under locked/",
    lambda action, resource: "/locked/" in resource,
    lambda action: action.startswith("s3:"),
)


class LockedObjects(Rule):
    """A made-up service rule that reads a resource fact no other authorizer reads."""

    name = "locked-objects"
    request_facts = frozenset({RequestFact.ACTION})
    resource_facts = (LOCKED,)

    def decide(self, ev: Evaluation, facts: Facts) -> Verdict | None:
        if facts[LOCKED]:
            return Verdict(Decision.IMPLICIT_DENY, Note(NoteCode.PROTECTED_ROLE))
        return None


class Undeclared(Rule):
    name = "undeclared"

    def decide(self, ev: Evaluation, facts: Facts) -> Verdict | None:
        facts[LOCKED]  # not in resource_facts
        return None


def _simulator(*authorizers: Rule) -> Simulator:
    engine = Engine()
    return Simulator(engine.compile, registry=Registry((*authorizers, DefaultAuthorizer())))


def test_a_new_rule_s_fact_keeps_resources_that_match_the_same_statements_apart() -> None:
    # Both objects match the same statement: only the new fact tells them apart, and
    # the reuse key comes from the registry, so the second is not given the first's answer.
    sim = _simulator(LockedObjects())
    out = sim.run(
        build_input("s3:GetObject", identity=[policy(allow("s3:*"))], resources=[BUCKET_A, BUCKET_B])
    )
    enforced = {rr.resource: rr.enforced_decision for rr in out.results[0].resource_results}
    assert enforced == {BUCKET_A: Decision.IMPLICIT_DENY, BUCKET_B: Decision.ALLOWED}


def test_an_authorizer_cannot_read_a_fact_it_did_not_declare() -> None:
    sim = _simulator(Undeclared(), LockedObjects())
    with pytest.raises(KeyError, match="not declared"):
        sim.run(build_input("s3:GetObject", identity=[policy(allow("s3:*"))], resources=[BUCKET_A]))


def test_a_fact_out_of_its_action_scope_is_no_without_testing() -> None:
    tests = Registry((LockedObjects(),)).in_scope("kms:decrypt")
    assert tests.tests == ()


def test_every_request_fact_an_authorizer_reads_is_one_the_reuse_is_keyed_on() -> None:
    for authorizer in REGISTRY.authorizers:
        assert authorizer.request_facts <= KEYED_REQUEST_FACTS, authorizer.name


def test_registry_lists_each_declared_resource_fact_once() -> None:
    declared = [f for a in REGISTRY.authorizers for f in a.resource_facts]
    assert set(REGISTRY.facts) == set(declared)
    assert len(REGISTRY.facts) == len(set(REGISTRY.facts))


def test_the_kms_authorizer_decides_key_requests_before_the_default() -> None:
    names = [a.name for a in REGISTRY.authorizers]
    assert names[0] == "kms" and names[-1] == "default"
