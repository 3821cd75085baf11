"""Policies changed as parsed data: a statement added, removed, found where the engine says it starts."""

from __future__ import annotations

import json

import pytest

from harness.engine import Engine, PolicySource, SimulationInput
from harness.fixes.documents import (
    DocumentError,
    statement_at,
    statements_of,
    with_statement,
    without_statement,
)

ALLOW = {"Sid": "A", "Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*"}
DENY = {"Effect": "Deny", "Action": "kms:Decrypt", "Resource": "*"}
TEXT = json.dumps({"Version": "2012-10-17", "Statement": [ALLOW, DENY]}, indent=2)
NEW = {"Sid": "HarnessFixABC", "Effect": "Allow", "Action": ["kms:Encrypt"], "Resource": "*"}


def test_a_statement_is_appended_and_the_others_are_kept_as_they_were():
    assert statements_of(with_statement(TEXT, NEW)) == [ALLOW, DENY, NEW]


def test_a_policy_that_does_not_exist_yet_is_made_with_the_statement():
    assert json.loads(with_statement(None, NEW)) == {"Version": "2012-10-17", "Statement": [NEW]}


def test_a_single_statement_object_is_read_as_a_list():
    text = json.dumps({"Version": "2012-10-17", "Statement": ALLOW})
    assert statements_of(with_statement(text, NEW)) == [ALLOW, NEW]


def test_the_same_statement_twice_is_added_once():
    once = with_statement(TEXT, NEW)
    assert with_statement(once, NEW) == once


def test_a_sid_taken_by_another_statement_is_refused():
    with pytest.raises(DocumentError, match="Sid 'A' is already used"):
        with_statement(TEXT, {**NEW, "Sid": "A"})


def test_a_statement_without_a_sid_is_removed_by_its_content():
    assert statements_of(without_statement(TEXT, DENY)) == [ALLOW]


def test_removing_a_statement_the_policy_lacks_is_an_error():
    with pytest.raises(DocumentError, match="no statement"):
        without_statement(TEXT, NEW)


def test_the_statement_is_found_at_the_position_the_engine_reported():
    source = PolicySource(TEXT, "p", "role")
    output = Engine().simulate(SimulationInput(("kms:Decrypt",), identity_policies=(source,)))
    [matched] = output.results[0].matched_statements
    assert statement_at(TEXT, matched.start) == DENY


def test_text_that_is_not_a_json_object_is_an_error():
    with pytest.raises(DocumentError, match="not a JSON object"):
        with_statement("[1]", NEW)
