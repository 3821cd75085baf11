"""Which function applies each planned resource type, and which names what it creates."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from harness.plans.changes import PlannedResource
from harness.plans.iam_handlers import (
    identity_outputs,
    policy_outputs,
    put_attachment,
    put_identity,
    put_inline,
    put_managed_policy,
    put_membership,
    put_policy_attachment,
)
from harness.plans.org_handlers import org_policy_outputs, put_org_attachment, put_org_policy
from harness.plans.patcher import Patcher
from harness.plans.resource_handlers import key_outputs, put_alias, put_bucket_policy, put_key, put_key_policy

Handler = Callable[[Patcher, PlannedResource], None]

HANDLERS: dict[str, Handler] = {
    "aws_iam_role": put_identity,
    "aws_iam_user": put_identity,
    "aws_iam_group": put_identity,
    "aws_iam_role_policy": put_inline,
    "aws_iam_user_policy": put_inline,
    "aws_iam_group_policy": put_inline,
    "aws_iam_role_policy_attachment": put_attachment,
    "aws_iam_user_policy_attachment": put_attachment,
    "aws_iam_group_policy_attachment": put_attachment,
    "aws_iam_policy_attachment": put_policy_attachment,
    "aws_iam_policy": put_managed_policy,
    "aws_iam_user_group_membership": put_membership,
    "aws_iam_group_membership": put_membership,
    "aws_kms_key": put_key,
    "aws_kms_key_policy": put_key_policy,
    "aws_kms_alias": put_alias,
    "aws_s3_bucket_policy": put_bucket_policy,
    "aws_organizations_policy": put_org_policy,
    "aws_organizations_policy_attachment": put_org_attachment,
}

_OUTPUTS: dict[str, Callable[[Patcher, PlannedResource], dict[str, Any]]] = {
    "aws_iam_role": identity_outputs,
    "aws_iam_user": identity_outputs,
    "aws_iam_group": identity_outputs,
    "aws_iam_policy": policy_outputs,
    "aws_kms_key": key_outputs,
    "aws_organizations_policy": org_policy_outputs,
}


def outputs_of(p: Patcher, resource: PlannedResource) -> dict[str, Any]:
    """The names, ARNs and ids a resource will have, for references to it from the same plan."""
    make = _OUTPUTS.get(resource.type)
    return make(p, resource) if make else {}
