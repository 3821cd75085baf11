"""Principal / NotPrincipal matching and caller parsing."""

from __future__ import annotations

from harness.engine.principals import PrincipalMatch, compile_principals, parse_caller

USER = "arn:aws:iam::111122223333:user/alice"
ROLE = "arn:aws:iam::111122223333:role/ops/Responder"
SESSION = "arn:aws:sts::111122223333:assumed-role/Responder/case-42"


def _p(raw: object):
    return compile_principals(raw, policy_id="ResourcePolicy", statement=0, element="Principal")


def test_session_caller_has_role_arn_as_principal_arn() -> None:
    caller = parse_caller(SESSION)
    assert caller.kind == "assumed-role"
    assert caller.principal_arn == "arn:aws:iam::111122223333:role/Responder"
    assert caller.account == "111122223333"


def test_account_id_names_every_principal_of_the_account() -> None:
    p = _p({"AWS": "111122223333"})
    for arn in (USER, ROLE, SESSION):
        assert p.match(parse_caller(arn)) is PrincipalMatch.ACCOUNT


def test_account_root_arn_is_the_same_as_account_id() -> None:
    p = _p({"AWS": "arn:aws:iam::111122223333:root"})
    assert p.match(parse_caller(USER)) is PrincipalMatch.ACCOUNT
    assert p.match(parse_caller("arn:aws:iam::444455556666:user/alice")) is None


def test_role_arn_with_path_names_its_sessions() -> None:
    p = _p({"AWS": ROLE})
    assert p.match(parse_caller(SESSION)) is PrincipalMatch.ROLE
    assert p.match(parse_caller(ROLE)) is PrincipalMatch.ROLE


def test_session_arn_names_only_that_session() -> None:
    p = _p({"AWS": SESSION})
    assert p.match(parse_caller(SESSION)) is PrincipalMatch.SESSION
    assert p.match(parse_caller("arn:aws:sts::111122223333:assumed-role/Responder/other")) is None
    assert p.match(parse_caller(ROLE)) is None


def test_user_arn_names_the_user_directly() -> None:
    assert _p({"AWS": [USER]}).match(parse_caller(USER)) is PrincipalMatch.USER


def test_star_names_everyone_including_services() -> None:
    assert _p("*").match(parse_caller("cloudtrail.amazonaws.com")) is PrincipalMatch.WILDCARD
    assert _p({"AWS": "*"}).match(parse_caller(USER)) is PrincipalMatch.WILDCARD


def test_service_principal_matches_case_insensitively() -> None:
    p = _p({"Service": "CloudTrail.amazonaws.com"})
    assert p.match(parse_caller("cloudtrail.amazonaws.com")) is PrincipalMatch.SERVICE
    assert p.match(parse_caller(USER)) is None


def test_account_does_not_name_a_service_principal() -> None:
    assert _p({"AWS": "111122223333"}).match(parse_caller("ec2.amazonaws.com")) is None


def test_direct_grant_is_preferred_over_account_grant() -> None:
    p = _p({"AWS": ["111122223333", USER]})
    assert p.match(parse_caller(USER)) is PrincipalMatch.USER


def test_not_principal_deny_needs_account_and_identity_to_name_caller() -> None:
    only_user = _p({"AWS": USER})
    both = _p({"AWS": [USER, "arn:aws:iam::111122223333:root"]})
    caller = parse_caller(USER)
    assert not only_user.names(caller, deny=True, has_boundary=False)
    assert both.names(caller, deny=True, has_boundary=False)


def test_not_principal_deny_never_names_a_principal_with_a_boundary() -> None:
    both = _p({"AWS": [USER, "arn:aws:iam::111122223333:root"]})
    assert not both.names(parse_caller(USER), deny=True, has_boundary=True)


def test_not_principal_allow_names_caller_by_any_means() -> None:
    assert _p({"AWS": "111122223333"}).names(parse_caller(USER), deny=False, has_boundary=False)
