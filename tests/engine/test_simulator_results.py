"""API-shaped results: per action, per resource, context values, warnings, errors."""

from __future__ import annotations

import dataclasses
import json

import pytest
from engine_builders import allow, build_input, deny, first, policy

from harness.engine import Engine, InvalidInput, MalformedPolicyDocument, PolicySource, Position

USER = "arn:aws:iam::111122223333:user/alice"
OBJ = "arn:aws:s3:::evidence/disk.img"
OBJ2 = "arn:aws:s3:::evidence/mem.raw"
COND = {"StringEquals": {"aws:SourceVpc": "vpc-1"}}


def test_one_result_per_action_in_request_order(simulate) -> None:
    out = simulate(["s3:GetObject", "s3:PutObject"], identity=[policy(allow("s3:GetObject"))])
    assert [(r.action, r.decision.value) for r in out.results] == [
        ("s3:GetObject", "allowed"),
        ("s3:PutObject", "implicitDeny"),
    ]


def test_matched_statement_carries_policy_id_type_and_position(simulate) -> None:
    res = first(
        simulate("s3:GetObject", identity=[policy(allow("s3:PutObject")), policy(allow("s3:GetObject"))])
    )
    (ms,) = res.matched_statements
    assert (ms.source_policy_id, ms.source_policy_type) == ("PolicyInputList.2", "IAM Policy")
    assert ms.start == Position(1, 42)  # the "{" of the statement is character 41


def test_explicit_deny_lists_only_deny_statements(simulate) -> None:
    res = first(simulate("s3:GetObject", identity=[policy(allow("s3:*"), deny("s3:GetObject", Sid="no"))]))
    assert res.decision.value == "explicitDeny"
    assert [m.sid for m in res.matched_statements] == ["no"]


def test_implicit_deny_has_no_matched_statements(simulate) -> None:
    res = first(simulate("s3:GetObject", identity=[policy(allow("s3:PutObject"))]))
    assert res.matched_statements == ()


def test_scp_statements_never_appear_in_matched_statements(simulate) -> None:
    res = first(simulate("s3:GetObject", identity=[policy(allow("s3:*"))], scps=[[policy(allow("*"))]]))
    assert [m.source_policy_id for m in res.matched_statements] == ["PolicyInputList.1"]
    assert res.organizations_allowed is True


def test_organizations_detail_false_when_scp_does_not_allow(simulate) -> None:
    res = first(simulate("s3:GetObject", identity=[policy(allow("s3:*"))], scps=[[policy(allow("ec2:*"))]]))
    assert res.organizations_allowed is False
    assert res.decision.value == "implicitDeny"


def test_missing_context_at_top_level_for_star_resource(simulate) -> None:
    res = first(simulate("s3:GetObject", identity=[policy(allow("s3:*", Condition=COND))]))
    assert res.missing_context_values == ("aws:SourceVpc",)
    assert res.resource_results[0].missing_context_values == ()


def test_missing_context_inside_each_resource_result_for_arns(simulate) -> None:
    res = first(
        simulate("s3:GetObject", identity=[policy(allow("s3:*", Condition=COND))], resources=[OBJ, OBJ2])
    )
    assert res.missing_context_values == ()
    assert [r.missing_context_values for r in res.resource_results] == [
        ("aws:SourceVpc",),
        ("aws:SourceVpc",),
    ]


def test_missing_context_does_not_include_scp_keys(simulate) -> None:
    scp = policy(allow("*", Condition={"StringEquals": {"aws:RequestedRegion": "eu-west-1"}}))
    res = first(simulate("s3:GetObject", identity=[policy(allow("s3:*"))], scps=[[scp]]))
    assert res.missing_context_values == ()


def test_resource_results_per_resource_and_most_restrictive_on_top(simulate) -> None:
    ident = [policy(allow("s3:GetObject", OBJ))]
    res = first(simulate("s3:GetObject", identity=ident, resources=[OBJ, OBJ2]))
    assert [(r.resource, r.decision.value) for r in res.resource_results] == [
        (OBJ, "allowed"),
        (OBJ2, "implicitDeny"),
    ]
    assert res.decision.value == "implicitDeny"


def test_permissions_boundary_detail_is_reported(simulate) -> None:
    res = first(simulate("iam:CreateUser", identity=[policy(allow("*"))], boundaries=[policy(allow("s3:*"))]))
    assert res.permissions_boundary_allowed is False
    assert res.resource_results[0].permissions_boundary_allowed is False


def test_eval_decision_details_for_cross_account(simulate) -> None:
    out = simulate(
        "s3:GetObject",
        identity=[policy(allow("s3:*"))],
        resources=[OBJ],
        caller="arn:aws:iam::444455556666:user/bob",
        owner="arn:aws:iam::111122223333:root",
        resource_policy=policy(allow("s3:GetObject", OBJ, Principal={"AWS": "444455556666"})),
    )
    details = first(out).resource_results[0].decision_details
    assert {k: v.value for k, v in details.items()} == {"IAM Policy": "allowed", "Resource Policy": "allowed"}


def test_same_account_has_no_decision_details(simulate) -> None:
    res = first(simulate("s3:GetObject", identity=[policy(allow("s3:*"))], resources=[OBJ], caller=USER))
    assert res.resource_results[0].decision_details == {}


def test_role_caller_is_taken_as_aws_now_documents(simulate) -> None:
    out = simulate(
        "s3:GetObject", identity=[policy(allow("s3:*"))], caller="arn:aws:iam::111122223333:role/R"
    )
    assert first(out).decision.value == "allowed"
    assert not any("CallerArn" in w for w in out.warnings)


def test_session_caller_is_a_warning_not_an_error(simulate) -> None:
    out = simulate(
        "s3:GetObject", identity=[policy(allow("s3:*"))], caller="arn:aws:sts::111122223333:assumed-role/R/s"
    )
    assert any("assumed-role session" in w for w in out.warnings)


def test_wildcard_action_name_is_invalid_input(simulate) -> None:
    with pytest.raises(InvalidInput):
        simulate("s3:*", identity=[policy(allow("s3:*"))])


def test_resource_policy_without_caller_is_invalid_input(simulate) -> None:
    with pytest.raises(InvalidInput, match="CallerArn"):
        simulate("s3:GetObject", resource_policy=policy(allow("s3:*", Principal="*")))


def test_bad_resource_owner_is_invalid_input(simulate) -> None:
    with pytest.raises(InvalidInput, match="ResourceOwner"):
        simulate("s3:GetObject", identity=[policy(allow("s3:*"))], owner="111")


def test_resource_handling_option_requires_its_resources(simulate) -> None:
    with pytest.raises(InvalidInput, match="instance"):
        simulate(
            "ec2:RunInstances", identity=[policy(allow("ec2:*"))], handling="EC2-VPC-EBS", resources=[OBJ]
        )


def test_malformed_policy_is_rejected_not_half_evaluated(simulate) -> None:
    with pytest.raises(MalformedPolicyDocument) as exc:
        simulate(
            "s3:GetObject", identity=[policy(allow("s3:*")), policy({"Effect": "Allow", "Resource": "*"})]
        )
    assert exc.value.policy_id == "PolicyInputList.2"


def test_explanation_names_the_failed_element(simulate) -> None:
    ident = [
        policy(allow("s3:PutObject", Sid="put"), allow("s3:GetObject", "arn:aws:s3:::other/*", Sid="other"))
    ]
    res = first(simulate("s3:GetObject", identity=ident, resources=[OBJ])).resource_results[0]
    text = "\n".join(res.explanation)
    assert "Sid 'put'" in text and "not matched by Action" in text
    assert "Sid 'other'" in text and "not matched by Resource" in text
    assert "to allow:" in text


def test_explanation_names_condition_key_and_operator(simulate) -> None:
    ident = [policy(allow("s3:*", Condition=COND))]
    res = first(simulate("s3:GetObject", identity=ident, context={"aws:SourceVpc": "vpc-2"}))
    text = "\n".join(res.explanation)
    assert "aws:SourceVpc" in text and "Condition" in text


def test_explanation_for_deny_says_what_to_change(simulate) -> None:
    res = first(simulate("s3:GetObject", identity=[policy(allow("s3:*"), deny("s3:GetObject", Sid="NoGet"))]))
    assert any(line.startswith("to allow: remove or narrow Sid 'NoGet'") for line in res.explanation)


def test_enforced_equals_decision_for_non_kms_actions(simulate) -> None:
    res = first(simulate("s3:GetObject", identity=[policy(allow("s3:*"))]))
    assert res.enforced_decision is res.decision
    assert res.advisory is None


def test_real_request_context_changes_enforced_decision_with_advisory(simulate) -> None:
    cond = {"StringEquals": {"aws:PrincipalAccount": "111122223333"}}
    res = first(simulate("s3:GetObject", identity=[policy(allow("s3:*", Condition=cond))], caller=USER))
    assert res.decision.value == "implicitDeny"
    assert res.enforced_decision.value == "allowed"
    assert "aws:PrincipalAccount=111122223333" in (res.advisory or "")


def test_engine_caches_compiled_policies_on_the_instance() -> None:
    engine = Engine()
    inp = build_input("s3:GetObject", identity=[policy(allow("s3:*"))])
    engine.simulate(inp)
    engine.simulate(inp)
    assert engine.cache_size == 1
    assert Engine().cache_size == 0


def test_engine_keeps_a_compiled_policy_only_once_it_is_seen_again() -> None:
    engine = Engine()
    source = PolicySource(json.dumps(policy(allow("s3:*"))), "PolicyInputList.1", "IAM Policy")
    once = engine.compile(source)
    assert engine.cache_size == 0  # most policies of a batch of distinct requests come once
    twice = engine.compile(source)
    assert engine.cache_size == 1
    assert twice.statements is not once.statements
    assert engine.compile(source).statements is twice.statements


def test_reused_evaluation_names_each_resource_in_its_explanation(simulate) -> None:
    ident = [policy(allow("s3:GetObject", "arn:aws:s3:::other/*"))]
    res = first(simulate("s3:GetObject", identity=ident, resources=[OBJ, OBJ2]))
    assert OBJ in "\n".join(res.resource_results[0].explanation)
    assert OBJ2 in "\n".join(res.resource_results[1].explanation)
    assert OBJ not in "\n".join(res.resource_results[1].explanation)


def test_policy_text_with_braces_is_shown_verbatim_in_explanations(simulate) -> None:
    ident = [policy(allow("s3:GetObject", "arn:aws:s3:::home/${aws:username}/*"))]
    res = first(
        simulate("s3:GetObject", identity=ident, resources=[OBJ], context={"aws:username": "bob"})
    ).resource_results[0]
    assert any("arn:aws:s3:::home/${aws:username}/*" in line for line in res.explanation)


def test_engine_reuse_does_not_mix_contexts(engine) -> None:
    ident = [policy(allow("s3:*", Condition=COND))]
    good = build_input("s3:GetObject", identity=ident, resources=[OBJ], context={"aws:SourceVpc": "vpc-1"})
    bad = build_input("s3:GetObject", identity=ident, resources=[OBJ], context={"aws:SourceVpc": "vpc-2"})
    assert first(engine.simulate(good)).decision.value == "allowed"
    assert first(engine.simulate(bad)).decision.value == "implicitDeny"
    assert first(engine.simulate(good)).decision.value == "allowed"


def test_engine_reuse_does_not_mix_callers(engine) -> None:
    res_policy = policy(allow("s3:GetObject", OBJ, Principal={"AWS": USER}))
    alice = build_input("s3:GetObject", resource_policy=res_policy, resources=[OBJ], caller=USER)
    bob = build_input(
        "s3:GetObject",
        resource_policy=res_policy,
        resources=[OBJ],
        caller="arn:aws:iam::111122223333:user/bob",
    )
    assert first(engine.simulate(alice)).decision.value == "allowed"
    assert first(engine.simulate(bob)).decision.value == "implicitDeny"


def test_a_cached_policy_given_under_another_source_reports_that_source() -> None:
    # Engine.compile compares the fields of PolicySource beyond its cache key (text, kind):
    # a new field must join that comparison.
    assert [f.name for f in dataclasses.fields(PolicySource)] == [
        "text",
        "source_id",
        "source_type",
        "kind",
        "origin",
    ]
    engine = Engine()
    text = json.dumps(policy(allow("s3:GetObject")))
    engine.compile(PolicySource(text, "PolicyInputList.1", "IAM Policy"))  # kept once seen again
    first = engine.compile(PolicySource(text, "PolicyInputList.1", "IAM Policy"))
    again = engine.compile(PolicySource(text, "my-policy", "user-managed", origin="accounts/prod.yaml"))
    assert first.statements is again.statements
    assert (again.source.source_id, again.source.source_type, again.source.origin) == (
        "my-policy",
        "user-managed",
        "accounts/prod.yaml",
    )
