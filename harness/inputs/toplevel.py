"""The top-level keys of a YAML text, read from its lines without parsing it.

Collection looks at every .yaml/.yml file under the paths pytest is given, most of them not
ours (CI configs, compose files, account models). Deciding which to read must be cheap and
must work on text that is not valid YAML (a broken scenario file is still ours, and must
become an error rather than be skipped), so it reads lines: a top-level key of a block
mapping starts at column 0 (`name:` followed by a space or the end of the line), a key of the
mapping under it is indented. Flow mappings (`{a: 1}`) at the top level are not seen.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# `key:` or a quoted key, at column 0, followed by a blank or the end of the line.
_TOP_KEY = re.compile(r"""^(?:"([^"\n]+)"|'([^'\n]+)'|([A-Za-z_$][\w.$-]*))[ \t]*:(?=[ \t]|$)""", re.M)
_NESTED_KEY = re.compile(r"""^([ \t]+)(?:"([^"\n]+)"|'([^'\n]+)'|([A-Za-z_$][\w.$-]*))[ \t]*:(?=[ \t]|$)""")
_FLOW_KEY = re.compile(r"([A-Za-z_][\w-]*)[ \t]*:")


@dataclass(frozen=True)
class TopKey:
    """A key of the document's top-level mapping and the line (1-based) it is written on."""

    name: str
    line: int


def top_level_keys(text: str) -> list[TopKey]:
    """The document's top-level keys, in order."""
    out = []
    line, counted_to = 1, 0
    for match in _TOP_KEY.finditer(text):
        line += text.count("\n", counted_to, match.start())  # counted once: linear in the text
        counted_to = match.start()
        out.append(TopKey(match.group(1) or match.group(2) or match.group(3), line))
    return out


def keys_under(text: str, key: TopKey) -> list[str]:
    """The keys of the mapping written under a top-level key: an indented block or a flow `{...}`."""
    lines = text.splitlines()
    if key.line > len(lines):
        return []
    head = lines[key.line - 1].split(":", 1)[1].strip()
    if head.startswith("{"):
        return _FLOW_KEY.findall(head)
    out: list[str] = []
    indent: str | None = None
    for line in lines[key.line :]:
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if not line[0].isspace():
            break  # back at column 0: the mapping has ended
        match = _NESTED_KEY.match(line)
        if match is None:
            continue
        if indent is None:
            indent = match.group(1)
        if match.group(1) == indent:
            out.append(match.group(2) or match.group(3) or match.group(4))
    return out
