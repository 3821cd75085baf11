"""Real key policies on the AWS backend: read once per key per run, in its Region; refusals are errors."""

from __future__ import annotations

import json

from aws_builders import ACCOUNT, USER_ARN, allow, aws_backend, cell, custom, identity_policy

from harness.account import Account, AccountModel, ResourceEntry
from harness.engine.types import PolicyKind, PolicySource
from harness.testing.iam_endpoint import LocalIamEndpoint, ScriptedError

ALLOW_ALICE = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": USER_ARN}, "Action": "kms:*", "Resource": "*"}
        ],
    }
)
SUBJECT = custom(identity_policy(allow("kms:Decrypt")), caller=USER_ARN)


def _key(endpoint: LocalIamEndpoint, region: str = "us-east-1", alias: str | None = None) -> str:
    kms = endpoint.client("kms", region)
    key = kms.create_key(Policy=ALLOW_ALICE)["KeyMetadata"]
    if alias:
        kms.create_alias(AliasName=alias, TargetKeyId=key["Arn"])
    return key["Arn"]


def test_the_key_policy_is_read_and_sent_as_the_resource_policy(endpoint: LocalIamEndpoint) -> None:
    key = _key(endpoint)
    [result] = aws_backend(endpoint.url).evaluate([cell(SUBJECT, "kms:Decrypt", key)])
    [(_, params)] = endpoint.simulate_requests()
    assert json.loads(params["ResourcePolicy"]) == json.loads(ALLOW_ALICE)
    assert result.decision == "allowed"


def test_a_key_policy_is_read_once_per_key_per_run(endpoint: LocalIamEndpoint) -> None:
    key = _key(endpoint, alias="alias/app")
    alias = key.rsplit(":", 1)[0] + ":alias/app"
    backend = aws_backend(endpoint.url)
    backend.evaluate([cell(SUBJECT, "kms:Decrypt", key), cell(SUBJECT, "kms:Encrypt", key)])
    backend.evaluate(
        [cell(SUBJECT, "kms:Decrypt", alias, cell_id="via-alias"), cell(SUBJECT, "kms:Sign", key)]
    )
    assert endpoint.calls["GetKeyPolicy"] == 1
    assert endpoint.calls["DescribeKey"] == 1  # the alias, resolved once to the same key


def test_the_key_is_read_in_its_own_region(endpoint: LocalIamEndpoint) -> None:
    key = _key(endpoint, region="eu-west-3")
    [result] = aws_backend(endpoint.url).evaluate([cell(SUBJECT, "kms:Decrypt", key)])
    assert result.decision == "allowed"


def test_a_refused_read_is_an_error_naming_get_key_policy(endpoint: LocalIamEndpoint) -> None:
    key = _key(endpoint)
    endpoint.faults.script("GetKeyPolicy", ScriptedError("AccessDeniedException", "no", 400))
    [result] = aws_backend(endpoint.url, max_attempts=1).evaluate([cell(SUBJECT, "kms:Decrypt", key)])
    assert result.is_error and "kms:GetKeyPolicy" in (result.error or "")
    assert endpoint.simulate_requests() == []  # never simulated without the key policy


def test_a_key_in_another_account_is_an_error_without_a_call(endpoint: LocalIamEndpoint) -> None:
    key = "arn:aws:kms:us-east-1:444455556666:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    [result] = aws_backend(endpoint.url).evaluate([cell(SUBJECT, "kms:Decrypt", key)])
    assert (
        result.is_error and "GetKeyPolicy" in (result.error or "") and "--iam-account" in (result.error or "")
    )
    assert endpoint.calls["GetKeyPolicy"] == 0


def test_a_key_pattern_is_not_a_key_and_reads_nothing(endpoint: LocalIamEndpoint) -> None:
    [result] = aws_backend(endpoint.url).evaluate(
        [cell(SUBJECT, "kms:Decrypt", f"arn:aws:kms:*:{ACCOUNT}:key/*")]
    )
    assert not result.is_error
    assert endpoint.calls["GetKeyPolicy"] == 0 and endpoint.calls["DescribeKey"] == 0


def test_a_scenario_naming_no_resource_policy_explicitly_gets_none(endpoint: LocalIamEndpoint) -> None:
    key = _key(endpoint)
    aws_backend(endpoint.url).evaluate([cell(SUBJECT, "kms:Decrypt", key, resource_policy_named=True)])
    [(_, params)] = endpoint.simulate_requests()
    assert "ResourcePolicy" not in params
    assert endpoint.calls["GetKeyPolicy"] == 0


def _capture(key: str, *, policy: str | None, gap: str | None = None) -> AccountModel:
    account = Account(account_id=ACCOUNT, organization_path=())
    source = (
        PolicySource(policy, "ResourcePolicy", "Resource Policy", PolicyKind.RESOURCE, origin="cap")
        if policy
        else None
    )
    account.resources[key] = ResourceEntry(arn=key, policy=source, gap=gap)
    return AccountModel(path="capture.yaml", accounts={ACCOUNT: account})


def test_a_key_the_capture_holds_is_not_read_live(endpoint: LocalIamEndpoint) -> None:
    key = _key(endpoint)
    from aws_builders import fast_options

    from harness.backends.aws import AwsBackend

    backend = AwsBackend(fast_options(endpoint.url), account_model=_capture(key, policy=ALLOW_ALICE))
    [result] = backend.evaluate([cell(SUBJECT, "kms:Decrypt", key)])
    assert result.decision == "allowed"
    assert endpoint.calls["GetKeyPolicy"] == 0


def test_a_capture_gap_is_an_error_naming_it(endpoint: LocalIamEndpoint) -> None:
    key = _key(endpoint)
    from aws_builders import fast_options

    from harness.backends.aws import AwsBackend

    capture = _capture(key, policy=None, gap="kms:GetKeyPolicy AccessDenied during capture")
    [result] = AwsBackend(fast_options(endpoint.url), account_model=capture).evaluate(
        [cell(SUBJECT, "kms:Decrypt", key)]
    )
    assert result.is_error and "AccessDenied during capture" in (result.error or "")
    assert endpoint.simulate_requests() == [] and endpoint.calls["GetKeyPolicy"] == 0


def _sent_context(endpoint: LocalIamEndpoint) -> dict[str, list[str]]:
    [(_, params)] = endpoint.simulate_requests()
    return {e["ContextKeyName"]: e["ContextKeyValues"] for e in params.get("ContextEntries", [])}


def test_a_key_read_live_sends_its_aliases_as_kms_resource_aliases(endpoint: LocalIamEndpoint) -> None:
    key = _key(endpoint, alias="alias/CadoResponse-KMS-Alias-1")
    aws_backend(endpoint.url).evaluate([cell(SUBJECT, "kms:ScheduleKeyDeletion", key)])
    assert _sent_context(endpoint)["kms:ResourceAliases"] == ["alias/CadoResponse-KMS-Alias-1"]
    assert endpoint.calls["ListAliases"] == 1


def test_aliases_set_by_the_scenario_win_over_the_live_read(endpoint: LocalIamEndpoint) -> None:
    from harness.engine.types import ContextEntry

    key = _key(endpoint, alias="alias/real")
    given = ContextEntry("kms:ResourceAliases", ("alias/given",), "stringList")
    aws_backend(endpoint.url).evaluate([cell(SUBJECT, "kms:ScheduleKeyDeletion", key, context=(given,))])
    assert _sent_context(endpoint)["kms:ResourceAliases"] == ["alias/given"]


def test_a_refused_alias_read_is_an_error_naming_list_aliases(endpoint: LocalIamEndpoint) -> None:
    key = _key(endpoint, alias="alias/app")
    endpoint.faults.script("ListAliases", ScriptedError("AccessDeniedException", "no", 400))
    [result] = aws_backend(endpoint.url, max_attempts=1).evaluate([cell(SUBJECT, "kms:Decrypt", key)])
    assert result.is_error and "kms:ListAliases" in (result.error or "")
    assert endpoint.simulate_requests() == []
