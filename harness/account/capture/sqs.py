"""The SQS section of a capture (`--services sqs`), one Region: every queue's policy and tags.

ListQueues (every page), then per queue GetQueueAttributes (`Policy`, `QueueArn`; a queue
without a policy has no `Policy` attribute,
https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_GetQueueAttributes.html)
and ListQueueTags (`aws:ResourceTag/*`). Gap rules: policies.py.
"""

from __future__ import annotations

from harness.account.capture.calls import ServiceCalls
from harness.account.capture.policies import PolicySection, ResourceReader, listed, tag_map


def capture_sqs(calls: ServiceCalls, account_id: str, partition: str) -> PolicySection:
    out = PolicySection()
    section = f"sqs/{calls.region}"
    urls = listed(
        calls,
        account_id,
        section,
        out,
        lambda: calls.items(
            "ListQueues", "QueueUrls", token_in="NextToken", token_out="NextToken", MaxResults=1000
        ),
    )
    for url in sorted(urls or []):
        name = url.rstrip("/").rsplit("/", 1)[-1]
        reader = ResourceReader(
            calls, account_id, section, f"arn:{partition}:sqs:{calls.region}:{account_id}:{name}"
        )
        attributes = reader.read(
            lambda u=url: calls.call("GetQueueAttributes", QueueUrl=u, AttributeNames=["Policy", "QueueArn"])
        )
        if attributes is not None:
            reader.policy((attributes.get("Attributes") or {}).get("Policy"))
        found = reader.read(lambda u=url: calls.call("ListQueueTags", QueueUrl=u))
        reader.tags(tag_map((found or {}).get("Tags")))
        reader.done(out)
    return out
