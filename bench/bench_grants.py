"""Benchmark: KMS grants, captured and asked: who can decrypt each key, offline.

    python bench/bench_grants.py [--keys 200] [--grants 5] [--roles 20] [--queues 200]

Builds in a moto server on 127.0.0.1 (its own process, stopped at the end) an account with
`--roles` roles and `--keys` keys, each with a key policy naming another account and a
service principal, and `--grants` grants to roles of the account and of another account
(one in five constrained to an encryption context), and `--queues` SQS queues whose
policies name another account and SNS. Then reports:

- the capture (IAM, KMS with ListGrants, and `--services sqs`): wall time, API calls,
  grants captured;
- loading the captured model;
- `who-can kms:Decrypt KEY` on every key, offline (the model's roles and the principals
  outside the model): wall time in total and per key, and the answers counted; the same
  for `sqs:SendMessage` on every queue.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import boto3
from bench_capture import REGION, start_moto

from harness.account import load_account_model
from harness.account.capture import CaptureOptions, capture_account
from harness.who_can import WhoCanQuestion, who_can

ACCOUNT = "123456789012"
PARTNER = "444455556666"
TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}
    ],
}


def _key_policy() -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Sid": "Iam", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
                 "Action": "kms:*", "Resource": "*"},
                {"Sid": "Partner", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{PARTNER}:root"},
                 "Action": "kms:Decrypt", "Resource": "*"},
                {"Sid": "Sns", "Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"},
                 "Action": ["kms:Decrypt", "kms:GenerateDataKey"], "Resource": "*",
                 "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}}},
            ],
        }
    )  # fmt: skip


def build(url: str, keys: int, grants: int, roles: int) -> list[str]:
    session = boto3.session.Session(region_name=REGION)
    iam = session.client("iam", endpoint_url=url)
    kms = session.client("kms", endpoint_url=url)
    role_arns = [
        iam.create_role(RoleName=f"app-{n}", AssumeRolePolicyDocument=json.dumps(TRUST))["Role"]["Arn"]
        for n in range(roles)
    ]
    arns = []
    for k in range(keys):
        meta = kms.create_key()["KeyMetadata"]
        kms.put_key_policy(KeyId=meta["KeyId"], PolicyName="default", Policy=_key_policy())
        for g in range(grants):
            outsider = f"arn:aws:iam::{PARTNER}:role/consumer-{g}"
            grantee = role_arns[(k + g) % roles] if g % 2 == 0 else outsider
            extra = {"Constraints": {"EncryptionContextEquals": {"Project": f"p{k}"}}} if g % 5 == 4 else {}
            kms.create_grant(KeyId=meta["KeyId"], GranteePrincipal=grantee, Operations=["Decrypt"], **extra)
        arns.append(meta["Arn"])
    return arns


def build_queues(url: str, queues: int) -> list[str]:
    sqs = boto3.session.Session(region_name=REGION).client("sqs", endpoint_url=url)
    arns = []
    for n in range(queues):
        queue_url = sqs.create_queue(QueueName=f"jobs-{n}")["QueueUrl"]
        arn = f"arn:aws:sqs:{REGION}:{ACCOUNT}:jobs-{n}"
        statements = [
            {"Sid": "Partner", "Effect": "Allow", "Principal": {"AWS": PARTNER}, "Action": "sqs:SendMessage",
             "Resource": arn},
            {"Sid": "Sns", "Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"},
             "Action": "sqs:SendMessage", "Resource": arn,
             "Condition": {"ArnEquals": {"aws:SourceArn": f"arn:aws:sns:{REGION}:{ACCOUNT}:t{n}"}}},
        ]  # fmt: skip
        policy = json.dumps({"Version": "2012-10-17", "Statement": statements})
        sqs.set_queue_attributes(QueueUrl=queue_url, Attributes={"Policy": policy})
        arns.append(arn)
    return arns


def ask(model: object, action: str, arns: list[str]) -> tuple[float, list[int]]:
    """who-can on each resource: wall time, and [answers, allowed, outside the model, errors]."""
    counts = [0, 0, 0, 0]
    started = time.perf_counter()
    for arn in arns:
        report = who_can(model, WhoCanQuestion((action,), (arn,)))  # type: ignore[arg-type]
        for i, n in enumerate((report.answers, report.allowed, report.external, report.errors)):
            counts[i] += len(n)
    return time.perf_counter() - started, counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keys", type=int, default=200)
    parser.add_argument("--grants", type=int, default=5)
    parser.add_argument("--roles", type=int, default=20)
    parser.add_argument("--queues", type=int, default=200)
    args = parser.parse_args()

    server, url = start_moto()
    try:
        started = time.perf_counter()
        key_arns = build(url, args.keys, args.grants, args.roles)
        queue_arns = build_queues(url, args.queues)
        setup = time.perf_counter() - started
        started = time.perf_counter()
        options = CaptureOptions(regions=(REGION,), endpoint_url=url, progress=False, services=("sqs",))
        result = capture_account(options)
        capture_wall = time.perf_counter() - started
    finally:
        server.terminate()
        server.wait(timeout=10)
    calls = result.log.as_dict()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "captured.yaml"
        path.write_text(result.text)
        started = time.perf_counter()
        model = load_account_model(path)
        load = time.perf_counter() - started
    captured = sum(len(e.grants) for a in model.accounts.values() for e in a.resources.values())

    keys_wall, (answers, allowed, external, errors) = ask(model, "kms:Decrypt", key_arns)
    queues_wall, queue_counts = ask(model, "sqs:SendMessage", queue_arns)

    print(
        f"account: {args.keys} keys x {args.grants} grants, {args.queues} queues, {args.roles} roles "
        f"(built in {setup:.1f} s)"
    )
    list_grants = calls["by_action"].get("kms:ListGrants", 0)
    print(
        f"capture (IAM + KMS + SQS): {capture_wall:.2f} s, {calls['total']} API calls, "
        f"ListGrants {list_grants}; {captured} grants, {len(result.gaps)} gaps"
    )
    print(f"loading the captured model: {load:.2f} s")
    per_key = keys_wall / max(1, len(key_arns)) * 1000
    print(
        f"who-can kms:Decrypt on every key, offline: {keys_wall:.2f} s ({per_key:.1f} ms per key); "
        f"{answers} identity answers ({allowed} allowed), {external} outside the model, {errors} errors"
    )
    per_queue = queues_wall / max(1, len(queue_arns)) * 1000
    print(
        f"who-can sqs:SendMessage on every queue, offline: {queues_wall:.2f} s ({per_queue:.1f} ms per "
        f"queue); {queue_counts[2]} outside the model, {queue_counts[3]} errors"
    )


if __name__ == "__main__":
    main()
