"""Benchmark: `harness account capture` of a moto account on loopback.

    python bench/bench_capture.py [--roles 500] [--policies 200] [--keys 100]

Builds in a moto server on 127.0.0.1 an account with `--policies` customer managed
policies, `--roles` roles (each with an inline policy and one of the managed policies
attached) and `--keys` KMS keys (each with a key policy, an alias and a tag), then
captures it and reports, side by side in the one run:

- API calls and pages the capture made, and its wall time;
- per call: the capture's cost (pacing, retries, counting, the sections' work) against a
  bare boto3 call to the same server (`DescribeKey` in a loop), as a ratio;
- loading the captured file with the account model loader, against the capture.

moto runs in its own process (`python -m moto.server` on 127.0.0.1, stopped at the end),
so the capture's threads and the server do not share one interpreter lock. moto answers
GetAccountAuthorizationDetails in one page whatever MaxItems says; the tests check paging
(tests/account/test_capture_iam.py).
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

os.environ.update(
    AWS_ACCESS_KEY_ID="testing",
    AWS_SECRET_ACCESS_KEY="testing",
    AWS_DEFAULT_REGION="eu-west-3",
    AWS_CONFIG_FILE=os.devnull,
    AWS_SHARED_CREDENTIALS_FILE=os.devnull,
    AWS_EC2_METADATA_DISABLED="true",
)

import boto3

import harness.scenarios  # noqa: F401  (import order: the account loader needs the scenarios package)
from harness.account import load_account_model
from harness.account.capture import CaptureOptions, capture_account

REGION = "eu-west-3"


def _doc(statements: list[dict]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": statements})


def build(url: str, roles: int, policies: int, keys: int) -> tuple[float, list[str]]:
    session = boto3.session.Session(region_name=REGION)
    iam = session.client("iam", endpoint_url=url)
    kms = session.client("kms", endpoint_url=url)
    started = time.perf_counter()
    arns = [
        iam.create_policy(
            PolicyName=f"bench-policy-{i:03d}",
            PolicyDocument=_doc(
                [{"Effect": "Allow", "Action": "kms:Decrypt", "Resource": f"arn:aws:kms:*:*:key/{i}"}]
            ),
        )["Policy"]["Arn"]
        for i in range(policies)
    ]
    trust = _doc(
        [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]
    )
    for i in range(roles):
        name = f"bench-role-{i:03d}"
        iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust, Tags=[{"Key": "n", "Value": str(i)}])
        iam.put_role_policy(
            RoleName=name,
            PolicyName="inline",
            PolicyDocument=_doc([{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]),
        )
        if arns:
            iam.attach_role_policy(RoleName=name, PolicyArn=arns[i % len(arns)])
    key_ids = []
    for i in range(keys):
        key = kms.create_key(Tags=[{"TagKey": "n", "TagValue": str(i)}])["KeyMetadata"]["KeyId"]
        kms.create_alias(AliasName=f"alias/bench-{i:03d}", TargetKeyId=key)
        key_ids.append(key)
    return time.perf_counter() - started, key_ids


def bare_calls(url: str, key_ids: list[str]) -> float:
    """Seconds per bare boto3 DescribeKey call to the same server."""
    kms = boto3.session.Session(region_name=REGION).client("kms", endpoint_url=url)
    kms.describe_key(KeyId=key_ids[0])
    started = time.perf_counter()
    for key in key_ids:
        kms.describe_key(KeyId=key)
    return (time.perf_counter() - started) / len(key_ids)


def start_moto(server_module: str = "moto.server") -> tuple[subprocess.Popen[bytes], str]:
    """A moto server in its own process on 127.0.0.1 (`server_module` takes moto's arguments)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", server_module, "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(100):  # up to 10 s for the server to listen
        try:
            urllib.request.urlopen(f"{url}/moto-api/", timeout=1)
            return server, url
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise SystemExit("moto server did not start")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--roles", type=int, default=500)
    parser.add_argument("--policies", type=int, default=200)
    parser.add_argument("--keys", type=int, default=100)
    args = parser.parse_args()

    server, url = start_moto()
    try:
        setup, key_ids = build(url, args.roles, args.policies, args.keys)
        started = time.perf_counter()
        # IAM and KMS only: bench/bench_estate.py measures the EC2 part of the capture.
        options = CaptureOptions(regions=(REGION,), endpoint_url=url, progress=False, services=())
        result = capture_account(options)
        wall = time.perf_counter() - started
        per_bare = bare_calls(url, key_ids) if key_ids else float("nan")
    finally:
        server.terminate()
        server.wait(timeout=10)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "captured.yaml"
        path.write_text(result.text)
        started = time.perf_counter()
        model = load_account_model(path)
        load = time.perf_counter() - started
    account = next(iter(model.accounts.values()))
    calls = result.log.as_dict()
    per_call = wall / calls["total"]
    print(
        f"account: {args.roles} roles, {args.policies} managed policies, {args.keys} keys "
        f"(built in {setup:.1f} s)"
    )
    print(
        f"captured: {len(account.roles)} roles, {len(account.policies)} policies, "
        f"{len(account.resources)} keys, {len(result.text) / 1e6:.2f} MB, {len(result.gaps)} gaps"
    )
    print(
        f"API calls: {calls['total']} ({calls['retries']} retries), pages: {result.log.pages_dict()['total']}"
    )
    for action, count in calls["by_action"].items():
        print(f"  {action}: {count}")
    print(f"capture wall time: {wall:.2f} s ({per_call * 1000:.1f} ms per call)")
    print(
        f"bare boto3 DescribeKey: {per_bare * 1000:.1f} ms per call -> "
        f"capture/bare per call: {per_call / per_bare:.2f}x"
    )
    print(f"loading the captured model: {load:.2f} s ({load / wall:.2f}x the capture)")


if __name__ == "__main__":
    main()
