"""What a request on one resource takes from the account model: one answer for every tool.

Scenario cells (harness/scenarios/expand.py), `harness who-can` (harness/who_can.py) and
`harness simulate-principal-policy --account` (harness/cli/principal.py) all ask "what
does a request on this resource carry?" through `resource_inputs`, so the same model
gives the same decision, enforced decision included, whichever tool asks.

What the request itself says wins, as in the AWS CLI (`--resource-policy`,
`--resource-owner`, `--context-entries`) and in a scenario (`resource_policy:`,
`resource_owner:`, `context:`); the model fills in the rest:

- the resource's policy: a KMS key's key policy (also for an alias ARN naming it), a
  bucket's policy (also for its objects), a role's trust policy (harness.account.model);
- what the model cannot say because the capture could not read it (a gap), only when
  the request names no policy of its own: an answer on it is an error, never an answer
  as if the policy were absent;
- the owner account of a resource whose ARN names none (an S3 bucket or object): the
  account whose capture holds it. SimulatePrincipalPolicy's ResourceOwner is "the owner
  of any simulated resource that does not identify its owner in the resource ARN", and
  without it the owner is the caller's account
  (https://docs.aws.amazon.com/IAM/latest/APIReference/API_SimulatePrincipalPolicy.html);
  a bucket of another account would otherwise be judged as the caller's own;
- context the resource supplies: `kms:ResourceAliases` (its aliases,
  https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-resource-aliases)
  and `aws:ResourceTag/KEY` (its tags,
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-resourcetag);
  a key the request sets itself keeps the request's values.

Also here: a bare KMS key id (`1234abcd-...`) resolved to the key ARNs of the model.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from harness.account.model import AccountModel
from harness.engine.types import ContextEntry, PolicySource

_KEY_ARN = re.compile(r"^arn:[^:]+:kms:[^:]*:\d{12}:key/(?P<id>.+)$")


@dataclass(frozen=True)
class GivenResourceInputs:
    """What the request or scenario says itself; each of these wins over the model."""

    policy: PolicySource | None = None
    # The request names its resource policy (None included: a scenario's `resource_policy: none`).
    policy_named: bool = False
    owner: str | None = None
    context: tuple[ContextEntry, ...] = ()


NOTHING_GIVEN = GivenResourceInputs()


@dataclass(frozen=True)
class ResourceInputs:
    """What a request on one resource carries: its policy, owner and context."""

    policy: PolicySource | None
    owner: str | None
    context: tuple[ContextEntry, ...]
    # Why the model cannot say what the resource's policy is (a capture gap); None when it can
    # or when the request named its own policy.
    gap: str | None = None


def resource_inputs(
    model: AccountModel, resource: str, given: GivenResourceInputs = NOTHING_GIVEN
) -> ResourceInputs:
    """The policy, owner and context a request on `resource` carries (see the module's rules)."""
    if given.policy_named:
        policy, gap = given.policy, None
    else:
        policy, gap = model.resource_policy_for(resource), model.resource_gap(resource)
    return ResourceInputs(
        policy=policy,
        owner=given.owner or _owner_from_model(model, resource),
        context=_merge_context(given.context, model.resource_context_for(resource)),
        gap=gap,
    )


def _owner_from_model(model: AccountModel, resource: str) -> str | None:
    """`arn:PARTITION:iam::ACCOUNT:root` of the account holding a resource whose ARN names no account."""
    parts = resource.split(":", 5)
    if len(parts) < 6 or parts[0] != "arn" or parts[4]:
        return None  # not an ARN, or its account is in it: the engine reads it from there
    wanted = {resource, resource.split("/", 1)[0]}  # an S3 object belongs to its bucket's account
    for account in model.accounts.values():
        if any(arn in account.resources for arn in wanted):
            return f"arn:{parts[1]}:iam::{account.account_id}:root"
    return None


def _merge_context(
    given: tuple[ContextEntry, ...], from_model: tuple[ContextEntry, ...]
) -> tuple[ContextEntry, ...]:
    if not from_model:
        return given
    present = {e.key.lower() for e in given}
    return given + tuple(e for e in from_model if e.key.lower() not in present)


def key_arns_with_id(model: AccountModel, key_id: str) -> Sequence[str]:
    """Every key ARN of the model whose key id is `key_id` (case-insensitive), sorted.

    A key id is unique within one account and Region only: the same id in several accounts
    or Regions (a multi-Region key's replicas share theirs,
    https://docs.aws.amazon.com/kms/latest/developerguide/multi-region-keys-overview.html)
    gives several ARNs, and the caller must say which one it means.
    """
    wanted = key_id.lower()
    found = {
        arn
        for account in model.accounts.values()
        for arn in account.resources
        if (m := _KEY_ARN.match(arn)) is not None and m["id"].lower() == wanted
    }
    return sorted(found)
