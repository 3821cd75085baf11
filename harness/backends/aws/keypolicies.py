"""The real key policy of a KMS key, for a scenario that names no `resource_policy`.

A cell on a KMS key (or alias) ARN whose scenario does not name a resource
policy is about the key as it is, so its key policy is the ResourcePolicy of
the simulation: from the account model given with `--iam-account` when it
holds the key (a capture gap there is an error naming it), otherwise read live
with kms:GetKeyPolicy, an alias first resolved to its key with kms:DescribeKey
(which accepts an alias ARN as KeyId). Each key is read once per run, in its
own Region (from the ARN). A key read live also has its aliases read
(kms:ListAliases with KeyId): KMS supplies them to every request on the key as
kms:ResourceAliases (https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-resource-aliases),
and the simulator knows them only when told, so a cell whose scenario does not set
that key gets them as context. A capture supplies them itself (scenario expansion).

A read that fails is an error cell naming the call, never a simulation
without the key policy: KMS allows nothing on a key its policy does not allow
(https://docs.aws.amazon.com/kms/latest/developerguide/key-policies.html).
kms:GetKeyPolicy cannot be called on a key in another account ("Cross-account
use: No", https://docs.aws.amazon.com/kms/latest/APIReference/API_GetKeyPolicy.html),
so such a key needs a capture of its own account.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from harness.account import AccountModel
from harness.backends.aws.client import CallFailed, classify
from harness.backends.aws.once import OncePerRun
from harness.engine.types import PolicyKind, PolicySource

KMS_ARN = re.compile(
    r"^arn:(?P<partition>[^:]+):kms:(?P<region>[^:]+):(?P<account>\d{12}):(?P<kind>key|alias)/.+$"
)

Caller = Callable[[str, dict[str, Any]], dict[str, Any]]


@dataclass(frozen=True)
class KeyPolicy:
    """The key policy, or why it could not be had (then the cell is an error)."""

    policy: PolicySource | None = None
    error: str | None = None
    # The key's aliases when read live; None when the account model supplied the policy.
    aliases: tuple[str, ...] | None = None


class KeyPolicies:
    """Key policies for one run; `kms_for(region)` gives a retrying KMS caller for that Region."""

    def __init__(
        self, kms_for: Callable[[str], Caller], *, capture: AccountModel | None, own_account: str | None
    ) -> None:
        self._kms_for = kms_for
        self._capture = capture
        self._own_account = own_account
        self._policies: OncePerRun[KeyPolicy] = OncePerRun()
        self._keys: OncePerRun[str | KeyPolicy] = OncePerRun()

    @property
    def reads(self) -> int:
        return self._policies.reads + self._keys.reads

    def for_resource(self, arn: str) -> KeyPolicy | None:
        """The key policy for `arn`; None when `arn` is not a KMS key or alias ARN."""
        m = KMS_ARN.match(arn)
        if m is None or "*" in arn or "?" in arn:
            return None  # a pattern names no one key: there is no policy to read
        capture = self._capture
        if capture is not None:
            gap = capture.resource_gap(arn)
            if gap:
                return KeyPolicy(error=f"the account model {capture.path} has no key policy for {arn}: {gap}")
            found = capture.resource_policy_for(arn)
            if found is not None:
                return KeyPolicy(policy=_as_key_policy(found, found.origin or f"{capture.path} {arn}"))
        if self._own_account and m["account"] != self._own_account:
            return KeyPolicy(
                error=(
                    f"kms:GetKeyPolicy cannot read {arn}: the key is in account {m['account']}, not the "
                    f"harness's ({self._own_account}), and GetKeyPolicy does not work across accounts; "
                    "pass --iam-account with a capture of that account, or name resource_policy"
                )
            )
        key = arn
        if m["kind"] == "alias":
            resolved = self._keys.get(arn, lambda: self._describe(arn, m["region"]))
            if isinstance(resolved, KeyPolicy):
                return resolved
            key = resolved
        return self._policies.get(key, lambda: self._get_policy(key, m["region"]))

    def _describe(self, alias_arn: str, region: str) -> str | KeyPolicy:
        try:
            answer = self._kms_for(region)("DescribeKey", {"KeyId": alias_arn})
        except CallFailed as exc:
            return KeyPolicy(error=f"kms:DescribeKey (to resolve {alias_arn} to its key) failed: {exc}")
        except Exception as exc:  # an unexpected client failure is still an error cell
            return KeyPolicy(error=f"kms:DescribeKey on {alias_arn} failed: {classify(exc).describe()}")
        key_arn = str((answer.get("KeyMetadata") or {}).get("Arn") or "")
        if not key_arn:
            return KeyPolicy(error=f"kms:DescribeKey on {alias_arn} returned no key ARN")
        return key_arn

    def _get_policy(self, key_arn: str, region: str) -> KeyPolicy:
        try:
            answer = self._kms_for(region)("GetKeyPolicy", {"KeyId": key_arn, "PolicyName": "default"})
        except CallFailed as exc:
            return KeyPolicy(error=f"kms:GetKeyPolicy on {key_arn} failed: {exc}; the key policy is needed")
        except Exception as exc:  # an unexpected client failure is still an error cell
            return KeyPolicy(error=f"kms:GetKeyPolicy on {key_arn} failed: {classify(exc).describe()}")
        text = answer.get("Policy")
        if not isinstance(text, str) or not text.strip():
            return KeyPolicy(error=f"kms:GetKeyPolicy on {key_arn} returned no policy")
        aliases = self._aliases(key_arn, region)
        if isinstance(aliases, KeyPolicy):
            return aliases
        return KeyPolicy(
            policy=_as_key_policy(
                PolicySource(text, "ResourcePolicy", "Resource Policy"), f"kms:GetKeyPolicy {key_arn}"
            ),
            aliases=aliases,
        )

    def _aliases(self, key_arn: str, region: str) -> tuple[str, ...] | KeyPolicy:
        """Every alias of the key, all pages; an error (the cell's answer may depend on them) otherwise."""
        names: list[str] = []
        params: dict[str, Any] = {"KeyId": key_arn}
        for _ in range(1000):  # bounded: a key holds far fewer aliases than 1,000 pages
            try:
                answer = self._kms_for(region)("ListAliases", params)
            except CallFailed as exc:
                return KeyPolicy(error=f"kms:ListAliases on {key_arn} failed: {exc}; its aliases are needed")
            except Exception as exc:  # an unexpected client failure is still an error cell
                return KeyPolicy(error=f"kms:ListAliases on {key_arn} failed: {classify(exc).describe()}")
            names.extend(str(a["AliasName"]) for a in answer.get("Aliases") or () if a.get("AliasName"))
            if not answer.get("Truncated") or not answer.get("NextMarker"):
                return tuple(sorted(names))
            params = {"KeyId": key_arn, "Marker": answer["NextMarker"]}
        return KeyPolicy(error=f"kms:ListAliases on {key_arn} did not end")


def _as_key_policy(source: PolicySource, origin: str) -> PolicySource:
    return PolicySource(
        text=source.text,
        source_id="ResourcePolicy",
        source_type="Resource Policy",
        kind=PolicyKind.RESOURCE,
        origin=origin,
    )
