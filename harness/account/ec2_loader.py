"""Read and check an account's `Ec2:` section (docs/account-model.md, "EC2").

`Ec2:` maps each captured Region to its EBS encryption settings, volumes, snapshots and
instances, with AWS's own field names (DescribeVolumes, DescribeSnapshots, DescribeInstances),
so an entry pasted from the CLI's JSON loads: every member of AWS's shapes is accepted
(botocore's EC2 model), plus `Arn`; any other key is an error naming file, line and the
nearest key. What the loaded objects mean is in harness/account/ec2.py.

Checks beyond the keys, each a load error: a Region name that is not one; a volume or
snapshot without `Encrypted` (true or false), or with a `KmsKeyId` while unencrypted; an
`Arn` that does not name the entry's own id, Region and account; an id listed twice; a
snapshot of another owner; a volume attached to an instance the Region's `Instances` lacks
(unless that part has a gap); a missing `Volumes`, `Snapshots` or `Instances` list, unless
that part has a gap (an absent list would otherwise read as "none").
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any, Protocol

from harness.account.ec2 import (
    REGION_NAME,
    Ec2Part,
    Ec2Region,
    Instance,
    Snapshot,
    Volume,
    VolumeAttachment,
    instance_arn,
    snapshot_arn,
    volume_arn,
)
from harness.account.gaps import SectionGap
from harness.inputs.yamlsource import LDict

_PARTS = tuple(p.value for p in Ec2Part)
_REGION_KEYS = frozenset({*_PARTS, "Gaps"})
_PARTITION = re.compile(r"^arn:([\w-]+):")
# The botocore shapes each entry may take the members of; `Arn` is our addition for snapshots
# and instances (a volume has AWS's own `VolumeArn`).
_SHAPES = {
    "Volume": "Volume",
    "Attachment": "VolumeAttachment",
    "Snapshot": "Snapshot",
    "Instance": "Instance",
    "State": "InstanceState",
    "Mapping": "InstanceBlockDeviceMapping",
    "Ebs": "EbsInstanceBlockDevice",
}


@functools.cache
def _aws_members() -> Mapping[str, frozenset[str]]:
    """Members of each botocore EC2 shape; read once per process (the EC2 model takes half a
    second to load, and these sets are fixed for an installed botocore)."""
    import botocore.session

    model = botocore.session.get_session().get_service_model("ec2")
    return MappingProxyType({k: frozenset(model.shape_for(v).members) for k, v in _SHAPES.items()})


class Reading(Protocol):
    """What the account model loader (harness/account/loader.py) lends this reader."""

    def error(self, line: int, where: str, message: str, hint: str = "") -> None: ...
    def known_keys(self, node: LDict, allowed: frozenset[str], where: str) -> None: ...
    def text_of(self, node: LDict, key: str, where: str) -> str: ...
    def list_of(self, node: Any, key: str, where: str) -> list[Any]: ...
    def tags_of(self, node: LDict, where: str) -> dict[str, str]: ...
    def substituted(self, value: str, node: LDict, key: str, where: str) -> str: ...
    def gaps_of(
        self, raw: LDict, where: str, sections: tuple[str, ...] | None = None
    ) -> list[SectionGap]: ...


def read_ec2(reading: Reading, raw: LDict, where: str, account_id: str) -> dict[str, Ec2Region]:
    """The account's `Ec2:` section, Region by Region; every mistake reported to `reading`."""
    return _Ec2Reader(reading, account_id).section(raw, f"{where}.Ec2")


class _Ec2Reader:
    def __init__(self, reading: Reading, account_id: str) -> None:
        self.r = reading
        self.account = account_id

    def keys(self, name: str) -> frozenset[str]:
        extra = {"Arn"} if name in ("Snapshot", "Instance") else set()  # a volume has VolumeArn
        return _aws_members()[name] | extra

    def section(self, raw: LDict, where: str) -> dict[str, Ec2Region]:
        node = raw["Ec2"]
        out: dict[str, Ec2Region] = {}
        if not isinstance(node, LDict):
            self.r.error(
                raw.line_of("Ec2"), where, "must map Region names to their EC2 (see docs/account-model.md)"
            )
            return out
        for raw_region, body in node.items():
            rw = f"{where}.{raw_region}"
            region = self.r.substituted(str(raw_region), node, raw_region, where)
            if not REGION_NAME.match(region):
                self.r.error(node.line_of(raw_region), rw, f"{region!r} is not a Region name (eu-west-3)")
                continue
            if region in out:
                self.r.error(node.line_of(raw_region), rw, f"Region {region} listed twice")
                continue
            if not isinstance(body, LDict):
                self.r.error(
                    node.line_of(raw_region), rw, "must be a mapping with Volumes, Snapshots, Instances"
                )
                continue
            out[region] = self.region(body, rw, region)
        return out

    def region(self, body: LDict, where: str, region: str) -> Ec2Region:
        self.r.known_keys(body, _REGION_KEYS, where)
        gaps = self.gaps(body, where)
        gapped = {g.section for g in gaps}
        for part in (Ec2Part.VOLUMES, Ec2Part.SNAPSHOTS, Ec2Part.INSTANCES):
            if part.value not in body and part.value not in gapped:
                self.r.error(
                    body.line,
                    f"{where}.{part.value}",
                    f"{part.value} is missing",
                    "write [] when there are none",
                )
        by_default = body.get(Ec2Part.ENCRYPTION_BY_DEFAULT.value)
        if by_default is not None and not isinstance(by_default, bool):
            line = body.line_of(Ec2Part.ENCRYPTION_BY_DEFAULT.value)
            self.r.error(line, f"{where}.EbsEncryptionByDefault", "must be true or false")
            by_default = None
        default_key = self.r.text_of(body, Ec2Part.DEFAULT_KEY.value, where) or None
        volumes = self.entries(body, where, Ec2Part.VOLUMES, lambda e, w: self.volume(e, w, region))
        instances = self.entries(body, where, Ec2Part.INSTANCES, lambda e, w: self.instance(e, w, region))
        out = Ec2Region(
            region=region,
            ebs_encryption_by_default=by_default,
            ebs_default_kms_key_id=default_key,
            volumes=volumes,
            snapshots=self.entries(body, where, Ec2Part.SNAPSHOTS, lambda e, w: self.snapshot(e, w, region)),
            instances=instances,
            gaps=tuple(gaps),
        )
        self.check_attachments(out, body, where)
        return out

    def entries(
        self, body: LDict, where: str, part: Ec2Part, read: Callable[[LDict, str], Any]
    ) -> tuple[Any, ...]:
        """Each entry of one list, read by `read(entry, where)`; an id twice is an error."""
        out: dict[str, Any] = {}
        for i, entry in enumerate(self.r.list_of(body, part.value, where)):
            ew = f"{where}.{part.value}[{i}]"
            if not isinstance(entry, LDict):
                self.r.error(body[part.value].line_of(i), ew, "must be a mapping")
                continue
            item = read(entry, ew)
            if item is None:
                continue
            if item.arn in out:
                self.r.error(entry.line, ew, f"{item.arn} listed twice")
                continue
            out[item.arn] = item
        return tuple(out.values())

    def volume(self, entry: LDict, where: str, region: str) -> Volume | None:
        self.r.known_keys(entry, self.keys("Volume"), where)
        volume_id = self.required_id(entry, "VolumeId", "vol-", where)
        encrypted = self.encryption(entry, where)
        if volume_id is None or encrypted is None or not self.own(entry, where):
            return None
        arn = self.arn(entry, where, lambda p: volume_arn(p, region, self.account, volume_id), "VolumeArn")
        attachments = []
        for a_i, raw in enumerate(self.r.list_of(entry, "Attachments", where)):
            aw = f"{where}.Attachments[{a_i}]"
            if not isinstance(raw, LDict) or not self.r.text_of(raw, "InstanceId", aw):
                self.r.error(entry["Attachments"].line_of(a_i), aw, "an attachment is {InstanceId, Device}")
                continue
            self.r.known_keys(raw, self.keys("Attachment"), aw)
            attachments.append(
                VolumeAttachment(self.r.text_of(raw, "InstanceId", aw), self.r.text_of(raw, "Device", aw))
            )
        return Volume(
            arn=arn,
            volume_id=volume_id,
            encrypted=encrypted,
            kms_key_id=self.r.text_of(entry, "KmsKeyId", where),
            attachments=tuple(attachments),
            tags=self.r.tags_of(entry, where),
        )

    def snapshot(self, entry: LDict, where: str, region: str) -> Snapshot | None:
        self.r.known_keys(entry, self.keys("Snapshot"), where)
        snapshot_id = self.required_id(entry, "SnapshotId", "snap-", where)
        encrypted = self.encryption(entry, where)
        if snapshot_id is None or encrypted is None or not self.own(entry, where):
            return None
        return Snapshot(
            arn=self.arn(entry, where, lambda p: snapshot_arn(p, region, snapshot_id)),
            snapshot_id=snapshot_id,
            owner_id=self.account,
            encrypted=encrypted,
            kms_key_id=self.r.text_of(entry, "KmsKeyId", where),
            volume_id=self.r.text_of(entry, "VolumeId", where),
            tags=self.r.tags_of(entry, where),
        )

    def instance(self, entry: LDict, where: str, region: str) -> Instance | None:
        self.r.known_keys(entry, self.keys("Instance"), where)
        instance_id = self.required_id(entry, "InstanceId", "i-", where)
        if instance_id is None:
            return None
        state = ""
        if isinstance(entry.get("State"), LDict):
            self.r.known_keys(entry["State"], self.keys("State"), f"{where}.State")
            state = self.r.text_of(entry["State"], "Name", f"{where}.State")
        elif entry.get("State") is not None:
            self.r.error(entry.line_of("State"), f"{where}.State", "State is {Name: running}")
        volume_ids = []
        for m_i, raw in enumerate(self.r.list_of(entry, "BlockDeviceMappings", where)):
            mw = f"{where}.BlockDeviceMappings[{m_i}]"
            if not isinstance(raw, LDict):
                self.r.error(
                    entry["BlockDeviceMappings"].line_of(m_i), mw, "is {DeviceName, Ebs: {VolumeId}}"
                )
                continue
            self.r.known_keys(raw, self.keys("Mapping"), mw)
            ebs = raw.get("Ebs")
            if isinstance(ebs, LDict):
                self.r.known_keys(ebs, self.keys("Ebs"), f"{mw}.Ebs")
                if self.r.text_of(ebs, "VolumeId", f"{mw}.Ebs"):
                    volume_ids.append(self.r.text_of(ebs, "VolumeId", f"{mw}.Ebs"))
        return Instance(
            arn=self.arn(entry, where, lambda p: instance_arn(p, region, self.account, instance_id)),
            instance_id=instance_id,
            state=state,
            volume_ids=tuple(volume_ids),
            tags=self.r.tags_of(entry, where),
        )

    def required_id(self, entry: LDict, key: str, prefix: str, where: str) -> str | None:
        value = self.r.text_of(entry, key, where)
        if not value.startswith(prefix):
            self.r.error(
                entry.line_of(key), f"{where}.{key}", f"{key} is required ({prefix}...), got {value!r}"
            )
            return None
        return value

    def encryption(self, entry: LDict, where: str) -> bool | None:
        """`Encrypted` (required: an absent one would read as unencrypted) and a consistent KmsKeyId."""
        encrypted = entry.get("Encrypted")
        if not isinstance(encrypted, bool):
            self.r.error(
                entry.line_of("Encrypted"), f"{where}.Encrypted", "Encrypted is required: true or false"
            )
            return None
        if not encrypted and entry.get("KmsKeyId"):
            self.r.error(entry.line_of("KmsKeyId"), f"{where}.KmsKeyId", "a KmsKeyId on an unencrypted entry")
            return None
        return encrypted

    def arn(self, entry: LDict, where: str, expected: Callable[[str], str], key: str = "Arn") -> str:
        """The entry's ARN, which must be the one its id, Region and account make; made when absent."""
        given = self.r.text_of(entry, key, where)
        if not given:
            return expected("aws")
        partition = _PARTITION.match(given)
        wanted = expected(partition.group(1) if partition else "aws")
        if given != wanted:
            self.r.error(
                entry.line_of(key),
                f"{where}.{key}",
                f"{key} {given!r} is not this entry's",
                f"expected {wanted}",
            )
        return wanted

    def own(self, entry: LDict, where: str) -> bool:
        """`OwnerId`, when written, is the account the entry is listed under."""
        owner = self.r.text_of(entry, "OwnerId", where) or self.account
        if owner != self.account:
            self.r.error(
                entry.line_of("OwnerId"),
                f"{where}.OwnerId",
                f"owned by account {owner} but listed under account {self.account}",
                "list it under its owner's account",
            )
        return owner == self.account

    def gaps(self, body: LDict, where: str) -> list[SectionGap]:
        return self.r.gaps_of(body, where, _PARTS)

    def check_attachments(self, region: Ec2Region, body: LDict, where: str) -> None:
        """An attachment names an instance of the same Region's `Instances`, or that part has a gap."""
        if region.gap_for(Ec2Part.INSTANCES) is not None:
            return
        known = {i.instance_id for i in region.instances}
        for volume in region.volumes:
            for attachment in volume.attachments:
                if attachment.instance_id not in known:
                    self.r.error(
                        body.line_of(Ec2Part.VOLUMES.value),
                        f"{where}.Volumes",
                        f"{volume.volume_id} is attached to {attachment.instance_id}, not under Instances",
                        "add the instance (InstanceId, State, BlockDeviceMappings, Tags)",
                    )
