"""EC2 in the account model: EBS volumes, snapshots, the instances they are attached to.

One `Ec2Region` per captured Region of an account (the `Ec2:` section of the file,
docs/account-model.md), with the fields DescribeVolumes, DescribeSnapshots and
DescribeInstances return under AWS's own names, and what the capture could not read
(`gaps`, one per part: `Volumes`, `Snapshots`, `Instances`, `EbsEncryptionByDefault`,
`EbsDefaultKmsKeyId`). Pure: no I/O.

ARNs, from the service authorization reference
(https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonec2.html#amazonec2-resources-for-iam-policies):
a volume is `arn:PARTITION:ec2:REGION:ACCOUNT:volume/VOLUME_ID`, an instance
`arn:PARTITION:ec2:REGION:ACCOUNT:instance/INSTANCE_ID`, a snapshot
`arn:PARTITION:ec2:REGION::snapshot/SNAPSHOT_ID` (no account).

A volume's or snapshot's KMS key may be named by key id, alias name, key ARN or alias ARN
(CreateVolume, `KmsKeyId`:
https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateVolume.html);
`key_arn_of` turns each into the key's ARN. A key id or alias name without ARN names a key
of the volume's own account and Region; an alias names the one key that carries it there
(https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from harness.account.gaps import SectionGap

REGION_NAME = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d$")
_KEY_ARN = re.compile(r"^arn:[\w-]+:kms:[a-z0-9-]+:\d{12}:key/[\w-]+$")
_ALIAS_ARN = re.compile(r"^(?P<prefix>arn:[\w-]+:kms:[a-z0-9-]+:\d{12}):(?P<alias>alias/.+)$")
_KEY_ID = re.compile(r"^(mrk-)?[0-9a-fA-F-]{32,36}$")


class Ec2Part(StrEnum):
    """The parts of a Region's `Ec2:` section; a gap names the one it could not read."""

    VOLUMES = "Volumes"
    SNAPSHOTS = "Snapshots"
    INSTANCES = "Instances"
    ENCRYPTION_BY_DEFAULT = "EbsEncryptionByDefault"
    DEFAULT_KEY = "EbsDefaultKmsKeyId"


@dataclass(frozen=True)
class VolumeAttachment:
    instance_id: str
    device: str = ""


@dataclass(frozen=True)
class Volume:
    arn: str
    volume_id: str
    encrypted: bool
    kms_key_id: str = ""  # as written (a capture writes the key ARN); "" when unencrypted
    attachments: tuple[VolumeAttachment, ...] = ()
    tags: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Snapshot:
    arn: str
    snapshot_id: str
    owner_id: str
    encrypted: bool
    kms_key_id: str = ""
    volume_id: str = ""
    tags: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Instance:
    arn: str
    instance_id: str
    state: str = ""  # State.Name: pending | running | stopping | stopped | ...
    volume_ids: tuple[str, ...] = ()  # BlockDeviceMappings[].Ebs.VolumeId
    tags: Mapping[str, str] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.tags.get("Name", "")


@dataclass(frozen=True)
class Ec2Region:
    """What one Region of one account holds; `None` settings were not read (see `gaps`)."""

    region: str
    ebs_encryption_by_default: bool | None = None
    ebs_default_kms_key_id: str | None = None
    volumes: tuple[Volume, ...] = ()
    snapshots: tuple[Snapshot, ...] = ()
    instances: tuple[Instance, ...] = ()
    gaps: tuple[SectionGap, ...] = ()

    def gap_for(self, part: Ec2Part) -> SectionGap | None:
        return next((g for g in self.gaps if g.section == part), None)

    def instance(self, instance_id: str) -> Instance | None:
        return next((i for i in self.instances if i.instance_id == instance_id), None)


def volume_arn(partition: str, region: str, account: str, volume_id: str) -> str:
    return f"arn:{partition}:ec2:{region}:{account}:volume/{volume_id}"


def snapshot_arn(partition: str, region: str, snapshot_id: str) -> str:
    return f"arn:{partition}:ec2:{region}::snapshot/{snapshot_id}"


def instance_arn(partition: str, region: str, account: str, instance_id: str) -> str:
    return f"arn:{partition}:ec2:{region}:{account}:instance/{instance_id}"


def key_arn_of(
    reference: str,
    *,
    partition: str,
    region: str,
    account: str,
    key_of_alias: Callable[[str], str | None],
) -> str | None:
    """The key ARN a KmsKeyId names, or None when it cannot be told (an alias the model lacks).

    `key_of_alias(alias_arn)` answers the key ARN carrying that alias, or None.
    """
    if _KEY_ARN.match(reference):
        return reference
    alias = _ALIAS_ARN.match(reference)
    if alias:
        return key_of_alias(reference)
    if reference.startswith("alias/"):
        return key_of_alias(f"arn:{partition}:kms:{region}:{account}:{reference}")
    if _KEY_ID.match(reference):
        return f"arn:{partition}:kms:{region}:{account}:key/{reference}"
    return None
