"""Helpers for the capture's tests: run a capture against moto, make AWS refuse a call."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import botocore.awsrequest
import pytest

from harness.account import AccountModel, load_account_model
from harness.account.capture import CaptureOptions, CaptureResult, capture_account
from harness.backends.aws.session import AwsSession

MOTO_ACCOUNT = "123456789012"  # the account moto answers as
# A key policy that enables IAM policies for the key's account and names nobody else.
ROOT_KEY_POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "Root",
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{MOTO_ACCOUNT}:root"},
            "Action": "kms:*",
            "Resource": "*",
        }
    ],
}
ALLOW_DECRYPT = {
    "Version": "2012-10-17",
    "Statement": [{"Sid": "Decrypt", "Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*"}],
}
# The EC2 calls scenarios/kms/10-estate.yaml asks of an incident-response role (the harness's
# reading of an acquisition, beside the vendor's KMS statements): CreateSnapshot on the volume and
# on the snapshot it creates, the Describe calls on "*" (they take no resource-level permission).
ACQUISITION_EC2 = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "SnapshotVolumes",
            "Effect": "Allow",
            "Action": "ec2:CreateSnapshot",
            "Resource": ["arn:aws:ec2:*:*:volume/*", "arn:aws:ec2:*::snapshot/*"],
        },
        {
            "Sid": "ReadVolumesSnapshotsInstances",
            "Effect": "Allow",
            "Action": ["ec2:DescribeInstances", "ec2:DescribeSnapshots", "ec2:DescribeVolumes"],
            "Resource": "*",
        },
    ],
}
TRUST_EC2 = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}
    ],
}


def doc(value: dict[str, Any]) -> str:
    return json.dumps(value)


def capture(moto: Any, tmp_path: Path, **options: Any) -> tuple[CaptureResult, AccountModel]:
    """Capture moto's account(s), write the file, load it back with the account model loader."""
    options.setdefault("progress", False)
    result = capture_account(CaptureOptions(endpoint_url=moto.url, **options))
    path = tmp_path / "captured.yaml"
    path.write_text(result.text)
    return result, load_account_model(path)


def refuse(
    monkeypatch: pytest.MonkeyPatch,
    service: str,
    operation: str,
    code: str = "AccessDeniedException",
    *,
    only: dict[str, Any] | None = None,
    times: int | None = None,
) -> None:
    """Every `service` client the capture builds answers `operation` with an AWS error.

    moto does not refuse anything, so the refusal is made on the client: a botocore
    `before-call` handler that returns an error response, exactly as AWS would send it.
    `only` restricts it to calls whose parameters include these values; `times` to the
    first so many calls (then AWS answers).
    """
    real_client = AwsSession.client
    left = [times]

    def client(self: AwsSession, name: str) -> Any:
        made = real_client(self, name)
        if name == service:

            def answer(params: dict[str, Any], **_: Any) -> Any:
                sent = params.get("body") or {}
                if only and isinstance(sent, dict) and not all(sent.get(k) == v for k, v in only.items()):
                    return None
                if only and not isinstance(sent, dict):
                    text = sent.decode() if isinstance(sent, bytes) else str(sent)
                    if not all(str(v) in text for v in only.values()):
                        return None
                if left[0] is not None:
                    if left[0] <= 0:
                        return None
                    left[0] -= 1
                response = botocore.awsrequest.AWSResponse("https://refused.invalid", 400, {}, None)
                return response, {"Error": {"Code": code, "Message": f"not allowed to {operation}"}}

            event = f"before-call.{made.meta.service_model.service_id.hyphenize()}.{operation}"
            made.meta.events.register(event, answer)
        return made

    monkeypatch.setattr(AwsSession, "client", client)


def paginate_authorization_details(monkeypatch: pytest.MonkeyPatch, moto: Any) -> list[dict[str, Any]]:
    """GetAccountAuthorizationDetails answered in pages of MaxItems, as AWS does (moto sends one page).

    The full answer comes from moto through a client of its own; each request gets the
    next MaxItems entries (users, then groups, roles, policies) with IsTruncated and a
    Marker. Returns the list of requests seen (their MaxItems and Marker).
    """
    lists = ("UserDetailList", "GroupDetailList", "RoleDetailList", "Policies")
    seen: list[dict[str, Any]] = []
    real_client = AwsSession.client

    def client(self: AwsSession, name: str) -> Any:
        made = real_client(self, name)
        if name != "iam":
            return made
        full_client = real_client(self, name)

        def answer(params: dict[str, Any], **_: Any) -> Any:
            body = params.get("body") or {}
            size = int(body.get("MaxItems") or 100)
            start = int(body.get("Marker") or 0)
            seen.append({"MaxItems": size, "Marker": body.get("Marker")})
            filters = [v for k, v in sorted(body.items()) if k.startswith("Filter.member.")]
            full = full_client.get_account_authorization_details(Filter=filters)
            items = [(key, entry) for key in lists for entry in full.get(key, [])]
            page: dict[str, Any] = {key: [] for key in lists}
            for key, entry in items[start : start + size]:
                page[key].append(_as_sent(entry))
            page["IsTruncated"] = start + size < len(items)
            if page["IsTruncated"]:
                page["Marker"] = str(start + size)
            return botocore.awsrequest.AWSResponse("https://paged.invalid", 200, {}, None), page

        made.meta.events.register("before-call.iam.GetAccountAuthorizationDetails", answer)
        return made

    monkeypatch.setattr(AwsSession, "client", client)
    return seen


def _as_sent(value: Any) -> Any:
    """Documents back to the JSON text AWS sends (botocore decodes them after the call)."""
    if isinstance(value, dict):
        return {
            k: json.dumps(v)
            if k in ("AssumeRolePolicyDocument", "PolicyDocument", "Document")
            else _as_sent(v)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_as_sent(v) for v in value]
    return value


AMI = "ami-0123456789abcdef0"  # moto runs instances from any image id (AMI validation is off)


def put_ec2_in_moto(moto: Any, model: AccountModel) -> dict[str, str]:
    """The EC2 of every account and Region of `model`, created in moto; returns model id -> moto id.

    moto gives volumes, snapshots and instances ids of its own, so the caller compares by
    Name tag. Instances are launched with their volumes as block devices (moto then creates
    no root volume of its own); moto's CreateSnapshot keeps no key, so the snapshot's key is
    set in moto's backend, as AWS sets it from the volume's.
    """
    ids: dict[str, str] = {}
    for account_id, account in model.accounts.items():
        for name, region in (account.ec2 or {}).items():
            ec2 = moto.client("ec2", name, account_id)
            _ebs_settings(ec2, model, region)
            for instance in region.instances:
                _launch(ec2, region, instance, ids)
            for volume in region.volumes:
                if not volume.attachments:
                    made = ec2.create_volume(
                        Size=8,
                        AvailabilityZone=f"{name}a",
                        **_encryption(volume),
                        **_tagged("volume", volume.tags),
                    )
                    ids[volume.volume_id] = made["VolumeId"]
            for snapshot in region.snapshots:
                made = ec2.create_snapshot(
                    VolumeId=ids[snapshot.volume_id], **_tagged("snapshot", snapshot.tags)
                )
                ids[snapshot.snapshot_id] = made["SnapshotId"]
                _snapshot_key(account_id, name, made["SnapshotId"], snapshot.kms_key_id)
    return ids


def _ebs_settings(ec2: Any, model: AccountModel, region: Any) -> None:
    if region.ebs_encryption_by_default:
        ec2.enable_ebs_encryption_by_default()
    default = region.ebs_default_kms_key_id or "alias/aws/ebs"
    entry = next((e for a in model.accounts.values() for e in a.resources.values() if e.arn == default), None)
    if default != "alias/aws/ebs" and not (entry and "alias/aws/ebs" in entry.aliases):
        ec2.modify_ebs_default_kms_key_id(KmsKeyId=default)  # else AWS's own key, moto's default answer


def _launch(ec2: Any, region: Any, instance: Any, ids: dict[str, str]) -> None:
    attached = [
        (a.device, v) for v in region.volumes for a in v.attachments if a.instance_id == instance.instance_id
    ]
    devices = [
        {"DeviceName": device, "Ebs": {"VolumeSize": 8, **_encryption(volume)}} for device, volume in attached
    ]
    made = ec2.run_instances(
        ImageId=AMI, MinCount=1, MaxCount=1, BlockDeviceMappings=devices, **_tagged("instance", instance.tags)
    )["Instances"][0]
    ids[instance.instance_id] = made["InstanceId"]
    described = ec2.describe_instances(InstanceIds=[made["InstanceId"]])["Reservations"][0]["Instances"][0]
    by_device = {m["DeviceName"]: m["Ebs"]["VolumeId"] for m in described["BlockDeviceMappings"]}
    for device, volume in attached:
        ids[volume.volume_id] = by_device[device]
        if volume.tags:
            ec2.create_tags(
                Resources=[by_device[device]], Tags=[{"Key": k, "Value": v} for k, v in volume.tags.items()]
            )


def _encryption(entry: Any) -> dict[str, Any]:
    return {"Encrypted": True, "KmsKeyId": entry.kms_key_id} if entry.encrypted else {"Encrypted": False}


def _tagged(kind: str, tags: Any) -> dict[str, Any]:
    if not tags:
        return {}
    return {
        "TagSpecifications": [
            {"ResourceType": kind, "Tags": [{"Key": k, "Value": v} for k, v in tags.items()]}
        ]
    }


def _snapshot_key(account_id: str, region: str, snapshot_id: str, key_arn: str) -> None:
    from moto.ec2.models import ec2_backends

    if key_arn:
        ec2_backends[account_id][region].snapshots[snapshot_id].kms_key_id = key_arn
