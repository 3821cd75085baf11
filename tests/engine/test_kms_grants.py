"""KMS grants: a grant allows its grantee its operations on its key, within its constraints.

https://docs.aws.amazon.com/kms/latest/developerguide/grants.html; the simulator ignores
grants, so only the enforced decision changes, and the result names the grant.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from engine_builders import allow, build_input, deny, policy

from harness.engine import Engine
from harness.engine.types import Decision, KmsGrant, ResourceResult

ACCOUNT = "012345678910"
OTHER = "111122223333"
KEY = f"arn:aws:kms:eu-west-3:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
OTHER_KEY = f"arn:aws:kms:eu-west-3:{ACCOUNT}:key/99999999-12ab-34cd-56ef-1234567890ab"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/app/reader"
SESSION = f"arn:aws:sts::{ACCOUNT}:assumed-role/reader/s1"
ADMIN = f"arn:aws:iam::{ACCOUNT}:role/admin"
# A key policy that names only the admin: the reader gets nothing from it.
KEY_POLICY = policy({**allow("kms:*"), "Principal": {"AWS": ADMIN}})


def grant(**extra: Any) -> KmsGrant:
    fields: dict[str, Any] = {
        "grant_id": "g-1",
        "resource": KEY,
        "grantee": ROLE,
        "operations": ("Decrypt", "DescribeKey"),
    }
    return KmsGrant(**{**fields, **extra})


def answer(action: str, grants: tuple[KmsGrant, ...], **kwargs: Any) -> ResourceResult:
    kwargs.setdefault("caller", ROLE)
    kwargs.setdefault("resource_policy", KEY_POLICY)
    kwargs.setdefault("resources", [KEY])
    inp = dataclasses.replace(build_input(action, **kwargs), grants=grants)
    return Engine().simulate(inp).results[0].resource_results[0]


def test_a_grant_allows_its_grantee_where_no_policy_does() -> None:
    result = answer("kms:Decrypt", (grant(),))
    assert result.decision is Decision.IMPLICIT_DENY  # the simulator ignores grants
    assert result.enforced_decision is Decision.ALLOWED
    assert result.grant_id == "g-1"
    assert result.advisory is not None and "grant g-1" in result.advisory


def test_without_the_grant_the_grantee_is_refused() -> None:
    result = answer("kms:Decrypt", ())
    assert result.enforced_decision is Decision.IMPLICIT_DENY
    assert result.grant_id is None


def test_a_role_grant_serves_the_roles_sessions() -> None:
    assert answer("kms:Decrypt", (grant(),), caller=SESSION).enforced_decision is Decision.ALLOWED


def test_a_grant_allows_only_its_operations() -> None:
    assert answer("kms:Encrypt", (grant(),)).enforced_decision is Decision.IMPLICIT_DENY


def test_a_grant_allows_only_its_grantee() -> None:
    other = f"arn:aws:iam::{ACCOUNT}:role/other"
    assert answer("kms:Decrypt", (grant(),), caller=other).enforced_decision is Decision.IMPLICIT_DENY


def test_a_grant_to_a_role_of_another_partition_does_not_serve_the_caller() -> None:
    china = grant(grantee=f"arn:aws-cn:iam::{ACCOUNT}:role/app/reader")
    assert answer("kms:Decrypt", (china,)).enforced_decision is Decision.IMPLICIT_DENY


def test_a_grant_allows_only_on_its_key() -> None:
    result = answer("kms:Decrypt", (grant(),), resources=[OTHER_KEY])
    assert result.enforced_decision is Decision.IMPLICIT_DENY


def test_each_resource_of_one_request_gets_its_own_grants() -> None:
    inp = dataclasses.replace(
        build_input("kms:Decrypt", caller=ROLE, resource_policy=KEY_POLICY, resources=[KEY, OTHER_KEY]),
        grants=(grant(),),
    )
    results = Engine().simulate(inp).results[0].resource_results
    assert [r.enforced_decision for r in results] == [Decision.ALLOWED, Decision.IMPLICIT_DENY]


def test_context_equals_allows_exactly_that_encryption_context() -> None:
    g = grant(context_equals=(("Project", "evidence"),))
    ok = {"kms:EncryptionContext:project": "evidence"}  # keys ignore case in a constraint
    extra = {**ok, "kms:EncryptionContext:Stage": "prod"}
    assert answer("kms:Decrypt", (g,), context=ok).enforced_decision is Decision.ALLOWED
    assert answer("kms:Decrypt", (g,), context=extra).enforced_decision is Decision.IMPLICIT_DENY
    assert answer("kms:Decrypt", (g,)).enforced_decision is Decision.IMPLICIT_DENY


def test_context_values_are_case_sensitive() -> None:
    g = grant(context_equals=(("Project", "evidence"),))
    ctx = {"kms:EncryptionContext:Project": "Evidence"}
    assert answer("kms:Decrypt", (g,), context=ctx).enforced_decision is Decision.IMPLICIT_DENY


def test_context_subset_allows_a_context_that_includes_its_pairs() -> None:
    g = grant(context_subset=(("Project", "evidence"),))
    extra = {"kms:EncryptionContext:Project": "evidence", "kms:EncryptionContext:Stage": "prod"}
    assert answer("kms:Decrypt", (g,), context=extra).enforced_decision is Decision.ALLOWED
    missing = {"kms:EncryptionContext:Stage": "prod"}
    assert answer("kms:Decrypt", (g,), context=missing).enforced_decision is Decision.IMPLICIT_DENY


def test_constraints_do_not_apply_to_operations_without_encryption_context() -> None:
    g = grant(context_equals=(("Project", "evidence"),))
    assert answer("kms:DescribeKey", (g,)).enforced_decision is Decision.ALLOWED


def test_an_explicit_deny_wins_over_a_grant() -> None:
    result = answer("kms:Decrypt", (grant(),), identity=[policy(deny("kms:Decrypt"))])
    assert result.enforced_decision is Decision.EXPLICIT_DENY


def test_an_scp_that_does_not_allow_refuses_a_grant() -> None:
    result = answer("kms:Decrypt", (grant(),), scps=[[policy(allow("s3:*"))]])
    assert result.enforced_decision is Decision.IMPLICIT_DENY


def test_an_account_grantee_delegates_to_iam_policies() -> None:
    g = grant(grantee=f"arn:aws:iam::{OTHER}:root")
    caller = f"arn:aws:iam::{OTHER}:role/consumer"
    with_iam = answer("kms:Decrypt", (g,), caller=caller, identity=[policy(allow("kms:Decrypt"))])
    assert with_iam.enforced_decision is Decision.ALLOWED
    assert answer("kms:Decrypt", (g,), caller=caller).enforced_decision is Decision.IMPLICIT_DENY


def test_an_allow_by_policy_does_not_name_a_grant() -> None:
    result = answer("kms:Decrypt", (grant(),), caller=ADMIN)
    assert result.enforced_decision is Decision.ALLOWED
    assert result.grant_id is None


def test_an_answer_given_without_grants_is_not_reused_for_a_request_with_them() -> None:
    engine = Engine()
    base = build_input("kms:Decrypt", caller=ROLE, resource_policy=KEY_POLICY, resources=[KEY, OTHER_KEY])
    for _ in range(2):  # the second call would reuse the first's answers if grants were not keyed
        without = engine.simulate(base).results[0].resource_results[0]
    with_grant = engine.simulate(dataclasses.replace(base, grants=(grant(),))).results[0].resource_results[0]
    assert (without.enforced_decision, with_grant.enforced_decision) == (
        Decision.IMPLICIT_DENY,
        Decision.ALLOWED,
    )


def test_the_retiring_principal_may_retire_the_grant_without_any_policy() -> None:
    retirer = f"arn:aws:iam::{ACCOUNT}:role/retirer"
    g = grant(retiring_principal=retirer)
    assert answer("kms:RetireGrant", (g,), caller=retirer).enforced_decision is Decision.ALLOWED
    # The grantee may not: RetireGrant is not among the grant's operations.
    assert answer("kms:RetireGrant", (g,)).enforced_decision is Decision.IMPLICIT_DENY
