"""What the stand-in caller needs to know about a role: its ARN (with path) and whether it has a boundary.

From the account model given with `--iam-account` when it holds the role,
otherwise iam:GetRole, once per role per run. Needed only for principal mode:
a session ARN carries no role path, but PolicySourceArn must be the role's
ARN; and a resource-policy grant to the role ARN is limited by the role's
permissions boundary while one to a user is not (standin.py), so the rewrite
must know whether there is one.
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
        self, iam: Callable[[str, dict[str, Any]], dict[str, Any]] | None, *, capture: AccountModel | None
    ) -> None:
        self._iam = iam
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
        if self._capture is not None:
            try:
                _, identity = self._capture.find_identity(
                    f"arn:{caller.partition}:iam::{account}:role/{name}"
                )
            except NoSuchEntity:
                pass
            else:
                return RoleFacts(arn=identity.arn, boundary=bool(identity.boundary_arn))
        return self._cache.get(f"{account}/{name}", lambda: self._get_role(name))

    def _get_role(self, name: str) -> RoleFacts:
        if self._iam is None:
            return RoleFacts(error="no IAM client")
        try:
            role = self._iam("GetRole", {"RoleName": name}).get("Role") or {}
        except CallFailed as exc:
            return RoleFacts(error=f"iam:GetRole on {name} failed: {exc}")
        except Exception as exc:  # an unexpected client failure is still an error cell
            return RoleFacts(error=f"iam:GetRole on {name} failed: {classify(exc).describe()}")
        return RoleFacts(
            arn=str(role.get("Arn") or "") or None, boundary=bool(role.get("PermissionsBoundary"))
        )
