"""A scenario's `resources:` list: literal ARNs, and resources selected from the account model.

```yaml
resources:
  - "arn:aws:kms:eu-west-3:111122223333:key/k1"      # a literal ARN, as always
  - select: kms:key                                   # every key that encrypts a captured volume
    encrypts: ec2:volume
  - select: ec2:volume
    where: {encrypted: true, region: eu-*, "tag:env": prod}
```

A selector is the counterpart of `principals: all`: the account layer
(harness/account/resources.py) answers it, this module reads it from the file, checks its
keys and reports what is wrong at the file, line and field it is written at. No silent pass:
a selector in a file without an account model, one that selects nothing, or one whose answer
depends on something the capture could not read is an error, never zero cells.

A selected resource is an ordinary resource of the scenario (its ARN in the test id), plus
what it answers for (`covers`) and the values `${resource.arn}`, `${resource.region}` and
`${resource.account}` take in the scenario's context. Those are replaced inside context
values already parsed (a ContextEntry's strings), once per resource, never in text parsed
afterwards, so no value from a model can change the shape of a request.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

from harness.account.model import AccountModel, CaptureGap
from harness.account.resources import (
    Covered,
    ResourceKind,
    ResourceSelector,
    SelectedResource,
    select_resources,
)
from harness.account.selection import SelectionError
from harness.engine.types import ContextEntry
from harness.inputs.errors import unknown_key_hint
from harness.inputs.yamlsource import LDict, LList
from harness.scenarios.filecontext import FileContext

SELECTOR_KEYS = ("select", "encrypts", "where")
WHERE_KEYS = ("region", "account", "encrypted", "tag:KEY")
RESOURCE_FIELDS = ("arn", "region", "account")
# `${resource.NAME}`; `$${resource.NAME}` is a literal `${resource.NAME}`, as for `$${name}`.
RESOURCE_REFERENCE = re.compile(r"\$(\$?)\{resource\.([^}]*)\}")
# Only string values take a reference: the value of another type is parsed before any
# resource is known, and substituting into it would be substituting into text parsed later.
STRING_TYPES = ("string", "stringList")


@dataclass(frozen=True)
class ScenarioResource:
    """One resource of a scenario: its ARN (or `*`), and for a selected one what it stands for."""

    arn: str
    region: str = ""
    account: str = ""
    covers: tuple[Covered, ...] = ()
    selected: bool = False
    kind: str = ""  # a selected resource's ResourceKind

    @classmethod
    def literal(cls, arn: str) -> ScenarioResource:
        """A resource written as an ARN: its Region and account are the ARN's own fields."""
        parts = arn.split(":", 5)
        if len(parts) < 6:
            return cls(arn)
        return cls(arn, region=parts[3], account=parts[4])

    @classmethod
    def of(cls, found: SelectedResource) -> ScenarioResource:
        return cls(found.arn, found.region, found.account, found.covers, selected=True, kind=found.kind)

    def value(self, name: str) -> str:
        """What `${resource.NAME}` stands for here; "" when the resource has no such value."""
        if self.arn == "*":
            return ""
        return {"arn": self.arn, "region": self.region, "account": self.account}.get(name, "")


@dataclass(frozen=True)
class ContextReference:
    """A context entry that names the resource, and where it is written (for errors)."""

    key: str
    names: tuple[str, ...]
    line: int
    field: str


class ResourceListReader:
    """Reads one scenario's `resources:` list through the file's FileContext."""

    def __init__(self, file: FileContext) -> None:
        self.file = file
        # One answer per selector and file: scenarios often share a selector (a YAML anchor).
        self._answers: dict[ResourceSelector, list[ScenarioResource]] = {}

    def read(self, value: Any, line: int, field: str) -> list[ScenarioResource] | None:
        """The scenario's resources, each ARN once (a selected one keeps what it covers)."""
        if isinstance(value, str | LDict):
            value = [value]
        if not isinstance(value, list) or not value:
            self.file.error(
                line, field, '`resources` is a non-empty list of ARNs (or "*") and selectors (select: KIND)'
            )
            return None
        out: dict[str, ScenarioResource] = {}
        ok = True
        for i, item in enumerate(value):
            item_line = value.line_of(i) if isinstance(value, LList) else line
            found = self.item(item, item_line, f"{field}[{i}]")
            if found is None:
                ok = False
                continue
            for resource in found:
                out[resource.arn] = _merged(out.get(resource.arn), resource)
        return list(out.values()) if ok else None

    def item(self, item: Any, line: int, field: str) -> list[ScenarioResource] | None:
        if isinstance(item, LDict):
            return self.selected(item, field)
        if not isinstance(item, str) or not (item == "*" or item.startswith("arn:")):
            self.file.error(
                line, field, f"{item!r} is not an ARN", 'write a full ARN, "*", or a selector (select: KIND)'
            )
            return None
        if RESOURCE_REFERENCE.search(item):
            self.file.error(
                line,
                field,
                f"{item!r}: ${{resource.*}} names the resource itself and is for context values only",
                "write the ARN, or select the resources (select: KIND)",
            )
            return None
        return [ScenarioResource.literal(item)]

    def selected(self, item: LDict, field: str) -> list[ScenarioResource] | None:
        selector = self.selector(item, field)
        if selector is None:
            return None
        if selector in self._answers:
            return self._answers[selector]
        model = self.model(item, field)
        if model is None:
            return None
        try:
            found = select_resources(model, selector)
        except CaptureGap as exc:
            self.file.error(
                item.line,
                field,
                f"the selection depends on what the capture could not read: {exc}",
                "capture again with the missing permission, or narrow the selector with where: "
                "(region, account) to what was read",
            )
            return None
        if not found:
            self.file.error(
                item.line, field, f"{_describe(selector)} selects no resource of {model.path}", _hint()
            )
            return None
        self._answers[selector] = [ScenarioResource.of(r) for r in found]
        return self._answers[selector]

    def selector(self, item: LDict, field: str) -> ResourceSelector | None:
        """The item's selector, its keys and values checked where they are written."""
        ok = True
        for key in item:
            if key not in SELECTOR_KEYS:
                hint = unknown_key_hint(key, SELECTOR_KEYS)
                self.file.error(item.line_of(key), f"{field}.{key}", f"unknown key {key!r}", hint)
                ok = False
        kind = item.get("select")
        if not isinstance(kind, str) or not kind:
            self.file.error(
                item.line_of("select") if "select" in item else item.line,
                f"{field}.select",
                "a selector names the kind of resource it selects",
                "select: " + " | ".join(k.value for k in ResourceKind),
            )
            return None
        where = self.where(item, field)
        encrypts = item.get("encrypts")
        if encrypts is not None and not isinstance(encrypts, str):
            self.file.error(
                item.line_of("encrypts"), f"{field}.encrypts", "`encrypts` is ec2:volume or ec2:snapshot"
            )
            ok = False
        if where is None or not ok:
            return None
        try:
            return ResourceSelector.parse(kind, encrypts, where)
        except SelectionError as exc:
            at, line, message = _located(exc.message, item)
            self.file.error(line, f"{field}.{at}", message, exc.hint)
            return None

    def where(self, item: LDict, field: str) -> dict[str, Any] | None:
        """`where:` as {condition: value or list of values}, scalars as written (account ids keep zeros)."""
        raw = item.get("where")
        if raw is None:
            return {}
        if not isinstance(raw, LDict):
            self.file.error(item.line_of("where"), f"{field}.where", "`where` maps conditions to values")
            return None
        out: dict[str, Any] = {}
        ok = True
        for key, value in raw.items():
            key = str(key)
            if key not in WHERE_KEYS[:3] and not (key.startswith("tag:") and len(key) > 4):
                hint = unknown_key_hint(key, WHERE_KEYS)
                self.file.error(raw.line_of(key), f"{field}.where.{key}", f"unknown condition {key!r}", hint)
                ok = False
                continue
            out[key] = _as_written(raw, key, value)
        return out if ok else None

    def model(self, item: LDict, field: str) -> AccountModel | None:
        model = self.file.out.account_model
        if model is not None:
            return model
        given = self.file.account_given
        self.file.error(
            item.line,
            field,
            "this selector selects resources from the account model, and "
            + ("it could not be loaded (see its errors)" if given else "this file has none"),
            "" if given else "set `account: accounts/FILE.yaml` in this file or pass --iam-account FILE",
        )
        return None


# -- ${resource.*} in context values ------------------------------------------------


class ReferenceProblem(ValueError):
    """A context value that names the resource in a way that cannot be substituted."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


# A value of each name's shape, put in place of `${resource.NAME}` while the catalog parses and
# checks a context value: every resource's own value has that shape (a Region name, 12 digits, an
# ARN), so a value the catalog accepts with the sample it accepts with each resource's value.
_SAMPLES = {"arn": "arn:aws:iam::000000000000:root", "region": "us-east-1", "account": "000000000000"}


@dataclass(frozen=True)
class ReferencedValue:
    """A context value as written that mentions `${resource.*}`; `names` those to substitute
    (none when every mention is escaped as `$${resource.NAME}`)."""

    written: Any
    names: tuple[str, ...]

    @property
    def sample(self) -> Any:
        """The value with each reference replaced by a value of its shape, for the catalog to parse."""
        return _map_strings(self.written, lambda text: RESOURCE_REFERENCE.sub(_sample, text))

    def entry(self, parsed: ContextEntry) -> ContextEntry:
        """The entry the catalog parsed from the sample, holding the values as written again."""
        if parsed.type not in STRING_TYPES:
            raise ReferenceProblem(
                f"${{resource.*}} in a {parsed.type} value: only string values name the resource",
                "use it in string condition keys, e.g. kms:ViaService: ec2.${resource.region}.amazonaws.com",
            )
        texts = tuple(_scalar_text(v) for v in _items(self.written))
        if len(texts) != len(parsed.values):  # not reached: a string entry holds one value per item
            raise ReferenceProblem(
                "this value cannot name the resource", "write a string or a list of strings"
            )
        return replace(parsed, values=texts)

    def reference(self, key: str, line: int, field: str) -> ContextReference:
        return ContextReference(key, self.names, line, field)


def referenced_value(value: Any) -> ReferencedValue | None:
    """The value's mentions of the resource, or None; ReferenceProblem for an unknown name."""
    found = [m for text in _strings(value) for m in RESOURCE_REFERENCE.finditer(text)]
    if not found:
        return None
    names = tuple(dict.fromkeys(m.group(2) for m in found if not m.group(1)))
    for name in names:
        if name not in RESOURCE_FIELDS:
            close = difflib.get_close_matches(name, RESOURCE_FIELDS, n=1)
            hint = f"did you mean ${{resource.{close[0]}}}?" if close else _fields_hint()
            raise ReferenceProblem(f"unknown ${{resource.{name}}}", hint)
    return ReferencedValue(value, names)


def warning_sample(resources: Iterable[ScenarioResource]) -> list[str]:
    """The ARNs to check against the catalog: each literal one, and one per selected kind (the
    resources of one kind share their ARN's shape, so the catalog says the same of each)."""
    kinds: set[str] = set()
    out = []
    for resource in resources:
        if resource.selected:
            if resource.kind in kinds:
                continue
            kinds.add(resource.kind)
        out.append(resource.arn)
    return out


@dataclass(frozen=True)
class MissingValue:
    """A resource that has no value for a name the context uses (`${resource.region}` of a role)."""

    reference: ContextReference
    resource: ScenarioResource
    name: str


def missing_value(
    references: Iterable[ContextReference], resources: Iterable[ScenarioResource]
) -> MissingValue | None:
    """The first resource lacking a value a reference names, if any (checked before any cell)."""
    refs = list(references)
    if not refs:
        return None
    for resource in resources:
        for ref in refs:
            for name in ref.names:
                if not resource.value(name):
                    return MissingValue(ref, resource, name)
    return None


def context_for(
    context: tuple[ContextEntry, ...], references: Iterable[ContextReference], resource: ScenarioResource
) -> tuple[ContextEntry, ...]:
    """The scenario's context with every `${resource.*}` replaced by this resource's values."""
    keys = {r.key.lower() for r in references}
    if not keys:
        return context
    return tuple(
        replace(e, values=tuple(_substitute(v, resource) for v in e.values)) if e.key.lower() in keys else e
        for e in context
    )


def _substitute(text: str, resource: ScenarioResource) -> str:
    def one(match: re.Match[str]) -> str:
        if match.group(1):
            return "${resource." + match.group(2) + "}"
        return resource.value(match.group(2))

    return RESOURCE_REFERENCE.sub(one, text)


# -- helpers ------------------------------------------------------------------------


def _sample(match: re.Match[str]) -> str:
    return "${resource." + match.group(2) + "}" if match.group(1) else _SAMPLES[match.group(2)]


def _items(value: Any) -> list[Any]:
    """The values of a context entry as written: `{type, values|value}`, a list, or one scalar."""
    if isinstance(value, dict):
        value = value.get("values", value.get("value"))
    return list(value) if isinstance(value, list) else [value]


def _strings(value: Any) -> list[str]:
    return [v for v in _items(value) if isinstance(v, str)]


def _map_strings(value: Any, change: Any) -> Any:
    if isinstance(value, str):
        return change(value)
    if isinstance(value, dict):
        return {k: _map_strings(v, change) if k in ("value", "values") else v for k, v in value.items()}
    if isinstance(value, list):
        return [_map_strings(v, change) for v in value]
    return value


def _scalar_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _merged(first: ScenarioResource | None, second: ScenarioResource) -> ScenarioResource:
    """One ARN listed twice is one resource; it covers what either listing covers."""
    if first is None:
        return second
    if not second.selected:
        return first
    if not first.selected:
        return second
    covers = tuple(dict.fromkeys(first.covers + second.covers))
    return replace(first, covers=covers)


def _as_written(node: LDict, key: str, value: Any) -> Any:
    if isinstance(value, bool | LDict) or value is None:
        return value
    if isinstance(value, list):
        raw = getattr(value, "raw", {})
        return [v if isinstance(v, bool | str) else raw.get(i, str(v)) for i, v in enumerate(value)]
    return value if isinstance(value, str) else node.raw.get(key, str(value))


def _located(message: str, item: LDict) -> tuple[str, int, str]:
    """(field, line, message) of a SelectionError: the account layer's messages start with the
    field they are about (`where.region: ...`, `encrypts: ...`, `kind: ...`)."""
    head, sep, rest = message.partition(": ")
    head = head.split(" ", 1)[0]
    where = item.get("where")
    if head.startswith("where.") and isinstance(where, LDict) and head[6:] in where:
        return head, where.line_of(head[6:]), rest if sep else message
    if head in ("kind", "select"):
        return "select", item.line_of("select"), rest if sep else message
    if head in item:
        return head, item.line_of(head), rest if sep and head != "encrypts" else message
    return "select", item.line, message


def _describe(selector: ResourceSelector) -> str:
    text = f"select: {selector.kind}"
    if selector.encrypts is not None:
        text += f", encrypts: {selector.encrypts}"
    for condition in selector.where:
        text += f", {condition.key}: {'|'.join(condition.values)}"
    return text


def _hint() -> str:
    return (
        "where: values are case-sensitive patterns (* and ?); check them against the model, or capture "
        "the accounts and Regions that hold these resources (docs/scenarios.md, Selecting resources)"
    )


def _fields_hint() -> str:
    return "one of " + ", ".join(f"${{resource.{n}}}" for n in RESOURCE_FIELDS)
