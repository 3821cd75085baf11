"""The resource types a plan may change in the account model, and those that may carry IAM policy."""

from __future__ import annotations

from typing import Any

HANDLED_TYPES = frozenset(
    {
        "aws_iam_role",
        "aws_iam_role_policy",
        "aws_iam_role_policy_attachment",
        "aws_iam_policy",
        "aws_iam_user",
        "aws_iam_user_policy",
        "aws_iam_user_policy_attachment",
        "aws_iam_group",
        "aws_iam_group_policy",
        "aws_iam_group_policy_attachment",
        "aws_iam_user_group_membership",
        "aws_iam_group_membership",
        "aws_iam_policy_attachment",
        "aws_kms_key",
        "aws_kms_key_policy",
        "aws_kms_alias",
        "aws_s3_bucket_policy",
        "aws_organizations_policy",
        "aws_organizations_policy_attachment",
    }
)

# Words in a type name that say it holds or grants access (aws_sqs_queue_policy,
# aws_lambda_permission, aws_iam_role_policies_exclusive, aws_kms_grant...).
_POLICY_WORDS = ("policy", "policies", "permission", "grant", "trust")


def may_carry_policy(rtype: str, values: Any) -> bool:
    """A type the model does not take that can still change who may do what: warned, never dropped."""
    if any(word in rtype for word in _POLICY_WORDS) or rtype.startswith("aws_iam_"):
        return True
    if isinstance(values, dict):
        return any("policy" in str(key) for key in values)
    return False
