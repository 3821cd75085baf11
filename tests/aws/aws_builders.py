"""Cells, policies and backends for the AWS backend's tests."""

from __future__ import annotations

import json
from typing import Any

from harness.backends.aws import AwsBackend, AwsOptions
from harness.cells import Cell, Expectation, SourceRef, Subject
from harness.engine.types import ContextEntry, PolicyKind, PolicySource

ACCOUNT = "123456789012"
USER_ARN = f"arn:aws:iam::{ACCOUNT}:user/alice"
ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/reader"
BUCKET = "arn:aws:s3:::bucket"


def policy_text(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)}, indent=2)


def allow(action: str | list[str], resource: str = "*") -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource}


def deny(action: str | list[str], resource: str = "*") -> dict[str, Any]:
    return {"Effect": "Deny", "Action": action, "Resource": resource}


def identity_policy(*statements: dict[str, Any], name: str = "doc") -> PolicySource:
    return PolicySource(policy_text(*statements), name, "IAM Policy", origin=f"policies/{name}.json")


def resource_policy(*statements: dict[str, Any]) -> PolicySource:
    return PolicySource(
        policy_text(*statements), "ResourcePolicy", "Resource Policy", PolicyKind.RESOURCE, origin="rp.json"
    )


def custom(*policies: PolicySource, caller: str | None = None) -> Subject:
    return Subject(identity_policies=tuple(policies), caller_arn=caller)


def principal(arn: str = USER_ARN, caller: str | None = None) -> Subject:
    return Subject(principal_arn=arn, caller_arn=caller)


def cell(
    subject: Subject,
    action: str,
    resource: str = "*",
    expected: Expectation = Expectation.ALLOWED,
    *,
    cell_id: str | None = None,
    **kwargs: Any,
) -> Cell:
    # A cell given a resource policy is one whose scenario names it (no key policy is looked up).
    kwargs.setdefault("resource_policy_named", "resource_policy" in kwargs)
    return Cell(
        id=cell_id or f"{subject.label}|{action}|{resource}",
        source=SourceRef("scenario.yaml", 1, "test"),
        subject=subject,
        action=action,
        resource=resource,
        expected=expected,
        **kwargs,
    )


def grid(subject: Subject, actions: list[str], resources: list[str], **kwargs: Any) -> list[Cell]:
    return [cell(subject, a, r, **kwargs) for a in actions for r in resources]


def context(key: str, *values: str, type: str = "string") -> ContextEntry:
    return ContextEntry(key, values, type)


def fast_options(endpoint_url: str, **overrides: Any) -> AwsOptions:
    """Options for tests: loopback endpoint, millisecond backoff, no pacing to speak of."""
    values: dict[str, Any] = {
        "endpoint_url": endpoint_url,
        "region": "us-east-1",
        "initial_rate": 500.0,
        "min_rate": 200.0,
        "max_rate": 5000.0,
        "backoff_base": 0.001,
        "backoff_cap": 0.005,
        "max_attempts": 4,
        "connect_timeout": 2.0,
        "read_timeout": 5.0,
    }
    values.update(overrides)
    return AwsOptions(**values)


def aws_backend(endpoint_url: str, **overrides: Any) -> AwsBackend:
    return AwsBackend(fast_options(endpoint_url, **overrides))
