"""Test items: one per cell, plus one error item for a scenario file that cannot load."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from harness.model import Cell, CellResult, Outcome, error_result, judge
from harness.runresult import CellRecord
from harness.scenarios.errors import ScenarioError

if TYPE_CHECKING:
    from harness.plugin.collection import ScenarioFileNode


class IamHarnessWarning(pytest.PytestWarning):
    """Something worth a look that does not fail a test (context key that never applies, ...)."""


class CellItem(pytest.Item):
    """Does the subject get the action on the resource, as the scenario expects?

    Evaluation happens in setup (the whole file in one backend call, on the
    first item); an evaluation error is a pytest ERROR, a wrong decision a
    FAILURE.
    """

    def __init__(self, *, cell: Cell, index: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.cell = cell
        self.index = index
        self.result: CellResult | None = None
        self.record: CellRecord | None = None

    @property
    def file_node(self) -> ScenarioFileNode:
        return self.parent  # type: ignore[return-value]

    def setup(self) -> None:
        result = self.file_node.result_for(self.cell)
        self.result = result
        self.record = CellRecord.from_cell(self.cell, result)
        loaded = self.file_node.loaded
        if loaded is not None and loaded.account:
            self.record.account = loaded.account
        self.user_properties.extend(junit_properties(self.record))
        # A result's warnings (caveats) travel with its record; the terminal summary counts them per
        # distinct caveat (caveats.py) rather than raising one pytest warning per cell.
        if result.is_error:
            pytest.fail(describe_error(self.cell, result), pytrace=False)

    def runtest(self) -> None:
        assert self.result is not None
        if judge(self.cell, self.result) is Outcome.FAILED:
            pytest.fail(describe_failure(self.cell, self.result), pytrace=False)

    def reportinfo(self) -> tuple[Any, int, str]:
        c = self.cell
        return (
            self.path,
            c.source.line - 1,
            f"{c.source.scenario}: {c.principal_label} {c.action} {c.resource}",
        )


class FileErrorItem(pytest.Item):
    """Stands for a scenario file with mistakes: one ERROR naming each of them."""

    def __init__(self, *, errors: list[ScenarioError], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.errors = errors

    def setup(self) -> None:
        count = len(self.errors)
        lines = [f"invalid scenario file ({count} error{'s' if count != 1 else ''}):"]
        lines.extend(f"  {e}" for e in self.errors)
        pytest.fail("\n".join(lines), pytrace=False)

    def runtest(self) -> None:  # pragma: no cover - setup always fails
        raise AssertionError("unreachable")

    def reportinfo(self) -> tuple[Any, int, str]:
        first = self.errors[0].line if self.errors else 1
        return self.path, max(first - 1, 0), "invalid scenario file"


class BackendErrorItem(pytest.Item):
    """Stands for a file's selected cells when the backend cannot be used at all (no credentials, an
    AWS session that cannot be opened): one ERROR naming the cause instead of one per cell. Its cells
    still reach the run result, as error cells."""

    def __init__(self, *, cells: list[tuple[int, Cell]], backend: str, cause: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.cells = cells
        self.backend = backend
        self.cause = cause
        self.records: list[tuple[int, CellRecord]] = []

    @property
    def file_node(self) -> ScenarioFileNode:
        return self.parent  # type: ignore[return-value]

    def setup(self) -> None:
        loaded = self.file_node.loaded
        for index, cell in self.cells:
            record = CellRecord.from_cell(cell, error_result(cell, self.backend, self.cause))
            if loaded is not None and loaded.account:
                record.account = loaded.account
            self.records.append((index, record))
        count = len(self.cells)
        pytest.fail(
            f"{count} cell{'s' if count != 1 else ''} of this file could not be evaluated "
            f"({self.backend}): {self.cause}",
            pytrace=False,
        )

    def runtest(self) -> None:  # pragma: no cover - setup always fails
        raise AssertionError("unreachable")

    def reportinfo(self) -> tuple[Any, int, str]:
        return self.path, 0, f"{self.backend} backend unavailable"


# What a CI dashboard groups JUnit testcases by (`<property name=... value=...>`; pytest writes
# an item's user_properties into the JUnit XML).
JUNIT_FIELDS = ("principal", "action", "resource", "expected", "actual", "enforced")


def junit_properties(record: CellRecord) -> list[tuple[str, str]]:
    from harness.reports.redact import redact_text  # JUnit XML is published like any report

    props = [(name, redact_text(str(getattr(record, name) or ""))) for name in JUNIT_FIELDS]
    props.append(("tags", ",".join(record.tags)))
    return props


def describe_failure(cell: Cell, result: CellResult) -> str:
    actual = result.decision
    lines = [
        f"{cell.principal_label} {cell.action} on {cell.resource}",
        f"  expected: {cell.expected.value}",
        f"  actual:   {actual}"
        + (
            f" (enforced: {result.enforced_decision})"
            if result.enforced_decision not in (None, actual)
            else ""
        ),
    ]
    if result.disagreement:
        lines.append(f"  backends disagree: {result.disagreement}")
    if cell.check_enforced:
        lines.append("  judged on the enforced decision (enforced: true)")
    if cell.reason:
        lines.append(f"  reason:   {cell.reason}")
    lines.append(f"  scenario: {cell.source.scenario} ({cell.source.file}:{cell.source.line})")
    if result.deciding_statements:
        lines.append("  deciding statements:")
        for s in result.deciding_statements:
            sid = f" Sid {s.sid!r}" if s.sid else ""
            where = s.origin or s.policy_id
            lines.append(
                f"    {s.effect}{sid} in {where} [{s.policy_type}] lines {s.start_line}-{s.end_line}"
            )
    else:
        lines.append("  deciding statements: none (no statement applies)")
    if result.missing_context:
        lines.append("  missing context keys: " + ", ".join(result.missing_context))
    if result.advisory:
        lines.append(f"  advisory: {result.advisory}")
    if result.explanation:
        lines.append("  explanation:")
        lines.extend(f"    {line}" for line in result.explanation)
    for key, value in result.other.items():
        lines.append(f"  {key}: {value}")
    return "\n".join(lines)


def describe_error(cell: Cell, result: CellResult) -> str:
    return (
        f"{cell.principal_label} {cell.action} on {cell.resource}: could not be evaluated "
        f"({result.backend}): {result.error}\n  scenario: {cell.source.scenario} "
        f"({cell.source.file}:{cell.source.line})"
    )
