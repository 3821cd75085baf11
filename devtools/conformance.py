"""Conformance check of the offline engine against another simulator's test cases.

The cases (JSON arrays, see /work/shared/conformance/README.md) come from the
open-source iam-simulate project. They are that project's reading of AWS's
documentation, so a disagreement is either a bug here or a documented
difference of reading; the latter are listed in `conformance_divergences.py`
with the AWS page that supports ours. The cases are read from a folder at run
time and never copied into this repository.

Mapping to a SimulationInput (their runner's conventions):
- `identityPolicies` -> PolicyInputList.N; `resourcePolicy` -> ResourcePolicy;
  `permissionBoundaries` -> PermissionsBoundaryPolicyInputList;
  `sessionPolicy` -> a session policy; `serviceControlPolicies` /
  `resourceControlPolicies` -> SCP / RCP levels in the order given.
- Their runner adds an allow-all RCP (like the AWS-managed RCPFullAWSAccess)
  at every RCP level; we do the same.
- `request.principal` -> CallerArn (`{"type": "Anonymous"}` -> anonymous);
  `request.resource.accountId` -> ResourceOwner; `request.context` ->
  ContextEntries (a list value -> stringList, otherwise string).
- A few cases write a resource policy principal as a bare ARN string
  (`"Principal": "arn:..."`), which the IAM grammar does not allow; we read
  it as `{"AWS": "arn:..."}`, which is what the case means.
- We compare their expected response with our *enforced* decision (what the
  real service does), since that is what their cases describe.

Groups skipped, with the reason:
- cases with a `simulation` block ("Discovery" mode ignores conditions to list
  what could be allowed) and the `simulation/` folder (resource-pattern
  expansion): neither is something the IAM Policy Simulator or the service
  does, so there is nothing of AWS's to conform to.
- cases with `endpointPolicies` (VPC endpoint policies): the simulator API has
  no input for them and the engine does not model the network path.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness.engine import (
    ContextEntry,
    Engine,
    PolicyKind,
    PolicySource,
    SimulationError,
    SimulationInput,
)

RESPONSES = {"Allowed": "allowed", "ImplicitlyDenied": "implicitDeny", "ExplicitlyDenied": "explicitDeny"}
ALLOW_ALL_RCP = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}],
}


@dataclass(frozen=True)
class ConformanceCase:
    group: str  # file path relative to the cases folder, without .json
    name: str
    data: dict[str, Any]


@dataclass(frozen=True)
class CaseOutcome:
    case: ConformanceCase
    status: str  # agree, disagree, divergence, skipped, error
    expected: str | None = None
    got: str | None = None
    note: str = ""


def load_cases(folder: Path) -> list[ConformanceCase]:
    """Every case of every JSON file under `folder`, in file then array order."""
    cases: list[ConformanceCase] = []
    for path in sorted(folder.rglob("*.json")):
        group = path.relative_to(folder).with_suffix("").as_posix()
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, list):
            continue
        for item in data:
            if isinstance(item, dict):
                cases.append(ConformanceCase(group, str(item.get("name", "?")), item))
    return cases


def skip_reason(case: ConformanceCase) -> str | None:
    d = case.data
    if "simulation" in d:
        return "discovery/resource-pattern simulation mode: no AWS counterpart"
    if d.get("endpointPolicies"):
        return "VPC endpoint policies: not an input of the IAM simulator"
    if "request" not in d or "expected" not in d or d["expected"].get("response") not in RESPONSES:
        return "not a single-request case"
    return None


def _statements(doc: Any) -> Iterable[dict[str, Any]]:
    if isinstance(doc, dict):
        st = doc.get("Statement")
        items = st if isinstance(st, list) else [st]
        yield from (s for s in items if isinstance(s, dict))


def _normalise_principals(doc: Any) -> Any:
    """Bare-string principal ARNs -> {"AWS": ...} (see module doc)."""
    doc = json.loads(json.dumps(doc))
    for st in _statements(doc):
        for el in ("Principal", "NotPrincipal"):
            value = st.get(el)
            if isinstance(value, str) and value != "*":
                st[el] = {"AWS": value}
    return doc


def _source(doc: Any, source_id: str, source_type: str, kind: PolicyKind) -> PolicySource:
    return PolicySource(json.dumps(doc, indent=2), source_id, source_type, kind, origin="conformance")


def to_simulation_input(case: ConformanceCase) -> SimulationInput:
    d = case.data
    req = d["request"]
    principal = req.get("principal")
    if isinstance(principal, dict):
        caller = "anonymous" if str(principal.get("type", "")).lower() == "anonymous" else None
    else:
        caller = principal
    resource = req.get("resource") or {}
    context: list[ContextEntry] = []
    for key, value in (req.get("context") or {}).items():
        if isinstance(value, list):
            context.append(ContextEntry(key, tuple(str(v) for v in value), "stringList"))
        else:
            context.append(ContextEntry(key, (str(value),), "string"))
    resource_doc = d.get("resourcePolicy")
    if resource_doc is None and d.get("resourcePolicies"):
        resource_doc = d["resourcePolicies"][0]
    account = resource.get("accountId")
    return SimulationInput(
        action_names=(req["action"],),
        resource_arns=(resource.get("resource") or "*",),
        identity_policies=tuple(
            _source(p, f"PolicyInputList.{i}", "IAM Policy", PolicyKind.IDENTITY)
            for i, p in enumerate(d.get("identityPolicies") or [], 1)
        ),
        permissions_boundaries=tuple(
            _source(
                p, f"PermissionsBoundaryPolicyInputList.{i}", "IAM Policy", PolicyKind.PERMISSIONS_BOUNDARY
            )
            for i, p in enumerate(d.get("permissionBoundaries") or [], 1)
        ),
        session_policies=(
            (_source(d["sessionPolicy"], "SessionPolicy", "IAM Policy", PolicyKind.SESSION),)
            if d.get("sessionPolicy")
            else ()
        ),
        resource_policy=(
            _source(
                _normalise_principals(resource_doc), "ResourcePolicy", "Resource Policy", PolicyKind.RESOURCE
            )
            if resource_doc
            else None
        ),
        scp_levels=tuple(
            tuple(
                _source(p, f"SCP.{level.get('orgIdentifier', n)}.{i}", "SCP", PolicyKind.SCP)
                for i, p in enumerate(level.get("policies") or [], 1)
            )
            for n, level in enumerate(d.get("serviceControlPolicies") or [], 1)
        ),
        rcp_levels=tuple(
            tuple(
                _source(
                    _normalise_principals(p),
                    f"RCP.{level.get('orgIdentifier', n)}.{i}",
                    "RCP",
                    PolicyKind.RCP,
                )
                for i, p in enumerate([*(level.get("policies") or []), ALLOW_ALL_RCP], 1)
            )
            for n, level in enumerate(d.get("resourceControlPolicies") or [], 1)
        ),
        caller_arn=caller,
        resource_owner=f"arn:aws:iam::{account}:root" if account else None,
        context=tuple(context),
    )


def run_case(engine: Engine, case: ConformanceCase, divergences: dict[tuple[str, str], Any]) -> CaseOutcome:
    reason = skip_reason(case)
    if reason:
        return CaseOutcome(case, "skipped", note=reason)
    expected = RESPONSES[case.data["expected"]["response"]]
    try:
        out = engine.simulate(to_simulation_input(case))
    except SimulationError as exc:
        known = divergences.get((case.group, case.name))
        status = "divergence" if known is not None else "error"
        return CaseOutcome(case, status, expected, exc.code, note=str(known or exc.message))
    result = out.results[0]
    got = (result.enforced_decision or result.decision).value
    if got == expected:
        return CaseOutcome(case, "agree", expected, got)
    known = divergences.get((case.group, case.name))
    if known is not None:
        return CaseOutcome(case, "divergence", expected, got, note=str(known))
    return CaseOutcome(case, "disagree", expected, got, note=" | ".join(result.explanation[:2]))


CASES_VARIABLE = "IAM_HARNESS_CONFORMANCE_CASES"


def default_folder(checkout: Path) -> Path:
    """Where the cases are: $IAM_HARNESS_CONFORMANCE_CASES, else beside the checkout in
    ../shared/conformance/iam-simulate (a git worktree next to the main checkout finds them too)."""
    named = os.environ.get(CASES_VARIABLE)
    if named:
        return Path(named)
    return (checkout / ".." / "shared" / "conformance" / "iam-simulate").resolve()


def run_folder(folder: Path, engine: Engine | None = None) -> list[CaseOutcome]:
    from devtools.conformance_divergences import DIVERGENCES

    engine = engine or Engine()
    return [run_case(engine, case, DIVERGENCES) for case in load_cases(folder)]


def summarize(outcomes: list[CaseOutcome]) -> dict[str, dict[str, int]]:
    """Counts per group directory (e.g. core-engine/kms) and status."""
    table: dict[str, dict[str, int]] = {}
    for o in outcomes:
        group = o.case.group.rsplit("/", 1)[0] if "/" in o.case.group else o.case.group
        row = table.setdefault(group, {"agree": 0, "divergence": 0, "disagree": 0, "error": 0, "skipped": 0})
        row[o.status] += 1
    return table


_COLUMNS = (("agree", 5), ("divergence", 6), ("disagree", 6), ("error", 5), ("skipped", 7))


def _counts(row: dict[str, int]) -> str:
    return "  ".join(f"{row[k]:{w}}" for k, w in _COLUMNS)


def format_summary(outcomes: list[CaseOutcome]) -> str:
    table = summarize(outcomes)
    lines = [f"{'group':40} agree  diverg  disagr  error  skipped"]
    totals = dict.fromkeys(("agree", "divergence", "disagree", "error", "skipped"), 0)
    for group in sorted(table):
        row = table[group]
        for k in totals:
            totals[k] += row[k]
        lines.append(f"{group:40} {_counts(row)}")
    run = totals["agree"] + totals["divergence"] + totals["disagree"] + totals["error"]
    lines.append(
        f"{'total':40} {_counts(totals)}   "
        f"agreement {totals['agree']}/{run} (+{totals['divergence']} documented divergences)"
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """`python -m devtools.conformance [FOLDER]` (from the checkout): print agreement by group;
    exit 1 on a disagreement. FOLDER defaults to $IAM_HARNESS_CONFORMANCE_CASES, then
    ../shared/conformance/iam-simulate."""
    import sys

    args = sys.argv[1:] if argv is None else argv
    folder = Path(args[0]) if args else default_folder(Path.cwd())
    if not folder.is_dir():
        print(f"conformance cases not found at {folder}", file=sys.stderr)
        return 2
    outcomes = run_folder(folder)
    print(format_summary(outcomes))
    return 1 if any(o.status in ("disagree", "error") for o in outcomes) else 0


if __name__ == "__main__":
    raise SystemExit(main())
