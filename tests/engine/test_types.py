"""The result and request types behave as dataclasses, with their hand-written initializers
(tests/test_dataclass.py checks that each takes every field, in order, with its default)."""

from __future__ import annotations

import dataclasses

import pytest

from harness.engine.types import (
    ContextEntry,
    Decision,
    EvaluationResult,
    PolicyKind,
    PolicySource,
    ResourceResult,
    SimulationInput,
)


def test_a_result_is_frozen_compares_by_value_and_replaces_like_a_dataclass() -> None:
    result = ResourceResult("arn:aws:s3:::b", Decision.ALLOWED, explanation=("allowed: x",))
    assert result == ResourceResult("arn:aws:s3:::b", Decision.ALLOWED, explanation=("allowed: x",))
    assert result.decision_details == {} and result.explanation == ("allowed: x",)
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.decision = Decision.EXPLICIT_DENY  # type: ignore[misc]
    denied = dataclasses.replace(result, decision=Decision.EXPLICIT_DENY)
    assert denied.decision is Decision.EXPLICIT_DENY and denied.resource == result.resource


def test_each_result_gets_its_own_decision_details() -> None:
    one, two = (
        EvaluationResult("s3:GetObject", "*", Decision.ALLOWED),
        EvaluationResult("s3:GetObject", "*", Decision.ALLOWED),
    )
    assert one.decision_details == {} and one.decision_details is not two.decision_details


def test_a_request_type_is_frozen_hashes_and_compares_by_value() -> None:
    source = PolicySource("{}", "PolicyInputList.1", "IAM Policy")
    inp = SimulationInput(
        ("s3:GetObject",), identity_policies=(source,), context=(ContextEntry("k", ("v",)),)
    )
    same = SimulationInput(
        ("s3:GetObject",),
        identity_policies=(PolicySource("{}", "PolicyInputList.1", "IAM Policy", PolicyKind.IDENTITY, ""),),
        context=(ContextEntry("k", ("v",), "string"),),
    )
    assert inp == same and hash(inp) == hash(same) and repr(inp) == repr(same)
    assert inp.resource_arns == ("*",) and source.origin == ""
    with pytest.raises(dataclasses.FrozenInstanceError):
        source.text = "x"  # type: ignore[misc]
    assert dataclasses.replace(source, origin="file.json").origin == "file.json"
