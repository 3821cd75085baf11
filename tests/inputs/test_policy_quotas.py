"""AWS's policy size and character limits: refused where nothing in AWS could hold the document,
a warning where only some places could."""

from __future__ import annotations

import pytest

from harness.engine.types import PolicyKind
from harness.inputs.quotas import counted_size, inline_total_finding, policy_findings


def doc(size: int) -> str:
    """A document of `size` counted characters, padded with whitespace IAM does not count."""
    body = '{"Statement":[{"Sid":"' + "a" * max(0, size - 24) + '"}]}'
    return body.replace(":", ":   ")


def test_whitespace_is_not_counted():
    assert counted_size('{ "a" :\n\t"b" }') == len('{"a":"b"}')


def test_a_small_policy_breaks_no_quota():
    assert policy_findings(doc(500), PolicyKind.IDENTITY) == []


def test_identity_policy_over_the_managed_quota_is_a_warning():
    (finding,) = policy_findings(doc(7000), PolicyKind.IDENTITY)
    assert not finding.refused and "6,144" in finding.message


def test_identity_policy_no_identity_can_hold_is_refused():
    (finding,) = policy_findings(doc(11000), PolicyKind.IDENTITY)
    assert finding.refused


@pytest.mark.parametrize(
    ("kind", "size", "limit"),
    [
        (PolicyKind.PERMISSIONS_BOUNDARY, 6200, "6,144"),
        (PolicyKind.SESSION, 2100, "2,048"),
        (PolicyKind.SCP, 5200, "5,120"),
        (PolicyKind.RCP, 5200, "5,120"),
    ],
)
def test_policy_over_the_only_quota_its_kind_has_is_refused(kind, size, limit):
    (finding,) = policy_findings(doc(size), kind)
    assert finding.refused and limit in finding.message


def test_resource_policy_over_the_s3_quota_is_a_warning():
    (finding,) = policy_findings(doc(21000), PolicyKind.RESOURCE)
    assert not finding.refused


def test_anything_over_the_simulator_limit_is_refused():
    (finding,) = policy_findings("{" + " " * 140_000 + "}", PolicyKind.RESOURCE)
    assert finding.refused and "131,072" in finding.message


def test_character_outside_the_allowed_range_is_refused_with_its_line():
    (finding,) = policy_findings('{\n"Sid": "caf\u00e9 \u2014"}', PolicyKind.IDENTITY)
    assert finding.refused and "U+2014 at line 2" in finding.message


def test_latin1_range_characters_are_allowed():
    assert policy_findings('{"Sid": "caf\u00e9 \u00ff"}', PolicyKind.IDENTITY) == []


@pytest.mark.parametrize(("kind", "limit"), [("user", 2048), ("group", 5120), ("role", 10240)])
def test_inline_policies_of_one_identity_together_have_iams_aggregate_quota(kind, limit):
    assert inline_total_finding(kind, limit) is None
    finding = inline_total_finding(kind, limit + 1)
    assert finding is not None and finding.refused
