# ruff: noqa: E501  (scenario YAML written inline reads best on one line)
"""`principals: external`: every principal a resource's policy or grants name outside the model."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.backends.offline import OfflineBackend
from harness.cells import Outcome, judge
from harness.scenarios import ScenarioFileErrors, ScenarioLoader
from harness.scenarios.external import OTHER_SIDE_TAG

KEY = "arn:aws:kms:eu-west-3:111122223333:key/k1"
PARTNER_ROOT = "arn:aws:iam::444455556666:root"
CONSUMER = "arn:aws:iam::777788889999:role/consumer"

MODEL = """
accounts:
  - AccountId: "111122223333"
    RoleDetailList:
      - {RoleName: ir, Arn: "arn:aws:iam::111122223333:role/ir", RolePolicyList: []}
    ResourcePolicies:
      - Arn: arn:aws:kms:eu-west-3:111122223333:key/k1
        Policy:
          Statement:
            - {Sid: IR, Effect: Allow, Principal: {AWS: "arn:aws:iam::111122223333:role/ir"}, Action: "kms:*", Resource: "*"}
            - {Sid: Partner, Effect: Allow, Principal: {AWS: "444455556666"}, Action: "kms:Decrypt", Resource: "*"}
            - {Sid: Sns, Effect: Allow, Principal: {Service: sns.amazonaws.com}, Action: "kms:Decrypt", Resource: "*", Condition: {StringEquals: {"aws:SourceAccount": "111122223333"}}}
        Grants:
          - {GrantId: g-consumer, GranteePrincipal: "arn:aws:iam::777788889999:role/consumer", Operations: [Decrypt], Constraints: {EncryptionContextEquals: {Project: evidence}}}
"""

HEAD = """
version: 1
account: model.yaml
scenarios:
"""


def load(tmp_path: Path, scenarios: str, model: str | None = MODEL):
    if model is not None:
        (tmp_path / "model.yaml").write_text(model)
    path = tmp_path / "s.yaml"
    path.write_text(HEAD + scenarios)
    return ScenarioLoader().load(path, "s.yaml")


def outcomes(f) -> dict[str, str]:
    backend = OfflineBackend(f.account_model)
    results = backend.evaluate(f.cells)
    return {c.principal_label: judge(c, r) for c, r in zip(f.cells, results, strict=True)}


def test_external_names_each_principal_of_the_policy_and_grants_outside_the_model(tmp_path):
    f = load(
        tmp_path,
        f"  - {{name: s, principals: external, actions: [kms:Decrypt], resources: ['{KEY}'], expect: denied}}\n",
    )
    assert [c.principal_label for c in f.cells] == ["444455556666", "sns.amazonaws.com", CONSUMER]


def test_cells_for_another_account_say_the_other_side_is_unknown(tmp_path):
    f = load(
        tmp_path,
        f"  - {{name: s, principals: external, actions: [kms:Decrypt], resources: ['{KEY}'], expect: denied}}\n",
    )
    unknown = {c.principal_label for c in f.cells if c.other_side == "unknown"}
    assert unknown == {"444455556666", CONSUMER}
    assert unknown == {c.principal_label for c in f.cells if OTHER_SIDE_TAG in c.tags}  # -m selects them


def test_the_run_result_records_the_unknown_other_side(tmp_path):
    from harness.cells import CellResult
    from harness.run.schema import CellRecord

    f = load(
        tmp_path,
        f"  - {{name: s, principals: external, actions: [kms:Decrypt], resources: ['{KEY}'], expect: denied}}\n",
    )
    cell = next(c for c in f.cells if c.principal_label == CONSUMER)
    record = CellRecord.from_cell(cell, CellResult(cell_id=cell.id, backend="offline", decision="implicitDeny"))
    assert record.other_side == "unknown"


def test_only_these_principals_can_decrypt_the_key_from_anywhere(tmp_path):
    scenario = f"""  - name: only the partner and SNS from our account decrypt the evidence key
    principals: external
    actions: [kms:Decrypt]
    resources: ['{KEY}']
    context: {{"aws:SourceAccount": "111122223333"}}
    expect: denied
    overrides:
      - {{principal: "{PARTNER_ROOT}", expect: allowed}}
      - {{principal: sns.amazonaws.com, expect: allowed}}
"""
    f = load(tmp_path, scenario)
    got = outcomes(f)
    # The consumer's grant needs its encryption context: refused without it, as expected.
    assert got == {
        "444455556666": Outcome.PASSED,
        "sns.amazonaws.com": Outcome.PASSED,
        CONSUMER: Outcome.PASSED,
    }


def test_a_new_cross_account_grant_fails_the_scenario(tmp_path):
    scenario = f"""  - name: nobody else decrypts
    principals: external
    actions: [kms:Decrypt]
    resources: ['{KEY}']
    context: {{"aws:SourceAccount": "111122223333", "kms:EncryptionContext:Project": evidence}}
    expect: denied
    overrides:
      - {{principal: "444455556666", expect: allowed}}
      - {{principal: sns.amazonaws.com, expect: allowed}}
"""
    got = outcomes(load(tmp_path, scenario))
    assert got[CONSUMER] == Outcome.FAILED  # the grant allows it with that context


def test_external_without_an_account_model_is_a_located_error(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text(
        f"version: 1\nscenarios:\n  - {{name: s, principals: external, actions: [kms:Decrypt], resources: ['{KEY}'], expect: denied}}\n"
    )
    with pytest.raises(ScenarioFileErrors) as info:
        ScenarioLoader().load(path, "s.yaml")
    (err,) = info.value.errors
    assert err.line == 3 and "external" in err.message


UNREAD_MODEL = """
accounts:
  - AccountId: "111122223333"
    RoleDetailList:
      - {RoleName: ir, Arn: "arn:aws:iam::111122223333:role/ir", RolePolicyList: []}
    ResourcePolicies:
      - {Arn: "arn:aws:kms:eu-west-3:111122223333:key/k1", Gap: "kms:ListGrants was refused (AccessDeniedException)"}
"""


def test_external_on_a_resource_whose_policy_was_not_read_is_a_located_error_never_zero_cells(tmp_path):
    with pytest.raises(ScenarioFileErrors) as info:
        load(
            tmp_path,
            f"  - {{name: s, principals: external, actions: [kms:Decrypt], resources: ['{KEY}'], expect: denied}}\n",
            UNREAD_MODEL,
        )
    (err,) = info.value.errors
    assert err.line == 5 and "kms:ListGrants" in err.message and err.field == "s.resources"


def test_external_on_every_resource_is_a_located_error_never_zero_cells(tmp_path):
    with pytest.raises(ScenarioFileErrors) as info:
        load(tmp_path, "  - {name: s, principals: external, actions: [kms:Decrypt], expect: denied}\n")
    (err,) = info.value.errors
    assert err.line == 5 and '"*"' in err.message
