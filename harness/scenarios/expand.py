"""Expand one scenario (list form or matrix form) into cells.

A scenario is principals x actions x resources. Action wildcards expand to
every concrete action the catalog knows (`kms:GenerateDataKey*` -> the four
GenerateDataKey* actions). The expectation is the scenario's `expect`, then
each matching `overrides` entry in order (the last match wins); in matrix form
it is the table cell for (principal, action).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from harness.account.resource_inputs import GivenResourceInputs, resource_inputs
from harness.account.resources import Covered
from harness.account.selection import (
    EXTERNAL,
    SelectionError,
    is_selector,
    parse_selector,
    select_identities,
)
from harness.catalog.types import InvalidContextValue
from harness.catalog.values import parse_typed_values
from harness.cells import Cell, Expectation, SourceRef, Subject
from harness.engine.types import ContextEntry, PolicyKind, PolicySource
from harness.inputs.errors import unknown_key_hint
from harness.inputs.yamlsource import LDict, LList
from harness.scenarios.catalog_adapter import (
    CONTEXT_TYPES,
    ActionCatalog,
    CatalogProblem,
    wildcard_regex,
)
from harness.scenarios.external import external_aliases, external_askers, external_unknown, names_external
from harness.scenarios.filecontext import FileContext
from harness.scenarios.resources import (
    ContextReference,
    ReferenceProblem,
    ResourceListReader,
    ScenarioResource,
    context_for,
    missing_value,
    referenced_value,
    warning_sample,
)

SCENARIO_KEYS = (
    "name",
    "description",
    "tags",
    "principal",
    "principals",
    "actions",
    "resources",
    "resource_policy",
    "resource_owner",
    "scps",
    "rcps",
    "context",
    "expect",
    "enforced",
    "reason",
    "overrides",
    "matrix",
)
MATRIX_KEYS = ("principals", "actions", "resources", "expect")
OVERRIDE_KEYS = ("principal", "action", "resource", "expect", "reason", "enforced")
EXPECTATIONS = {e.value.lower(): e for e in Expectation}
EXPECT_ALIASES = {
    "allow": "allowed",
    "deny": "denied",
    "explicit_deny": "explicitDeny",
    "implicit_deny": "implicitDeny",
    "explicit": "explicitDeny",
    "implicit": "implicitDeny",
}


@dataclass
class _Rule:
    principal: str | None
    action: str | None
    resource: str | None
    expect: Expectation
    reason: str
    enforced: bool | None
    line: int
    field: str
    used: bool = False
    # Matrix columns select by the pattern as written, so a wildcard column covers its expansion.
    by_pattern: bool = False

    def __post_init__(self) -> None:
        # Compiled once per rule: a scenario applies every rule to every cell. Each field follows IAM's
        # case rules: action names are case-insensitive, ARNs (resources) case-sensitive
        # (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html,
        # https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html).
        self._action_re = wildcard_regex(self.action) if self.action else None
        self._resource_re = wildcard_regex(self.resource, ignore_case=False) if self.resource else None

    def applies(self, principal: str, action: str, resource: str) -> bool:
        return (
            (self.principal is None or self.principal == principal)
            and (self._action_re is None or self._action_re.fullmatch(action) is not None)
            and (self._resource_re is None or self._resource_re.fullmatch(resource) is not None)
        )


@dataclass
class _SelectedRule(_Rule):
    """An override whose `principal` is a name, ARN or glob naming several of the scenario's principals."""

    selected: frozenset[str] = frozenset()

    def applies(self, principal: str, action: str, resource: str) -> bool:
        return principal in self.selected and super().applies(principal, action, resource)


@dataclass
class _Plan:
    """Who, what and on which resources a scenario asks, and the rules that set each expectation."""

    principals: list[str]
    actions: list[tuple[str, list[str]]]  # (pattern as written, the concrete actions it expands to)
    resources: list[ScenarioResource]
    rules: list[_Rule]

    @property
    def action_names(self) -> list[str]:
        return [a for _, expanded in self.actions for a in expanded]


@dataclass(frozen=True)
class _Head:
    """What a scenario says of all its cells: its name, line, tags and defaults for overrides."""

    name: str
    line: int
    tags: tuple[str, ...]
    reason: str
    enforced: bool | None


@dataclass(frozen=True)
class _Context:
    """A scenario's context entries, and those naming the resource (`${resource.region}`)."""

    entries: tuple[ContextEntry, ...]
    references: tuple[ContextReference, ...] = ()


@dataclass(frozen=True)
class _Requests:
    """What every request of a scenario carries before its resource is known."""

    context: _Context
    resource_policy: PolicySource | None
    resource_policy_named: bool
    owner: str | None
    scps: tuple[tuple[PolicySource, ...], ...]
    rcps: tuple[tuple[PolicySource, ...], ...]


@dataclass(frozen=True)
class _Target:
    """One resource of a scenario with what a request on it carries (the same for every cell on it)."""

    arn: str
    context: tuple[ContextEntry, ...]
    resource_policy: PolicySource | None
    owner: str | None
    covers: tuple[Covered, ...]


@dataclass(frozen=True)
class _Asker:
    """One principal of a scenario: its label (name or ARN), subject and account policies left out."""

    label: str
    subject: Subject
    exclusions: tuple[str, ...]
    # A principal outside the model: `unknown` when its own account's policies are not in it.
    other_side: str | None = None


@dataclass(frozen=True)
class _Decision:
    expect: Expectation
    reason: str
    enforced: bool


class ScenarioExpander:
    def __init__(
        self, loader: FileContext, principals: dict[str, Subject], file_tags: tuple[str, ...]
    ) -> None:
        self.loader = loader
        self.principals = principals
        self.file_tags = file_tags
        self.names: dict[str, int] = {}
        self.resource_reader = ResourceListReader(loader)

    @property
    def catalog(self) -> ActionCatalog:
        return self.loader.catalog

    def error(self, line: int, field: str, message: str, hint: str = "") -> None:
        self.loader.error(line, field, message, hint)

    def _errors(self) -> int:
        return len(self.loader.sink.errors)

    def expand(self, spec: Any, line: int, field: str) -> None:
        """One scenario into cells; every mistake reported with its line and field, then no cells."""
        errors_before = self._errors()
        name = self._name(spec, line, field)
        if name is None:
            return
        label = f"{field} ({name})"
        head = self._head(spec, label, name)
        plan = self._plan(spec, label)
        if plan is None or self._errors() > errors_before:
            return
        requests = self._requests(spec, label, plan.action_names)
        if self._errors() > errors_before:
            return
        targets = self._targets(plan.resources, requests)
        if targets is None:
            return
        self._warn_resources(plan.action_names, warning_sample(plan.resources), spec.line_of("resources"))
        self._cells(head, plan, requests, targets)
        for rule in plan.rules:
            if not rule.used:
                self.error(
                    rule.line,
                    rule.field,
                    "this override matches no cell of the scenario",
                    "check the principal name, action and resource spelling",
                )

    # -- the parts of a scenario ------------------------------------------

    def _name(self, spec: Any, line: int, field: str) -> str | None:
        """The scenario's name, unique in the file; its keys checked. None: nothing to expand."""
        if not isinstance(spec, LDict):
            self.error(line, field, "a scenario is a mapping with name, principal(s), actions and expect")
            return None
        for key in spec:
            if key not in SCENARIO_KEYS:
                self.error(
                    spec.line_of(key),
                    f"{field}.{key}",
                    f"unknown key {key!r}",
                    unknown_key_hint(key, SCENARIO_KEYS),
                )
        name = self.loader.text(spec, "name")
        if not name:
            self.error(spec.line, f"{field}.name", "every scenario needs a `name`")
            return None
        if name in self.names:
            self.error(
                spec.line_of("name"),
                f"{field}.name",
                f"duplicate scenario name {name!r} (line {self.names[name]})",
            )
            return None
        self.names[name] = spec.line
        return name

    def _head(self, spec: LDict, label: str, name: str) -> _Head:
        tags = self.file_tags + self.loader.tags(spec.get("tags", []), spec.line_of("tags"), f"{label}.tags")
        reason = self.loader.text(spec, "reason")
        return _Head(name, spec.line, tags, reason, self._bool(spec, "enforced", label))

    def _plan(self, spec: LDict, label: str) -> _Plan | None:
        matrix = spec.get("matrix")
        if matrix is None:
            return self._list_form(spec, label)
        for key in ("principal", "principals", "actions", "resources", "expect", "overrides"):
            if key in spec:
                self.error(
                    spec.line_of(key),
                    f"{label}.{key}",
                    f"`{key}` cannot be used with `matrix`",
                    "put it inside matrix",
                )
        return self._matrix(matrix, spec.line_of("matrix"), f"{label}.matrix")

    def _requests(self, spec: LDict, label: str, action_names: list[str]) -> _Requests:
        context = self._context(spec, label, action_names)
        resource_policy, named = self._resource_policy(spec, label)
        return _Requests(
            context=context,
            resource_policy=resource_policy,
            resource_policy_named=named,
            owner=self.loader.text(spec, "resource_owner") or None,
            scps=self._levels(spec, "scps", label, PolicyKind.SCP),
            rcps=self._levels(spec, "rcps", label, PolicyKind.RCP),
        )

    def _targets(self, resources: list[ScenarioResource], requests: _Requests) -> list[_Target] | None:
        """Per resource, what its requests carry: the context with `${resource.*}` replaced by its
        values, then the account model's pick (the one who-can and the CLI share)."""
        references = requests.context.references
        missing = missing_value(references, resources)
        if missing is not None:
            ref, resource, name = missing.reference, missing.resource, missing.name
            self.error(
                ref.line,
                ref.field,
                f"${{resource.{name}}}: the resource {resource.arn!r} has no {name}",
                "name the resource only where every resource of the scenario has that value "
                '(an S3 bucket or IAM role has no Region; "*" has none)',
            )
            return None
        model = self.loader.out.account_model
        out = []
        for resource in resources:
            context = context_for(requests.context.entries, references, resource)
            policy, owner = requests.resource_policy, requests.owner
            if model is not None:
                given = GivenResourceInputs(policy, requests.resource_policy_named, owner, context)
                picked = resource_inputs(model, resource.arn, given)
                context, policy, owner = picked.context, picked.policy, picked.owner
            out.append(_Target(resource.arn, context, policy, owner, resource.covers))
        return out

    def _cells(self, head: _Head, plan: _Plan, requests: _Requests, targets: list[_Target]) -> None:
        for pname in plan.principals:
            if pname == EXTERNAL and pname not in self.principals:
                self._external_cells(head, plan, requests, targets)
                continue
            subject = self.principals[pname] if pname in self.principals else Subject(principal_arn=pname)
            asker = _Asker(pname, subject, self.loader.principal_exclusions(pname))
            for pattern, expanded in plan.actions:
                for action in expanded:
                    for target in targets:
                        decision = self._decide(plan.rules, pname, pattern, action, target.arn, head)
                        self._add_cell(head, asker, action, target, requests, decision)

    def _external_cells(self, head: _Head, plan: _Plan, requests: _Requests, targets: list[_Target]) -> None:
        """`principals: external`: per action and resource, the principals its policy and grants name."""
        model = self.loader.out.account_model
        assert model is not None  # _name_list refuses `external` without a model
        for target in targets:
            unknown = external_unknown(model, target.arn, requests.resource_policy_named)
            if unknown is not None:
                hint = "list resources by ARN, ones the account model could read"
                self.error(head.line, f"{head.name}.resources", unknown, hint)
                return
        for pattern, expanded in plan.actions:
            for action in expanded:
                for target in targets:
                    for ext in external_askers(model, target.resource_policy, action, target.arn):
                        decision = self._decide(plan.rules, ext.label, pattern, action, target.arn, head)
                        # Judged on what the service enforces: the simulator ignores grants.
                        decision = _Decision(decision.expect, decision.reason, True)
                        tagged = _Head(head.name, head.line, head.tags + ext.tags, head.reason, head.enforced)
                        asker = _Asker(ext.label, ext.subject, (), ext.other_side)
                        self._add_cell(tagged, asker, action, target, requests, decision)

    # -- forms ----------------------------------------------------------

    def _list_form(self, spec: LDict, label: str) -> _Plan | None:
        principal_names = self._principal_names(spec, label)
        actions = self._actions(spec.get("actions"), spec.line_of("actions"), f"{label}.actions")
        resources = self._resources(
            spec.get("resources", ["*"]), spec.line_of("resources"), f"{label}.resources"
        )
        expect = self._expectation(spec.get("expect"), spec.line_of("expect"), f"{label}.expect")
        if principal_names is None or actions is None or resources is None or expect is None:
            return None
        rules = [
            _Rule(
                None, None, None, expect, self.loader.text(spec, "reason"), None, spec.line, label, used=True
            )
        ]
        overrides = spec.get("overrides")
        if overrides is None:
            return _Plan(principal_names, actions, resources, rules)
        if not isinstance(overrides, LList):
            self.error(
                spec.line_of("overrides"),
                f"{label}.overrides",
                "`overrides` is a list of {action/resource/principal, expect}",
            )
            return None
        for i, o in enumerate(overrides):
            rule = self._override(o, overrides.line_of(i), f"{label}.overrides[{i}]", principal_names)
            if rule is not None:
                rules.append(rule)
        return _Plan(principal_names, actions, resources, rules)

    def _matrix(self, matrix: Any, line: int, field: str) -> _Plan | None:
        if not isinstance(matrix, LDict):
            self.error(line, field, "`matrix` is a mapping with principals, actions, resources and expect")
            return None
        for key in matrix:
            if key not in MATRIX_KEYS:
                self.error(
                    matrix.line_of(key),
                    f"{field}.{key}",
                    f"unknown key {key!r}",
                    "matrix keys: " + ", ".join(MATRIX_KEYS),
                )
        names = self._name_list(matrix.get("principals"), matrix.line_of("principals"), f"{field}.principals")
        actions = self._actions(matrix.get("actions"), matrix.line_of("actions"), f"{field}.actions")
        resources = self._resources(
            matrix.get("resources", ["*"]), matrix.line_of("resources"), f"{field}.resources"
        )
        table = matrix.get("expect")
        if names is None or actions is None or resources is None:
            return None
        if not isinstance(table, LDict):
            self.error(
                matrix.line_of("expect"),
                f"{field}.expect",
                "the expectation table maps each principal to a row",
            )
            return None
        rules: list[_Rule] = []
        for pname in names:
            if pname not in table:
                self.error(
                    table.line, f"{field}.expect", f"no row for principal {pname!r}", f"add `{pname}: [...]`"
                )
                continue
            row = table[pname]
            row_line = table.line_of(pname)
            cells = [row] * len(actions) if isinstance(row, str) else row
            if not isinstance(cells, list) or len(cells) != len(actions):
                self.error(
                    row_line,
                    f"{field}.expect.{pname}",
                    f"the row has {len(cells) if isinstance(cells, list) else 1} entries "
                    f"for {len(actions)} actions",
                    "one expectation per action, in the order of matrix.actions",
                )
                continue
            for (pattern, _), value in zip(actions, cells, strict=True):
                expect = self._expectation(value, row_line, f"{field}.expect.{pname}")
                if expect is not None:
                    # Exact pattern match: the column covers every action the pattern expanded to.
                    rules.append(_Rule(pname, pattern, None, expect, "", None, row_line, field, True, True))
        for pname in table:
            if pname not in names:
                self.error(
                    table.line_of(pname), f"{field}.expect.{pname}", f"{pname!r} is not in matrix.principals"
                )
        return _Plan(names, actions, resources, rules)

    def _decide(
        self, rules: list[_Rule], pname: str, pattern: str, action: str, resource: str, head: _Head
    ) -> _Decision:
        chosen: _Rule | None = None
        why = head.reason
        enf = head.enforced
        for rule in rules:
            if rule.by_pattern:
                hit = rule.principal == pname and rule.action == pattern
            else:
                hit = rule.applies(pname, action, resource)
            if hit:
                chosen = rule
                rule.used = True
                if rule.reason:
                    why = rule.reason
                if rule.enforced is not None:
                    enf = rule.enforced
        assert chosen is not None  # the base rule or a matrix row always applies
        return _Decision(chosen.expect, why, bool(enf))

    # -- pieces ---------------------------------------------------------

    def _principal_names(self, spec: LDict, label: str) -> list[str] | None:
        if "principal" in spec and "principals" in spec:
            self.error(
                spec.line_of("principals"), f"{label}.principals", "use `principal` or `principals`, not both"
            )
            return None
        if "principal" in spec:
            value = spec["principal"]
            if not isinstance(value, str):
                self.error(
                    spec.line_of("principal"),
                    f"{label}.principal",
                    "`principal` is a name from `principals:` or an ARN",
                )
                return None
            return self._name_list([value], spec.line_of("principal"), f"{label}.principal", selectors=True)
        if "principals" in spec:
            return self._name_list(
                spec["principals"], spec.line_of("principals"), f"{label}.principals", selectors=True
            )
        self.error(spec.line, label, "a scenario needs `principal` or `principals`")
        return None

    def _name_list(self, value: Any, line: int, field: str, selectors: bool = False) -> list[str] | None:
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
            self.error(line, field, "expected a non-empty list of principal names (or ARNs)")
            return None
        ok = True
        names: list[str] = []
        for i, name in enumerate(value):
            if name == EXTERNAL and name not in self.principals:
                ok = self._external_allowed(line, field, selectors) and ok
                names.append(name)
                continue
            if name in self.loader.broken_principals:
                ok = False  # its own error is already reported
            elif name not in self.principals and is_selector(name):
                item_line = value.line_of(i) if isinstance(value, LList) else line
                selected = self._select(name, item_line, field, selectors)
                ok = ok and selected is not None
                present = set(names)
                names.extend(arn for arn in selected or () if arn not in present)
                continue
            elif name not in self.principals and not name.startswith("arn:"):
                self.error(
                    line,
                    field,
                    f"no principal named {name!r} under `principals`",
                    self.loader.name_hint(name, self.principals),
                )
                ok = False
            names.append(name)
        return names if ok else None

    def _external_allowed(self, line: int, field: str, allowed: bool) -> bool:
        """`external` needs the list form and an account model (its resources' policies and grants)."""
        if not allowed:
            self.error(line, field, "`external` is chosen per resource; a matrix needs one row per principal")
            return False
        if self.loader.out.account_model is None:
            self.error(
                line,
                field,
                "`external` selects the principals the resources' policies and grants name, "
                "from the account model, and this file has none (or it could not be loaded)",
                "set `account: accounts/FILE.yaml` in this file or pass --iam-account FILE",
            )
            return False
        return True

    def _select(self, text: str, line: int, field: str, allowed: bool) -> list[str] | None:
        """ARNs of the account model's users and roles that `all` / a glob names (never zero)."""
        if not allowed:
            self.error(
                line,
                field,
                f"{text!r} selects principals from the account model; a matrix needs one row per principal",
                "use the list form: principals, expect and overrides",
            )
            return None
        model = self.loader.out.account_model
        if model is None:
            given = self.loader.account_given
            self.error(
                line,
                field,
                f"{text!r} selects principals from the account model, and "
                + ("it could not be loaded (see its errors)" if given else "this file has none"),
                "" if given else "set `account: accounts/FILE.yaml` in this file or pass --iam-account FILE",
            )
            return None
        try:
            return [i.arn for i in select_identities(model, [text])]
        except SelectionError as exc:
            self.error(line, field, exc.message, exc.hint)
            return None

    def _override_principals(self, text: str, line: int, field: str, principals: list[str]) -> frozenset[str]:
        """The scenario's principals an override's `principal` names: by name, ARN or glob."""
        try:
            selector = parse_selector(text)
        except SelectionError as exc:
            self.error(line, field, exc.message, exc.hint)
            return frozenset()
        hits = set()
        for pname in principals:
            arn = self.principals[pname].principal_arn if pname in self.principals else pname
            if (arn and selector.matches_arn(arn)) or selector.matches_label(pname):
                hits.add(pname)
        model = self.loader.out.account_model
        if not hits and model is not None and not selector.select(model):
            # A known exception about a principal this account does not have (a pack's sample
            # role): nothing to except here, so a warning, not an invalid file.
            self.loader.warn(
                line,
                f"{field}: {text!r} names no principal of the account model {model.path}: "
                "this override is not applied",
            )
        elif not hits:
            self.error(line, field, f"{text!r} is not a principal of this scenario")
        return frozenset(hits)

    def _actions(self, value: Any, line: int, field: str) -> list[tuple[str, list[str]]] | None:
        if value is None:
            self.error(line, field, "missing `actions`", "list the actions to test, e.g. [kms:Decrypt]")
            return None
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not value:
            self.error(line, field, "`actions` is a non-empty list of actions (wildcards allowed)")
            return None
        out: list[tuple[str, list[str]]] = []
        ok = True
        for i, pattern in enumerate(value):
            item_line = value.line_of(i) if isinstance(value, LList) else line
            if not isinstance(pattern, str):
                self.error(item_line, f"{field}[{i}]", f"{pattern!r} is not an action name")
                ok = False
                continue
            try:
                out.append((pattern, self.catalog.expand(pattern)))
            except CatalogProblem as exc:
                self.error(item_line, f"{field}[{i}]", exc.message, exc.suggestion)
                ok = False
        return out if ok else None

    def _resources(self, value: Any, line: int, field: str) -> list[ScenarioResource] | None:
        """Literal ARNs and resources selected from the account model (harness/scenarios/resources.py)."""
        return self.resource_reader.read(value, line, field)

    def _expectation(self, value: Any, line: int, field: str) -> Expectation | None:
        if value is None:
            self.error(line, field, "missing `expect`", "one of: allowed, denied, explicitDeny, implicitDeny")
            return None
        text = str(value)
        found = EXPECTATIONS.get(text.lower())
        if found is not None:
            return found
        alias = EXPECT_ALIASES.get(text.lower().replace("-", "_"))
        hint = f"did you mean {alias}?" if alias else "one of: allowed, denied, explicitDeny, implicitDeny"
        self.error(line, field, f"{text!r} is not an expectation", hint)
        return None

    def _override(self, spec: Any, line: int, field: str, principals: list[str]) -> _Rule | None:
        if not isinstance(spec, LDict):
            self.error(line, field, "an override is {action|resource|principal: ..., expect: ...}")
            return None
        for key in spec:
            if key not in OVERRIDE_KEYS:
                self.error(
                    spec.line_of(key),
                    f"{field}.{key}",
                    f"unknown key {key!r}",
                    unknown_key_hint(key, OVERRIDE_KEYS),
                )
        principal = self.loader.text(spec, "principal") or None
        action = self.loader.text(spec, "action") or None
        resource = self.loader.text(spec, "resource") or None
        if not (principal or action or resource):
            self.error(
                spec.line, field, "an override needs `action`, `resource` or `principal` to select cells"
            )
            return None
        selected: frozenset[str] | None = None
        model = self.loader.out.account_model
        if principal and EXTERNAL in principals and model is not None and names_external(principal, model):
            selected = external_aliases(principal)  # an external principal, found per resource
        elif principal and principal not in principals:
            selected = self._override_principals(
                principal, spec.line_of("principal"), f"{field}.principal", principals
            )
            if not selected:
                return None
        if action and "*" not in action and "?" not in action:
            try:
                self.catalog.expand(action)
            except CatalogProblem as exc:
                self.error(spec.line_of("action"), f"{field}.action", exc.message, exc.suggestion)
                return None
        expect = self._expectation(spec.get("expect"), spec.line_of("expect"), f"{field}.expect")
        if expect is None:
            return None
        enforced = self._bool(spec, "enforced", field)
        rest = (action, resource, expect, self.loader.text(spec, "reason"), enforced, spec.line, field)
        if selected is not None:
            return _SelectedRule(None, *rest, selected=selected)
        return _Rule(principal, *rest)

    def _bool(self, spec: LDict, key: str, field: str) -> bool | None:
        if key not in spec:
            return None
        value = spec[key]
        if not isinstance(value, bool):
            self.error(spec.line_of(key), f"{field}.{key}", f"`{key}` is true or false, got {value!r}")
            return None
        return value

    def _context(self, spec: LDict, label: str, actions: list[str]) -> _Context:
        merged: dict[str, ContextEntry] = {}
        references: dict[str, ContextReference] = {}
        sources = [
            (self.loader.default_context(), "defaults.context"),
            (spec.get("context"), f"{label}.context"),
        ]
        for raw, field in sources:
            if raw is None:
                continue
            if not isinstance(raw, LDict):
                self.error(spec.line_of("context"), field, "`context` maps condition keys to values")
                continue
            for key, value in raw.items():
                line, where = raw.line_of(key), f"{field}.{key}"
                try:
                    written = referenced_value(value)
                    parse = written.sample if written else value
                    entry = self._context_entry(str(key), parse, line, where, actions)
                    if entry is None:
                        continue
                    if written is not None:
                        entry = written.entry(entry)
                except ReferenceProblem as exc:
                    self.error(line, where, exc.message, exc.hint)
                    continue
                reference = written.reference(entry.key, line, where) if written else None
                merged[entry.key.lower()] = entry
                # The scenario's own entry replaces the default's, reference and all.
                references.pop(entry.key.lower(), None)
                if reference is not None:
                    references[entry.key.lower()] = reference
                for warning in self.catalog.context_warnings(entry.key, actions):
                    self.loader.warn(line, warning)
        return _Context(tuple(merged.values()), tuple(references.values()))

    def _context_entry(
        self, key: str, value: Any, line: int, field: str, actions: list[str]
    ) -> ContextEntry | None:
        if ":" not in key:
            self.error(
                line,
                field,
                f"{key!r} is not a condition key",
                "condition keys look like aws:SourceIp or kms:ViaService",
            )
            return None
        if isinstance(value, dict):
            ctype = str(value.get("type", ""))
            canonical = CONTEXT_TYPES.get(ctype.lower())
            if canonical is None:
                self.error(
                    line,
                    field,
                    f"unknown context type {ctype!r}",
                    "one of: " + ", ".join(CONTEXT_TYPES.values()),
                )
                return None
            if "values" in value:
                raw_values = value["values"]
            elif "value" in value:
                raw_values = value["value"]
            else:
                self.error(line, field, "a typed context entry needs `values` (or `value`)")
                return None
            values = raw_values if isinstance(raw_values, list) else [raw_values]
            if not canonical.endswith("List") and len(values) != 1:
                self.error(
                    line,
                    field,
                    f"type {canonical} takes one value, got {len(values)}",
                    f"use {canonical}List",
                )
                return None
            try:
                return ContextEntry(key, parse_typed_values(key, canonical, values), canonical)
            except InvalidContextValue as exc:
                self.error(line, field, str(exc))
                return None
        if value is None:
            self.error(
                line, field, f"no value for {key}", "give a value, or remove the key to leave it absent"
            )
            return None
        try:
            ctype, values = self.catalog.parse_context(
                key, list(value) if isinstance(value, list) else value, actions
            )
        except CatalogProblem as exc:
            self.error(line, field, exc.message, exc.suggestion)
            return None
        return ContextEntry(key, tuple(values), ctype)

    def _resource_policy(self, spec: LDict, label: str) -> tuple[PolicySource | None, bool]:
        """(policy, explicitly given). `resource_policy: none` opts out of the account model's."""
        if "resource_policy" not in spec:
            return None, False
        name = spec["resource_policy"]
        if name is None or (isinstance(name, str) and name.lower() == "none"):
            return None, True
        if not isinstance(name, str):
            self.error(
                spec.line_of("resource_policy"),
                f"{label}.resource_policy",
                "`resource_policy` is a policy name",
            )
            return None, True
        src = self.loader.policy_source(
            name,
            spec.line_of("resource_policy"),
            f"{label}.resource_policy",
            source_id="ResourcePolicy",
            source_type="Resource Policy",
            kind=PolicyKind.RESOURCE,
        )
        return src, True

    def _levels(
        self, spec: LDict, key: str, label: str, kind: PolicyKind
    ) -> tuple[tuple[PolicySource, ...], ...]:
        if key not in spec:
            return ()
        raw = spec[key]
        line = spec.line_of(key)
        field = f"{label}.{key}"
        if isinstance(raw, str):
            raw = [[raw]]
        if not isinstance(raw, list):
            self.error(line, field, f"`{key}` is a list of levels (root first), each a list of policy names")
            return ()
        levels = []
        for depth, level in enumerate(raw):
            names = [level] if isinstance(level, str) else level
            if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
                self.error(line, f"{field}[{depth}]", "each level is a policy name or a list of names")
                return ()
            sources = []
            for name in names:
                src = self.loader.policy_source(
                    name,
                    line,
                    f"{field}[{depth}]",
                    source_id=name,
                    source_type="Organizations Policy",
                    kind=kind,
                )
                if src is not None:
                    sources.append(src)
            levels.append(tuple(sources))
        return tuple(levels)

    def _warn_resources(self, actions: list[str], resources: list[str], line: int) -> None:
        seen: set[str] = set()
        for action in actions:
            for resource in resources:
                for warning in self.catalog.resource_warnings(action, resource):
                    if warning not in seen:
                        seen.add(warning)
                        self.loader.warn(line, warning)

    def _add_cell(
        self,
        head: _Head,
        asker: _Asker,
        action: str,
        target: _Target,
        requests: _Requests,
        decision: _Decision,
    ) -> None:
        out = self.loader.out
        base = f"{_clean(head.name)}[{_clean(asker.label)}|{action}|{target.arn}]"
        item_name = base
        n = 2
        while f"{out.display}::{item_name}" in out.item_names:
            item_name = f"{base}#{n}"
            n += 1
        cell_id = f"{out.display}::{item_name}"
        out.item_names[cell_id] = item_name
        out.tags.update(head.tags)
        out.cells.append(
            Cell(
                id=cell_id,
                source=SourceRef(file=out.display, line=head.line, scenario=head.name),
                subject=asker.subject,
                action=action,
                resource=target.arn,
                expected=decision.expect,
                principal_label=asker.label,
                reason=decision.reason,
                resource_policy=target.resource_policy,
                resource_owner=target.owner,
                context=target.context,
                scp_levels=requests.scps,
                rcp_levels=requests.rcps,
                policy_exclusions=asker.exclusions,
                check_enforced=decision.enforced,
                tags=head.tags,
                resource_policy_named=requests.resource_policy_named,
                covers=target.covers,
                other_side=asker.other_side,
            )
        )


def _clean(text: str) -> str:
    # "::" separates pytest node ids; newlines break terminal output.
    return " ".join(text.replace("::", ":").split())
