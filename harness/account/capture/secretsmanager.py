"""The Secrets Manager section of a capture (`--services secretsmanager`), one Region.

ListSecrets (every page; each secret's tags come with it), then per secret
GetResourcePolicy: a secret without a policy answers without `ResourcePolicy`
(https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_GetResourcePolicy.html).
Gap rules: policies.py.
"""

from __future__ import annotations

from typing import Any

from harness.account.capture.calls import ServiceCalls
from harness.account.capture.gaps import tags
from harness.account.capture.policies import PolicySection, ResourceReader, listed


def capture_secretsmanager(calls: ServiceCalls, account_id: str) -> PolicySection:
    out = PolicySection()
    section = f"secretsmanager/{calls.region}"
    secrets: list[dict[str, Any]] | None = listed(
        calls,
        account_id,
        section,
        out,
        lambda: calls.items("ListSecrets", "SecretList", token_in="NextToken", token_out="NextToken"),
    )
    for secret in sorted(secrets or [], key=lambda s: s["ARN"]):
        reader = ResourceReader(calls, account_id, section, secret["ARN"])
        found = reader.read(lambda a=secret["ARN"]: calls.call("GetResourcePolicy", SecretId=a))
        reader.policy((found or {}).get("ResourcePolicy"))
        reader.tags(tags(secret.get("Tags")))
        reader.done(out)
    return out
