"""Cells an account model cannot answer, and why: they become pytest skips, never passes.

A pack written for one estate (the KMS pack's platform and target accounts, the vendor's
sample principals) is run on a capture of another. Some of its cells are then about things
the capture does not hold; answering them as if those things had no policies would be a
guess, and an error per cell would make the pack unusable. They are skipped, each with the
reason and how to include what is missing (docs/scenarios.md, "Cells the account model
cannot answer"). Nothing else is skipped: a principal the model does not hold in an account
it does hold is an error naming it (a misspelt role name must not turn into a quiet skip),
unless the scenario file marks that principal `optional: true`.

The rules, for a file with an account model:

1. Principal mode, the principal's account is not in the model: its policies are unknown.
2. The resource's ARN names an account not in the model, and the scenario leaves the
   resource's policy to the model (no `resource_policy:`): that account's side is unknown;
   across accounts both sides must allow
   (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html).
3. An `optional` principal the model does not hold (its account is in the model).
4. A KMS key the model does not hold, in an account it holds, and the scenario leaves the key
   policy to the model: no principal may use a KMS key unless its key policy allows it
   (https://docs.aws.amazon.com/kms/latest/developerguide/key-policies.html), so without the
   key there is nothing to answer with. A capture gap is not a skip: it stays an error cell.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping

from harness.account import AccountModel
from harness.account.model import CaptureGap
from harness.cells import Cell
from harness.engine.errors import SimulationError

_ARN = re.compile(
    r"^arn:(?P<partition>[^:]+):(?P<service>[^:]+):(?P<region>[^:]*):(?P<account>\d{12}):(?P<rest>.+)$"
)


class SkipRules:
    """Decides, once per principal and per resource, whether a file's cells can be answered."""

    def __init__(
        self, model: AccountModel, optional: Mapping[str, str], variables: Mapping[str, str]
    ) -> None:
        self.model = model
        self.optional = optional  # principal name -> ARN, for principals marked `optional: true`
        self.variables = variables
        self._principals: dict[str, str] = {}
        self._resources: dict[str, str] = {}

    def reason(self, cell: Cell) -> str:
        """Why the model cannot answer `cell`, or '' when it can."""
        arn = cell.subject.principal_arn
        if arn:
            why = self._principals.get(cell.principal_label)
            if why is None:
                why = self._principals[cell.principal_label] = self._principal_reason(
                    cell.principal_label, arn
                )
            if why:
                return why
        if cell.resource_policy_named:
            return ""
        why = self._resources.get(cell.resource)
        if why is None:
            why = self._resources[cell.resource] = self._resource_reason(cell.resource)
        return why

    def _principal_reason(self, name: str, arn: str) -> str:
        match = _ARN.match(arn)
        if match is None:
            return ""  # not an IAM ARN: the backend names the mistake
        if match["account"] not in self.model.accounts:
            return self._missing_account(match["account"], match["partition"], arn)
        if name not in self.optional:
            return ""
        try:
            self.model.find_identity(arn)
        except CaptureGap:
            return ""  # the capture could not read the account's identities: an error cell says so
        except SimulationError:
            return (
                f"{arn} is not in the account model {self.model.path}; principals.{name} is `optional`, "
                "so its cells are skipped where the account does not have it"
            )
        return ""

    def _resource_reason(self, resource: str) -> str:
        match = _ARN.match(resource)
        if match is None:
            return ""
        if match["account"] not in self.model.accounts:
            return self._missing_account(match["account"], match["partition"], resource)
        if match["service"] != "kms" or not match["rest"].startswith("key/"):
            return ""
        if resource in self.model.accounts[match["account"]].resources or self.model.resource_gap(resource):
            return ""
        return self._missing_key(resource, match["account"], match["region"], match["rest"][4:])

    def _missing_account(self, account: str, partition: str, arn: str) -> str:
        held = sorted(self.model.accounts)
        roles = " ".join(
            f"--assume-role arn:{partition}:iam::{a}:role/AUDIT_ROLE" for a in sorted({*held, account})
        )
        return (
            f"account {account} of {arn} is not in the account model {self.model.path} "
            f"(it holds {', '.join(held) or 'no account'}); to include it, capture it with the others: "
            f"harness account capture -o {self.model.path} {roles}"
        )

    def _missing_key(self, arn: str, account: str, region: str, key_id: str) -> str:
        prefix = arn.split(":key/", 1)[0] + ":key/"
        held = [
            entry.arn.rsplit("/", 1)[-1] + (f" ({', '.join(entry.aliases)})" if entry.aliases else "")
            for entry in self.model.accounts[account].resources.values()
            if entry.arn.startswith(prefix)
        ]
        named_by = sorted(name for name, value in self.variables.items() if value == key_id)
        how = (
            " or ".join(f"--iam-var {name}=KEY_ID" for name in named_by)
            if named_by
            else "the scenario's resources"
        )
        keys = "; ".join(sorted(held)) or "none"
        return (
            f"KMS key {arn} is not in the account model {self.model.path} (its keys in account "
            f"{account}, {region}: {keys}); name one of them with {how}"
        )


def mark_unanswerable(
    cells: list[Cell], model: AccountModel, optional: Mapping[str, str], variables: Mapping[str, str]
) -> list[Cell]:
    """The cells, those the model cannot answer given their `skip_reason`."""
    rules = SkipRules(model, optional, variables)
    out = []
    for cell in cells:
        why = rules.reason(cell)
        out.append(dataclasses.replace(cell, skip_reason=why) if why else cell)
    return out
