"""What a loaded scenario file holds: its policies, principals and the cells it expands to."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from harness.account import AccountModel
from harness.cells import Cell
from harness.engine.types import PolicySource


@dataclass(frozen=True)
class PolicyDocument:
    """A named policy from `policies:`: the exact text sent to the simulator and where it came from."""

    name: str
    text: str
    origin: str  # "inline" or the JSON file path
    line: int


@dataclass(frozen=True)
class LoadWarning:
    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


@dataclass
class ScenarioFile:
    path: Path
    display: str
    sha256: str
    description: str = ""
    variables: dict[str, str] = field(default_factory=dict)
    # Names under the file's own `vars:` (plus the predefined `partition`), overrides aside.
    declared_variables: set[str] = field(default_factory=set)
    partition: str = "aws"
    account: str = ""
    region: str = ""
    account_model: AccountModel | None = None
    account_model_path: Path | None = None
    policies: dict[str, PolicyDocument] = field(default_factory=dict)
    policy_files: list[Path] = field(default_factory=list)
    cells: list[Cell] = field(default_factory=list)
    # Per cell id: the pytest item name (readable id), and per scenario: its line.
    item_names: dict[str, str] = field(default_factory=dict)
    tags: set[str] = field(default_factory=set)
    warnings: list[LoadWarning] = field(default_factory=list)

    def policy_sources(self) -> list[PolicySource]:
        """Every distinct document the cells use, for run metadata."""
        seen: dict[tuple[str, str], PolicySource] = {}
        for cell in self.cells:
            subject = cell.subject
            docs = [
                *subject.identity_policies,
                *subject.permissions_boundaries,
                *subject.session_policies,
                *([cell.resource_policy] if cell.resource_policy else []),
                *(p for level in cell.scp_levels for p in level),
                *(p for level in cell.rcp_levels for p in level),
            ]
            for doc in docs:
                seen.setdefault((doc.origin, doc.text), doc)
        return list(seen.values())
