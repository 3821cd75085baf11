"""Test items: one per cell or one per group of cells, plus error items for a file that cannot load
and for a backend that cannot be used."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NoReturn

import pytest

from harness.cells import Cell, CellResult, Outcome, error_result, judge
from harness.inputs.errors import ScenarioError
from harness.plugin.filenode import ScenarioFileLike
from harness.run.builder import record_dict
from harness.run.celltext import describe_error, describe_failure
from harness.run.result import CellRecord


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
    def file_node(self) -> ScenarioFileLike:
        return self.parent  # type: ignore[return-value]

    @property
    def cells(self) -> list[tuple[int, Cell]]:
        return [(self.index, self.cell)]

    def take_records(self) -> list[list[Any]]:
        """This cell's record for its report, once; the item keeps none after."""
        record, self.record, self.result = self.record, None, None
        return [] if record is None else [[self.index, record_dict(record)]]

    def setup(self) -> None:
        if self.cell.skip_reason:  # the account model cannot answer it: never sent, never a pass
            self.record = skipped_record(self.file_node, self.cell)
            skip_here(self.cell.skip_reason)
        result = self.file_node.results_for([self.cell])[0]
        self.result = result
        self.record = make_record(self.file_node, self.cell, result)
        if writes_junit(self.config):  # redacted strings kept per cell until the end: only if asked for
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


# A grouped item's failure text shows this many failing (or error) cells in full, then a count.
SHOWN_CELLS = 10


class _ManyCellsItem(pytest.Item):
    """An item standing for several cells: their records wait here until its report takes them."""

    records: list[list[Any]]

    @property
    def file_node(self) -> ScenarioFileLike:
        return self.parent  # type: ignore[return-value]

    def take_records(self) -> list[list[Any]]:
        """The records for the report, once; the item keeps none after."""
        records, self.records = self.records, []
        return records


class CellGroupItem(_ManyCellsItem):
    """The cells of one scenario for one principal (groups.py), run as one test.

    ERROR when any cell could not be evaluated, else FAILED when any cell's decision is not the
    expected one; the text describes the first SHOWN_CELLS such cells as a cell item would, then
    counts the rest. Every cell's record reaches the run result; the item holds no result or record
    once its report is made, so memory does not grow with passing cells.
    """

    def __init__(
        self, *, cells: list[tuple[int, Cell]], scenario: str, principal: str, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.cells = cells
        self.scenario = scenario
        self.principal = principal
        self.records: list[list[Any]] = []
        self.failures: GroupProblems | None = None

    def setup(self) -> None:
        node = self.file_node
        asked = [(index, cell) for index, cell in self.cells if not cell.skip_reason]
        errors = GroupProblems("could not be evaluated")
        failures = GroupProblems("failed")
        records = []
        results = iter(node.results_for([cell for _index, cell in asked]) if asked else [])
        for index, cell in self.cells:  # records in the file's order, skipped cells among them
            if cell.skip_reason:
                records.append([index, record_dict(skipped_record(node, cell))])
                continue
            result = next(results)
            records.append([index, record_dict(make_record(node, cell, result))])
            if result.is_error:
                errors.add(lambda c=cell, r=result: describe_error(c, r))
            elif judge(cell, result) is Outcome.FAILED:
                failures.add(lambda c=cell, r=result: describe_failure(c, r))
        self.records = records
        total = len(self.cells)
        skipped = total - len(asked)
        self.user_properties.extend(
            [("cells", str(total)), ("failed", str(failures.count)), ("errors", str(errors.count))]
        )
        if skipped:
            self.user_properties.append(("skipped", str(skipped)))
        if errors.count:  # could not check: an ERROR (exit 2), whatever the other cells did
            pytest.fail("\n\n".join(p.text(total) for p in (errors, failures) if p.count), pytrace=False)
        self.failures = failures if failures.count else None
        if not asked:  # every cell is about something the account model does not hold
            first = self.cells[0][1].skip_reason
            skip_here(f"{total} cell{'s' if total != 1 else ''} not evaluated: {first}")

    def runtest(self) -> None:
        failures, self.failures = self.failures, None
        if failures is not None:
            pytest.fail(failures.text(len(self.cells)), pytrace=False)

    def reportinfo(self) -> tuple[Any, int, str]:
        first = self.cells[0][1].source.line if self.cells else 1
        count = len(self.cells)
        return self.path, first - 1, f"{self.name}: {count} cell{'s' if count != 1 else ''}"


class GroupProblems:
    """A group's failing (or error) cells: the first SHOWN_CELLS described in full, the rest counted."""

    def __init__(self, what: str) -> None:
        self.what = what
        self.count = 0
        self.shown: list[str] = []

    def add(self, describe: Callable[[], str]) -> None:
        self.count += 1
        if len(self.shown) < SHOWN_CELLS:  # described only when shown: a text per cell costs
            self.shown.append(describe())

    def text(self, total: int) -> str:
        lines = [f"{self.count} of {total} cell{'s' if total != 1 else ''} {self.what}:", *self.shown]
        if self.count > len(self.shown):
            lines.append(
                f"... and {self.count - len(self.shown)} more (run.json and the reports list every cell; "
                "--iam-cell selects cells, --iam-items cell runs one item per cell)"
            )
        return "\n".join(lines)


def make_record(node: ScenarioFileLike, cell: Cell, result: CellResult) -> CellRecord:
    record = CellRecord.from_cell(cell, result)
    loaded = node.loaded
    if loaded is not None and loaded.account:
        record.account = loaded.account
    return record


def skip_here(reason: str) -> NoReturn:
    """Skip the item, reported at the scenario's line (as a skip marker would be), not at this module's."""
    raise pytest.skip.Exception(reason, _use_item_location=True)


def skipped_record(node: ScenarioFileLike, cell: Cell) -> CellRecord:
    record = CellRecord.from_skipped_cell(cell)
    loaded = node.loaded
    if loaded is not None and loaded.account:
        record.account = loaded.account
    return record


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


class BackendErrorItem(_ManyCellsItem):
    """Stands for a file's selected cells when the backend cannot be used at all (no credentials, an
    AWS session that cannot be opened): one ERROR naming the cause instead of one per cell. Its cells
    still reach the run result, as error cells."""

    def __init__(self, *, cells: list[tuple[int, Cell]], backend: str, cause: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.cells = cells
        self.backend = backend
        self.cause = cause
        self.records: list[list[Any]] = []

    def setup(self) -> None:
        for index, cell in self.cells:
            record = make_record(self.file_node, cell, error_result(cell, self.backend, self.cause))
            self.records.append([index, record_dict(record)])
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


def writes_junit(config: pytest.Config) -> bool:
    return bool(getattr(config.option, "xmlpath", None))


def junit_properties(record: CellRecord) -> list[tuple[str, str]]:
    from harness.redact import redact_text  # JUnit XML is published like any report

    props = [(name, redact_text(str(getattr(record, name) or ""))) for name in JUNIT_FIELDS]
    props.append(("tags", ",".join(record.tags)))
    return props
