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
        where = policy_id
        if statement is not None:
            where += f" Statement[{statement}]"
        if element:
            where += f" {element}"
        super().__init__(f"{where.strip()}: {message}" if where.strip() else message)
        # The bare message, so a caller that adds the location again does not repeat it.
        self.detail = message
        self.policy_id = policy_id
        self.statement = statement
        self.element = element


class NoSuchEntity(SimulationError):
    code = "NoSuchEntity"
