"""A run result is built without pytest; backend metadata from several workers merges into single values."""

from __future__ import annotations

from harness.run.builder import merge_metadata


def test_counters_add_up() -> None:
    assert merge_metadata([{"api_calls": 2}, {"api_calls": 3}])["api_calls"] == 5


def test_started_is_the_earliest_and_finished_the_latest() -> None:
    merged = merge_metadata(
        [
            {"started": "2026-01-01T10:00:05+00:00", "finished": "2026-01-01T10:01:00+00:00"},
            {"started": "2026-01-01T10:00:01+00:00", "finished": "2026-01-01T10:02:00+00:00"},
        ]
    )
    assert merged["started"] == "2026-01-01T10:00:01+00:00"
    assert merged["finished"] == "2026-01-01T10:02:00+00:00"


def test_lists_merge_into_one_list_of_distinct_items() -> None:
    merged = merge_metadata([{"simulator_gaps": ["a", "b"]}, {"simulator_gaps": ["b", "c"]}, {}])
    assert merged["simulator_gaps"] == ["a", "b", "c"]


def test_a_list_from_one_part_stays_a_flat_list() -> None:
    assert merge_metadata([{"simulator_gaps": ["a"]}])["simulator_gaps"] == ["a"]


def test_prefixed_timestamps_of_compare_mode_merge_the_same_way() -> None:
    merged = merge_metadata([{"aws_started": "2026-01-01T10:00:05"}, {"aws_started": "2026-01-01T10:00:01"}])
    assert merged["aws_started"] == "2026-01-01T10:00:01"


def _record(cell_id: str, file: str, outcome: str = "passed") -> dict:
    return {
        "id": cell_id,
        "principal": "alice",
        "action": "s3:GetObject",
        "resource": "*",
        "expected": "allowed",
        "actual": "allowed",
        "outcome": outcome,
        "backend": "offline",
        "file": file,
    }


def test_a_run_result_is_built_from_records_and_file_facts_without_pytest() -> None:
    import datetime as dt

    from harness.run.builder import RunBuilder

    builder = RunBuilder()
    builder.add_file({"path": "b.yaml", "sha256": "b" * 64, "account": "111122223333", "policies": []})
    builder.add_cell(_record("b#1", "b.yaml", "failed"), 1)
    builder.add_cell(_record("b#0", "b.yaml"), 0)
    now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    run = builder.run_result("offline", now, now)
    assert [c.id for c in run.cells] == ["b#0", "b#1"]
    assert run.metadata["counts"] == {"passed": 1, "failed": 1, "error": 0}
    assert run.metadata["account"] == "111122223333" and run.redacted


def test_files_that_could_not_load_become_the_runs_errors() -> None:
    import datetime as dt

    from harness.run.builder import RunBuilder

    builder = RunBuilder()
    err = {"file": "x.yaml", "line": 3, "field": "expect", "message": "bad"}
    builder.add_file_errors("x.yaml", [err, dict(err)])
    now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    assert builder.run_result("offline", now, now).errors == [err]


def test_a_streaming_builder_holds_no_cell_and_writes_each_one(tmp_path) -> None:
    import datetime as dt

    from harness.run.builder import RunBuilder
    from harness.run.stream import iter_cells, read_tail

    builder = RunBuilder(stream=tmp_path / "run.json")
    for i in range(3):
        builder.add_cell(_record(f"c{i}", "a.yaml"), i)
    assert builder.cells == {} and builder.cell_count == 3
    now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    path = builder.finish_stream(builder.metadata("offline", now, now))
    assert len(list(iter_cells(path))) == 3 and read_tail(path)["metadata"]["counts"]["passed"] == 3


def test_a_streamed_cell_is_redacted_before_it_is_written(tmp_path) -> None:
    import datetime as dt

    from harness.run.builder import RunBuilder

    builder = RunBuilder(stream=tmp_path / "run.json")
    builder.add_cell(_record("c0", "a.yaml") | {"reason": "AKIAIOSFODNN7EXAMPLE"}, 0)
    now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    path = builder.finish_stream(builder.metadata("offline", now, now))
    assert "AKIAIOSFODNN7EXAMPLE" not in path.read_text()
