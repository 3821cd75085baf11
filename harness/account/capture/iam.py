"""The IAM section of a capture: GetAccountAuthorizationDetails, every page.

GetAccountAuthorizationDetails returns users (with their groups), groups, roles (with
their trust policies; service-linked roles included), their inline policies, attached
managed policies, permissions boundaries and tags, and every customer managed policy with
its versions; results come in pages of MaxItems with IsTruncated and Marker
(https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetAccountAuthorizationDetails.html).
AWS managed policies are not asked for in bulk (there are more than a thousand): the ones
attached or used as a boundary are read with GetPolicy and GetPolicyVersion.

What is written: the members of AWS's own shapes, less those that change without any
change of permissions (RoleLastUsed, CreateDate, attachment counts, instance profiles),
so two captures of an unchanged account are equal. Only the default version of a managed
policy is kept: it is the one in force.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from harness.account.capture.calls import Refused, ServiceCalls
from harness.account.capture.gaps import Gap, document, tags

_KINDS = (
    # list key, name key, inline policies key
    ("UserDetailList", "UserName", "UserPolicyList"),
    ("GroupDetailList", "GroupName", "GroupPolicyList"),
    ("RoleDetailList", "RoleName", "RolePolicyList"),
)


@dataclass
class IamSection:
    details: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    gaps: list[Gap] = field(default_factory=list)


def capture_iam(calls: ServiceCalls, account_id: str, *, page_size: int = 1000) -> IamSection:
    out = IamSection()
    raw: dict[str, list[dict[str, Any]]] = {k: [] for k, _, _ in _KINDS} | {"Policies": []}
    try:
        for page in calls.pages(
            "GetAccountAuthorizationDetails",
            token_in="Marker",
            token_out="Marker",
            truncated="IsTruncated",
            Filter=["User", "Role", "Group", "LocalManagedPolicy"],
            MaxItems=page_size,
        ):
            for key in raw:
                raw[key].extend(page.get(key) or [])
    except Refused as exc:
        # A partial listing would hold users whose groups are on an unread page: keep nothing.
        out.gaps.append(Gap(account_id, "iam", exc.action, exc.code, exc.message))
        return out
    policies = {p["Arn"]: _managed(p) for p in raw["Policies"]}
    unreadable: dict[str, Gap] = {}
    for arn in sorted(_used_policy_arns(raw) - set(policies)):
        try:
            policies[arn] = _aws_managed(calls, arn)
        except Refused as exc:
            unreadable[arn] = Gap(account_id, "iam", exc.action, exc.code, exc.message, arn)
    dropped_groups: set[str] = set()
    # Groups first: a user in a group that had to be left out is left out too.
    for key, name_key, inline_key in (_KINDS[1], _KINDS[0], _KINDS[2]):
        entries = []
        for entry in raw[key]:
            missing = sorted(a for a in _policy_arns(entry) if a in unreadable)
            if missing or dropped_groups & set(entry.get("GroupList") or []):
                # Left out, so its cells are error cells naming the account's `iam` gap, never
                # evaluated without the policy that could not be read.
                if key == "GroupDetailList":
                    dropped_groups.add(entry[name_key])
                continue
            entries.append(_identity(entry, name_key, inline_key))
        out.details[key] = sorted(entries, key=lambda e: (e[name_key], e["Arn"]))
    out.details = {k: out.details[k] for k, _, _ in _KINDS}
    out.details["Policies"] = [policies[a] for a in sorted(policies)]
    if unreadable:
        first = unreadable[min(unreadable)]
        out.gaps.append(Gap(account_id, "iam", first.action, first.code, first.message))
        out.gaps.extend(unreadable[a] for a in sorted(unreadable))
    return out


def _identity(entry: dict[str, Any], name_key: str, inline_key: str) -> dict[str, Any]:
    out: dict[str, Any] = {name_key: entry[name_key]}
    for key in ("UserId", "GroupId", "RoleId", "Arn", "Path"):
        if key in entry:
            out[key] = entry[key]
    if "GroupList" in entry:
        out["GroupList"] = sorted(entry["GroupList"])
    if entry.get("AssumeRolePolicyDocument") is not None:
        out["AssumeRolePolicyDocument"] = document(entry["AssumeRolePolicyDocument"])
    out[inline_key] = sorted(
        (
            {"PolicyName": p["PolicyName"], "PolicyDocument": document(p["PolicyDocument"])}
            for p in entry.get(inline_key) or []
        ),
        key=lambda p: p["PolicyName"],
    )
    out["AttachedManagedPolicies"] = sorted(
        (
            {"PolicyName": p["PolicyName"], "PolicyArn": p["PolicyArn"]}
            for p in entry.get("AttachedManagedPolicies") or []
        ),
        key=lambda p: p["PolicyArn"],
    )
    boundary = entry.get("PermissionsBoundary")
    if boundary:
        out["PermissionsBoundary"] = {
            "PermissionsBoundaryType": boundary.get("PermissionsBoundaryType", "Policy"),
            "PermissionsBoundaryArn": boundary["PermissionsBoundaryArn"],
        }
    if "Tags" in entry or name_key != "GroupName":
        out["Tags"] = tags(entry.get("Tags"))
    return out


def _managed(policy: dict[str, Any]) -> dict[str, Any]:
    default_id = policy.get("DefaultVersionId")
    versions = policy.get("PolicyVersionList") or []
    chosen = next((v for v in versions if v.get("IsDefaultVersion")), None) or next(
        (v for v in versions if v.get("VersionId") == default_id), None
    )
    # The name is the ARN's last segment; some emulators omit PolicyName and PolicyId.
    out = {"PolicyName": policy.get("PolicyName") or policy["Arn"].rsplit("/", 1)[-1]}
    if policy.get("PolicyId"):
        out["PolicyId"] = policy["PolicyId"]
    out["Arn"] = policy["Arn"]
    out["Path"] = policy.get("Path", "/")
    out["DefaultVersionId"] = default_id or (chosen or {}).get("VersionId", "v1")
    out["PolicyVersionList"] = (
        [
            {
                "VersionId": chosen["VersionId"],
                "IsDefaultVersion": True,
                "Document": document(chosen["Document"]),
            }
        ]
        if chosen
        else []
    )
    return out


def _aws_managed(calls: ServiceCalls, arn: str) -> dict[str, Any]:
    policy = calls.call("GetPolicy", PolicyArn=arn)["Policy"]
    version = calls.call("GetPolicyVersion", PolicyArn=arn, VersionId=policy["DefaultVersionId"])
    body = version["PolicyVersion"]
    return _managed(
        {
            **policy,
            "PolicyVersionList": [
                {"VersionId": body["VersionId"], "IsDefaultVersion": True, "Document": body["Document"]}
            ],
        }
    )


def _policy_arns(entry: dict[str, Any]) -> set[str]:
    arns = {p["PolicyArn"] for p in entry.get("AttachedManagedPolicies") or []}
    boundary = entry.get("PermissionsBoundary")
    if boundary and boundary.get("PermissionsBoundaryArn"):
        arns.add(boundary["PermissionsBoundaryArn"])
    return arns


def _used_policy_arns(raw: dict[str, list[dict[str, Any]]]) -> set[str]:
    used: set[str] = set()
    for key, _, _ in _KINDS:
        for entry in raw[key]:
            used |= _policy_arns(entry)
    return used
