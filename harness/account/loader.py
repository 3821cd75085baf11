"""Load and check an account model file (docs/account-model.md).

The file is the output of IAM `GetAccountAuthorizationDetails`, one entry per
account under `accounts:`, plus documented additions; every mistake becomes a
ScenarioError naming file, line and field. What the loaded model means is in
harness/account/model.py.
"""

from __future__ import annotations

import difflib
import json
import re
import urllib.parse
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from harness.account.ec2_loader import read_ec2
from harness.account.grants_loader import read_grants
from harness.account.model import (
    Account,
    AccountModel,
    Identity,
    InlinePolicy,
    ManagedPolicy,
    ResourceEntry,
    SectionGap,
)
from harness.account.public_access_loader import read_bucket_public_access, read_public_access_block
from harness.engine.errors import MalformedPolicyDocument
from harness.engine.policy import compile_policy
from harness.engine.types import PolicyKind, PolicySource
from harness.inputs.errors import ErrorSink, ScenarioError
from harness.inputs.quotas import counted_size, inline_total_finding, policy_findings
from harness.inputs.textfiles import FileProblem, read_text_checked
from harness.inputs.variables import (
    UndefinedVariable,
    check_value,
    substitute,
    substitute_json,
    substitute_tree,
)
from harness.inputs.yamlsource import LDict, LList, load_located_file, plain

# Keys each mapping may hold. Entries take every member of AWS's own
# GetAccountAuthorizationDetails output shapes (botocore's IAM model), so a real
# snapshot loads unchanged, plus our documented additions; anything else is a
# typo that would otherwise silently drop a boundary or a whole SCP table.
_TOP_KEYS = frozenset({"vars", "capture", "accounts", "Organization"})
_ORGANIZATION_KEYS = frozenset({"ManagementAccountId", "ServiceControlPolicies", "ResourceControlPolicies"})
_ACCOUNT_ADDITIONS = frozenset(
    {
        "AccountId",
        "OrganizationPath",
        "OutsideOrganization",
        "Gaps",
        "ResourcePolicies",
        "Ec2",
        "PublicAccessBlock",
    }
)
_RESOURCE_POLICY_KEYS = frozenset(
    {
        "Arn",
        "Policy",
        "Aliases",
        "Tags",
        "KeyManager",
        "KeyState",
        "MultiRegion",
        "Gap",
        "Grants",
        "PublicAccessBlock",
        "PublicAccessBlockGap",
    }
)
_GAP_KEYS = frozenset({"Section", "Operation", "Code", "Message"})
# The `capture:` block is a record of how the file was made (docs/account-model.md); it changes
# no answer, but its keys are checked like any other so a typo is not silently kept.
_CAPTURE_KEYS = frozenset(
    {"tool", "when", "caller", "accounts", "regions", "services", "api_calls", "pages", "gaps"}
)


def _aws_keys() -> dict[str, frozenset[str]]:
    """Members of the GetAccountAuthorizationDetails response ("") and of each list's entries."""
    import botocore.session

    model = botocore.session.get_session().get_service_model("iam")
    shape = model.operation_model("GetAccountAuthorizationDetails").output_shape
    keys = {"": frozenset(shape.members)}
    for name in ("UserDetailList", "GroupDetailList", "RoleDetailList", "Policies"):
        keys[name] = frozenset(shape.members[name].member.members)
    return keys


def load_account_model(path: str | Path, variables: Mapping[str, str] | None = None) -> AccountModel:
    """Load and check an account model; raise ScenarioFileErrors listing every mistake."""
    return _ModelLoader(Path(path), dict(variables or {})).load()


class _ModelLoader:
    def __init__(self, path: Path, overrides: dict[str, str]) -> None:
        self.path = path
        self.file = str(path)
        self.overrides = overrides
        self.variables: dict[str, str] = dict(overrides)
        self.sink = ErrorSink()
        self._aws: dict[str, frozenset[str]] | None = None

    def error(self, line: int, where: str, message: str, hint: str = "") -> None:
        self.sink.add(ScenarioError(self.file, line, where, message, hint))

    def _aws_members(self, list_name: str = "") -> frozenset[str]:
        if self._aws is None:
            self._aws = _aws_keys()
        return self._aws[list_name]

    def load(self) -> AccountModel:
        from harness.inputs.errors import ScenarioFileErrors

        try:
            doc = load_located_file(self.path, self.file)
        except ScenarioError as exc:
            raise ScenarioFileErrors([exc]) from None
        if not isinstance(doc, LDict) or not isinstance(doc.get("accounts"), LList):
            raise ScenarioFileErrors(
                [
                    ScenarioError(
                        self.file,
                        getattr(doc, "line", 1),
                        "accounts",
                        "an account model needs a top-level `accounts:` list",
                        "see docs/account-model.md",
                    )
                ]
            )
        self.known_keys(doc, _TOP_KEYS, "")
        captured_services = self._capture_block(doc)
        self._variables(doc)
        model = AccountModel(
            path=self.file, accounts={}, captured_services=captured_services, variables=dict(self.variables)
        )
        for i, raw in enumerate(doc["accounts"]):
            where = f"accounts[{i}]"
            if not isinstance(raw, LDict):
                self.error(doc["accounts"].line_of(i), where, "each account is a mapping with AccountId")
                continue
            account = self._account(raw, where)
            if account is not None:
                if account.account_id in model.accounts:
                    self.error(raw.line, f"{where}.AccountId", f"account {account.account_id} listed twice")
                model.accounts[account.account_id] = account
        self._organization(doc, model)
        self.sink.raise_if_any()
        return model

    def _capture_block(self, doc: LDict) -> tuple[str, ...] | None:
        """The `capture:` block's keys checked; its `services` (which sections were read), if any."""
        capture = doc.get("capture")
        if capture is None:
            return None
        if not isinstance(capture, LDict):
            self.error(doc.line_of("capture"), "capture", "must be a mapping (see docs/account-model.md)")
            return None
        self.known_keys(capture, _CAPTURE_KEYS, "capture")
        services = capture.get("services")
        if services is None:
            return None
        if not isinstance(services, list):
            self.error(capture.line_of("services"), "capture.services", "must be a list of service names")
            return None
        return tuple(str(s) for s in services)

    def _variables(self, doc: LDict) -> None:
        vars_node = doc.get("vars")
        if isinstance(vars_node, LDict):
            self.variables = {str(k): _text(vars_node, k) for k in vars_node} | self.overrides
        for name, value in self.variables.items():
            refused = check_value(name, value)
            if refused:
                line = vars_node.line_of(name) if isinstance(vars_node, LDict) else 0
                self.error(line, f"vars.{name}", refused)

    def _organization(self, doc: LDict, model: AccountModel) -> None:
        org = doc.get("Organization")
        if isinstance(org, LDict):
            self.known_keys(org, _ORGANIZATION_KEYS, "Organization")
            model.management_account = self.text_of(org, "ManagementAccountId", "Organization") or None
            for key, attr in (("ServiceControlPolicies", "scps"), ("ResourceControlPolicies", "rcps")):
                table = org.get(key)
                if table is None:
                    continue
                setattr(model, "has_" + attr, True)
                setattr(model, attr, self._org_policies(table, f"Organization.{key}", org.line_of(key)))
        elif org is not None:
            self.error(doc.line_of("Organization"), "Organization", "must be a mapping")

    # helpers

    def known_keys(self, node: LDict, allowed: frozenset[str], where: str) -> None:
        for key in node:
            if key not in allowed:
                close = difflib.get_close_matches(str(key), sorted(allowed), n=1)
                self.error(
                    node.line_of(key),
                    f"{where}.{key}" if where else str(key),
                    f"unknown key {key!r}",
                    f"did you mean {close[0]}?" if close else "see docs/account-model.md",
                )

    def text_of(self, node: LDict, key: str, where: str) -> str:
        if key not in node or node[key] is None:
            return ""
        return self.substituted(_text(node, key), node, key, where)

    def substituted(self, value: str, node: LDict, key: str, where: str) -> str:
        """`${name}` variables in a list item (aliases), reported at the list's line."""
        try:
            return substitute(value, self.variables)
        except UndefinedVariable as exc:
            self.error(
                node.line_of(key), f"{where}.{key}", f"undefined variable ${{{exc.name}}}", exc.suggestion()
            )
            return value

    def _account(self, raw: LDict, where: str) -> Account | None:
        self.known_keys(raw, self._aws_members() | _ACCOUNT_ADDITIONS, where)
        account_id = self.text_of(raw, "AccountId", where)
        if not re.fullmatch(r"\d{12}", account_id):
            self.error(
                raw.line_of("AccountId"),
                f"{where}.AccountId",
                f"AccountId must be 12 digits, got {account_id!r}",
                'quote it so YAML keeps leading zeros: AccountId: "012345678910"',
            )
            return None
        path = raw.get("OrganizationPath", [])
        if not isinstance(path, list):
            self.error(raw.line_of("OrganizationPath"), f"{where}.OrganizationPath", "must be a list of ids")
            path = []
        account = Account(account_id=account_id, organization_path=tuple(str(p) for p in path))
        account.outside_organization = raw.get("OutsideOrganization") is True
        account.gaps = tuple(self.gaps_of(raw, where))
        account.public_access_block = read_public_access_block(self, raw, where)
        self._managed_policies(raw, where, account)
        self._identities(raw, where, account)
        for r_i, entry in enumerate(self.list_of(raw, "ResourcePolicies", where)):
            rw = f"{where}.ResourcePolicies[{r_i}]"
            if not isinstance(entry, LDict):
                self.error(raw["ResourcePolicies"].line_of(r_i), rw, "must be a mapping with Arn and Policy")
                continue
            resource = self._resource_entry(entry, rw)
            if resource is not None:
                account.resources[resource.arn] = resource
        if "Ec2" in raw:
            account.ec2 = read_ec2(self, raw, where, account_id)
        self._check_references(account, where, raw)
        return account

    def _managed_policies(self, raw: LDict, where: str, account: Account) -> None:
        for p_i, p in enumerate(self.list_of(raw, "Policies", where)):
            pw = f"{where}.Policies[{p_i}]"
            if not isinstance(p, LDict):
                self.error(raw["Policies"].line_of(p_i), pw, "must be a mapping")
                continue
            self.known_keys(p, self._aws_members("Policies"), pw)
            arn = self.text_of(p, "Arn", pw)
            name = self.text_of(p, "PolicyName", pw) or arn.rsplit("/", 1)[-1]
            text = self._default_version(p, pw)
            if arn and text is not None and self._compiles(text, p, pw):
                account.policies[arn] = ManagedPolicy(arn, name, text, f"{self.file}: {pw} {arn}")

    def _identities(self, raw: LDict, where: str, account: Account) -> None:
        for key, kind, name_key, policies_key, table in (
            ("UserDetailList", "user", "UserName", "UserPolicyList", account.users),
            ("GroupDetailList", "group", "GroupName", "GroupPolicyList", account.groups),
            ("RoleDetailList", "role", "RoleName", "RolePolicyList", account.roles),
        ):
            for e_i, entry in enumerate(self.list_of(raw, key, where)):
                ew = f"{where}.{key}[{e_i}]"
                if not isinstance(entry, LDict):
                    self.error(raw[key].line_of(e_i), ew, "must be a mapping")
                    continue
                self.known_keys(entry, self._aws_members(key), ew)
                ident = self._identity(entry, ew, kind, name_key, policies_key, account.account_id)
                if ident is not None:
                    table[ident.name] = ident

    def _resource_entry(self, entry: LDict, rw: str) -> ResourceEntry | None:
        self.known_keys(entry, _RESOURCE_POLICY_KEYS, rw)
        arn = self.text_of(entry, "Arn", rw)
        if not arn:
            self.error(entry.line, f"{rw}.Arn", "Arn is required")
            return None
        policy = None
        if entry.get("Policy") is not None:
            policy = self._resource_policy(entry, rw, arn)
        aliases = tuple(
            self.substituted(str(a), entry, "Aliases", rw) for a in self.list_of(entry, "Aliases", rw)
        )
        resource = ResourceEntry(arn, policy, aliases, self.tags_of(entry, rw))
        resource.gap = self.text_of(entry, "Gap", rw) or None
        resource.key_manager = self.text_of(entry, "KeyManager", rw) or None
        resource.key_state = self.text_of(entry, "KeyState", rw) or None
        if isinstance(entry.get("MultiRegion"), bool):
            resource.multi_region = entry["MultiRegion"]
        resource.grants = read_grants(self, entry, rw, arn)
        resource.public_access_block, resource.public_access_block_gap = read_bucket_public_access(
            self, entry, rw, arn
        )
        return resource

    def _resource_policy(self, entry: LDict, rw: str, arn: str) -> PolicySource | None:
        text = self._document(entry, "Policy", rw)
        if text is None:
            return None
        policy = PolicySource(
            text=text,
            source_id="ResourcePolicy",
            source_type="Resource Policy",
            kind=PolicyKind.RESOURCE,
            origin=f"{self.file}: {rw} {arn}",
        )
        try:  # reported here, with its line, rather than on every cell that uses it
            compile_policy(policy)
        except MalformedPolicyDocument as exc:
            self.error(
                entry.line_of("Policy"), f"{rw}.Policy", f"malformed resource policy: {exc.within_policy}"
            )
            return None
        return policy

    def _identity(
        self, entry: LDict, where: str, kind: str, name_key: str, policies_key: str, account_id: str
    ) -> Identity | None:
        name = self.text_of(entry, name_key, where)
        if not name:
            self.error(entry.line, f"{where}.{name_key}", f"{name_key} is required")
            return None
        arn = self.text_of(entry, "Arn", where) or f"arn:aws:iam::{account_id}:{kind}/{name}"
        ident = Identity(kind=kind, name=name, arn=arn, tags=self.tags_of(entry, where), line=entry.line)
        for p_i, p in enumerate(self.list_of(entry, policies_key, where)):
            pw = f"{where}.{policies_key}[{p_i}]"
            if not isinstance(p, LDict):
                self.error(entry[policies_key].line_of(p_i), pw, "needs PolicyName and PolicyDocument")
                continue
            pname = self.text_of(p, "PolicyName", pw)
            text = self._document(p, "PolicyDocument", pw)
            if pname and text is not None and self._compiles(text, p, f"{pw}.PolicyDocument"):
                ident.inline.append(InlinePolicy(pname, text, f"{self.file}: {pw} {pname}"))
        too_big = inline_total_finding(kind, sum(counted_size(p.text) for p in ident.inline))
        if too_big is not None:  # IAM's aggregate quota for one identity's inline policies
            self.error(entry.line_of(policies_key), f"{where}.{policies_key}", too_big.message)
        for a_i, att in enumerate(self.list_of(entry, "AttachedManagedPolicies", where)):
            aw = f"{where}.AttachedManagedPolicies[{a_i}]"
            arn_value = self.text_of(att, "PolicyArn", aw) if isinstance(att, LDict) else ""
            if not arn_value:
                self.error(entry["AttachedManagedPolicies"].line_of(a_i), aw, "needs PolicyArn")
                continue
            ident.attached.append(arn_value)
        boundary = entry.get("PermissionsBoundary")
        if isinstance(boundary, LDict):
            ident.boundary_arn = self.text_of(
                boundary, "PermissionsBoundaryArn", f"{where}.PermissionsBoundary"
            )
        if kind == "user":
            ident.groups = [str(g) for g in self.list_of(entry, "GroupList", where)]
        if kind == "role" and entry.get("AssumeRolePolicyDocument") is not None:
            trust = self._document(entry, "AssumeRolePolicyDocument", where)
            if trust is not None:
                ident.trust_policy = PolicySource(
                    text=trust,
                    source_id="TrustPolicy",
                    source_type="Resource Policy",
                    kind=PolicyKind.RESOURCE,
                    origin=f"{self.file}: {where}.AssumeRolePolicyDocument {arn}",
                )
        return ident

    def _compiles(self, text: str, node: LDict, where: str) -> bool:
        """An identity policy checked against the grammar here, with its line, not when a cell uses it."""
        try:
            compile_policy(PolicySource(text=text, source_id=where, source_type="IAM Policy"))
        except MalformedPolicyDocument as exc:
            message = f"malformed identity policy: {exc.within_policy}"
            self.error(node.line_of("PolicyDocument"), where, message)
            return False
        refused = [f for f in policy_findings(text, PolicyKind.IDENTITY) if f.refused]
        for finding in refused:
            self.error(node.line_of("PolicyDocument"), where, finding.message)
        return not refused

    def gaps_of(self, raw: LDict, where: str, sections: tuple[str, ...] | None = None) -> list[SectionGap]:
        """The `Gaps` list of `raw`; with `sections`, a gap of any other section is an error."""
        out: list[SectionGap] = []
        for g_i, gap in enumerate(self.list_of(raw, "Gaps", where)):
            gw = f"{where}.Gaps[{g_i}]"
            if not isinstance(gap, LDict) or not gap.get("Section") or not gap.get("Code"):
                self.error(raw["Gaps"].line_of(g_i), gw, "a gap is {Section, Operation, Code, Message}")
                continue
            self.known_keys(gap, _GAP_KEYS, gw)
            section = self.text_of(gap, "Section", gw)
            if sections is not None and section not in sections:
                line, known = gap.line_of("Section"), ", ".join(sections)
                self.error(line, f"{gw}.Section", f"unknown part {section!r}", f"one of {known}")
                continue
            out.append(
                SectionGap(
                    section=self.text_of(gap, "Section", gw),
                    operation=self.text_of(gap, "Operation", gw),
                    code=self.text_of(gap, "Code", gw),
                    message=self.text_of(gap, "Message", gw),
                )
            )
        return out

    def _check_references(self, account: Account, where: str, raw: LDict) -> None:
        for ident in account.identities():
            for arn in [*ident.attached, *([ident.boundary_arn] if ident.boundary_arn else [])]:
                if arn not in account.policies:
                    self.error(
                        ident.line or raw.line,
                        where,
                        f"{ident.arn} uses managed policy {arn}, which is not under Policies",
                        "add it to Policies with its PolicyVersionList (IsDefaultVersion: true)",
                    )
            for group in ident.groups:
                if group not in account.groups:
                    self.error(
                        raw.line, where, f"user {ident.name} is in group {group}, not in GroupDetailList"
                    )

    def _default_version(self, p: LDict, where: str) -> str | None:
        if "Document" in p:  # shorthand: a managed policy with one version
            return self._document(p, "Document", where)
        versions = self.list_of(p, "PolicyVersionList", where)
        default_id = self.text_of(p, "DefaultVersionId", where)
        chosen: LDict | None = None
        for v in versions:
            if not isinstance(v, LDict):
                continue
            if v.get("IsDefaultVersion") is True or (default_id and str(v.get("VersionId")) == default_id):
                chosen = v
        if chosen is None and len(versions) == 1 and isinstance(versions[0], LDict):
            chosen = versions[0]
        if chosen is None:
            self.error(p.line, where, "no default policy version", "mark one version IsDefaultVersion: true")
            return None
        return self._document(chosen, "Document", f"{where}.PolicyVersionList")

    def _document(self, node: LDict, key: str, where: str) -> str | None:
        """A policy document: mapping, JSON text, URL-encoded JSON (as AWS returns it) or a file path."""
        value = node.get(key)
        line = node.line_of(key)
        if value is None:
            self.error(line, f"{where}.{key}", "policy document is missing")
            return None
        if isinstance(value, dict):
            # Substituted in the parsed document, never in text that is parsed afterwards.
            try:
                tree = substitute_tree(plain(value), self.variables)
            except UndefinedVariable as exc:
                self.error(line, f"{where}.{key}", f"undefined variable ${{{exc.name}}}", exc.suggestion())
                return None
            return json.dumps(tree, indent=2)
        if isinstance(value, str):
            text = value.strip()
            if text.startswith("%7B") or text.startswith("%7b"):
                text = urllib.parse.unquote(text)
            elif not text.startswith("{"):
                file = self.path.parent / text
                try:
                    text = read_text_checked(file)
                except FileProblem as exc:
                    problem = "not found" if exc.missing else exc.message
                    message = f"policy file {text}: {problem} (relative to {self.file})"
                    self.error(line, f"{where}.{key}", message)
                    return None
        else:
            self.error(line, f"{where}.{key}", "a policy document is a mapping, JSON text or a file path")
            return None
        try:
            text = substitute_json(text, self.variables)
        except UndefinedVariable as exc:
            self.error(line, f"{where}.{key}", f"undefined variable ${{{exc.name}}}", exc.suggestion())
            return None
        except json.JSONDecodeError as exc:
            self.error(line, f"{where}.{key}", f"policy is not valid JSON: {exc.msg} at line {exc.lineno}")
            return None
        return self._object(text, line, where, key)

    def _object(self, text: str, line: int, where: str, key: str) -> str | None:
        if not isinstance(json.loads(text), dict):
            self.error(line, f"{where}.{key}", "a policy document is a JSON object")
            return None
        return text

    def _org_policies(self, table: Any, where: str, line: int) -> dict[str, tuple[PolicySource, ...]]:
        out: dict[str, tuple[PolicySource, ...]] = {}
        if not isinstance(table, LDict):
            self.error(line, where, "must map root/OU/account ids to lists of policies")
            return out
        kind = PolicyKind.SCP if "Service" in where else PolicyKind.RCP
        for raw_level, docs in table.items():
            lw = f"{where}.{raw_level}"
            try:
                level = substitute(str(raw_level), self.variables)
            except UndefinedVariable as exc:
                self.error(
                    table.line_of(raw_level), lw, f"undefined variable ${{{exc.name}}}", exc.suggestion()
                )
                continue
            if not isinstance(docs, LList):
                self.error(table.line_of(raw_level), lw, "must be a list of policies")
                continue
            sources = []
            for d_i, doc in enumerate(docs):
                # Either {Name, Document} or the document itself (mapping, JSON, path).
                holder = LDict()
                holder.line, holder.key_lines, holder.raw = docs.line_of(d_i), {}, {}
                name = f"{level}.{d_i + 1}"
                if isinstance(doc, LDict) and "Document" in doc:
                    name = str(doc.get("Name", name))
                    holder["Document"] = doc["Document"]
                    holder.key_lines["Document"] = doc.line_of("Document")
                else:
                    holder["Document"] = doc
                    holder.key_lines["Document"] = docs.line_of(d_i)
                text = self._document(holder, "Document", f"{lw}[{d_i}]")
                if text is not None:
                    sources.append(
                        PolicySource(
                            text=text,
                            source_id=name,
                            source_type="Organizations Policy",
                            kind=kind,
                            origin=f"{self.file}: {lw}[{d_i}] {name}",
                        )
                    )
            out[str(level)] = tuple(sources)
        return out

    def list_of(self, node: Any, key: str, where: str) -> list[Any]:
        if not isinstance(node, LDict):
            return []
        value = node.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            self.error(node.line_of(key), f"{where}.{key}", "must be a list")
            return []
        return value

    def tags_of(self, node: LDict, where: str) -> dict[str, str]:
        tags: dict[str, str] = {}
        for t_i, tag in enumerate(self.list_of(node, "Tags", where)):
            if isinstance(tag, LDict) and "Key" in tag:
                tags[str(tag["Key"])] = self.text_of(tag, "Value", f"{where}.Tags[{t_i}]")
            else:
                self.error(
                    node["Tags"].line_of(t_i), f"{where}.Tags[{t_i}]", "a tag is {Key: ..., Value: ...}"
                )
        return tags


def _text(node: LDict, key: str) -> str:
    value = node[key]
    if isinstance(value, str):
        return value
    raw = node.raw.get(key)
    if raw is not None:
        return raw
    return json.dumps(plain(value))
