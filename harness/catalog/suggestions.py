"""Nearest-name suggestions for typos, case-insensitive."""

from __future__ import annotations

from collections.abc import Iterable


def nearest(word: str, candidates: Iterable[str], n: int = 3, cutoff: float = 0.6) -> list[str]:
    """Closest candidates to `word`, returned in their own spelling."""
    import difflib  # (only a mistake needs it: not loaded by a run that makes none)

    by_lower: dict[str, str] = {}
    for c in candidates:
        by_lower.setdefault(c.lower(), c)
    hits = difflib.get_close_matches(word.lower(), list(by_lower), n=n, cutoff=cutoff)
    return [by_lower[h] for h in hits]


def did_you_mean(options: list[str]) -> str:
    if not options:
        return ""
    if len(options) == 1:
        return f"; did you mean {options[0]}?"
    return f"; did you mean {', '.join(options[:-1])} or {options[-1]}?"
