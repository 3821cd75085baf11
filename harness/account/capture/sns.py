"""The SNS section of a capture (`--services sns`), one Region: every topic's policy and tags.

ListTopics (every page), then per topic GetTopicAttributes (its `Policy`, the access policy
every topic has,
https://docs.aws.amazon.com/sns/latest/api/API_GetTopicAttributes.html) and
ListTagsForResource (`aws:ResourceTag/*`). Gap rules: policies.py.
"""

from __future__ import annotations

from harness.account.capture.calls import ServiceCalls
from harness.account.capture.gaps import tags
from harness.account.capture.policies import PolicySection, ResourceReader, listed


def capture_sns(calls: ServiceCalls, account_id: str) -> PolicySection:
    out = PolicySection()
    section = f"sns/{calls.region}"
    arns = listed(
        calls,
        account_id,
        section,
        out,
        lambda: (
            t["TopicArn"]
            for t in calls.items("ListTopics", "Topics", token_in="NextToken", token_out="NextToken")
        ),
    )
    for arn in sorted(arns or []):
        reader = ResourceReader(calls, account_id, section, arn)
        attributes = reader.read(lambda a=arn: calls.call("GetTopicAttributes", TopicArn=a))
        if attributes is not None:
            reader.policy((attributes.get("Attributes") or {}).get("Policy"))
        found = reader.read(lambda a=arn: calls.call("ListTagsForResource", ResourceArn=a))
        reader.tags(tags((found or {}).get("Tags")))
        reader.done(out)
    return out
