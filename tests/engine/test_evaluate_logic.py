"""The evaluation order (IAM User Guide, policy evaluation logic and cross-account logic)."""

from __future__ import annotations

from engine_builders import allow, deny, policy

USER = "arn:aws:iam::111122223333:user/alice"
ROLE = "arn:aws:iam::111122223333:role/Responder"
SESSION = "arn:aws:sts::111122223333:assumed-role/Responder/case-42"
OTHER_USER = "arn:aws:iam::444455556666:user/bob"
BUCKET = "arn:aws:s3:::evidence"
OBJ = "arn:aws:s3:::evidence/disk.img"


def rp(*statements):
    return policy(*statements)


def test_no_policy_is_implicit_deny(decide) -> None:
    assert decide("s3:GetObject", identity=[policy(allow("s3:PutObject"))]) == "implicitDeny"


def test_identity_allow_allows(decide) -> None:
    assert decide("s3:GetObject", identity=[policy(allow("s3:Get*"))]) == "allowed"


def test_actions_match_case_insensitively(decide) -> None:
    assert decide("S3:getobject", identity=[policy(allow("s3:GetObj?ct"))]) == "allowed"


def test_resources_match_case_sensitively(decide) -> None:
    ident = [policy(allow("s3:GetObject", "arn:aws:s3:::Evidence/*"))]
    assert decide("s3:GetObject", identity=ident, resources=[OBJ]) == "implicitDeny"


def test_resource_wildcard_in_middle_of_segment_does_not_cross_colon(decide) -> None:
    ident = [policy(allow("ec2:StartInstances", "arn:aws:ec2:us-*-1:*:instance/*"))]
    ok = "arn:aws:ec2:us-east-1:111122223333:instance/i-1"
    bad = "arn:aws:ec2:us-east:x-1:111122223333:instance/i-1"
    assert decide("ec2:StartInstances", identity=ident, resources=[ok]) == "allowed"
    assert decide("ec2:StartInstances", identity=ident, resources=[bad]) == "implicitDeny"


def test_request_resource_star_only_matches_patterns_that_match_star(decide) -> None:
    ident = [policy(allow("s3:GetObject", "arn:aws:s3:::evidence/*"))]
    assert decide("s3:GetObject", identity=ident) == "implicitDeny"


def test_not_action_allows_everything_else(decide) -> None:
    ident = [policy({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"})]
    assert decide("s3:GetObject", identity=ident) == "allowed"
    assert decide("iam:CreateUser", identity=ident) == "implicitDeny"


def test_not_resource_excludes_listed_resources(decide) -> None:
    ident = [policy({"Effect": "Allow", "Action": "s3:*", "NotResource": "arn:aws:s3:::secret/*"})]
    assert decide("s3:GetObject", identity=ident, resources=[OBJ]) == "allowed"
    assert decide("s3:GetObject", identity=ident, resources=["arn:aws:s3:::secret/x"]) == "implicitDeny"


def test_explicit_deny_beats_allow(decide) -> None:
    ident = [policy(allow("s3:*")), policy(deny("s3:GetObject"))]
    assert decide("s3:GetObject", identity=ident) == "explicitDeny"


def test_policy_variable_in_resource_is_filled_from_context(decide) -> None:
    ident = [policy(allow("s3:GetObject", "arn:aws:s3:::home/${aws:username}/*"))]
    res = ["arn:aws:s3:::home/alice/x"]
    assert (
        decide("s3:GetObject", identity=ident, resources=res, context={"aws:username": "alice"}) == "allowed"
    )
    assert (
        decide("s3:GetObject", identity=ident, resources=res, context={"aws:username": "bob"})
        == "implicitDeny"
    )


def test_policy_variables_are_literal_text_without_version_2012(decide) -> None:
    ident = [policy(allow("s3:GetObject", "arn:aws:s3:::home/${aws:username}/*"), version="2008-10-17")]
    res = ["arn:aws:s3:::home/alice/x"]
    assert (
        decide("s3:GetObject", identity=ident, resources=res, context={"aws:username": "alice"})
        == "implicitDeny"
    )


def test_condition_with_missing_key_gives_implicit_deny(decide) -> None:
    ident = [policy(allow("s3:GetObject", Condition={"StringEquals": {"aws:SourceVpc": "vpc-1"}}))]
    assert decide("s3:GetObject", identity=ident) == "implicitDeny"
    assert decide("s3:GetObject", identity=ident, context={"aws:SourceVpc": "vpc-1"}) == "allowed"


# --- SCPs and RCPs ---------------------------------------------------------


def test_scp_every_level_must_allow(decide) -> None:
    ident = [policy(allow("s3:*"))]
    full = policy(allow("*"))
    no_s3 = policy(allow("ec2:*"))
    assert decide("s3:GetObject", identity=ident, scps=[[full], [full]]) == "allowed"
    assert decide("s3:GetObject", identity=ident, scps=[[full], [no_s3]]) == "implicitDeny"


def test_scp_deny_is_explicit_deny(decide) -> None:
    ident = [policy(allow("s3:*"))]
    assert (
        decide("s3:GetObject", identity=ident, scps=[[policy(allow("*"), deny("s3:GetObject"))]])
        == "explicitDeny"
    )


def test_scp_allow_does_not_grant_by_itself(decide) -> None:
    assert decide("s3:GetObject", scps=[[policy(allow("*"))]]) == "implicitDeny"


def test_scps_do_not_limit_service_principals(decide) -> None:
    res = rp(allow("s3:PutObject", BUCKET + "/*", Principal={"Service": "cloudtrail.amazonaws.com"}))
    out = decide(
        "s3:PutObject",
        resource_policy=res,
        resources=[BUCKET + "/log"],
        caller="cloudtrail.amazonaws.com",
        owner="arn:aws:iam::111122223333:root",
        scps=[[policy(allow("ec2:*"))]],
    )
    assert out == "allowed"


def test_rcp_level_without_allow_denies(decide) -> None:
    ident = [policy(allow("s3:*"))]
    rcp_full = policy(allow("*", Principal="*"))
    assert decide("s3:GetObject", identity=ident, rcps=[[rcp_full]]) == "allowed"
    assert decide(
        "s3:GetObject", identity=ident, rcps=[[rcp_full], [policy(allow("ec2:*", Principal="*"))]]
    ) == ("implicitDeny")


# --- Resource policies, same account --------------------------------------


def test_same_account_resource_policy_alone_allows_named_user(decide) -> None:
    res = rp(allow("s3:GetObject", OBJ, Principal={"AWS": USER}))
    assert decide("s3:GetObject", resource_policy=res, resources=[OBJ], caller=USER) == "allowed"


def test_same_account_resource_policy_naming_account_only_delegates(decide) -> None:
    res = rp(allow("s3:GetObject", OBJ, Principal={"AWS": "111122223333"}))
    assert decide("s3:GetObject", resource_policy=res, resources=[OBJ], caller=USER) == "implicitDeny"
    ident = [policy(allow("s3:GetObject"))]
    assert (
        decide("s3:GetObject", identity=ident, resource_policy=res, resources=[OBJ], caller=USER) == "allowed"
    )


def test_resource_policy_deny_wins_over_identity_allow(decide) -> None:
    res = rp(deny("s3:GetObject", OBJ, Principal="*"))
    ident = [policy(allow("s3:*"))]
    assert decide("s3:GetObject", identity=ident, resource_policy=res, resources=[OBJ], caller=USER) == (
        "explicitDeny"
    )


def test_resource_policy_principal_other_user_does_not_apply(decide) -> None:
    res = rp(allow("s3:GetObject", OBJ, Principal={"AWS": "arn:aws:iam::111122223333:user/carol"}))
    assert decide("s3:GetObject", resource_policy=res, resources=[OBJ], caller=USER) == "implicitDeny"


# --- Permissions boundaries and session policies --------------------------


def test_boundary_intersects_identity_policy(decide) -> None:
    ident = [policy(allow("s3:*"), allow("iam:*"))]
    boundary = [policy(allow("s3:*"))]
    assert decide("s3:GetObject", identity=ident, boundaries=boundary) == "allowed"
    assert decide("iam:CreateUser", identity=ident, boundaries=boundary) == "implicitDeny"


def test_boundary_alone_grants_nothing(decide) -> None:
    assert decide("s3:GetObject", boundaries=[policy(allow("*"))]) == "implicitDeny"


def test_boundary_deny_is_explicit(decide) -> None:
    out = decide(
        "s3:GetObject", identity=[policy(allow("s3:*"))], boundaries=[policy(allow("*"), deny("s3:Get*"))]
    )
    assert out == "explicitDeny"


def test_resource_policy_naming_user_is_not_limited_by_boundary(decide) -> None:
    res = rp(allow("s3:GetObject", OBJ, Principal={"AWS": USER}))
    out = decide(
        "s3:GetObject", resource_policy=res, resources=[OBJ], caller=USER, boundaries=[policy(allow("ec2:*"))]
    )
    assert out == "allowed"


def test_resource_policy_naming_role_is_limited_by_boundary(decide) -> None:
    res = rp(allow("s3:GetObject", OBJ, Principal={"AWS": ROLE}))
    out = decide(
        "s3:GetObject",
        resource_policy=res,
        resources=[OBJ],
        caller=SESSION,
        boundaries=[policy(allow("ec2:*"))],
    )
    assert out == "implicitDeny"


def test_resource_policy_naming_session_is_not_limited_by_boundary_or_session_policy(decide) -> None:
    res = rp(allow("s3:GetObject", OBJ, Principal={"AWS": SESSION}))
    out = decide(
        "s3:GetObject",
        resource_policy=res,
        resources=[OBJ],
        caller=SESSION,
        boundaries=[policy(allow("ec2:*"))],
        sessions=[policy(allow("ec2:*"))],
    )
    assert out == "allowed"


def test_session_policy_intersects_identity_policy(decide) -> None:
    ident = [policy(allow("s3:*"))]
    assert decide("s3:GetObject", identity=ident, sessions=[policy(allow("s3:GetObject"))]) == "allowed"
    assert decide("s3:PutObject", identity=ident, sessions=[policy(allow("s3:GetObject"))]) == "implicitDeny"


def test_not_principal_deny_applies_to_principal_with_boundary(decide) -> None:
    res = rp(
        allow("s3:GetObject", OBJ, Principal={"AWS": USER}),
        {
            "Effect": "Deny",
            "NotPrincipal": {"AWS": [USER, "arn:aws:iam::111122223333:root"]},
            "Action": "s3:*",
            "Resource": OBJ,
        },
    )
    base = {"resource_policy": res, "resources": [OBJ], "caller": USER}
    assert decide("s3:GetObject", **base) == "allowed"
    assert decide("s3:GetObject", **base, boundaries=[policy(allow("s3:*"))]) == "explicitDeny"


# --- Cross-account ---------------------------------------------------------


def test_cross_account_needs_both_sides(decide) -> None:
    res = rp(allow("s3:GetObject", OBJ, Principal={"AWS": "444455556666"}))
    ident = [policy(allow("s3:GetObject"))]
    owner = "arn:aws:iam::111122223333:root"
    kw = {"resources": [OBJ], "caller": OTHER_USER, "owner": owner}
    assert decide("s3:GetObject", identity=ident, resource_policy=res, **kw) == "allowed"
    assert decide("s3:GetObject", identity=ident, **kw) == "implicitDeny"
    assert decide("s3:GetObject", resource_policy=res, **kw) == "implicitDeny"


def test_cross_account_boundary_still_limits(decide) -> None:
    res = rp(allow("s3:GetObject", OBJ, Principal={"AWS": OTHER_USER}))
    out = decide(
        "s3:GetObject",
        identity=[policy(allow("s3:*"))],
        boundaries=[policy(allow("ec2:*"))],
        resource_policy=res,
        resources=[OBJ],
        caller=OTHER_USER,
        owner="arn:aws:iam::111122223333:root",
    )
    assert out == "implicitDeny"


def test_account_in_resource_arn_decides_the_owner(decide) -> None:
    key = "arn:aws:sqs:eu-west-1:111122223333:queue"
    assert decide(
        "sqs:SendMessage", identity=[policy(allow("sqs:*"))], resources=[key], caller=OTHER_USER
    ) == ("implicitDeny")
