"""Selecting identities of an account model: `all`, kind/name globs, names, ARN globs."""

from __future__ import annotations

import itertools
import re

import pytest

from harness.account import Account, AccountModel, Identity
from harness.account.selection import (
    SelectionError,
    glob_match,
    is_selector,
    parse_selector,
    principal_identities,
    select_identities,
)

A = "111122223333"
B = "444455556666"


def _identity(kind: str, account: str, path_name: str) -> Identity:
    return Identity(
        kind=kind, name=path_name.rsplit("/", 1)[-1], arn=f"arn:aws:iam::{account}:{kind}/{path_name}"
    )


def _model() -> AccountModel:
    a = Account(account_id=A, organization_path=())
    for ident in (
        _identity("user", A, "alice"),
        _identity("user", A, "ci-build"),
        _identity("user", A, "automation/ci-deploy"),
    ):
        a.users[ident.name] = ident
    a.groups["ci-admins"] = _identity("group", A, "ci-admins")
    for ident in (
        _identity("role", A, "app"),
        _identity("role", A, "aws-service-role/mrk.kms.amazonaws.com/AWSServiceRoleForKms"),
    ):
        a.roles[ident.name] = ident
    b = Account(account_id=B, organization_path=())
    b.roles["app"] = _identity("role", B, "app")
    return AccountModel(path="model.yaml", accounts={A: a, B: b})


def _names(selectors: list[str]) -> list[str]:
    return [f"{i.kind}/{i.name}@{i.arn.split(':')[4][:4]}" for i in select_identities(_model(), selectors)]


def test_all_selects_every_user_and_role_of_every_account():
    assert _names(["all"]) == [
        "user/alice@1111",
        "user/ci-build@1111",
        "user/ci-deploy@1111",
        "role/app@1111",
        "role/AWSServiceRoleForKms@1111",
        "role/app@4444",
    ]


def test_all_leaves_out_groups_which_are_not_principals():
    assert not any(i.kind == "group" for i in principal_identities(_model()))


def test_kind_glob_selects_only_that_kind():
    assert _names(["role/*"]) == ["role/app@1111", "role/AWSServiceRoleForKms@1111", "role/app@4444"]


def test_kind_glob_matches_the_name_whatever_the_path():
    assert _names(["user/ci-*"]) == ["user/ci-build@1111", "user/ci-deploy@1111"]


def test_kind_glob_can_select_by_path():
    assert _names(["role/aws-service-role/*"]) == ["role/AWSServiceRoleForKms@1111"]


def test_names_are_matched_without_regard_to_case():
    assert _names(["role/APP"]) == ["role/app@1111", "role/app@4444"]


def test_a_bare_name_selects_users_and_roles_by_name():
    assert _names(["alice"]) == ["user/alice@1111"]


def test_an_arn_glob_restricts_to_one_account():
    assert _names([f"arn:aws:iam::{B}:role/*"]) == ["role/app@4444"]


def test_question_mark_matches_one_character():
    assert _names(["role/ap?"]) == ["role/app@1111", "role/app@4444"]


def test_several_selectors_are_a_union_in_model_order_without_duplicates():
    assert _names(["role/app", "user/alice", "role/*"]) == [
        "user/alice@1111",
        "role/app@1111",
        "role/AWSServiceRoleForKms@1111",
        "role/app@4444",
    ]


def test_a_selector_matching_nobody_is_an_error_listing_the_principals():
    with pytest.raises(SelectionError) as info:
        select_identities(_model(), ["role/ci-*"])
    assert "matches no user or role of the account model model.yaml" in info.value.message
    assert "user/alice" in info.value.hint


def test_one_empty_selector_among_others_is_still_an_error():
    with pytest.raises(SelectionError):
        select_identities(_model(), ["all", "user/nobody"])


def test_all_over_a_model_without_identities_is_an_error():
    model = AccountModel(path="empty.yaml", accounts={A: Account(account_id=A, organization_path=())})
    with pytest.raises(SelectionError) as info:
        select_identities(model, ["all"])
    assert "has no users or roles" in info.value.message


@pytest.mark.parametrize("text", ["group/ci-admins", f"arn:aws:iam::{A}:group/*"])
def test_a_group_selector_is_refused_with_the_reason(text):
    with pytest.raises(SelectionError) as info:
        parse_selector(text)
    assert "a group is not a principal" in info.value.message


@pytest.mark.parametrize("text", ["bucket/x", "role/", ""])
def test_a_malformed_selector_is_refused(text):
    with pytest.raises(SelectionError):
        parse_selector(text)


def test_a_selector_never_matches_a_group_arn():
    assert not parse_selector("all").matches_arn(f"arn:aws:iam::{A}:group/ci-admins")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("all", True),
        ("role/*", True),
        ("role/app", True),
        ("ci-*", True),
        (f"arn:aws:iam::{A}:role/*", True),
        (f"arn:aws:iam::{A}:role/app", False),  # one principal, as it always was
        ("cado-role", False),  # a name from the file's principals:
    ],
)
def test_which_texts_are_selections_over_the_model(text, expected):
    assert is_selector(text) is expected


def _reference(pattern: str, text: str) -> bool:
    regex = "".join(".*" if ch == "*" else "." if ch == "?" else re.escape(ch) for ch in pattern)
    return re.fullmatch(regex, text, flags=re.IGNORECASE | re.DOTALL) is not None


def test_glob_match_agrees_with_wildcard_semantics_on_every_short_pattern():
    patterns = ["".join(p) for n in range(5) for p in itertools.product("aB*?", repeat=n)]
    texts = ["".join(t) for n in range(5) for t in itertools.product("Ab", repeat=n)]
    for pattern in patterns:
        for text in texts:
            assert glob_match(pattern.casefold(), text) is _reference(pattern, text), (pattern, text)


def test_a_hostile_glob_is_answered_without_regex_backtracking():
    # As a regex this pattern backtracks exponentially on a long name that does not match.
    assert not glob_match("*a" * 30 + "*b", "a" * 64)
    assert glob_match("*a" * 30 + "*", "a" * 64)
