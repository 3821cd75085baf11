"""The Organizations section of a capture: the account's path and the SCPs and RCPs on it.

DescribeOrganization tells whether the account is in an organization (an account outside
one gets AWSOrganizationsNotInUseException and no SCPs or RCPs apply to it) and which
account manages it (SCPs and RCPs do not apply to the management account:
https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html).
ListRoots says which policy types are enabled: a type that is not enabled applies nothing.
ListParents, from the account up to the root, gives the path; ListPoliciesForTarget at
every level (root, each OU, the account) and DescribePolicy give the policies
(https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_evaluation.html).

Only the management account or a delegated administrator may call most of these: a member
account's capture records the section as a gap, and every cell that depends on its SCPs
or RCPs is an error cell naming it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from harness.account.capture.calls import Refused, ServiceCalls
from harness.account.capture.gaps import Document, Gap, document

SCP = "SERVICE_CONTROL_POLICY"
RCP = "RESOURCE_CONTROL_POLICY"
_TABLES = {SCP: "ServiceControlPolicies", RCP: "ResourceControlPolicies"}


@dataclass
class OrganizationSection:
    path: list[str] = field(default_factory=list)
    outside: bool = False
    management_account: str | None = None
    # "ServiceControlPolicies" -> level id -> [{Name, Document}]; only the enabled types
    tables: dict[str, dict[str, list[dict[str, Any]]]] = field(default_factory=dict)
    gaps: list[Gap] = field(default_factory=list)


def capture_organization(calls: ServiceCalls, account_id: str) -> OrganizationSection:
    out = OrganizationSection()
    try:
        org = calls.call("DescribeOrganization")["Organization"]
    except Refused as exc:
        if exc.code == "AWSOrganizationsNotInUseException":
            out.outside = True
            return out
        out.gaps.append(Gap(account_id, "organizations", exc.action, exc.code, exc.message))
        return out
    out.management_account = org.get("MasterAccountId")
    try:
        roots = [
            r
            for page in calls.pages("ListRoots", token_in="NextToken", token_out="NextToken")
            for r in page["Roots"]
        ]
        enabled = {
            t["Type"] for r in roots for t in r.get("PolicyTypes") or [] if t.get("Status") == "ENABLED"
        } & set(_TABLES)
        out.path = _path(calls, account_id)
        documents: dict[str, Document] = {}
        for policy_type in sorted(enabled):
            table: dict[str, list[dict[str, Any]]] = {}
            for level in (*out.path, account_id):
                table[level] = _policies(calls, level, policy_type, documents)
            out.tables[_TABLES[policy_type]] = table
    except Refused as exc:
        out.path, out.tables = [], {}
        out.gaps.append(Gap(account_id, "organizations", exc.action, exc.code, exc.message))
    return out


def _path(calls: ServiceCalls, account_id: str) -> list[str]:
    """Root first, then each OU down to the account (the account itself excluded)."""
    path: list[str] = []
    child = account_id
    for _ in range(10):  # Organizations nests OUs at most five deep under the root
        parents = [
            p
            for page in calls.pages("ListParents", token_in="NextToken", token_out="NextToken", ChildId=child)
            for p in page["Parents"]
        ]
        if not parents:
            break
        parent = parents[0]
        path.insert(0, parent["Id"])
        if parent["Type"] == "ROOT":
            return path
        child = parent["Id"]
    raise Refused("organizations:ListParents", "IncompletePath", f"no root found above {account_id}")


def _policies(
    calls: ServiceCalls, target: str, policy_type: str, documents: dict[str, Document]
) -> list[dict[str, Any]]:
    summaries = [
        p
        for page in calls.pages(
            "ListPoliciesForTarget",
            token_in="NextToken",
            token_out="NextToken",
            TargetId=target,
            Filter=policy_type,
        )
        for p in page["Policies"]
    ]
    out = []
    for summary in sorted(summaries, key=lambda s: (s["Name"], s["Id"])):
        if summary["Id"] not in documents:
            content = calls.call("DescribePolicy", PolicyId=summary["Id"])["Policy"]["Content"]
            documents[summary["Id"]] = document(content)
        out.append({"Name": summary["Name"], "Document": documents[summary["Id"]]})
    return out
