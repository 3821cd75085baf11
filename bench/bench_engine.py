"""Offline engine throughput: decisions per second on one core.

(a) The KMS policies of an EBS-acquisition setup (the default EBS key policy,
    a custom key policy naming the responder role, the role's identity
    statements; from the vendor's support article "How does Cado support KMS
    in AWS?", written inline here)
    over a 1,000-cell matrix: 20 KMS actions x 50 key ARNs, caller a role
    session of the same account. Target: > 50,000 decisions/s.
(b) 50 identity statements with conditions over 10,000 cells (100 actions x
    100 resources).

A decision is one action x resource cell, with its enforced decision. Each
figure is the best of several runs, with explanations on (the default) and
off. Policies are compiled once per Engine (its cache); statements are
indexed by service prefix. Run: `python bench/bench_engine.py`.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable

from harness.engine import ContextEntry, Engine, PolicyKind, PolicySource, SimulationInput

ACCOUNT = "012345678910"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/myCadoResponseRole"
SESSION = f"arn:aws:sts::{ACCOUNT}:assumed-role/myCadoResponseRole/acquisition"
USE = ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*"]

KEY_POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "Allow access through EBS for all principals in the account "
            "that are authorized to use EBS",
            "Effect": "Allow",
            "Principal": {"AWS": "*"},
            "Action": [*USE, "kms:CreateGrant", "kms:DescribeKey"],
            "Resource": "*",
            "Condition": {
                "StringEquals": {
                    "kms:ViaService": "ec2.eu-west-3.amazonaws.com",
                    "kms:CallerAccount": ACCOUNT,
                }
            },
        },
        {
            "Sid": "Allow required KMS permissions",
            "Effect": "Allow",
            "Principal": {"AWS": ROLE},
            "Action": USE,
            "Resource": "*",
        },
        {
            "Sid": "Allow attachment of persistent resources",
            "Effect": "Allow",
            "Principal": {"AWS": ROLE},
            "Action": ["kms:CreateGrant"],
            "Resource": "*",
            "Condition": {"Bool": {"kms:GrantIsForAWSResource": True}},
        },
    ],
}
ROLE_POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "RequiredForKmsEncryptedEc2Import",
            "Effect": "Allow",
            "Action": [*USE, "kms:CreateGrant"],
            "Resource": "*",
        },
        {
            "Sid": "RequiredForCrossAccountDefaultKmsEncryptedEc2Import",
            "Effect": "Allow",
            "Action": ["kms:CreateKey", "kms:CreateAlias", "kms:DescribeKey", "kms:ListAliases"],
            "Resource": "*",
        },
        {
            "Sid": "RequiredForOperationsOnTemporaryKMSResourcesduringDefaultEncryptedEc2Import",
            "Effect": "Allow",
            "Action": ["kms:DeleteAlias", "kms:ReplicateKey", "kms:ScheduleKeyDeletion"],
            "Resource": "*",
            "Condition": {
                "ForAllValues:StringLike": {"kms:ResourceAliases": ["alias/CadoResponse-KMS-Alias*"]},
                "ForAnyValue:StringLike": {"kms:ResourceAliases": ["alias/CadoResponse-KMS-Alias*"]},
            },
        },
        {
            "Sid": "RequiredForFirstTimeKMSDefaultencryptedImportCanBeDeletedAfter",
            "Effect": "Allow",
            "Action": ["iam:CreateServiceLinkedRole"],
            "Resource": "arn:aws:iam::*:role/aws-service-role/mrk.kms.amazonaws.com/"
            "AWSServiceRoleForKeyManagementServiceMultiRegionKeys",
            "Condition": {"StringLike": {"iam:AWSServiceName": "mrk.kms.amazonaws.com"}},
        },
    ],
}
KMS_ACTIONS = [
    "kms:Encrypt", "kms:Decrypt", "kms:ReEncryptFrom", "kms:ReEncryptTo", "kms:GenerateDataKey",
    "kms:GenerateDataKeyWithoutPlaintext", "kms:GenerateDataKeyPair", "kms:CreateGrant", "kms:DescribeKey",
    "kms:ListAliases", "kms:CreateAlias", "kms:DeleteAlias", "kms:ScheduleKeyDeletion", "kms:ReplicateKey",
    "kms:PutKeyPolicy", "kms:GetKeyPolicy", "kms:EnableKey", "kms:DisableKey", "kms:TagResource", "kms:Sign",
]  # fmt: skip
KEYS = [f"arn:aws:kms:eu-west-3:{ACCOUNT}:key/{i:08d}-0000-0000-0000-000000000000" for i in range(50)]


def kms_input() -> SimulationInput:
    return SimulationInput(
        action_names=tuple(KMS_ACTIONS),
        resource_arns=tuple(KEYS),
        identity_policies=(PolicySource(json.dumps(ROLE_POLICY), "myCadoResponseRole-policy", "role"),),
        resource_policy=PolicySource(
            json.dumps(KEY_POLICY), "ResourcePolicy", "Resource Policy", PolicyKind.RESOURCE
        ),
        caller_arn=SESSION,
        context=(ContextEntry("kms:ViaService", ("ec2.eu-west-3.amazonaws.com",), "string"),),
    )


def conditions_input() -> SimulationInput:
    services = ["s3", "ec2", "dynamodb", "sqs", "sns", "lambda", "logs", "kms", "ssm", "secretsmanager"]
    statements = []
    for i in range(50):
        svc = services[i % len(services)]
        statements.append(
            {
                "Sid": f"S{i}",
                "Effect": "Deny" if i % 7 == 0 else "Allow",
                "Action": [f"{svc}:Get*", f"{svc}:List*", f"{svc}:Describe*", f"{svc}:Put{i}*"],
                "Resource": [f"arn:aws:{svc}:*:{ACCOUNT}:res{i % 5}/*", f"arn:aws:{svc}:eu-west-1:*:*"],
                "Condition": {
                    "StringEquals": {"aws:RequestedRegion": ["eu-west-1", "eu-west-3"]},
                    "StringLike": {"aws:PrincipalTag/team": f"team-{i % 3}*"},
                    "Bool": {"aws:SecureTransport": "true"},
                    "IpAddress": {"aws:SourceIp": ["10.0.0.0/8", "192.168.0.0/16"]},
                },
            }
        )
    doc = {"Version": "2012-10-17", "Statement": statements}
    actions = [
        f"{services[i % 10]}:{verb}Thing{i}"
        for i, verb in zip(range(100), ["Get", "List", "Describe", "Put"] * 25, strict=True)
    ]
    resources = [f"arn:aws:{services[i % 10]}:eu-west-1:{ACCOUNT}:res{i % 5}/item{i}" for i in range(100)]
    return SimulationInput(
        action_names=tuple(actions),
        resource_arns=tuple(resources),
        identity_policies=(PolicySource(json.dumps(doc), "PolicyInputList.1", "IAM Policy"),),
        caller_arn=f"arn:aws:iam::{ACCOUNT}:user/alice",
        context=(
            ContextEntry("aws:RequestedRegion", ("eu-west-1",), "string"),
            ContextEntry("aws:PrincipalTag/team", ("team-1-forensics",), "string"),
            ContextEntry("aws:SecureTransport", ("true",), "boolean"),
            ContextEntry("aws:SourceIp", ("10.1.2.3",), "ip"),
        ),
    )


def measure(label: str, run: Callable[[], int], repeats: int = 5) -> None:
    best = float("inf")
    cells = 0
    for _ in range(repeats):
        t0 = time.perf_counter()
        cells = run()
        best = min(best, time.perf_counter() - t0)
    print(f"{label:68} {cells:6} cells  {best * 1000:8.1f} ms  {cells / best:10,.0f} decisions/s")


def main() -> None:
    kms = kms_input()
    cells = [
        SimulationInput(
            action_names=(a,),
            resource_arns=(k,),
            identity_policies=kms.identity_policies,
            resource_policy=kms.resource_policy,
            caller_arn=kms.caller_arn,
            context=kms.context,
        )
        for a in KMS_ACTIONS
        for k in KEYS
    ]
    cond = conditions_input()
    for explain in (True, False):
        mode = "explanations on" if explain else "explanations off"

        def cold_batch(explain: bool = explain) -> int:
            # A fresh engine: parse and compile included, nothing cached.
            out = Engine(explain=explain).simulate(kms)
            return sum(len(r.resource_results) for r in out.results)

        def cold_cells(explain: bool = explain) -> int:
            engine = Engine(explain=explain)
            for c in cells:
                engine.simulate(c)
            return len(cells)

        warm = Engine(explain=explain)
        warm.simulate(kms)

        def warm_cells(engine: Engine = warm) -> int:
            # The engine has answered these requests before (its caches hold them).
            for c in cells:
                engine.simulate(c)
            return len(cells)

        def cold_conditions(explain: bool = explain) -> int:
            out = Engine(explain=explain).simulate(cond)
            return sum(len(r.resource_results) for r in out.results)

        measure(f"(a) KMS, 20 actions x 50 keys in one request, fresh engine [{mode}]", cold_batch)
        measure(f"(a) KMS, 1,000 single-cell requests, fresh engine [{mode}]", cold_cells)
        measure(f"(a) KMS, 1,000 single-cell requests, warm engine [{mode}]", warm_cells)
        measure(
            f"(b) 50 conditional statements, 100 x 100 cells, fresh engine [{mode}]",
            cold_conditions,
            repeats=3,
        )


if __name__ == "__main__":
    main()
