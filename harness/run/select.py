"""How a run result says which cells it holds: all of its files' cells, or a selection.

`metadata.complete` is true only when no cell was left out by selection
(`-k`, `-m`, `--lf`, node ids, `--deselect`, `--iam-cell`, a run stopped early by `-x`);
`metadata.selection` records what selected, e.g.
`{"keyword": "Decrypt", "deselected": 1083}`. A run result without the
field predates it and counts as complete. Every report says when a run is
partial, and a partial run is refused as a baseline unless asked for.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# metadata.selection keys in the order the text names them, with the flag a reader knows them by.
_SELECTORS = (
    ("keyword", "-k"),
    ("markers", "-m"),
    ("last_failed", "--lf"),
    ("node_ids", "node ids"),
    ("deselect", "--deselect"),
    ("cell_filter", "--iam-cell"),
)


def is_partial(metadata: Mapping[str, Any]) -> bool:
    return metadata.get("complete", True) is False


def selection_text(metadata: Mapping[str, Any]) -> str:
    """`selected by -k Decrypt; 1083 cells deselected`, or `all cells` for a complete run."""
    selection = metadata.get("selection") or {}
    parts = []
    for key, flag in _SELECTORS:
        value = selection.get(key)
        if not value:
            continue
        if value is True:
            parts.append(flag)
        elif isinstance(value, list):
            shown = ", ".join(str(v) for v in value[:3]) + (f" (+{len(value) - 3})" if len(value) > 3 else "")
            parts.append(f"{flag} {shown}")
        else:
            parts.append(f"{flag} {value}")
    text = "selected by " + " ".join(parts) if parts else ""
    details = []
    if selection.get("deselected"):
        details.append(_cells(selection["deselected"], "deselected"))
    if selection.get("not_run"):
        details.append(_cells(selection["not_run"], "collected but not run"))
    if details:
        text = "; ".join(([text] if text else []) + details)
    if not is_partial(metadata):
        return "all cells" + (f" ({text})" if text else "")
    return text or "a subset of the cells"


def baseline_refusal(metadata: Mapping[str, Any], name: str) -> str | None:
    """Why the run result `name` is no baseline: it came from a subset run, so drift against it would
    miss every change outside the subset. None when it may serve."""
    if not is_partial(metadata):
        return None
    return f"{name} is the result of a partial run ({selection_text(metadata)})"


def partial_banner(metadata: Mapping[str, Any]) -> str | None:
    """The line every report shows for a partial run; None for a complete one."""
    if not is_partial(metadata):
        return None
    return f"partial run: {selection_text(metadata)}; cells outside the selection were not evaluated"


def _cells(count: int, what: str) -> str:
    return f"{count} cell{'s' if count != 1 else ''} {what}"
