"""Read-only AWS calls for the capture: paced, retried, counted, and refusals named.

Every call goes through the AWS backend's `RetryingCaller` (harness/backends/aws/client.py),
so throttling is paced by its adaptive limiter and retried with backoff exactly as the
simulate calls are. What the capture adds:

- counts of calls and pages per operation, for the `capture:` block;
- a refused or failed call becomes `Refused` (with AWS's error code and the IAM action the
  caller lacks), which the sections turn into gaps; bad or expired credentials abort the
  capture instead (`CaptureAborted`): nothing could be read, so nothing is written.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from harness.account.capture.s3control_endpoint import keep_ip_endpoint
from harness.backends.aws.client import CallFailed, CallStats, RetryingCaller
from harness.backends.aws.ratelimit import AdaptiveRateLimiter
from harness.backends.aws.session import AwsSession

# The IAM action each operation needs, where it is not `service:Operation`
# (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html).
_ACTION_NAMES = {
    "s3:ListBuckets": "s3:ListAllMyBuckets",
    "s3:GetPublicAccessBlock": "s3:GetBucketPublicAccessBlock",
    "s3control:GetPublicAccessBlock": "s3:GetAccountPublicAccessBlock",
    "s3control:ListAccessPoints": "s3:ListAccessPoints",
    "s3control:GetAccessPointPolicy": "s3:GetAccessPointPolicy",
}
_FATAL_CAUSES = frozenset({"expired credentials", "invalid credentials", "missing credentials"})
_SERVICE_PREFIX = {"organizations": "organizations", "iam": "iam", "kms": "kms", "s3": "s3", "sts": "sts"}


def iam_action(service: str, operation: str) -> str:
    """The IAM action a call needs: `kms:GetKeyPolicy`, `s3:ListAllMyBuckets`."""
    name = f"{_SERVICE_PREFIX.get(service, service)}:{operation}"
    return _ACTION_NAMES.get(name, name)


class CaptureAborted(Exception):
    """The capture cannot go on (credentials refused or missing); the message says why."""


@dataclass(frozen=True)
class Refused(Exception):
    """One call that did not succeed: `code` is AWS's error code, `action` the IAM action it needs."""

    action: str
    code: str
    message: str

    def __str__(self) -> str:
        return f"{self.action} was refused ({self.code}): {self.message}"


@dataclass
class CallLog:
    """What the whole capture asked AWS, for the `capture:` block (logical calls, retries apart)."""

    calls: Counter[str] = field(default_factory=Counter)
    pages: Counter[str] = field(default_factory=Counter)
    stats: CallStats = field(default_factory=CallStats)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def count(self, table: str, action: str) -> None:
        """One more call or page of `action` (sections read keys from several threads)."""
        with self._lock:
            getattr(self, table)[action] += 1

    def as_dict(self) -> dict[str, Any]:
        return {
            "total": sum(self.calls.values()),
            "retries": self.stats.as_dict()["retries"],
            "by_action": dict(sorted(self.calls.items())),
        }

    def pages_dict(self) -> dict[str, Any]:
        return {"total": sum(self.pages.values()), "by_action": dict(sorted(self.pages.items()))}


class ServiceCalls:
    """Calls to one service in one Region of one account."""

    def __init__(
        self, session: AwsSession, service: str, region: str, log: CallLog, *, max_attempts: int
    ) -> None:
        self.service = service
        self.region = region
        self.log = log
        client = AwsSession(session.session, region, session.partition, session.options).client(service)
        if service == "s3control":
            keep_ip_endpoint(client)
        limiter = AdaptiveRateLimiter(
            session.options.initial_rate,
            min_rate=session.options.min_rate,
            max_rate=session.options.max_rate,
            backoff_base=session.options.backoff_base,
            backoff_cap=session.options.backoff_cap,
        )
        self._caller = RetryingCaller(client, limiter, log.stats, max_attempts=max_attempts)

    def call(self, operation: str, **params: Any) -> dict[str, Any]:
        action = iam_action(self.service, operation)
        self.log.count("calls", action)
        try:
            return self._caller(operation, params)
        except CallFailed as exc:
            failure = exc.failure
            if failure.cause in _FATAL_CAUSES:
                raise CaptureAborted(f"{action}: {failure.describe()}") from None
            # AWS errors read "Code: message"; a network error has no code, only its cause.
            code, _, message = failure.message.partition(": ")
            if not code or " " in code or not message:
                code, message = failure.cause.replace(" ", "-"), failure.message
            raise Refused(action, code, message) from None

    def pages(
        self,
        operation: str,
        *,
        token_in: str,
        token_out: str,
        truncated: str | None = None,
        **params: Any,
    ) -> Iterator[dict[str, Any]]:
        """Every page of a listing; a token that repeats is an error, not a loop."""
        action = iam_action(self.service, operation)
        seen: set[str] = set()
        token: str | None = None
        while True:
            page_params = dict(params)
            if token is not None:
                page_params[token_in] = token
            page = self.call(operation, **page_params)
            self.log.count("pages", action)
            yield page
            token = page.get(token_out)
            if truncated is not None and not page.get(truncated):
                return
            if not token:
                return
            if token in seen:
                raise Refused(action, "PaginationLoop", f"the token {token!r} came back twice")
            seen.add(token)

    def items(
        self,
        operation: str,
        key: str,
        *,
        token_in: str,
        token_out: str,
        truncated: str | None = None,
        **params: Any,
    ) -> Iterator[Any]:
        """Every item of the list `key` on every page of a listing (`pages`)."""
        for page in self.pages(
            operation, token_in=token_in, token_out=token_out, truncated=truncated, **params
        ):
            yield from page.get(key) or []
