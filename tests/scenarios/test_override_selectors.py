"""Override selectors match each field with IAM's own case rules: ARNs exactly, action names in any case."""

from __future__ import annotations

from pathlib import Path

from harness.cells import Expectation
from harness.scenarios import ScenarioLoader

HEAD = """
version: 1
policies:
  p: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: "s3:*", Resource: "*"}]}
principals:
  a: {policies: [p]}
scenarios:
  - name: s
    principal: a
    actions: [s3:GetObject]
    resources: ["arn:aws:s3:::Bkt/x", "arn:aws:s3:::bkt/x"]
    expect: allowed
"""


def _expectations(tmp_path: Path, overrides: str) -> dict[str, Expectation]:
    path = tmp_path / "s.yaml"
    path.write_text(HEAD + "    overrides:\n" + overrides)
    loaded = ScenarioLoader().load(path, "s.yaml")
    return {c.resource: c.expected for c in loaded.cells}


def test_a_resource_selector_is_case_sensitive(tmp_path: Path) -> None:
    got = _expectations(tmp_path, '      - {resource: "arn:aws:s3:::Bkt/x", expect: denied}\n')
    assert got["arn:aws:s3:::Bkt/x"] is Expectation.DENIED
    assert got["arn:aws:s3:::bkt/x"] is Expectation.ALLOWED


def test_a_resource_wildcard_selector_is_case_sensitive(tmp_path: Path) -> None:
    got = _expectations(tmp_path, '      - {resource: "arn:aws:s3:::b*", expect: denied}\n')
    assert got["arn:aws:s3:::bkt/x"] is Expectation.DENIED
    assert got["arn:aws:s3:::Bkt/x"] is Expectation.ALLOWED


def test_an_action_selector_ignores_case(tmp_path: Path) -> None:
    got = _expectations(tmp_path, "      - {action: S3:getobject, expect: denied}\n")
    assert set(got.values()) == {Expectation.DENIED}
