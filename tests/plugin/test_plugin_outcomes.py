# ruff: noqa: E501  (scenario YAML written inline reads best on one line)
"""Pass, fail and error as a pytest user sees them; never a silent pass, never a traceback."""

from __future__ import annotations

pytest_plugins = ["pytester"]

from tests.plugin.conftest import BASIC_SCENARIO, POLICY_KMS_DECRYPT  # noqa: E402


def test_failing_cell_shows_expected_actual_statements_and_explanation(pytester, write_pack):
    write_pack(
        pytester.path,
        {
            "scenarios/s.yaml": BASIC_SCENARIO.replace("expect: explicitDeny", "expect: allowed"),
            "scenarios/policies/decrypt.json": POLICY_KMS_DECRYPT,
        },
    )
    result = pytester.runpytest("scenarios", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines(
        [
            "*locked kms:Encrypt on [*]",
            "*expected: allowed",
            "*actual:   explicitDeny",
            "*deciding statements:",
            "*Deny Sid 'NoEncrypt' in policies.deny-encrypt*",
            "*explanation:",
        ]
    )
    assert "Traceback" not in result.stdout.str()


def test_broken_file_is_one_error_and_other_files_still_run(pytester, basic_pack):
    pytester.makefile(
        ".yaml",
        **{
            "scenarios/broken": (
                "version: 1\npolicies:\n  p: {Statement: [{Effect: Allow, Action: '*', Resource: '*'}]}\n"
                "principals:\n  a: {policies: [p]}\nscenarios:\n"
                "  - name: typo\n    principal: a\n    actions: [kms:Decrpyt]\n    expect: allowed\n"
            )
        },
    )
    result = pytester.runpytest("scenarios", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=3, errors=1)
    result.stdout.fnmatch_lines(
        [
            "*scenarios/broken.yaml:9: scenarios[[]0[]] (typo).actions[[]0[]]: kms:Decrpyt is not a KMS action",
            "*hint: did you mean kms:Decrypt*",
        ]
    )
    assert result.ret == 2  # a file that could not be loaded: "could not check", not "policy wrong"
    assert "Traceback" not in result.stdout.str()


def test_yaml_syntax_error_names_the_line(pytester):
    pytester.makefile(".yaml", **{"scenarios/bad": "version: 1\nscenarios:\n  - name: [unclosed\n"})
    result = pytester.runpytest("scenarios", "-p", "no:cacheprovider")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*scenarios/bad.yaml:*YAML syntax error*"])


def test_cell_that_cannot_be_evaluated_is_an_error_not_a_pass(pytester):
    pytester.makefile(
        ".yaml",
        **{
            "scenarios/nomodel": (
                "version: 1\nscenarios:\n  - name: principal without account model\n"
                "    principal: arn:aws:iam::012345678910:role/r\n    actions: [kms:Decrypt]\n    expect: denied\n"
            )
        },
    )
    result = pytester.runpytest("scenarios", "-p", "no:cacheprovider")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*could not be evaluated*--iam-account FILE*"])
    assert result.ret == 2


def test_principal_mode_uses_the_account_model_from_the_command_line(pytester):
    pytester.makefile(
        ".yaml",
        **{
            "acct": (
                "accounts:\n  - AccountId: '012345678910'\n    RoleDetailList:\n      - RoleName: r\n"
                "        RolePolicyList:\n          - PolicyName: p\n            PolicyDocument:\n"
                "              Statement: [{Effect: Allow, Action: kms:Decrypt, Resource: '*'}]\n"
            ),
            "scenarios/principal": (
                "version: 1\nscenarios:\n  - name: role decrypts\n"
                "    principal: arn:aws:iam::012345678910:role/r\n    actions: [kms:Decrypt, kms:Encrypt]\n"
                "    expect: allowed\n    overrides: [{action: kms:Encrypt, expect: implicitDeny}]\n"
            ),
        },
    )
    result = pytester.runpytest(
        "scenarios", "--iam-account", "acct.yaml", "-p", "no:cacheprovider", "-W", "ignore"
    )
    result.assert_outcomes(passed=2)


def test_unknown_backend_is_a_usage_error(pytester, basic_pack):
    result = pytester.runpytest("scenarios", "--iam-backend", "nope")
    assert result.ret == 4
    result.stderr.fnmatch_lines(["*--iam-backend*invalid choice*"])


def test_bad_iam_var_is_a_usage_error(pytester, basic_pack):
    result = pytester.runpytest("scenarios", "--iam-var", "no-equals-sign")
    assert result.ret == 4
    result.stderr.fnmatch_lines(["*--iam-var*is not NAME=VALUE*"])
