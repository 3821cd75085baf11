"""Reading a policy's JSON: the quick reader (msgspec) never decides differently from the json module."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from harness.engine.errors import MalformedPolicyDocument
from harness.engine.policy import parse_document


def _by_json_module(text: str) -> object:
    """The reference reading: json, refusing a key written twice in one object."""

    def pairs(items: list[tuple[str, object]]) -> dict[str, object]:
        if len({k for k, _ in items}) != len(items):
            raise MalformedPolicyDocument("duplicate key")
        return dict(items)

    return json.loads(text, object_pairs_hook=pairs)


def _outcome(read, text: str) -> tuple[str, object]:
    try:
        return "value", read(text)
    except MalformedPolicyDocument:
        return "duplicate", None
    except (json.JSONDecodeError, RecursionError):
        return "invalid", None


# Keys and strings from a small alphabet, colons and quotes included, so that keys repeat
# and strings hold what a colon count could confuse with structure.
_strings = st.text(alphabet='ab:"\\ é\n', max_size=4)
_scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), _strings)


def _objects_as_text(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    pair = st.tuples(_strings.map(json.dumps), children)
    return st.lists(pair, max_size=4).map(lambda ps: "{" + ", ".join(f"{k}: {v}" for k, v in ps) + "}")


_texts = st.recursive(
    _scalars.map(json.dumps),
    lambda children: st.one_of(
        _objects_as_text(children), st.lists(children, max_size=4).map(lambda xs: "[" + ",".join(xs) + "]")
    ),
    max_leaves=12,
)


@settings(max_examples=400, deadline=None)
@given(_texts)
def test_every_text_reads_as_the_json_module_reads_it(text: str) -> None:
    assert _outcome(parse_document, text) == _outcome(_by_json_module, text)


@pytest.mark.parametrize(
    "text",
    [
        '{"a": 1, "a": 1}',
        '{"a": {"b": ":", "b": ":"}}',
        '{"a:": 1, "a:": 2}',
        '[{"x": "1"}, {"y": 1, "y": "::"}]',
        '{"a\\u003a": 1, "a\\u003a": 2}',
    ],
)
def test_a_key_written_twice_is_refused_whatever_colons_the_strings_hold(text: str) -> None:
    with pytest.raises(MalformedPolicyDocument, match="duplicate"):
        parse_document(text)


@pytest.mark.parametrize("text", ['{"a": NaN}', '{"a": 1e400}', '{"a": "\\ud800"}'])
def test_what_only_the_json_module_reads_is_read_as_it_reads_it(text: str) -> None:
    assert repr(parse_document(text)) == repr(json.loads(text))
