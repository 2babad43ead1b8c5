"""Errors of the workflow: each is a refusal by the domain (exit code 1) with a message
that names the thing and says what to do next, and a stable ``error_code`` that scripts
read from ``{"error": …}`` under --json (the codes are listed in docs/CLI.md)."""

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
    error_code = "refused"


class WorkspaceError(WorkflowError):
    """No workspace found, or its configuration cannot be read."""

    error_code = "workspace"


class NotFound(WorkflowError):
    """A resolution, member, comment or amendment that does not exist."""

    error_code = "not-found"


class InvalidInput(WorkflowError):
    """Input the domain cannot accept (bad value, wrong file). ``line``: where in the
    source text the problem is, when it is known."""

    line: int | None = None

    error_code = "invalid-input"


class IllegalTransition(WorkflowError):
    """A trigger that the current state does not allow."""

    error_code = "illegal-transition"

    def __init__(self, symbol: str, state: str, trigger: str, allowed: list[str]) -> None:
        self.symbol, self.state, self.trigger, self.allowed = symbol, state, trigger, allowed
        steps = ", ".join(allowed) if allowed else "none"
        super().__init__(
            f"{symbol} is {state}: '{trigger}' is not allowed now (allowed: {steps})"
        )


class ConcurrencyError(WorkflowError):
    """The resolution changed between reading and writing."""

    error_code = "conflict"

    def __init__(self, symbol: str, message: str | None = None) -> None:
        super().__init__(message or f"{symbol} was changed by someone else meanwhile; "
                                    "re-run the command")


class SecretWithheld(WorkflowError):
    """A secret of the secretariat (the binding or export-record key) that this member's
    database role may not read: what needs it is the secretariat's to do."""

    error_code = "permission-denied"


class PermissionDenied(WorkflowError):
    """The acting member may not take a step. ``resolution_id`` and ``command`` say what was
    refused, for the audit log's ``refused`` event."""

    error_code = "permission-denied"

    def __init__(self, message: str, *, resolution_id: int | None = None,
                 command: str = "") -> None:
        super().__init__(message)
        self.resolution_id, self.command = resolution_id, command
