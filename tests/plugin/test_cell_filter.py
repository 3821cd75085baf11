"""`--iam-cell KEY=GLOB ...` selects cells by principal, action, resource, scenario, expectation or tag,
in either item mode; what it leaves out makes the run partial."""

from __future__ import annotations

import pytest

from harness.run.stream import load_document

pytest_plugins = ["pytester"]

from harness.cells import Cell, Expectation, SourceRef, Subject  # noqa: E402
from harness.plugin.cellfilter import CellFilter, CellFilterError  # noqa: E402

NO_CACHE = ("-p", "no:cacheprovider")


KEY = "arn:aws:kms:eu-west-3:1:key/k1"


def _cell(principal: str = "alice", action: str = "kms:Decrypt", resource: str = KEY) -> Cell:
    return Cell(
        id="f.yaml::x",
        source=SourceRef("f.yaml", 3, "readers [team a]"),
        subject=Subject(principal_arn=f"arn:aws:iam::1:user/{principal}"),
        action=action,
        resource=resource,
        expected=Expectation.ALLOWED,
        principal_label=principal,
        tags=("kms",),
    )


def _run_json(pytester: pytest.Pytester) -> dict:
    return load_document(pytester.path / "reports/run.json")


def test_every_term_of_an_expression_must_match():
    flt = CellFilter.parse(["principal=alice action=kms:Decrypt"])
    assert flt.matches(_cell())
    assert not flt.matches(_cell(action="kms:Encrypt"))


def test_repeated_expressions_select_a_cell_matching_any():
    flt = CellFilter.parse(["principal=bob", "action=kms:Encrypt"])
    assert flt.matches(_cell(principal="bob"))
    assert flt.matches(_cell(action="kms:Encrypt"))
    assert not flt.matches(_cell())


def test_globs_know_star_and_question_mark_and_nothing_else():
    assert CellFilter.parse(["resource=arn:aws:kms:*:key/k?"]).matches(_cell())
    assert CellFilter.parse(["scenario='readers [team a]'"]).matches(_cell())
    assert not CellFilter.parse(["scenario=readers"]).matches(_cell())


def test_action_names_match_whatever_their_case_and_other_fields_exactly():
    assert CellFilter.parse(["action=KMS:decrypt"]).matches(_cell())
    assert not CellFilter.parse(["principal=Alice"]).matches(_cell())


def test_principal_matches_the_scenario_name_or_the_arn():
    assert CellFilter.parse(["principal=arn:aws:iam::1:user/*"]).matches(_cell())


def test_tag_and_expect_terms():
    assert CellFilter.parse(["tag=kms expect=allowed"]).matches(_cell())
    assert not CellFilter.parse(["tag=s3"]).matches(_cell())


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("who=alice", "'who=alice' is not KEY=GLOB with KEY one of principal, action"),
        ("principal", "is not KEY=GLOB"),
        ("action=", "action= has no value"),
        ("scenario='open", "No closing quotation"),
        ("  ", "is empty"),
    ],
)
def test_an_unreadable_expression_names_the_term(expression, message):
    with pytest.raises(CellFilterError, match=message):
        CellFilter.parse([expression])


def test_filtered_run_holds_only_the_chosen_cells_and_is_partial(pytester, basic_pack):
    result = pytester.runpytest("scenarios", *NO_CACHE, "--iam-cell", "principal=locked")
    result.assert_outcomes(passed=1)
    run = _run_json(pytester)
    assert [c["principal"] for c in run["cells"]] == ["locked"]
    assert run["metadata"]["complete"] is False
    assert run["metadata"]["selection"]["cell_filter"] == ["principal=locked"]
    assert run["metadata"]["selection"]["deselected"] == 2
    result.stdout.fnmatch_lines(["partial run: selected by --iam-cell principal=locked; 2 cells deselected*"])


def test_filter_narrows_grouped_items_too(pytester, basic_pack):
    args = ("--iam-items", "scenario", "--iam-cell", "action=kms:Encrypt")
    result = pytester.runpytest("scenarios", *NO_CACHE, *args)
    result.assert_outcomes(passed=2)
    assert [c["action"] for c in _run_json(pytester)["cells"]] == ["kms:Encrypt", "kms:Encrypt"]


def test_filter_keeps_node_ids_of_grouped_items(pytester, basic_pack):
    args = ("--iam-items", "scenario", "--iam-cell", "action=kms:Encrypt", "--collect-only", "-q")
    result = pytester.runpytest("scenarios", *NO_CACHE, *args)
    result.stdout.fnmatch_lines(["scenarios/basic.yaml::reader decrypts[[]reader[]]"])


def test_bad_filter_is_a_usage_error_without_traceback(pytester, basic_pack):
    result = pytester.runpytest("scenarios", *NO_CACHE, "--iam-cell", "role=admin")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--iam-cell: 'role=admin' is not KEY=GLOB*"])
    assert "Traceback" not in result.stderr.str()
