"""The AWS backend: cells answered by IAM's Policy Simulator in a real account.

Per `evaluate` call: wildcard actions are expanded from the catalog, cells
are grouped into batches (harness.backends.batching), each batch is planned into
requests (requests.py), identical requests are sent once per backend (the
answers are kept on this object, so a second scenario file asking the same
question costs nothing), and requests run on a bounded thread pool, paced by
one adaptive rate limiter. Any failure becomes error cells naming the cause;
the rest of the run goes on.

Before planning, a cell on a KMS key whose scenario names no resource policy
gets the key's real policy (keypolicies.py). A role or session caller with a
resource policy is sent as itself first; where the simulator refuses role
callers, through a stand-in user (callers.py, rounds.py, standin.py, roles.py).
After the answers, each cell gets the enforced decision computed offline on
the same inputs (enforced.py).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TYPE_CHECKING, Protocol

from harness.backends.aws import standin
from harness.backends.aws.callers import (
    CallerAccount,
    CallerMode,
    RoleCallerMemory,
    Via,
    is_caller_refusal,
    resource_policy_caller,
)
from harness.backends.aws.client import CallFailed, CallStats, RetryingCaller, classify
from harness.backends.aws.enforced import Enforcer
from harness.backends.aws.keypolicies import KeyPolicies, KeyPolicy
from harness.backends.aws.options import AwsOptions
from harness.backends.aws.pagination import PaginationError, fetch_all
from harness.backends.aws.ratelimit import AdaptiveRateLimiter
from harness.backends.aws.requests import (
    RCP_GAP,
    ROLE_CALLER_GAP,
    STAND_IN_GAP,
    TRUST_GAP,
    CallerPlan,
    PlannedRequest,
    RequestRefused,
    plan_batch,
)
from harness.backends.aws.results import (
    BACKEND,
    PRE_2026_SCP_CONDITIONS,
    Generation,
    answer_generation,
    cell_result,
    combine_expanded,
    index_results,
)
from harness.backends.aws.roles import Roles
from harness.backends.aws.rounds import Answer, Planned, Rounds
from harness.backends.aws.session import AwsSession, SessionError, open_session
from harness.backends.batching import Batch, group_cells
from harness.cells import Cell, CellResult, error_result
from harness.engine.authorizers.kms import is_kms_key_request
from harness.engine.types import ContextEntry

if TYPE_CHECKING:
    from harness.account import AccountModel

SIMULATOR_GAPS = (TRUST_GAP, RCP_GAP, ROLE_CALLER_GAP, STAND_IN_GAP, PRE_2026_SCP_CONDITIONS)


class ActionExpander(Protocol):
    def __call__(self, pattern: str) -> list[str]: ...


@dataclasses.dataclass
class _Prepared:
    """A call's cells after key policies and wildcard expansion."""

    cells: list[Cell]  # with the key policies read
    expansions: dict[int, list[tuple[str, Cell]]]  # per input cell: its (action, concrete cell) parts
    results: dict[int, CellResult]  # input cells already decided (errors)

    @property
    def concrete(self) -> list[Cell]:
        return [c for parts in self.expansions.values() for _, c in parts]


class AwsBackend:
    name = BACKEND

    def __init__(
        self,
        options: AwsOptions | None = None,
        *,
        session_factory: Callable[[AwsOptions], AwsSession] = open_session,
        expand_action: ActionExpander | None = None,
        account_model: AccountModel | None = None,
        enforce: bool = True,
    ) -> None:
        self.options = options or AwsOptions()
        # The account as captured (--iam-account): key policies, role facts, enforced decisions.
        self.account_model = account_model
        self._key_policies: KeyPolicies | None = None
        self._roles: Roles | None = None
        # Compare mode takes the enforced decision from its own offline side.
        self._enforcer = Enforcer(account_model, BACKEND) if enforce else None
        self.stand_in_cells = 0
        self.direct_cells = 0
        # Which accounts' simulator takes a role as CallerArn, learnt once per account (callers.py).
        self._memory = RoleCallerMemory()
        self._session_factory = session_factory
        self._expand_action = expand_action
        self._session: AwsSession | None = None
        self._caller: RetryingCaller | None = None
        self._identity: dict[str, str] = {}
        self._connect_failure: str | None = None  # tried once per backend: no GetCallerIdentity per file
        self.stats = CallStats()
        self.limiter = AdaptiveRateLimiter(
            self.options.initial_rate,
            min_rate=self.options.min_rate,
            max_rate=self.options.max_rate,
            backoff_base=self.options.backoff_base,
            backoff_cap=self.options.backoff_cap,
            max_stall=self.options.max_stall,
        )
        self._answers: dict[str, Future[Answer]] = {}
        self._answers_lock = threading.Lock()
        self.cells = 0
        self.requests = 0
        self.requests_reused = 0
        self.pages = 0
        self.started: dt.datetime | None = None
        self.finished: dt.datetime | None = None
        self.gaps_seen: set[str] = set()

    # -- Backend interface ----------------------------------------------

    def evaluate(self, cells: Sequence[Cell]) -> list[CellResult]:
        if self.started is None:
            self.started = _now()
        try:
            return self._evaluate(cells)
        except Exception as exc:  # a bug here must become error cells, never a crashed run
            message = f"internal error in the AWS backend: {type(exc).__name__}: {exc}"
            return [error_result(c, self.name, message) for c in cells]
        finally:
            self.finished = _now()
            self.cells += len(cells)

    def unavailable_reason(self) -> str | None:
        """Why no cell can be evaluated at all (no credentials, no session), or None once connected."""
        return self._connect()

    def metadata(self) -> dict[str, object]:
        session = self._session
        return {
            "backend": self.name,
            "account": self._identity.get("Account"),
            "caller_arn": self._identity.get("Arn"),
            # Where STS/IAM were called; the run's top-level `region` is the scenarios' own.
            "api_region": session.region if session else self.options.region,
            "partition": session.partition if session else None,
            "assumed_role": self.options.assume_role_arn,
            "started": self.started.isoformat() if self.started else None,
            "finished": self.finished.isoformat() if self.finished else None,
            **self.stats.as_dict(),
            "requests": self.requests,
            "requests_reused": self.requests_reused,
            "pages": self.pages,
            "cells": self.cells,
            # A string, so merging metadata from several workers does not add rates up.
            "learned_rate_per_second": _rate_text(self.limiter),
            "simulator_gaps": sorted(self.gaps_seen) or None,
            **self._reads_metadata(),
        }

    def _reads_metadata(self) -> dict[str, object]:
        return {
            "caller_mode": self.options.caller_mode.value,
            "direct_cells": self.direct_cells,
            "stand_in_cells": self.stand_in_cells,
            "role_caller_refusals": sum(self._memory.refusals.values()),
            "role_callers_refused_in": self._memory.refused_accounts() or None,
            "key_policy_reads": self._key_policies.reads if self._key_policies else 0,
            "role_reads": self._roles.reads if self._roles else 0,
        }

    # -- internals ------------------------------------------------------

    def _evaluate(self, cells: Sequence[Cell]) -> list[CellResult]:
        if not cells:
            return []
        failure = self._connect()
        if failure is not None:
            return [error_result(c, self.name, failure) for c in cells]
        prepared = self._prepare(cells)
        by_cell = self._answer_concrete(prepared.concrete)
        out = self._assemble(prepared, by_cell)
        return self._enforcer.apply(prepared.cells, out) if self._enforcer else out

    def _prepare(self, cells: Sequence[Cell]) -> _Prepared:
        """Key policies read, wildcard actions expanded; cells that failed either are decided."""
        with_keys, key_errors = self._with_key_policies(cells)
        _, expansions, results = self._expand(with_keys)
        results.update(key_errors)
        for i in key_errors:
            expansions.pop(i, None)
        return _Prepared(with_keys, expansions, results)

    def _answer_concrete(self, concrete: list[Cell]) -> dict[int, CellResult]:
        """Each concrete cell's result, keyed by the cell object (ids are unique, nothing relies on it)."""
        learn = self.options.caller_mode is CallerMode.AUTO
        settled = Rounds(self._plan, self._send, self._memory, learn=learn).run(group_cells(concrete))
        by_cell: dict[int, CellResult] = {}
        for planned in settled.planned:
            if planned.refused is not None:
                self._note_gaps(planned.refused)
                for cell in planned.batch.cells:
                    by_cell[id(cell)] = error_result(cell, self.name, planned.refused)
                continue
            for request in planned.requests:
                self._read_answer(request, settled.answers[request.key], by_cell)
        return by_cell

    def _plan(self, batch: Batch) -> Planned:
        try:
            requests = plan_batch(
                batch,
                partition=self._session.partition if self._session else "aws",
                max_actions=self.options.max_actions,
                max_resources=self.options.max_resources,
                caller=self._caller_plan(batch),
            )
        except RequestRefused as exc:
            return Planned(batch, refused=str(exc))
        return Planned(batch, requests)

    def _read_answer(self, request: PlannedRequest, answer: Answer, by_cell: dict[int, CellResult]) -> None:
        warnings = request.warnings
        if request.scp_conditions and answer.generation is Generation.PRE_2026:
            warnings = (*warnings, PRE_2026_SCP_CONDITIONS)
        for gap in warnings:
            self._note_gaps(gap)
        error = answer.error
        if error is not None and answer.refused_caller and request.direct_caller:
            error += " (caller_mode=direct: no stand-in fallback; caller_mode=auto falls back to it)"
        for cell in request.cells:
            if error is not None:
                by_cell[id(cell)] = error_result(cell, self.name, error)
                continue
            found = (answer.index or {}).get((cell.action.lower(), cell.resource))
            result = cell_result(cell, found, origins=request.origins, warnings=warnings)
            by_cell[id(cell)] = dataclasses.replace(result, via=request.via)

    def _assemble(self, prepared: _Prepared, by_cell: dict[int, CellResult]) -> list[CellResult]:
        """One result per input cell: an expanded cell's parts combined, `via` counted."""
        out: list[CellResult] = []
        for i, cell in enumerate(prepared.cells):
            if i in prepared.results:
                out.append(prepared.results[i])
                continue
            parts = [(a, _with_id(by_cell[id(sub)], cell.id)) for a, sub in prepared.expansions[i]]
            plain = len(parts) == 1 and parts[0][0] == cell.action
            combined = parts[0][1] if plain else combine_expanded(cell, parts)
            vias = {r.via for _, r in parts if r.via}
            # A cell some of whose actions needed the stand-in says so.
            via = Via.STAND_IN.value if Via.STAND_IN.value in vias else next(iter(vias), None)
            if via:
                if via == Via.STAND_IN.value:
                    self.stand_in_cells += 1
                else:
                    self.direct_cells += 1
                combined = dataclasses.replace(combined, via=via)
            out.append(combined)
        return out

    # -- account reads ----------------------------------------------------

    def _with_key_policies(self, cells: Sequence[Cell]) -> tuple[list[Cell], dict[int, CellResult]]:
        """Cells on a KMS key whose scenario names no resource policy get the key's own; or an error."""
        out: list[Cell] = []
        errors: dict[int, CellResult] = {}
        for i, cell in enumerate(cells):
            if cell.resource_policy_named or not is_kms_key_request(cell.action.lower(), cell.resource):
                out.append(cell)
                continue
            found = self._key_policy_reader().for_resource(cell.resource)
            if found is None:
                out.append(cell)
            elif found.error is not None:
                errors[i] = error_result(cell, self.name, found.error)
                out.append(cell)
            else:
                context = _with_aliases(cell, found)
                out.append(dataclasses.replace(cell, resource_policy=found.policy, context=context))
        return out, errors

    def _key_policy_reader(self) -> KeyPolicies:
        with self._answers_lock:
            if self._key_policies is None:
                session = self._session
                assert session is not None
                clients: dict[str, RetryingCaller] = {}
                lock = threading.Lock()

                def kms_for(region: str) -> RetryingCaller:
                    with lock:
                        if region not in clients:
                            clients[region] = RetryingCaller(
                                session.client("kms", region),
                                self.limiter,
                                self.stats,
                                max_attempts=self.options.max_attempts,
                            )
                        return clients[region]

                self._key_policies = KeyPolicies(
                    kms_for, capture=self.account_model, own_account=self._identity.get("Account") or None
                )
            return self._key_policies

    def _caller_plan(self, batch: Batch) -> CallerPlan:
        """The path for a role or session caller, and what the stand-in needs to know about the role."""
        subject = batch.key.subject
        plan = self._caller_path(resource_policy_caller(batch.key))
        principal = subject.principal_arn or ""
        is_session = ":assumed-role/" in principal
        is_role = ":role/" in principal
        # A session principal's role (with its path) is PolicySourceArn on any path; a role's
        # boundary and path matter to the stand-in, which a session may need on the direct path too.
        needs_facts = is_session or (
            is_role
            and batch.key.resource_policy is not None
            and (plan.via is Via.STAND_IN or ":assumed-role/" in (subject.caller_arn or ""))
        )
        if not needs_facts or standin.stand_in_for(principal, plan.stand_in_user) is None:
            return plan
        if self._roles is None:
            self._roles = Roles(
                self._caller, own_account=self._identity.get("Account") or None, capture=self.account_model
            )
        facts = self._roles.facts(principal)
        if facts.error:
            if is_session and batch.key.resource_policy is None:
                return plan  # AWS will answer for the session ARN as given (or refuse it)
            return dataclasses.replace(plan, error=facts.error)
        return dataclasses.replace(
            plan,
            policy_source_arn=facts.arn,
            boundary=facts.boundary,
            referenced=self._role_condition_keys(facts.arn),
            role_policies_seen=self._holds(facts.arn),
        )

    def _caller_path(self, who: str | None) -> CallerPlan:
        """Direct or stand-in, from caller_mode and what this run learnt about the caller's account."""
        mode = self.options.caller_mode
        plan = CallerPlan(
            stand_in_user=self.options.stand_in_user, stand_in_allowed=mode is not CallerMode.DIRECT
        )
        if who is None or mode is CallerMode.DIRECT:
            return plan
        if mode is CallerMode.STAND_IN:
            return dataclasses.replace(plan, via=Via.STAND_IN, stand_in_reason="caller_mode=stand-in")
        account = CallerAccount.of(who)
        if account is not None and self._memory.path(account) is Via.STAND_IN:
            reason = f"the simulator refuses a role as CallerArn in {account} (Caller must be an IAM user)"
            return dataclasses.replace(plan, via=Via.STAND_IN, stand_in_reason=reason)
        return plan

    def _holds(self, role_arn: str | None) -> bool:
        if self.account_model is None or not role_arn:
            return False
        try:
            self.account_model.find_identity(role_arn)
        except Exception:  # not in the model
            return False
        return True

    def _role_condition_keys(self, role_arn: str | None) -> frozenset[str]:
        """Condition keys of the role's own policies, when the account model holds them."""
        if self.account_model is None or not role_arn:
            return frozenset()
        from harness.backends.aws.requests import referenced_keys

        try:
            inp = self.account_model.simulation_input_for(role_arn, (), (), context=())
        except Exception:  # not in the model: nothing more is known
            return frozenset()
        return referenced_keys((*inp.identity_policies, *inp.permissions_boundaries))

    def _connect(self) -> str | None:
        """Open the session and learn who we are; the failure message if that is impossible."""
        if self._caller is not None:
            return None
        if self._connect_failure is None:
            self._connect_failure = self._open()
        return self._connect_failure

    def _open(self) -> str | None:
        try:
            session = self._session_factory(self.options)
        except SessionError as exc:
            return f"{exc.cause}: {exc.message}"
        caller = RetryingCaller(
            session.client("iam"), self.limiter, self.stats, max_attempts=self.options.max_attempts
        )
        sts = RetryingCaller(
            session.client("sts"), self.limiter, self.stats, max_attempts=self.options.max_attempts
        )
        try:
            identity = sts("GetCallerIdentity", {})
        except CallFailed as exc:
            return f"sts:GetCallerIdentity failed: {exc}"
        except Exception as exc:  # an unexpected client failure must still be an error cell
            return f"sts:GetCallerIdentity failed: {classify(exc).describe()}"
        self._identity = {k: str(identity.get(k, "")) for k in ("Account", "Arn", "UserId")}
        self._session, self._caller = session, caller
        return None

    def _expand(
        self, cells: Sequence[Cell]
    ) -> tuple[list[Cell], dict[int, list[tuple[str, Cell]]], dict[int, CellResult]]:
        """Concrete cells to send; per input cell its (action, concrete cell) parts, or a ready error."""
        concrete: list[Cell] = []
        expansions: dict[int, list[tuple[str, Cell]]] = {}
        results: dict[int, CellResult] = {}
        for i, cell in enumerate(cells):
            if "*" not in cell.action and "?" not in cell.action:
                concrete.append(cell)
                expansions[i] = [(cell.action, cell)]
                continue
            try:
                actions = self._expander()(cell.action)
            except Exception as exc:
                results[i] = error_result(cell, self.name, f"cannot expand {cell.action}: {exc}")
                continue
            parts = []
            for action in actions:
                sub = dataclasses.replace(cell, id=f"{cell.id}#{action}", action=action)
                concrete.append(sub)
                parts.append((action, sub))
            if not parts:
                results[i] = error_result(cell, self.name, f"{cell.action} matches no action")
            else:
                expansions[i] = parts
        return concrete, expansions, results

    def _expander(self) -> ActionExpander:
        if self._expand_action is None:
            from harness.catalog import Catalog

            catalog = Catalog()
            self._expand_action = lambda pattern: [a.full_name for a in catalog.expand(pattern)]
        return self._expand_action

    def _send(self, planned: list[PlannedRequest]) -> dict[str, Answer]:
        """Run every distinct request once (across the backend's lifetime) on the bounded pool."""
        mine: list[tuple[PlannedRequest, Future[Answer]]] = []
        futures: dict[str, Future[Answer]] = {}
        with self._answers_lock:
            for request in planned:
                key = request.key
                if key in futures:
                    continue
                existing = self._answers.get(key)
                if existing is not None:
                    self.requests_reused += 1
                    futures[key] = existing
                    continue
                future: Future[Answer] = Future()
                self._answers[key] = futures[key] = future
                mine.append((request, future))
                self.requests += 1
        if mine:
            with ThreadPoolExecutor(
                max_workers=min(self.options.max_concurrency, len(mine)), thread_name_prefix="iam-sim"
            ) as pool:
                for request, future in mine:
                    pool.submit(self._run_one, request, future)
        return {key: f.result() for key, f in futures.items()}

    def _run_one(self, request: PlannedRequest, future: Future[Answer]) -> None:
        assert self._caller is not None
        try:
            pages = fetch_all(self._caller, request.operation, request.params, self.options.max_items)
        except CallFailed as exc:
            code, _, message = exc.failure.message.partition(": ")
            refused = exc.failure.cause == "invalid input" and is_caller_refusal(code, message)
            answer = Answer(error=f"{request.operation} failed: {exc}", refused_caller=refused)
        except PaginationError as exc:
            answer = Answer(error=f"{request.operation} pagination failed: {exc}")
        except Exception as exc:  # a bug here must become error cells, never a crashed run
            answer = Answer(error=f"{request.operation} failed: {classify(exc).describe()}")
        else:
            with self._answers_lock:
                self.pages += pages.pages
            resources = request.params.get("ResourceArns")
            answer = Answer(
                index=index_results(pages.evaluation_results, resources),
                generation=answer_generation(pages.evaluation_results, resources),
            )
        if answer.error is not None:
            # Failures are not cached: a later file may retry once the cause is gone.
            with self._answers_lock:
                self._answers.pop(request.key, None)
        future.set_result(answer)

    def _note_gaps(self, text: str) -> None:
        for gap in SIMULATOR_GAPS:
            if gap in text:
                self.gaps_seen.add(gap)


def _with_id(result: CellResult, cell_id: str) -> CellResult:
    return result if result.cell_id == cell_id else dataclasses.replace(result, cell_id=cell_id)


def _rate_text(limiter: AdaptiveRateLimiter) -> str | None:
    ceiling = limiter.snapshot()["learned_ceiling"]
    return None if ceiling is None else f"{ceiling}"


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _with_aliases(cell: Cell, found: KeyPolicy) -> tuple[ContextEntry, ...]:
    """kms:ResourceAliases from a live read, unless the scenario sets it (its value wins)."""
    if found.aliases is None or any(e.key.lower() == "kms:resourcealiases" for e in cell.context):
        return cell.context
    return (*cell.context, ContextEntry("kms:ResourceAliases", found.aliases, "stringList"))
