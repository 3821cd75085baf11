"""What expanding a scenario needs of the file it is in: the loader's public API for expansion.

The loader (loader.py) reads a file's top-level sections and hands each scenario to the
expander (expand.py); the expander reads the file only through this interface, so it does not
depend on the loader's internals and the two modules do not import each other.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from harness.engine.types import PolicyKind, PolicySource
from harness.inputs.errors import ErrorSink
from harness.inputs.yamlsource import LDict
from harness.scenarios.catalog_adapter import ActionCatalog
from harness.scenarios.model import ScenarioFile


class FileContext(Protocol):
    out: ScenarioFile  # what the file has loaded so far: policies, account model, cells
    doc: LDict  # the file's parsed document, with lines
    sink: ErrorSink
    broken_principals: set[str]  # principals already reported as invalid: no second error

    @property
    def catalog(self) -> ActionCatalog: ...

    @property
    def account_given(self) -> bool:
        """True when the run or the file names an account model (--iam-account or `account:`)."""
        ...

    def error(self, line: int, field: str, message: str, hint: str = "") -> None: ...

    def warn(self, line: int, message: str) -> None: ...

    def default_context(self) -> LDict | None: ...

    def name_hint(self, name: str, known: Mapping[str, Any]) -> str: ...

    def policy_source(
        self, name: str, line: int, field: str, *, source_id: str, source_type: str, kind: PolicyKind
    ) -> PolicySource | None: ...

    def principal_exclusions(self, name: str) -> tuple[str, ...]: ...

    def tags(self, raw: Any, line: int, field: str) -> tuple[str, ...]: ...

    def text(self, node: LDict, key: str) -> str: ...
