"""Glob and ARN matching (harness.engine.patterns)."""

from __future__ import annotations

from harness.engine.patterns import RegexCache, arn_like, glob_regex, glob_source


def test_star_matches_any_run_including_empty() -> None:
    rx = glob_regex("home/*/x", ignore_case=False)
    assert rx.fullmatch("home//x")
    assert rx.fullmatch("home/a/b/c/x")


def test_question_mark_matches_exactly_one_character() -> None:
    rx = glob_regex("a?c", ignore_case=False)
    assert rx.fullmatch("abc")
    assert not rx.fullmatch("ac")
    assert not rx.fullmatch("abbc")


def test_glob_must_match_the_whole_value() -> None:
    assert not glob_regex("abc", ignore_case=False).fullmatch("xabcx")


def test_regex_metacharacters_are_literal() -> None:
    rx = glob_regex("a.b+(c)[d]", ignore_case=False)
    assert rx.fullmatch("a.b+(c)[d]")
    assert not rx.fullmatch("axbb(c)d")


def test_glob_is_case_sensitive_unless_asked() -> None:
    assert not glob_regex("Admin*", ignore_case=False).fullmatch("admin-1")
    assert glob_regex("Admin*", ignore_case=True).fullmatch("admin-1")


def test_star_matches_newlines() -> None:
    assert glob_regex("a*b", ignore_case=False).fullmatch("a\nb")


def test_literal_segment_keeps_wildcards_literal() -> None:
    import re

    rx = re.compile(glob_source([("a", True), ("*", False), ("*", True)]))
    assert rx.fullmatch("a*zzz")
    assert not rx.fullmatch("azzz")


def test_arn_like_matches_wildcard_inside_a_part() -> None:
    assert arn_like("arn:aws:iam::*:role/Admin", "arn:aws:iam::123456789012:role/Admin")


def test_arn_like_wildcard_does_not_cross_a_colon_before_the_resource() -> None:
    # `*` in the region part cannot eat the account part's colon.
    assert not arn_like("arn:aws:sqs:*:123456789012:q", "arn:aws:sqs:us-east-1:extra:123456789012:q")


def test_arn_like_pattern_with_too_few_parts_matches_nothing() -> None:
    assert not arn_like("arn:aws:iam::*", "arn:aws:iam::123456789012:root")


def test_arn_like_resource_part_may_contain_colons() -> None:
    assert arn_like("arn:aws:logs:*:*:log-group:*", "arn:aws:logs:us-east-1:1:log-group:g:log-stream:s")


def test_arn_like_value_that_is_not_an_arn_does_not_match() -> None:
    assert not arn_like("*", "not-an-arn")
    assert not arn_like("arn:*", "arn:aws:s3")


def test_arn_like_lone_star_matches_any_arn() -> None:
    assert arn_like("*", "arn:aws:s3:::bucket")


def test_arn_like_is_case_sensitive() -> None:
    assert not arn_like("arn:aws:iam::1:role/admin", "arn:aws:iam::1:role/Admin")


def test_arn_like_question_mark_matches_one_character_in_a_part() -> None:
    assert arn_like("arn:aws:iam::12345678901?:root", "arn:aws:iam::123456789012:root")
    assert not arn_like("arn:aws:iam::?:root", "arn:aws:iam:::root")


def test_regex_cache_returns_the_same_compiled_pattern() -> None:
    cache = RegexCache()
    a = cache.glob("a*", ignore_case=False)
    assert cache.glob("a*", ignore_case=False) is a
    assert len(cache) == 1


def test_regex_cache_stays_bounded() -> None:
    cache = RegexCache(limit=2)
    for p in ("a", "b", "c"):
        cache.glob(p, ignore_case=False)
    assert len(cache) <= 2
