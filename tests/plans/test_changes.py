"""The one walker that finds a value not known before apply inside a plan value."""

from __future__ import annotations

from harness.plans.changes import Unknown, first_unknown


def test_first_unknown_is_the_first_in_document_order_at_any_depth():
    a, b = Unknown("a"), Unknown("b")
    assert first_unknown({"x": [1, {"y": a}], "z": b}) is a
    assert first_unknown(b) is b


def test_a_value_with_no_unknown_part_has_none():
    assert first_unknown({"Statement": [{"Effect": "Allow", "Action": ["s3:*"]}]}) is None
