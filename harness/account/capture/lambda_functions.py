"""The Lambda section of a capture (`--services lambda`), one Region: every function's policy.

ListFunctions (every page), then per function GetPolicy (the function's resource-based
policy; a function without one answers ResourceNotFoundException,
https://docs.aws.amazon.com/lambda/latest/api/API_GetPolicy.html) and ListTags.
Gap rules: policies.py. (Named lambda_functions: `lambda` is a Python keyword.)
"""

from __future__ import annotations

from harness.account.capture.calls import ServiceCalls
from harness.account.capture.policies import PolicySection, ResourceReader, listed, tag_map

_NO_POLICY = frozenset({"ResourceNotFoundException"})


def capture_lambda(calls: ServiceCalls, account_id: str) -> PolicySection:
    out = PolicySection()
    section = f"lambda/{calls.region}"
    arns = listed(
        calls,
        account_id,
        section,
        out,
        lambda: (
            f["FunctionArn"]
            for f in calls.items("ListFunctions", "Functions", token_in="Marker", token_out="NextMarker")
        ),
    )
    for arn in sorted(arns or []):
        reader = ResourceReader(calls, account_id, section, arn)
        found = reader.read(lambda a=arn: calls.call("GetPolicy", FunctionName=a), _NO_POLICY)
        reader.policy((found or {}).get("Policy"))
        listed_tags = reader.read(lambda a=arn: calls.call("ListTags", Resource=a))
        reader.tags(tag_map((listed_tags or {}).get("Tags")))
        reader.done(out)
    return out
