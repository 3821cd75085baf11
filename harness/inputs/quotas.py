"""AWS's size and character limits on policy documents: what AWS refuses, and what it would flag.

Sources:
- IAM and AWS STS quotas (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html):
  policy documents hold only tab, LF, CR and U+0020..U+00FF; a managed policy is at most 6,144
  characters; the inline policies of a role, group or user together at most 10,240, 5,120 and
  2,048; a session policy (AssumeRole's Policy) at most 2,048; IAM does not count whitespace.
- SimulateCustomPolicy / SimulatePrincipalPolicy
  (https://docs.aws.amazon.com/IAM/latest/APIReference/API_SimulateCustomPolicy.html): each
  PolicyInputList, PermissionsBoundaryPolicyInputList and ResourcePolicy member is at most
  131,072 characters of that same character range.
- AWS Organizations quotas (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_reference_limits.html):
  an SCP or RCP document is at most 5,120 characters.
- S3 (bucket policy 20 KB) and KMS (key policy 32 KB) quotas, for the resource-policy warning.

The rule we apply (a reading, documented in docs/scenarios.md): a document that no place in AWS
could hold is refused (the simulator's own limits, a boundary over the managed-policy quota, a
session policy over STS's, an SCP over Organizations'); one that only some places could hold is a
warning (an identity policy over 6,144 characters still fits inline in a role).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from harness.engine.types import PolicyKind

SIMULATOR_MAX_CHARS = 131_072
MANAGED_POLICY_MAX = 6_144
ROLE_INLINE_MAX = 10_240
GROUP_INLINE_MAX = 5_120
USER_INLINE_MAX = 2_048
SESSION_POLICY_MAX = 2_048
ORGANIZATIONS_POLICY_MAX = 5_120
RESOURCE_POLICY_WARN = 20_480  # S3 bucket policies; KMS key policies may have 32,768

# Characters a policy document may hold (IAM name requirements; the simulator API's pattern).
_OUTSIDE_RANGE = re.compile(r"[^\t\n\r\u0020-\u00ff]")
_WHITESPACE = re.compile(r"[ \t\n\r]")


@dataclass(frozen=True)
class QuotaFinding:
    """One limit a document breaks; `refused` when AWS would not accept it anywhere."""

    refused: bool
    message: str


def counted_size(text: str) -> int:
    """Characters as IAM counts them against its quotas: whitespace is not counted."""
    return len(text) - len(_WHITESPACE.findall(text))


def policy_findings(text: str, kind: PolicyKind) -> list[QuotaFinding]:
    """The quotas `text`, used as a policy of `kind`, breaks; empty when it fits."""
    out: list[QuotaFinding] = []
    characters = _character_finding(text)
    if characters is not None:
        out.append(characters)
    if len(text) > SIMULATOR_MAX_CHARS:
        out.append(
            QuotaFinding(
                True, f"{len(text):,} characters: the simulator takes at most {SIMULATOR_MAX_CHARS:,}"
            )
        )
        return out
    size = _size_finding(counted_size(text), kind)
    if size is not None:
        out.append(size)
    return out


def _character_finding(text: str) -> QuotaFinding | None:
    """The first character no policy document may hold, with its line."""
    bad = _OUTSIDE_RANGE.search(text)
    if bad is None:
        return None
    line = text.count("\n", 0, bad.start()) + 1
    return QuotaFinding(
        True,
        f"character U+{ord(bad.group()):04X} at line {line} is not allowed in a policy document "
        "(only tab, line feed, carriage return and U+0020..U+00FF)",
    )


# Kinds that only one place in AWS holds, so one quota refuses them: (limit, what says so).
_ONLY_QUOTA = {
    PolicyKind.PERMISSIONS_BOUNDARY: (
        MANAGED_POLICY_MAX,
        "a permissions boundary is a managed policy, at most {limit:,}",
    ),
    PolicyKind.SESSION: (SESSION_POLICY_MAX, "STS takes session policies of at most {limit:,}"),
    PolicyKind.SCP: (ORGANIZATIONS_POLICY_MAX, "AWS Organizations takes policies of at most {limit:,}"),
    PolicyKind.RCP: (ORGANIZATIONS_POLICY_MAX, "AWS Organizations takes policies of at most {limit:,}"),
}


def _size_finding(size: int, kind: PolicyKind) -> QuotaFinding | None:
    """The size quota a document of `size` counted characters breaks as a policy of `kind`."""
    counted = f"{size:,} characters (whitespace not counted)"
    if kind == PolicyKind.IDENTITY:
        return _identity_size_finding(size, counted)
    if kind in _ONLY_QUOTA:
        limit, rule = _ONLY_QUOTA[kind]
        return QuotaFinding(True, f"{counted}: {rule.format(limit=limit)}") if size > limit else None
    if kind == PolicyKind.RESOURCE and size > RESOURCE_POLICY_WARN:
        return QuotaFinding(
            False,
            f"{counted}: over the {RESOURCE_POLICY_WARN:,} of an S3 bucket policy (a KMS key policy may "
            "have 32,768 bytes)",
        )
    return None


def _identity_size_finding(size: int, counted: str) -> QuotaFinding | None:
    """Refused over a role's inline total (no identity holds it); a warning over a managed policy's."""
    if size > ROLE_INLINE_MAX:
        return QuotaFinding(
            True,
            f"{counted}: no IAM identity can hold it "
            f"(managed policy {MANAGED_POLICY_MAX:,}, a role's inline policies {ROLE_INLINE_MAX:,})",
        )
    if size > MANAGED_POLICY_MAX:
        return QuotaFinding(
            False,
            f"{counted}: over the {MANAGED_POLICY_MAX:,} of a managed policy; it fits only inline in a "
            f"role ({ROLE_INLINE_MAX:,})",
        )
    return None


def inline_total_finding(kind: str, total: int) -> QuotaFinding | None:
    """The inline policies of one user, group or role together, against IAM's aggregate quota."""
    limit = {"role": ROLE_INLINE_MAX, "group": GROUP_INLINE_MAX, "user": USER_INLINE_MAX}.get(kind)
    if limit is None or total <= limit:
        return None
    return QuotaFinding(
        True,
        f"its inline policies have {total:,} characters together (whitespace not counted); "
        f"IAM allows a {kind} {limit:,}",
    )
