"""The result and request types: their hand-written initializers take every field, as a
dataclass's would."""

from __future__ import annotations

import dataclasses
import inspect

import pytest

from harness.engine import types
from harness.engine.types import (
    ContextEntry,
    Decision,
    EvaluationResult,
    PolicyKind,
    PolicySource,
    ResourceResult,
    SimulationInput,
)


def _own_initializers() -> list[type]:
    """The records of types.py that write their own initializer (built for every request)."""
    return [
        cls
        for cls in vars(types).values()
        if isinstance(cls, type)
        and cls.__module__ == types.__name__
        and dataclasses.is_dataclass(cls)
        and not cls.__dataclass_params__.init  # type: ignore[attr-defined]
    ]


@pytest.mark.parametrize("cls", _own_initializers(), ids=lambda cls: cls.__qualname__)
def test_the_initializer_takes_every_field_in_order_with_its_default(cls: type) -> None:
    params = list(inspect.signature(cls.__init__).parameters.values())[1:]
    fields = dataclasses.fields(cls)
    assert [p.name for p in params] == [f.name for f in fields]
    for p, f in zip(params, fields, strict=True):
        if f.default_factory is not dataclasses.MISSING:
            assert p.default is None  # (a fresh default per object)
        elif f.default is not dataclasses.MISSING and f.name != "explanation":
            assert p.default == f.default
        else:
            assert f.name == "explanation" or p.default is inspect.Parameter.empty


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
