"""Questions that depend on a capture gap raise CaptureGap, never answer as if nothing were there."""

from __future__ import annotations

import pytest

from harness.account import load_account_model
from harness.engine.errors import SimulationError

MODEL = """
accounts:
  - AccountId: "111122223333"
    OutsideOrganization: true
    RoleDetailList: [{RoleName: app, Arn: "arn:aws:iam::111122223333:role/app"}]
  - AccountId: "444455556666"
    Gaps: [{Section: organizations, Operation: organizations:ListParents, Code: AccessDeniedException}]
    ResourcePolicies:
      - {Arn: "arn:aws:kms:eu-west-3:444455556666:key/k", Policy: '{"Statement": []}'}
"""


@pytest.fixture
def model(tmp_path):
    path = tmp_path / "m.yaml"
    path.write_text(MODEL)
    return load_account_model(path)


def test_a_resource_in_an_account_whose_rcps_could_not_be_read_is_a_gap(model):
    with pytest.raises(SimulationError) as raised:
        model.simulation_input_for(
            "arn:aws:iam::111122223333:role/app",
            ["kms:Decrypt"],
            ["arn:aws:kms:eu-west-3:444455556666:key/k"],
            context=(),
        )
    assert raised.value.code == "CaptureGap" and "RCPs of account 444455556666" in raised.value.message


def test_a_resource_in_an_account_outside_any_organization_is_not(model):
    inp = model.simulation_input_for("arn:aws:iam::111122223333:role/app", ["kms:Decrypt"], ["*"], context=())
    assert inp.scp_levels == () and inp.rcp_levels == ()
