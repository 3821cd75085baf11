"""The S3 Control part of `--services s3`: the account's Block Public Access and its access points.

- The account's Block Public Access: GetPublicAccessBlock (IAM action
  s3:GetAccountPublicAccessBlock,
  https://docs.aws.amazon.com/AmazonS3/latest/API/API_control_GetPublicAccessBlock.html).
  NoSuchPublicAccessBlockConfiguration means none is set (every setting off): a fact, not a
  gap. A refusal is the account's gap `s3/public-access-block`: whether a public bucket
  policy is blocked is then unknown, and who-can says so as an error, never "not public".
- Access points, one Region at a time: ListAccessPoints (every page; s3:ListAccessPoints)
  lists the account's access points in the Region the request goes to
  (https://docs.aws.amazon.com/AmazonS3/latest/API/API_control_ListAccessPoints.html), then
  GetAccessPointPolicy per access point (s3:GetAccessPointPolicy); NoSuchAccessPointPolicy
  means it has none. Each is a resource `arn:PARTITION:s3:REGION:ACCOUNT:accesspoint/NAME`
  (https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-points-policies.html) with
  its policy as its resource policy. A refused listing is the gap of the section
  `s3/REGION`, a refused policy the access point's `Gap` (policies.py's rules).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from harness.account.capture.calls import Refused, ServiceCalls
from harness.account.capture.gaps import Gap
from harness.account.capture.policies import PolicySection, ResourceReader, listed
from harness.account.public_access import ACCOUNT_SECTION, PublicAccessBlock

NONE_SET = "NoSuchPublicAccessBlockConfiguration"
_NO_ACCESS_POINT_POLICY = frozenset({"NoSuchAccessPointPolicy"})


@dataclass
class AccountPublicAccess:
    settings: PublicAccessBlock | None = None  # None: none set, or not read (then a gap)
    gaps: list[Gap] = field(default_factory=list)


def capture_account_public_access(calls: ServiceCalls, account_id: str) -> AccountPublicAccess:
    out = AccountPublicAccess()
    try:
        answer = calls.call("GetPublicAccessBlock", AccountId=account_id)
    except Refused as exc:
        if exc.code != NONE_SET:
            out.gaps.append(Gap(account_id, ACCOUNT_SECTION, exc.action, exc.code, exc.message))
        return out
    out.settings = PublicAccessBlock.from_api(answer.get("PublicAccessBlockConfiguration") or {})
    return out


def capture_access_points(calls: ServiceCalls, account_id: str, partition: str) -> PolicySection:
    out = PolicySection()
    section = f"s3/{calls.region}"
    names = listed(
        calls,
        account_id,
        section,
        out,
        lambda: (
            point["Name"]
            for point in calls.items(
                "ListAccessPoints",
                "AccessPointList",
                token_in="NextToken",
                token_out="NextToken",
                AccountId=account_id,
                MaxResults=1000,
            )
        ),
    )
    for name in sorted(set(names or [])):
        arn = f"arn:{partition}:s3:{calls.region}:{account_id}:accesspoint/{name}"
        reader = ResourceReader(calls, account_id, section, arn)
        found = reader.read(
            lambda n=name: calls.call("GetAccessPointPolicy", AccountId=account_id, Name=n),
            _NO_ACCESS_POINT_POLICY,
        )
        reader.policy((found or {}).get("Policy"))
        reader.done(out)
    return out
