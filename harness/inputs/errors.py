"""Errors in scenario and account files: always file, line, field, message and a fix."""

from __future__ import annotations

import difflib


class ScenarioError(Exception):
    """One mistake in an input file, located precisely enough to fix it.

    `field` is a dotted path into the document (`scenarios[2].actions[0]`),
    `suggestion` says what to write instead when we can tell.
    """

    def __init__(self, file: str, line: int, field: str, message: str, suggestion: str = "") -> None:
        super().__init__(message)
        self.file = file
        self.line = line
        self.field = field
        self.message = message
        self.suggestion = suggestion

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        text = f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"
        if self.suggestion:
            text += f"\n    hint: {self.suggestion}"
        return text

    def to_dict(self) -> dict[str, object]:
        return {
            "file": self.file,
            "line": self.line,
            "field": self.field,
            "message": self.message,
            "suggestion": self.suggestion,
        }


class ScenarioFileErrors(Exception):
    """All the mistakes found in one file (loading continues past the first one)."""

    def __init__(self, errors: list[ScenarioError]) -> None:
        super().__init__("\n".join(str(e) for e in errors))
        self.errors = errors

    @property
    def file(self) -> str:
        return self.errors[0].file if self.errors else ""


class ErrorSink:
    """Collects errors so that one run reports every mistake in a file, not just the first."""

    def __init__(self) -> None:
        self.errors: list[ScenarioError] = []

    def add(self, error: ScenarioError) -> None:
        self.errors.append(error)

    def raise_if_any(self) -> None:
        if self.errors:
            raise ScenarioFileErrors(self.errors)


def unknown_key_hint(key: str, allowed: tuple[str, ...]) -> str:
    close = difflib.get_close_matches(key, allowed, n=1)
    if close:
        return f"did you mean `{close[0]}`?"
    return "allowed here: " + ", ".join(allowed)
