"""Cell records as run.json schema version 3 stores them: compact, interned, and expanded back in full.

A record (a `CellRecord` as a dict) is split in two:

- its **template**: what every cell of one scenario, principal and expectation
  shares (`TEMPLATE_FIELDS`: file, scenario, line, principal, expected,
  backend, mode, reason, tags, context, check_enforced, account);
- its **own fields**: the rest (action, resource, decision, statements, ...).

Templates and repeated values (`INTERNED_FIELDS`: deciding statements,
warnings, missing context keys, advisory, error and skip-reason texts, and a cell's
`covers` list as a whole, which every cell on one selected resource repeats)
are written once as a definition entry, `{"def": N, "value": ...}`, before
the first cell that uses them; a cell then names them by number:
`"template": N`, `"deciding_statements": [N, ...]`, `"advisory": N`,
`"covers": N`. A definition holds until `{"reset_defs": true}`, after which
numbers start again from 0 (the writer resets when its table is full, so
neither side's memory grows with cells).

A record's `estate` (the facts of what it covers) is not written with the
cell: the stream writer keeps each resource's facts once, in the run's
`estate` table (harness/run/estate.py, harness/run/stream.py), and a cell
read back has none.

A cell leaves out every field equal to its default, where the default is:

- `id`: the standard id, `FILE::SCENARIO[PRINCIPAL|ACTION|RESOURCE]` (built
  as harness/scenarios/expand.py builds it); stored only when it differs;
- `outcome`: what `judge` decides from expected, actual, enforced,
  check_enforced, disagreement (harness/cells.py); stored only when it differs;
- `actual`: `expected` when that is a decision (`allowed`, `explicitDeny`,
  `implicitDeny`); `enforced`: `actual` (a cell without one says `null`);
- `explanation`: nothing for a passing cell (it is never stored: `harness
  explain` recomputes it); failed and error cells keep theirs in full;
- anything else: the `CellRecord` default (`""`, `[]`, `null`, `false`, `custom`).

Redaction happens here, on the data, before it is encoded: each distinct
template and interned value is scrubbed once, when it is defined, and a
cell's own strings through a bounded memo; so a passing cell costs a few
dictionary look-ups, not a regex scan of every field.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import msgspec

from harness.cells import Expectation
from harness.redact import redact_data, redact_text
from harness.run.schema import CellRecord

TEMPLATE_FIELDS = (
    "file", "scenario", "line", "principal", "expected", "backend", "mode",
    "reason", "tags", "context", "check_enforced", "account",
)  # fmt: skip
# Fields whose value (a string) or items (a list's) are definitions, named by number in a cell.
INTERNED_VALUES = ("advisory", "error", "skip_reason")
INTERNED_ITEMS = ("deciding_statements", "warnings", "missing_context")
# Fields whose whole list is one definition (a selected resource's covers repeat in all its cells).
INTERNED_LISTS = ("covers",)
INTERNED_FIELDS = INTERNED_VALUES + INTERNED_ITEMS + INTERNED_LISTS
# Carried by a record to the writer, never written with the cell (the run's estate table holds it).
TRANSIT_FIELDS = ("estate",)
RECORD_FIELDS = tuple(f.name for f in dataclasses.fields(CellRecord))
OWN_FIELDS = tuple(
    name for name in RECORD_FIELDS if name not in TEMPLATE_FIELDS and name not in TRANSIT_FIELDS
)
REQUIRED_FIELDS = tuple(
    f.name
    for f in dataclasses.fields(CellRecord)
    if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
)
_GIVEN_FIELDS = tuple(name for name in REQUIRED_FIELDS if name not in ("id", "outcome"))
_DECISIONS = ("allowed", "explicitDeny", "implicitDeny")
# Definitions held before the writer starts the numbering again (bounds both sides' memory).
MAX_DEFS = 4096
_MEMO_CAP = 4096


def _defaults() -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f in dataclasses.fields(CellRecord):
        if f.default is not dataclasses.MISSING:
            out[f.name] = f.default
        elif f.default_factory is not dataclasses.MISSING:
            out[f.name] = f.default_factory()
    return out


DEFAULTS = _defaults()
_RECORD_FIELD_SET = frozenset(RECORD_FIELDS)
_INTERNED_VALUE_SET = frozenset(INTERNED_VALUES)
_INTERNED_ITEM_SET = frozenset(INTERNED_ITEMS)
_INTERNED_LIST_SET = frozenset(INTERNED_LISTS)
_TRANSIT_SET = frozenset(TRANSIT_FIELDS)
_CONTAINER_FIELDS = tuple(name for name, value in DEFAULTS.items() if isinstance(value, list | dict))
# A required field a cell did not give (the reader derives id and outcome; the rest must be there).
_ABSENT: Any = object()


def _clean(text: str) -> str:
    # As harness/scenarios/expand.py: "::" separates pytest node ids; whitespace runs become one space.
    return " ".join(text.replace("::", ":").split())


def standard_id(record: dict[str, Any]) -> str:
    """The id the scenario loader gives a cell (without the `#2` of a repeated one)."""
    get = record.get
    scenario, principal = _clean(str(get("scenario", ""))), _clean(str(get("principal", "")))
    return f"{get('file', '')}::{scenario}[{principal}|{get('action', '')}|{get('resource', '')}]"


def judged_outcome(record: dict[str, Any]) -> str | None:
    """The outcome `harness.cells.judge` gives these fields; None when `expected` is not an expectation."""
    if record.get("actual") == "error":
        return "error"
    if record.get("disagreement"):
        return "failed"
    decision = record.get("actual")
    if record.get("check_enforced") and record.get("enforced"):
        decision = record.get("enforced")
    try:
        accepted = Expectation(record.get("expected")).accepts(str(decision))
    except ValueError:
        return None
    return "passed" if accepted else "failed"


def full_record(data: dict[str, Any]) -> dict[str, Any]:
    """A record with every CellRecord field, defaults filled (fresh lists), unknown keys dropped."""
    out = {name: data[name] for name in RECORD_FIELDS if name in data}
    for name, value in DEFAULTS.items():
        if name not in out:
            out[name] = _fresh(value)
    return out


def _fresh(value: Any) -> Any:
    # A default list or dict per record: callers may fill it in.
    return list(value) if isinstance(value, list) else dict(value) if isinstance(value, dict) else value


class EntryError(ValueError):
    """A v3 entry that cannot be read: a definition without a number, a cell naming a definition not
    given before it, a cell without a required field."""


class CellEncoder:
    """Turns records into v3 entries: definitions first when new, then the compact cell.

    With `redact` (the default) every string is scrubbed before it is encoded
    (harness/redact.py): once per distinct definition, through a
    bounded memo for a cell's own strings. `redact=False` is for data already redacted.
    """

    def __init__(self, *, redact: bool = True) -> None:
        self._redact = redact
        self._defs: dict[Any, int] = {}
        self._memo: dict[str, str] = {}
        self._key = msgspec.json.Encoder().encode

    def encode(self, record: dict[str, Any]) -> list[dict[str, Any]]:
        """The entries that write `record`: new definitions (if any) and the cell, in file order."""
        entries: list[dict[str, Any]] = []
        if len(self._defs) >= MAX_DEFS:
            self._defs.clear()
            entries.append({"reset_defs": True})
        get = record.get
        template = {}
        for name in TEMPLATE_FIELDS:
            value = get(name, DEFAULTS.get(name))
            if name not in DEFAULTS or value != DEFAULTS[name]:
                template[name] = value
        cell: dict[str, Any] = {"template": self._intern(template, entries, key=self._key(template))}
        expected = get("expected")
        actual = get("actual")
        derived_id = get("id") == standard_id(record)
        derived_outcome = get("outcome") == judged_outcome(record)
        passed = get("outcome") == "passed"
        for name in OWN_FIELDS:
            if name in record:
                value = record[name]
            elif name in DEFAULTS:
                value = DEFAULTS[name]
            else:
                continue  # a required field left out: the reader derives it (id, outcome, actual)
            if name == "id":
                if derived_id:
                    continue
            elif name == "outcome":
                if derived_outcome:
                    continue
            elif name == "actual":
                if value == expected and value in _DECISIONS:
                    continue
            elif name == "enforced":
                if value == actual:
                    continue
                cell[name] = value if value is None else self._text(value)
                continue
            elif name == "explanation":
                if passed or not value:
                    continue
            elif name in DEFAULTS and value == DEFAULTS[name]:
                continue
            if name in INTERNED_VALUES and isinstance(value, str):
                cell[name] = self._intern(value, entries)
            elif name in INTERNED_LISTS and isinstance(value, list | tuple):
                cell[name] = self._intern(list(value), entries, key=(name, self._key(value)))
            elif name in INTERNED_ITEMS and isinstance(value, list | tuple):
                cell[name] = [
                    self._intern(item, entries, key=item if isinstance(item, str) else self._key(item))
                    for item in value
                ]
            else:
                cell[name] = self._plain(value)
        entries.append(cell)
        return entries

    def _intern(self, value: Any, entries: list[dict[str, Any]], key: Any = None) -> int:
        key = value if key is None else key
        number = self._defs.get(key)
        if number is None:
            number = self._defs[key] = len(self._defs)
            entries.append({"def": number, "value": redact_data(value) if self._redact else value})
        return number

    def _text(self, value: str) -> str:
        if not self._redact:
            return value
        done = self._memo.get(value)
        if done is None:
            if len(self._memo) >= _MEMO_CAP:
                self._memo.clear()
            done = self._memo[value] = redact_text(value)
        return done

    def _plain(self, value: Any) -> Any:
        if isinstance(value, str):
            return self._text(value)
        if not self._redact or isinstance(value, bool | int | float) or value is None:
            return value
        return redact_data(value)


class CellDecoder:
    """Turns v3 entries back into full records (every CellRecord field); None for a definition."""

    def __init__(self) -> None:
        self._defs: dict[int, Any] = {}
        # Per template number: its fields over the defaults, the start of every cell that names it.
        self._bases: dict[int, dict[str, Any]] = {}

    def decode(self, entry: dict[str, Any]) -> dict[str, Any] | None:
        if "def" in entry:
            number = entry["def"]
            if not isinstance(number, int) or isinstance(number, bool):
                raise EntryError(f"definition number {number!r} is not an integer")
            self._defs[number] = entry.get("value")
            self._bases.pop(number, None)
            return None
        if entry.get("reset_defs"):
            self._defs.clear()
            self._bases.clear()
            return None
        number = entry.get("template")
        base = self._bases.get(number) if isinstance(number, int) else None
        out = (base or self._base(number)).copy()
        for name, value in entry.items():
            if name in _INTERNED_VALUE_SET:
                if isinstance(value, int) and not isinstance(value, bool):
                    value = self._ref(value, name)
            elif name in _INTERNED_ITEM_SET:
                if isinstance(value, list):
                    value = [self._item(v, name) for v in value]
            elif name in _INTERNED_LIST_SET:
                if isinstance(value, int) and not isinstance(value, bool):
                    value = self._list(value, name)
            elif name not in _RECORD_FIELD_SET or name in _TRANSIT_SET:
                continue
            out[name] = value
        for name in _CONTAINER_FIELDS:  # fresh lists and dicts: callers may fill them in
            if name not in entry:
                value = out[name]
                out[name] = list(value) if isinstance(value, list) else dict(value)
        if "actual" not in entry:
            out["actual"] = out["expected"]
        if "enforced" not in entry:
            out["enforced"] = out["actual"]
        missing = [name for name in _GIVEN_FIELDS if out[name] is _ABSENT]
        if missing:
            raise EntryError(f"a cell (template {number!r}) has no {', '.join(missing)}")
        if "id" not in entry:
            out["id"] = standard_id(out)
        if "outcome" not in entry:
            out["outcome"] = judged_outcome(out) or "error"
        return out

    def _base(self, number: Any) -> dict[str, Any]:
        template = self._ref(number, "template")
        if not isinstance(template, dict):
            raise EntryError(f"template {number!r} is not an object")
        # Every field in CellRecord order; a required one the cell must give is _ABSENT until it does.
        base = {name: template.get(name, DEFAULTS.get(name, _ABSENT)) for name in RECORD_FIELDS}
        for name in _CONTAINER_FIELDS:
            if not isinstance(base[name], list | dict):  # a hand-edited template: keep it a container
                base[name] = _fresh(DEFAULTS[name])
        self._bases[number] = base
        return base

    def _ref(self, number: Any, name: str) -> Any:
        try:
            return self._defs[number]
        except (KeyError, TypeError):
            raise EntryError(f"{name} names definition {number!r}, not defined before it") from None

    def _list(self, number: int, name: str) -> list[Any]:
        value = self._ref(number, name)
        if not isinstance(value, list):
            raise EntryError(f"{name} names definition {number!r}, which is not a list")
        return list(value)  # fresh: callers may fill it in

    def _item(self, value: Any, name: str) -> Any:
        if isinstance(value, int) and not isinstance(value, bool):
            value = self._ref(value, name)
        return dict(value) if isinstance(value, dict) else value
