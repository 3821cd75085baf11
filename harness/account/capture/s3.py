"""The S3 section of a capture (`--services s3`): every bucket's policy and Block Public Access.

ListBuckets (IAM action s3:ListAllMyBuckets) then GetBucketPolicy per bucket; a bucket
without a policy answers NoSuchBucketPolicy and is written without `Policy`
(https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetBucketPolicy.html). A refused
ListBuckets is a gap of the section; a refused GetBucketPolicy the bucket's `Gap`.

Then GetPublicAccessBlock per bucket (IAM action s3:GetBucketPublicAccessBlock,
https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetPublicAccessBlock.html), written as
the bucket's `PublicAccessBlock`; NoSuchPublicAccessBlockConfiguration means none is set (not
written, not a gap). A refusal is the bucket's `PublicAccessBlockGap`, not its `Gap`: the
bucket policy is still known, only whether Block Public Access restricts it is not.
The account's own settings and the access points are read through S3 Control (s3control.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from harness.account.capture.calls import Refused, ServiceCalls
from harness.account.capture.gaps import Gap, document
from harness.account.capture.s3control import NONE_SET
from harness.account.public_access import PublicAccessBlock


@dataclass
class S3Section:
    resources: list[dict[str, Any]] = field(default_factory=list)
    gaps: list[Gap] = field(default_factory=list)


def capture_s3(calls: ServiceCalls, account_id: str, partition: str) -> S3Section:
    out = S3Section()
    try:
        buckets = [
            b["Name"]
            for b in calls.items(
                "ListBuckets", "Buckets", token_in="ContinuationToken", token_out="ContinuationToken"
            )
        ]
    except Refused as exc:
        out.gaps.append(Gap(account_id, "s3", exc.action, exc.code, exc.message))
        return out
    for name in sorted(buckets):
        arn = f"arn:{partition}:s3:::{name}"
        entry: dict[str, Any] = {"Arn": arn}
        try:
            entry["Policy"] = document(calls.call("GetBucketPolicy", Bucket=name)["Policy"])
        except Refused as exc:
            if exc.code != "NoSuchBucketPolicy":
                gap = Gap(account_id, "s3", exc.action, exc.code, exc.message, arn)
                entry["Gap"] = gap.describe()
                out.gaps.append(gap)
        _public_access_block(calls, account_id, name, entry, out)
        out.resources.append(entry)
    return out


def _public_access_block(
    calls: ServiceCalls, account_id: str, name: str, entry: dict[str, Any], out: S3Section
) -> None:
    try:
        answer = calls.call("GetPublicAccessBlock", Bucket=name)
    except Refused as exc:
        if exc.code != NONE_SET:
            gap = Gap(account_id, "s3", exc.action, exc.code, exc.message, entry["Arn"])
            entry["PublicAccessBlockGap"] = gap.describe()
            out.gaps.append(gap)
        return
    config = answer.get("PublicAccessBlockConfiguration") or {}
    entry["PublicAccessBlock"] = PublicAccessBlock.from_api(config).as_api()
