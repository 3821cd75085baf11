"""Compare mode: offline and AWS side by side; a disagreement fails the cell."""

from __future__ import annotations

from collections.abc import Sequence

from aws_builders import BUCKET, allow, aws_backend, cell, custom, deny, grid, identity_policy, principal

from harness.backends.aws.results import ORGS_DENIED, PRE_2026_SCP_CONDITIONS
from harness.backends.compare import SCP_DENY_AS_IMPLICIT, CompareBackend, create_backend
from harness.backends.offline import OfflineBackend
from harness.backends.registry import BackendOptions
from harness.cells import Cell, CellResult, Expectation, Outcome, error_result, judge
from harness.testing.iam_endpoint import LocalIamEndpoint, SimulatorStyle


class Fixed:
    """A backend that answers every cell with one decision (or an error)."""

    def __init__(self, name: str, decision: str, explanation: tuple[str, ...] = ()) -> None:
        self.name = name
        self.decision = decision
        self.explanation = explanation

    def evaluate(self, cells: Sequence[Cell]) -> list[CellResult]:
        if self.decision == "error":
            return [error_result(c, self.name, "boom") for c in cells]
        return [
            CellResult(cell_id=c.id, backend=self.name, decision=self.decision, explanation=self.explanation)
            for c in cells
        ]

    def metadata(self) -> dict[str, object]:
        return {"backend": self.name, "calls": 1}


CELL = cell(custom(identity_policy(allow("s3:GetObject"))), "s3:GetObject", expected=Expectation.ALLOWED)


def test_agreeing_backends_pass_the_cell_on_its_expectation() -> None:
    [result] = CompareBackend(Fixed("offline", "allowed"), Fixed("aws", "allowed")).evaluate([CELL])
    assert result.decision == "allowed"
    assert result.backend == "compare"
    assert judge(CELL, result) is Outcome.PASSED


def test_a_disagreement_fails_the_cell_even_when_aws_meets_the_expectation() -> None:
    backend = CompareBackend(
        Fixed("offline", "implicitDeny", ("no statement allows it",)), Fixed("aws", "allowed")
    )
    [result] = backend.evaluate([CELL])
    assert judge(CELL, result) is Outcome.FAILED
    assert not result.is_error
    assert result.other["aws decision"] == "allowed"
    assert result.other["offline decision"] == "implicitDeny"
    assert result.other["offline explanation"] == "no statement allows it"
    assert result.disagreement == "offline engine says implicitDeny, AWS's simulator says allowed"
    assert backend.metadata()["disagreements"] == 1


def test_an_error_on_either_side_is_an_error_cell() -> None:
    [result] = CompareBackend(Fixed("offline", "allowed"), Fixed("aws", "error")).evaluate([CELL])
    assert judge(CELL, result) is Outcome.ERROR
    assert result.error == "aws: boom"


def test_metadata_keeps_both_backends_apart() -> None:
    backend = CompareBackend(Fixed("offline", "allowed"), Fixed("aws", "allowed"))
    backend.evaluate([CELL])
    meta = backend.metadata()
    assert meta["offline_calls"] == meta["aws_calls"] == 1
    assert meta["backend"] == "compare"


def test_the_engine_agrees_with_the_simulator_endpoint_on_custom_policies(endpoint: LocalIamEndpoint) -> None:
    subject = custom(identity_policy(allow("s3:*"), deny("s3:DeleteObject")))
    cells = grid(subject, ["s3:GetObject", "s3:DeleteObject", "ec2:DescribeInstances"], [f"{BUCKET}/k"])
    results = CompareBackend(OfflineBackend(), aws_backend(endpoint.url)).evaluate(cells)
    assert [r.decision for r in results] == ["allowed", "explicitDeny", "implicitDeny"]
    assert not any(r.disagreement for r in results)


def test_principal_mode_offline_without_an_account_model_is_an_error_cell(
    endpoint: LocalIamEndpoint, alice: str
) -> None:
    [result] = CompareBackend(OfflineBackend(), aws_backend(endpoint.url)).evaluate(
        [cell(principal(alice), "s3:GetObject", f"{BUCKET}/k")]
    )
    assert result.is_error
    assert (result.error or "").startswith("offline:")


def test_create_backend_builds_both_sides() -> None:
    backend = create_backend(BackendOptions(aws_region="eu-west-3"))
    assert isinstance(backend.offline, OfflineBackend)
    assert backend.aws.options.region == "eu-west-3"


# -- what the simulator did with SCPs, read from its answer -----------------------------------

SCP_DENIED = dict(scp_levels=((identity_policy(allow("*"), deny("s3:GetObject"), name="scp"),),))


class Answering:
    """A backend that answers every cell with one prepared result."""

    def __init__(self, name: str, decision: str, warnings: tuple[str, ...] = ()) -> None:
        self.name, self.decision, self.warnings = name, decision, warnings

    def evaluate(self, cells: Sequence[Cell]) -> list[CellResult]:
        return [CellResult(c.id, self.name, self.decision, warnings=self.warnings) for c in cells]

    def metadata(self) -> dict[str, object]:
        return {"backend": self.name}


def _scp_cell(expected: Expectation) -> Cell:
    return cell(custom(identity_policy(allow("s3:*"))), "s3:GetObject", f"{BUCKET}/k", expected, **SCP_DENIED)


def test_an_scp_deny_reported_as_implicit_is_a_known_gap_not_a_disagreement() -> None:
    backend = CompareBackend(
        Answering("offline", "explicitDeny"), Answering("aws", "implicitDeny", (ORGS_DENIED,))
    )
    [result] = backend.evaluate([_scp_cell(Expectation.DENIED)])
    assert judge(_scp_cell(Expectation.DENIED), result) is Outcome.PASSED
    assert any(w.startswith(f"known simulator gap: {SCP_DENY_AS_IMPLICIT}") for w in result.warnings)
    assert backend.metadata()["known_simulator_gaps"] == 1 and backend.metadata()["disagreements"] == 0


def test_a_known_gap_never_changes_the_outcome() -> None:
    backend = CompareBackend(
        Answering("offline", "explicitDeny"), Answering("aws", "implicitDeny", (ORGS_DENIED,))
    )
    [result] = backend.evaluate([_scp_cell(Expectation.EXPLICIT_DENY)])
    assert judge(_scp_cell(Expectation.EXPLICIT_DENY), result) is Outcome.FAILED
    assert SCP_DENY_AS_IMPLICIT in (result.disagreement or "")


def test_an_answer_of_the_old_shape_with_scp_conditions_names_the_gap_and_still_fails() -> None:
    backend = CompareBackend(
        Answering("offline", "implicitDeny"), Answering("aws", "allowed", (PRE_2026_SCP_CONDITIONS,))
    )
    [result] = backend.evaluate([_scp_cell(Expectation.ALLOWED)])
    assert judge(_scp_cell(Expectation.ALLOWED), result) is Outcome.FAILED
    assert "a known simulator gap" in (result.disagreement or "")


def test_an_scp_deny_answered_the_2026_way_agrees_with_the_engine(endpoint: LocalIamEndpoint) -> None:
    backend = CompareBackend(OfflineBackend(), aws_backend(endpoint.url))
    [result] = backend.evaluate([_scp_cell(Expectation.EXPLICIT_DENY)])
    assert result.decision == "explicitDeny" and not result.disagreement
    assert not any("known simulator gap" in w for w in result.warnings)
    assert backend.metadata()["known_simulator_gaps"] == 0


def test_an_scp_deny_answered_the_old_way_is_read_the_old_way(endpoint: LocalIamEndpoint) -> None:
    endpoint.reset(style=SimulatorStyle.PRE_2026)
    backend = CompareBackend(OfflineBackend(), aws_backend(endpoint.url))
    [result] = backend.evaluate([_scp_cell(Expectation.DENIED)])
    assert result.decision == "implicitDeny" and not result.disagreement
    assert any(SCP_DENY_AS_IMPLICIT in w for w in result.warnings)
    assert backend.metadata()["known_simulator_gaps"] == 1
