"""The string-operation matchers agree with the regex reading of every pattern flavor.

The oracles below are the regex sources the engine used before the fast paths
(one per flavor, character by character); every fast matcher must give the same
answer on every pattern and value.
"""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from harness.engine import ContextEntry, Engine, PolicySource, SimulationInput
from harness.engine.patterns import (
    BOUNDED_ONE,
    BOUNDED_STAR,
    PatternCache,
    PatternFlavor,
    _free_pieces,
    fast_matcher,
    resource_tokens,
)

# --- oracles: the former regex sources --------------------------------------------


def _oracle_resource(segments: list[tuple[str, bool]]) -> str:
    out: list[str] = []
    colons = 0
    flat = [(ch, g) for text, g in segments for ch in text]
    for idx, (ch, is_glob) in enumerate(flat):
        bounded = colons < 5
        if ch == ":":
            colons += 1
            out.append(":")
        elif is_glob and ch == "*":
            nxt = flat[idx + 1][0] if idx + 1 < len(flat) else ""
            out.append("[^:]*" if bounded and nxt not in (":", "") else ".*")
        elif is_glob and ch == "?":
            out.append("[^:]" if bounded else ".")
        else:
            out.append(re.escape(ch))
    return "".join(out)


def _oracle_glob(segments: list[tuple[str, bool]], *, arn: bool) -> str:
    colons_in_pattern = sum(text.count(":") for text, _ in segments)
    if arn and 0 < colons_in_pattern < 5:
        return "(?!)"
    per_part = arn and colons_in_pattern >= 5
    out = ["(?=(?:[^:]*:){5})"] if arn else []
    colons = 0
    for text, is_glob in segments:
        for ch in text:
            bounded = per_part and colons < 5
            if ch == ":":
                colons += 1
                out.append(":")
            elif is_glob and ch == "*":
                out.append("[^:]*" if bounded else ".*")
            elif is_glob and ch == "?":
                out.append("[^:]" if bounded else ".")
            else:
                out.append(re.escape(ch))
    return "".join(out)


def _oracle(flavor: PatternFlavor, segments: list[tuple[str, bool]], value: str) -> bool:
    if flavor is PatternFlavor.RESOURCE:
        source = _oracle_resource(segments)
    elif flavor is PatternFlavor.ACTION:
        low = "".join(t for t, _ in segments).lower()
        source = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in low)
        value = value.lower()
    else:
        source = _oracle_glob(segments, arn=flavor is PatternFlavor.ARN_LIKE)
    return re.compile(source, re.DOTALL).fullmatch(value) is not None


def _fast(flavor: PatternFlavor, segments: list[tuple[str, bool]], value: str) -> bool:
    if flavor is PatternFlavor.ACTION:
        segments = [("".join(t for t, _ in segments).lower(), True)]
        value = value.lower()
    return PatternCache().matcher(flavor, tuple(segments))(value)


# --- property: same answer as the oracle -----------------------------------------

_PATTERN_TEXT = st.text(alphabet="ab:*?/", max_size=14)
_VALUE = st.text(alphabet="ab:/", max_size=16)
_ARNISH = st.lists(st.text(alphabet="ab*?", max_size=3), min_size=6, max_size=7).map(":".join)


@settings(max_examples=500, deadline=None)
@given(flavor=st.sampled_from(list(PatternFlavor)), pattern=_PATTERN_TEXT | _ARNISH, value=_VALUE)
def test_fast_matcher_agrees_with_regex_reading(flavor: PatternFlavor, pattern: str, value: str) -> None:
    segments = [(pattern, True)]
    assert _fast(flavor, segments, value) == _oracle(flavor, segments, value)


@settings(max_examples=500, deadline=None)
@given(
    flavor=st.sampled_from([PatternFlavor.RESOURCE, PatternFlavor.STRING_LIKE, PatternFlavor.ARN_LIKE]),
    segments=st.lists(st.tuples(_PATTERN_TEXT, st.booleans()), min_size=1, max_size=3),
    value=_VALUE,
)
def test_fast_matcher_agrees_with_regex_on_substituted_segments(
    flavor: PatternFlavor, segments: list[tuple[str, bool]], value: str
) -> None:
    assert _fast(flavor, segments, value) == _oracle(flavor, segments, value)


@settings(max_examples=1000, deadline=None)
@given(pattern=_PATTERN_TEXT | _ARNISH)
def test_a_resource_pattern_is_read_by_a_split_when_the_tokens_hold_no_bounded_wildcard(pattern: str) -> None:
    tokens = resource_tokens([(pattern, True)])
    bounded = any(kind in (BOUNDED_STAR, BOUNDED_ONE) for kind, _ in tokens.items)
    assert (_free_pieces(PatternFlavor.RESOURCE, pattern) is None) == bounded


# --- shapes that take the string paths -------------------------------------------


def _shape(text: str) -> bool:
    """True when a resource pattern is matched without a regex."""
    return fast_matcher(resource_tokens([(text, True)])) is not None


def test_exact_prefix_suffix_and_free_stars_need_no_regex() -> None:
    assert _shape("arn:aws:s3:::bucket/key")
    assert _shape("arn:aws:s3:::bucket/*")
    assert _shape("arn:aws:s3:::*.txt")
    assert _shape("arn:aws:kms:*:111122223333:key/*")
    assert _shape("arn:aws:s3:::a*b*c")


def test_bounded_star_inside_a_part_is_matched_part_by_part() -> None:
    assert _shape("arn:aws:kms:eu-*-1:111122223333:key/*")
    match = PatternCache().pattern(PatternFlavor.RESOURCE, "arn:aws:kms:eu-*-1:111122223333:key/*")
    assert match("arn:aws:kms:eu-west-1:111122223333:key/k")
    assert not match("arn:aws:kms:eu-x:y-1:111122223333:key/k")  # the `*` stays in the region


def test_question_marks_need_no_regex() -> None:
    assert _shape("arn:aws:s3:::bucket-????/*")
    assert _shape("arn:aws:s3:::b?c*d?e*f")
    assert _shape("arn:aws:kms:eu-????-1:111122223333:key/*")
    match = PatternCache().pattern(PatternFlavor.RESOURCE, "arn:aws:s3:::bucket-????/*")
    assert match("arn:aws:s3:::bucket-0001/x")
    assert not match("arn:aws:s3:::bucket-001/x")


def test_a_star_next_to_a_bounded_wildcard_in_the_first_parts_takes_the_regex() -> None:
    assert not _shape("arn:aws:kms:eu-*:*-1:key/*")  # free `*` ends the region, bounded one in the account
    match = PatternCache().pattern(PatternFlavor.RESOURCE, "arn:aws:kms:eu-*:*-1:key/*")
    assert match("arn:aws:kms:eu-west:x:y-1:key/k")


# --- edge cases of the readings ---------------------------------------------------


def test_segment_final_star_in_a_resource_crosses_colons() -> None:
    match = PatternCache().pattern(PatternFlavor.RESOURCE, "arn:aws:sqs:*:111122223333:q")
    assert match("arn:aws:sqs:us-east-1:111122223333:q")
    assert match("arn:aws:sqs:us:east:111122223333:q")  # segment-final `*` may expand past colons


def test_arn_like_star_stays_inside_its_part() -> None:
    match = PatternCache().pattern(PatternFlavor.ARN_LIKE, "arn:aws:sqs:*:111122223333:q")
    assert match("arn:aws:sqs:us-east-1:111122223333:q")
    assert not match("arn:aws:sqs:us:east:111122223333:q")


def test_question_mark_never_matches_a_colon_in_the_first_parts() -> None:
    assert not PatternCache().pattern(PatternFlavor.RESOURCE, "arn:aws:s3?::b")("arn:aws:s3:::b")
    assert PatternCache().pattern(PatternFlavor.RESOURCE, "arn:aws:s3:::b?")("arn:aws:s3:::b:")


def test_star_matches_the_empty_string_and_the_whole_value_must_match() -> None:
    cache = PatternCache()
    assert cache.pattern(PatternFlavor.STRING_LIKE, "ab*")("ab")
    assert not cache.pattern(PatternFlavor.STRING_LIKE, "ab*")("xab")
    assert not cache.pattern(PatternFlavor.STRING_LIKE, "a*a")("a")  # the two `a` cannot overlap
    assert cache.pattern(PatternFlavor.STRING_LIKE, "*")("")


def test_resource_patterns_are_case_sensitive() -> None:
    assert not PatternCache().pattern(PatternFlavor.RESOURCE, "arn:aws:s3:::Bucket/*")(
        "arn:aws:s3:::bucket/x"
    )


def test_action_patterns_are_case_insensitive() -> None:
    engine = Engine()
    doc = (
        '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "S3:get*", "Resource": "*"}]}'
    )
    out = engine.simulate(
        SimulationInput(
            action_names=("s3:GetObject", "s3:PutObject"),
            identity_policies=(PolicySource(doc, "PolicyInputList.1", "IAM Policy"),),
        )
    )
    assert [r.decision.value for r in out.results] == ["allowed", "implicitDeny"]


def test_substituted_variable_value_is_literal_inside_a_pattern() -> None:
    engine = Engine()
    doc = (
        '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject",'
        ' "Resource": "arn:aws:s3:::home/${aws:username}/*"}]}'
    )

    def decide(user: str, resource: str) -> str:
        out = engine.simulate(
            SimulationInput(
                action_names=("s3:GetObject",),
                resource_arns=(resource,),
                identity_policies=(PolicySource(doc, "PolicyInputList.1", "IAM Policy"),),
                context=(ContextEntry("aws:username", (user,)),),
            )
        )
        return out.results[0].decision.value

    assert decide("alice", "arn:aws:s3:::home/alice/f") == "allowed"
    assert decide("a*", "arn:aws:s3:::home/alice/f") == "implicitDeny"  # `*` from a value is literal
    assert decide("a*", "arn:aws:s3:::home/a*/f") == "allowed"


def test_engine_compiles_a_policy_text_once_across_ids() -> None:
    engine = Engine()
    doc = '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}'
    engine.compile(PolicySource(doc, "PolicyInputList.1", "IAM Policy"))  # kept once seen again
    first = engine.compile(PolicySource(doc, "PolicyInputList.1", "IAM Policy"))
    second = engine.compile(PolicySource(doc, "PolicyInputList.2", "IAM Policy"))
    assert engine.cache_size == 1
    assert second.statements is first.statements
    assert (first.source.source_id, second.source.source_id) == ("PolicyInputList.1", "PolicyInputList.2")


def test_pattern_cache_is_bounded() -> None:
    cache = PatternCache(limit=2)
    for text in ("a*", "b*", "c*"):
        cache.pattern(PatternFlavor.STRING_LIKE, text)
    assert len(cache) == 2


def test_a_full_pattern_cache_drops_its_oldest_entries_first() -> None:
    cache = PatternCache(limit=32)
    kept = [cache.pattern(PatternFlavor.STRING_LIKE, f"p{i}*") for i in range(33)]
    assert len(cache) == 31  # the 33rd pattern dropped the oldest sixteenth (two)
    assert cache.pattern(PatternFlavor.STRING_LIKE, "p32*") is kept[32]
    assert cache.pattern(PatternFlavor.STRING_LIKE, "p2*") is kept[2]
    assert cache.pattern(PatternFlavor.STRING_LIKE, "p0*") is not kept[0]
