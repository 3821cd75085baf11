"""Caveats (a cell's warnings: the simulator would need a user as CallerArn, a resource type an action
does not take, ...) counted per distinct caveat for the terminal summary.

The same caveat raised for many cells differs only in the ARNs, actions and
quoted names it mentions, so those are blanked out to group them; each group
keeps its first message and place as the example. Memory grows with the
number of distinct caveats, never with cells.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from harness.scenarios.model import LoadWarning

# ARNs, service:Action names and quoted values: what varies between cells raising the same caveat.
_VARYING = re.compile(r"arn:[^\s,;()'\"]+|\b[a-z0-9-]+:[A-Za-z*?][A-Za-z0-9*?]*\b|'[^']*'|\"[^\"]*\"")


def caveat_shape(message: str) -> str:
    return _VARYING.sub("…", message)


@dataclass
class CaveatGroup:
    example: str
    where: str
    count: int = 0


@dataclass
class CaveatTally:
    groups: dict[str, CaveatGroup] = field(default_factory=dict)

    def add(self, message: str, where: str) -> None:
        group = self.groups.setdefault(caveat_shape(message), CaveatGroup(message, where))
        group.count += 1

    def lines(self) -> list[str]:
        """One line per distinct caveat, most frequent first, with its example beneath."""
        out = []
        for group in sorted(self.groups.values(), key=lambda g: (-g.count, g.example)):
            cells = f"{group.count} cell{'s' if group.count != 1 else ''}"
            out.append(f"{cells}, e.g. {group.where}: {group.example}")
        return out


@dataclass
class WarningGroup:
    """A scenario file's warnings of one shape: the first as the example, the others counted."""

    first: LoadWarning
    others: list[int] = field(default_factory=list)  # their lines

    def text(self) -> str:
        if not self.others:
            return self.first.message
        # Many cells of one scenario warn from the same line: each line is named once.
        distinct = list(dict.fromkeys(self.others))
        lines = ", ".join(str(n) for n in distinct[:5]) + (", ..." if len(distinct) > 5 else "")
        return f"{self.first.message} (and {len(self.others)} more like it in this file, lines {lines})"


def group_warnings(found: Iterable[LoadWarning]) -> list[WarningGroup]:
    """One pytest warning per distinct warning of a file, e.g. one resource-type warning with a count
    instead of one per action x resource of a scenario."""
    groups: dict[str, WarningGroup] = {}
    for warning in found:
        group = groups.get(caveat_shape(warning.message))
        if group is None:
            groups[caveat_shape(warning.message)] = WarningGroup(warning)
        else:
            group.others.append(warning.line)
    return list(groups.values())
