"""Errors of the workflow: each is a refusal by the domain (exit code 1) with a message
that names the thing and says what to do next."""

from __future__ import annotations

__all__ = [
    "WorkflowError",
    "NotFound",
    "IllegalTransition",
    "ConcurrencyError",
    "PermissionDenied",
    "WorkspaceError",
    "InvalidInput",
]


class WorkflowError(Exception):
    """A refusal by the domain; the CLI prints the message and exits 1."""

    exit_code = 1


class WorkspaceError(WorkflowError):
    """No workspace found, or its configuration cannot be read."""


class NotFound(WorkflowError):
    """A resolution, member, comment or amendment that does not exist."""


class InvalidInput(WorkflowError):
    """Input the domain cannot accept (bad value, wrong file). ``line``: where in the
    source text the problem is, when it is known."""

    line: int | None = None


class IllegalTransition(WorkflowError):
    """A trigger that the current state does not allow."""

    def __init__(self, symbol: str, state: str, trigger: str, allowed: list[str]) -> None:
        self.symbol, self.state, self.trigger, self.allowed = symbol, state, trigger, allowed
        steps = ", ".join(allowed) if allowed else "none"
        super().__init__(
            f"{symbol} is {state}: '{trigger}' is not allowed now (allowed: {steps})"
        )


class ConcurrencyError(WorkflowError):
    """The resolution changed between reading and writing."""

    def __init__(self, symbol: str) -> None:
        super().__init__(f"{symbol} was changed by someone else meanwhile; re-run the command")


class PermissionDenied(WorkflowError):
    """The acting member lacks the role for a step."""
