# ruff: noqa: E501  (scenario YAML written inline reads best on one line)
"""The plugin attaches a fix to each blocked cell after the backend answers, and shows it in the failure."""

from __future__ import annotations

pytest_plugins = ["pytester"]

SCENARIO = """
version: 1
policies:
  decrypt: {Version: "2012-10-17", Statement: [{Sid: Decrypt, Effect: Allow, Action: kms:Decrypt, Resource: "*"}]}
  deny-encrypt: {Version: "2012-10-17", Statement: [{Sid: NoEncrypt, Effect: Deny, Action: kms:Encrypt, Resource: "*"}]}
principals:
  locked: {policies: [decrypt, deny-encrypt]}
scenarios:
  - name: locked encrypts
    principal: locked
    actions: [kms:Encrypt]
    expect: allowed
  - name: locked decrypts
    principal: locked
    actions: [kms:Decrypt]
    expect: allowed
"""


def test_a_blocked_cell_fails_with_its_verified_fix_and_a_passing_cell_has_none(pytester):
    pytester.makefile(".yaml", **{"scenarios/s": SCENARIO})
    result = pytester.runpytest("scenarios", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(
        [
            "*fix (verified:*",
            '*"action": "remove_statement"*',
            '*"policy": "deny-encrypt"*',
            '*"Sid": "NoEncrypt"*',
        ]
    )
    assert "Traceback" not in result.stdout.str()
