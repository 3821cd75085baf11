# ruff: noqa: E501  (scenario YAML written inline reads best on one line)
"""`principals: all` and globs in a scenario: every user and role of the account model."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.backends.offline import OfflineBackend
from harness.cells import Expectation, Outcome, judge
from harness.scenarios import ScenarioFileErrors, ScenarioLoader

ROOT = Path(__file__).resolve().parents[2]
KEY = "arn:aws:kms:eu-west-3:111122223333:key/k1"

MODEL = """
accounts:
  - AccountId: "111122223333"
    UserDetailList:
      - {UserName: ci-build, Arn: "arn:aws:iam::111122223333:user/ci-build", GroupList: [ci]}
      - {UserName: alice, Arn: "arn:aws:iam::111122223333:user/alice"}
    GroupDetailList:
      - {GroupName: ci, GroupPolicyList: []}
    RoleDetailList:
      - RoleName: ir
        Arn: arn:aws:iam::111122223333:role/ir
        RolePolicyList: [{PolicyName: kms, PolicyDocument: {Statement: [{Effect: Allow, Action: "kms:*", Resource: "*"}]}}]
      - {RoleName: app, Arn: "arn:aws:iam::111122223333:role/app", RolePolicyList: []}
    ResourcePolicies:
      - Arn: arn:aws:kms:eu-west-3:111122223333:key/k1
        Policy: {Statement: [{Sid: IR, Effect: Allow, Principal: {AWS: "arn:aws:iam::111122223333:role/ir"}, Action: "kms:*", Resource: "*"}]}
"""

HEAD = """
version: 1
account: model.yaml
policies:
  p: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: "kms:*", Resource: "*"}]}
principals:
  doc: {policies: [p]}
  ir-by-arn: {arn: "arn:aws:iam::111122223333:role/ir"}
scenarios:
"""


def load(tmp_path: Path, scenarios: str, head: str = HEAD, model: str | None = MODEL):
    if model is not None:
        (tmp_path / "model.yaml").write_text(model)
    path = tmp_path / "s.yaml"
    path.write_text(head + scenarios)
    return ScenarioLoader().load(path, "s.yaml")


def errors(tmp_path: Path, scenarios: str, **kwargs) -> list:
    with pytest.raises(ScenarioFileErrors) as info:
        load(tmp_path, scenarios, **kwargs)
    return info.value.errors


def labels(f) -> list[str]:
    return list(dict.fromkeys(c.principal_label for c in f.cells))


def test_all_expands_to_every_user_and_role_labelled_by_arn(tmp_path):
    f = load(
        tmp_path,
        f"  - {{name: s, principals: all, actions: [kms:Decrypt, kms:Encrypt], resources: ['{KEY}'], expect: denied}}\n",
    )
    assert labels(f) == [
        "arn:aws:iam::111122223333:user/ci-build",
        "arn:aws:iam::111122223333:user/alice",
        "arn:aws:iam::111122223333:role/ir",
        "arn:aws:iam::111122223333:role/app",
    ]
    assert len(f.cells) == 4 * 2
    assert all(c.subject.principal_arn == c.principal_label for c in f.cells)


def test_groups_are_not_among_the_selected_principals(tmp_path):
    f = load(tmp_path, "  - {name: s, principals: all, actions: [kms:Decrypt], expect: denied}\n")
    assert not any(":group/" in label for label in labels(f))


def test_a_glob_selects_a_subset(tmp_path):
    f = load(tmp_path, "  - {name: s, principals: ['user/ci-*'], actions: [kms:Decrypt], expect: denied}\n")
    assert labels(f) == ["arn:aws:iam::111122223333:user/ci-build"]


def test_selectors_mix_with_named_principals(tmp_path):
    f = load(tmp_path, "  - {name: s, principals: [doc, 'role/*'], actions: [kms:Decrypt], expect: denied}\n")
    assert labels(f) == ["doc", "arn:aws:iam::111122223333:role/ir", "arn:aws:iam::111122223333:role/app"]


def test_the_singular_principal_key_takes_a_selector_too(tmp_path):
    f = load(tmp_path, "  - {name: s, principal: 'role/ir', actions: [kms:Decrypt], expect: allowed}\n")
    assert labels(f) == ["arn:aws:iam::111122223333:role/ir"]


def test_the_resource_policy_comes_from_the_model_for_selected_principals(tmp_path):
    f = load(
        tmp_path,
        f"  - {{name: s, principals: all, actions: [kms:Decrypt], resources: ['{KEY}'], expect: denied}}\n",
    )
    assert all(c.resource_policy is not None and "IR" in c.resource_policy.text for c in f.cells)


@pytest.mark.parametrize(
    "selector",
    ["role/ir", "ir", "arn:aws:iam::111122223333:role/ir", "role/i?", "arn:aws:iam::*:role/ir", "ROLE/IR"],
)
def test_an_override_selects_principals_by_name_arn_or_glob(tmp_path, selector):
    f = load(
        tmp_path,
        f"  - {{name: s, principals: all, actions: [kms:Decrypt], resources: ['{KEY}'], expect: denied, overrides: [{{principal: '{selector}', expect: allowed}}]}}\n",
    )
    expected = {c.principal_label: c.expected for c in f.cells}
    assert expected.pop("arn:aws:iam::111122223333:role/ir") is Expectation.ALLOWED
    assert set(expected.values()) == {Expectation.DENIED}


def test_an_override_glob_may_select_several_principals(tmp_path):
    f = load(
        tmp_path,
        "  - {name: s, principals: all, actions: [kms:Decrypt], expect: denied, overrides: [{principal: 'user/*', expect: allowed}]}\n",
    )
    allowed = [c.principal_label for c in f.cells if c.expected is Expectation.ALLOWED]
    assert allowed == ["arn:aws:iam::111122223333:user/ci-build", "arn:aws:iam::111122223333:user/alice"]


def test_an_override_glob_also_matches_the_files_principal_names(tmp_path):
    f = load(
        tmp_path,
        "  - {name: s, principals: [doc, ir-by-arn], actions: [kms:Decrypt], expect: denied, overrides: [{principal: 'do*', expect: allowed}]}\n",
    )
    assert {c.principal_label: c.expected for c in f.cells} == {
        "doc": Expectation.ALLOWED,
        "ir-by-arn": Expectation.DENIED,
    }


def test_an_override_by_kind_and_name_matches_a_named_principal_mode_principal(tmp_path):
    f = load(
        tmp_path,
        "  - {name: s, principals: [doc, ir-by-arn], actions: [kms:Decrypt], expect: denied, overrides: [{principal: 'role/ir', expect: allowed}]}\n",
    )
    assert {c.principal_label: c.expected for c in f.cells}["ir-by-arn"] is Expectation.ALLOWED


def test_later_overrides_win_over_a_selecting_one(tmp_path):
    f = load(
        tmp_path,
        "  - {name: s, principals: all, actions: [kms:Decrypt], expect: denied, overrides: [{principal: 'role/*', expect: allowed}, {principal: app, expect: denied}]}\n",
    )
    allowed = [c.principal_label for c in f.cells if c.expected is Expectation.ALLOWED]
    assert allowed == ["arn:aws:iam::111122223333:role/ir"]


def test_an_override_naming_a_model_principal_the_scenario_lacks_is_an_error_with_line_and_field(tmp_path):
    [err] = errors(
        tmp_path,
        "  - {name: s, principal: ir-by-arn, actions: [kms:Decrypt], expect: denied, overrides: [{principal: 'role/app', expect: allowed}]}\n",
    )
    assert (err.file, err.line, err.field) == ("s.yaml", 10, "scenarios[0] (s).overrides[0].principal")
    assert "'role/app' is not a principal of this scenario" in err.message


def test_an_override_naming_no_principal_of_the_model_is_a_warning_and_not_applied(tmp_path):
    f = load(
        tmp_path,
        "  - {name: s, principals: all, actions: [kms:Decrypt], expect: denied, overrides: [{principal: KeyAdministrator, expect: allowed}]}\n",
    )
    assert {c.expected for c in f.cells} == {Expectation.DENIED}
    [warning] = f.warnings
    assert warning.line == 10
    assert "'KeyAdministrator' names no principal of the account model" in warning.message
    assert "not applied" in warning.message


def test_all_without_an_account_model_is_an_error_not_zero_cells(tmp_path):
    head = HEAD.replace("account: model.yaml\n", "").replace(
        '  ir-by-arn: {arn: "arn:aws:iam::111122223333:role/ir"}\n', ""
    )
    [err] = errors(
        tmp_path,
        "  - {name: s, principals: all, actions: [kms:Decrypt], expect: denied}\n",
        head=head,
        model=None,
    )
    assert (err.file, err.line, err.field) == ("s.yaml", 8, "scenarios[0] (s).principals")
    assert "selects principals from the account model, and this file has none" in err.message
    assert "--iam-account" in err.suggestion


def test_all_with_a_broken_account_model_says_it_could_not_be_loaded(tmp_path):
    errs = errors(
        tmp_path,
        "  - {name: s, principals: all, actions: [kms:Decrypt], expect: denied}\n",
        model="accounts: 3\n",
    )
    assert any("it could not be loaded" in e.message for e in errs)


def test_a_selector_matching_no_identity_is_an_error(tmp_path):
    [err] = errors(
        tmp_path, "  - {name: s, principals: ['user/deploy-*'], actions: [kms:Decrypt], expect: denied}\n"
    )
    assert err.field == "scenarios[0] (s).principals"
    assert "matches no user or role of the account model" in err.message


def test_all_over_a_model_with_no_identities_is_an_error(tmp_path):
    [err] = errors(
        tmp_path,
        "  - {name: s, principals: all, actions: [kms:Decrypt], expect: denied}\n",
        model='accounts:\n  - AccountId: "111122223333"\n',
    )
    assert "has no users or roles" in err.message


def test_a_group_selector_is_an_error_saying_why(tmp_path):
    [err] = errors(
        tmp_path, "  - {name: s, principals: ['group/ci'], actions: [kms:Decrypt], expect: denied}\n"
    )
    assert "a group is not a principal" in err.message


def test_the_matrix_form_refuses_selectors(tmp_path):
    errs = errors(
        tmp_path,
        "  - {name: s, matrix: {principals: all, actions: [kms:Decrypt], expect: {all: denied}}}\n",
    )
    assert any("a matrix needs one row per principal" in e.message for e in errs)


def test_enforced_expect_denied_judges_what_kms_enforces_for_every_selected_principal(tmp_path):
    f = load(
        tmp_path,
        f"  - {{name: s, principals: all, actions: [kms:Decrypt], resources: ['{KEY}'], enforced: true, expect: denied, overrides: [{{principal: role/ir, expect: allowed}}]}}\n",
    )
    results = OfflineBackend(f.account_model).evaluate(f.cells)
    assert [judge(c, r) for c, r in zip(f.cells, results, strict=True)] == [Outcome.PASSED] * 4
    assert all(c.check_enforced for c in f.cells)


def test_the_kms_pack_evidence_assertion_passes_offline():
    f = ScenarioLoader().load(ROOT / "scenarios/kms/09-only-ir-decrypts.yaml")
    results = OfflineBackend(f.account_model).evaluate(f.cells)
    outcomes = {
        (c.principal_label.rsplit("/", 1)[-1], c.action): judge(c, r)
        for c, r in zip(f.cells, results, strict=True)
    }
    assert set(outcomes.values()) == {Outcome.PASSED}
    assert ("myCadoCrossAccountRole", "kms:Decrypt") in outcomes  # the other account's role is checked too
