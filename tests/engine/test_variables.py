"""Policy variables (harness.engine.variables)."""

from __future__ import annotations

from harness.engine.context import ContextValue, RequestContext
from harness.engine.variables import (
    Template,
    has_variables,
    pattern_regex,
    substitute,
    variables_enabled,
)


def _ctx(**values: str | list[str]) -> RequestContext:
    items = []
    for key, v in values.items():
        name = key.replace("__", ":").replace("_SLASH_", "/")
        if isinstance(v, list):
            items.append(ContextValue(name, tuple(v), "stringList"))
        else:
            items.append(ContextValue(name, (v,)))
    return RequestContext(items)


USER = _ctx(aws__username="alice")


def test_has_variables_detects_a_variable() -> None:
    assert has_variables("home/${aws:username}/*")


def test_has_variables_is_false_for_plain_text() -> None:
    assert not has_variables("home/*")


def test_has_variables_is_false_for_an_unterminated_variable() -> None:
    assert not has_variables("home/${aws:username")


def test_has_variables_counts_special_characters() -> None:
    assert has_variables("a${*}b")


def test_substitute_replaces_the_key_value() -> None:
    assert substitute("home/${aws:username}/", USER) == "home/alice/"


def test_variable_key_lookup_is_case_insensitive() -> None:
    assert substitute("${AWS:UserName}", USER) == "alice"


def test_substitute_handles_principal_tags() -> None:
    ctx = RequestContext([ContextValue("aws:PrincipalTag/team", ("red",))])
    assert substitute("${aws:PrincipalTag/team}", ctx) == "red"


def test_special_variables_give_literal_characters() -> None:
    assert substitute("${*}${?}${$}", USER) == "*?$"


def test_default_is_used_when_the_key_is_absent() -> None:
    assert substitute("${aws:PrincipalTag/team, 'company-wide'}", USER) == "company-wide"


def test_default_is_ignored_when_the_key_has_a_value() -> None:
    assert substitute("${aws:username, 'nobody'}", USER) == "alice"


def test_variable_without_value_gives_none() -> None:
    assert substitute("home/${aws:userid}", USER) is None


def test_multivalued_key_is_not_substitutable() -> None:
    ctx = _ctx(aws__TagKeys=["a", "b"])
    assert substitute("${aws:TagKeys}", ctx) is None


def test_multivalued_key_falls_back_to_default() -> None:
    ctx = _ctx(aws__TagKeys=["a"])
    assert substitute("${aws:TagKeys, 'none'}", ctx) == "none"


def test_substituted_value_is_not_substituted_again() -> None:
    ctx = _ctx(aws__username="${aws:userid}")
    assert substitute("${aws:username}", ctx) == "${aws:userid}"


def test_malformed_default_leaves_the_text_literal() -> None:
    assert substitute("${aws:username, nobody}", USER) == "${aws:username, nobody}"


def test_empty_variable_is_literal_text() -> None:
    assert substitute("a${}b", USER) == "a${}b"


def test_pattern_regex_keeps_wildcards_in_policy_text() -> None:
    rx = pattern_regex("home/${aws:username}/*", USER, ignore_case=False, variables=True)
    assert rx is not None
    assert rx.fullmatch("home/alice/docs/a.txt")
    assert not rx.fullmatch("home/bob/docs")


def test_pattern_regex_treats_substituted_value_as_literal() -> None:
    ctx = _ctx(aws__username="a*")
    rx = pattern_regex("home/${aws:username}", ctx, ignore_case=False, variables=True)
    assert rx is not None
    assert rx.fullmatch("home/a*")
    assert not rx.fullmatch("home/abc")


def test_pattern_regex_special_star_is_a_literal_star() -> None:
    rx = pattern_regex("file${*}name", USER, ignore_case=False, variables=True)
    assert rx is not None
    assert rx.fullmatch("file*name")
    assert not rx.fullmatch("fileXname")


def test_pattern_regex_special_question_mark_is_literal() -> None:
    rx = pattern_regex("what${?}", USER, ignore_case=False, variables=True)
    assert rx is not None
    assert rx.fullmatch("what?")
    assert not rx.fullmatch("whats")


def test_pattern_regex_is_none_when_a_variable_has_no_value() -> None:
    assert pattern_regex("${aws:userid}/*", USER, ignore_case=False, variables=True) is None


def test_pattern_regex_with_variables_off_treats_dollar_text_literally() -> None:
    # Version 2008-10-17: `${...}` is ordinary text (the `*` inside still globs).
    rx = pattern_regex("home/${aws:username}", USER, ignore_case=False, variables=False)
    assert rx is not None
    assert rx.fullmatch("home/${aws:username}")
    assert not rx.fullmatch("home/alice")


def test_pattern_regex_without_context_uses_defaults() -> None:
    rx = pattern_regex("${aws:username, 'guest'}", None, ignore_case=False, variables=True)
    assert rx is not None
    assert rx.fullmatch("guest")


def test_pattern_regex_can_ignore_case() -> None:
    rx = pattern_regex("HOME/${aws:username}", USER, ignore_case=True, variables=True)
    assert rx is not None
    assert rx.fullmatch("home/ALICE")


def test_variables_are_enabled_only_for_version_2012_10_17() -> None:
    assert variables_enabled("2012-10-17")
    assert not variables_enabled("2008-10-17")
    assert not variables_enabled(None)


def test_template_reports_variable_keys_lower_cased() -> None:
    assert Template("${AWS:UserName}-${aws:PrincipalTag/Team}").variable_keys == {
        "aws:username",
        "aws:principaltag/team",
    }


def test_template_lists_unresolved_variables_as_written() -> None:
    assert Template("${aws:userid}/${aws:username}").unresolved(USER) == ("${aws:userid}",)
