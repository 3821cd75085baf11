"""A YAML text's top-level keys, read from its lines: cheap, and working on text that is not valid YAML."""

from __future__ import annotations

from harness.inputs.toplevel import TopKey, keys_under, top_level_keys

TEXT = """# a comment: not a key
---
version: 1
"quoted": x
'single': y
defaults:
  account: "012345678910"
  # a comment
  context:
    aws:SourceIp: 10.0.0.1
  region: eu-west-3
scenarios:
  - name: a
key-with-dash:value-without-space
broken: [
"""


def test_top_level_keys_are_the_column_zero_keys_with_their_lines():
    assert top_level_keys(TEXT) == [
        TopKey("version", 3),
        TopKey("quoted", 4),
        TopKey("single", 5),
        TopKey("defaults", 6),
        TopKey("scenarios", 12),
        TopKey("broken", 15),
    ]


def test_keys_under_a_block_mapping_are_its_first_level_only():
    defaults = next(k for k in top_level_keys(TEXT) if k.name == "defaults")
    assert keys_under(TEXT, defaults) == ["account", "context", "region"]


def test_keys_under_a_flow_mapping():
    text = "defaults: {region: eu-west-3, account: '1'}\n"
    assert keys_under(text, top_level_keys(text)[0]) == ["region", "account"]


def test_a_list_or_a_scalar_under_a_key_has_no_keys():
    text = "tags: [a, b]\nscenarios:\n  - name: x\n"
    tags, scenarios = top_level_keys(text)
    assert keys_under(text, tags) == []
    assert keys_under(text, scenarios) == []
