"""The gate on the write path: the facts of a resolution read in the write transaction,
the decision asked (:func:`decide`, :func:`allow`), and what a decision permits done —
:func:`move` fires a transition (the row updated under an optimistic version check, the
audit event written in the same transaction), :func:`act` takes an act.

Both accept only a :class:`~workflow.lifecycle.gate.Decision` that allows the step, for
this resolution in the state it was decided in, once. :func:`touch` updates a resolution's
other columns and refuses its state: the state changes here, in :func:`move`, or not at all.
"""

from __future__ import annotations

import contextvars
from collections.abc import Mapping
from typing import TYPE_CHECKING

from sqlalchemy import update
from sqlmodel import Session, col

from workflow import clock
from workflow.errors import ConcurrencyError
from workflow.lifecycle.facts import ResolutionFacts, load, person, policy_of
from workflow.lifecycle.gate import Blocked, Decision, needs_parity, take
from workflow.lifecycle.gate import decide as gate_decide
from workflow.states import State
from workflow.store import audit, facts
from workflow.store.models import Member, ResolutionRow
from workflow.store.reads import Reads

if TYPE_CHECKING:
    from workflow.app import App

__all__ = ["move", "act", "touch", "decide", "allow", "facts_of", "Blocked",
           "needs_parity", "MOVING"]

#: the decision whose state :func:`move` is writing, while it writes it (what a check on
#: the database's statements can hold every state change against)
MOVING: contextvars.ContextVar[Decision | None] = contextvars.ContextVar("moving", default=None)


def facts_of(app: App, session: Session, row: ResolutionRow, *,
             parity: bool = False) -> ResolutionFacts:
    """The resolution's facts, read in ``session``'s transaction (what it wrote so far
    included) through the statements the read path runs."""
    if session.info.get("write"):
        session.flush()
    conn = session.connection().connection.dbapi_connection
    reads = Reads(conn, app.db.is_sqlite)
    return load(reads, row, policy_of(app.workspace.settings, row.body), parity=parity,
                state_dir=app.workspace.state_dir)


def decide(app: App, session: Session, name: str, *, row: ResolutionRow | None = None,
           actor: Member | None = None, subject: Member | None = None,
           force: bool = False) -> Decision:
    """The gate's decision on ``name`` for ``subject`` (default: who acts), taken by
    ``actor`` (default: the acting member), on ``row`` when the rule is about one."""
    actor = actor if actor is not None else app.acting_member(session)
    known = None if row is None else facts_of(app, session, row, parity=needs_parity(name))
    return gate_decide(name, known, person(actor),
                       person(subject) if subject is not None else None, force=force)


def allow(app: App, session: Session, name: str, *, row: ResolutionRow | None = None,
          actor: Member | None = None, subject: Member | None = None,
          force: bool = False) -> Decision:
    """:func:`decide`, refused unless allowed."""
    return decide(app, session, name, row=row, actor=actor, subject=subject,
                  force=force).require()


def _consume(session: Session, decision: Decision, row: ResolutionRow | None) -> None:
    used: set[int] = session.info.setdefault("decisions", set())
    take(decision, row.id if row is not None else None,
         str(State(row.state).value) if row is not None else None, used)
    session.info.setdefault("kept", []).append(decision)  # ids stay unique while kept


def touch(session: Session, row: ResolutionRow, *, seen: int | None = None,
          **values: object) -> None:
    """Update the row only if nobody changed it since ``seen`` (its row_version). The
    state is not among what it may set: only :func:`move` changes it."""
    if "state" in values:
        raise TypeError("a resolution's state changes only by move(decision)")
    _update(session, row, seen, values)


def _update(session: Session, row: ResolutionRow, seen: int | None,
            values: dict[str, object]) -> None:
    expected = row.row_version if seen is None else seen
    values = {**values, "row_version": expected + 1, "updated_at": clock.now()}
    result = session.exec(
        update(ResolutionRow)
        .where(col(ResolutionRow.id) == row.id, col(ResolutionRow.row_version) == expected)
        .values(**values)
    )
    if result.rowcount != 1:
        raise ConcurrencyError(row.symbol)
    for key, value in values.items():
        setattr(row, key, value)
    facts.touched(session, row)


def act(session: Session, decision: Decision, row: ResolutionRow | None = None, *,
        touch: bool = False) -> None:
    """Take the act ``decision`` allows (on ``row``, when it is about a resolution);
    ``touch``: update the row's version too, so that a concurrent writer notices."""
    if decision.rule.moves:
        raise TypeError(f"{decision.rule.name} is a transition: move(decision)")
    decision.require()
    _consume(session, decision, row)
    if row is not None and touch:
        _update(session, row, None, {})


def move(session: Session, row: ResolutionRow, decision: Decision, *, actor: str,
         detail: Mapping[str, object] | None = None, action: str | None = None,
         seen: int | None = None) -> State:
    """Fire the transition ``decision`` allows: persist the state it leads to and the audit
    event (``action``, default the trigger). Returns the new state."""
    decision.require()
    if not decision.rule.moves or decision.dest is None:
        raise TypeError(f"{decision.rule.name} changes no state: act(decision)")
    _consume(session, decision, row)
    old_state = str(row.state)
    new_state = decision.dest
    token = MOVING.set(decision)
    try:
        _update(session, row, seen, {"state": new_state.value})
    finally:
        MOVING.reset(token)
    audit.record(session, actor=actor, action=action or decision.rule.name, resolution=row,
                 detail={**(detail or {}), "from": old_state, "state": new_state.value})
    return new_state
