"""Load a scenario file: check every field, substitute variables, expand into cells.

The format is documented in docs/scenarios.md and described by schema.json.
Every mistake becomes a ScenarioError naming file, line and field; the loader
keeps going to report all mistakes in a file at once.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from enum import StrEnum
from pathlib import Path
from typing import Any

from harness.account import AccountModel, load_account_model
from harness.cells import Subject
from harness.engine.errors import MalformedPolicyDocument
from harness.engine.policy import compile_policy
from harness.engine.types import PolicyKind, PolicySource
from harness.inputs.errors import ErrorSink, ScenarioError, ScenarioFileErrors, unknown_key_hint
from harness.inputs.quotas import policy_findings
from harness.inputs.spelling import misspelling_of
from harness.inputs.textfiles import (
    FileProblem,
    decode_utf8,
    nesting_line,
    read_bytes_checked,
    read_text_checked,
)
from harness.inputs.toplevel import keys_under, top_level_keys
from harness.inputs.variables import (
    UndefinedVariable,
    check_value,
    substitute,
    substitute_json,
    substitute_tree,
)
from harness.inputs.yamlsource import LDict, LList, load_located, plain
from harness.plans import PatchedModel, Plan, PlanError, apply_plans
from harness.scenarios.catalog_adapter import ActionCatalog
from harness.scenarios.expand import ScenarioExpander
from harness.scenarios.model import LoadWarning, PolicyDocument, ScenarioFile
from harness.scenarios.skips import mark_unanswerable

SUPPORTED_VERSIONS = (1,)
# Twice the simulator's largest policy (131,072 characters, each at most two UTF-8 bytes):
# a larger file cannot be a policy the API would take, and is refused before it is read.
MAX_POLICY_FILE_BYTES = 2 * 131_072
TOP_KEYS = (
    "version",
    "description",
    "vars",
    "defaults",
    "account",
    "policies",
    "principals",
    "tags",
    "vars_differ",
    "scenarios",
)
DEFAULT_KEYS = ("partition", "account", "region", "context")
PRINCIPAL_KEYS = (
    "arn",
    "policies",
    "permissions_boundary",
    "session_policies",
    "caller",
    "exclude_policies",
    "description",
    "optional",
)
VARS_DIFFER_KEYS = ("vars", "reason")
IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
# A tag becomes a pytest marker: a name pytest accepts, and none of pytest's own.
TAG_PATTERN = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")
RESERVED_MARKERS = frozenset(
    {"skip", "skipif", "xfail", "parametrize", "usefixtures", "filterwarnings", "tryfirst", "trylast"}
)
MAX_KEYS_SPELLED = 64
SCENARIOS_KEY = re.compile(r"^[\"']?scenarios[\"']?\s*:", re.MULTILINE)


class FileKind(StrEnum):
    """What collection makes of a YAML file (docs/scenarios.md, "Which files are scenario files")."""

    SCENARIO = "scenario"  # a top-level `scenarios:` key: read as a scenario file
    # No `scenarios:`, but written as one with a mistake (a misspelt key): read too, so that the
    # loader names the mistake as an error item; skipping it would make a check silently stop.
    MISTAKEN = "mistaken"
    OTHER = "other"  # someone else's YAML (CI, compose, workflow, account model): left alone


def scenario_file_kind(text: str) -> FileKind:
    """Whether a YAML text is a scenario file, one with a mistake in its keys, or not ours.

    Read from the text's top-level keys (harness/inputs/toplevel.py), so that a file that is
    not valid YAML is judged too. Not ours: a file with `accounts:` (an account model) and
    any file without a sign below. A mistaken scenario file has, and `scenarios:` lacks:
    a key within a letter or two of `scenarios` (`scenario:`, `Scenarios:`); or `principals:`;
    or `defaults:` holding `account`, `region`, `partition` or `context`; or `version:` with
    another key within a letter or two of a scenario file's key (`principal:`, `polices:`).
    """
    if SCENARIOS_KEY.search(text):  # also `scenarios:[...]`, which YAML reads as no key: the loader says so
        return FileKind.SCENARIO
    keys = top_level_keys(text)
    # A scenario file has ten top-level keys at most: spelling is checked on the first few dozen only,
    # so a large file of other YAML costs one pass over its lines, not a comparison per key.
    names = [k.name for k in keys[:MAX_KEYS_SPELLED]]
    if "accounts" in names:
        return FileKind.OTHER  # an account model (docs/account-model.md); its loader checks it
    if "principals" in names or any(misspelling_of(n, ("scenarios",)) for n in names):
        return FileKind.MISTAKEN
    defaults = next((k for k in keys if k.name == "defaults"), None)
    if defaults is not None and set(keys_under(text, defaults)) & set(DEFAULT_KEYS):
        return FileKind.MISTAKEN
    if "version" in names and any(misspelling_of(n, TOP_KEYS) for n in names):
        return FileKind.MISTAKEN
    return FileKind.OTHER


def looks_like_scenario_file(text: str) -> bool:
    """A YAML text collection reads: a scenario file, or one with a mistake the loader will name."""
    return scenario_file_kind(text) is not FileKind.OTHER


class ScenarioLoader:
    """Loads scenario files; holds the caches a session shares (catalog, account models).

    `overrides` are variables from the command line, environment and ini,
    which beat the file's `vars:`. `account_override` is --iam-account. `plans` (--iam-plan,
    read whole beforehand) are applied to each account model once, when it is loaded.
    """

    def __init__(
        self,
        overrides: Mapping[str, str] | None = None,
        account_override: Path | None = None,
        catalog: ActionCatalog | None = None,
        plans: Sequence[Plan] = (),
    ) -> None:
        self.overrides = dict(overrides or {})
        self.account_override = account_override
        self.catalog = catalog or ActionCatalog()
        self.plans = tuple(plans)
        self._accounts: dict[Path, AccountModel | ScenarioFileErrors] = {}
        self._patched: dict[Path, PatchedModel] = {}

    def patched_model(self, path: Path | None) -> PatchedModel | None:
        """The plans applied to the account model at `path` (sources of each change), or None."""
        if path is None or not self._patched:  # no --iam-plan: nothing to look up
            return None
        return self._patched.get(path.resolve())

    def account_model(self, path: Path) -> AccountModel:
        """Load (once) an account model; ScenarioFileErrors if it is broken."""
        key = path.resolve()
        cached = self._accounts.get(key)
        if cached is None:
            try:
                cached = self._with_plans(key, load_account_model(path, self.overrides))
            except ScenarioFileErrors as exc:
                cached = exc
            self._accounts[key] = cached
        if isinstance(cached, ScenarioFileErrors):
            raise cached
        return cached

    def _with_plans(self, key: Path, model: AccountModel) -> AccountModel:
        if not self.plans:
            return model
        try:
            patched = apply_plans(model, self.plans, self.overrides)
        except PlanError as exc:  # the plan cannot be placed in this model: no cell runs on it
            raise ScenarioFileErrors([ScenarioError(exc.file, 0, exc.where, exc.message)]) from None
        self._patched[key] = patched
        return patched.model

    def load(self, path: Path, display: str | None = None) -> ScenarioFile:
        shown = display or str(path)
        try:
            data = read_bytes_checked(path)
            text = decode_utf8(data)
        except FileProblem as exc:
            raise ScenarioFileErrors([ScenarioError(shown, exc.line, "", exc.message, exc.hint)]) from None
        try:
            doc = load_located(text, shown)
        except ScenarioError as exc:
            raise ScenarioFileErrors([exc]) from None
        loaded = ScenarioFile(path=path, display=shown, sha256=hashlib.sha256(data).hexdigest())
        _FileLoader(self, loaded, doc).run()
        return loaded


class _FileLoader:
    """One pass over one file's document."""

    def __init__(self, owner: ScenarioLoader, out: ScenarioFile, doc: Any) -> None:
        self.owner = owner
        self.out = out
        self.doc = doc
        self.file = out.display
        self.base = out.path.parent
        self.sink = ErrorSink()
        # Policies that failed to load: already reported, so uses of them add no second error.
        self.broken_policies: set[str] = set()
        # Principals that failed to build: already reported, so scenarios naming them add no error.
        self.broken_principals: set[str] = set()
        # (policy name, kind) already checked against the policy grammar; None when it was malformed.
        self.checked_policies: dict[tuple[str, PolicyKind], bool] = {}
        # Principals marked `optional: true`: their cells are skipped when the account model lacks them.
        self.optional_principals: dict[str, str] = {}  # name -> ARN

    @property
    def catalog(self) -> ActionCatalog:
        return self.owner.catalog

    @property
    def account_given(self) -> bool:
        return self.owner.account_override is not None or "account" in self.doc

    def error(self, line: int, field: str, message: str, hint: str = "") -> None:
        self.sink.add(ScenarioError(self.file, line, field, message, hint))

    def warn(self, line: int, message: str) -> None:
        self.out.warnings.append(LoadWarning(self.file, line, message))

    def run(self) -> None:
        doc = self.doc
        if not isinstance(doc, LDict):
            self.error(
                1, "", "a scenario file is a mapping with `version` and `scenarios`", "see docs/scenarios.md"
            )
            self.sink.raise_if_any()
            return
        for key in doc:
            if key not in TOP_KEYS:
                self.error(
                    doc.line_of(key), key, f"unknown top-level key {key!r}", unknown_key_hint(key, TOP_KEYS)
                )
        version = doc.get("version")
        if version is None:
            self.error(doc.line, "version", "missing `version`", "add `version: 1` at the top of the file")
        elif version not in SUPPORTED_VERSIONS:
            self.error(
                doc.line_of("version"), "version", f"unsupported version {version!r}", "use `version: 1`"
            )
        if isinstance(doc.get("description"), str):
            self.out.description = doc["description"]
        self._variables()
        self._vars_differ()
        self._substitute_all()
        self._defaults()
        self._account()
        self._policies()
        principals = self._principals()
        file_tags = self._file_tags()
        self._scenarios(principals, file_tags)
        self.sink.raise_if_any()
        model = self.out.account_model
        if model is not None:
            self.out.cells = mark_unanswerable(
                self.out.cells, model, self.optional_principals, self.out.variables
            )

    def _scenarios(self, principals: dict[str, Subject], file_tags: tuple[str, ...]) -> None:
        doc = self.doc
        scenarios = doc.get("scenarios")
        if "scenarios" not in doc:
            # A key misspelling it is reported already, at its line, with "did you mean `scenarios`".
            if not any(misspelling_of(str(key), ("scenarios",)) for key in doc):
                self.error(
                    doc.line,
                    "scenarios",
                    "missing `scenarios`: nothing in this file would be checked",
                    "the list of scenarios goes under a top-level `scenarios:` key (docs/scenarios.md)",
                )
        elif not isinstance(scenarios, LList) or not scenarios:
            self.error(
                doc.line_of("scenarios"),
                "scenarios",
                "`scenarios` must be a non-empty list",
                "see docs/scenarios.md",
            )
        else:
            expander = ScenarioExpander(self, principals, file_tags)
            for i, scenario in enumerate(scenarios):
                expander.expand(scenario, scenarios.line_of(i), f"scenarios[{i}]")

    # -- variables ------------------------------------------------------

    def _variables(self) -> None:
        raw = self.doc.get("vars")
        values: dict[str, str] = {}
        if raw is not None and not isinstance(raw, LDict):
            self.error(self.doc.line_of("vars"), "vars", "`vars` must be a mapping of name: value")
        elif raw:
            for name, value in raw.items():
                if not IDENTIFIER.match(name):
                    self.error(
                        raw.line_of(name),
                        f"vars.{name}",
                        f"{name!r} is not a plain variable name",
                        "use letters, digits and _ (names with ':' are IAM policy variables)",
                    )
                    continue
                if isinstance(value, dict | list):
                    self.error(raw.line_of(name), f"vars.{name}", "a variable's value is a string")
                    continue
                values[name] = raw.raw.get(name, "" if value is None else str(value))
                refused = check_value(name, values[name])
                if refused:
                    self.error(raw.line_of(name), f"vars.{name}", refused)
        self.out.declared_variables = {*values, "partition"}
        for name, value in self.owner.overrides.items():
            refused = check_value(name, value)
            if refused:
                self.error(0, f"vars.{name}", f"{refused} (set by --iam-var, IAM_HARNESS_VAR_ or iam_vars)")
        values.update(self.owner.overrides)
        # ${partition} is predefined (policies are written for any partition); defaults.partition sets it.
        if "partition" not in values:
            defaults = self.doc.get("defaults")
            given = defaults.get("partition") if isinstance(defaults, LDict) else None
            values["partition"] = given if isinstance(given, str) and "${" not in given else "aws"
        self.out.variables = values

    def _vars_differ(self) -> None:
        """`vars_differ:` rules: variables that must have different values once every override is in.

        A pack whose scenarios mean "another Region" or "another account" says so here, so that
        a run given the same value twice is refused with one error, instead of scenarios that
        fail because what they call "another" is the same.
        """
        raw = self.doc.get("vars_differ")
        if raw is None:
            return
        if not isinstance(raw, LList):
            self.error(
                self.doc.line_of("vars_differ"),
                "vars_differ",
                "`vars_differ` is a list of rules, each {vars: [NAME, NAME], reason: WHY}",
            )
            return
        for i, rule in enumerate(raw):
            names = self._differ_rule_names(rule, raw.line_of(i), f"vars_differ[{i}]")
            if names:
                reason = self.text(rule, "reason")
                self._check_differ(names, reason, raw.line_of(i), f"vars_differ[{i}]")

    def _differ_rule_names(self, rule: Any, line: int, field: str) -> list[str]:
        """The variable names of one `vars_differ` rule, each defined; [] after reporting a mistake."""
        if not isinstance(rule, LDict):
            self.error(line, field, "a rule is {vars: [NAME, NAME], reason: WHY}")
            return []
        for key in rule:
            if key not in VARS_DIFFER_KEYS:
                self.error(
                    rule.line_of(key),
                    f"{field}.{key}",
                    f"unknown key {key!r}",
                    unknown_key_hint(key, VARS_DIFFER_KEYS),
                )
        names = rule.get("vars")
        if not isinstance(names, list) or len(names) < 2 or not all(isinstance(n, str) for n in names):
            self.error(rule.line_of("vars"), f"{field}.vars", "`vars` lists two or more variable names")
            return []
        known = self.out.variables
        missing = [n for n in names if n not in known]
        for name in missing:
            self.error(
                rule.line_of("vars"),
                f"{field}.vars",
                f"undefined variable {name}",
                UndefinedVariable(name, sorted(known)).suggestion(),
            )
        return [] if missing else names

    def _check_differ(self, names: list[str], reason: str, line: int, field: str) -> None:
        values = self.out.variables
        for i, first in enumerate(names):
            for second in names[i + 1 :]:
                if values[first] != values[second]:
                    continue
                why = f": {reason}" if reason else ""
                self.error(
                    line,
                    field,
                    f"{first} must differ from {second}{why} (both are {values[first]!r})",
                    f"give {first} another value: --iam-var {first}=VALUE, the environment variable "
                    f"IAM_HARNESS_VAR_{first}, or iam_vars in the pytest ini",
                )

    def _substitute_all(self) -> None:
        # Policies are substituted when they are parsed (_policy), inside their strings.
        for key in self.doc:
            if key not in ("vars", "policies", "vars_differ"):
                self.doc[key] = self._subst(self.doc[key], self.doc, key, key)

    def _subst(self, value: Any, parent: Any, index: Any, path: str) -> Any:
        if isinstance(value, LDict):
            for key in list(value):
                value[key] = self._subst(value[key], value, key, f"{path}.{key}")
            renamed = [k for k in value if isinstance(k, str) and "${" in k]
            for key in renamed:
                new_key = self._subst_text(key, value.line_of(key), f"{path}.{key}")
                if new_key != key:
                    value[new_key] = value.pop(key)
                    value.key_lines[new_key] = value.key_lines.get(key, value.line)
            return value
        if isinstance(value, LList):
            for i, item in enumerate(value):
                value[i] = self._subst(item, value, i, f"{path}[{i}]")
            return value
        if isinstance(value, str):
            line = parent.line_of(index) if isinstance(parent, LDict | LList) else 0
            return self._subst_text(value, line, path)
        return value

    def _subst_text(self, text: str, line: int, path: str) -> str:
        try:
            return substitute(text, self.out.variables)
        except UndefinedVariable as exc:
            self.error(line, path, f"undefined variable ${{{exc.name}}}", exc.suggestion())
            return text

    # -- defaults and account -------------------------------------------

    def _defaults(self) -> None:
        raw = self.doc.get("defaults")
        if raw is None:
            return
        if not isinstance(raw, LDict):
            self.error(self.doc.line_of("defaults"), "defaults", "`defaults` must be a mapping")
            return
        for key in raw:
            if key not in DEFAULT_KEYS:
                self.error(
                    raw.line_of(key),
                    f"defaults.{key}",
                    f"unknown key {key!r}",
                    unknown_key_hint(key, DEFAULT_KEYS),
                )
        self.out.partition = self.text(raw, "partition") or "aws"
        self.out.account = self.text(raw, "account")
        self.out.region = self.text(raw, "region")
        if self.out.account and not re.fullmatch(r"\d{12}", self.out.account):
            self.error(
                raw.line_of("account"),
                "defaults.account",
                f"an account id is 12 digits, got {self.out.account!r}",
                'quote it so YAML keeps leading zeros: account: "012345678910"',
            )
        context = raw.get("context")
        if context is not None and not isinstance(context, LDict):
            self.error(
                raw.line_of("context"), "defaults.context", "`context` must be a mapping of key: value"
            )

    def default_context(self) -> LDict | None:
        raw = self.doc.get("defaults")
        if isinstance(raw, LDict) and isinstance(raw.get("context"), LDict):
            return raw["context"]
        return None

    def _account(self) -> None:
        path: Path | None = self.owner.account_override
        line = self.doc.line_of("account")
        if path is None and self.doc.get("account") is not None:
            value = self.doc["account"]
            if not isinstance(value, str):
                self.error(line, "account", "`account` is the path of an account model file")
                return
            path = (self.base / value).resolve()
            if not path.is_file():
                self.error(line, "account", f"account model {value} not found (relative to {self.file})")
                return
        if path is None:
            return
        try:
            self.out.account_model = self.owner.account_model(path)
            self.out.account_model_path = path
        except ScenarioFileErrors as exc:
            for err in exc.errors:
                self.sink.add(err)
            self.error(line, "account", f"account model {path} has {len(exc.errors)} error(s), listed above")

    # -- policies -------------------------------------------------------

    def _policies(self) -> None:
        raw = self.doc.get("policies")
        if raw is None:
            return
        if not isinstance(raw, LDict):
            self.error(
                self.doc.line_of("policies"), "policies", "`policies` maps a name to a document or file"
            )
            return
        for name, value in raw.items():
            doc = self._policy(name, value, raw.line_of(name))
            if doc is None:
                self.broken_policies.add(name)
            else:
                self.out.policies[name] = doc
                for warning in self.owner.catalog.policy_warnings(_policy_actions(doc.text)):
                    self.warn(doc.line, f"policy {name}: {warning}")

    def _policy(self, name: str, value: Any, line: int) -> PolicyDocument | None:
        field = f"policies.{name}"
        if isinstance(value, dict):
            try:
                tree = substitute_tree(plain(value), self.out.variables)
            except UndefinedVariable as exc:
                self.error(line, field, f"undefined variable ${{{exc.name}}}", exc.suggestion())
                return None
            # ensure_ascii=False: the text holds the characters as written, so the policy character
            # check (quotas.py) sees a U+2014 in an inline policy as it does in a policy file.
            text = json.dumps(tree, indent=2, ensure_ascii=False)
            return self._checked_policy(name, text, "inline", line, field)
        if not isinstance(value, str) or not value.strip():
            self.error(line, field, "a policy is a mapping, a JSON string or a path to a JSON file")
            return None
        stripped = value.strip()
        if stripped.startswith("{"):
            return self._substituted_policy(name, stripped, "inline", line, field)
        stripped = self._subst_text(stripped, line, field)
        path = self.base / stripped
        try:
            text = read_text_checked(path, MAX_POLICY_FILE_BYTES)
            path = path.resolve()
        except FileProblem as exc:
            if not exc.missing:
                where = f" at line {exc.line}" if exc.line else ""
                self.error(line, field, f"policy file {stripped}{where}: {exc.message}", exc.hint)
                return None
            siblings = sorted(p.name for p in path.parent.glob("*.json")) if path.parent.is_dir() else []
            close = difflib.get_close_matches(path.name, siblings, n=1)
            hint = f"did you mean {close[0]}?" if close else "the path is relative to the scenario file"
            self.error(line, field, f"policy file {stripped} not found", hint)
            return None
        self.out.policy_files.append(path)
        return self._substituted_policy(name, text, str(path), line, field)

    def _substituted_policy(
        self, name: str, text: str, origin: str, line: int, field: str
    ) -> PolicyDocument | None:
        """Parse a policy's JSON text, then substitute variables inside its strings."""
        deep = nesting_line(text)
        if deep:
            where = f"{origin}:{deep}" if origin != "inline" else "inline JSON"
            self.error(line, field, f"policy nests deeper than any IAM policy ({where})")
            return None
        try:
            text = substitute_json(text, self.out.variables)
        except json.JSONDecodeError as exc:
            where = f"{origin}:{exc.lineno}" if origin != "inline" else "inline JSON"
            self.error(line, field, f"policy is not valid JSON ({where}: {exc.msg})")
            return None
        except UndefinedVariable as exc:
            at = text.find("${" + exc.name + "}")
            file_line = text.count("\n", 0, at) + 1 if at >= 0 else 0
            self.sink.add(
                ScenarioError(
                    origin if origin != "inline" else self.file,
                    file_line if origin != "inline" else line,
                    field,
                    f"undefined variable ${{{exc.name}}}",
                    exc.suggestion(),
                )
            )
            return None
        return self._checked_policy(name, text, origin, line, field)

    def _checked_policy(
        self, name: str, text: str, origin: str, line: int, field: str
    ) -> PolicyDocument | None:
        try:
            parsed = json.loads(text)
        except json.JSONDecodeError as exc:
            where = f"{origin}:{exc.lineno}" if origin != "inline" else "inline JSON"
            self.error(line, field, f"policy is not valid JSON ({where}: {exc.msg})")
            return None
        if not isinstance(parsed, dict) or "Statement" not in parsed:
            self.error(
                line,
                field,
                "a policy document is an object with `Statement`",
                'add Version: "2012-10-17" and Statement',
            )
            return None
        return PolicyDocument(name=name, text=text, origin=origin, line=line)

    def policy_source(
        self, name: str, line: int, field: str, *, source_id: str, source_type: str, kind: PolicyKind
    ) -> PolicySource | None:
        doc = self.out.policies.get(name)
        if doc is None:
            if name in self.broken_policies:
                return None
            self.error(
                line,
                field,
                f"no policy named {name!r} under `policies`",
                self.name_hint(name, self.out.policies),
            )
            return None
        origin = f"policies.{name}" + ("" if doc.origin == "inline" else f" ({doc.origin})")
        source = PolicySource(
            text=doc.text, source_id=source_id, source_type=source_type, kind=kind, origin=origin
        )
        if not self.policy_is_well_formed(name, doc, source, line, field):
            return None
        return source

    def policy_is_well_formed(
        self, name: str, doc: PolicyDocument, source: PolicySource, line: int, field: str
    ) -> bool:
        """Check the document against the policy grammar for the role it is used in.

        A malformed policy is a mistake in the scenario file, reported where the
        policy is written, not a cell that fails to evaluate later. The role
        matters: a resource policy needs `Principal`, an identity policy must
        not have one.
        """
        key = (name, source.kind)
        known = self.checked_policies.get(key)
        if known is None:
            where = f" ({doc.origin})" if doc.origin != "inline" else ""
            try:
                compile_policy(source)
                known = True
            except MalformedPolicyDocument as exc:
                known = False
                self.error(
                    doc.line,
                    f"policies.{name}",
                    f"malformed {source.kind.value} policy{where}: {exc.within_policy} "
                    f"(used at line {line}, {field})",
                )
            for finding in policy_findings(doc.text, source.kind) if known else ():
                used = f"(used at line {line}, {field})"
                message = f"{source.kind.value} policy{where}: {finding.message} {used}"
                if finding.refused:
                    known = False
                    self.error(doc.line, f"policies.{name}", message)
                else:
                    self.warn(doc.line, f"policies.{name}: {message}")
            self.checked_policies[key] = known
        return known

    @staticmethod
    def name_hint(name: str, known: Mapping[str, Any]) -> str:
        close = difflib.get_close_matches(name, list(known), n=1)
        if close:
            return f"did you mean {close[0]!r}?"
        return "defined: " + (", ".join(sorted(known)) or "none")

    def policy_names(self, value: Any, line: int, field: str) -> list[str]:
        """A name or a list of names."""
        if value is None:
            return []
        if isinstance(value, str):
            return [value]
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return list(value)
        self.error(line, field, "expected a policy name or a list of policy names")
        return []

    # -- principals -----------------------------------------------------

    def _principals(self) -> dict[str, Subject]:
        raw = self.doc.get("principals")
        out: dict[str, Subject] = {}
        if raw is None:
            return out
        if not isinstance(raw, LDict):
            self.error(
                self.doc.line_of("principals"), "principals", "`principals` maps a name to a principal"
            )
            return out
        for name, spec in raw.items():
            subject = self.subject(spec, raw.line_of(name), f"principals.{name}")
            if subject is not None:
                out[name] = subject
            else:
                self.broken_principals.add(name)
            if isinstance(spec, LDict) and "optional" in spec and self._optional(spec, f"principals.{name}"):
                self.optional_principals[name] = self.text(spec, "arn")
        return out

    def _optional(self, spec: LDict, field: str) -> bool:
        value = spec["optional"]
        if not isinstance(value, bool):
            self.error(
                spec.line_of("optional"), f"{field}.optional", f"`optional` is true or false, got {value!r}"
            )
            return False
        if value and not self.text(spec, "arn"):
            self.error(
                spec.line_of("optional"),
                f"{field}.optional",
                "only a principal named by `arn` can be optional: it is looked up in the account model",
            )
            return False
        return value

    def subject(self, spec: Any, line: int, field: str) -> Subject | None:
        """A `principals:` entry: an ARN (principal mode) or a mapping (either mode), checked."""
        if isinstance(spec, str) and spec.startswith("arn:"):
            return Subject(principal_arn=spec)
        if not isinstance(spec, LDict):
            self.error(line, field, "a principal is an ARN or a mapping with `arn` or `policies`")
            return None
        self.known_keys(spec, PRINCIPAL_KEYS, field)
        mode = self._principal_mode(spec, field)
        if mode is None:
            return None
        arn, names = mode
        identity = self._subject_sources(spec, field, "policies", "PolicyInputList", PolicyKind.IDENTITY)
        boundaries = self._subject_sources(
            spec,
            field,
            "permissions_boundary",
            "PermissionsBoundaryPolicyInputList",
            PolicyKind.PERMISSIONS_BOUNDARY,
        )
        sessions = self._subject_sources(spec, field, "session_policies", "SessionPolicy", PolicyKind.SESSION)
        caller = self.text(spec, "caller") or None
        if caller and not caller.startswith("arn:"):
            self.error(spec.line_of("caller"), f"{field}.caller", f"{caller!r} is not an ARN")
        if names and not identity:
            return None
        return Subject(
            principal_arn=arn or None,
            identity_policies=identity,
            permissions_boundaries=boundaries,
            session_policies=sessions,
            caller_arn=caller,
        )

    def known_keys(self, spec: LDict, allowed: tuple[str, ...], field: str) -> None:
        for key in spec:
            if key not in allowed:
                self.error(
                    spec.line_of(key),
                    f"{field}.{key}",
                    f"unknown key {key!r}",
                    unknown_key_hint(key, allowed),
                )

    def _principal_mode(self, spec: LDict, field: str) -> tuple[str, list[str]] | None:
        """(arn, policy names): exactly one of them given, the ARN an ARN; None after an error."""
        arn = self.text(spec, "arn")
        names = self.policy_names(spec.get("policies"), spec.line_of("policies"), f"{field}.policies")
        if arn and names:
            self.error(
                spec.line,
                field,
                "give either `arn` (principal mode) or `policies` (custom mode), not both",
                "to add policies to an account principal use session_policies",
            )
            return None
        if not arn and not names:
            self.error(
                spec.line, field, "a principal needs `arn` (principal mode) or `policies` (custom mode)"
            )
            return None
        if arn and not arn.startswith("arn:"):
            self.error(
                spec.line_of("arn"),
                f"{field}.arn",
                f"{arn!r} is not an ARN",
                "arn:aws:iam::ACCOUNT:role/NAME",
            )
            return None
        return arn, names

    def _subject_sources(
        self, spec: LDict, field: str, key: str, id_prefix: str, kind: PolicyKind
    ) -> tuple[PolicySource, ...]:
        """The policies a principal names under `key`, numbered as the simulator's request numbers them."""
        found = []
        line = spec.line_of(key)
        for i, name in enumerate(self.policy_names(spec.get(key), line, f"{field}.{key}"), start=1):
            src = self.policy_source(
                name,
                line,
                f"{field}.{key}",
                source_id=f"{id_prefix}.{i}",
                source_type="IAM Policy",
                kind=kind,
            )
            if src is not None:
                found.append(src)
        return tuple(found)

    def exclusions(self, spec: Any) -> tuple[str, ...]:
        if isinstance(spec, LDict) and spec.get("exclude_policies") is not None:
            value = spec["exclude_policies"]
            if isinstance(value, str):
                return (value,)
            if isinstance(value, list):
                return tuple(str(v) for v in value)
        return ()

    def principal_exclusions(self, name: str) -> tuple[str, ...]:
        raw = self.doc.get("principals")
        return self.exclusions(raw.get(name)) if isinstance(raw, LDict) else ()

    def _file_tags(self) -> tuple[str, ...]:
        raw = self.doc.get("tags")
        if raw is None:
            return ()
        return self.tags(raw, self.doc.line_of("tags"), "tags")

    def tags(self, raw: Any, line: int, field: str) -> tuple[str, ...]:
        if isinstance(raw, str):
            raw = [raw]
        if not isinstance(raw, list):
            self.error(line, field, "`tags` is a list of names")
            return ()
        out = []
        for tag in raw:
            tag = str(tag)
            if not TAG_PATTERN.match(tag):
                self.error(
                    line, field, f"tag {tag!r} cannot be a pytest marker", "use letters, digits, _ and -"
                )
            elif tag in RESERVED_MARKERS:
                self.error(
                    line, field, f"tag {tag!r} is a pytest built-in marker", f"rename it, e.g. iam-{tag}"
                )
            else:
                out.append(tag)
        return tuple(out)

    @staticmethod
    def text(node: LDict, key: str) -> str:
        """A scalar as written (keeps leading zeros of account ids); '' when absent."""
        if key not in node or node[key] is None:
            return ""
        value = node[key]
        if isinstance(value, str):
            return value
        if isinstance(value, dict | list):
            return ""
        return node.raw.get(key, str(value))


def _policy_actions(text: str) -> list[str]:
    try:
        doc = json.loads(text)
    except json.JSONDecodeError:
        return []
    statements = doc.get("Statement", [])
    if isinstance(statements, dict):
        statements = [statements]
    actions: list[str] = []
    for st in statements if isinstance(statements, list) else []:
        if not isinstance(st, dict):
            continue
        for key in ("Action", "NotAction"):
            value = st.get(key)
            if isinstance(value, str):
                actions.append(value)
            elif isinstance(value, list):
                actions.extend(v for v in value if isinstance(v, str))
    return actions
