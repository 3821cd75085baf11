"""The engine's pipeline: SimulationInput in, SimulationOutput out.

Stages, each a module: validate (validate.py), evaluate (evaluate.py: the
simulator's decision and its reason, as data), enforce (enforcement.py and the
authorizers/ registry: what the service decides), explain (reasons.py data,
written as text by render.py only when read) and aggregate (aggregate.py: one
result per action). This module runs them per action and resource, and reuses
an answer across resources, and across calls with the same policies, that
cannot tell apart (`_signature`); a first call on one resource has nothing to
reuse and skips that keying.

Result shape (IAM API reference: SimulateCustomPolicy, SimulatePrincipalPolicy,
EvaluationResult, ResourceSpecificResult, Statement, Position; and what the
service returns where it differs from the model):

- One EvaluationResult per action. Its EvalDecision is the most restrictive
  decision over the requested resources (explicitDeny, then implicitDeny, then
  allowed); MatchedStatements is the union over resources of the statements
  behind that decision; EvalDecisionDetails "reports the most restrictive
  decision per policy type across all requested resources"
  (API_EvaluationResult.html). ResourceSpecificResults holds one entry per
  resource.
- MissingContextValues: "used when the resource in a simulation is `*`";
  with a list of ARNs the keys go in each ResourceSpecificResult instead.
- MatchedStatements never include SCP (or RCP) statements. For an explicit
  deny only the deny statements are listed; for an implicit deny none.
- EvalDecisionDetails is filled for cross-account requests, keyed by the
  SourcePolicyType names ("IAM Policy", "Resource Policy").
- CallerArn: AWS takes an IAM user, group or role (botocore's IAM model of
  2026-07-30; before, a user only), never an assumed-role session, a
  federated user or a service. Offline every caller is evaluated as given;
  one AWS would refuse gets a warning (validate.py).

Request context: `decision` uses only the context the caller supplied, as the
simulator does. `enforced_decision` evaluates the request as the service
would see it: keys every real request carries and the simulator only knows if
told (aws:PrincipalArn, aws:PrincipalAccount, aws:PrincipalType, aws:username,
aws:ResourceAccount, kms:CallerAccount; reference_policies_condition-keys.html,
conditions-kms.html) are filled from the caller and resource when absent, and
KMS's own rules apply to key requests (authorizers/kms.py).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from harness.dataclass import dataclass
from harness.engine.aggregate import (
    ResourceAnswer,
    aggregate,
    contributing,
    decision_details,
    matched_statements,
)
from harness.engine.authorizers import REGISTRY, Adjustment, FactTests, Registry, RequestFact
from harness.engine.bounded import SeenBefore, drop_oldest, kept
from harness.engine.context import RequestContext
from harness.engine.enforcement import enforce, enforcement_context, fillable_keys, stand_in_resource
from harness.engine.evaluate import CompiledInputs, Evaluation, Request, evaluate_request
from harness.engine.policy import CompiledPolicy
from harness.engine.principals import parse_caller
from harness.engine.render import ExplanationText, PendingExplanation
from harness.engine.types import (
    Decision,
    EvaluationResult,
    KmsGrant,
    MatchedStatement,
    PolicySource,
    ResourceResult,
    SimulationInput,
    SimulationOutput,
)
from harness.engine.validate import owner_account, validate

_ARN_ACCOUNT = re.compile(r"^arn:[^:]+:[^:]*:[^:]*:(\d{12}):")

# What the reuse of answers is keyed on, besides the resource facts of the registry:
# the policies, caller and context (the outer key, per SimulationInput), the action and
# the accounts (the inner key). An authorizer may read only these (tests check it).
KEYED_REQUEST_FACTS = frozenset(RequestFact)


@dataclass(slots=True)
class Outcome:
    """Everything decided for one action on resources of one signature (memoized)."""

    evaluation: Evaluation
    enforced: Decision
    advisory: str | None
    text: ExplanationText | None  # the explanation's data and its text; None: explanations off
    matched: tuple[MatchedStatement, ...]
    missing: tuple[str, ...]
    details: dict[str, Decision]
    grant: str | None = None  # the KMS grant that allows where no policy does


_InputsKey = tuple[object, ...]


@dataclass(slots=True)
class _Memo:
    """Answers for one SimulationInput's policies, caller and context."""

    key: _InputsKey  # what a lookup by the key's hash is confirmed against; () when not kept
    outcomes: dict[tuple[object, ...], Outcome]
    contexts: dict[tuple[bool, str | None], RequestContext | None]
    # An earlier SimulationInput had the same quick digest (most often, the same input: see
    # Simulator._memo): kept, and answers may be shared across calls.
    # A first call on one resource has nothing to share with, and skips the keying.
    reused: bool = False


def _action_keys(inputs: CompiledInputs, action_lower: str) -> frozenset[str]:
    """Lower-cased context keys read by the statements that can apply to this action
    (conditions, and policy variables in conditions and Resource)."""
    keys: frozenset[str] = frozenset()
    for policy in inputs.all_policies():
        found = policy.context_keys_for(action_lower)
        if found:
            keys = keys | found if keys else found
    return keys


class Simulator:
    """Runs one SimulationInput; `compile_policy` (the Engine's cached compiler) compiles sources."""

    def __init__(
        self,
        compile_policy: Callable[[PolicySource], CompiledPolicy],
        *,
        explain: bool = True,
        registry: Registry = REGISTRY,
    ) -> None:
        self._compile = compile_policy
        self._explain = explain
        self._registry = registry
        # By the hash of the memo's key (see _memo).
        self._memos: dict[int, _Memo] = {}
        self._scopes: dict[str, FactTests] = {}
        self._owners: dict[str, str | None] = {}  # ResourceOwner -> its account (few per batch)
        self._memo_limit = 256
        self._seen = SeenBefore()

    def compile_inputs(self, inp: SimulationInput) -> CompiledInputs:
        # (Positional, in the fields' order; map over the bound method: a generator expression
        # costs a frame and a resume per policy.)
        c = self._compile
        return CompiledInputs(
            tuple(map(c, inp.identity_policies)),
            tuple(map(c, inp.permissions_boundaries)) if inp.permissions_boundaries else (),
            tuple(map(c, inp.session_policies)) if inp.session_policies else (),
            c(inp.resource_policy) if inp.resource_policy is not None else None,
            tuple([tuple(map(c, level)) for level in inp.scp_levels]) if inp.scp_levels else (),
            tuple([tuple(map(c, level)) for level in inp.rcp_levels]) if inp.rcp_levels else (),
        )

    def _memo(
        self, inp: SimulationInput, caller_arn: str | None, owner: str | None, star_only: bool
    ) -> _Memo:
        """Answers reused across resources and calls with the same policies, caller and context;
        held on this object, bounded."""
        # Only inputs seen before are kept (most of a batch's are seen once: keeping them
        # would hold their policies and free them later from cold memory; bounded.SeenBefore).
        # Seen is asked by a quick digest (the identity policies' texts, whose strings keep
        # their hash, the caller and the owner): the full key, of dataclasses whose __hash__
        # is Python code, is built only for an input whose digest was seen before.
        texts = [p.text for p in inp.identity_policies]
        if not self._seen.check(hash((caller_arn, owner, star_only, len(inp.context), *texts))):
            return _Memo((), {}, {})  # for this call only
        key: _InputsKey = (
            inp.identity_policies,
            inp.permissions_boundaries,
            inp.session_policies,
            inp.resource_policy,
            inp.scp_levels,
            inp.rcp_levels,
            caller_arn,
            owner,
            inp.context,
            star_only,
            inp.grants,
        )
        # The key holds dataclasses whose __hash__ is Python code, and a tuple does not keep
        # its hash: it is hashed once here, and the entry found is confirmed against the key
        # it was made for (another key of the same hash replaces it).
        digest = hash(key)
        memo = self._memos.get(digest)
        if memo is not None and memo.key == key:
            if len(memo.outcomes) > 50_000:
                memo.outcomes.clear()
            return memo
        memo = _Memo(key, {}, {}, reused=True)
        if len(self._memos) >= self._memo_limit:
            drop_oldest(self._memos, self._memo_limit)
        self._memos[digest] = memo
        return memo

    def _owner_account(self, resource_owner: str | None) -> str | None:
        """validate.owner_account, kept per ResourceOwner (a batch names few; raises InvalidInput)."""
        if not resource_owner:
            return None
        found = self._owners.get(resource_owner)
        if found is None:
            found = kept(self._owners, resource_owner, owner_account(resource_owner))
        return found

    def run(self, inp: SimulationInput) -> SimulationOutput:
        caller_arn = inp.caller_arn or inp.principal_arn
        caller = parse_caller(caller_arn) if caller_arn else None
        warnings = validate(inp, caller)
        inputs = self.compile_inputs(inp)
        owner = self._owner_account(inp.resource_owner)
        base_ctx = RequestContext.from_entries(inp.context)
        fillable = fillable_keys(inputs.all_policies())
        has_boundary = bool(inputs.boundaries)
        star_only = tuple(inp.resource_arns) == ("*",)
        memo = self._memo(inp, caller_arn, owner, star_only)

        results: list[EvaluationResult] = []
        shared = memo.reused or len(inp.resource_arns) > 1
        principal_account = caller.account if caller else None
        # Each resource's account: the account in its ARN, else the resource owner, else the caller's.
        # (A loop: a comprehension costs a function call, for every request.)
        resources: list[tuple[str, str | None]] = []
        for resource in inp.resource_arns or ("*",):
            m = _ARN_ACCOUNT.match(resource)
            resources.append((resource, (m and m.group(1)) or owner or principal_account))
        grants: dict[str, tuple[KmsGrant, ...]] = {}
        for grant in inp.grants:  # each resource's own: a grant applies to its key only
            grants[grant.resource] = (*grants.get(grant.resource, ()), grant)
        for action in inp.action_names:
            action_lower = action.lower()
            fact_tests = self._scopes.get(action_lower)
            if fact_tests is None:  # asked once per action, not per request
                fact_tests = kept(self._scopes, action_lower, self._registry.in_scope(action_lower))
            per_resource: list[ResourceAnswer] = []
            for resource, resource_account in resources:
                # Positional: built for every resource (fields in Request's order).
                req = Request(
                    action,
                    resource,
                    caller,
                    base_ctx,
                    principal_account,
                    resource_account,
                    has_boundary,
                    action_lower,
                    grants.get(resource, ()),
                )
                per_resource.append(self._one(inputs, req, fillable, star_only, memo, fact_tests, shared))
            results.append(aggregate(action, per_resource, star_only))
        if not memo.reused:
            # Answers outlive the call only for inputs seen twice: a batch of distinct
            # requests would otherwise hold the last few hundred requests' answers, and
            # free each later, from memory long gone cold.
            memo.outcomes.clear()
        return SimulationOutput(tuple(results), tuple(warnings))

    def _signature(
        self,
        inputs: CompiledInputs,
        req: Request,
        enforced_ctx: RequestContext | None,
        fact_values: tuple[bool, ...],
        stand_in: str | None,
    ) -> tuple[object, ...]:
        """Everything about the resource that the answer depends on.

        The stages see the resource only through Resource/NotResource matching
        (against the resource, and against an authorizer's stand-in for it), the
        resource's account, and the resource facts the authorizers declare
        (authorizers/base.py). Two resources with the same signature get the same
        answer, so the second reuses the first's.
        """
        resource = req.resource
        sig: list[object] = [req.action, req.resource_account, fact_values]
        if req.grants:  # RequestFact.GRANTS: differ per resource
            sig.append(req.grants)
        ctx = req.ctx
        for policy in inputs.all_policies():
            for st in policy.statements_for(req.action_lower):
                rm = st.resources
                if rm is None or rm.any:
                    continue
                sig.append(st.resource_matches(resource, ctx))
                if rm.templates and enforced_ctx is not None:
                    sig.append(st.resource_matches(resource, enforced_ctx))
                if stand_in is not None:
                    sig.append(
                        st.resource_matches(stand_in, enforced_ctx if enforced_ctx is not None else ctx)
                    )
        return tuple(sig)

    def _one(
        self,
        inputs: CompiledInputs,
        req: Request,
        fillable: frozenset[str],
        star_only: bool,
        memo: _Memo,
        fact_tests: FactTests,
        shared: bool,
    ) -> ResourceAnswer:
        """One resource's answer; `shared`: the answer may serve other resources or calls (keyed)."""
        enforced_ctx: RequestContext | None = None
        if fillable:
            ctx_key = (req.action_lower.startswith("kms:"), req.resource_account)
            if ctx_key in memo.contexts:
                enforced_ctx = memo.contexts[ctx_key]
            else:
                enforced_ctx = memo.contexts[ctx_key] = enforcement_context(req, fillable)
        registry = self._registry
        fact_values = registry.fact_values(fact_tests, req.action_lower, req.resource)
        adjustments = registry.adjustments(req, inputs, fact_values)
        key = (
            self._signature(inputs, req, enforced_ctx, fact_values, stand_in_resource(adjustments))
            if shared
            else None
        )
        outcome = memo.outcomes.get(key) if key is not None else None
        if outcome is None:
            outcome = self._decide(inputs, req, enforced_ctx, fact_values, adjustments, star_only)
            if key is not None:
                memo.outcomes[key] = outcome
        pending = PendingExplanation(outcome.text, req.resource) if outcome.text is not None else ()
        ev = outcome.evaluation
        # Positional, in ResourceResult's field order (built for every resource).
        result = ResourceResult(
            req.resource,
            ev.decision,
            outcome.matched,
            outcome.missing,
            dict(outcome.details),
            ev.boundary_allowed,
            outcome.enforced,
            outcome.advisory,
            pending,
            outcome.grant,
        )
        return ResourceAnswer(result, ev, pending)

    def _decide(
        self,
        inputs: CompiledInputs,
        req: Request,
        enforced_ctx: RequestContext | None,
        fact_values: tuple[bool, ...],
        adjustments: tuple[Adjustment, ...],
        star_only: bool,
    ) -> Outcome:
        """Evaluate, enforce, and keep the explanation as data."""
        ev = evaluate_request(inputs, req, explain=self._explain)
        # Read only to tell whether the filled context changes the evaluation (enforce):
        # most requests have no filled context.
        action_keys = _action_keys(inputs, req.action_lower) if enforced_ctx is not None else frozenset()
        enforcement = enforce(self._registry, inputs, ev, enforced_ctx, adjustments, fact_values, action_keys)
        missing = ev.missing  # gathered from the policy groups: once
        explained = (
            ev.explained(enforcement.decision, enforcement.advisory, missing) if self._explain else None
        )
        # Positional, in Outcome's field order (built for every resource not reused).
        return Outcome(
            ev,
            enforcement.decision,
            enforcement.advisory,
            ExplanationText(explained, req.action) if explained is not None else None,
            matched_statements(contributing(ev)),
            () if star_only else missing,
            decision_details(ev),
            enforcement.grant,
        )
