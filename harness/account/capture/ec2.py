"""The EC2 section of a capture, one Region at a time: EBS volumes, snapshots, their instances.

Calls (every page where the API pages: MaxResults and NextToken):
- GetEbsEncryptionByDefault and GetEbsDefaultKmsKeyId: whether new volumes are encrypted
  by default, and with which key
  (https://docs.aws.amazon.com/ebs/latest/userguide/encryption-by-default.html);
- DescribeVolumes: every volume, with `Encrypted`, `KmsKeyId`, attachments and tags
  (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeVolumes.html);
- DescribeSnapshots with `OwnerIds=['self']`: the account's own snapshots, not the public or
  shared ones (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeSnapshots.html);
- DescribeInstances, filtered on the ids the volumes are attached to: each instance's state,
  Name tag and volumes.

`KmsKeyId` is written as the key ARN: AWS answers with the ARN, and an id or alias (which
an emulator may echo back) is resolved against the keys and aliases the KMS section read in
the same account and Region (harness/account/ec2.py, `key_arn_of`); what cannot be resolved
is written as given, and the selection (harness/account/resources.py) refuses to guess.

Gaps: a refused listing is a gap of its part of the Region (`Volumes`, `Snapshots`,
`Instances`, `EbsEncryptionByDefault`, `EbsDefaultKmsKeyId`) and nothing of that part is
kept (a partial listing would read as "no more volumes"); an attached instance that
DescribeInstances does not return is an `Instances` gap too. Any selection over a part with
a gap is an error, never an empty answer.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from harness.account.capture.calls import Refused, ServiceCalls
from harness.account.capture.gaps import Gap, tags
from harness.account.ec2 import Ec2Part, instance_arn, key_arn_of, snapshot_arn, volume_arn

# Instance ids per DescribeInstances call: one `instance-id` filter, well under EC2's limit
# on the values of one request.
_IDS_PER_CALL = 100
_PAGE = {"token_in": "NextToken", "token_out": "NextToken"}
_T = TypeVar("_T")


@dataclass
class Ec2Section:
    """One Region: the `Ec2:` mapping the model file holds for it, and what could not be read."""

    region: dict[str, Any] = field(default_factory=dict)
    gaps: list[Gap] = field(default_factory=list)


@dataclass(frozen=True)
class _Where:
    account: str
    region: str
    partition: str
    aliases: Mapping[str, str]  # alias name -> key ARN, this account and Region

    def key_arn(self, reference: str) -> str:
        found = key_arn_of(
            reference,
            partition=self.partition,
            region=self.region,
            account=self.account,
            key_of_alias=self._key_of_alias,
        )
        return found or reference

    def _key_of_alias(self, alias_arn: str) -> str | None:
        prefix, _, name = alias_arn.partition(":alias/")
        own = f"arn:{self.partition}:kms:{self.region}:{self.account}"
        return self.aliases.get(f"alias/{name}") if prefix == own else None


def key_aliases(kms_resources: list[dict[str, Any]]) -> dict[str, str]:
    """Alias name -> key ARN, from the KMS section's entries of one account and Region."""
    return {alias: entry["Arn"] for entry in kms_resources for alias in entry.get("Aliases") or []}


def capture_ec2(
    calls: ServiceCalls, account_id: str, partition: str, aliases: Mapping[str, str]
) -> Ec2Section:
    """One Region of one account; `aliases` maps the Region's alias names to key ARNs."""
    out = Ec2Section()
    where = _Where(account_id, calls.region, partition, aliases)
    by_default = _read(out, where, Ec2Part.ENCRYPTION_BY_DEFAULT, lambda: _encryption_by_default(calls))
    default_key = _read(out, where, Ec2Part.DEFAULT_KEY, lambda: _default_key(calls, where))
    volumes = _read(out, where, Ec2Part.VOLUMES, lambda: _volumes(calls, where)) or []
    snapshots = _read(out, where, Ec2Part.SNAPSHOTS, lambda: _snapshots(calls, where)) or []
    instances = _read(out, where, Ec2Part.INSTANCES, lambda: _instances(calls, where, volumes)) or []
    # A setting that could not be read is left out (its gap says why), never written as false.
    if by_default is not None:
        out.region[Ec2Part.ENCRYPTION_BY_DEFAULT.value] = by_default
    if default_key is not None:
        out.region[Ec2Part.DEFAULT_KEY.value] = default_key
    out.region[Ec2Part.VOLUMES.value] = volumes
    out.region[Ec2Part.SNAPSHOTS.value] = snapshots
    out.region[Ec2Part.INSTANCES.value] = instances
    if out.gaps:
        out.region["Gaps"] = [_part_gap(g) for g in out.gaps]
    return out


def _read(out: Ec2Section, where: _Where, part: Ec2Part, read: Callable[[], _T]) -> _T | None:
    """One part of the Region, or None with its gap recorded."""
    try:
        return read()
    except Refused as exc:
        section = f"ec2/{where.region}/{part.value}"
        out.gaps.append(Gap(where.account, section, exc.action, exc.code, exc.message))
        return None


def _part_gap(gap: Gap) -> dict[str, str]:
    """The Region's `Gaps` entry: the part (`Volumes`), the refused action, AWS's code."""
    return {**gap.as_section(), "Section": gap.section.rsplit("/", 1)[-1]}


def _encryption_by_default(calls: ServiceCalls) -> bool:
    return bool(calls.call("GetEbsEncryptionByDefault")["EbsEncryptionByDefault"])


def _default_key(calls: ServiceCalls, where: _Where) -> str:
    # Documented as the key's ARN; before it is changed AWS names its managed key by the
    # alias alias/aws/ebs, resolved here when the KMS section read that key.
    return where.key_arn(calls.call("GetEbsDefaultKmsKeyId")["KmsKeyId"])


def _volumes(calls: ServiceCalls, where: _Where) -> list[dict[str, Any]]:
    found = list(calls.items("DescribeVolumes", "Volumes", MaxResults=500, **_PAGE))
    out = []
    for raw in found:
        if raw.get("OwnerId", where.account) != where.account:
            continue  # DescribeVolumes lists the account's own volumes; guard against anything else
        entry: dict[str, Any] = {
            # DescribeVolumes' own VolumeArn, made from the id when AWS leaves it out.
            "VolumeArn": volume_arn(where.partition, where.region, where.account, raw["VolumeId"]),
            "VolumeId": raw["VolumeId"],
            "OwnerId": where.account,
            "Encrypted": bool(raw.get("Encrypted")),
        }
        if raw.get("KmsKeyId"):
            entry["KmsKeyId"] = where.key_arn(raw["KmsKeyId"])
        entry["Attachments"] = sorted(
            (
                {"InstanceId": a["InstanceId"], "Device": a.get("Device", "")}
                for a in raw.get("Attachments") or []
                if a.get("InstanceId")
            ),
            key=lambda a: (a["InstanceId"], a["Device"]),
        )
        entry["Tags"] = tags(raw.get("Tags"))
        out.append(entry)
    return sorted(out, key=lambda e: e["VolumeArn"])


def _snapshots(calls: ServiceCalls, where: _Where) -> list[dict[str, Any]]:
    out = []
    for raw in calls.items("DescribeSnapshots", "Snapshots", OwnerIds=["self"], MaxResults=1000, **_PAGE):
        if raw.get("OwnerId", where.account) != where.account:
            continue  # `self` asks for the account's own; another owner's key is not ours to name
        entry: dict[str, Any] = {
            "Arn": snapshot_arn(where.partition, where.region, raw["SnapshotId"]),
            "SnapshotId": raw["SnapshotId"],
            "OwnerId": where.account,
            "VolumeId": raw.get("VolumeId", ""),
            "Encrypted": bool(raw.get("Encrypted")),
        }
        if raw.get("KmsKeyId"):
            entry["KmsKeyId"] = where.key_arn(raw["KmsKeyId"])
        entry["Tags"] = tags(raw.get("Tags"))
        out.append(entry)
    return sorted(out, key=lambda e: e["Arn"])


def _instances(calls: ServiceCalls, where: _Where, volumes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    wanted = sorted({a["InstanceId"] for v in volumes for a in v["Attachments"]})
    found: dict[str, dict[str, Any]] = {}
    for start in range(0, len(wanted), _IDS_PER_CALL):
        chunk = wanted[start : start + _IDS_PER_CALL]
        filters = [{"Name": "instance-id", "Values": chunk}]
        for page in calls.pages("DescribeInstances", Filters=filters, MaxResults=1000, **_PAGE):
            for reservation in page.get("Reservations") or []:
                for raw in reservation.get("Instances") or []:
                    found[raw["InstanceId"]] = _instance(raw, where)
    missing = [i for i in wanted if i not in found]
    if missing:
        # Terminated between the two listings, or hidden: its Name and state are unknown.
        raise Refused(
            "ec2:DescribeInstances", "InstanceNotReturned", f"attached but not returned: {', '.join(missing)}"
        )
    return [found[i] for i in wanted]


def _instance(raw: dict[str, Any], where: _Where) -> dict[str, Any]:
    devices = sorted(
        (
            {"DeviceName": m.get("DeviceName", ""), "Ebs": {"VolumeId": m["Ebs"]["VolumeId"]}}
            for m in raw.get("BlockDeviceMappings") or []
            if (m.get("Ebs") or {}).get("VolumeId")
        ),
        key=lambda m: (m["DeviceName"], m["Ebs"]["VolumeId"]),
    )
    return {
        "Arn": instance_arn(where.partition, where.region, where.account, raw["InstanceId"]),
        "InstanceId": raw["InstanceId"],
        "State": {"Name": (raw.get("State") or {}).get("Name", "")},
        "BlockDeviceMappings": devices,
        "Tags": tags(raw.get("Tags")),
    }
