"""Fixtures for the AWS backend's tests: fake credentials and a loopback IAM endpoint.

No test may reach AWS: credentials are fake, shared config files point
nowhere, the instance metadata service is off, and every client is given the
loopback endpoint.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from aws_builders import USER_ARN, allow, policy_text

from harness.testing import sandbox
from harness.testing.iam_endpoint import Faults, LocalIamEndpoint


@pytest.fixture(autouse=True)
def fake_aws_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    sandbox.fake_aws_environment(monkeypatch, tmp_path, "us-east-1")


@pytest.fixture(autouse=True)
def loopback_only(monkeypatch: pytest.MonkeyPatch) -> None:
    sandbox.loopback_only(monkeypatch)


@pytest.fixture(scope="session")
def shared_endpoint() -> Iterator[LocalIamEndpoint]:
    with LocalIamEndpoint(Faults()) as ep:
        yield ep


@pytest.fixture
def endpoint(shared_endpoint: LocalIamEndpoint) -> LocalIamEndpoint:
    """The loopback endpoint, with an empty account, no faults and no recorded requests."""
    shared_endpoint.reset()
    return shared_endpoint


@pytest.fixture
def alice(endpoint: LocalIamEndpoint) -> str:
    """User alice in moto: may read objects in `bucket`, nothing else."""
    iam = endpoint.client("iam")
    iam.create_user(UserName="alice")
    iam.put_user_policy(
        UserName="alice",
        PolicyName="read-bucket",
        PolicyDocument=policy_text(allow(["s3:GetObject", "s3:ListBucket"], "arn:aws:s3:::bucket*")),
    )
    return USER_ARN


def dumps(value: object) -> str:
    return json.dumps(value, sort_keys=True)
