"""What the stand-in caller needs to know about a role: its ARN (with path) and whether it has a boundary.

Read live with iam:GetRole, once per role per run, even when `--iam-account`
holds the role: a boundary added since the capture would make the stand-in's
answer an allow the role does not have, and the engine over the same stale
capture would agree with it, so nothing else would catch it. Needed only for
principal mode: a session ARN carries no role path, but PolicySourceArn must
be the role's ARN; and a resource-policy grant to the role ARN is limited by
the role's permissions boundary while one to a user is not (standin.py), so
the rewrite must know whether there is one. GetRole reads the harness's own
account only (never a same-named role of this account for another's): a role
of another account comes from `--iam-account` when the capture holds it (the
simulate call itself then decides whether AWS answers for it), else the cell
is an error.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from harness.account import AccountModel
from harness.backends.aws.client import CallFailed, classify
from harness.backends.aws.once import OncePerRun
from harness.engine.errors import NoSuchEntity
from harness.engine.principals import parse_caller


@dataclass(frozen=True)
class RoleFacts:
    arn: str | None = None
    boundary: bool | None = None
    error: str | None = None


class Roles:
    def __init__(
        self,
        iam: Callable[[str, dict[str, Any]], dict[str, Any]] | None,
        *,
        own_account: str | None,
        capture: AccountModel | None = None,
    ) -> None:
        self._iam = iam
        self._own_account = own_account
        self._capture = capture
        self._cache: OncePerRun[RoleFacts] = OncePerRun()

    @property
    def reads(self) -> int:
        return self._cache.reads

    def facts(self, arn: str) -> RoleFacts:
        """Facts about the role behind a role or role-session ARN."""
        caller = parse_caller(arn)
        name, account = caller.role_name, caller.account
        if not name or not account:
            return RoleFacts(error=f"{arn} is not a role or role session")
        if self._own_account and account != self._own_account:
            if self._capture is not None:
                try:
                    _, found = self._capture.find_identity(
                        f"arn:{caller.partition}:iam::{account}:role/{name}"
                    )
                except NoSuchEntity:
                    pass
                else:
                    return RoleFacts(arn=found.arn, boundary=bool(found.boundary_arn))
            return RoleFacts(
                error=f"iam:GetRole cannot read {arn}: it is in account {account}, not the harness's "
                f"({self._own_account}); run against that account (--iam-assume-role) or pass a capture "
                "holding it (--iam-account)"
            )
        return self._cache.get(f"{account}/{name}", lambda: self._get_role(name, account))

    def _get_role(self, name: str, account: str) -> RoleFacts:
        if self._iam is None:
            return RoleFacts(error="no IAM client")
        try:
            role = self._iam("GetRole", {"RoleName": name}).get("Role") or {}
        except CallFailed as exc:
            return RoleFacts(error=f"iam:GetRole on {name} failed: {exc}")
        except Exception as exc:  # an unexpected client failure is still an error cell
            return RoleFacts(error=f"iam:GetRole on {name} failed: {classify(exc).describe()}")
        arn = str(role.get("Arn") or "")
        if f":{account}:role/" not in arn:
            return RoleFacts(
                error=f"iam:GetRole on {name} answered {arn or 'no ARN'}, not a role of {account}"
            )
        return RoleFacts(arn=arn, boundary=bool(role.get("PermissionsBoundary")))
