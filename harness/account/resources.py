"""Select resources of an account model: the counterpart of `principals: all` for resources.

`select_resources(model, ResourceSelector(...))` answers, for instance, "every KMS key that
encrypts an EBS volume we run, with the volumes, instances and snapshots it stands for", in
every account and Region of the model. Pure: it reads an AccountModel.

Rules (docs/account-model.md, "Selecting resources"):

- Kinds: `kms:key`, `ec2:volume`, `ec2:snapshot`, `ec2:instance`, `s3:bucket`, `iam:role`.
- `encrypts: ec2:volume` (or `ec2:snapshot`), only with kind `kms:key`, selects the keys
  that encrypt at least one volume (snapshot); a key that encrypts nothing is not selected.
  A volume or snapshot names its key by key id, alias or ARN (CreateVolume `KmsKeyId`,
  https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateVolume.html); it is
  resolved to the key's ARN through the model's keys and aliases.
- `where` conditions all hold (AND); a condition's values are alternatives (OR), each a
  pattern with `*` and `?`, case-sensitive, as IAM's StringLike. `tag:KEY` holds when the
  resource has tag KEY with a matching value, as `aws:ResourceTag/KEY` with StringLike
  (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-resourcetag).
- What a selected resource answers for (`covers`): a key selected by `encrypts: ec2:volume`
  covers the volumes it encrypts, their instances and the snapshots it encrypts (with
  `encrypts: ec2:snapshot`, the snapshots); a volume covers itself and its instances; a
  snapshot itself; an instance itself and its volumes; any other resource itself.
- No false answer: when the answer depends on something the capture could not read (a
  Region's volumes, an account's key list, EC2 not captured at all) `CaptureGap` is raised,
  naming it; an empty list means the model holds nothing that matches. A key selection
  (`encrypts:`) reads the volumes and snapshots of every account and Region of the model,
  since a volume may use another account's key.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from harness.account.ec2 import Ec2Part, Ec2Region, Instance, Snapshot, Volume, key_arn_of
from harness.account.model import Account, AccountModel, CaptureGap
from harness.account.selection import SelectionError, has_wildcard, string_like


class ResourceKind(StrEnum):
    KMS_KEY = "kms:key"
    EC2_VOLUME = "ec2:volume"
    EC2_SNAPSHOT = "ec2:snapshot"
    EC2_INSTANCE = "ec2:instance"
    S3_BUCKET = "s3:bucket"
    IAM_ROLE = "iam:role"


_ORDER = {kind: i for i, kind in enumerate(ResourceKind)}
_EC2_KINDS = (ResourceKind.EC2_VOLUME, ResourceKind.EC2_SNAPSHOT, ResourceKind.EC2_INSTANCE)
_ENCRYPTED_KINDS = (ResourceKind.EC2_VOLUME, ResourceKind.EC2_SNAPSHOT)
_REGIONLESS_KINDS = (ResourceKind.S3_BUCKET, ResourceKind.IAM_ROLE)  # the model holds no Region for them


@dataclass(frozen=True)
class Covered:
    """One resource a selected resource answers for: what a readiness report lists per row."""

    arn: str
    kind: ResourceKind
    account: str
    region: str
    instance_id: str = ""  # a volume's instance (one Covered per attachment), an instance's own id
    instance_name: str = ""  # that instance's Name tag
    key_arn: str = ""  # a volume's or snapshot's key (a key's own ARN); "" when unencrypted

    @property
    def resource_id(self) -> str:
        """vol-..., snap-..., i-..., a key id, a bucket or role name."""
        return self.arn.rsplit("/", 1)[-1].rsplit(":", 1)[-1]


@dataclass(frozen=True)
class SelectedResource:
    arn: str
    kind: ResourceKind
    account: str
    region: str  # "" for IAM roles and S3 buckets
    tags: tuple[tuple[str, str], ...]
    covers: tuple[Covered, ...]


@dataclass(frozen=True)
class Where:
    """One condition: `key` is `region`, `account`, `encrypted` or `tag:KEY`; any value may match."""

    key: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class ResourceSelector:
    kind: ResourceKind
    encrypts: ResourceKind | None = None
    where: tuple[Where, ...] = ()

    def __post_init__(self) -> None:
        _check_selector(self)

    @classmethod
    def parse(
        cls, kind: str, encrypts: str | None = None, where: Mapping[str, Any] | None = None
    ) -> ResourceSelector:
        """From the text a scenario writes; SelectionError naming what is wrong."""
        conditions = tuple(_where(str(k), v) for k, v in (where or {}).items())
        return cls(_kind(kind, "kind"), _kind(encrypts, "encrypts") if encrypts else None, conditions)

    def condition(self, key: str) -> Where | None:
        return next((w for w in self.where if w.key == key), None)


def select_resources(model: AccountModel, selector: ResourceSelector) -> list[SelectedResource]:
    """The resources of `model` the selector names, ordered by account, Region and ARN.

    Raises CaptureGap when the answer depends on something the capture could not read.
    """
    if selector.encrypts is not None:
        found = _Keys(model, selector).select()
    elif selector.kind in _EC2_KINDS:
        found = list(_ec2_resources(model, selector))
    elif selector.kind is ResourceKind.KMS_KEY:
        found = list(_keys(model, selector))
    elif selector.kind is ResourceKind.S3_BUCKET:
        found = list(_buckets(model, selector))
    else:
        found = list(_roles(model, selector))
    chosen = [r for r in found if _matches(selector, r, model)]
    return sorted(chosen, key=lambda r: (r.account, r.region, r.arn))


# -- the selector ------------------------------------------------------------


def _kind(text: str | None, field_name: str) -> ResourceKind:
    try:
        return ResourceKind(str(text))
    except ValueError:
        known = ", ".join(k.value for k in ResourceKind)
        raise SelectionError(f"{field_name}: unknown resource kind {text!r}", f"one of {known}") from None


def _where(key: str, value: Any) -> Where:
    values = value if isinstance(value, list | tuple) else [value]
    if key == "encrypted":
        if not all(isinstance(v, bool) for v in values):
            raise SelectionError(f"where.encrypted: {value!r} is not true or false")
        return Where(key, tuple("true" if v else "false" for v in values))
    if not values or not all(isinstance(v, str) and v for v in values):
        raise SelectionError(f"where.{key}: give a pattern or a list of patterns, got {value!r}")
    return Where(key, tuple(values))


def _check_selector(selector: ResourceSelector) -> None:
    if not isinstance(selector.kind, ResourceKind):
        raise SelectionError(f"kind {selector.kind!r} is not a ResourceKind")
    if selector.encrypts is not None and (
        selector.kind is not ResourceKind.KMS_KEY or selector.encrypts not in _ENCRYPTED_KINDS
    ):
        raise SelectionError(
            f"encrypts: {selector.encrypts} with kind {selector.kind}: "
            "encrypts is for kind kms:key, with ec2:volume or ec2:snapshot"
        )
    seen: set[str] = set()
    for condition in selector.where:
        key = condition.key
        if key in seen:
            raise SelectionError(f"where.{key} given twice")
        seen.add(key)
        if key not in ("region", "account", "encrypted") and not (key.startswith("tag:") and len(key) > 4):
            raise SelectionError(f"where: unknown condition {key!r}", "region, account, encrypted or tag:KEY")
        if key == "encrypted" and selector.kind not in _ENCRYPTED_KINDS:
            raise SelectionError(f"where.encrypted is for ec2:volume and ec2:snapshot, not {selector.kind}")
        if key == "region" and selector.kind in _REGIONLESS_KINDS:
            raise SelectionError(f"where.region: the model holds no Region for {selector.kind}")


def _allows(condition: Where | None, value: str) -> bool:
    return condition is None or any(string_like(p, value) for p in condition.values)


def _matches(selector: ResourceSelector, resource: SelectedResource, model: AccountModel) -> bool:
    if not (
        _allows(selector.condition("region"), resource.region)
        and _allows(selector.condition("account"), resource.account)
    ):
        return False
    tags = dict(resource.tags)
    for condition in selector.where:
        if condition.key == "encrypted":
            encrypted = any(c.key_arn for c in resource.covers if c.arn == resource.arn)
            if not _allows(condition, "true" if encrypted else "false"):
                return False
        elif condition.key.startswith("tag:"):
            if resource.kind is ResourceKind.KMS_KEY and _key_entry(model, resource.arn) is None:
                raise CaptureGap(
                    f"{condition.key}: the tags of key {resource.arn} are not in the account model "
                    f"{model.path} (a key of an account or Region it does not hold)"
                )
            name = condition.key[4:]
            if name not in tags or not _allows(condition, tags[name]):
                return False
    return True


# -- scope and gaps ------------------------------------------------------------


def _accounts_in_scope(
    model: AccountModel, selector: ResourceSelector, *, every: bool = False
) -> list[Account]:
    """The accounts the answer depends on: all of them for a key selection by `encrypts:`."""
    condition = None if every else selector.condition("account")
    return [a for a in model.accounts.values() if _allows(condition, a.account_id)]


def _ec2_regions(
    model: AccountModel, selector: ResourceSelector, parts: Sequence[Ec2Part], *, every: bool = False
) -> Iterator[tuple[Account, Ec2Region]]:
    """Each (account, Region) in scope whose `parts` the answer reads; CaptureGap for one unread.

    `every`: every account and Region, whatever `where` says (a key selection by `encrypts:`).
    A Region named in `where` without wildcard must have been captured.
    """
    written = selector.condition("region")
    named = [] if written is None else [r for r in written.values if not has_wildcard(r)]
    region_condition = None if every else written
    for account in _accounts_in_scope(model, selector, every=every):
        if account.ec2 is None:
            raise CaptureGap(
                f"the account model {model.path} holds no EC2 for account {account.account_id}: "
                "capture it with --services ec2 (the default) or add its `Ec2:` section"
            )
        for region in named:
            if region not in account.ec2:
                raise CaptureGap(
                    f"Region {region} of account {account.account_id} was not captured "
                    f"(account model {model.path}); capture it with --regions"
                )
        for name, region_model in sorted(account.ec2.items()):
            if not _allows(region_condition, name):
                continue
            for part in parts:
                gap = region_model.gap_for(part)
                if gap is not None:
                    raise CaptureGap(
                        f"the capture could not read the {part.value} of account {account.account_id} "
                        f"in {name}: {gap.describe()} (account model {model.path})"
                    )
            yield account, region_model


def _key_arn(
    model: AccountModel, account: Account, region: str, partition: str, reference: str, of: str
) -> str:
    """The key ARN a volume's or snapshot's KmsKeyId names; CaptureGap when the model cannot tell."""
    if not reference:
        raise CaptureGap(f"{of} is encrypted but the account model {model.path} does not say with which key")
    found = key_arn_of(
        reference,
        partition=partition,
        region=region,
        account=account.account_id,
        key_of_alias=model.key_arn_for_alias,
    )
    if found is not None:
        return found
    gap = account.gap_for(f"kms/{region}")
    why = f": the capture could not read its keys ({gap.describe()})" if gap else ""
    raise CaptureGap(f"the key {reference!r} of {of} is not in the account model {model.path}{why}")


def _partition(arn: str) -> str:
    return arn.split(":", 2)[1]


def _key_entry(model: AccountModel, arn: str) -> Any:
    account = model.accounts.get(arn.split(":")[4]) if arn.count(":") >= 5 else None
    return account.resources.get(arn) if account else None


def _sorted_tags(tags: Mapping[str, str]) -> tuple[tuple[str, str], ...]:
    return tuple(sorted(tags.items()))


def _ordered(covers: Sequence[Covered]) -> tuple[Covered, ...]:
    unique = dict.fromkeys(covers)
    return tuple(sorted(unique, key=lambda c: (_ORDER[c.kind], c.arn, c.instance_id)))


# -- what one volume, snapshot or instance covers --------------------------------


@dataclass(frozen=True)
class _RegionView:
    """One account's Region, with the key of each volume and snapshot resolved."""

    model: AccountModel
    account: Account
    region: Ec2Region

    def volume_key(self, volume: Volume) -> str:
        if not volume.encrypted:
            return ""
        where = f"volume {volume.volume_id} ({self.account.account_id}, {self.region.region})"
        return _key_arn(
            self.model, self.account, self.region.region, _partition(volume.arn), volume.kms_key_id, where
        )

    def snapshot_key(self, snapshot: Snapshot) -> str:
        if not snapshot.encrypted:
            return ""
        where = f"snapshot {snapshot.snapshot_id} ({self.account.account_id}, {self.region.region})"
        return _key_arn(
            self.model, self.account, self.region.region, _partition(snapshot.arn), snapshot.kms_key_id, where
        )

    def volume_covers(self, volume: Volume) -> list[Covered]:
        """The volume once per instance it is attached to (or once), then those instances."""
        key = self.volume_key(volume)
        base = Covered(
            volume.arn, ResourceKind.EC2_VOLUME, self.account.account_id, self.region.region, key_arn=key
        )
        if not volume.attachments:
            return [base]
        out = []
        for attachment in volume.attachments:
            instance = self.instance(attachment.instance_id, volume.volume_id)
            name = instance.name if instance else ""
            out.append(replace(base, instance_id=attachment.instance_id, instance_name=name))
            if instance is not None:
                out.append(self.instance_covered(instance))
        return out

    def snapshot_covered(self, snapshot: Snapshot) -> Covered:
        return Covered(
            snapshot.arn,
            ResourceKind.EC2_SNAPSHOT,
            self.account.account_id,
            self.region.region,
            key_arn=self.snapshot_key(snapshot),
        )

    def instance_covered(self, instance: Instance) -> Covered:
        return Covered(
            instance.arn,
            ResourceKind.EC2_INSTANCE,
            self.account.account_id,
            self.region.region,
            instance_id=instance.instance_id,
            instance_name=instance.name,
        )

    def instance(self, instance_id: str, volume_id: str) -> Instance | None:
        instance = self.region.instance(instance_id)
        if instance is None and self.region.gap_for(Ec2Part.INSTANCES) is None:
            # The loader refuses this; a model built in code may still hold it.
            raise CaptureGap(
                f"volume {volume_id} is attached to {instance_id}, which the model does not hold"
            )
        return instance

    def instance_volumes(self, instance: Instance) -> list[Volume]:
        """The volumes attached to it, whether the volume or the instance says so."""
        by_id = {v.volume_id: v for v in self.region.volumes}
        ids = {
            v.volume_id
            for v in self.region.volumes
            if any(a.instance_id == instance.instance_id for a in v.attachments)
        }
        for volume_id in instance.volume_ids:
            if volume_id not in by_id:
                raise CaptureGap(
                    f"instance {instance.instance_id} ({self.account.account_id}, {self.region.region}) has "
                    f"volume {volume_id}, not in the model's Volumes (changed while captured? capture again)"
                )
            ids.add(volume_id)
        return [by_id[i] for i in sorted(ids)]


def _ec2_resources(model: AccountModel, selector: ResourceSelector) -> Iterator[SelectedResource]:
    parts = {
        ResourceKind.EC2_VOLUME: (Ec2Part.VOLUMES, Ec2Part.INSTANCES),
        ResourceKind.EC2_SNAPSHOT: (Ec2Part.SNAPSHOTS,),
        ResourceKind.EC2_INSTANCE: (Ec2Part.VOLUMES, Ec2Part.INSTANCES),
    }[selector.kind]
    for account, region in _ec2_regions(model, selector, parts):
        view = _RegionView(model, account, region)
        common = {"kind": selector.kind, "account": account.account_id, "region": region.region}
        if selector.kind is ResourceKind.EC2_VOLUME:
            for volume in region.volumes:
                covers = _ordered(view.volume_covers(volume))
                yield SelectedResource(
                    arn=volume.arn, tags=_sorted_tags(volume.tags), covers=covers, **common
                )
        elif selector.kind is ResourceKind.EC2_SNAPSHOT:
            for snapshot in region.snapshots:
                covers = (view.snapshot_covered(snapshot),)
                yield SelectedResource(
                    arn=snapshot.arn, tags=_sorted_tags(snapshot.tags), covers=covers, **common
                )
        else:
            for instance in region.instances:
                found = [view.instance_covered(instance)]
                for volume in view.instance_volumes(instance):
                    found.extend(c for c in view.volume_covers(volume) if c.kind is ResourceKind.EC2_VOLUME)
                yield SelectedResource(
                    arn=instance.arn, tags=_sorted_tags(instance.tags), covers=_ordered(found), **common
                )


# -- keys by what they encrypt ---------------------------------------------------


@dataclass
class _Keys:
    """The keys that encrypt the model's volumes (or snapshots), with what each covers."""

    model: AccountModel
    selector: ResourceSelector
    covers: dict[str, list[Covered]] = field(default_factory=dict)

    def select(self) -> list[SelectedResource]:
        volumes = self.selector.encrypts is ResourceKind.EC2_VOLUME
        parts = (Ec2Part.VOLUMES, Ec2Part.INSTANCES, Ec2Part.SNAPSHOTS) if volumes else (Ec2Part.SNAPSHOTS,)
        encrypting: set[str] = set()
        for account, region in _ec2_regions(self.model, self.selector, parts, every=True):
            view = _RegionView(self.model, account, region)
            if volumes:
                for volume in region.volumes:
                    found = view.volume_covers(volume)
                    key = found[0].key_arn
                    if key:
                        encrypting.add(key)
                        self.covers.setdefault(key, []).extend(found)
            for snapshot in region.snapshots:
                covered = view.snapshot_covered(snapshot)
                if covered.key_arn:
                    self.covers.setdefault(covered.key_arn, []).append(covered)
                    if not volumes:
                        encrypting.add(covered.key_arn)
        return [self.selected(key) for key in sorted(encrypting)]

    def selected(self, key: str) -> SelectedResource:
        parts = key.split(":")
        entry = _key_entry(self.model, key)
        return SelectedResource(
            arn=key,
            kind=ResourceKind.KMS_KEY,
            account=parts[4],
            region=parts[3],
            tags=_sorted_tags(entry.tags) if entry else (),
            covers=_ordered(self.covers[key]),
        )


# -- keys, buckets and roles as the model lists them -------------------------------


def _keys(model: AccountModel, selector: ResourceSelector) -> Iterator[SelectedResource]:
    region_condition = selector.condition("region")
    for account in _accounts_in_scope(model, selector):
        for gap in account.gaps:
            if gap.section.startswith("kms/") and _allows(region_condition, gap.section[4:]):
                raise CaptureGap(
                    f"the capture could not list the keys of account {account.account_id} in "
                    f"{gap.section[4:]}: {gap.describe()} (account model {model.path})"
                )
        for entry in account.resources.values():
            parts = entry.arn.split(":")
            if len(parts) >= 6 and parts[2] == "kms" and parts[5].startswith("key/"):
                itself = Covered(
                    entry.arn, ResourceKind.KMS_KEY, account.account_id, parts[3], key_arn=entry.arn
                )
                yield SelectedResource(
                    entry.arn,
                    ResourceKind.KMS_KEY,
                    account.account_id,
                    parts[3],
                    _sorted_tags(entry.tags),
                    (itself,),
                )


def _buckets(model: AccountModel, selector: ResourceSelector) -> Iterator[SelectedResource]:
    uncaptured = model.uncaptured_service("s3")
    if uncaptured is not None:
        raise CaptureGap(uncaptured)
    for account in _accounts_in_scope(model, selector):
        _raise_for_gap(model, account, "s3", "buckets")
        for entry in account.resources.values():
            if entry.arn.split(":")[2:3] == ["s3"] and "/" not in entry.arn:
                yield _itself(entry.arn, ResourceKind.S3_BUCKET, account.account_id, entry.tags)


def _roles(model: AccountModel, selector: ResourceSelector) -> Iterator[SelectedResource]:
    for account in _accounts_in_scope(model, selector):
        _raise_for_gap(model, account, "iam", "roles")
        for role in account.roles.values():
            yield _itself(role.arn, ResourceKind.IAM_ROLE, account.account_id, role.tags)


def _raise_for_gap(model: AccountModel, account: Account, section: str, what: str) -> None:
    gap = account.gap_for(section)
    if gap is not None:
        raise CaptureGap(
            f"the capture could not list the {what} of account {account.account_id}: "
            f"{gap.describe()} (account model {model.path})"
        )


def _itself(arn: str, kind: ResourceKind, account: str, tags: Mapping[str, str]) -> SelectedResource:
    return SelectedResource(arn, kind, account, "", _sorted_tags(tags), (Covered(arn, kind, account, ""),))
