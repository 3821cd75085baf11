"""Drift between a baseline run and the current one, request by request."""

from dataclasses import replace

from harness.reports.drift import DriftKind, diff
from harness.reports.view import ordered_cells


def test_denied_then_allowed_is_new_access(make_cell, make_run):
    old = make_run([make_cell(actual="implicitDeny")])
    new = make_run([make_cell(actual="allowed")])
    [change] = diff(old, new).changes
    assert (change.kind, change.before, change.after) == (DriftKind.NEW_ACCESS, "implicitDeny", "allowed")


def test_allowed_then_denied_is_lost_access(make_cell, make_run):
    drift = diff(make_run([make_cell(actual="allowed")]), make_run([make_cell(actual="explicitDeny")]))
    assert [c.kind for c in drift.changes] == [DriftKind.LOST_ACCESS]


def test_explicit_to_implicit_deny_is_a_deny_change_not_access(make_cell, make_run):
    drift = diff(make_run([make_cell(actual="explicitDeny")]), make_run([make_cell(actual="implicitDeny")]))
    assert [c.kind for c in drift.changes] == [DriftKind.DENY_CHANGED]


def test_a_cell_that_now_errors_is_a_new_error(make_cell, make_run):
    drift = diff(make_run([make_cell(actual="allowed")]), make_run([make_cell(actual="error", error="boom")]))
    assert [c.kind for c in drift.changes] == [DriftKind.NEW_ERROR]


def test_enforced_decision_is_what_is_compared(make_cell, make_run):
    old = make_run([make_cell(actual="allowed", enforced="implicitDeny")])
    new = make_run([make_cell(actual="allowed", enforced="allowed")])
    assert [c.kind for c in diff(old, new).changes] == [DriftKind.NEW_ACCESS]


def test_unchanged_decisions_are_not_drift(make_cell, make_run):
    run = make_run([make_cell(), make_cell(action="kms:Encrypt", actual="implicitDeny")])
    assert diff(run, run).changes == []


def test_renamed_cell_id_is_matched_by_request(make_cell, make_run):
    old = make_run([make_cell(id="old-name", actual="allowed")])
    new = make_run([make_cell(id="new-name", actual="allowed")])
    assert diff(old, new).changes == []


def test_new_and_removed_requests_are_added_and_removed_not_decision_changes(make_cell, make_run):
    old = make_run([make_cell(action="kms:Encrypt")])
    new = make_run([make_cell(action="kms:Decrypt")])
    drift = diff(old, new)
    assert sorted(c.kind for c in drift.changes) == [DriftKind.ADDED, DriftKind.REMOVED]
    assert drift.decision_changes == []


def test_same_request_in_another_account_is_a_different_request(make_cell, make_run):
    old = make_run([make_cell(actual="implicitDeny")], account="111111111111")
    new = make_run([make_cell(actual="allowed")], account="222222222222")
    assert DriftKind.NEW_ACCESS not in [c.kind for c in diff(old, new).changes]


def test_changed_cells_come_first_new_access_before_lost(make_cell, make_run):
    base = [
        make_cell(action="a:Fails", expected="allowed", actual="implicitDeny"),
        make_cell(action="a:Lost", actual="allowed"),
        make_cell(action="a:New", expected="denied", actual="implicitDeny"),
    ]
    old = make_run(base)
    new = make_run(
        [
            base[0],
            replace(base[1], actual="implicitDeny"),
            replace(base[2], actual="allowed", outcome="failed"),
        ]
    )
    drift = diff(old, new)
    assert [c.action for c in ordered_cells(new, drift)] == ["a:New", "a:Lost", "a:Fails"]


def test_scenarios_naming_different_key_policies_for_one_request_are_not_paired(make_cell, make_run):
    allowed = replace(make_cell(id="a"), resource_policy="policies.key-policy")
    refused = replace(
        make_cell(id="b", actual="implicitDeny", expected="denied"),
        resource_policy="policies.key-policy-without-the-role",
    )
    run = make_run([allowed, refused])
    assert list(diff(run, run).changes) == []


def test_a_request_that_was_skipped_and_is_now_allowed_is_an_error_resolved_not_a_deny_change(
    make_cell, make_run
):
    before = make_run([make_cell(id="a", actual="skipped", outcome="skipped")])
    after = make_run([make_cell(id="a", actual="allowed")])
    assert [c.kind for c in diff(before, after).changes] == [DriftKind.ERROR_RESOLVED]
    assert [c.kind for c in diff(after, before).changes] == [DriftKind.NEW_ERROR]
