"""The S3 section of a capture (`--services s3`): every bucket's policy.

ListBuckets (IAM action s3:ListAllMyBuckets) then GetBucketPolicy per bucket; a bucket
without a policy answers NoSuchBucketPolicy and is written without `Policy`
(https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetBucketPolicy.html). A refused
ListBuckets is a gap of the section; a refused GetBucketPolicy the bucket's `Gap`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from harness.account.capture.calls import Refused, ServiceCalls
from harness.account.capture.gaps import Gap, document


@dataclass
class S3Section:
    resources: list[dict[str, Any]] = field(default_factory=list)
    gaps: list[Gap] = field(default_factory=list)


def capture_s3(calls: ServiceCalls, account_id: str, partition: str) -> S3Section:
    out = S3Section()
    try:
        buckets = [
            b["Name"]
            for page in calls.pages(
                "ListBuckets", token_in="ContinuationToken", token_out="ContinuationToken"
            )
            for b in page.get("Buckets") or []
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
        out.resources.append(entry)
    return out
