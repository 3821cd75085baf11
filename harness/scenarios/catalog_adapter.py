"""The action catalog as the scenario loader needs it.

`harness.catalog` (AWS's service authorization data) validates action names,
expands wildcards and knows condition key types; this wraps it in the loader's
error type (message + suggestion) and caches expansions per load.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from harness.engine.context import CONTEXT_KEY_TYPES

ACTION_SHAPE = re.compile(r"^[A-Za-z0-9-]+:[A-Za-z0-9*?]+$")
CONTEXT_TYPES = {t.lower(): t for t in CONTEXT_KEY_TYPES}
RESOURCE_CACHE_LIMIT = 100_000


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
    """harness.catalog.Catalog, created on first use and speaking CatalogProblem."""

    def __init__(self) -> None:
        self._catalog_obj: Any = None
        self._errors: tuple[type[Exception], ...] = ()
        self._expand_cache: dict[str, list[str]] = {}
        # (action, resource) -> warnings: scenarios of a generated matrix repeat the same pairs for
        # every principal; bounded, so a matrix of distinct pairs does not grow it without end.
        self._resource_cache: dict[tuple[str, str], list[str]] = {}

    @property
    def _catalog(self) -> Any:
        # Created on first use: pytest loads the plugin for every run, scenario files or not.
        if self._catalog_obj is None:
            from harness.catalog import Catalog, InvalidContextValue, UnknownAction

            self._catalog_obj = Catalog()
            self._errors = (UnknownAction, InvalidContextValue)
        return self._catalog_obj

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
        catalog = self._catalog
        try:
            if "*" in pattern or "?" in pattern:
                names = [info.full_name for info in catalog.expand(pattern)]
                if not names:
                    raise CatalogProblem(f"{pattern!r} matches no action", "check the service prefix")
                return names
            # The catalog's spelling (kms:decrypt -> kms:Decrypt) keeps ids and reports uniform.
            return [catalog.validate_action(pattern).full_name]
        except self._errors as exc:
            message, hint = _split_hint(str(exc))
            raise CatalogProblem(message, hint) from None

    def parse_context(self, key: str, raw: Any, actions: Sequence[str]) -> tuple[str, tuple[str, ...]]:
        """(ContextKeyType, values) for an untyped context value."""
        catalog = self._catalog
        try:
            return catalog.parse_context_value(key, raw, action=actions[0] if actions else None)
        except self._errors as exc:
            message, hint = _split_hint(str(exc))
            raise CatalogProblem(message, hint) from None

    def context_warnings(self, key: str, actions: Sequence[str]) -> list[str]:
        """An unknown key (with the nearest known ones) or a key none of the actions use."""
        if not actions:
            return []
        catalog = self._catalog
        try:
            return list(catalog.context_key_warnings(key, list(actions)))
        except self._errors:
            return []

    def resource_warnings(self, action: str, resource: str) -> list[str]:
        cached = self._resource_cache.get((action, resource))
        if cached is not None:
            return list(cached)
        catalog = self._catalog
        try:
            found = list(catalog.resource_warnings(action, resource))
        except self._errors:
            found = []
        if len(self._resource_cache) < RESOURCE_CACHE_LIMIT:
            self._resource_cache[(action, resource)] = found
        return list(found)

    def policy_warnings(self, actions: Sequence[str]) -> list[str]:
        return list(self._catalog.check_policy_actions(list(actions)))


def scalar_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def wildcard_regex(pattern: str, *, ignore_case: bool = True) -> re.Pattern[str]:
    """IAM-style wildcards (`*`, `?`) for override selectors; case-insensitive unless told otherwise."""
    regex = "".join(".*" if ch == "*" else "." if ch == "?" else re.escape(ch) for ch in pattern)
    return re.compile(regex, flags=(re.IGNORECASE if ignore_case else 0) | re.DOTALL)
