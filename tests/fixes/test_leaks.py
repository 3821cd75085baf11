# ruff: noqa: E501  (account models and scenarios written inline read best on one line)
"""The file's expected-deny cells a change reaches are asked again: opened ones, or unanswerable ones, undo `verified`."""

from __future__ import annotations

from tests.fixes.accounts import ACCOUNT, DENIED, HEAD, IR, K1, MODEL, scenario

GAP_KEY = f"arn:aws:kms:eu-west-3:{ACCOUNT}:key/unread"
VIA_S3 = '[{PolicyName: via-s3, PolicyDocument: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: "kms:Decrypt", Resource: "*", Condition: {StringEquals: {"kms:ViaService": s3.eu-west-3.amazonaws.com}}}]}}]'


def test_an_expected_deny_cell_already_allowed_before_the_change_is_not_counted_against_it(run_file):
    model = MODEL.replace(
        f'{{RoleName: ir, Arn: "{IR}", RolePolicyList: []}}',
        f'{{RoleName: ir, Arn: "{IR}", RolePolicyList: {VIA_S3}}}',
    )
    allowed = scenario(
        "ir decrypts through ebs",
        IR,
        "kms:Decrypt",
        K1,
        "allowed",
        "    context: {kms:ViaService: ec2.eu-west-3.amazonaws.com}\n",
    )
    wrong_already = scenario(
        "ir does not decrypt through s3",
        IR,
        "kms:Decrypt",
        K1,
        "denied",
        "    context: {kms:ViaService: s3.eu-west-3.amazonaws.com}\n",
    )
    run = run_file(HEAD + allowed + wrong_already, model)
    already = run.named("ir does not decrypt through s3")
    assert already[1].decision == "allowed"  # failing with or without the fix
    fix = run.fix("ir decrypts through ebs")
    assert fix.verified
    assert "the changes reach 1 expected-deny cell of this file and turned none allowed" in fix.note
    assert f"allowed already without the changes: {already[0].id}" in fix.note


def test_an_expected_deny_cell_that_cannot_be_evaluated_leaves_the_fix_unverified(run_file):
    model = MODEL + f'      - {{Arn: "{GAP_KEY}", Gap: "AccessDeniedException: kms:GetKeyPolicy"}}\n'
    # Removing the role's deny may change any of its cells, the one on the unread key too.
    allowed = scenario("denied role decrypts", DENIED, "kms:Decrypt", K1, "allowed")
    unread = scenario("denied role does not decrypt the unread key", DENIED, "kms:Decrypt", GAP_KEY, "denied")
    run = run_file(HEAD + allowed + unread, model)
    fix = run.fix("denied role decrypts")
    assert not fix.verified
    assert fix.changes
    assert "could not be evaluated with the changes applied" in fix.note


def test_an_added_statement_reaches_only_the_cells_of_its_action_and_resource(run_file):
    allowed = scenario("ir decrypts", IR, "kms:Decrypt", K1, "allowed")
    other_action = scenario("ir does not encrypt", IR, "kms:Encrypt", K1, "denied")
    other_resource = scenario("ir does not decrypt the unread key", IR, "kms:Decrypt", GAP_KEY, "denied")
    run = run_file(
        HEAD + allowed + other_action + other_resource,
        MODEL + f'      - {{Arn: "{GAP_KEY}", Gap: "AccessDeniedException: kms:GetKeyPolicy"}}\n',
    )
    fix = run.fix("ir decrypts")
    assert fix.verified
    assert "no expected-deny cell of this file is reached" in fix.note
