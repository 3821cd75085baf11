"""The action catalog as the scenario loader needs it.

`harness.catalog` (the service authorization reference) validates action
names, expands wildcards and knows condition key types. While it is not
importable the loader still works, with less help: action names are checked
for shape only, wildcards are refused, and context types are inferred from
the YAML value.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from harness.engine.context import CONTEXT_KEY_TYPES

ACTION_SHAPE = re.compile(r"^[A-Za-z0-9-]+:[A-Za-z0-9*?]+$")
CONTEXT_TYPES = {t.lower(): t for t in CONTEXT_KEY_TYPES}


class CatalogProblem(Exception):
    """An action or context value the catalog refuses; `suggestion` is the fix if known."""

    def __init__(self, message: str, suggestion: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.suggestion = suggestion


def _split_hint(text: str) -> tuple[str, str]:
    # Catalog messages read "X is not a KMS action; did you mean kms:Y?"
    head, sep, tail = text.partition("; ")
    return (head, tail) if sep else (text, "")


class ActionCatalog:
    """Wraps harness.catalog.Catalog, or a shape-only fallback when it is missing."""

    def __init__(self) -> None:
        self._loaded = False
        self._catalog_obj: Any = None
        self._errors: tuple[type[Exception], ...] = ()
        self._expand_cache: dict[str, list[str]] = {}

    @property
    def _catalog(self) -> Any:
        # Loaded on first use: pytest loads the plugin for every run, scenario files or not.
        if not self._loaded:
            self._loaded = True
            try:
                from harness.catalog import Catalog, InvalidContextValue, UnknownAction
            except ImportError:
                return None
            self._catalog_obj = Catalog()
            self._errors = (UnknownAction, InvalidContextValue)
        return self._catalog_obj

    @property
    def available(self) -> bool:
        return self._catalog is not None

    def expand(self, pattern: str) -> list[str]:
        """Concrete action names for a name or wildcard; CatalogProblem when none."""
        cached = self._expand_cache.get(pattern)
        if cached is not None:
            return cached
        result = self._expand(pattern)
        self._expand_cache[pattern] = result
        return result

    def _expand(self, pattern: str) -> list[str]:
        if not ACTION_SHAPE.match(pattern):
            raise CatalogProblem(
                f"{pattern!r} is not an action name", "write service:Action, e.g. kms:Decrypt"
            )
        wildcard = "*" in pattern or "?" in pattern
        if self._catalog is None:
            if wildcard:
                raise CatalogProblem(
                    f"cannot expand {pattern!r}: the action catalog (harness.catalog) is not installed",
                    "list the actions explicitly",
                )
            return [pattern]
        try:
            if wildcard:
                names = [info.full_name for info in self._catalog.expand(pattern)]
                if not names:
                    raise CatalogProblem(f"{pattern!r} matches no action", "check the service prefix")
                return names
            self._catalog.validate_action(pattern)
            return [self._canonical(pattern)]
        except self._errors as exc:
            message, hint = _split_hint(str(exc))
            raise CatalogProblem(message, hint) from None

    def _canonical(self, name: str) -> str:
        # Keep the catalog's spelling (kms:decrypt -> kms:Decrypt) so ids and reports are uniform.
        try:
            infos = self._catalog.expand(name)
        except Exception:
            return name
        for info in infos:
            if info.full_name.lower() == name.lower():
                return info.full_name
        return name

    def parse_context(self, key: str, raw: Any, actions: Sequence[str]) -> tuple[str, tuple[str, ...]]:
        """(ContextKeyType, values) for an untyped context value."""
        if self._catalog is not None:
            try:
                return self._catalog.parse_context_value(key, raw, action=actions[0] if actions else None)
            except self._errors as exc:
                message, hint = _split_hint(str(exc))
                raise CatalogProblem(message, hint) from None
        return infer_type(raw)

    def context_warnings(self, key: str, actions: Sequence[str]) -> list[str]:
        if self._catalog is None or not actions:
            return []
        try:
            if self._catalog.context_key_applies(key, list(actions)):
                return []
        except self._errors:
            return []
        return [f"context key {key} does not apply to any of {', '.join(actions[:5])}"]

    def resource_warnings(self, action: str, resource: str) -> list[str]:
        if self._catalog is None:
            return []
        try:
            return list(self._catalog.resource_warnings(action, resource))
        except self._errors:
            return []

    def policy_warnings(self, actions: Sequence[str]) -> list[str]:
        if self._catalog is None:
            return []
        try:
            return list(self._catalog.check_policy_actions(list(actions)))
        except self._errors:
            return []


def infer_type(raw: Any) -> tuple[str, tuple[str, ...]]:
    """Type from the YAML value alone: bool -> boolean, number -> numeric, list -> ...List."""
    if isinstance(raw, list):
        if not raw:
            return "stringList", ()
        base, _ = infer_type(raw[0])
        return base + "List", tuple(scalar_text(v) for v in raw)
    if isinstance(raw, bool):
        return "boolean", (scalar_text(raw),)
    if isinstance(raw, int | float):
        return "numeric", (scalar_text(raw),)
    return "string", (scalar_text(raw),)


def scalar_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def wildcard_regex(pattern: str) -> re.Pattern[str]:
    """IAM-style wildcards (`*`, `?`), case-insensitive, for override selectors."""
    regex = "".join(".*" if ch == "*" else "." if ch == "?" else re.escape(ch) for ch in pattern)
    return re.compile(regex, flags=re.IGNORECASE | re.DOTALL)
