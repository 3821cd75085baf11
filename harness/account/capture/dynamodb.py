"""The DynamoDB section of a capture (`--services dynamodb`), one Region: every table's policy.

ListTables (every page), then per table GetResourcePolicy (a table without one answers
PolicyNotFoundException,
https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_GetResourcePolicy.html)
and ListTagsOfResource (every page). Gap rules: policies.py.
"""

from __future__ import annotations

from harness.account.capture.calls import ServiceCalls
from harness.account.capture.gaps import tags
from harness.account.capture.policies import PolicySection, ResourceReader, listed

_NO_POLICY = frozenset({"PolicyNotFoundException", "ResourceNotFoundException"})


def capture_dynamodb(calls: ServiceCalls, account_id: str, partition: str) -> PolicySection:
    out = PolicySection()
    section = f"dynamodb/{calls.region}"
    names = listed(
        calls,
        account_id,
        section,
        out,
        lambda: calls.items(
            "ListTables", "TableNames", token_in="ExclusiveStartTableName", token_out="LastEvaluatedTableName"
        ),
    )
    for name in sorted(names or []):
        arn = f"arn:{partition}:dynamodb:{calls.region}:{account_id}:table/{name}"
        reader = ResourceReader(calls, account_id, section, arn)
        found = reader.read(lambda a=arn: calls.call("GetResourcePolicy", ResourceArn=a), _NO_POLICY)
        reader.policy((found or {}).get("Policy"))
        listed_tags = reader.read(
            lambda a=arn: list(
                calls.items(
                    "ListTagsOfResource", "Tags", token_in="NextToken", token_out="NextToken", ResourceArn=a
                )
            )
        )
        reader.tags(tags(listed_tags))
        reader.done(out)
    return out
