"""The capture's least-privilege policy names exactly the actions the capture calls."""

from __future__ import annotations

import json
from pathlib import Path

from capture_builders import AMI, capture

from harness.account.capture import CAPTURE_ACTIONS

POLICY = Path(__file__).resolve().parents[2] / "scenarios/harness-self/policies/capture-least-privilege.json"


def _policy_actions() -> set[str]:
    actions: set[str] = set()
    for statement in json.loads(POLICY.read_text())["Statement"]:
        value = statement["Action"]
        actions.update([value] if isinstance(value, str) else value)
    return actions


def test_the_published_policy_grants_exactly_the_capture_actions():
    assert _policy_actions() == set(CAPTURE_ACTIONS)


def test_a_capture_calls_nothing_outside_its_policy(moto, tmp_path):
    kms = moto.client("kms")
    kms.create_alias(AliasName="alias/a", TargetKeyId=kms.create_key()["KeyMetadata"]["KeyId"])
    moto.client("s3", "us-east-1", "111122223333").create_bucket(Bucket="evidence-bucket")
    ec2 = moto.client("ec2", "eu-west-3", "111122223333")
    volume = ec2.create_volume(Size=8, AvailabilityZone="eu-west-3a")["VolumeId"]
    ec2.create_snapshot(VolumeId=volume)
    ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1)
    result, _ = capture(
        moto,
        tmp_path,
        services=("ec2", "s3"),
        assume_roles=("arn:aws:iam::111122223333:role/iam-harness-audit",),
    )
    assert {"ec2:DescribeInstances", "ec2:GetEbsDefaultKmsKeyId", "s3:GetBucketPolicy"} <= set(
        result.log.calls
    )
    # sts:AssumeRole is the caller's permission on the role, not the capture policy's.
    assert set(result.log.calls) - {"sts:AssumeRole"} <= set(CAPTURE_ACTIONS)
