"""Errors the engine raises, named as the IAM API names them."""

from __future__ import annotations


class SimulationError(Exception):
    """Base class; `code` is the AWS error code the simulator would return."""

    code = "InvalidInput"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidInput(SimulationError):
    code = "InvalidInput"


class MalformedPolicyDocument(SimulationError):
    """A policy that cannot be parsed; never half-evaluated.

    `policy_id`, `statement` (0-based index or None) and `element` say where.
    """

    code = "MalformedPolicyDocument"

    def __init__(
        self,
        message: str,
        *,
        policy_id: str = "",
        statement: int | None = None,
        element: str | None = None,
    ) -> None:
        # The bare message, so a caller that adds the location again does not repeat it.
        self.detail = message
        self.policy_id = policy_id
        self.statement = statement
        self.element = element
        located = self.within_policy
        if policy_id:
            located = f"{policy_id} {located}" if located != message else f"{policy_id}: {message}"
        super().__init__(located)

    @property
    def within_policy(self) -> str:
        """`Statement[0] Effect: message`: where in the document, for callers that name the document."""
        where = " ".join(
            part
            for part in (f"Statement[{self.statement}]" if self.statement is not None else "", self.element)
            if part
        )
        return f"{where}: {self.detail}" if where else self.detail


class NoSuchEntity(SimulationError):
    code = "NoSuchEntity"
