"""Planning simulator requests from batches: parameters, limits and refusals, without any call."""

from __future__ import annotations

import pytest
from aws_builders import (
    BUCKET,
    ROLE_ARN,
    USER_ARN,
    allow,
    cell,
    context,
    custom,
    deny,
    grid,
    identity_policy,
    principal,
    resource_policy,
)

from harness.backends.aws.callers import Via
from harness.backends.aws.requests import CallerPlan, RequestRefused, plan_batch
from harness.backends.batching import group_cells
from harness.cells import Subject
from harness.engine.types import PolicySource

SESSION = "arn:aws:sts::123456789012:assumed-role/reader/nightly"
ANYONE = {"Effect": "Allow", "Principal": "*", "Action": "s3:*", "Resource": "*"}


def _plan(cells, caller: CallerPlan | None = None, **limits):
    [batch] = group_cells(cells)
    return plan_batch(
        batch,
        partition=limits.pop("partition", "aws"),
        max_actions=limits.pop("max_actions", 1000),
        max_resources=limits.pop("max_resources", 50),
        caller=caller,
    )


DOC = identity_policy(allow("s3:*"))


def test_a_full_grid_of_actions_and_resources_is_one_request() -> None:
    cells = grid(principal(), ["s3:GetObject", "s3:PutObject"], [f"{BUCKET}/a", f"{BUCKET}/b"])
    [request] = _plan(cells)
    assert request.operation == "SimulatePrincipalPolicy"
    assert request.params["PolicySourceArn"] == USER_ARN
    assert request.params["ActionNames"] == ["s3:GetObject", "s3:PutObject"]
    assert request.params["ResourceArns"] == [f"{BUCKET}/a", f"{BUCKET}/b"]
    assert len(request.cells) == 4


def test_actions_are_split_at_max_actions() -> None:
    actions = [f"s3:Action{i}" for i in range(5)]
    requests = _plan(grid(custom(DOC), actions, ["*"]), max_actions=2)
    assert [len(r.params["ActionNames"]) for r in requests] == [2, 2, 1]
    assert sum(len(r.cells) for r in requests) == 5


def test_resources_are_split_at_max_resources() -> None:
    resources = [f"{BUCKET}/k{i}" for i in range(5)]
    requests = _plan(grid(custom(DOC), ["s3:GetObject"], resources), max_resources=3)
    assert [len(r.params["ResourceArns"]) for r in requests] == [3, 2]


def test_resources_asked_different_actions_get_separate_requests() -> None:
    cells = [
        cell(custom(DOC), "s3:GetObject", f"{BUCKET}/a"),
        cell(custom(DOC), "s3:PutObject", f"{BUCKET}/b"),
    ]
    requests = _plan(cells)
    assert [(r.params["ActionNames"], r.params["ResourceArns"]) for r in requests] == [
        (["s3:GetObject"], [f"{BUCKET}/a"]),
        (["s3:PutObject"], [f"{BUCKET}/b"]),
    ]


def test_the_same_question_from_two_scenarios_has_the_same_key() -> None:
    one = _plan([cell(custom(DOC), "s3:GetObject", "*", cell_id="one")])
    two = _plan([cell(custom(DOC), "s3:GetObject", "*", cell_id="two")])
    assert one[0].key == two[0].key


def test_custom_mode_names_each_document_by_its_parameter_position() -> None:
    second = identity_policy(deny("s3:PutObject"), name="second")
    [request] = _plan([cell(custom(DOC, second), "s3:GetObject")])
    assert request.params["PolicyInputList"] == [DOC.text, second.text]
    assert request.origins == {
        "PolicyInputList.1": "policies/doc.json",
        "PolicyInputList.2": "policies/second.json",
    }


def test_caller_arn_is_sent_when_it_is_an_iam_user() -> None:
    [request] = _plan([cell(custom(DOC, caller=USER_ARN), "s3:GetObject")])
    assert request.params["CallerArn"] == USER_ARN


def test_a_role_caller_without_a_resource_policy_is_not_sent_and_is_noted() -> None:
    [request] = _plan([cell(custom(DOC, caller=ROLE_ARN), "s3:GetObject")])
    assert "CallerArn" not in request.params
    assert any("no Principal needs it" in w for w in request.warnings)


def test_a_service_caller_against_a_resource_policy_is_refused() -> None:
    rp = resource_policy(
        {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "s3:*", "Resource": "*"}
    )
    with pytest.raises(RequestRefused, match="CallerArn takes an IAM user, group or role"):
        _plan([cell(custom(DOC, caller="ec2.amazonaws.com"), "s3:GetObject", resource_policy=rp)])


def test_a_role_principal_against_a_resource_policy_is_sent_as_itself() -> None:
    rp = resource_policy(ANYONE)
    [request] = _plan([cell(principal(ROLE_ARN), "s3:GetObject", resource_policy=rp)])
    assert request.via == Via.DIRECT
    assert request.params["PolicySourceArn"] == request.params["CallerArn"] == ROLE_ARN
    assert request.params["ResourcePolicy"] == rp.text
    assert request.direct_caller == ROLE_ARN
    assert "ContextEntries" not in request.params  # the real caller: nothing stands for it


def test_a_custom_mode_role_caller_is_sent_as_caller_arn() -> None:
    rp = resource_policy(ANYONE)
    [request] = _plan([cell(custom(DOC, caller=ROLE_ARN), "s3:GetObject", resource_policy=rp)])
    assert request.operation == "SimulateCustomPolicy"
    assert request.params["CallerArn"] == ROLE_ARN
    assert request.via == Via.DIRECT


def test_the_stand_in_path_is_taken_when_the_plan_says_so() -> None:
    rp = resource_policy(ANYONE)
    plan = CallerPlan(via=Via.STAND_IN, stand_in_reason="caller_mode=stand-in")
    [request] = _plan([cell(principal(ROLE_ARN), "s3:GetObject", resource_policy=rp)], plan)
    assert request.via == Via.STAND_IN
    assert request.params["CallerArn"].endswith(":user/iam-harness-stand-in-caller")
    assert request.direct_caller is None
    assert any("stand-in user (via: stand-in caller): caller_mode=stand-in" in w for w in request.warnings)


def test_a_session_caller_is_sent_as_its_role_when_nothing_tells_them_apart() -> None:
    rp = resource_policy({**ANYONE, "Principal": {"AWS": ROLE_ARN}})
    [request] = _plan([cell(custom(DOC, caller=SESSION), "s3:GetObject", resource_policy=rp)])
    assert request.via == Via.DIRECT
    assert request.params["CallerArn"] == ROLE_ARN
    assert any("sent as its role" in w for w in request.warnings)


def test_a_session_named_by_a_policy_takes_the_stand_in_path() -> None:
    rp = resource_policy({**ANYONE, "Principal": {"AWS": SESSION}})
    [request] = _plan([cell(custom(DOC, caller=SESSION), "s3:GetObject", resource_policy=rp)])
    assert request.via == Via.STAND_IN
    assert any("names a session of the role" in w for w in request.warnings)


def test_a_session_key_the_scenario_does_not_set_takes_the_stand_in_path() -> None:
    condition = {"Bool": {"aws:MultiFactorAuthPresent": "true"}}
    rp = resource_policy({**ANYONE, "Principal": {"AWS": ROLE_ARN}, "Condition": condition})
    [request] = _plan([cell(custom(DOC, caller=SESSION), "s3:GetObject", resource_policy=rp)])
    assert request.via == Via.STAND_IN
    assert any("aws:MultiFactorAuthPresent, whose value belongs to" in w for w in request.warnings)


def test_a_session_key_neither_path_can_answer_is_refused_naming_both_reasons() -> None:
    condition = {"StringEquals": {"aws:SourceIdentity": "alice"}}
    rp = resource_policy({**ANYONE, "Principal": {"AWS": ROLE_ARN}, "Condition": condition})
    with pytest.raises(RequestRefused, match=r"belongs to the session.*stand-in would not share"):
        _plan([cell(custom(DOC, caller=SESSION), "s3:GetObject", resource_policy=rp)])


def test_a_session_key_the_scenario_sets_keeps_the_direct_path() -> None:
    condition = {"StringEquals": {"aws:SourceIdentity": "alice"}}
    rp = resource_policy({**ANYONE, "Principal": {"AWS": ROLE_ARN}, "Condition": condition})
    given = (context("aws:SourceIdentity", "alice"),)
    [request] = _plan([cell(custom(DOC, caller=SESSION), "s3:GetObject", resource_policy=rp, context=given)])
    assert request.via == Via.DIRECT


def test_caller_mode_direct_refuses_a_session_it_cannot_send_as_its_role() -> None:
    rp = resource_policy({**ANYONE, "Principal": {"AWS": SESSION}})
    plan = CallerPlan(stand_in_allowed=False)
    with pytest.raises(RequestRefused, match="caller_mode=direct takes no stand-in"):
        _plan([cell(custom(DOC, caller=SESSION), "s3:GetObject", resource_policy=rp)], plan)


def test_a_stand_in_refusal_says_why_the_stand_in_was_needed() -> None:
    condition = {"StringEquals": {"aws:PrincipalType": "AssumedRole"}}
    rp = resource_policy({**ANYONE, "Principal": {"AWS": ROLE_ARN}, "Condition": condition})
    plan = CallerPlan(via=Via.STAND_IN, stand_in_reason="the simulator refuses a role as CallerArn in aws:1")
    with pytest.raises(RequestRefused, match="refuses a role as CallerArn in aws:1; cannot simulate"):
        _plan([cell(custom(DOC, caller=ROLE_ARN), "s3:GetObject", resource_policy=rp)], plan)


def test_a_user_principal_against_a_resource_policy_needs_no_caller() -> None:
    rp = resource_policy({"Effect": "Allow", "Principal": "*", "Action": "s3:*", "Resource": "*"})
    [request] = _plan([cell(principal(USER_ARN), "s3:GetObject", resource_policy=rp)])
    assert request.params["ResourcePolicy"] == rp.text
    assert "CallerArn" not in request.params


def test_context_entries_carry_their_context_key_type() -> None:
    entries = (
        context("aws:MultiFactorAuthPresent", "true", type="boolean"),
        context("aws:SourceIp", "10.0.0.1", type="IP"),
    )
    [request] = _plan([cell(custom(DOC), "s3:GetObject", context=entries)])
    assert request.params["ContextEntries"] == [
        {
            "ContextKeyName": "aws:MultiFactorAuthPresent",
            "ContextKeyValues": ["true"],
            "ContextKeyType": "boolean",
        },
        {"ContextKeyName": "aws:SourceIp", "ContextKeyValues": ["10.0.0.1"], "ContextKeyType": "ip"},
    ]


def test_a_context_type_the_api_lacks_is_refused() -> None:
    with pytest.raises(RequestRefused, match="not a ContextKeyType"):
        _plan([cell(custom(DOC), "s3:GetObject", context=(context("aws:SourceArn", "arn:x", type="arn"),))])


def test_scp_levels_go_to_the_ordered_organization_policy_input_list() -> None:
    root, ou = identity_policy(allow("*"), name="root"), identity_policy(deny("s3:*"), name="ou")
    [request] = _plan([cell(custom(DOC), "s3:GetObject", scp_levels=((root,), (ou,)))])
    assert request.operation == "SimulateCustomPolicy"
    assert request.params["OrderedOrganizationPolicyInputList"] == [
        {"ServiceControlPolicyInputList": [root.text]},
        {"ServiceControlPolicyInputList": [ou.text]},
    ]


def test_scp_conditions_are_flagged_on_the_request() -> None:
    scp = identity_policy({**allow("*"), "Condition": {"StringEquals": {"aws:RequestedRegion": "eu-west-1"}}})
    [plain] = _plan([cell(custom(DOC), "s3:GetObject", scp_levels=((DOC,),))])
    [conditional] = _plan([cell(custom(DOC), "s3:GetObject", scp_levels=((scp,),))])
    assert (plain.scp_conditions, conditional.scp_conditions) == (False, True)


def test_more_than_seven_scp_levels_are_refused() -> None:
    levels = tuple((identity_policy(allow("*")),) for _ in range(8))
    with pytest.raises(RequestRefused, match="at most 7"):
        _plan([cell(custom(DOC), "s3:GetObject", scp_levels=levels)])


def test_scp_levels_in_principal_mode_are_refused() -> None:
    with pytest.raises(RequestRefused, match="no SCP input"):
        _plan([cell(principal(), "s3:GetObject", scp_levels=((DOC,),))])


def test_policy_exclusions_go_to_the_policy_exclusion_list() -> None:
    managed = "arn:aws:iam::aws:policy/ReadOnlyAccess"
    exclusions = (managed, "inline-one", "group/admins:admin-inline")
    [request] = _plan([cell(principal(), "s3:GetObject", policy_exclusions=exclusions)])
    assert request.params["PolicyExclusionList"] == [
        {"PolicyArn": managed},
        {
            "InlinePolicyIdentifier": {
                "PolicyName": "inline-one",
                "AttachmentType": "user",
                "AttachmentName": "alice",
            }
        },
        {
            "InlinePolicyIdentifier": {
                "PolicyName": "admin-inline",
                "AttachmentType": "group",
                "AttachmentName": "admins",
            }
        },
    ]


def test_more_than_256_policy_exclusions_are_refused() -> None:
    exclusions = tuple(f"arn:aws:iam::123456789012:policy/p{i}" for i in range(257))
    with pytest.raises(RequestRefused, match="PolicyExclusionList accepts at most 256"):
        _plan([cell(principal(), "s3:GetObject", policy_exclusions=exclusions)])


def test_a_policy_with_a_character_the_api_refuses_is_refused_naming_the_parameter() -> None:
    text = '{"Version": "2012-10-17", "Statement": [{"Sid": "Caf\u00e9\u2615", "Effect": "Allow", '
    text += '"Action": "s3:*", "Resource": "*"}]}'
    doc = PolicySource(text, "doc", "IAM Policy")  # raw characters, as a file may hold them
    with pytest.raises(RequestRefused, match=r"PolicyInputList\.1: contains a character .*U\+2615"):
        _plan([cell(custom(doc), "s3:GetObject")])


def test_session_policies_are_refused() -> None:
    subject = Subject(identity_policies=(DOC,), session_policies=(identity_policy(deny("*")),))
    with pytest.raises(RequestRefused, match="session policies"):
        _plan([cell(subject, "s3:GetObject")])


def test_custom_mode_without_a_policy_is_refused() -> None:
    with pytest.raises(RequestRefused, match="at least one identity policy"):
        _plan([cell(Subject(caller_arn=USER_ARN), "s3:GetObject")])


def test_a_bare_account_owner_becomes_its_root_arn_in_the_partition() -> None:
    [request] = _plan([cell(custom(DOC), "s3:GetObject", resource_owner="123456789012")], partition="aws-cn")
    assert request.params["ResourceOwner"] == "arn:aws-cn:iam::123456789012:root"


def test_assume_role_actions_note_that_trust_policies_are_ignored() -> None:
    [request] = _plan([cell(custom(DOC), "sts:AssumeRole", ROLE_ARN)])
    assert any("trust policies" in w for w in request.warnings)
