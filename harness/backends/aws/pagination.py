"""Read every page of a simulator answer.

The simulate actions return at most MaxItems EvaluationResults per response
(100 when MaxItems is not sent) and set IsTruncated with a Marker for the next
page (https://docs.aws.amazon.com/IAM/latest/APIReference/API_SimulatePrincipalPolicy.html).
Stopping at the first page silently drops every result past it, so we follow
the markers to the end; a marker that repeats is an error, not a loop.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Call = Callable[[str, dict[str, Any]], dict[str, Any]]


class PaginationError(Exception):
    """The service sent IsTruncated without a usable Marker."""


@dataclass
class Pages:
    evaluation_results: list[dict[str, Any]]
    pages: int


def fetch_all(call: Call, operation: str, params: dict[str, Any], max_items: int) -> Pages:
    results: list[dict[str, Any]] = []
    seen: set[str] = set()
    marker: str | None = None
    pages = 0
    while True:
        page_params = {**params, "MaxItems": max_items}
        if marker is not None:
            page_params["Marker"] = marker
        response = call(operation, page_params)
        pages += 1
        results.extend(response.get("EvaluationResults") or [])
        if not response.get("IsTruncated"):
            return Pages(results, pages)
        marker = response.get("Marker")
        if not marker:
            raise PaginationError(f"{operation} page {pages} is truncated but carries no Marker")
        if marker in seen:
            raise PaginationError(f"{operation} returned Marker {marker!r} twice")
        seen.add(marker)
