"""Fixtures for the AWS backend's tests: fake credentials and a loopback IAM endpoint.

No test may reach AWS: credentials are fake, shared config files point
nowhere, the instance metadata service is off, and every client is given the
loopback endpoint.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from aws_builders import USER_ARN, allow, policy_text

from harness.testing.iam_endpoint import Faults, LocalIamEndpoint


@pytest.fixture(autouse=True)
def fake_aws_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-such-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-such-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.delenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", raising=False)
    monkeypatch.delenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", raising=False)
    monkeypatch.delenv("AWS_WEB_IDENTITY_TOKEN_FILE", raising=False)


@pytest.fixture(autouse=True)
def loopback_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any connection beyond 127.0.0.1 fails the test instead of reaching AWS."""
    real_connect = socket.socket.connect

    def connect(self: socket.socket, address: object) -> None:
        host = address[0] if isinstance(address, tuple) else str(address)
        if self.family in (socket.AF_INET, socket.AF_INET6) and host not in ("127.0.0.1", "::1", "localhost"):
            raise AssertionError(f"test tried to reach {address}: only loopback is allowed")
        real_connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", connect)


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
