"""The parameters the harness sends, held to the IAM service model of the pinned botocore.

limits.py declares every parameter of the two simulate operations the
planner may send, with the limits of its shape; these tests read botocore's
own model and check each declaration exists there with the same bounds, and
that planned requests pass botocore's validator and use declared parameters
only.
"""

from __future__ import annotations

import botocore.session
import pytest
from aws_builders import (
    BUCKET,
    ROLE_ARN,
    allow,
    cell,
    context,
    custom,
    identity_policy,
    principal,
    resource_policy,
)
from botocore.validate import ParamValidator

from harness.backends.aws import limits
from harness.backends.aws.callers import Via
from harness.backends.aws.requests import CallerPlan, plan_batch
from harness.backends.batching import group_cells

MODEL = botocore.session.get_session().get_service_model("iam")


def _walk(spec: limits.Spec, shape, where: str) -> list[str]:
    """Differences between a declaration and the model's shape (empty: they agree)."""
    meta = shape.metadata
    if isinstance(spec, limits.Struct):
        if shape.type_name != "structure":
            return [f"{where}: declared a structure, the model has {shape.type_name}"]
        out = [f"{where}.{n}: not in the model" for n in spec.members if n not in shape.members]
        out += [f"{where}: required {spec.required} != {shape.required_members}"] * (
            sorted(spec.required) != sorted(shape.required_members)
        )
        out += [f"{where}: union {spec.union} != {bool(meta.get('union'))}"] * (
            spec.union != bool(meta.get("union"))
        )
        for name, member in spec.members.items():
            if name in shape.members:
                out += _walk(member, shape.members[name], f"{where}.{name}")
        return out
    if isinstance(spec, limits.Items):
        if shape.type_name != "list":
            return [f"{where}: declared a list, the model has {shape.type_name}"]
        out = [f"{where}: max {spec.max} != {meta.get('max')}"] * (spec.max != meta.get("max"))
        return out + _walk(spec.member, shape.member, f"{where}[]")
    if isinstance(spec, limits.Number):
        bounds = (spec.min, spec.max) != (meta.get("min"), meta.get("max"))
        return [f"{where}: {spec.min}..{spec.max} != {meta.get('min')}..{meta.get('max')}"] * bounds
    if shape.type_name != "string":
        return [f"{where}: declared a string, the model has {shape.type_name}"]
    out = [f"{where}: {spec.min}..{spec.max} != {meta.get('min')}..{meta.get('max')}"] * (
        (spec.min, spec.max) != (meta.get("min"), meta.get("max"))
    )
    out += [f"{where}: pattern {spec.pattern!r} != {meta.get('pattern')!r}"] * (
        spec.pattern != meta.get("pattern")
    )
    out += [f"{where}: enum {spec.enum} != {shape.enum}"] * (list(spec.enum) != list(shape.enum or []))
    return out


@pytest.mark.parametrize("operation", sorted(limits.OPERATIONS))
def test_every_declared_parameter_exists_in_the_model_with_its_documented_limits(operation: str) -> None:
    shape = MODEL.operation_model(operation).input_shape
    assert _walk(limits.OPERATIONS[operation], shape, operation) == []


def test_the_documented_list_limits_are_the_ones_the_planner_enforces() -> None:
    principal_shape = MODEL.operation_model("SimulatePrincipalPolicy").input_shape
    custom_shape = MODEL.operation_model("SimulateCustomPolicy").input_shape
    assert (
        principal_shape.members["PolicyExclusionList"].metadata["max"] == limits.MAX_POLICY_EXCLUSIONS == 256
    )
    assert (
        custom_shape.members["OrderedOrganizationPolicyInputList"].metadata["max"]
        == limits.MAX_SCP_LEVELS
        == 7
    )


DOC = identity_policy(allow("s3:*"))
ANYONE = {"Effect": "Allow", "Principal": "*", "Action": "s3:*", "Resource": "*"}
SCP = identity_policy(allow("*"), name="scp")


def _requests():
    """Requests of every kind the planner makes: principal and custom, direct and stand-in callers."""
    rp = resource_policy(ANYONE)
    batches = [
        [
            cell(
                principal(),
                "s3:GetObject",
                f"{BUCKET}/k",
                policy_exclusions=("arn:aws:iam::aws:policy/X", "mine"),
            )
        ],
        [
            cell(
                principal(ROLE_ARN),
                "s3:GetObject",
                f"{BUCKET}/k",
                resource_policy=rp,
                resource_owner="123456789012",
            )
        ],
        [cell(custom(DOC, caller=ROLE_ARN), "s3:GetObject", resource_policy=rp, scp_levels=((SCP,), (SCP,)))],
        [cell(custom(DOC), "s3:GetObject", context=(context("aws:SourceIp", "10.0.0.1", type="ip"),))],
    ]
    plans = (CallerPlan(), CallerPlan(via=Via.STAND_IN, stand_in_reason="pinned"))
    for cells in batches:
        [batch] = group_cells(cells)
        for plan in plans:
            yield from plan_batch(batch, partition="aws", max_actions=10, max_resources=10, caller=plan)


def test_planned_requests_pass_botocores_own_validation() -> None:
    validator = ParamValidator()
    for request in _requests():
        shape = MODEL.operation_model(request.operation).input_shape
        report = validator.validate({**request.params, "MaxItems": 1000}, shape)
        assert not report.has_errors(), report.generate_report()


def test_planned_requests_use_declared_parameters_only() -> None:
    for request in _requests():
        assert limits.problem(request.operation, request.params) is None


def test_an_undeclared_parameter_is_a_problem_naming_it() -> None:
    found = limits.problem(
        "SimulateCustomPolicy", {"PolicyInputList": ["{}"], "ActionNames": ["s3:x"], "Foo": 1}
    )
    assert found == "Foo is not a parameter of the API"


def test_a_too_long_action_name_is_a_problem_naming_it() -> None:
    found = limits.problem(
        "SimulateCustomPolicy", {"PolicyInputList": ["{}"], "ActionNames": ["s3:" + "x" * 200]}
    )
    assert found == "ActionNames.1: 203 characters, the API accepts at most 128"
