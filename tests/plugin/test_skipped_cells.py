# ruff: noqa: E501  (scenario YAML written inline reads best on one line)
"""Cells the account model cannot answer: a pytest skip with the reason, `skipped` in run.json, never a pass."""

from __future__ import annotations

from harness.run.stream import load_document

pytest_plugins = ["pytester"]

MODEL = """accounts:
  - AccountId: "111122223333"
    RoleDetailList:
      - RoleName: ir
        Arn: arn:aws:iam::111122223333:role/ir
        RolePolicyList: [{PolicyName: kms, PolicyDocument: {Statement: [{Effect: Allow, Action: "kms:*", Resource: "*"}]}}]
    ResourcePolicies:
      - Arn: arn:aws:kms:eu-west-3:111122223333:key/k1
        Policy: {Statement: [{Effect: Allow, Principal: {AWS: "arn:aws:iam::111122223333:root"}, Action: "kms:*", Resource: "*"}]}
"""
SCENARIOS = """version: 1
account: model.yaml
principals:
  ir: {arn: "arn:aws:iam::111122223333:role/ir"}
  remote: {arn: "arn:aws:iam::444455556666:role/remote"}
scenarios:
  - name: the IR role decrypts
    principal: ir
    actions: [kms:Decrypt]
    resources: [arn:aws:kms:eu-west-3:111122223333:key/k1]
    expect: allowed
  - name: the remote role may not
    principal: remote
    actions: [kms:Decrypt, kms:Encrypt]
    resources: [arn:aws:kms:eu-west-3:111122223333:key/k1]
    expect: denied
"""


def write(pytester) -> None:
    pytester.makefile(".yaml", **{"scenarios/model": MODEL, "scenarios/s": SCENARIOS})


def run_json(pytester) -> dict:
    return load_document(pytester.path / "reports" / "run.json")


def test_a_cell_on_an_account_not_in_the_model_is_a_skip_at_its_scenario_line(pytester):
    write(pytester)
    result = pytester.runpytest("scenarios", "-p", "no:cacheprovider", "-rs", "--iam-report-dir", "reports")
    result.assert_outcomes(passed=1, skipped=2)
    result.stdout.fnmatch_lines(
        [
            "*IAM cells (offline): 1 passed, 0 failed, 0 error, 2 skipped in 1 file(s)",
            "SKIPPED [[]2[]] scenarios/s.yaml:12: account 444455556666 of arn:aws:iam::444455556666:role/remote is not in the account model*--assume-role arn:aws:iam::444455556666:role/AUDIT_ROLE",
        ]
    )
    assert result.ret == 0


def test_a_skipped_cell_is_recorded_as_skipped_with_its_reason(pytester):
    write(pytester)
    pytester.runpytest("scenarios", "-p", "no:cacheprovider", "--iam-report-dir", "reports")
    run = run_json(pytester)
    skipped = [c for c in run["cells"] if c["outcome"] == "skipped"]
    assert [c["action"] for c in skipped] == ["kms:Decrypt", "kms:Encrypt"]
    for cell in skipped:
        assert (cell["principal"], cell["actual"], cell["enforced"]) == ("remote", "skipped", None)
        assert cell["skip_reason"].startswith("account 444455556666 of ")
    assert run["metadata"]["counts"]["skipped"] == 2


def test_a_grouped_item_runs_its_other_cells_and_records_the_skipped_ones(pytester):
    write(pytester)
    text = SCENARIOS.replace(
        "  - name: the remote role may not\n    principal: remote\n",
        "  - name: the remote role may not\n    principals: [ir, remote]\n",
    )
    pytester.makefile(".yaml", **{"scenarios/s": text})
    result = pytester.runpytest(
        "scenarios", "-p", "no:cacheprovider", "--iam-items", "scenario", "--iam-report-dir", "reports"
    )
    # ir passes its scenario and fails "may not" (its kms:* is allowed); remote's group is all skipped.
    result.assert_outcomes(passed=1, failed=1, skipped=1)
    outcomes = sorted((c["principal"], c["action"], c["outcome"]) for c in run_json(pytester)["cells"])
    assert outcomes == [
        ("ir", "kms:Decrypt", "failed"),
        ("ir", "kms:Decrypt", "passed"),
        ("ir", "kms:Encrypt", "failed"),
        ("remote", "kms:Decrypt", "skipped"),
        ("remote", "kms:Encrypt", "skipped"),
    ]


def test_last_failed_does_not_count_a_skip_as_a_failure(pytester):
    write(pytester)
    args = ("scenarios", "--iam-items", "scenario", "--iam-report-dir", "reports")
    pytester.runpytest(*args)
    again = pytester.runpytest(*args, "--lf")
    again.assert_outcomes(passed=1, skipped=1)  # nothing failed: --lf runs everything again
