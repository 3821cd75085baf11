"""A partial run (metadata.complete false) says so in every report and is no baseline unless asked."""

from __future__ import annotations

from harness.cli.main import main
from harness.reports.drift import diff
from harness.reports.markdown import render_markdown
from harness.reports.merge import merge
from harness.reports.render import render_text
from harness.reports.terminal import matrix_table
from tests.reports.conftest import cell, run_of

PARTIAL = {"complete": False, "selection": {"keyword": "Decrypt", "deselected": 3}}


def _partial():
    return run_of([cell()], **PARTIAL)


def _full():
    return run_of(
        [cell(), cell(action="kms:Encrypt", actual="implicitDeny", expected="denied")], complete=True
    )


def test_the_terminal_matrix_says_a_run_is_partial() -> None:
    assert "partial run: selected by -k Decrypt; 3 cells deselected" in matrix_table(_partial())


def test_the_markdown_report_says_a_run_is_partial() -> None:
    assert "partial run: selected by -k Decrypt" in render_markdown(_partial())


def test_the_html_report_says_a_run_is_partial() -> None:
    assert "partial run: selected by -k Decrypt" in render_text(_partial(), "html")


def test_a_complete_run_has_no_partial_banner() -> None:
    full = _full()
    assert "partial run" not in matrix_table(full) + render_markdown(full) + render_text(full, "html")


def test_a_run_without_the_field_counts_as_complete() -> None:
    assert "partial run" not in matrix_table(run_of([cell()]))


def test_cells_a_partial_run_did_not_evaluate_are_not_removed() -> None:
    drift = diff(_full(), _partial())
    assert drift.summary()["removed"] == 0
    assert drift.outside_selection == 1


def test_diff_refuses_a_partial_baseline(write_run, capsys) -> None:
    old, new = write_run(_partial(), "old.json"), write_run(_full(), "new.json")
    assert main(["report", "diff", str(old), str(new)]) == 2
    assert "is the result of a partial run (selected by -k Decrypt" in capsys.readouterr().err


def test_diff_takes_a_partial_baseline_when_asked(write_run) -> None:
    old, new = write_run(_partial(), "old.json"), write_run(_full(), "new.json")
    assert main(["report", "diff", str(old), str(new), "--baseline-partial-ok", "--fail-on", "none"]) == 0


def test_export_refuses_a_partial_baseline(write_run, tmp_path, capsys) -> None:
    old, new = write_run(_partial(), "old.json"), write_run(_full(), "new.json")
    args = ["report", "export", str(new), "--iam-baseline", str(old), "-o", str(tmp_path / "o"), "-q"]
    assert main(args) == 2
    assert "--iam-baseline-partial-ok" in capsys.readouterr().err
    assert main([*args, "--iam-baseline-partial-ok"]) == 0


def test_a_merge_with_a_partial_input_is_partial() -> None:
    assert merge([("a", _full()), ("b", _partial())]).run.metadata["complete"] is False
    assert merge([("a", _full()), ("b", _full())]).run.metadata["complete"] is True


def test_export_prints_the_legend_before_the_matrix(write_run, capsys) -> None:
    main(["report", "export", str(write_run(_full())), "-q"])
    main(["report", "export", str(write_run(_full()))])
    out = capsys.readouterr().out
    legend = out.index("legend: each cell is <outcome> <decisions>[xN]")
    assert legend < out.index("principal \\ action")
    assert "xN: N requests" in out
