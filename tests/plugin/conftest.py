"""Fixtures for the plugin's tests: scenario texts and pytester."""

from __future__ import annotations

from pathlib import Path

import pytest

# pytester is enabled in the test modules that use it: pytest refuses `pytest_plugins` in a
# conftest below the rootdir (https://docs.pytest.org/en/stable/deprecations.html).

POLICY_KMS_DECRYPT = """
{
  "Version": "2012-10-17",
  "Statement": [
    {"Sid": "Decrypt", "Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*"}
  ]
}
"""

BASIC_SCENARIO = """
version: 1
vars:
  account_id: "012345678910"
policies:
  decrypt: policies/decrypt.json
  deny-encrypt:
    Version: "2012-10-17"
    Statement:
      - {Sid: NoEncrypt, Effect: Deny, Action: kms:Encrypt, Resource: "*"}
principals:
  reader: {policies: [decrypt]}
  locked: {policies: [decrypt, deny-encrypt]}
scenarios:
  - name: reader decrypts
    tags: [kms]
    principal: reader
    actions: [kms:Decrypt, kms:Encrypt]
    resources: ["arn:aws:kms:eu-west-3:${account_id}:key/k1"]
    expect: allowed
    reason: readers need plaintext
    overrides:
      - {action: kms:Encrypt, expect: implicitDeny}
  - name: locked cannot encrypt
    tags: [guardrail]
    principal: locked
    actions: [kms:Encrypt]
    expect: explicitDeny
"""


@pytest.fixture
def write_pack():
    """Write a scenario pack (files relative to a directory) and return the directory."""

    def write(root: Path, files: dict[str, str]) -> Path:
        for name, text in files.items():
            target = root / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        return root

    return write


@pytest.fixture
def basic_pack(pytester: pytest.Pytester, write_pack) -> Path:
    return write_pack(
        pytester.path,
        {"scenarios/basic.yaml": BASIC_SCENARIO, "scenarios/policies/decrypt.json": POLICY_KMS_DECRYPT},
    )
