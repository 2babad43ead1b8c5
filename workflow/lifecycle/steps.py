"""Moving a resolution: fire the machine, update the row under an optimistic version
check, and write the audit event — all in the caller's one transaction."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import update
from sqlmodel import Session

from workflow import clock
from workflow.errors import ConcurrencyError
from workflow.lifecycle.machine import fire
from workflow.store import audit
from workflow.store.models import ResolutionRow

__all__ = ["move", "touch"]


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


def move(session: Session, row: ResolutionRow, trigger: str, *, actor: str,
         facts: Mapping[str, bool] | None = None, detail: Mapping[str, Any] | None = None,
         action: str | None = None, seen: int | None = None) -> str:
    """Fire ``trigger``; persist the new state and its audit event. Returns the new state."""
    new_state = fire(row.symbol, row.state, trigger, facts)
    old_state = row.state
    touch(session, row, seen=seen, state=new_state)
    audit.record(session, actor=actor, action=action or trigger, resolution=row,
                 detail={**(detail or {}), "from": old_state, "state": new_state})
    return new_state
