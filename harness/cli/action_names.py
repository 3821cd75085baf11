"""Warnings for ActionNames the action catalog does not know (`kms:Decrpyt`).

AWS's simulator answers an action name it does not know like any other: nothing allows
it, so `implicitDeny`, which reads like a real refusal. The simulate commands keep that
AWS-shaped answer and its exit code, and say on stderr what the scenario loader would:
the catalog's message and its nearest names (harness.scenarios.catalog_adapter,
harness.catalog.suggestions).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from harness.scenarios.catalog_adapter import ActionCatalog, CatalogProblem

# Distinct names remembered per run (so a batch warns once per name); beyond it, names are
# checked again and may warn again, but memory stays bounded.
MAX_REMEMBERED = 10_000


class ActionNameCheck:
    """One per run: the catalog is loaded on first use, each distinct name is warned about once."""

    def __init__(self) -> None:
        self._catalog = ActionCatalog()
        self._seen: set[str] = set()

    def warnings(self, request: Any) -> list[str]:
        """`warning: ...` lines for the request's unknown action names not warned about yet."""
        # (`type` first: every line is a dict, and the ABC check of Mapping is slow)
        is_mapping = type(request) is dict or isinstance(request, Mapping)
        names = request.get("ActionNames") if is_mapping else None
        if not isinstance(names, list):
            return []  # the request's own check reports a missing or malformed ActionNames
        out = []
        for name in names:
            if not isinstance(name, str) or "*" in name or "?" in name or name in self._seen:
                continue
            if len(self._seen) < MAX_REMEMBERED:
                self._seen.add(name)
            problem = self._problem(name)
            if problem is not None:
                out.append(f"warning: {problem}")
        return out

    def _problem(self, name: str) -> str | None:
        try:
            self._catalog.expand(name)
        except CatalogProblem as exc:
            return f"{exc.message}; {exc.suggestion}" if exc.suggestion else exc.message
        return None
