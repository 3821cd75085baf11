"""Backend metadata from several workers or backends merges into single values, never lists of lists."""

from __future__ import annotations

from harness.plugin.results import merge_metadata


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
