"""The KMS section of a capture, one Region at a time.

ListKeys and ListAliases (every page: Truncated/NextMarker), then per key DescribeKey
(KeyManager AWS or CUSTOMER, KeyState, MultiRegion), GetKeyPolicy with the policy name
`default`, the only name KMS uses
(https://docs.aws.amazon.com/kms/latest/APIReference/API_GetKeyPolicy.html), and
ListResourceTags for customer managed keys (AWS managed keys carry no tags:
https://docs.aws.amazon.com/kms/latest/developerguide/tagging-keys.html), and ListGrants
(every page) for every key, AWS managed ones included: a grant allows its grantee outside
every policy (https://docs.aws.amazon.com/kms/latest/developerguide/grants.html; EBS holds
one on the key of each attached encrypted volume), so a key written without its grants
would answer "who can decrypt" wrongly. Written as the key's `Grants`, GrantListEntry's
fields (https://docs.aws.amazon.com/kms/latest/APIReference/API_ListGrants.html) without
KeyId and CreationDate.

ListAliases also returns the aliases AWS reserves for its managed keys (`alias/aws/...`)
before the key exists, with no TargetKeyId or a key not listed: they are left out, since an
alias belongs to its key and no key means no alias in force.

Gaps: ListKeys refused is a gap of the Region (`kms/REGION`: a key of that Region not in
the model is an error cell); a refused call about one key (ListGrants included: "nobody
holds a grant" cannot be told from "could not list them"), or ListAliases (the aliases
feed kms:ResourceAliases), is that key's `Gap`.

The per-key calls run `concurrency` at a time (each key's answers are independent; the
results are put back in ARN order, so the output does not depend on which came first).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from harness.account.capture.calls import Refused, ServiceCalls
from harness.account.capture.gaps import Gap, document, tags


@dataclass
class KmsSection:
    resources: list[dict[str, Any]] = field(default_factory=list)
    gaps: list[Gap] = field(default_factory=list)


def capture_kms(
    calls: ServiceCalls, account_id: str, progress: Any = None, *, concurrency: int = 4
) -> KmsSection:
    out = KmsSection()
    section = f"kms/{calls.region}"
    try:
        keys = list(
            calls.items("ListKeys", "Keys", token_in="Marker", token_out="NextMarker", truncated="Truncated")
        )
    except Refused as exc:
        out.gaps.append(Gap(account_id, section, exc.action, exc.code, exc.message))
        return out
    aliases: dict[str, list[str]] = {}
    alias_gap: Gap | None = None
    try:
        for alias in calls.items(
            "ListAliases", "Aliases", token_in="Marker", token_out="NextMarker", truncated="Truncated"
        ):
            if alias.get("TargetKeyId"):
                aliases.setdefault(alias["TargetKeyId"], []).append(alias["AliasName"])
    except Refused as exc:
        alias_gap = Gap(account_id, section, exc.action, exc.code, exc.message)
        out.gaps.append(alias_gap)
    if progress is not None:
        progress.total = (progress.total or 0) + len(keys)
        progress.refresh()

    def one(key: dict[str, Any]) -> tuple[dict[str, Any] | None, list[Gap]]:
        problems: list[Gap] = []
        entry = _key(calls, account_id, section, key, aliases.get(key["KeyId"], []), alias_gap, problems)
        if progress is not None:
            progress.update(1)
        return entry, problems

    ordered = sorted(keys, key=lambda k: k["KeyArn"])
    with ThreadPoolExecutor(max_workers=max(1, concurrency)) as pool:
        for entry, problems in pool.map(one, ordered):
            if entry is not None:
                out.resources.append(entry)
            out.gaps.extend(problems)
    return out


def _key(
    calls: ServiceCalls,
    account_id: str,
    section: str,
    key: dict[str, Any],
    aliases: list[str],
    alias_gap: Gap | None,
    gaps: list[Gap],
) -> dict[str, Any] | None:
    arn = key["KeyArn"]
    problems: list[Gap] = [Gap(**{**alias_gap.__dict__, "resource": arn})] if alias_gap else []
    entry: dict[str, Any] = {"Arn": arn}
    try:
        meta = calls.call("DescribeKey", KeyId=key["KeyId"])["KeyMetadata"]
    except Refused as exc:
        if exc.code == "NotFoundException":
            return None  # deleted between ListKeys and DescribeKey: not a key any more
        meta = {}
        problems.append(Gap(account_id, section, exc.action, exc.code, exc.message, arn))
    for name in ("KeyManager", "KeyState", "MultiRegion"):
        if name in meta:
            entry[name] = meta[name]
    policy: Any = None
    try:
        policy = calls.call("GetKeyPolicy", KeyId=key["KeyId"], PolicyName="default").get("Policy")
    except Refused as exc:
        problems.append(Gap(account_id, section, exc.action, exc.code, exc.message, arn))
    key_tags: list[dict[str, Any]] = []
    if meta.get("KeyManager") == "CUSTOMER":
        try:
            key_tags.extend(
                calls.items(
                    "ListResourceTags",
                    "Tags",
                    token_in="Marker",
                    token_out="NextMarker",
                    truncated="Truncated",
                    KeyId=key["KeyId"],
                )
            )
        except Refused as exc:
            problems.append(Gap(account_id, section, exc.action, exc.code, exc.message, arn))
    grants = _grants(calls, account_id, section, key["KeyId"], arn, problems)
    entry["Aliases"] = sorted(aliases)
    entry["Tags"] = tags(key_tags, "TagKey", "TagValue")
    if policy is not None:
        entry["Policy"] = document(policy)
    if grants:
        entry["Grants"] = grants
    if problems:
        entry["Gap"] = "; ".join(p.describe() for p in problems)
        gaps.extend(problems)
    return entry


_GRANT_FIELDS = ("GrantId", "Name", "GranteePrincipal", "RetiringPrincipal", "IssuingAccount", "Operations")


def _grants(
    calls: ServiceCalls, account_id: str, section: str, key_id: str, arn: str, problems: list[Gap]
) -> list[dict[str, Any]]:
    """ListGrants, every page, in GrantId order; a refusal is one of the key's problems."""
    out: list[dict[str, Any]] = []
    try:
        out.extend(
            _grant(g)
            for g in calls.items(
                "ListGrants",
                "Grants",
                token_in="Marker",
                token_out="NextMarker",
                truncated="Truncated",
                KeyId=key_id,
            )
        )
    except Refused as exc:
        problems.append(Gap(account_id, section, exc.action, exc.code, exc.message, arn))
        return []
    return sorted(out, key=lambda g: str(g.get("GrantId")))


def _grant(raw: dict[str, Any]) -> dict[str, Any]:
    grant = {name: raw[name] for name in _GRANT_FIELDS if raw.get(name)}
    constraints = {
        name: dict(raw["Constraints"][name])
        for name in ("EncryptionContextEquals", "EncryptionContextSubset")
        if (raw.get("Constraints") or {}).get(name) is not None
    }
    other = sorted(set(raw.get("Constraints") or {}) - set(constraints))
    for name in other:  # kept as read: the loader refuses a constraint it cannot evaluate
        constraints[name] = raw["Constraints"][name]
    if constraints:
        grant["Constraints"] = constraints
    return grant
