"""The EventBridge section of a capture (`--services events`), one Region: every event bus's policy.

ListEventBuses (every page; each bus comes with its `Policy` when it has one,
https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_ListEventBuses.html), then
per bus ListTagsForResource. Gap rules: policies.py.
"""

from __future__ import annotations

from typing import Any

from harness.account.capture.calls import ServiceCalls
from harness.account.capture.gaps import tags
from harness.account.capture.policies import PolicySection, ResourceReader, listed


def capture_events(calls: ServiceCalls, account_id: str) -> PolicySection:
    out = PolicySection()
    section = f"events/{calls.region}"
    buses: list[dict[str, Any]] | None = listed(
        calls,
        account_id,
        section,
        out,
        lambda: calls.items("ListEventBuses", "EventBuses", token_in="NextToken", token_out="NextToken"),
    )
    for bus in sorted(buses or [], key=lambda b: b["Arn"]):
        reader = ResourceReader(calls, account_id, section, bus["Arn"])
        reader.policy(bus.get("Policy"))
        found = reader.read(lambda a=bus["Arn"]: calls.call("ListTagsForResource", ResourceARN=a))
        reader.tags(tags((found or {}).get("Tags")))
        reader.done(out)
    return out
