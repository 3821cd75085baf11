"""The capture's KMS section: keys, aliases, key policies and tags, per Region, and their gaps."""

from __future__ import annotations

from capture_builders import MOTO_ACCOUNT, ROOT_KEY_POLICY, capture, doc, refuse

from harness.backends.offline import OfflineBackend
from harness.cells import Cell, Expectation, SourceRef, Subject

ACCOUNT = MOTO_ACCOUNT


def _key(moto, region="eu-west-3", alias=None, tags=(), multi=False):
    kms = moto.client("kms", region)
    meta = kms.create_key(MultiRegion=multi, Tags=[{"TagKey": k, "TagValue": v} for k, v in tags])[
        "KeyMetadata"
    ]
    kms.put_key_policy(KeyId=meta["KeyId"], PolicyName="default", Policy=doc(ROOT_KEY_POLICY))
    if alias:
        kms.create_alias(AliasName=alias, TargetKeyId=meta["KeyId"])
    return meta["Arn"]


def _cell(resource, action="kms:Decrypt"):
    return Cell(
        id=f"f::{action}|{resource}",
        source=SourceRef("f.yaml", 1, "s"),
        subject=Subject(principal_arn=f"arn:aws:iam::{ACCOUNT}:role/app"),
        action=action,
        resource=resource,
        expected=Expectation.ALLOWED,
    )


def test_a_key_keeps_its_policy_aliases_tags_and_metadata(moto, tmp_path):
    arn = _key(moto, alias="alias/app", tags=[("env", "prod")])
    _, model = capture(moto, tmp_path)
    entry = model.accounts[ACCOUNT].resources[arn]
    assert entry.policy is not None and '"Sid": "Root"' in entry.policy.text
    assert entry.aliases == ("alias/app",)
    assert entry.tags == {"env": "prod"}
    assert (entry.key_manager, entry.key_state, entry.gap) == ("CUSTOMER", "Enabled", None)


def test_an_alias_arn_names_the_key_of_its_own_account_and_region(moto, tmp_path):
    paris = _key(moto, "eu-west-3", alias="alias/app")
    virginia = _key(moto, "us-east-1", alias="alias/app")
    _, model = capture(moto, tmp_path, regions=("eu-west-3", "us-east-1"))
    for key_arn in (paris, virginia):
        region = key_arn.split(":")[3]
        alias_arn = f"arn:aws:kms:{region}:{ACCOUNT}:alias/app"
        assert model.resource_policy_for(alias_arn) is model.resource_policy_for(key_arn)


def test_key_tags_become_resource_tags_and_aliases_resource_aliases(moto, tmp_path):
    arn = _key(moto, alias="alias/app", tags=[("env", "prod")])
    _, model = capture(moto, tmp_path)
    context = {e.key: e.values for e in model.resource_context_for(arn)}
    assert context == {"kms:ResourceAliases": ("alias/app",), "aws:ResourceTag/env": ("prod",)}


def test_multi_region_keys_say_so(moto, tmp_path):
    _key(moto, multi=True)
    result, _ = capture(moto, tmp_path)
    assert "MultiRegion: true" in result.text


def test_only_the_regions_asked_are_read(moto, tmp_path):
    _key(moto, "us-east-1")
    result, model = capture(moto, tmp_path, regions=("eu-west-3",))
    assert model.accounts[ACCOUNT].resources == {}
    assert result.regions == ["eu-west-3"]


def test_a_refused_key_policy_is_the_keys_gap_and_its_cells_are_errors(moto, tmp_path, monkeypatch):
    arn = _key(moto, alias="alias/app")
    refuse(monkeypatch, "kms", "GetKeyPolicy")
    result, model = capture(moto, tmp_path)
    entry = model.accounts[ACCOUNT].resources[arn]
    assert entry.policy is None
    assert entry.gap is not None and "kms:GetKeyPolicy" in entry.gap and "AccessDeniedException" in entry.gap
    assert [(g.action, g.resource) for g in result.gaps] == [("kms:GetKeyPolicy", arn)]
    backend = OfflineBackend(model)
    for resource in (arn, f"arn:aws:kms:eu-west-3:{ACCOUNT}:alias/app"):
        (answer,) = backend.evaluate([_cell(resource)])
        assert answer.decision == "error"
        assert "CaptureGap" in answer.error and "kms:GetKeyPolicy" in answer.error


def test_refused_list_keys_makes_every_key_of_that_region_an_error(moto, tmp_path, monkeypatch):
    _key(moto)
    refuse(monkeypatch, "kms", "ListKeys")
    result, model = capture(moto, tmp_path)
    assert [(g.section, g.action) for g in result.gaps] == [("kms/eu-west-3", "kms:ListKeys")]
    unknown = f"arn:aws:kms:eu-west-3:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    (answer,) = OfflineBackend(model).evaluate([_cell(unknown)])
    assert answer.decision == "error" and "kms:ListKeys" in answer.error
    other_region = unknown.replace("eu-west-3", "us-east-1")
    assert model.resource_gap(other_region) is None


def test_refused_aliases_are_a_gap_of_every_key(moto, tmp_path, monkeypatch):
    arn = _key(moto, alias="alias/app")
    refuse(monkeypatch, "kms", "ListAliases")
    _, model = capture(moto, tmp_path)
    assert "kms:ListAliases" in (model.accounts[ACCOUNT].resources[arn].gap or "")


def test_a_scenario_with_its_own_key_policy_does_not_depend_on_the_gap(moto, tmp_path, monkeypatch):
    from dataclasses import replace

    from harness.engine.types import PolicyKind, PolicySource

    arn = _key(moto)
    moto.client("iam").create_role(RoleName="app", AssumeRolePolicyDocument=doc(ROOT_KEY_POLICY))
    refuse(monkeypatch, "kms", "GetKeyPolicy")
    _, model = capture(moto, tmp_path)
    own = PolicySource(doc(ROOT_KEY_POLICY), "ResourcePolicy", "Resource Policy", kind=PolicyKind.RESOURCE)
    (answer,) = OfflineBackend(model).evaluate([replace(_cell(arn), resource_policy=own)])
    assert answer.decision != "error"


def test_throttled_calls_are_retried_by_the_aws_backends_machinery(moto, tmp_path, monkeypatch):
    _key(moto)
    refuse(monkeypatch, "kms", "ListKeys", "ThrottlingException", times=2)
    result, model = capture(moto, tmp_path)
    assert result.gaps == [] and len(model.accounts[ACCOUNT].resources) == 1
    assert result.log.as_dict()["retries"] == 2
    assert result.log.calls["kms:ListKeys"] == 1  # one logical call, three attempts


def test_throttling_past_the_retry_bound_is_a_gap_not_an_empty_region(moto, tmp_path, monkeypatch):
    _key(moto)
    refuse(monkeypatch, "kms", "ListKeys", "ThrottlingException")
    result, _ = capture(moto, tmp_path, max_attempts=2)
    assert [(g.section, g.code) for g in result.gaps] == [("kms/eu-west-3", "ThrottlingException")]


def test_all_regions_reads_every_region_the_partition_offers_for_kms(moto, tmp_path):
    paris, virginia = _key(moto, "eu-west-3"), _key(moto, "us-east-1")
    result, model = capture(moto, tmp_path, all_regions=True, services=())  # KMS alone: ~30 Regions
    assert {"eu-west-3", "us-east-1", "ap-southeast-2"} <= set(result.regions)
    assert {paris, virginia} <= set(model.accounts[ACCOUNT].resources)
