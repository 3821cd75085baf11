"""One simulator call with retries, and every way it can fail, named.

botocore's own retries are off (session.py), so each throttle reaches the
rate limiter. Throttling, 5xx and network errors are retried with backoff up
to `max_attempts`; anything else fails at once. A failure carries a `cause`
that the report shows on each error cell: "throttled", "access denied",
"no such entity", "invalid input", "malformed policy", "expired credentials",
"invalid credentials", "missing credentials", "network error",
"service error", or "error".
"""

from __future__ import annotations

import http.client
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import botocore.exceptions
import botocore.parsers
import urllib3.exceptions

from harness.backends.aws.ratelimit import AdaptiveRateLimiter, ProgressWatch

THROTTLE_CODES = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "RequestThrottled",
        "RequestThrottledException",
        "RequestLimitExceeded",
        "TooManyRequestsException",
        "SlowDown",
        "PriorRequestNotComplete",
    }
)
EXPIRED_CODES = frozenset(
    {"ExpiredToken", "ExpiredTokenException", "RequestExpired", "TokenRefreshRequired", "InvalidToken"}
)
BAD_CREDENTIAL_CODES = frozenset(
    {"InvalidClientTokenId", "SignatureDoesNotMatch", "UnrecognizedClientException", "AuthFailure"}
)
DENIED_CODES = frozenset({"AccessDenied", "AccessDeniedException", "UnauthorizedOperation"})
TRANSIENT_CODES = frozenset(
    {
        "ServiceUnavailable",
        "ServiceUnavailableException",
        "InternalFailure",
        "InternalError",
        "RequestTimeout",
    }
)
# A response cut off mid-body (Content-Length larger than what arrived) surfaces as botocore's
# ResponseParserError or an IncompleteRead; a reset connection as ConnectionResetError. Both are
# the network failing, not IAM answering: retried like any network error.
NETWORK_ERRORS: tuple[type[Exception], ...] = (
    botocore.parsers.ResponseParserError,
    http.client.IncompleteRead,
    urllib3.exceptions.IncompleteRead,
    urllib3.exceptions.ProtocolError,
    ConnectionResetError,
    botocore.exceptions.EndpointConnectionError,
    botocore.exceptions.ConnectionClosedError,
    botocore.exceptions.ReadTimeoutError,
    botocore.exceptions.ConnectTimeoutError,
    botocore.exceptions.ProxyConnectionError,
    botocore.exceptions.HTTPClientError,
)


@dataclass(frozen=True)
class Failure:
    cause: str
    message: str
    retryable: bool = False
    throttle: bool = False

    def describe(self) -> str:
        return f"{self.cause}: {self.message}"


class CallFailed(Exception):
    """A call that failed for good; `failure.cause` names why."""

    def __init__(self, failure: Failure, attempts: int) -> None:
        suffix = f" (after {attempts} attempts)" if attempts > 1 else ""
        super().__init__(failure.describe() + suffix)
        self.failure = failure
        self.attempts = attempts


def classify(exc: BaseException) -> Failure:
    """Name the cause of a failed AWS call and say whether retrying can help."""
    if isinstance(exc, botocore.exceptions.ClientError):
        err = exc.response.get("Error", {})
        code = str(err.get("Code", ""))
        message = f"{code}: {err.get('Message', '')}".rstrip(": ")
        status = int(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0) or 0)
        if code in THROTTLE_CODES or status == 429:
            return Failure("throttled", message, retryable=True, throttle=True)
        if code in EXPIRED_CODES:
            return Failure("expired credentials", message)
        if code in BAD_CREDENTIAL_CODES:
            return Failure("invalid credentials", message)
        if code in DENIED_CODES:
            return Failure("access denied", message)
        if code == "NoSuchEntity":
            return Failure("no such entity", message)
        if code == "MalformedPolicyDocument":
            return Failure("malformed policy", message)
        if code in ("InvalidInput", "ValidationError", "InvalidParameterValue"):
            return Failure("invalid input", message)
        if code in TRANSIENT_CODES or status >= 500:
            return Failure("service error", message, retryable=True)
        return Failure("error", message)
    if isinstance(exc, botocore.exceptions.NoCredentialsError | botocore.exceptions.PartialCredentialsError):
        return Failure("missing credentials", f"{exc} (configure a profile, environment or role)")
    if isinstance(
        exc,
        botocore.exceptions.TokenRetrievalError
        | botocore.exceptions.UnauthorizedSSOTokenError
        | botocore.exceptions.SSOTokenLoadError,
    ):
        return Failure("expired credentials", str(exc))
    if isinstance(exc, botocore.exceptions.CredentialRetrievalError):
        return Failure("missing credentials", str(exc))
    if isinstance(exc, NETWORK_ERRORS):
        return Failure("network error", str(exc), retryable=True)
    if isinstance(exc, botocore.exceptions.ParamValidationError):
        return Failure("invalid input", str(exc))
    return Failure("error", f"{type(exc).__name__}: {exc}")


@dataclass
class CallStats:
    """Counters for the run metadata; shared by worker threads."""

    api_calls: int = 0
    retries: int = 0
    throttles: int = 0
    failures: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def add(self, **counts: int) -> None:
        with self._lock:
            for name, value in counts.items():
                setattr(self, name, getattr(self, name) + value)

    def as_dict(self) -> dict[str, int]:
        with self._lock:
            return {
                "api_calls": self.api_calls,
                "retries": self.retries,
                "throttles": self.throttles,
                "failed_calls": self.failures,
            }


class RetryingCaller:
    """Calls `client.<operation>(**params)` paced by the limiter, retrying what can be retried."""

    def __init__(
        self,
        client: Any,
        limiter: AdaptiveRateLimiter,
        stats: CallStats,
        *,
        max_attempts: int = 8,
    ) -> None:
        self.client = client
        self.limiter = limiter
        self.stats = stats
        self.max_attempts = max_attempts

    def __call__(self, operation: str, params: dict[str, Any]) -> dict[str, Any]:
        method: Callable[..., dict[str, Any]] = getattr(self.client, _snake(operation))
        watch = self.limiter.watch
        watch.begin()
        try:
            return self._call(method, params, watch)
        finally:
            watch.end()

    def _call(
        self, method: Callable[..., dict[str, Any]], params: dict[str, Any], watch: ProgressWatch
    ) -> dict[str, Any]:
        attempt = 0
        while True:
            stalled = watch.stalled()
            if stalled is not None:  # no progress for max_stall: this and every later call give up
                self.stats.add(failures=1)
                message = f"no successful call for {stalled:.0f} s (max_stall {watch.max_stall:g} s)"
                raise CallFailed(Failure("throttled", message, throttle=True), max(attempt, 1))
            attempt += 1
            sent = self.limiter.acquire()
            if watch.stalled() is not None:
                attempt -= 1  # gave up while this call waited for its slot: fail above, send nothing
                continue
            self.stats.add(api_calls=1)
            try:
                response = method(**params)
            except Exception as exc:
                failure = classify(exc)
                if failure.retryable:
                    watch.on_failure()
                else:
                    watch.on_success()  # IAM answered (AccessDenied, NoSuchEntity, ...): that is progress
                if failure.throttle:
                    self.stats.add(throttles=1)
                    self.limiter.on_throttle(sent)
                if not failure.retryable or attempt >= self.max_attempts:
                    self.stats.add(failures=1)
                    raise CallFailed(failure, attempt) from None
                self.stats.add(retries=1)
                self.limiter.sleep_backoff(attempt)
                continue
            watch.on_success()
            self.limiter.on_success()
            return response


def _snake(operation: str) -> str:
    out = []
    for i, ch in enumerate(operation):
        if ch.isupper() and i:
            out.append("_")
        out.append(ch.lower())
    return "".join(out)
