"""Moving a resolution: ask the machine, fire it, update the row under an optimistic
version check, and write the audit event — all in the caller's one transaction.

A refusal comes from the table: a state that does not allow the trigger
(:class:`IllegalTransition`), a role guard (:class:`PermissionDenied`, audited as refused)
or another requirement (:class:`Blocked`, naming each failing guard and its remedy)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import update
from sqlmodel import Session

from workflow import clock
from workflow.errors import ConcurrencyError, PermissionDenied, WorkflowError
from workflow.lifecycle.machine import (
    ACTIONS,
    TRANSITIONS,
    FactSource,
    Handle,
    State,
    blockers,
    command_of,
    explain,
    illegal,
    machine_for,
    steps_for,
)
from workflow.store import audit, facts
from workflow.store.models import ResolutionRow

__all__ = ["move", "touch", "fire", "check", "check_action", "Blocked", "blockers"]


def touch(session: Session, row: ResolutionRow, *, seen: int | None = None,
          **values: Any) -> None:
    """Update the row only if nobody changed it since ``seen`` (its row_version)."""
    expected = row.row_version if seen is None else seen
    values = {**values, "row_version": expected + 1, "updated_at": clock.now()}
    result = session.exec(  # type: ignore[call-overload]
        update(ResolutionRow)
        .where(ResolutionRow.id == row.id, ResolutionRow.row_version == expected)
        .values(**values)
    )
    if result.rowcount != 1:
        raise ConcurrencyError(row.symbol)
    for key, value in values.items():
        setattr(row, key, value)
    facts.touched(session, row)


class Blocked(WorkflowError):
    """A step the state allows but a requirement of the table refuses."""

    error_code = "blocked"

    def __init__(self, symbol: str, command: str, reasons: list[str]) -> None:
        self.symbol, self.command, self.reasons = symbol, command, reasons
        super().__init__(f"{symbol}: cannot {command} yet: " + "; ".join(reasons))


def _refuse(row: ResolutionRow, trigger: str, failed: list[str], reasons: list[str]) -> None:
    if not failed:
        return
    if failed[0] == "role_allowed":
        exc = PermissionDenied(reasons[0])
        exc.resolution_id = row.id  # type: ignore[attr-defined]
        exc.command = command_of(trigger)  # type: ignore[attr-defined]
        raise exc
    raise Blocked(row.symbol, command_of(trigger), reasons)


def _role_first(row: ResolutionRow, trigger: str,
                facts: FactSource | Mapping[str, bool] | None) -> None:
    """A member who may never take the step hears that first, whatever the state."""
    rows = [s for s in TRANSITIONS if s.trigger == trigger]
    if rows and facts is not None and not isinstance(facts, Mapping) \
            and not facts.holds("role_allowed", rows[0]):
        _refuse(row, trigger, ["role_allowed"], [explain(facts, "role_allowed", rows[0],
                                                          row.symbol)])


def check(row: ResolutionRow, trigger: str,
          facts: FactSource | Mapping[str, bool] | None) -> None:
    """Refuse now, before any work, what ``move`` would refuse (nothing is written)."""
    _role_first(row, trigger, facts)
    if not steps_for(row.state, trigger):
        raise illegal(row.symbol, row.state, command_of(trigger))
    _refuse(row, trigger, *blockers(row.state, trigger, facts, row.symbol))


def check_action(row: ResolutionRow | None, action: str, member_roles: set[str],
                 member_id: str) -> None:
    """The role and state rule of a step that changes no state (``ACTIONS``)."""
    states, roles = ACTIONS[action]
    if row is not None and states is not None and State(row.state) not in states:
        raise illegal(row.symbol, row.state, action)
    if not member_roles & set(roles):
        exc = PermissionDenied(
            f"{member_id} may not {action}: it takes the {' or '.join(roles)} role "
            f"({member_id} has {', '.join(sorted(member_roles)) or 'none'})")
        exc.resolution_id = row.id if row is not None else None  # type: ignore[attr-defined]
        exc.command = action  # type: ignore[attr-defined]
        raise exc


def fire(row: ResolutionRow, trigger: str,
         facts: FactSource | Mapping[str, bool] | None = None) -> str:
    """The state after ``trigger``, fired through the machine; refuses as ``check`` does."""
    _role_first(row, trigger, facts)
    if not steps_for(row.state, trigger):
        raise illegal(row.symbol, row.state, command_of(trigger))
    handle = Handle(row.state, facts)
    machine_for(handle)
    if handle.trigger(trigger):  # type: ignore[attr-defined]
        return State(handle.state).value
    _refuse(row, trigger, *blockers(row.state, trigger, facts, row.symbol))
    raise illegal(row.symbol, row.state, command_of(trigger))  # no row matched, none failed


def move(session: Session, row: ResolutionRow, trigger: str, *, actor: str,
         facts: FactSource | Mapping[str, bool] | None = None,
         detail: Mapping[str, Any] | None = None,
         action: str | None = None, seen: int | None = None) -> str:
    """Fire ``trigger``; persist the new state and its audit event. Returns the new state."""
    new_state = fire(row, trigger, facts)
    old_state = str(row.state)
    touch(session, row, seen=seen, state=new_state)
    audit.record(session, actor=actor, action=action or trigger, resolution=row,
                 detail={**(detail or {}), "from": old_state, "state": new_state})
    return new_state
