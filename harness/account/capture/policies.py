"""What the resource-policy sections (sqs.py, sns.py, secretsmanager.py, ...) share.

Each such section lists one service's resources in one Region (every page) and reads each
one's policy and tags, with the same gap rules as S3 and KMS (docs/account-model.md,
"Gaps"): a refused listing is a gap of the section `SERVICE/REGION` (a resource of that
service, Region and account not in the model is then an error cell, never "no policy");
a refused read about one resource is that resource's `Gap`; an answer that says the
resource has no policy (each service's own error code, in `no_policy`) is a fact, not a gap.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from harness.account.capture.calls import Refused, ServiceCalls
from harness.account.capture.gaps import Gap, document


@dataclass
class PolicySection:
    resources: list[dict[str, Any]] = field(default_factory=list)
    gaps: list[Gap] = field(default_factory=list)


@dataclass
class ResourceReader:
    """One resource's entry being read: each refusal is recorded on it, not raised."""

    calls: ServiceCalls
    account_id: str
    section: str
    arn: str
    entry: dict[str, Any] = field(default_factory=dict)
    problems: list[Gap] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.entry["Arn"] = self.arn

    def read(self, fetch: Callable[[], Any], no_policy: frozenset[str] = frozenset()) -> Any:
        """`fetch()`'s answer; None when refused (recorded) or when AWS says there is none."""
        try:
            return fetch()
        except Refused as exc:
            if exc.code not in no_policy:
                self.problems.append(
                    Gap(self.account_id, self.section, exc.action, exc.code, exc.message, self.arn)
                )
            return None

    def policy(self, text: Any) -> None:
        if text:
            self.entry["Policy"] = document(text)

    def tags(self, tags: list[dict[str, str]]) -> None:
        self.entry["Tags"] = tags

    def done(self, out: PolicySection) -> None:
        if self.problems:
            self.entry["Gap"] = "; ".join(p.describe() for p in self.problems)
            out.gaps.extend(self.problems)
        out.resources.append(self.entry)


def listed(
    calls: ServiceCalls,
    account_id: str,
    section: str,
    out: PolicySection,
    listing: Callable[[], Iterable[Any]],
) -> list[Any] | None:
    """Every item of a listing, or None with the section's gap recorded."""
    try:
        return list(listing())
    except Refused as exc:
        out.gaps.append(Gap(account_id, section, exc.action, exc.code, exc.message))
        return None


def tag_map(raw: dict[str, str] | None) -> list[dict[str, str]]:
    """A `{key: value}` tag mapping (SQS, Lambda) in the model's `{Key, Value}` shape."""
    return sorted(({"Key": k, "Value": v} for k, v in (raw or {}).items()), key=lambda t: t["Key"])
