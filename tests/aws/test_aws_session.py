"""Credentials, regions, partitions, assumed roles and the backend's options."""

from __future__ import annotations

import pytest
from aws_builders import BUCKET, allow, aws_backend, cell, custom, fast_options, identity_policy

from harness.backends.aws import AwsOptions, create_backend
from harness.backends.aws.client import classify
from harness.backends.aws.session import open_session
from harness.backends.registry import BackendOptions, BackendUnavailable
from harness.testing.iam_endpoint import LocalIamEndpoint

TARGET_ROLE = "arn:aws:iam::210987654321:role/harness-audit"


def test_the_partition_follows_the_region() -> None:
    assert open_session(AwsOptions(region="cn-north-1")).partition == "aws-cn"
    assert open_session(AwsOptions(region="us-gov-west-1")).partition == "aws-us-gov"
    assert open_session(AwsOptions(region="eu-west-3")).partition == "aws"


def test_the_region_defaults_to_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "ap-southeast-2")
    assert open_session(AwsOptions()).region == "ap-southeast-2"


def test_assume_role_sends_the_external_id_and_uses_the_role(endpoint: LocalIamEndpoint) -> None:
    options = fast_options(endpoint.url, assume_role_arn=TARGET_ROLE, external_id="s3cret")
    session = open_session(options)
    [(_, params)] = [r for r in endpoint.requests if r[0] == "AssumeRole"]
    assert params["RoleArn"] == TARGET_ROLE
    assert params["ExternalId"] == "s3cret"
    assert session.session.get_credentials().access_key != "testing"


def test_checking_another_account_reports_the_assumed_identity(endpoint: LocalIamEndpoint) -> None:
    backend = aws_backend(endpoint.url, assume_role_arn=TARGET_ROLE)
    backend.evaluate([cell(custom(identity_policy(allow("s3:GetObject"))), "s3:GetObject", f"{BUCKET}/k")])
    meta = backend.metadata()
    assert meta["assumed_role"] == TARGET_ROLE
    assert "assumed-role/harness-audit" in str(meta["caller_arn"])


def test_a_refused_assume_role_makes_error_cells(endpoint: LocalIamEndpoint) -> None:
    from harness.testing.iam_endpoint import ScriptedError

    endpoint.faults.script("AssumeRole", ScriptedError("AccessDenied", "not trusted", 403))
    backend = aws_backend(endpoint.url, assume_role_arn=TARGET_ROLE)
    [result] = backend.evaluate([cell(custom(identity_policy(allow("s3:*"))), "s3:GetObject")])
    assert result.is_error
    assert "access denied" in (result.error or "")
    assert TARGET_ROLE in (result.error or "")


def test_backend_options_come_from_the_command_line() -> None:
    options = BackendOptions(
        aws_profile="audit",
        aws_region="eu-west-3",
        extra=(("assume-role", TARGET_ROLE), ("external_id", "x"), ("max_concurrency", "8")),
    )
    backend = create_backend(options)
    assert backend.options.profile == "audit"
    assert backend.options.region == "eu-west-3"
    assert backend.options.assume_role_arn == TARGET_ROLE
    assert backend.options.external_id == "x"
    assert backend.options.max_concurrency == 8


def test_an_unknown_backend_option_is_a_usage_error() -> None:
    with pytest.raises(BackendUnavailable, match="unknown AWS backend option 'max_speed'"):
        create_backend(BackendOptions(extra=(("max_speed", "11"),)))


def test_a_non_numeric_option_is_a_usage_error() -> None:
    with pytest.raises(BackendUnavailable, match="max_concurrency: 'many' is not a number"):
        create_backend(BackendOptions(extra=(("max_concurrency", "many"),)))


def test_max_items_outside_the_api_range_is_a_usage_error() -> None:
    with pytest.raises(BackendUnavailable, match=r"max_items must be 1\.\.1000"):
        create_backend(BackendOptions(extra=(("max_items", "5000"),)))


def test_an_external_id_without_a_role_is_a_usage_error() -> None:
    with pytest.raises(BackendUnavailable, match="external_id needs assume_role"):
        create_backend(BackendOptions(extra=(("external_id", "x"),)))


@pytest.mark.parametrize(
    ("code", "cause", "retryable"),
    [
        ("Throttling", "throttled", True),
        ("ExpiredToken", "expired credentials", False),
        ("InvalidClientTokenId", "invalid credentials", False),
        ("AccessDenied", "access denied", False),
        ("NoSuchEntity", "no such entity", False),
        ("InvalidInput", "invalid input", False),
        ("MalformedPolicyDocument", "malformed policy", False),
        ("ServiceUnavailable", "service error", True),
    ],
)
def test_error_codes_are_classified_by_cause(code: str, cause: str, retryable: bool) -> None:
    from botocore.exceptions import ClientError

    exc = ClientError(
        {"Error": {"Code": code, "Message": "m"}, "ResponseMetadata": {"HTTPStatusCode": 400}}, "Op"
    )
    failure = classify(exc)
    assert (failure.cause, failure.retryable) == (cause, retryable)


def test_missing_credentials_are_classified() -> None:
    from botocore.exceptions import NoCredentialsError

    assert classify(NoCredentialsError()).cause == "missing credentials"
