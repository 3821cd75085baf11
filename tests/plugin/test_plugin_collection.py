# ruff: noqa: E501  (scenario YAML written inline reads best on one line)
"""The plugin collects scenario files, one readable item per cell, and nothing else."""

from __future__ import annotations

pytest_plugins = ["pytester"]


def test_scenario_file_yields_one_item_per_cell_with_readable_ids(pytester, basic_pack):
    result = pytester.runpytest("scenarios", "--collect-only", "-q", "-p", "no:cacheprovider")
    result.stdout.fnmatch_lines(
        [
            "scenarios/basic.yaml::reader decrypts[[]reader|kms:Decrypt|arn:aws:kms:eu-west-3:012345678910:key/k1[]]",
            "scenarios/basic.yaml::reader decrypts[[]reader|kms:Encrypt|arn:aws:kms:eu-west-3:012345678910:key/k1[]]",
            "scenarios/basic.yaml::locked cannot encrypt[[]locked|kms:Encrypt|*[]]",
            "3 tests collected*",
        ]
    )


def test_yaml_without_scenarios_key_is_not_collected(pytester, basic_pack):
    pytester.makefile(".yaml", **{"scenarios/ci": "jobs:\n  build: {runs-on: ubuntu}\n"})
    pytester.makefile(".yml", **{"scenarios/compose": "services: {}\n"})
    result = pytester.runpytest("scenarios", "--collect-only", "-q", "-p", "no:cacheprovider")
    result.stdout.fnmatch_lines(["3 tests collected*"])


def test_account_model_file_next_to_scenarios_is_not_collected(pytester, basic_pack):
    pytester.makefile(".yaml", **{"scenarios/account": "accounts:\n  - AccountId: '012345678910'\n"})
    result = pytester.runpytest("scenarios", "--collect-only", "-q", "-p", "no:cacheprovider")
    result.stdout.fnmatch_lines(["3 tests collected*"])


def test_k_selects_cells_by_action(pytester, basic_pack):
    result = pytester.runpytest("scenarios", "-k", "kms:Decrypt", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, deselected=2)


def test_m_selects_cells_by_tag(pytester, basic_pack):
    result = pytester.runpytest("scenarios", "-m", "guardrail", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, deselected=2)


def test_tags_are_registered_markers_under_strict_markers(pytester, basic_pack):
    result = pytester.runpytest("scenarios", "--strict-markers", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=3)


def test_lf_reruns_only_the_failed_cell(pytester, basic_pack):
    text = (basic_pack / "scenarios/basic.yaml").read_text()
    (basic_pack / "scenarios/basic.yaml").write_text(text.replace("expect: implicitDeny", "expect: allowed"))
    first = pytester.runpytest("scenarios")
    first.assert_outcomes(passed=2, failed=1)
    again = pytester.runpytest("scenarios", "--lf")
    again.assert_outcomes(failed=1)  # the two passing cells are not run again


def test_junitxml_has_one_testcase_per_cell_without_the_raw_record(pytester, basic_pack):
    result = pytester.runpytest("scenarios", "--junitxml=junit.xml", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=3)
    xml = (pytester.path / "junit.xml").read_text()
    assert xml.count("<testcase ") == 3
    assert "reader decrypts[reader|kms:Decrypt|" in xml
    assert "iam_cell" not in xml


def test_invalid_file_is_reported_even_when_k_or_m_deselects_everything(pytester, basic_pack):
    pytester.makefile(
        ".yaml",
        **{
            "scenarios/broken": "version: 1\nscenarios:\n  - {name: s, principal: arn:aws:iam::012345678910:role/r, actions: [kms:Decrypt], expect: deny}\n"
        },
    )
    for selection in (["-k", "kms:Decrypt"], ["-m", "guardrail"]):
        result = pytester.runpytest("scenarios", *selection, "-p", "no:cacheprovider")
        result.stdout.fnmatch_lines(["*'deny' is not an expectation*"])
        assert result.ret == 2
