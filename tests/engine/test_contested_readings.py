"""Classes where a differential run against the reference simulator disagreed, pinned with AWS's page.

Each class is also listed in docs/engine.md ("Readings where the docs do not settle it")
or in devtools/conformance_divergences.py.
"""

from __future__ import annotations

from engine_builders import allow, deny, policy

A = "111122223333"
B = "444455556666"
USER = f"arn:aws:iam::{A}:user/alice"
ROOT = f"arn:aws:iam::{A}:root"
BUCKET = "arn:aws:s3:::evidence"
OBJ = f"{BUCKET}/disk.img"


# The root user is a caller in its own right; identity policies cannot be attached to it, but a
# resource policy naming the account grants to the account, and the account's root has it.
# https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html#principal-accounts
def test_root_user_as_caller_is_granted_by_a_resource_policy_naming_its_account(decide) -> None:
    resource = policy(allow("s3:GetObject", OBJ, Principal={"AWS": ROOT}))
    assert decide("s3:GetObject", resources=[OBJ], resource_policy=resource, caller=ROOT) == "allowed"


def test_root_user_of_another_account_is_not_granted_by_a_policy_naming_this_account(decide) -> None:
    resource = policy(allow("s3:GetObject", OBJ, Principal={"AWS": ROOT}))
    other_root = f"arn:aws:iam::{B}:root"
    out = decide("s3:GetObject", resources=[OBJ], resource_policy=resource, caller=other_root, owner=ROOT)
    assert out == "implicitDeny"


# Without ResourceOwner the simulator takes the resource to be in the caller's account, and the
# root user has full access to its own account's resources ("cannot be limited by IAM policies").
# https://docs.aws.amazon.com/IAM/latest/UserGuide/id_root-user.html
def test_root_user_is_allowed_on_a_resource_of_its_own_account(decide) -> None:
    resource = policy(allow("s3:GetObject", OBJ, Principal={"AWS": f"arn:aws:iam::{B}:user/bob"}))
    other_root = f"arn:aws:iam::{B}:root"
    assert decide("s3:GetObject", resources=[OBJ], resource_policy=resource, caller=other_root) == "allowed"


# Deny with NotPrincipal: a request is evaluated as each of the principal's identities (the user
# and its account), so NotPrincipal must name both to exempt the user.
# https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html
def _deny_all_but(*principals: str) -> dict:
    return policy(
        allow("s3:GetObject", OBJ, Principal={"AWS": USER}),
        deny("s3:GetObject", OBJ, NotPrincipal={"AWS": list(principals)}),
    )


def test_deny_with_notprincipal_naming_only_the_user_still_denies_the_user(decide) -> None:
    out = decide("s3:GetObject", resources=[OBJ], resource_policy=_deny_all_but(USER), caller=USER)
    assert out == "explicitDeny"


def test_deny_with_notprincipal_naming_only_the_account_still_denies_the_user(decide) -> None:
    out = decide("s3:GetObject", resources=[OBJ], resource_policy=_deny_all_but(ROOT), caller=USER)
    assert out == "explicitDeny"


def test_deny_with_notprincipal_naming_the_user_and_its_account_exempts_the_user(decide) -> None:
    out = decide("s3:GetObject", resources=[OBJ], resource_policy=_deny_all_but(USER, ROOT), caller=USER)
    assert out == "allowed"


# A permissions boundary limits a same-account grant from a resource policy unless the grant names
# the user (or role session) ARN itself; '*' is not that ARN (the narrower reading).
# https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-basics.html
def test_a_grant_to_star_does_not_pass_a_boundary_that_does_not_allow(decide) -> None:
    resource = policy(allow("s3:GetObject", OBJ, Principal="*"))
    boundary = policy(allow("s3:ListBucket"))
    out = decide(
        "s3:GetObject", resources=[OBJ], resource_policy=resource, boundaries=[boundary], caller=USER
    )
    assert out == "implicitDeny"


def test_a_grant_naming_the_user_passes_a_boundary_that_does_not_allow(decide) -> None:
    resource = policy(allow("s3:GetObject", OBJ, Principal={"AWS": USER}))
    boundary = policy(allow("s3:ListBucket"))
    out = decide(
        "s3:GetObject", resources=[OBJ], resource_policy=resource, boundaries=[boundary], caller=USER
    )
    assert out == "allowed"


# Special characters: ${*}, ${?} and ${$} stand for a literal *, ? and $.
# https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html#policy-vars-specialchars
def test_special_variable_star_is_a_literal_star_not_a_wildcard(decide) -> None:
    ident = [policy(allow("s3:GetObject", f"{BUCKET}/${{*}}"))]
    assert decide("s3:GetObject", identity=ident, resources=[f"{BUCKET}/*"]) == "allowed"
    assert decide("s3:GetObject", identity=ident, resources=[f"{BUCKET}/x"]) == "implicitDeny"


def test_special_variable_question_mark_is_a_literal_question_mark(decide) -> None:
    ident = [policy(allow("s3:GetObject", f"{BUCKET}/a${{?}}"))]
    assert decide("s3:GetObject", identity=ident, resources=[f"{BUCKET}/a?"]) == "allowed"
    assert decide("s3:GetObject", identity=ident, resources=[f"{BUCKET}/ab"]) == "implicitDeny"


def test_special_variable_dollar_is_a_literal_dollar(decide) -> None:
    ident = [policy(allow("s3:GetObject", f"{BUCKET}/${{$}}x"))]
    assert decide("s3:GetObject", identity=ident, resources=[f"{BUCKET}/$x"]) == "allowed"


def test_special_variables_are_literal_text_in_version_2008(decide) -> None:
    # Policy variables need Version 2012-10-17; before it, ${...} is plain text.
    ident = [policy(allow("s3:GetObject", f"{BUCKET}/${{*}}"), version="2008-10-17")]
    assert decide("s3:GetObject", identity=ident, resources=[f"{BUCKET}/${{*}}"]) == "allowed"
    assert decide("s3:GetObject", identity=ident, resources=[f"{BUCKET}/*"]) == "implicitDeny"


# ARNs are compared per colon-delimited component, six of them; the sixth, the resource, is
# everything after the fifth colon. A wildcard in one of the first five stays inside it; in the
# resource part `?` is any one character, a colon included.
# https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_ARN
def test_a_wildcard_in_the_region_never_reaches_into_the_account(decide) -> None:
    ident = [policy(allow("kms:Decrypt", f"arn:aws:kms:*:{A}:key/k"))]
    assert decide("kms:Decrypt", identity=ident, resources=[f"arn:aws:kms:eu-west-3:{A}:key/k"]) == "allowed"
    assert decide("kms:Decrypt", identity=ident, resources=[f"arn:aws:kms:eu-west-3:{B}:key/k"]) == (
        "implicitDeny"
    )


def test_question_mark_in_the_resource_part_matches_a_colon(decide) -> None:
    ident = [policy(allow("logs:GetLogEvents", f"arn:aws:logs:eu-west-3:{A}:log-group:a?b"))]
    out = decide("logs:GetLogEvents", identity=ident, resources=[f"arn:aws:logs:eu-west-3:{A}:log-group:a:b"])
    assert out == "allowed"


def test_question_mark_in_the_resource_type_part_matches_one_character(decide) -> None:
    ident = [policy(allow("kms:Decrypt", f"arn:aws:kms:eu-west-3:{A}:ke?/k"))]
    assert decide("kms:Decrypt", identity=ident, resources=[f"arn:aws:kms:eu-west-3:{A}:key/k"]) == "allowed"
