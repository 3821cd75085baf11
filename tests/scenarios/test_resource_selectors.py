# ruff: noqa: E501  (scenario and model YAML written inline read best on one line)
"""Resources selected from the account model in a scenario's `resources:` (`select: KIND`), and
`${resource.*}` in context values: one cell per selected resource, its context following it."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.backends.offline import OfflineBackend
from harness.cells import Outcome, judge
from harness.run.stream import load_document
from harness.scenarios import ScenarioFileErrors, ScenarioLoader

pytest_plugins = ["pytester"]

ACCOUNT = "111122223333"
OTHER = "444455556666"
IR = f"arn:aws:iam::{ACCOUNT}:role/ir"
K1 = f"arn:aws:kms:eu-west-3:{ACCOUNT}:key/k1"  # encrypts vol-1 (attached to i-1) and snap-1
K2 = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/k2"  # encrypts vol-3
K3 = f"arn:aws:kms:eu-west-3:{ACCOUNT}:key/k3"  # encrypts nothing
K4 = f"arn:aws:kms:eu-west-3:{OTHER}:key/k4"  # another account's key, encrypts vol-4
VOL1 = f"arn:aws:ec2:eu-west-3:{ACCOUNT}:volume/vol-1"
VOL2 = f"arn:aws:ec2:eu-west-3:{ACCOUNT}:volume/vol-2"  # unencrypted
VOL3 = f"arn:aws:ec2:us-east-1:{ACCOUNT}:volume/vol-3"
VOL4 = f"arn:aws:ec2:eu-west-3:{OTHER}:volume/vol-4"
I1 = f"arn:aws:ec2:eu-west-3:{ACCOUNT}:instance/i-1"
SNAP1 = "arn:aws:ec2:eu-west-3::snapshot/snap-1"


def _key(arn: str) -> str:
    # Each key lets the IR role use it through EBS of its own Region only (the document's
    # default-key condition): a context pinned to one Region fails the other keys.
    region = arn.split(":")[3]
    return (
        f"      - Arn: {arn}\n"
        f'        Policy: {{Statement: [{{Sid: IR, Effect: Allow, Principal: {{AWS: "{IR}"}}, Action: "kms:*", Resource: "*", '
        f'Condition: {{StringEquals: {{"kms:ViaService": "ec2.{region}.amazonaws.com"}}}}}}]}}\n'
    )


def model(eu_west_3_volumes: str = "") -> str:
    volumes = eu_west_3_volumes or (
        f'          - {{VolumeId: vol-1, Encrypted: true, KmsKeyId: "{K1}", Attachments: [{{InstanceId: i-1, Device: /dev/xvda}}], Tags: [{{Key: env, Value: prod}}]}}\n'
        "          - {VolumeId: vol-2, Encrypted: false, Tags: [{Key: env, Value: production}]}\n"
    )
    return (
        "accounts:\n"
        f'  - AccountId: "{ACCOUNT}"\n'
        "    RoleDetailList:\n"
        f"      - {{RoleName: ir, Arn: '{IR}', RolePolicyList: []}}\n"
        "    ResourcePolicies:\n" + _key(K1) + _key(K2) + _key(K3) + "    Ec2:\n"
        "      eu-west-3:\n"
        "        Volumes:\n" + volumes + "        Snapshots:\n"
        f'          - {{SnapshotId: snap-1, Encrypted: true, KmsKeyId: "{K1}", VolumeId: vol-1}}\n'
        "        Instances:\n"
        "          - {InstanceId: i-1, State: {Name: running}, Tags: [{Key: Name, Value: web}], BlockDeviceMappings: [{DeviceName: /dev/xvda, Ebs: {VolumeId: vol-1}}]}\n"
        "      us-east-1:\n"
        "        Volumes:\n"
        f'          - {{VolumeId: vol-3, Encrypted: true, KmsKeyId: "{K2}", Tags: [{{Key: env, Value: staging}}]}}\n'
        "        Snapshots: []\n"
        "        Instances: []\n"
        f'  - AccountId: "{OTHER}"\n'
        "    ResourcePolicies:\n" + _key(K4) + "    Ec2:\n"
        "      eu-west-3:\n"
        "        Volumes:\n"
        f'          - {{VolumeId: vol-4, Encrypted: true, KmsKeyId: "{K4}"}}\n'
        "        Snapshots: []\n"
        "        Instances: []\n"
    )


HEAD = f"""version: 1
account: model.yaml
principals:
  ir: {{arn: "{IR}"}}
scenarios:
"""

THROUGH_EBS = "context: {kms:ViaService: 'ec2.${resource.region}.amazonaws.com'}"


def write(tmp_path: Path, scenarios: str, head: str = HEAD, account_model: str | None = None) -> Path:
    (tmp_path / "model.yaml").write_text(model() if account_model is None else account_model)
    path = tmp_path / "s.yaml"
    path.write_text(head + scenarios)
    return path


def load(tmp_path: Path, scenarios: str, **kwargs):
    return ScenarioLoader().load(write(tmp_path, scenarios, **kwargs), "s.yaml")


def errors(tmp_path: Path, scenarios: str, **kwargs) -> list:
    with pytest.raises(ScenarioFileErrors) as info:
        load(tmp_path, scenarios, **kwargs)
    return info.value.errors


def resources(f) -> list[str]:
    return list(dict.fromkeys(c.resource for c in f.cells))


def context(cell) -> dict[str, tuple[str, ...]]:
    return {e.key: e.values for e in cell.context}


# -- what a selector selects --------------------------------------------------------


def test_encrypts_selects_every_key_that_encrypts_a_volume_in_any_account_and_region(tmp_path):
    f = load(
        tmp_path,
        "  - {name: s, principal: ir, actions: [kms:Decrypt], resources: [{select: kms:key, encrypts: ec2:volume}], expect: allowed}\n",
    )
    assert resources(f) == [K1, K2, K4]  # k3 encrypts nothing, vol-2 is unencrypted


def test_each_selected_resource_is_an_ordinary_cell_with_the_arn_in_its_test_id(tmp_path):
    f = load(
        tmp_path,
        "  - {name: s, principal: ir, actions: [kms:Decrypt], resources: [{select: kms:key, encrypts: ec2:volume}], expect: allowed}\n",
    )
    assert f.cells[0].id == f"s.yaml::s[ir|kms:Decrypt|{K1}]"


def test_where_filters_on_region_account_and_encryption(tmp_path):
    f = load(
        tmp_path,
        f"  - {{name: s, principal: ir, actions: [ec2:CreateSnapshot], resources: [{{select: ec2:volume, where: {{encrypted: true, region: eu-west-3, account: '{ACCOUNT}'}}}}], expect: allowed}}\n",
    )
    assert resources(f) == [VOL1]


def test_an_unquoted_account_id_is_read_as_written(tmp_path):
    f = load(
        tmp_path,
        f"  - {{name: s, principal: ir, actions: [ec2:CreateSnapshot], resources: [{{select: ec2:volume, where: {{account: {OTHER}}}}}], expect: allowed}}\n",
    )
    assert resources(f) == [VOL4]


def test_tag_conditions_take_globs_and_region_takes_a_list(tmp_path):
    f = load(
        tmp_path,
        "  - {name: s, principal: ir, actions: [ec2:CreateSnapshot], resources: [{select: ec2:volume, where: {'tag:env': 'prod*', region: [eu-west-3, us-east-1], account: '1*'}}], expect: allowed}\n",
    )
    assert resources(f) == [VOL1, VOL2]  # prod and production, not staging


def test_selectors_and_literal_arns_mix_and_an_arn_listed_twice_is_one_resource(tmp_path):
    f = load(
        tmp_path,
        f"  - {{name: s, principal: ir, actions: [kms:Decrypt], resources: ['{K1}', '{K3}', {{select: kms:key, encrypts: ec2:snapshot}}], expect: allowed}}\n",
    )
    assert resources(f) == [K1, K3]
    assert {c.resource: bool(c.covers) for c in f.cells} == {K1: True, K3: False}


def test_instances_snapshots_buckets_and_roles_are_kinds_too(tmp_path):
    f = load(
        tmp_path,
        "  - {name: s, principal: ir, actions: [ec2:CreateSnapshots], resources: [{select: ec2:instance}, {select: ec2:snapshot}, {select: iam:role}], expect: denied}\n",
    )
    assert resources(f) == [I1, SNAP1, IR]


def test_the_matrix_form_takes_selectors(tmp_path):
    f = load(
        tmp_path,
        "  - {name: s, matrix: {principals: [ir], actions: [kms:Decrypt], resources: [{select: kms:key, encrypts: ec2:volume, where: {account: '1*'}}], expect: {ir: [allowed]}}}\n",
    )
    assert resources(f) == [K1, K2]


def test_an_override_selects_selected_resources_by_arn_glob(tmp_path):
    f = load(
        tmp_path,
        "  - {name: s, principal: ir, actions: [kms:Decrypt], resources: [{select: kms:key, encrypts: ec2:volume}], expect: allowed, overrides: [{resource: 'arn:aws:kms:us-east-1:*', expect: denied}]}\n",
    )
    assert {c.resource: c.expected.value for c in f.cells} == {K1: "allowed", K2: "denied", K4: "allowed"}


# -- covers ---------------------------------------------------------------------------


def test_a_key_cell_covers_the_volumes_instances_and_snapshots_the_key_encrypts(tmp_path):
    f = load(
        tmp_path,
        "  - {name: s, principal: ir, actions: [kms:Decrypt], resources: [{select: kms:key, encrypts: ec2:volume}], expect: allowed}\n",
    )
    covers = {c.resource: sorted({x.arn for x in c.covers}) for c in f.cells}
    assert covers[K1] == sorted([VOL1, I1, SNAP1])
    assert covers[K2] == [VOL3]
    volume = next(x for x in f.cells[0].covers if x.arn == VOL1)
    assert (volume.instance_id, volume.instance_name, volume.key_arn) == ("i-1", "web", K1)


def test_a_volume_cell_covers_the_volume_and_its_instance(tmp_path):
    f = load(
        tmp_path,
        "  - {name: s, principal: ir, actions: [ec2:CreateSnapshot], resources: [{select: ec2:volume, where: {region: eu-west-3, account: '1*', encrypted: true}}], expect: allowed}\n",
    )
    assert sorted({x.arn for x in f.cells[0].covers}) == sorted([VOL1, I1])


def test_a_literal_arn_covers_nothing(tmp_path):
    f = load(
        tmp_path,
        f"  - {{name: s, principal: ir, actions: [kms:Decrypt], resources: ['{K1}'], expect: allowed}}\n",
    )
    assert f.cells[0].covers == ()


# -- ${resource.*} in context -----------------------------------------------------------


def test_context_follows_each_selected_resource(tmp_path):
    f = load(
        tmp_path,
        "  - {name: s, principal: ir, actions: [kms:Decrypt], resources: [{select: kms:key, encrypts: ec2:volume}], expect: allowed, "
        "context: {kms:ViaService: 'ec2.${resource.region}.amazonaws.com', kms:CallerAccount: '${resource.account}', aws:SourceArn: '${resource.arn}'}}\n",
    )
    by_resource = {c.resource: context(c) for c in f.cells}
    assert by_resource[K2] == {
        "kms:ViaService": ("ec2.us-east-1.amazonaws.com",),
        "kms:CallerAccount": (ACCOUNT,),
        "aws:SourceArn": (K2,),
    }
    assert by_resource[K4]["kms:CallerAccount"] == (OTHER,)


def test_context_following_the_resource_is_what_makes_every_key_pass_offline(tmp_path):
    f = load(
        tmp_path,
        f"  - {{name: s, principal: ir, actions: [kms:Decrypt, kms:CreateGrant], resources: [{{select: kms:key, encrypts: ec2:volume, where: {{account: '{ACCOUNT}'}}}}], enforced: true, expect: allowed, {THROUGH_EBS}}}\n",
    )
    results = OfflineBackend(f.account_model).evaluate(f.cells)
    assert {judge(c, r) for c, r in zip(f.cells, results, strict=True)} == {Outcome.PASSED}
    assert len(f.cells) == 4


def test_a_context_pinned_to_one_region_blocks_the_keys_of_the_others(tmp_path):
    f = load(
        tmp_path,
        f"  - {{name: s, principal: ir, actions: [kms:Decrypt], resources: [{{select: kms:key, encrypts: ec2:volume, where: {{account: '{ACCOUNT}'}}}}], enforced: true, expect: allowed, context: {{kms:ViaService: ec2.eu-west-3.amazonaws.com}}}}\n",
    )
    results = OfflineBackend(f.account_model).evaluate(f.cells)
    assert {c.resource: judge(c, r) for c, r in zip(f.cells, results, strict=True)} == {
        K1: Outcome.PASSED,
        K2: Outcome.FAILED,
    }


def test_defaults_context_may_name_the_resource_and_a_scenario_entry_replaces_it(tmp_path):
    head = HEAD.replace(
        "scenarios:\n",
        "defaults:\n  context: {kms:ViaService: 'ec2.${resource.region}.amazonaws.com'}\nscenarios:\n",
    )
    f = load(
        tmp_path,
        "  - {name: a, principal: ir, actions: [kms:Decrypt], resources: [{select: kms:key, encrypts: ec2:volume}], expect: allowed}\n"
        "  - {name: b, principal: ir, actions: [kms:Decrypt], resources: ['*'], expect: denied, context: {kms:ViaService: ec2.eu-west-3.amazonaws.com}}\n",
        head=head,
    )
    assert {c.resource: context(c)["kms:ViaService"] for c in f.cells if c.source.scenario == "a"}[K2] == (
        "ec2.us-east-1.amazonaws.com",
    )


def test_a_literal_arn_gives_its_own_region_and_account(tmp_path):
    f = load(
        tmp_path,
        f"  - {{name: s, principal: ir, actions: [kms:Decrypt], resources: ['{K2}'], expect: allowed, {THROUGH_EBS}}}\n",
    )
    assert context(f.cells[0])["kms:ViaService"] == ("ec2.us-east-1.amazonaws.com",)


def test_a_doubled_dollar_keeps_the_reference_as_text(tmp_path):
    f = load(
        tmp_path,
        "  - {name: s, principal: ir, actions: [kms:Decrypt], resources: [{select: kms:key, encrypts: ec2:volume}], expect: allowed, context: {aws:RequestTag/x: '$${resource.region}'}}\n",
    )
    assert context(f.cells[0])["aws:RequestTag/x"] == ("${resource.region}",)


def test_a_value_from_the_model_is_one_string_and_never_parsed_again(tmp_path):
    # A tag value full of YAML and JSON syntax reaches the context as the one string it is.
    f = load(
        tmp_path,
        "  - {name: s, principal: ir, actions: [kms:Decrypt], resources: [{select: kms:key, encrypts: ec2:volume}], expect: allowed, context: {kms:EncryptionContextKeys: ['${resource.arn}', b]}}\n",
    )
    assert context(f.cells[0])["kms:EncryptionContextKeys"] == (K1, "b")


# -- errors: file, line and field, never zero cells that pass ---------------------------


def test_a_selector_without_an_account_model_is_an_error_naming_file_line_and_field(tmp_path):
    head = HEAD.replace("account: model.yaml\n", "").replace(f'{{arn: "{IR}"}}', f'{{arn: "{IR}"}}')
    [err] = errors(
        tmp_path,
        "  - {name: s, principal: ir, actions: [kms:Decrypt], resources: [{select: kms:key, encrypts: ec2:volume}], expect: allowed}\n",
        head=head,
    )
    assert (err.file, err.line, err.field) == ("s.yaml", 5, "scenarios[0] (s).resources[0]")
    assert "account model" in err.message and "--iam-account" in err.suggestion


def test_a_selector_matching_nothing_is_an_error(tmp_path):
    [err] = errors(
        tmp_path,
        "  - {name: s, principal: ir, actions: [ec2:CreateSnapshot], resources: [{select: ec2:volume, where: {'tag:env': qa}}], expect: denied}\n",
    )
    assert err.field == "scenarios[0] (s).resources[0]"
    assert "selects no resource" in err.message and "tag:env: qa" in err.message


def test_a_selection_that_depends_on_a_capture_gap_is_a_load_error(tmp_path):
    # Which cells exist is what the gap hides: no list of cells, complete or partial, can be made.
    gapped = model().replace(
        "      us-east-1:\n        Volumes:\n",
        "      us-east-1:\n        Gaps: [{Section: Volumes, Operation: 'ec2:DescribeVolumes', Code: UnauthorizedOperation}]\n        Unused:\n",
    )
    gapped = gapped.replace(
        "        Unused:\n"
        + f'          - {{VolumeId: vol-3, Encrypted: true, KmsKeyId: "{K2}", Tags: [{{Key: env, Value: staging}}]}}\n',
        "",
    )
    [err] = errors(
        tmp_path,
        "  - {name: s, principal: ir, actions: [kms:Decrypt], resources: [{select: kms:key, encrypts: ec2:volume}], expect: allowed}\n",
        account_model=gapped,
    )
    assert err.field == "scenarios[0] (s).resources[0]"
    assert (
        "could not read" in err.message
        and "UnauthorizedOperation" in err.message
        and "us-east-1" in err.message
    )


def test_a_gap_outside_the_selected_region_does_not_matter(tmp_path):
    gapped = model().replace(
        f'      us-east-1:\n        Volumes:\n          - {{VolumeId: vol-3, Encrypted: true, KmsKeyId: "{K2}", Tags: [{{Key: env, Value: staging}}]}}\n',
        "      us-east-1:\n        Gaps: [{Section: Volumes, Operation: 'ec2:DescribeVolumes', Code: UnauthorizedOperation}]\n",
    )
    f = load(
        tmp_path,
        "  - {name: s, principal: ir, actions: [ec2:CreateSnapshot], resources: [{select: ec2:volume, where: {region: eu-west-3, encrypted: true}}], expect: allowed}\n",
        account_model=gapped,
    )
    assert resources(f) == [VOL1, VOL4]


@pytest.mark.parametrize(
    ("item", "field", "message"),
    [
        ("{select: kms:keys}", "resources[0].select", "unknown resource kind 'kms:keys'"),
        ("{select: ec2:volume, encrypts: ec2:volume}", "resources[0].encrypts", "encrypts"),
        ("{select: kms:key, encrypt: ec2:volume}", "resources[0].encrypt", "unknown key 'encrypt'"),
        (
            "{select: ec2:volume, where: {regoin: eu-west-3}}",
            "resources[0].where.regoin",
            "unknown condition 'regoin'",
        ),
        (
            "{select: ec2:volume, where: {encrypted: yes-please}}",
            "resources[0].where.encrypted",
            "not true or false",
        ),
        ("{select: iam:role, where: {region: eu-west-3}}", "resources[0].where.region", "no Region"),
        ("{encrypts: ec2:volume}", "resources[0].select", "names the kind"),
        ("not-an-arn", "resources[0]", "is not an ARN"),
    ],
)
def test_a_malformed_selector_names_its_field(tmp_path, item, field, message):
    [err] = errors(
        tmp_path,
        f"  - name: s\n    principal: ir\n    actions: [kms:Decrypt]\n    resources:\n      - {item}\n    expect: allowed\n",
    )
    assert err.field == f"scenarios[0] (s).{field}"
    assert message in err.message
    assert err.line == 10


def test_an_unknown_selector_key_gets_the_nearest_one_as_hint(tmp_path):
    [err] = errors(
        tmp_path,
        "  - {name: s, principal: ir, actions: [kms:Decrypt], resources: [{select: kms:key, encrypt: ec2:volume}], expect: allowed}\n",
    )
    assert err.suggestion == "did you mean `encrypts`?"


def test_an_unknown_resource_name_is_an_error_with_a_hint(tmp_path):
    [err] = errors(
        tmp_path,
        "  - name: s\n    principal: ir\n    actions: [kms:Decrypt]\n    resources: [{select: kms:key, encrypts: ec2:volume}]\n    expect: allowed\n    context:\n      kms:ViaService: ec2.${resource.regoin}.amazonaws.com\n",
    )
    assert (err.line, err.field) == (12, "scenarios[0] (s).context.kms:ViaService")
    assert err.suggestion == "did you mean ${resource.region}?"


def test_a_reference_the_resource_cannot_fill_is_an_error_not_an_empty_value(tmp_path):
    # A role has no Region; "*" is no resource at all.
    for resources_ in ("[{select: iam:role}]", "['*']"):
        [err] = errors(
            tmp_path,
            f"  - {{name: s, principal: ir, actions: [sts:AssumeRole], resources: {resources_}, expect: denied, {THROUGH_EBS}}}\n",
        )
        assert err.field == "scenarios[0] (s).context.kms:ViaService"
        assert "has no region" in err.message


def test_a_reference_in_a_value_of_another_type_is_an_error(tmp_path):
    [err] = errors(
        tmp_path,
        "  - {name: s, principal: ir, actions: [kms:CreateGrant], resources: [{select: kms:key, encrypts: ec2:volume}], expect: allowed, context: {kms:GrantIsForAWSResource: '${resource.region}'}}\n",
    )
    assert err.field == "scenarios[0] (s).context.kms:GrantIsForAWSResource"


def test_a_reference_in_a_literal_arn_is_an_error(tmp_path):
    [err] = errors(
        tmp_path,
        "  - {name: s, principal: ir, actions: [kms:Decrypt], resources: ['arn:aws:kms:${resource.region}:1:key/x'], expect: allowed}\n",
    )
    assert err.field == "scenarios[0] (s).resources[0]"
    assert "context values only" in err.message


# -- a pytest run ---------------------------------------------------------------------


ESTATE = f"""version: 1
account: model.yaml
principals:
  ir: {{arn: "{IR}"}}
scenarios:
  - name: keys of the estate
    principal: ir
    actions: [kms:Decrypt, kms:CreateGrant]
    resources:
      - select: kms:key
        encrypts: ec2:volume
        where: {{account: "{ACCOUNT}"}}
    context:
      kms:ViaService: ec2.${{resource.region}}.amazonaws.com
    enforced: true
    expect: allowed
"""


@pytest.fixture
def estate(pytester: pytest.Pytester) -> pytest.Pytester:
    (pytester.path / "model.yaml").write_text(model())
    (pytester.path / "estate.yaml").write_text(ESTATE)
    return pytester


def test_a_pytest_run_makes_one_passing_test_per_selected_cell_with_its_covers(estate):
    result = estate.runpytest("estate.yaml", "-p", "no:cacheprovider", "-v")
    result.assert_outcomes(passed=4)
    result.stdout.fnmatch_lines([f"*keys of the estate?ir|kms:Decrypt|{K2}?*PASSED*"])
    run = load_document(estate.path / "reports/run.json")
    assert sorted({c["resource"] for c in run["cells"]}) == [K1, K2]


def test_k_and_iam_cell_select_cells_of_selected_resources(estate):
    result = estate.runpytest("estate.yaml", "-p", "no:cacheprovider", "-k", "us-east-1 and Decrypt")
    result.assert_outcomes(passed=1)
    result = estate.runpytest(
        "estate.yaml", "-p", "no:cacheprovider", "--iam-cell", "resource=arn:aws:kms:eu-west-3:*"
    )
    result.assert_outcomes(passed=2)


def test_grouped_items_hold_the_selected_cells(estate):
    result = estate.runpytest("estate.yaml", "-p", "no:cacheprovider", "--iam-items", "scenario")
    result.assert_outcomes(passed=1)
    assert len(load_document(estate.path / "reports/run.json")["cells"]) == 4


def test_a_selector_matching_nothing_fails_the_run_with_the_location_not_zero_tests(estate):
    (estate.path / "estate.yaml").write_text(
        ESTATE.replace(f'account: "{ACCOUNT}"', 'account: "999999999999"')
    )
    result = estate.runpytest("estate.yaml", "-p", "no:cacheprovider")
    assert result.ret != 0
    result.stdout.fnmatch_lines(
        [
            "*estate.yaml:10: scenarios[[]0[]] (keys of the estate).resources[[]0[]]: select: kms:key*selects no resource*"
        ]
    )
