"""Deterministic generator of distinct SimulateCustomPolicy requests (API request dicts).

    python bench/workload.py --count 4000 --seed 7 > requests.jsonl

Every request is its own case: its own identity policies (a shared "managed"
policy or two, as real accounts carry the same AWS managed policies, plus a
policy of its own), conditions with values of its own, its own caller,
sometimes a permissions boundary, SCP levels and a resource policy. Patterns
use the shapes real policies use: exact ARNs, `prefix*`, `*suffix`, `?`,
segment wildcards and `${aws:username}`. Actions and resource types are real
pairs, so a simulator that checks them against the service catalog accepts
them. The same seed always gives the same requests.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

REGIONS = ("us-east-1", "eu-west-3", "ap-southeast-2")
ACCOUNTS = ("111122223333", "444455556666", "777788889999")


@dataclass(frozen=True)
class ResourceKind:
    """A service's actions that all take one resource type, and how its ARNs are written."""

    service: str
    actions: tuple[str, ...]
    arn: Callable[[random.Random, str, str], str]  # (rng, region, account) -> ARN
    pattern: Callable[[random.Random, str, str], str]  # a policy Resource pattern for the type


def _name(rng: random.Random, stem: str) -> str:
    return f"{stem}-{rng.randrange(10_000):04d}"


KINDS = (
    ResourceKind(
        "s3",
        ("s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:GetObjectTagging"),
        lambda r, reg, acct: f"arn:aws:s3:::{_name(r, 'bucket')}/{_name(r, 'dir')}/{_name(r, 'obj')}.txt",
        lambda r, reg, acct: r.choice(
            [
                f"arn:aws:s3:::{_name(r, 'bucket')}/*",
                f"arn:aws:s3:::bucket-*/{_name(r, 'dir')}/*",
                "arn:aws:s3:::*/*.txt",
                "arn:aws:s3:::bucket-????/*",
                "arn:aws:s3:::${aws:username}/*",
            ]
        ),
    ),
    ResourceKind(
        "s3",
        ("s3:ListBucket", "s3:GetBucketPolicy", "s3:GetBucketTagging"),
        lambda r, reg, acct: f"arn:aws:s3:::{_name(r, 'bucket')}",
        lambda r, reg, acct: r.choice(
            [f"arn:aws:s3:::{_name(r, 'bucket')}", "arn:aws:s3:::bucket-*", "arn:aws:s3:::*"]
        ),
    ),
    ResourceKind(
        "kms",
        ("kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:DescribeKey", "kms:ReEncryptFrom"),
        lambda r, reg, acct: f"arn:aws:kms:{reg}:{acct}:key/{r.getrandbits(128):032x}",
        lambda r, reg, acct: r.choice(
            [
                f"arn:aws:kms:{reg}:{acct}:key/*",
                f"arn:aws:kms:*:{acct}:key/*",
                "arn:aws:kms:*:*:key/*",
                f"arn:aws:kms:{reg}:{acct}:key/{r.getrandbits(128):032x}",
            ]
        ),
    ),
    ResourceKind(
        "sqs",
        ("sqs:SendMessage", "sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"),
        lambda r, reg, acct: f"arn:aws:sqs:{reg}:{acct}:{_name(r, 'queue')}",
        lambda r, reg, acct: r.choice(
            [f"arn:aws:sqs:{reg}:{acct}:queue-*", f"arn:aws:sqs:*:{acct}:*", f"arn:aws:sqs:{reg}:*:*-dlq"]
        ),
    ),
    ResourceKind(
        "dynamodb",
        ("dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query", "dynamodb:DeleteItem"),
        lambda r, reg, acct: f"arn:aws:dynamodb:{reg}:{acct}:table/{_name(r, 'table')}",
        lambda r, reg, acct: r.choice(
            [
                f"arn:aws:dynamodb:{reg}:{acct}:table/table-*",
                f"arn:aws:dynamodb:{reg}:{acct}:table/{_name(r, 'table')}",
                "arn:aws:dynamodb:*:*:table/*",
            ]
        ),
    ),
    ResourceKind(
        "sns",
        ("sns:Publish", "sns:Subscribe", "sns:GetTopicAttributes"),
        lambda r, reg, acct: f"arn:aws:sns:{reg}:{acct}:{_name(r, 'topic')}",
        lambda r, reg, acct: r.choice([f"arn:aws:sns:{reg}:{acct}:topic-*", "arn:aws:sns:*:*:*"]),
    ),
    ResourceKind(
        "lambda",
        ("lambda:InvokeFunction", "lambda:GetFunction", "lambda:UpdateFunctionCode"),
        lambda r, reg, acct: f"arn:aws:lambda:{reg}:{acct}:function:{_name(r, 'fn')}",
        lambda r, reg, acct: r.choice(
            [f"arn:aws:lambda:{reg}:{acct}:function:fn-*", f"arn:aws:lambda:*:{acct}:function:*"]
        ),
    ),
    ResourceKind(
        "secretsmanager",
        ("secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"),
        lambda r, reg, acct: f"arn:aws:secretsmanager:{reg}:{acct}:secret:{_name(r, 'app')}/db-AbCdEf",
        lambda r, reg, acct: r.choice(
            [
                f"arn:aws:secretsmanager:{reg}:{acct}:secret:app-*",
                f"arn:aws:secretsmanager:*:{acct}:secret:*/db-??????",
            ]
        ),
    ),
    ResourceKind(
        "iam",
        ("iam:GetRole", "iam:PassRole", "iam:TagRole"),
        lambda r, reg, acct: f"arn:aws:iam::{acct}:role/{_name(r, 'svc')}",
        lambda r, reg, acct: r.choice([f"arn:aws:iam::{acct}:role/svc-*", "arn:aws:iam::*:role/*"]),
    ),
)

# Shared policies, the same text in every account (like AWS managed policies).
MANAGED = (
    {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": ["s3:Get*", "s3:List*"], "Resource": "*"},
            {"Effect": "Allow", "Action": ["kms:Describe*", "kms:List*"], "Resource": "*"},
        ],
    },
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "DenyInsecure",
                "Effect": "Deny",
                "Action": "*",
                "Resource": "*",
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            },
            {"Effect": "Allow", "Action": ["sqs:*", "sns:Publish"], "Resource": "*"},
        ],
    },
    {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": ["dynamodb:Get*", "dynamodb:Query"], "Resource": "*"},
            {"Effect": "Allow", "Action": "lambda:InvokeFunction", "Resource": "*"},
        ],
    },
)
FULL_ACCESS = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}


def _action_pattern(rng: random.Random, kind: ResourceKind) -> str:
    action = rng.choice(kind.actions)
    service, name = action.split(":")
    return rng.choice(
        [
            action,
            action,
            f"{service}:{name[:3]}*",
            f"{service}:*",
            f"{service}:*{name[-4:]}",
            f"{service}:{name[:-1]}?",
            action.lower(),
        ]
    )


def _condition(rng: random.Random, tag: str, account: str) -> dict[str, Any]:
    choice = rng.randrange(8)
    if choice == 0:
        return {"StringEquals": {"aws:PrincipalTag/team": tag}}
    if choice == 1:
        return {"StringLike": {"aws:PrincipalTag/project": [f"{tag}-*", "shared-?"]}}
    if choice == 2:
        return {"IpAddress": {"aws:SourceIp": [f"10.{rng.randrange(256)}.0.0/16", "192.0.2.0/24"]}}
    if choice == 3:
        return {"Bool": {"aws:SecureTransport": "true"}}
    if choice == 4:
        return {"DateLessThan": {"aws:CurrentTime": f"20{rng.randrange(20, 40)}-01-01T00:00:00Z"}}
    if choice == 5:
        return {"ArnLike": {"aws:PrincipalArn": f"arn:aws:iam::{account}:user/{tag}*"}}
    if choice == 6:
        return {"ForAnyValue:StringEquals": {"aws:PrincipalTag/env": ["prod", tag]}}
    return {"StringNotEqualsIfExists": {"aws:RequestedRegion": rng.choice(REGIONS)}}


def _statement(rng: random.Random, kind: ResourceKind, region: str, account: str, tag: str) -> dict[str, Any]:
    st: dict[str, Any] = {
        "Sid": f"S{rng.randrange(1_000_000)}",
        "Effect": "Deny" if rng.random() < 0.2 else "Allow",
        "Action": [_action_pattern(rng, kind) for _ in range(rng.randint(1, 3))],
        "Resource": [kind.pattern(rng, region, account) for _ in range(rng.randint(1, 2))],
    }
    if rng.random() < 0.6:
        st["Condition"] = _condition(rng, tag, account)
    return st


def _policy(rng: random.Random, kinds: list[ResourceKind], region: str, account: str, tag: str) -> str:
    statements = [_statement(rng, rng.choice(kinds), region, account, tag) for _ in range(rng.randint(1, 5))]
    return json.dumps({"Version": "2012-10-17", "Statement": statements})


def _context(rng: random.Random, tag: str) -> list[dict[str, Any]]:
    entries = [
        {"ContextKeyName": "aws:PrincipalTag/team", "ContextKeyValues": [tag], "ContextKeyType": "string"},
        {
            "ContextKeyName": "aws:SecureTransport",
            "ContextKeyValues": [rng.choice(["true", "false"])],
            "ContextKeyType": "boolean",
        },
        {
            "ContextKeyName": "aws:SourceIp",
            "ContextKeyValues": [f"10.{rng.randrange(256)}.{rng.randrange(256)}.7"],
            "ContextKeyType": "ip",
        },
        {
            "ContextKeyName": "aws:CurrentTime",
            "ContextKeyValues": ["2030-06-01T12:00:00Z"],
            "ContextKeyType": "date",
        },
        {
            "ContextKeyName": "aws:PrincipalTag/project",
            "ContextKeyValues": [f"{tag}-{rng.randrange(100)}"],
            "ContextKeyType": "string",
        },
        {
            "ContextKeyName": "aws:RequestedRegion",
            "ContextKeyValues": [rng.choice(REGIONS)],
            "ContextKeyType": "string",
        },
    ]
    return rng.sample(entries, rng.randint(0, len(entries)))


def generate_request(rng: random.Random, index: int) -> dict[str, Any]:
    """One SimulateCustomPolicy request, distinct from every other (its index is in names and values)."""
    account = rng.choice(ACCOUNTS)
    region = rng.choice(REGIONS)
    tag = f"team{index}"
    user = f"{tag}-{_name(rng, 'user')}"
    kind = rng.choice(KINDS)
    others = [kind, *rng.sample(KINDS, 2)]
    policies = [json.dumps(p) for p in rng.sample(MANAGED, rng.randint(0, 2))]
    policies += [_policy(rng, others, region, account, tag) for _ in range(rng.randint(1, 2))]
    req: dict[str, Any] = {
        "PolicyInputList": policies,
        "ActionNames": rng.sample(kind.actions, rng.randint(1, min(3, len(kind.actions)))),
        "ResourceArns": [kind.arn(rng, region, account) for _ in range(rng.randint(1, 2))],
        "CallerArn": f"arn:aws:iam::{account}:user/{user}",
        "ResourceOwner": f"arn:aws:iam::{account}:root",
    }
    if rng.random() < 0.3:
        req["PermissionsBoundaryPolicyInputList"] = [_policy(rng, others, region, account, tag)]
    if rng.random() < 0.4:
        levels = [{"ServiceControlPolicyInputList": [json.dumps(FULL_ACCESS)]}]
        if rng.random() < 0.5:
            deny = {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Deny",
                        "Action": [_action_pattern(rng, kind)],
                        "Resource": "*",
                        "Condition": _condition(rng, tag, account),
                    }
                ],
            }
            levels.append({"ServiceControlPolicyInputList": [json.dumps(FULL_ACCESS), json.dumps(deny)]})
        req["OrderedOrganizationPolicyInputList"] = levels
    if rng.random() < 0.3:
        st = _statement(rng, kind, region, account, tag)
        st["Principal"] = {"AWS": rng.choice([f"arn:aws:iam::{account}:root", req["CallerArn"]])}
        req["ResourcePolicy"] = json.dumps({"Version": "2012-10-17", "Statement": [st]})
    context = _context(rng, tag)
    if context:
        req["ContextEntries"] = context
    return req


def generate_requests(count: int, seed: int = 7) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    return [generate_request(rng, i) for i in range(count)]


def big_request(actions: int = 40, keys: int = 250) -> dict[str, Any]:
    """One request of `actions` x `keys` cells: KMS key policies, the 10,000-cell case by default."""
    account = ACCOUNTS[0]
    names = [
        "Decrypt", "Encrypt", "GenerateDataKey", "GenerateDataKeyWithoutPlaintext", "GenerateDataKeyPair",
        "ReEncryptFrom", "ReEncryptTo", "CreateGrant", "DescribeKey", "GetKeyPolicy", "ListGrants",
        "RevokeGrant", "RetireGrant", "GetKeyRotationStatus", "Sign", "Verify", "GenerateMac",
        "VerifyMac", "GetPublicKey", "TagResource", "UntagResource", "ListResourceTags",
        "EnableKeyRotation", "DisableKeyRotation", "EnableKey", "DisableKey", "ScheduleKeyDeletion",
        "CancelKeyDeletion", "PutKeyPolicy", "UpdateKeyDescription", "GenerateDataKeyPairWithoutPlaintext",
        "ListKeyPolicies", "GetParametersForImport", "ImportKeyMaterial", "DeleteImportedKeyMaterial",
        "DeriveSharedSecret", "ReplicateKey", "UpdatePrimaryRegion", "RotateKeyOnDemand",
        "ListKeyRotations",
    ]  # fmt: skip
    identity = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*"],
                "Resource": f"arn:aws:kms:eu-west-3:{account}:key/*",
            },
            {
                "Effect": "Allow",
                "Action": ["kms:Describe*", "kms:Get*", "kms:List*"],
                "Resource": "*",
                "Condition": {"StringEquals": {"aws:RequestedRegion": "eu-west-3"}},
            },
            {"Effect": "Deny", "Action": "kms:ScheduleKeyDeletion", "Resource": "*"},
        ],
    }
    return {
        "PolicyInputList": [json.dumps(identity)],
        "ActionNames": [f"kms:{n}" for n in names[:actions]],
        "ResourceArns": [
            f"arn:aws:kms:eu-west-3:{account}:key/{i:08d}-0000-4000-8000-000000000000" for i in range(keys)
        ],
        "CallerArn": f"arn:aws:iam::{account}:user/alice",
        "ContextEntries": [
            {
                "ContextKeyName": "aws:RequestedRegion",
                "ContextKeyValues": ["eu-west-3"],
                "ContextKeyType": "string",
            }
        ],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=4000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--big", action="store_true", help="print the single 40 x 250 request instead")
    args = parser.parse_args()
    if args.big:
        json.dump(big_request(), sys.stdout)
        sys.stdout.write("\n")
        return 0
    for req in generate_requests(args.count, args.seed):
        sys.stdout.write(json.dumps(req) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
