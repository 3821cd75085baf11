"""Deciding that a written name misspells a known one: strictly, so other people's keys stay theirs."""

from __future__ import annotations

import pytest

from harness.inputs.spelling import edit_distance, misspelling_of

KEYS = ("version", "defaults", "principals", "scenarios", "vars", "tags")


@pytest.mark.parametrize(
    ("a", "b", "distance"),
    [
        ("scenarios", "scenarios", 0),
        ("Scenarios", "scenarios", 0),
        ("scenario", "scenarios", 1),
        ("scneario", "scenario", 1),  # two neighbours swapped: one edit
        ("senarois", "scenarios", 2),
        ("kitten", "sitting", 3),
        ("", "abc", 3),
    ],
)
def test_edit_distance_counts_single_letter_changes_case_ignored(a, b, distance):
    assert edit_distance(a, b) == distance


@pytest.mark.parametrize(
    ("written", "meant"),
    [("scenario", "scenarios"), ("Scenarios", "scenarios"), ("principal", "principals"), ("tag", "tags")],
)
def test_a_name_a_letter_or_two_away_is_a_misspelling(written, meant):
    assert misspelling_of(written, KEYS) == meant


@pytest.mark.parametrize("written", ["scenarios", "services", "x-defaults", "jobs", "variables"])
def test_a_known_name_or_a_distant_one_is_no_misspelling(written):
    assert misspelling_of(written, KEYS) is None


def test_short_names_allow_one_edit_and_long_names_two():
    assert misspelling_of("dfaults", KEYS) == "defaults"  # 8 letters: one edit
    assert misspelling_of("dfault", KEYS) is None  # two edits from an 8-letter name
    assert misspelling_of("prncipal", KEYS) == "principals"  # 10 letters: two edits
