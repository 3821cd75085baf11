# ruff: noqa: E501  (YAML written inline reads best on one line)
"""One question, one answer: simulate-principal-policy, a scenario and who-can on the same model.

The newcomer asked `harness simulate-principal-policy --account` about a key whose key policy
names their role and got "no key policy was given", while a scenario and who-can on the
same capture used that key policy. All three now take a resource's policy, owner and context
from the model through harness.account.resource_inputs, so their decisions agree, enforced
decisions included; a policy the request names itself still wins, as in the AWS CLI.
"""

from __future__ import annotations

import json
from pathlib import Path

from newcomer_account import DEPLOYER, IR_ROLE, MODEL, NAMED_ALIAS, NAMED_KEY, OTHER_KEY, Newcomer

from harness.account import load_account_model
from harness.backends.offline import OfflineBackend
from harness.cli.main import main
from harness.scenarios import ScenarioLoader
from harness.who_can import WhoCanQuestion, who_can

RESOURCES = (NAMED_KEY, OTHER_KEY, NAMED_ALIAS)
Answer = tuple[str, str]  # (simulator decision, enforced decision)
Question = tuple[str, str, str]  # (principal, action, resource)

# What KMS does: only the key policy that names the role lets it decrypt, whatever IAM allows.
EXPECTED: dict[Question, Answer] = {
    (IR_ROLE, "kms:Decrypt", NAMED_KEY): ("allowed", "allowed"),
    (IR_ROLE, "kms:Decrypt", OTHER_KEY): ("allowed", "implicitDeny"),
    (IR_ROLE, "kms:Decrypt", NAMED_ALIAS): ("allowed", "allowed"),
    (DEPLOYER, "kms:Decrypt", NAMED_KEY): ("allowed", "implicitDeny"),
    (DEPLOYER, "kms:Decrypt", OTHER_KEY): ("allowed", "implicitDeny"),
    (DEPLOYER, "kms:Decrypt", NAMED_ALIAS): ("allowed", "implicitDeny"),
}

NAMED_KEY_POLICY = (
    '{"Version": "2012-10-17", "Statement": [{"Sid": "Given", "Effect": "Allow", '
    f'"Principal": {{"AWS": "{IR_ROLE}"}}, "Action": "kms:Decrypt", "Resource": "*"}}]}}'
)


def cli_body(capsys, model: Path, request: dict) -> dict:
    code = main(
        ["simulate-principal-policy", "--account", str(model), "--cli-input-json", json.dumps(request)]
    )
    captured = capsys.readouterr()
    assert code == 0, captured.err
    return json.loads(captured.out)


def cli_answer(capsys, model: Path, question: Question, **extra: str) -> Answer:
    principal, action, resource = question
    request = {"PolicySourceArn": principal, "ActionNames": [action], "ResourceArns": [resource], **extra}
    [result] = cli_body(capsys, model, request)["EvaluationResults"]
    [rr] = result["ResourceSpecificResults"]
    return rr["EvalResourceDecision"], rr.get("HarnessEnforcedDecision", rr["EvalResourceDecision"])


def scenario_answers(directory: Path, extra: str = "") -> dict[Question, Answer]:
    path = directory / "newcomer.yaml"
    resources = ", ".join(f"'{r}'" for r in RESOURCES)
    path.write_text(
        "version: 1\naccount: accounts/newcomer.yaml\n"
        f"{extra}"
        f"scenarios:\n  - {{name: decrypt, principals: all, actions: [kms:Decrypt], resources: [{resources}], expect: allowed"
        f"{', resource_policy: given' if extra else ''}}}\n"
    )
    loaded = ScenarioLoader().load(path, "newcomer.yaml")
    results = OfflineBackend(loaded.account_model).evaluate(loaded.cells)
    return {
        (c.subject.principal_arn or "", c.action, c.resource): (r.decision, r.enforced_decision or r.decision)
        for c, r in zip(loaded.cells, results, strict=True)
    }


def who_can_answers(model: Path) -> dict[Question, Answer]:
    report = who_can(load_account_model(model), WhoCanQuestion(("kms:Decrypt",), RESOURCES))
    return {(a.principal_arn, a.action, a.resource): (a.decision, a.enforced) for a in report.answers}


def test_the_cli_a_scenario_and_who_can_give_the_same_decisions_enforced_included(capsys, newcomer: Newcomer):
    cli = {q: cli_answer(capsys, newcomer.model, q) for q in EXPECTED}
    assert cli == EXPECTED
    assert scenario_answers(newcomer.directory) == EXPECTED
    assert who_can_answers(newcomer.model) == EXPECTED


def test_the_cli_uses_the_key_policy_the_capture_holds(capsys, newcomer: Newcomer):
    request = {"PolicySourceArn": IR_ROLE, "ActionNames": ["kms:Decrypt"], "ResourceArns": [NAMED_KEY]}
    [result] = cli_body(capsys, newcomer.model, request)["EvaluationResults"]
    [rr] = result["ResourceSpecificResults"]
    assert "no key policy was given" not in json.dumps(result)
    assert {s["SourcePolicyId"] for s in rr["MatchedStatements"]} == {"decrypt", "ResourcePolicy"}


def test_a_resource_policy_in_the_request_still_wins_over_the_model(capsys, newcomer: Newcomer):
    question = (IR_ROLE, "kms:Decrypt", OTHER_KEY)
    assert cli_answer(capsys, newcomer.model, question) == ("allowed", "implicitDeny")
    given = cli_answer(capsys, newcomer.model, question, ResourcePolicy=NAMED_KEY_POLICY)
    assert given == ("allowed", "allowed")
    # A scenario naming its resource_policy gets the same answer.
    scenario = scenario_answers(newcomer.directory, f"policies:\n  given: {NAMED_KEY_POLICY}\n")
    assert scenario[question] == given


def test_several_keys_in_one_request_get_each_its_own_key_policy_in_request_order(capsys, newcomer: Newcomer):
    request = {
        "PolicySourceArn": IR_ROLE,
        "ActionNames": ["kms:Decrypt"],
        "ResourceArns": [OTHER_KEY, NAMED_KEY, NAMED_ALIAS],
    }
    [result] = cli_body(capsys, newcomer.model, request)["EvaluationResults"]
    per_resource = [
        (rr["EvalResourceName"], rr["EvalResourceDecision"], rr["HarnessEnforcedDecision"])
        for rr in result["ResourceSpecificResults"]
    ]
    assert per_resource == [
        (OTHER_KEY, "allowed", "implicitDeny"),
        (NAMED_KEY, "allowed", "allowed"),
        (NAMED_ALIAS, "allowed", "allowed"),
    ]
    # The action's result is the most restrictive over the resources, as the IAM API sums up.
    assert (result["EvalDecision"], result["HarnessEnforcedDecision"]) == ("allowed", "implicitDeny")
    assert "(1 of 3 resources)" in result["HarnessAdvisory"]


def test_each_line_of_a_batch_gets_the_same_answer(capsys, newcomer: Newcomer):
    lines = newcomer.directory / "requests.jsonl"
    lines.write_text(
        "".join(
            json.dumps({"PolicySourceArn": p, "ActionNames": [a], "ResourceArns": [r]}) + "\n"
            for p, a, r in EXPECTED
        )
    )
    code = main(
        ["simulate-principal-policy", "--account", str(newcomer.model), "--cli-input-jsonl", str(lines)]
    )
    assert code == 0
    bodies = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    answers = [
        (rr["EvalResourceDecision"], rr["HarnessEnforcedDecision"])
        for body in bodies
        for rr in body["EvaluationResults"][0]["ResourceSpecificResults"]
    ]
    assert answers == list(EXPECTED.values())


def test_a_key_whose_policy_the_capture_could_not_read_is_an_error_not_an_answer(capsys, newcomer: Newcomer):
    gap_key = NAMED_KEY.replace("1234abcd", "5555eeee")
    newcomer.model.write_text(
        MODEL + f"      - {{Arn: '{gap_key}', Gap: 'kms:GetKeyPolicy was refused (AccessDeniedException)'}}\n"
    )
    request = {"PolicySourceArn": IR_ROLE, "ActionNames": ["kms:Decrypt"], "ResourceArns": [gap_key]}
    code = main(
        [
            "simulate-principal-policy",
            "--account",
            str(newcomer.model),
            "--cli-input-json",
            json.dumps(request),
        ]
    )
    captured = capsys.readouterr()
    assert code == 2
    assert captured.out == ""
    assert "An error occurred (CaptureGap)" in captured.err
    assert "AccessDeniedException" in captured.err


# A bucket ARN names no account: the model says which account holds it (its owner).
BUCKET_MODEL = """
accounts:
  - AccountId: "111122223333"
    OutsideOrganization: true
    RoleDetailList:
      - RoleName: reader
        Arn: arn:aws:iam::111122223333:role/reader
        RolePolicyList: [{PolicyName: read, PolicyDocument: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: "s3:GetObject", Resource: "*"}]}}]
  - AccountId: "444455556666"
    OutsideOrganization: true
    ResourcePolicies:
      - Arn: arn:aws:s3:::partner-evidence
        Policy: {Version: "2012-10-17", Statement: [{Sid: OwnAccountOnly, Effect: Allow, Principal: {AWS: "arn:aws:iam::444455556666:root"}, Action: "s3:GetObject", Resource: "arn:aws:s3:::partner-evidence/*"}]}
"""
READER = "arn:aws:iam::111122223333:role/reader"
OBJECT = "arn:aws:s3:::partner-evidence/case-42.img"


def test_a_bucket_of_another_account_is_judged_cross_account_by_every_tool(capsys, tmp_path: Path):
    (tmp_path / "accounts").mkdir()
    model = tmp_path / "accounts" / "newcomer.yaml"
    model.write_text(BUCKET_MODEL)
    question = (READER, "s3:GetObject", OBJECT)
    # Cross-account, the bucket policy must allow too: it names only its own account.
    assert cli_answer(capsys, model, question)[0] == "implicitDeny"
    report = who_can(
        load_account_model(model), WhoCanQuestion(("s3:GetObject",), (OBJECT,), selectors=("role/reader",))
    )
    assert report.answers[0].decision == "implicitDeny"
    (tmp_path / "s.yaml").write_text(
        f"version: 1\naccount: accounts/newcomer.yaml\nscenarios:\n  - {{name: read, principal: '{READER}', actions: [s3:GetObject], resources: ['{OBJECT}'], expect: denied}}\n"
    )
    loaded = ScenarioLoader().load(tmp_path / "s.yaml", "s.yaml")
    [result] = OfflineBackend(loaded.account_model).evaluate(loaded.cells)
    assert result.decision == "implicitDeny"
    # A ResourceOwner in the request wins: the same account, where IAM alone may allow.
    assert cli_answer(capsys, model, question, ResourceOwner="arn:aws:iam::111122223333:root")[0] == "allowed"
