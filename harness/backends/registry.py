"""Pick a backend by name: `offline` (the engine), `aws` and `compare` (the IAM Policy Simulator).

`aws` and `compare` live in `harness.backends.aws` and
`harness.backends.compare`; each module exposes
`create_backend(options: BackendOptions) -> Backend` and is imported only
when asked for, so the offline harness needs neither boto3 sessions nor
credentials. A missing or broken module is a usage error, not a traceback.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from harness.backends.base import Backend

if TYPE_CHECKING:
    from harness.account import AccountModel

BACKEND_NAMES = ("offline", "aws", "compare")
_LAZY_MODULES = {"aws": "harness.backends.aws", "compare": "harness.backends.compare"}


class BackendUnavailable(Exception):
    """A usage error: unknown backend name, or its module is not installed."""


@dataclass(frozen=True)
class BackendOptions:
    """What a backend may need from the command line and ini.

    `account_model` is the loaded model behind `account_model_path` (offline
    principal mode); `aws_profile`/`aws_region` select the AWS session;
    `extra` carries backend-specific settings (`--iam-backend-opt k=v`).
    """

    account_model_path: Path | None = None
    account_model: AccountModel | None = field(default=None, compare=False, hash=False)
    aws_profile: str | None = None
    aws_region: str | None = None
    extra: tuple[tuple[str, str], ...] = ()
    # The account model came from --iam-account (a capture of the real account), not a file's `account:`.
    account_model_from_command_line: bool = False

    @property
    def extra_map(self) -> Mapping[str, str]:
        return dict(self.extra)


def make_backend(name: str, options: BackendOptions) -> Backend:
    if name == "offline":
        from harness.backends.offline import OfflineBackend

        return OfflineBackend(account_model=options.account_model)
    module_name = _LAZY_MODULES.get(name)
    if module_name is None:
        raise BackendUnavailable(f"unknown IAM backend {name!r}; choose one of: {', '.join(BACKEND_NAMES)}")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name and module_name.startswith(exc.name):
            raise BackendUnavailable(
                f"the {name!r} backend is not available in this installation ({module_name} is missing); "
                "use --iam-backend offline"
            ) from None
        raise BackendUnavailable(f"the {name!r} backend cannot load: {exc}") from None
    factory = getattr(module, "create_backend", None)
    if factory is None:
        raise BackendUnavailable(f"{module_name} has no create_backend(options) factory")
    return factory(options)
