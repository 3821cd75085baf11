"""Explanation text, written from the reason data of reasons.py.

One line for the decision and its reason, one for what would have to change
when denied, one for the enforced decision when it differs, one for missing
context values, then one per statement that did not apply, naming the element
that failed (action, resource, principal) or the condition key, operator and
values (conditions.py words those). Results call this only when someone reads
their `explanation` (types.Explanation), so a run that never shows it writes
no text; reports and `harness explain` read the same field.
"""

from __future__ import annotations

from harness.engine.policy import CompiledPolicy, CompiledStatement
from harness.engine.reasons import (
    ACCOUNT_ONLY,
    ALLOWED_BY,
    ALLOWED_NAMING_CALLER,
    ALLOWED_ROOT,
    CROSS_LIMITED,
    CROSS_NO_IDENTITY,
    CROSS_NO_RESOURCE_GRANT,
    DENIED_BY_RCP,
    DENIED_BY_SCP,
    DENIED_BY_STATEMENT,
    LIMITED,
    NOT_ALLOWED,
    RCP_LEVEL_NOT_ALLOWED,
    SCP_LEVEL_NOT_ALLOWED,
    Element,
    Explained,
    KmsRule,
    Miss,
    Note,
    NoteCode,
    Reason,
    StatementRef,
)
from harness.engine.types import Decision, PolicyKind, ResourceResult

_KIND_LABEL = {
    PolicyKind.IDENTITY: "identity policy",
    PolicyKind.RESOURCE: "resource policy",
    PolicyKind.PERMISSIONS_BOUNDARY: "permissions boundary",
    PolicyKind.SESSION: "session policy",
}


def statement_name(ref: StatementRef) -> str:
    name = f"Sid {ref.sid!r}" if ref.sid else f"statement {ref.index + 1}"
    return f"{name} of {ref.policy_id}"


def _limits(reason: Reason) -> str:
    parts = []
    if reason.boundary:
        parts.append("the permissions boundary does not allow it")
    if reason.session:
        parts.append("the session policy does not allow it")
    return " and ".join(parts)


def _limits_remedy(reason: Reason, action: str) -> str:
    parts = []
    if reason.boundary:
        parts.append(f"allow {action} in the permissions boundary")
    if reason.session:
        parts.append(f"allow {action} in the session policy")
    return " and ".join(parts)


# Enum members read once, as module globals: reading a member off its Enum class goes through
# EnumType's __getattr__ hook (several times slower than a global), and the functions below
# compare a code with up to fifteen members for each line they write.
_IDENTITY = PolicyKind.IDENTITY
_ALLOWED = Decision.ALLOWED
_ACTION = Element.ACTION
_NOT_ACTION = Element.NOT_ACTION
_RESOURCE = Element.RESOURCE
_NOT_RESOURCE = Element.NOT_RESOURCE
_NOT_PRINCIPAL = Element.NOT_PRINCIPAL
_CONDITION = Element.CONDITION


def reason_text(reason: Reason, action: str, resource: str) -> str:
    """Why the simulator decided as it did."""
    code = reason.code
    st = statement_name(reason.statement) if reason.statement is not None else ""
    if code is DENIED_BY_STATEMENT:
        return f"explicitly denied by {st} ({_KIND_LABEL[reason.kind or _IDENTITY]})"
    if code is DENIED_BY_SCP:
        return f"explicitly denied by an SCP at organization level {reason.level} ({st})"
    if code is DENIED_BY_RCP:
        return f"explicitly denied by an RCP at organization level {reason.level} ({st})"
    if code is SCP_LEVEL_NOT_ALLOWED:
        return f"no SCP at organization level {reason.level} of {reason.levels} allows {action}"
    if code is RCP_LEVEL_NOT_ALLOWED:
        return f"no RCP at organization level {reason.level} of {reason.levels} allows {action}"
    if code is ALLOWED_NAMING_CALLER:
        return f"allowed by {st} (resource policy names the caller directly)"
    if code is ACCOUNT_ONLY:
        return "the resource policy only names the account, and no identity-based policy allows"
    if code is NOT_ALLOWED:
        return f"no identity-based or resource-based policy allows {action} on {resource}"
    if code is LIMITED:
        return f"allowed by policy but {_limits(reason)}"
    if code is ALLOWED_ROOT:
        return "allowed: the account root user"
    if code is ALLOWED_BY:
        return f"allowed by {st}"
    if code is CROSS_NO_IDENTITY:
        return f"cross-account: no identity-based policy of account {reason.account} allows {action}"
    if code is CROSS_LIMITED:
        return f"cross-account: {_limits(reason)}"
    if code is CROSS_NO_RESOURCE_GRANT:
        what = (
            "resource policy does not allow the caller"
            if reason.has_resource_policy
            else "has no resource policy"
        )
        return f"cross-account: the resource in account {reason.account} {what}"
    other = statement_name(reason.other) if reason.other is not None else ""
    return f"cross-account: allowed by {st or 'the root user'} and {other}"


def remedy_text(reason: Reason, action: str, resource: str) -> str:
    """What would have to change for the request to be allowed ("" when allowed)."""
    code = reason.code
    if code is DENIED_BY_STATEMENT and reason.statement is not None:
        return f"remove or narrow {statement_name(reason.statement)}"
    if code is DENIED_BY_SCP:
        return "change the SCP deny at that level"
    if code is DENIED_BY_RCP:
        return "change the RCP deny at that level"
    if code is SCP_LEVEL_NOT_ALLOWED:
        return f"allow {action} in an SCP at level {reason.level}"
    if code is RCP_LEVEL_NOT_ALLOWED:
        return f"allow {action} in an RCP at level {reason.level}"
    if code is ACCOUNT_ONLY:
        return f"allow {action} on {resource} in an identity-based policy"
    if code is NOT_ALLOWED:
        return f"add an Allow for {action} on {resource} to an identity-based policy"
    if code in (LIMITED, CROSS_LIMITED):
        return _limits_remedy(reason, action)
    if code is CROSS_NO_IDENTITY:
        return f"allow {action} on {resource} in the caller's identity-based policy"
    if code is CROSS_NO_RESOURCE_GRANT:
        return f"allow the caller (or account {reason.principal_account}) in the resource policy"
    return ""


_KMS_TEXT = {
    KmsRule.NO_KEY_POLICY: "no key policy was given; KMS allows nothing on a key unless its key policy does "
    "(add the key policy as the resource policy)",
    KmsRule.NEEDS_IAM_POLICY: "cross-account use also needs an IAM policy in the caller's account",
    KmsRule.BOTH_ALLOW: "the key policy and the caller's IAM policy both allow",
    KmsRule.NAMES_CALLER: "the key policy names the caller directly",
    KmsRule.ALLOWS_CALLER: "the key policy allows the caller directly",
    KmsRule.DELEGATES_TO_IAM: "the key policy delegates to IAM and an IAM policy allows",
}


# The members note_text and _kms_text compare with, as globals too (see above).
_KMS_NOT_CROSS_ACCOUNT = KmsRule.NOT_CROSS_ACCOUNT
_KMS_KEY_POLICY_IGNORES_ACCOUNT = KmsRule.KEY_POLICY_IGNORES_ACCOUNT
_KMS_IAM_NOT_ENABLED = KmsRule.IAM_NOT_ENABLED
_KMS_NO_STATEMENT = KmsRule.NO_STATEMENT
_KMS_GRANT = KmsRule.GRANT
_NOTE_KMS = NoteCode.KMS
_NOTE_GET_CALLER_IDENTITY = NoteCode.GET_CALLER_IDENTITY
_NOTE_NO_TRUST_POLICY = NoteCode.NO_TRUST_POLICY
_NOTE_TRUST_POLICY_DENIES = NoteCode.TRUST_POLICY_DENIES
_NOTE_AWS_MANAGED_POLICY = NoteCode.AWS_MANAGED_POLICY
_NOTE_AWS_RESERVED_ALIAS = NoteCode.AWS_RESERVED_ALIAS
_NOTE_PROTECTED_ROLE = NoteCode.PROTECTED_ROLE
_NOTE_SERVICE_LINKED_ROLE_SCPS = NoteCode.SERVICE_LINKED_ROLE_SCPS
_NOTE_KEY_BEHIND_ALIAS = NoteCode.KEY_BEHIND_ALIAS


def _kms_text(note: Note, action: str) -> str:
    rule = note.kms
    if rule is _KMS_NOT_CROSS_ACCOUNT:
        return f"{action} cannot be used on a key in another account (not a cross-account KMS operation)"
    if rule is _KMS_KEY_POLICY_IGNORES_ACCOUNT:
        return f"the key policy does not allow account {note.account} or the caller"
    if rule is _KMS_IAM_NOT_ENABLED:
        return (
            "an IAM policy allows, but the key policy does not allow the account "
            f"(arn:aws:iam::{note.account}:root) or the caller for {action}, "
            "so IAM policies do not count"
        )
    if rule is _KMS_NO_STATEMENT:
        return f"no key policy statement allows the caller {action}"
    if rule is _KMS_GRANT:
        return f"grant {note.grant} on the key allows the caller {action} (the simulator ignores grants)"
    return _KMS_TEXT[rule] if rule is not None else ""


def note_text(note: Note, action: str, enforced: Decision) -> str:
    """The advisory: why the service decides `enforced` where the simulator does not."""
    code = note.code
    if code is _NOTE_KMS:
        return f"KMS: {_kms_text(note, action)}"
    if code is _NOTE_GET_CALLER_IDENTITY:
        return "sts:GetCallerIdentity needs no permission and cannot be denied"
    if code is _NOTE_NO_TRUST_POLICY:
        return "no trust policy was given; only a trust policy lets a role be assumed"
    if code is _NOTE_TRUST_POLICY_DENIES:
        return "the role's trust policy does not allow the caller"
    if code is _NOTE_AWS_MANAGED_POLICY:
        return f"AWS managed policies cannot be changed ({action})"
    if code is _NOTE_AWS_RESERVED_ALIAS:
        return "aliases under alias/aws/ are reserved for AWS managed keys"
    if code is _NOTE_PROTECTED_ROLE:
        return f"roles under aws-reserved/ are protected; IAM refuses {action}"
    if code is _NOTE_SERVICE_LINKED_ROLE_SCPS:
        return "SCPs do not restrict a service-linked role"
    if code is _NOTE_KEY_BEHIND_ALIAS:
        inner = f"; {note_text(note.inner, action, enforced)}" if note.inner is not None else ""
        return (
            f"KMS authorizes {action} on the key the alias points to: policy statements are "
            "matched against the key ARN, and an alias ARN in Resource does not name the key "
            "(simulate with the key ARN)" + inner
        )
    return (
        f"{enforced.value} once the request carries {', '.join(sorted(note.filled))} "
        "(as every real request does)"
    )


def _values(values: tuple[str, ...]) -> str:
    if len(values) <= 4:
        return ", ".join(values)
    return ", ".join(values[:4]) + f", ... ({len(values)} values)"


def _label_text(st: CompiledStatement, source_id: str, after: str = "") -> str:
    """`PolicyInputList.1 statement 2 (Sid 'x') [Allow]`, then `after`."""
    sid = st.sid
    effect = "Deny" if st.deny else "Allow"  # (st.effect, without a property call)
    if sid:
        return f"{source_id} statement {st.index + 1} (Sid {sid!r}) [{effect}]{after}"
    return f"{source_id} statement {st.index + 1} [{effect}]{after}"


def _label(st: CompiledStatement, source_id: str, lines: dict[tuple[str, str], tuple[str, str]]) -> str:
    """The statement's label, written once per statement and policy id (kept in `lines`,
    the statement's miss_lines)."""
    found = lines.get((source_id, ""))
    if found is not None:
        return found[0]
    label = _label_text(st, source_id)
    lines[(source_id, "")] = (label, "")
    return label


def miss_text(miss: Miss, action: str, resource: str) -> str:
    st = miss.statement
    el = miss.element
    source_id = miss.policy.source.source_id
    lines = st.miss_lines
    if el is _ACTION or el is _NOT_ACTION:
        subject, values = action, st.action.values
    elif (el is _RESOURCE or el is _NOT_RESOURCE) and st.resource is not None:
        subject, values = resource, st.resource.values
    else:
        if lines is None:
            lines = st.miss_lines = {}
        return _other_miss_text(miss, _label(st, source_id, lines))
    # Action and Resource lines name only the statement around the action or resource:
    # the text either side is written once per statement and policy id, kept on the statement.
    key = (source_id, el)
    if lines is None:
        lines = st.miss_lines = {}
    else:
        found = lines.get(key)
        if found is not None:
            return f"{found[0]}{subject}{found[1]}"  # (one join: two `+` build two strings)
    # (The label is written into the head directly, not kept apart: most statements are
    # missed once, and only by their Action or Resource.)
    head = _label_text(st, source_id, " did not apply: ")
    tail = f" is not matched by {el._value_} ({_values(values)})"
    lines[key] = (head, tail)
    return f"{head}{subject}{tail}"


def _other_miss_text(miss: Miss, label: str) -> str:
    """The line of a Condition, Principal or NotPrincipal miss (or a Resource miss of a
    statement without a Resource element)."""
    if miss.element is _CONDITION:
        reasons = "; ".join([f.message for f in miss.failures]) or "condition not met"
        return f"{label} did not apply: Condition: {reasons}"
    who = miss.caller or "the caller (no CallerArn)"
    if miss.element is _NOT_PRINCIPAL:
        detail = f"{who} is named by NotPrincipal"
    else:
        detail = f"{who} is not named by Principal"
    principals = miss.statement.principals
    if principals is None:  # pragma: no cover - a Principal miss comes from a Principal element
        return f"{label} did not apply: {detail}"
    named = _values(tuple(f"{t}:{v}" for t, v in principals.values))
    return f"{label} did not apply: {detail} ({named})"


def explanation_lines(
    explained: Explained, action: str, resource: str, elsewhere: str | None = None
) -> tuple[str, ...]:
    """The explanation of one request on one resource (`elsewhere`: its last line, when
    already written for another resource; it never names the resource)."""
    decision = explained.decision
    reason = explained.reason
    lines = [f"{decision._value_}: {reason_text(reason, action, resource)}"]  # (`.value` is slower)
    if decision is not _ALLOWED:
        remedy = remedy_text(reason, action, resource)
        if remedy:
            lines.append(f"to allow: {remedy}")
    if explained.advisory:
        enforced = explained.enforced._value_ if explained.enforced else "?"
        # The advisory says why, and every result that carries this line carries it next to
        # it (CLI, reports, `harness explain`): not repeated here.
        lines.append(f"enforced {enforced}: see the advisory")
    if explained.missing:
        lines.append("missing context values: " + ", ".join(explained.missing))
    for miss in explained.misses:
        lines.append(miss_text(miss, action, resource))
    if explained.elsewhere:
        lines.append(elsewhere if elsewhere is not None else elsewhere_text(explained.elsewhere, action))
    return tuple(lines)


def elsewhere_text(policies: tuple[CompiledPolicy, ...], action: str) -> str:
    """One line for the statements whose Action names only other services: listing each
    of them (every statement of an account's managed policies) would bury the few that
    concern the request."""
    service = action.lower().split(":", 1)[0]
    services: frozenset[str] | set[str]  # (merged in a set: no frozen copy)
    if len(policies) == 1:  # (most often: no set to merge into)
        only = policies[0].elsewhere(service)
        count, services = only.count, only.services
    else:
        count = 0
        services = set()
        for policy in policies:
            other = policy.elsewhere(service)
            count += other.count
            services |= other.services
    names = ", ".join(sorted(services))
    if count == 1:
        return f"1 more statement did not apply: Action names only other services ({names})"
    return f"{count} more statements did not apply: Action names only other services ({names})"


# Splitting costs two writes, so it pays only for answers shared by several resources.
_SPLIT_FROM = 4
# Two stand-ins for the resource (see ExplanationText).
_STAND_INS = ("\x00\x01", "\x00\x02")


class ExplanationText:
    """The text of one explanation for one action, for every resource that shares it.

    The first resources' lines are written directly. From the fourth on, the lines
    are split once around the resource (written with two different stand-ins for
    it; used only when both give the same pieces, so a stand-in that occurs in a
    policy or context value can never be mistaken for the resource) and each
    further resource costs a join.
    """

    __slots__ = ("_action", "_elsewhere", "_explained", "_pieces", "_same", "_uses")

    def __init__(self, explained: Explained, action: str) -> None:
        self._explained = explained
        self._action = action
        self._uses = 0
        self._pieces: tuple[tuple[str, ...], ...] | None = None
        self._same: tuple[str, ...] | None = None  # lines that never name the resource: shared
        self._elsewhere: str | None = None  # the other-services line, once written

    def lines(self, resource: str) -> tuple[str, ...]:
        if self._same is not None:
            return self._same
        self._uses += 1
        if self._uses == _SPLIT_FROM and self._pieces is None:
            one, two = (explanation_lines(self._explained, self._action, s) for s in _STAND_INS)
            pieces = tuple(tuple(line.split(_STAND_INS[0])) for line in one)
            if pieces == tuple(tuple(line.split(_STAND_INS[1])) for line in two):
                self._pieces = pieces
                if all(len(p) == 1 for p in pieces):
                    self._same = one
                    return one
        if self._pieces is None:
            lines = explanation_lines(self._explained, self._action, resource, self._elsewhere)
            if self._explained.elsewhere:
                self._elsewhere = lines[-1]
            return lines
        return tuple(p[0] if len(p) == 1 else resource.join(p) for p in self._pieces)


class PendingExplanation:
    """One resource's explanation, written on first read (types.Explanation calls `lines`)."""

    __slots__ = ("_lines", "_resource", "_text")

    def __init__(self, text: ExplanationText, resource: str) -> None:
        self._text = text
        self._resource = resource
        self._lines: tuple[str, ...] | None = None

    def lines(self) -> tuple[str, ...]:
        if self._lines is None:
            self._lines = self._text.lines(self._resource)
        return self._lines


_SEVERITY_ORDER = (Decision.EXPLICIT_DENY, Decision.IMPLICIT_DENY, Decision.ALLOWED)
_EACH_EXPLAINS = "each resource's result explains its decision"


def _summary(results: tuple[ResourceResult, ...]) -> tuple[str, ...]:
    total = len(results)
    noun = "resource" if total == 1 else "resources"

    def counts(decisions: list[Decision]) -> str:
        return ", ".join(
            f"{d._value_} on {n} of {total} {noun}" for d in _SEVERITY_ORDER if (n := decisions.count(d))
        )

    simulator = [r.decision for r in results]
    enforced = [r.enforced_decision or r.decision for r in results]
    lines = [f"simulator: {counts(simulator)}"]
    if enforced != simulator:
        lines.append(f"enforced: {counts(enforced)}")
    lines.append(_EACH_EXPLAINS)
    return tuple(lines)


# The summary of one resource, for each (decision, enforced decision): most actions name one
# resource, and its summary depends on nothing else.
_ONE_RESOURCE = {
    (d, e): _summary((ResourceResult("", d, enforced_decision=e),)) for d in Decision for e in Decision
}


def summary_lines(results: tuple[ResourceResult, ...]) -> tuple[str, ...]:
    """An action's explanation over its resources: how many got each decision. Each
    resource's own result explains it (the API's ResourceSpecificResults), so the lines
    are not repeated here."""
    if len(results) == 1:
        only = results[0]
        return _ONE_RESOURCE[only.decision, only.enforced_decision or only.decision]
    return _summary(results)


class PendingSummary:
    """An action's explanation over several resources (summary_lines), written on first read."""

    __slots__ = ("_results",)

    def __init__(self, results: tuple[ResourceResult, ...]) -> None:
        self._results = results

    def lines(self) -> tuple[str, ...]:
        return summary_lines(self._results)
