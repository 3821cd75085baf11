# ruff: noqa: E501  (account-model YAML written inline reads best on one line)
"""`harness who-can ACTION [RESOURCE ...] --account MODEL`: who may do it, and why."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from newcomer_account import DEPLOYER, NAMED_KEY, NAMED_KEY_ID, OTHER_KEY
from newcomer_account import IR_ROLE as NEWCOMER_IR

from harness.account import Account, AccountModel, Identity, ResourceEntry
from harness.account.selection import SelectionError
from harness.cli.main import main
from harness.engine.types import PolicyKind, PolicySource
from harness.who_can import WhoCanQuestion, who_can

ROOT = Path(__file__).resolve().parents[2]
PACK_MODEL = str(ROOT / "scenarios/kms/accounts/example.yaml")
EVIDENCE_KEY = "arn:aws:kms:eu-west-3:012345678910:key/c0570000-0000-4000-8000-000000000002"
IR_ROLE = "arn:aws:iam::012345678910:role/myCadoResponseRole"
ADMIN_ROLE = "arn:aws:iam::012345678910:role/KeyAdministrator"
CROSS_ROLE = "arn:aws:iam::210987654321:role/myCadoCrossAccountRole"


def run_json(capsys, *argv: str) -> tuple[int, dict]:
    code = main(["who-can", *argv, "--json"])
    return code, json.loads(capsys.readouterr().out)


def test_lists_only_the_identities_allowed_with_both_decisions_and_statements(capsys):
    code, out = run_json(capsys, "kms:Decrypt", EVIDENCE_KEY, "--account", PACK_MODEL)
    assert code == 0
    assert out["identities"] == 3
    assert out["allowed_identities"] == [IR_ROLE]
    [answer] = out["answers"]
    assert (answer["decision"], answer["enforced_decision"]) == ("allowed", "allowed")
    sids = {(s["policy"], s["sid"]) for s in answer["deciding_statements"]}
    assert ("ResourcePolicy", "Allow required KMS permissions") in sids
    assert all(s["start_line"] > 0 for s in answer["deciding_statements"])


def test_the_key_policy_of_a_kms_key_comes_from_the_model(capsys):
    # KeyAdministrator has no IAM policy at all: only the model's key policy can allow it.
    code, out = run_json(capsys, "kms:CreateGrant", EVIDENCE_KEY, "--account", PACK_MODEL)
    assert code == 0
    assert ADMIN_ROLE in out["allowed_identities"]
    [admin] = [a for a in out["answers"] if a["principal"] == ADMIN_ROLE]
    assert [s["sid"] for s in admin["deciding_statements"]] == ["Allow key administration"]


def test_an_alias_arn_is_answered_with_the_key_policy_of_the_key_it_names(capsys):
    alias = "arn:aws:kms:eu-west-3:012345678910:alias/forensics-ebs"
    code, out = run_json(capsys, "kms:Decrypt", alias, "--account", PACK_MODEL)
    assert code == 0
    assert out["allowed_identities"] == [IR_ROLE]
    assert "Allow required KMS permissions" in {s["sid"] for s in out["answers"][0]["deciding_statements"]}


def test_context_values_are_typed_from_the_catalog_and_change_the_answer(capsys):
    _, without = run_json(capsys, "kms:CreateGrant", EVIDENCE_KEY, "--account", PACK_MODEL)
    _, with_ctx = run_json(
        capsys,
        "kms:CreateGrant",
        EVIDENCE_KEY,
        "--account",
        PACK_MODEL,
        "--context",
        "kms:GrantIsForAWSResource=true",
    )

    def enforced(out: dict) -> str:
        return next(a["enforced_decision"] for a in out["answers"] if a["principal"] == IR_ROLE)

    # Listed both times: the simulator counts the role's IAM policy; KMS needs the key policy's condition.
    assert (enforced(without), enforced(with_ctx)) == ("implicitDeny", "allowed")
    assert with_ctx["context"] == [
        {"key": "kms:GrantIsForAWSResource", "type": "boolean", "values": ["true"]}
    ]


def test_all_lists_the_refused_identities_too(capsys):
    _, out = run_json(capsys, "kms:Decrypt", EVIDENCE_KEY, "--account", PACK_MODEL, "--all")
    assert {a["principal"]: a["allowed"] for a in out["answers"]} == {
        IR_ROLE: True,
        ADMIN_ROLE: False,
        CROSS_ROLE: False,
    }


def test_principals_restricts_who_is_asked(capsys):
    _, out = run_json(
        capsys, "kms:Decrypt", EVIDENCE_KEY, "--account", PACK_MODEL, "--all", "--principals", "role/Key*"
    )
    assert [a["principal"] for a in out["answers"]] == [ADMIN_ROLE]


def test_a_wildcard_action_asks_each_action_it_expands_to(capsys):
    _, out = run_json(capsys, "kms:ReEncrypt*", EVIDENCE_KEY, "--account", PACK_MODEL)
    assert out["actions"] == ["kms:ReEncryptFrom", "kms:ReEncryptTo"]


def test_the_table_names_principal_decisions_and_deciding_statements(capsys):
    assert main(["who-can", "kms:Decrypt", EVIDENCE_KEY, "--account", PACK_MODEL]) == 0
    out = capsys.readouterr().out
    assert "role/myCadoResponseRole (012345678910)" in out
    assert "'Allow required KMS permissions' lines" in out
    assert "1 of 3 identities allowed; 0 could not be evaluated" in out


def test_an_unknown_action_exits_2_with_a_suggestion(capsys):
    assert main(["who-can", "kms:Decrpyt", "--account", PACK_MODEL]) == 2
    err = capsys.readouterr().err
    assert "kms:Decrpyt is not a KMS action" in err
    assert "did you mean kms:Decrypt" in err


def test_a_resource_that_is_not_an_arn_exits_2(capsys):
    assert main(["who-can", "kms:Decrypt", "my-key", "--account", PACK_MODEL]) == 2
    assert "'my-key' is not a resource ARN" in capsys.readouterr().err


def test_a_bad_context_value_exits_2(capsys):
    assert (
        main(
            [
                "who-can",
                "kms:CreateGrant",
                "--account",
                PACK_MODEL,
                "--context",
                "kms:GrantIsForAWSResource=maybe",
            ]
        )
        == 2
    )
    assert "must be true or false" in capsys.readouterr().err


def test_a_context_option_without_a_key_exits_2(capsys):
    assert main(["who-can", "kms:CreateGrant", "--account", PACK_MODEL, "--context", "novalue"]) == 2
    assert "expected KEY=VALUE" in capsys.readouterr().err


def test_a_broken_model_exits_2_naming_file_and_line(capsys, tmp_path):
    model = tmp_path / "m.yaml"
    model.write_text('accounts:\n  - AccountId: "111122223333"\n    RoleDetailLst: []\n')
    assert main(["who-can", "kms:Decrypt", "--account", str(model)]) == 2
    err = capsys.readouterr().err
    assert f"{model}:3" in err
    assert "RoleDetailList" in err


def test_a_missing_model_exits_2(capsys, tmp_path):
    assert main(["who-can", "kms:Decrypt", "--account", str(tmp_path / "none.yaml")]) == 2
    assert "no such file" in capsys.readouterr().err


def test_a_selector_matching_nobody_exits_2(capsys):
    assert main(["who-can", "kms:Decrypt", "--account", PACK_MODEL, "--principals", "user/*"]) == 2
    assert "matches no user or role" in capsys.readouterr().err


def test_a_model_without_identities_exits_2(capsys, tmp_path):
    model = tmp_path / "m.yaml"
    model.write_text('accounts:\n  - AccountId: "111122223333"\n')
    assert main(["who-can", "kms:Decrypt", "--account", str(model)]) == 2
    assert "has no users or roles" in capsys.readouterr().err


def test_missing_account_option_is_a_usage_error():
    with pytest.raises(SystemExit) as info:
        main(["who-can", "kms:Decrypt"])
    assert info.value.code == 2


# -- the library: answers that could not be evaluated are errors, never "cannot" ------------------

A = "111122223333"
KEY = f"arn:aws:kms:eu-west-3:{A}:key/k1"


def _model(**resources: ResourceEntry) -> AccountModel:
    account = Account(account_id=A, organization_path=())
    account.roles["ok"] = Identity(kind="role", name="ok", arn=f"arn:aws:iam::{A}:role/ok")
    account.roles["broken"] = Identity(
        kind="role",
        name="broken",
        arn=f"arn:aws:iam::{A}:role/broken",
        attached=[f"arn:aws:iam::{A}:policy/Gone"],
    )
    account.resources.update({e.arn: e for e in resources.values()})
    return AccountModel(path="m.yaml", accounts={A: account})


def test_an_identity_that_cannot_be_evaluated_is_an_error_answer_not_a_refusal():
    report = who_can(_model(), WhoCanQuestion(actions=("kms:Decrypt",)))
    [error] = report.errors
    assert error.principal_arn.endswith("role/broken")
    assert "policy/Gone" in (error.error or "")
    assert not error.allowed


def test_a_capture_gap_on_the_resource_makes_every_answer_on_it_an_error():
    gap = ResourceEntry(arn=KEY, policy=None, gap="kms:GetKeyPolicy AccessDeniedException")
    report = who_can(
        _model(k=gap), WhoCanQuestion(actions=("kms:Decrypt",), resources=(KEY,), selectors=("role/ok",))
    )
    [answer] = report.answers
    assert answer.decision == "error"
    assert "AccessDeniedException" in (answer.error or "")


def test_the_resource_policy_decides_for_an_identity_without_iam_policies():
    policy = PolicySource(
        text='{"Version": "2012-10-17", "Statement": [{"Sid": "K", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/ok"}, "Action": "kms:Decrypt", "Resource": "*"}]}',
        source_id="ResourcePolicy",
        source_type="Resource Policy",
        kind=PolicyKind.RESOURCE,
    )
    report = who_can(
        _model(k=ResourceEntry(arn=KEY, policy=policy)),
        WhoCanQuestion(actions=("kms:Decrypt",), resources=(KEY,), selectors=("role/ok",)),
    )
    [answer] = report.allowed
    assert [s.sid for s in answer.deciding_statements] == ["K"]


def test_a_bad_selector_raises_selection_error():
    with pytest.raises(SelectionError):
        who_can(_model(), WhoCanQuestion(actions=("kms:Decrypt",), selectors=("group/x",)))


def test_a_cli_run_with_an_answer_that_could_not_be_evaluated_exits_2_and_names_it(capsys, monkeypatch):
    monkeypatch.setattr(AccountModel, "resource_gap", lambda self, arn: "GetKeyPolicy: AccessDeniedException")
    assert main(["who-can", "kms:Decrypt", EVIDENCE_KEY, "--account", PACK_MODEL, "--json"]) == 2
    captured = capsys.readouterr()
    assert {a["decision"] for a in json.loads(captured.out)["answers"]} == {"error"}
    assert "role/myCadoResponseRole (012345678910) kms:Decrypt" in captured.err
    assert "AccessDeniedException" in captured.err


# -- the newcomer's account: allowed means what the service enforces -----------------------------


def test_a_key_whose_policy_allows_nobody_asked_lists_both_roles_as_simulator_only(capsys, newcomer):
    code, out = run_json(capsys, "kms:Decrypt", OTHER_KEY, "--account", str(newcomer.model))
    assert out["allowed_identities"] == []
    assert out["simulator_only"] == [DEPLOYER, NEWCOMER_IR]
    for answer in out["answers"]:
        assert (answer["allowed"], answer["simulator_only"]) == (False, True)
        assert (answer["decision"], answer["enforced_decision"]) == ("allowed", "implicitDeny")
        assert "the key policy does not allow the account" in answer["advisory"]
    # Exit 0, not 1: the key policy names a partner account, listed outside the model (issue 26).
    assert code == 0 and [e["principal"] for e in out["external"]] == ["arn:aws:iam::444455556666:root"]


def test_a_key_whose_policy_names_the_role_allows_it_and_not_the_other(capsys, newcomer):
    code, out = run_json(capsys, "kms:Decrypt", NAMED_KEY, "--account", str(newcomer.model))
    assert code == 0
    assert out["allowed_identities"] == [NEWCOMER_IR]
    assert out["simulator_only"] == [DEPLOYER]
    verdicts = {a["principal"]: (a["allowed"], a["simulator_only"]) for a in out["answers"]}
    assert verdicts == {NEWCOMER_IR: (True, False), DEPLOYER: (False, True)}


def test_the_headline_counts_only_the_enforced_and_the_table_shows_the_simulator_only_with_advisory(
    capsys, newcomer
):
    # Exit 0: the partner account the key policy names is listed outside the model (issue 26).
    assert main(["who-can", "kms:Decrypt", OTHER_KEY, "--account", str(newcomer.model)]) == 0
    out = capsys.readouterr().out
    assert "0 of 2 identities allowed; 2 allowed by the simulator only" in out
    rows = [line for line in out.splitlines() if line.startswith("role/")]
    assert len(rows) == 2
    assert all("simulator only" in row and "the key policy does not allow" in row for row in rows)


def test_an_identity_allowed_for_one_resource_is_allowed_not_simulator_only(capsys, newcomer):
    _, out = run_json(capsys, "kms:Decrypt", NAMED_KEY, OTHER_KEY, "--account", str(newcomer.model))
    assert out["allowed_identities"] == [NEWCOMER_IR]
    assert out["simulator_only"] == [DEPLOYER]  # the two lists never share an identity
    ir_other = next(a for a in out["answers"] if a["principal"] == NEWCOMER_IR and a["resource"] == OTHER_KEY)
    assert ir_other["simulator_only"] is True


def test_the_library_counts_a_simulator_only_answer_as_not_allowed(newcomer):
    from harness.account import load_account_model

    report = who_can(
        load_account_model(newcomer.model),
        WhoCanQuestion(
            actions=("kms:Decrypt",), resources=(OTHER_KEY,), selectors=("role/IncidentResponse",)
        ),
    )
    [answer] = report.answers
    assert (answer.allowed, answer.simulator_only) == (False, True)
    assert report.allowed == [] and report.simulator_only_identities == [NEWCOMER_IR]


def test_help_documents_the_exit_codes(capsys):
    with pytest.raises(SystemExit):
        main(["who-can", "--help"])
    out = capsys.readouterr().out
    assert "exit codes:" in out
    assert "1  answered: no identity is allowed" in out


# -- a bare key id is resolved from the model --------------------------------------------------


def test_a_bare_key_id_is_resolved_to_its_key_arn_in_the_model(capsys, newcomer):
    code, out = run_json(capsys, "kms:Decrypt", NAMED_KEY_ID, "--account", str(newcomer.model))
    assert code == 0
    assert out["resources"] == [NAMED_KEY]
    assert out["allowed_identities"] == [NEWCOMER_IR]


def test_a_key_id_in_two_regions_exits_2_listing_the_candidates(capsys, newcomer):
    replica = NAMED_KEY.replace("eu-west-3", "us-east-1")
    text = newcomer.model.read_text()
    newcomer.model.write_text(text + f"      - {{Arn: '{replica}', Policy: {{Statement: []}}}}\n")
    assert main(["who-can", "kms:Decrypt", NAMED_KEY_ID, "--account", str(newcomer.model)]) == 2
    err = capsys.readouterr().err
    assert f"key id '{NAMED_KEY_ID}' names 2 keys" in err
    assert NAMED_KEY in err and replica in err
    assert "hint: write the ARN of the one you mean" in err


def test_a_key_id_the_model_does_not_hold_exits_2(capsys, newcomer):
    assert (
        main(
            [
                "who-can",
                "kms:Decrypt",
                "ffffffff-0000-0000-0000-000000000000",
                "--account",
                str(newcomer.model),
            ]
        )
        == 2
    )
    assert "nor the id of a KMS key in the account model" in capsys.readouterr().err
