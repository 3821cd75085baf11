"""KMS key and S3 bucket policies, and KMS aliases, of a plan applied to the account model.

- A key policy is the key's resource-based policy, and every key has exactly one
  (https://docs.aws.amazon.com/kms/latest/developerguide/key-policies.html).
  `aws_kms_key_policy.key_id` takes a key id or ARN; an id is resolved to the ARN of
  the key of that id in the run's Region (`--iam-var region`) and account.
- Deleting `aws_kms_key_policy` leaves the key with a policy the plan does not show:
  its cells are errors (a reading; the provider's documentation does not settle it).
- An alias names one key of the same account and Region
  (https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html).
- A bucket policy is the bucket's resource-based policy; deleting it leaves the bucket
  with none (https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-policies.html).
"""

from __future__ import annotations

from typing import Any

from harness.account.model import ResourceEntry
from harness.account.resource_inputs import key_arns_with_id
from harness.engine.types import PolicyKind, PolicySource
from harness.plans.changes import PlannedResource, Unknown
from harness.plans.patcher import Patcher, is_delete


def key_outputs(p: Patcher, r: PlannedResource) -> dict[str, Any]:
    arn = p.value(r, "arn")
    placeholder = f"(key of {r.source.address}, known after apply)"
    arn = arn if isinstance(arn, str) else placeholder
    return {"arn": arn, "key_id": arn, "id": arn}


def _policy(p: Patcher, r: PlannedResource, text: str, key: str) -> PolicySource:
    return PolicySource(
        text=text,
        source_id="ResourcePolicy",
        source_type="Resource Policy",
        kind=PolicyKind.RESOURCE,
        origin=p.origin(r, key),
    )


def _set_policy(p: Patcher, r: PlannedResource, arn: str, key: str) -> None:
    entry = p.account.resources.get(arn)
    if entry is None:
        entry = p.account.resources[arn] = ResourceEntry(arn, None)
    p.mark(arn, r)
    text = p.text(r, key)
    if isinstance(text, Unknown):
        entry.policy, entry.gap = None, p.gap(r, text)
    else:
        entry.policy = _policy(p, r, text, key) if text is not None else None
        entry.gap = p.patched.tag_gaps.get(arn)  # a known policy does not make unknown tags known


def _key_arn(p: Patcher, r: PlannedResource, key_id: Any) -> str | Unknown:
    if isinstance(key_id, Unknown) or not isinstance(key_id, str):
        return key_id if isinstance(key_id, Unknown) else Unknown("key_id", "missing")
    if key_id.startswith("arn:") or key_id.startswith("(key of"):
        return key_id
    arn = p.target.key_arn(key_id)
    if arn is not None and arn in p.account.resources:
        return arn
    found = [a for a in key_arns_with_id(p.model, key_id) if f":{p.target.account_id}:" in a]
    if len(found) == 1:
        return found[0]
    why = "in several Regions: pass --iam-var region" if found else "not in the account model"
    return Unknown("key_id", f"key {key_id} {why}")


def put_key(p: Patcher, r: PlannedResource) -> None:
    arn = p.outputs[r.source.address]["arn"]
    if is_delete(r):
        p.account.resources.pop(arn, None)
        p.patched.tag_gaps.pop(arn, None)
        p.mark(arn, r)
        return
    if arn.startswith("(key of"):
        p.warn(r, "a new key, whose ARN is known only after apply: no cell can name it")
    tags = p.tags(r)  # aws:ResourceTag/* of the key's cells; before the policy, which keeps a tags gap
    if isinstance(tags, Unknown):
        p.patched.tag_gaps[arn] = p.gap(r, tags)
    elif tags is not None:
        p.patched.tag_gaps.pop(arn, None)
        p.account.resources.setdefault(arn, ResourceEntry(arn, None)).tags = tags
    _set_policy(p, r, arn, "policy")


def put_key_policy(p: Patcher, r: PlannedResource) -> None:
    arn = _key_arn(p, r, p.value(r, "key_id"))
    if isinstance(arn, Unknown):
        _every_key_unknown(p, r, arn)
        return
    if is_delete(r):
        entry = p.account.resources.setdefault(arn, ResourceEntry(arn, None))
        entry.policy, entry.gap = (
            None,
            p.gap(r, Unknown("policy", "not in the plan once the resource is deleted")),
        )
        p.mark(arn, r)
        return
    _set_policy(p, r, arn, "policy")


def _every_key_unknown(p: Patcher, r: PlannedResource, unknown: Unknown) -> None:
    """Which key a policy lands on is unknown: every key of the account may be the one."""
    for arn, entry in p.account.resources.items():
        if ":kms:" in arn:
            entry.gap = p.gap(r, unknown)
            p.mark(arn, r)


def put_alias(p: Patcher, r: PlannedResource) -> None:
    name, arn = p.value(r, "name"), _key_arn(p, r, p.value(r, "target_key_id"))
    if not isinstance(name, str):
        p.warn(r, "an alias whose name is known only after apply: no cell can name it")
        return
    for entry in p.account.resources.values():  # an alias names one key: move it
        if name in entry.aliases:
            entry.aliases = tuple(a for a in entry.aliases if a != name)
            p.mark(entry.arn, r)
    if is_delete(r):
        return
    if isinstance(arn, Unknown):
        _every_key_unknown(p, r, arn)
        return
    entry = p.account.resources.setdefault(arn, ResourceEntry(arn, None))
    entry.aliases = (*entry.aliases, name)
    p.mark(arn, r)


def put_bucket_policy(p: Patcher, r: PlannedResource) -> None:
    bucket = p.value(r, "bucket")
    if not isinstance(bucket, str):
        for arn, entry in p.account.resources.items():
            if ":s3:::" in arn:
                entry.gap = p.gap(r, bucket if isinstance(bucket, Unknown) else Unknown("bucket", "missing"))
                p.mark(arn, r)
        return
    arn = p.target.bucket_arn(bucket)
    if is_delete(r):
        entry = p.account.resources.get(arn)
        if entry is not None:
            entry.policy, entry.gap = None, None
        p.mark(arn, r)
        return
    _set_policy(p, r, arn, "policy")
