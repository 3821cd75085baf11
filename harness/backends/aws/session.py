"""Credentials and clients for the AWS backend.

Credentials come from boto3's standard chain (environment, shared files,
SSO, container and instance roles), optionally from a named profile. With
`assume_role_arn` the backend first calls `sts:AssumeRole` (with the external
id when one is given) and uses the temporary credentials, which is how one
account checks another
(https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-user_externalid.html).

Partition: taken from the role ARN when one is given, else from the region
(boto3 knows which partition a region belongs to), so aws-cn and aws-us-gov
work without extra settings. IAM is a global service per partition; STS is
called in the chosen region.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import boto3
import botocore.config
import botocore.exceptions

from harness.backends.aws.options import AwsOptions

DEFAULT_REGION = "us-east-1"


class SessionError(Exception):
    """No usable credentials, or the role could not be assumed; `cause` says which."""

    def __init__(self, cause: str, message: str) -> None:
        super().__init__(message)
        self.cause = cause
        self.message = message


@dataclass
class AwsSession:
    """A boto3 session, its region and partition, and clients built with our retry settings."""

    session: boto3.session.Session
    region: str
    partition: str
    options: AwsOptions

    def client(self, service: str, region: str | None = None) -> Any:
        # botocore retries nothing: our own loop retries, so the rate limiter sees every throttle.
        config = botocore.config.Config(
            retries={"total_max_attempts": 1},
            connect_timeout=self.options.connect_timeout,
            read_timeout=self.options.read_timeout,
            max_pool_connections=max(10, self.options.max_concurrency * 2),
        )
        return self.session.client(
            service, region_name=region or self.region, endpoint_url=self.options.endpoint_url, config=config
        )


def partition_of_arn(arn: str) -> str | None:
    parts = arn.split(":")
    return parts[1] if len(parts) > 5 and parts[0] == "arn" and parts[1] else None


def partition_of_region(session: boto3.session.Session, region: str) -> str:
    try:
        return session.get_partition_for_region(region)
    except Exception:  # an unknown region: let the call fail with AWS's own message
        return "aws"


def open_session(options: AwsOptions) -> AwsSession:
    """The session the backend uses; raises SessionError with a cause for a failed assume-role."""
    try:
        base = boto3.session.Session(profile_name=options.profile)
    except botocore.exceptions.ProfileNotFound as exc:
        raise SessionError("missing credentials", f"AWS profile not found: {exc}") from None
    region = options.region or base.region_name or DEFAULT_REGION
    partition = partition_of_region(base, region)
    if not options.assume_role_arn:
        return AwsSession(base, region, partition, options)
    partition = partition_of_arn(options.assume_role_arn) or partition
    probe = AwsSession(base, region, partition, options)
    params: dict[str, Any] = {
        "RoleArn": options.assume_role_arn,
        "RoleSessionName": options.role_session_name,
    }
    if options.external_id:
        params["ExternalId"] = options.external_id
    from harness.backends.aws.client import classify  # local: client imports this module

    try:
        creds = probe.client("sts").assume_role(**params)["Credentials"]
    except Exception as exc:
        failure = classify(exc)
        raise SessionError(
            failure.cause, f"could not assume {options.assume_role_arn}: {failure.message}"
        ) from None
    assumed = boto3.session.Session(
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
        region_name=region,
    )
    return AwsSession(assumed, region, partition, options)
