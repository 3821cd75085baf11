"""Which condition keys a request for an action carries, from AWS's service authorization reference.

A key the reference does not list for an action (nor for its resource types), and that is not
a global `aws:` key, is never in the request context of that action: `kms:GrantIsForAWSResource`
is set on CreateGrant, ListGrants and RevokeGrant only
(https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-grant-is-for-aws-resource).
A statement that tested it for kms:Decrypt would never match a real request, however the
scenario's context reads, so such a key is not carried into a fix's Condition. An action the
reference does not know keeps every key (the statement may be too narrow, never too wide).
"""

from __future__ import annotations

from typing import Any


class ConditionKeys:
    """The catalog, created on first use, asked once per (key, action)."""

    def __init__(self, catalog: Any = None) -> None:
        self._catalog = catalog
        self._known: dict[tuple[str, str], bool] = {}

    def applies(self, key: str, action: str) -> bool:
        wanted = (key.lower(), action.lower())
        found = self._known.get(wanted)
        if found is None:
            found = self._known[wanted] = self._ask(key, action)
        return found

    def _ask(self, key: str, action: str) -> bool:
        if self._catalog is None:
            from harness.catalog import Catalog

            self._catalog = Catalog()
        try:
            return bool(self._catalog.context_key_applies(key, [action]))
        except Exception:  # an action or key the reference does not know: keep the key (narrower)
            return True
