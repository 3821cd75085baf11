"""A plan or template that cannot be read whole: the run stops before any cell is evaluated."""

from __future__ import annotations

import re

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def shown(text: str, limit: int = 200) -> str:
    """`text` safe to print: control characters escaped, cut to `limit` characters."""
    cleaned = _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)
    return cleaned if len(cleaned) <= limit else cleaned[:limit] + "..."


def has_control(text: str) -> bool:
    return _CONTROL.search(text) is not None


class PlanError(Exception):
    """Names the file and where in it (a Terraform address, a template's line and logical id)."""

    def __init__(self, file: str, where: str, message: str) -> None:
        super().__init__(f"{file}: {where}: {message}" if where else f"{file}: {message}")
        self.file = file
        self.where = where
        self.message = message
