"""The AWS backend: IAM's Policy Simulator (SimulatePrincipalPolicy, SimulateCustomPolicy) via boto3.

`create_backend(options)` is what `harness.backends.registry` calls for
`--iam-backend aws`; `AwsBackend(AwsOptions(...))` is the library entry.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from harness.backends.aws.backend import AwsBackend
from harness.backends.aws.options import EXTRA_KEYS, AwsOptionError, AwsOptions

if TYPE_CHECKING:
    from harness.backends.registry import BackendOptions


def options_from(options: BackendOptions) -> AwsOptions:
    """AwsOptions from the plugin's BackendOptions; a bad value is a BackendUnavailable usage error."""
    from harness.backends.registry import BackendUnavailable

    try:
        return AwsOptions.from_mapping(
            options.extra_map, profile=options.aws_profile, region=options.aws_region
        )
    except AwsOptionError as exc:
        raise BackendUnavailable(f"--iam-backend-opt: {exc}") from None


def create_backend(options: BackendOptions) -> AwsBackend:
    # Only a model given with --iam-account describes the real account; a scenario file's own
    # `account:` is an example for the offline engine.
    model = options.account_model if options.account_model_from_command_line else None
    return AwsBackend(options_from(options), account_model=model)


__all__ = ["EXTRA_KEYS", "AwsBackend", "AwsOptionError", "AwsOptions", "create_backend", "options_from"]
