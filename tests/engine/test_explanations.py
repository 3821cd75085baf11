"""Explanations are reason data (harness/engine/reasons.py), written as text only when read (render.py)."""

from __future__ import annotations

from engine_builders import allow, build_input, deny, policy

import harness.engine.render as render
from harness.engine import Decision, Engine
from harness.engine.evaluate import DECISION_OF
from harness.engine.reasons import ReasonCode

KEY = "arn:aws:kms:eu-west-3:111122223333:key/k1"
USER = "arn:aws:iam::111122223333:user/alice"


def test_every_reason_code_stands_for_one_decision() -> None:
    assert set(DECISION_OF) == set(ReasonCode)


def test_no_explanation_text_is_written_until_it_is_read(monkeypatch) -> None:
    calls: list[str] = []
    real = render.explanation_lines

    def counting(explained, action, resource, *rest):
        calls.append(resource)
        return real(explained, action, resource, *rest)

    monkeypatch.setattr(render, "explanation_lines", counting)
    out = Engine().simulate(
        build_input("kms:Decrypt", identity=[policy(allow("kms:Decrypt"))], resources=[KEY, KEY + "2"])
    )
    assert calls == []
    rr = out.results[0].resource_results[0]
    lines = rr.explanation
    assert calls == [KEY]
    assert lines[0] == "allowed: allowed by statement 1 of PolicyInputList.1"
    assert rr.explanation is lines  # written once


def test_an_action_over_several_resources_sums_them_up_without_repeating_their_lines() -> None:
    ident = [policy(allow("kms:Decrypt", KEY))]
    out = Engine().simulate(build_input("kms:Decrypt", identity=ident, resources=[KEY, KEY + "2", KEY + "3"]))
    assert out.results[0].explanation == (
        "simulator: implicitDeny on 2 of 3 resources, allowed on 1 of 3 resources",
        "enforced: implicitDeny on 3 of 3 resources",
        "each resource's result explains its decision",
    )


def test_an_action_on_one_resource_arn_sums_it_up_and_resource_star_carries_the_lines() -> None:
    ident = [policy(allow("kms:Decrypt"))]
    one = Engine().simulate(build_input("kms:Decrypt", identity=ident, resources=[KEY])).results[0]
    assert one.explanation[0] == "simulator: allowed on 1 of 1 resource"
    star = Engine().simulate(build_input("kms:Decrypt", identity=ident)).results[0]
    assert star.explanation[0] == "allowed: allowed by statement 1 of PolicyInputList.1"


def test_an_advisory_shared_by_resources_is_given_once_with_their_count() -> None:
    ident = [policy(allow("kms:Decrypt"))]
    out = Engine().simulate(build_input("kms:Decrypt", identity=ident, resources=[KEY, KEY + "2"]))
    result = out.results[0]
    assert result.advisory is not None
    assert result.advisory.count("KMS:") == 1 and result.advisory.endswith("(2 of 2 resources)")
    assert result.resource_results[0].advisory == result.resource_results[1].advisory


def test_statements_for_other_services_are_summed_up_in_one_line() -> None:
    ident = [
        policy(
            allow("kms:Encrypt", Sid="enc"),
            allow("s3:GetObject", Sid="s3"),
            allow(["dynamodb:Query", "lambda:Invoke*"], Sid="other"),
        )
    ]
    lines = Engine().simulate(build_input("kms:Decrypt", identity=ident)).results[0].explanation
    assert any("Sid 'enc'" in line and "not matched by Action" in line for line in lines)
    assert not any("Sid 's3'" in line or "Sid 'other'" in line for line in lines)
    assert lines[-1] == (
        "2 more statements did not apply: Action names only other services (dynamodb, lambda, s3)"
    )


def test_resources_sharing_an_answer_get_the_text_written_for_each() -> None:
    # From the second resource on, the text is split once around the resource and joined per
    # resource; it must equal what writing each resource's text directly gives.
    keys = [f"{KEY}-{n}" for n in range(4)]
    out = Engine().simulate(build_input("kms:Decrypt", resources=keys))
    for rr in out.results[0].resource_results:
        assert (
            rr.explanation[0]
            == f"implicitDeny: no identity-based or resource-based policy allows kms:Decrypt on {rr.resource}"
        )
        assert (
            rr.explanation[1]
            == f"to allow: add an Allow for kms:Decrypt on {rr.resource} to an identity-based policy"
        )


def test_a_stand_in_written_in_a_policy_is_not_mistaken_for_the_resource() -> None:
    odd = "arn:aws:s3:::b/\x00\x01/x"
    out = Engine().simulate(
        build_input(
            "s3:GetObject",
            identity=[policy(allow("s3:GetObject", odd))],
            resources=["arn:aws:s3:::b/1", "arn:aws:s3:::b/2", "arn:aws:s3:::b/3"],
        )
    )
    for rr in out.results[0].resource_results:
        assert f"{rr.resource} is not matched by Resource ({odd})" in rr.explanation[-1]


def test_each_resource_shares_the_reason_but_names_itself() -> None:
    out = Engine().simulate(build_input("s3:GetObject", resources=["arn:aws:s3:::b/1", "arn:aws:s3:::b/2"]))
    first, second = (rr.explanation[0] for rr in out.results[0].resource_results)
    assert (
        first
        == "implicitDeny: no identity-based or resource-based policy allows s3:GetObject on arn:aws:s3:::b/1"
    )
    assert second.endswith("on arn:aws:s3:::b/2")


def test_an_explicit_deny_names_the_statement_its_policy_kind_and_the_remedy() -> None:
    out = Engine().simulate(
        build_input("s3:GetObject", identity=[policy(allow("*"), deny("s3:*", Sid="NoS3"))], caller=USER)
    )
    lines = out.results[0].explanation
    assert lines[:2] == (
        "explicitDeny: explicitly denied by Sid 'NoS3' of PolicyInputList.1 (identity policy)",
        "to allow: remove or narrow Sid 'NoS3' of PolicyInputList.1",
    )


def test_decisions_are_the_enum_at_every_layer() -> None:
    out = Engine().simulate(
        build_input("kms:Decrypt", identity=[policy(allow("kms:Decrypt"))], resources=[KEY])
    )
    result = out.results[0]
    rr = result.resource_results[0]
    assert all(
        isinstance(d, Decision)
        for d in (result.decision, result.enforced_decision, rr.decision, rr.enforced_decision)
    )


def test_the_enforced_line_points_at_the_advisory_instead_of_repeating_it() -> None:
    rr = Engine().simulate(
        build_input("kms:Decrypt", identity=[policy(allow("kms:Decrypt"))], resources=[KEY])
    )
    result = rr.results[0].resource_results[0]
    assert result.advisory is not None and result.advisory.startswith("KMS: ")
    assert "enforced implicitDeny: see the advisory" in result.explanation
    assert not any(result.advisory in line for line in result.explanation)


def test_the_summary_of_one_resource_is_the_one_written_for_any_number() -> None:
    """summary_lines looks the one-resource summary up in a table written by _summary."""
    from harness.engine.types import ResourceResult

    for d in Decision:
        for e in (None, *Decision):
            one = (ResourceResult("arn:aws:s3:::b", d, enforced_decision=e),)
            assert render.summary_lines(one) == render._summary(one)
    assert render.summary_lines(
        (ResourceResult("arn:aws:s3:::b", Decision.ALLOWED, enforced_decision=Decision.IMPLICIT_DENY),)
    ) == (
        "simulator: allowed on 1 of 1 resource",
        "enforced: implicitDeny on 1 of 1 resource",
        "each resource's result explains its decision",
    )
