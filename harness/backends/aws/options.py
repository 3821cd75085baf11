"""Settings of the AWS backend, and how they are read from the command line.

The pytest plugin passes `--iam-aws-profile`, `--iam-aws-region` and
`--iam-backend-opt KEY=VALUE` pairs (see `EXTRA_KEYS`); `AwsOptions.from_backend_options`
turns them into one checked value. A bad value is a usage error naming the key.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

from harness.backends.aws.callers import CallerMode
from harness.backends.aws.standin import DEFAULT_STAND_IN_USER

_USER_NAME = re.compile(r"[\w+=,.@-]{1,64}", re.ASCII)


class AwsOptionError(ValueError):
    """A backend option with a bad value; the message names the option."""


@dataclass(frozen=True)
class AwsOptions:
    """How to reach the IAM Policy Simulator and how hard to push it.

    `assume_role_arn`/`external_id` check another account through a role;
    `endpoint_url` points IAM and STS at another endpoint (tests, benchmarks,
    VPC endpoints). Batching limits: `max_actions`/`max_resources` per request,
    `max_items` per page (the API allows 1 to 1000). Rate: `max_concurrency`
    requests in flight, `initial_rate` requests per second to start from,
    `max_attempts` per request before a throttled/transient failure becomes an
    error cell, `backoff_base`/`backoff_cap` in seconds. `max_stall`: seconds of
    attempted calls without one succeeding after which every remaining call
    fails at once as "throttled" (ratelimit.ProgressWatch), so a run that is
    throttled without end stops instead of taking hours. `caller_mode`: how a role
    or session caller against a resource policy is sent (callers.py): `auto` (the
    role itself, the stand-in once an account's simulator refuses that), `direct`
    or `stand-in`.
    """

    profile: str | None = None
    region: str | None = None
    assume_role_arn: str | None = None
    external_id: str | None = None
    role_session_name: str = "iam-harness"
    # The IAM user that stands in for a role caller against a resource policy (standin.py).
    stand_in_user: str = DEFAULT_STAND_IN_USER
    caller_mode: CallerMode = CallerMode.AUTO
    endpoint_url: str | None = None
    max_concurrency: int = 4
    max_actions: int = 1000
    max_resources: int = 50
    max_items: int = 1000
    max_attempts: int = 8
    initial_rate: float = 20.0
    min_rate: float = 0.5
    max_rate: float = 1000.0
    backoff_base: float = 0.02
    backoff_cap: float = 2.0
    max_stall: float = 120.0
    connect_timeout: float = 10.0
    read_timeout: float = 60.0

    def __post_init__(self) -> None:
        if not 1 <= self.max_items <= 1000:
            raise AwsOptionError(f"max_items must be 1..1000 (the API's MaxItems), got {self.max_items}")
        for name in ("max_concurrency", "max_actions", "max_resources", "max_attempts"):
            if getattr(self, name) < 1:
                raise AwsOptionError(f"{name} must be at least 1, got {getattr(self, name)}")
        for name in ("initial_rate", "min_rate", "max_rate", "backoff_base", "backoff_cap", "max_stall"):
            if getattr(self, name) <= 0:
                raise AwsOptionError(f"{name} must be positive, got {getattr(self, name)}")
        if not _USER_NAME.fullmatch(self.stand_in_user or ""):
            raise AwsOptionError(
                "stand_in_user must be an IAM user name (1-64 of A-Z a-z 0-9 +=,.@_-), "
                f"got {self.stand_in_user!r}"
            )
        try:
            object.__setattr__(self, "caller_mode", CallerMode.parse(str(self.caller_mode or "")))
        except ValueError as exc:
            raise AwsOptionError(str(exc)) from None
        if self.external_id and not self.assume_role_arn:
            raise AwsOptionError("external_id needs assume_role (the role to assume)")

    @classmethod
    def from_mapping(
        cls, values: Mapping[str, str], *, profile: str | None = None, region: str | None = None
    ) -> AwsOptions:
        """Options from `--iam-backend-opt` pairs; keys may use `-` or `_`."""
        known = {f.name: f for f in fields(cls)}
        kwargs: dict[str, Any] = {"profile": profile or None, "region": region or None}
        for raw_key, raw_value in values.items():
            key = ALIASES.get(raw_key.replace("-", "_").lower(), raw_key.replace("-", "_").lower())
            if key not in known:
                if raw_key.startswith(("offline", "compare")):
                    continue  # another backend's setting, not ours to judge
                choices = ", ".join(sorted(EXTRA_KEYS))
                raise AwsOptionError(f"unknown AWS backend option {raw_key!r}; known: {choices}")
            kwargs[key] = _convert(raw_key, raw_value, known[key].type)
        return cls(**kwargs)


# Option names as the user types them (`--iam-backend-opt assume_role=arn:...`).
ALIASES = {"assume_role": "assume_role_arn", "role_arn": "assume_role_arn", "endpoint": "endpoint_url"}
EXTRA_KEYS = frozenset({*(f.name for f in fields(AwsOptions)), *ALIASES} - {"profile", "region"})


def _convert(key: str, value: str, annotation: Any) -> Any:
    text = str(annotation)
    try:
        if text.startswith("int"):
            return int(value)
        if text.startswith("float"):
            return float(value)
    except ValueError:
        raise AwsOptionError(f"AWS backend option {key}: {value!r} is not a number") from None
    return value or None
