"""The account model file a capture writes: deterministic YAML, scrubbed, loadable unchanged.

- Stable: entries are sorted by the sections, keys keep one fixed order, and nothing that
  changes without a change of permissions is written, so two captures of an unchanged
  account differ only in the `capture:` block, which comes last.
- Loadable: the loader substitutes `${name}` scenario variables in every string, so a
  literal `${name}` that AWS returned is written `$${name}` (the loader's escape) and
  reads back as it was; IAM's own variables (`${aws:username}`) are left alone by both.
  Strings of digits (account ids) are quoted so YAML keeps them strings.
- Scrubbed: these APIs return no secrets, but the reports' redaction
  (harness/redact.py) runs over every string as a guard.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import yaml

from harness.account.capture.gaps import Document
from harness.redact import redact_text

# Every `${name}`, escaped or not: one more `$` in front reads back as the text AWS returned
# (the loader turns `$${name}` into `${name}`, and `$$${name}` into `$${name}`).
_SCENARIO_VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")

HEADER = (
    "# Account model written by `harness account capture` (docs/account-model.md).\n"
    "# Replay: pytest scenarios/ --iam-account THIS_FILE\n"
)


# libyaml's emitter when PyYAML has it: the pure-Python one takes seconds on a large account.
class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # type: ignore[misc]
    pass


def _represent_document(dumper: yaml.SafeDumper, value: Document) -> yaml.Node:
    return dumper.represent_scalar("tag:yaml.org,2002:str", str(value), style="|")


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = '"' if value.isdigit() else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(Document, _represent_document)
_Dumper.add_representer(str, _represent_str)


def map_strings(value: Any, fn: Callable[[str], str]) -> Any:
    """A copy of a JSON-like tree with `fn` applied to every string (keys too); documents stay documents."""
    if isinstance(value, Document):
        return Document(fn(str(value)))
    if isinstance(value, str):
        return fn(value)
    if isinstance(value, dict):
        return {fn(k) if isinstance(k, str) else k: map_strings(v, fn) for k, v in value.items()}
    if isinstance(value, list):
        return [map_strings(v, fn) for v in value]
    return value


def escape_variables(text: str) -> str:
    return _SCENARIO_VAR.sub(lambda m: "$${" + m.group(1) + "}", text)


def render(model: dict[str, Any], capture: dict[str, Any]) -> tuple[str, int]:
    """The file's text, and how many strings the redaction guard changed (0 for real AWS data)."""
    changed = 0

    def guard(text: str) -> str:
        nonlocal changed
        scrubbed = redact_text(text)
        if scrubbed != text:
            changed += 1
        return scrubbed

    body = map_strings(map_strings(model, guard), escape_variables)
    body["capture"] = map_strings(capture, guard)
    text = yaml.dump(
        body, Dumper=_Dumper, sort_keys=False, default_flow_style=False, allow_unicode=True, width=100
    )
    return HEADER + text, changed
