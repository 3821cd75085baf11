"""Fixtures for the capture's tests: fake credentials, loopback only, a moto server the tests start.

No test may reach AWS: credentials are fake, shared config files point nowhere, the
instance metadata service is off, and every client is given the loopback moto server.
"""

from __future__ import annotations

import logging
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from harness.testing import sandbox


@pytest.fixture(autouse=True)
def fake_aws_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    sandbox.fake_aws_environment(monkeypatch, tmp_path, "eu-west-3")


@pytest.fixture(autouse=True)
def loopback_only(monkeypatch: pytest.MonkeyPatch) -> None:
    sandbox.loopback_only(monkeypatch)


class Moto:
    """A moto server on 127.0.0.1; `client()` builds clients for setting the account up."""

    def __init__(self, url: str) -> None:
        self.url = url
        # One boto3 session for every client: botocore loads its service models once per session.
        self._session = boto3.session.Session(
            aws_access_key_id="testing", aws_secret_access_key="testing", region_name="eu-west-3"
        )
        self._clients: dict[tuple[str, str, str | None], Any] = {}

    def reset(self) -> None:
        urllib.request.urlopen(urllib.request.Request(f"{self.url}/moto-api/reset", data=b"", method="POST"))
        self._clients.clear()  # moto forgets the assumed-role credentials on reset

    def client(self, service: str, region: str = "eu-west-3", account: str | None = None) -> Any:
        key = (service, region, account)
        if key not in self._clients:
            credentials: dict[str, str] = {}
            if account is not None:
                # moto lets a role of any account be assumed: that is how a test reaches another account.
                creds = self.client("sts", region).assume_role(
                    RoleArn=f"arn:aws:iam::{account}:role/setup", RoleSessionName="setup"
                )["Credentials"]
                credentials = {
                    "aws_access_key_id": creds["AccessKeyId"],
                    "aws_secret_access_key": creds["SecretAccessKey"],
                    "aws_session_token": creds["SessionToken"],
                }
            self._clients[key] = self._session.client(
                service, endpoint_url=self.url, region_name=region, **credentials
            )
        return self._clients[key]


@pytest.fixture(scope="session")
def moto_server() -> Iterator[Moto]:
    from moto.ec2.responses import EC2Response
    from moto.server import ThreadedMotoServer

    from harness.testing.moto_ebs import _ebs_default_kms_key_id

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    # The server runs in this process, so the missing EC2 call can be added to its responses.
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(EC2Response, "get_ebs_default_kms_key_id", _ebs_default_kms_key_id, raising=False)
        server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        server.start()
        host, port = server.get_host_and_port()
        try:
            yield Moto(f"http://{host}:{port}")
        finally:
            server.stop()


@pytest.fixture
def moto(moto_server: Moto, monkeypatch: pytest.MonkeyPatch) -> Moto:
    """The loopback moto server, emptied.

    Without moto's built-in AMIs: they come with some 1,300 public snapshots of other owners
    in every Region, which moto lists whatever `OwnerIds` asks, and instances need no AMI.
    """
    monkeypatch.setenv("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")
    moto_server.reset()
    return moto_server
