"""How often each element and condition operator of the policy language occurs in a set of policies.

    python bench/managed_frequencies.py DIR

DIR holds one policy per file: either the MAMIP layout of AWS managed policies
(`{"PolicyVersion": {"Document": {...}}}`, the document possibly a JSON string)
or a bare policy document. Files that are empty or not JSON are counted as
unreadable and skipped. Prints one table: statements per policy, effects,
elements, action and resource shapes, Condition blocks, operators, qualifiers,
condition keys and policy variables.

Counting rules, so that two runs can be compared:

- Resources fall in exactly one class: `*`, holding a `${...}` variable,
  wildcarded (`*` or `?` elsewhere), exact. Actions: `*`, wildcarded, exact.
- A condition *clause* is one (operator, key) pair; operators, qualifiers
  (`ForAllValues:`, `ForAnyValue:`, `...IfExists`) and keys are counted per
  clause. Operators are counted by base name (`ForAnyValue:StringLikeIfExists`
  counts as StringLike). Tag keys are folded to their prefix
  (`aws:ResourceTag/team` -> `aws:ResourceTag/`).
- Condition values are counted one by one; a value holding `${` counts as a
  value with a variable.

`bench/workload_language.py` imports `Frequencies` to count its own output.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SET_QUALIFIERS = ("ForAllValues:", "ForAnyValue:")
IF_EXISTS = "IfExists"
STATEMENT_BUCKETS = 10  # statements per policy: 1..9, then ">= 10"
_VARIABLE = re.compile(r"\$\{([^}]+)\}")


def as_list(value: object) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def action_class(action: str) -> str:
    if action == "*":
        return "*"
    return "wildcarded" if "*" in action or "?" in action else "exact"


def resource_class(resource: str) -> str:
    if resource == "*":
        return "*"
    if "${" in resource:
        return "with ${...} variable"
    return "wildcarded" if "*" in resource or "?" in resource else "exact"


def key_family(key: str) -> str:
    """`aws:ResourceTag/team` -> `aws:ResourceTag/`; other keys as written."""
    slash = key.find("/")
    return key[: slash + 1] if slash >= 0 else key


@dataclass(frozen=True)
class OperatorName:
    """A condition operator as written, split into qualifier, base name and IfExists."""

    qualifier: str  # "ForAllValues", "ForAnyValue" or ""
    base: str
    if_exists: bool

    @classmethod
    def parse(cls, written: str) -> OperatorName:
        qualifier = ""
        for prefix in SET_QUALIFIERS:
            if written.startswith(prefix):
                qualifier, written = prefix[:-1], written[len(prefix) :]
        if_exists = written.endswith(IF_EXISTS) and written != IF_EXISTS
        base = written[: -len(IF_EXISTS)] if if_exists else written
        return cls(qualifier, base, if_exists)


@dataclass
class Frequencies:
    """Counts over every policy given to `add_policy`; `kind` tags say which policy kinds were seen."""

    policies: int = 0
    unreadable: int = 0
    statements: int = 0
    kinds: Counter[str] = field(default_factory=Counter)
    statements_per_policy: Counter[int] = field(default_factory=Counter)
    effects: Counter[str] = field(default_factory=Counter)
    elements: Counter[str] = field(default_factory=Counter)
    principal_forms: Counter[str] = field(default_factory=Counter)
    actions: Counter[str] = field(default_factory=Counter)
    actions_per_statement: Counter[int] = field(default_factory=Counter)
    resources: Counter[str] = field(default_factory=Counter)
    resources_per_statement: Counter[int] = field(default_factory=Counter)
    clauses_per_condition: Counter[int] = field(default_factory=Counter)
    operators: Counter[str] = field(default_factory=Counter)
    qualifiers: Counter[str] = field(default_factory=Counter)
    qualified_forms: Counter[str] = field(default_factory=Counter)  # e.g. ForAnyValue:StringLike
    keys: Counter[str] = field(default_factory=Counter)
    values_per_clause: Counter[int] = field(default_factory=Counter)
    condition_values: Counter[str] = field(default_factory=Counter)
    variables: Counter[str] = field(default_factory=Counter)
    context_types: Counter[str] = field(default_factory=Counter)  # filled by request counters only

    def add_policy(self, document: dict[str, Any], kind: str = "managed") -> None:
        statements = as_list(document.get("Statement"))
        self.policies += 1
        self.kinds[kind] += 1
        self.statements_per_policy[len(statements)] += 1
        for statement in statements:
            if isinstance(statement, dict):
                self._add_statement(statement)

    def _add_statement(self, st: dict[str, Any]) -> None:
        self.statements += 1
        self.effects[str(st.get("Effect"))] += 1
        for element in ("Action", "NotAction", "Resource", "NotResource", "Principal", "NotPrincipal"):
            if element in st:
                self.elements[element] += 1
        actions = as_list(st.get("Action", st.get("NotAction")))
        self.actions_per_statement[len(actions)] += 1
        self.actions.update(action_class(a) for a in actions if isinstance(a, str))
        resources = as_list(st.get("Resource", st.get("NotResource")))
        self.resources_per_statement[len(resources)] += 1
        for resource in resources:
            if isinstance(resource, str):
                self.resources[resource_class(resource)] += 1
                self.variables.update(key_family(v) for v in _VARIABLE.findall(resource))
        for element in ("Principal", "NotPrincipal"):
            if element in st:
                self._add_principal(st[element])
        condition = st.get("Condition")
        if isinstance(condition, dict) and condition:
            self.elements["Condition"] += 1
            self._add_condition(condition)

    def _add_principal(self, principal: object) -> None:
        if principal == "*":
            self.principal_forms['"*"'] += 1
            return
        if not isinstance(principal, dict):
            return
        for ptype, values in principal.items():
            for value in as_list(values):
                self.principal_forms[_principal_form(ptype, str(value))] += 1

    def _add_condition(self, condition: dict[str, Any]) -> None:
        clauses = 0
        for written, body in condition.items():
            if not isinstance(body, dict):
                continue
            name = OperatorName.parse(written)
            for key, values in body.items():
                clauses += 1
                self.operators[name.base] += 1
                if name.qualifier:
                    self.qualifiers[name.qualifier] += 1
                if name.if_exists:
                    self.qualifiers[IF_EXISTS] += 1
                if name.qualifier or name.if_exists:
                    self.qualified_forms[written] += 1
                self.keys[key_family(key)] += 1
                self._add_values(as_list(values))
        self.clauses_per_condition[clauses] += 1

    def _add_values(self, values: list[Any]) -> None:
        self.values_per_clause[len(values)] += 1
        for value in values:
            text = value if isinstance(value, str) else json.dumps(value)
            with_variable = "${" in text
            self.condition_values["with ${...} variable" if with_variable else "plain"] += 1
            if with_variable:
                self.variables.update(key_family(v.split(",")[0].strip()) for v in _VARIABLE.findall(text))


def _principal_form(ptype: str, value: str) -> str:
    if ptype != "AWS":
        return ptype
    if value == "*":
        return 'AWS "*"'
    if value.isdigit():
        return "AWS account ID"
    if value.endswith(":root"):
        return "AWS account root ARN"
    return "AWS " + (value.split(":")[5].split("/")[0] if value.count(":") >= 5 else "other")


def policy_document(data: object) -> dict[str, Any] | None:
    """The policy document of a MAMIP file or of a bare policy file; None if it holds none."""
    if isinstance(data, dict) and isinstance(data.get("PolicyVersion"), dict):
        data = data["PolicyVersion"].get("Document")
        if isinstance(data, str):
            data = json.loads(data)
    if isinstance(data, dict) and "Statement" in data:
        return data
    return None


def count_folder(folder: Path) -> Frequencies:
    freq = Frequencies()
    for path in sorted(p for p in folder.iterdir() if p.is_file()):
        try:
            document = policy_document(json.loads(path.read_text(encoding="utf-8")))
        except (ValueError, UnicodeDecodeError):
            document = None
        if document is None:
            freq.unreadable += 1
        else:
            freq.add_policy(document)
    return freq


class _Buckets(dict[str, int]):
    """A histogram in bucket order: 0, 1, 2, ..., ">= cap"."""


def _buckets(counts: Counter[int], cap: int) -> _Buckets:
    out = _Buckets()
    for n in sorted(counts):
        name = f">= {cap}" if n >= cap else str(n)
        out[name] = out.get(name, 0) + counts[n]
    return out


def _section(title: str, counts: Counter[Any] | dict[Any, int], total: int, limit: int = 60) -> list[str]:
    """One line per name, most frequent first; histograms (from `_buckets`) keep their order."""
    lines = [f"{title} (of {total:,})"]
    rows = list(counts.items())
    if not isinstance(counts, _Buckets):
        rows.sort(key=lambda kv: (-kv[1], str(kv[0])))
    for name, n in rows[:limit]:
        share = f"{n / total:7.2%}" if total else "      -"
        lines.append(f"  {name!s:<44} {n:>8,} {share}")
    return lines


def format_table(freq: Frequencies, keys: int = 25) -> str:
    clauses = sum(freq.operators.values())
    lines = [
        f"policies {freq.policies:,} ({', '.join(f'{k} {n:,}' for k, n in sorted(freq.kinds.items()))}); "
        f"unreadable files {freq.unreadable:,}; statements {freq.statements:,}; condition clauses {clauses:,}"
    ]
    sections: list[tuple[str, Counter[Any] | dict[Any, int], int]] = [
        ("statements per policy", _buckets(freq.statements_per_policy, STATEMENT_BUCKETS), freq.policies),
        ("Effect", freq.effects, freq.statements),
        ("statements with element", freq.elements, freq.statements),
        ("principal forms (values)", freq.principal_forms, sum(freq.principal_forms.values())),
        ("actions per statement", _buckets(freq.actions_per_statement, 10), freq.statements),
        ("actions", freq.actions, sum(freq.actions.values())),
        ("resources per statement", _buckets(freq.resources_per_statement, 6), freq.statements),
        ("resources", freq.resources, sum(freq.resources.values())),
        ("clauses per Condition block", _buckets(freq.clauses_per_condition, 5), freq.elements["Condition"]),
        ("operators (clauses)", freq.operators, clauses),
        ("qualifiers (clauses)", freq.qualifiers, clauses),
        ("operators with a qualifier or IfExists (clauses)", freq.qualified_forms, clauses),
        ("values per clause", _buckets(freq.values_per_clause, 4), clauses),
        ("condition values", freq.condition_values, sum(freq.condition_values.values())),
        (f"condition keys, top {keys} (clauses)", Counter(dict(freq.keys.most_common(keys))), clauses),
        ("policy variables (uses)", freq.variables, sum(freq.variables.values())),
    ]
    if freq.context_types:
        sections.append(("ContextKeyType (entries)", freq.context_types, sum(freq.context_types.values())))
    for title, counts, total in sections:
        lines.extend(_section(title, counts, total))
    return "\n".join(lines)


def main(argv: Iterable[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path, help="one policy per file (MAMIP layout or bare documents)")
    parser.add_argument("--keys", type=int, default=25, help="how many condition keys to list")
    args = parser.parse_args(list(argv) if argv is not None else None)
    if not args.folder.is_dir():
        parser.error(f"{args.folder} is not a folder")
    sys.stdout.write(format_table(count_folder(args.folder), args.keys) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
