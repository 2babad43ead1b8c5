"""After approval: the body's receipt, withdrawal and archiving."""

from __future__ import annotations

from workflow.app import App
from workflow.delivery.records import receipts_of, record_receipt
from workflow.errors import InvalidInput
from workflow.lifecycle.steps import allow, move
from workflow.rows import StepResult

__all__ = ["receipt", "receipts", "withdraw", "archive", "StepResult", "OUTCOMES"]

OUTCOMES = {"acknowledged": "acknowledge", "adopted": "adopt", "returned": "return",
            "rejected": "reject"}


def receipt(app: App, ref: str, *, reference: str, outcome: str, note: str = "") -> StepResult:
    """Record the body's answer; ``returned`` lets the drafters revise."""
    if outcome not in OUTCOMES:
        raise InvalidInput(f"--outcome must be one of {', '.join(OUTCOMES)}")
    if not reference.strip():
        raise InvalidInput("--ref is the body's reference for the answer; it cannot be empty")
    with app.write() as session:
        row = app.resolution(session, ref)
        actor = app.acting_member(session)
        decision = allow(app, session, OUTCOMES[outcome], row=row, actor=actor)
        move(session, row, decision, actor=actor.id, action="receipt",
             detail={"outcome": outcome, "reference": reference.strip(), "note": note.strip()})

        record_receipt(session, row, reference.strip(), outcome, note.strip(), actor.id)
        hint = " — edit the text to start a revision" if outcome == "returned" else ""
        return StepResult(row.symbol, row.state, f"{outcome}{hint}")


def receipts(app: App, ref: str) -> list[list[dict[str, object]]]:
    """Every answer to each submission of ``ref``, oldest first; one list per submission in
    the order they were made (the numbering of ``list_submissions``)."""
    from sqlmodel import select

    from workflow.store.models import Submission

    with app.read() as session:
        row = app.resolution(session, ref)
        found = receipts_of(session, row.id)
        ids = session.exec(select(Submission.id).where(Submission.resolution_id == row.id)
                           .order_by(Submission.id))  # type: ignore[arg-type]
        return [found.get(int(i), []) for i in ids if i is not None]


def withdraw(app: App, ref: str, reason: str) -> StepResult:
    if not reason.strip():
        raise InvalidInput("say why (--reason)")
    with app.write() as session:
        row = app.resolution(session, ref)
        actor = app.acting_member(session)
        move(session, row, allow(app, session, "withdraw", row=row, actor=actor),
             actor=actor.id, detail={"reason": reason.strip()})
        return StepResult(row.symbol, row.state)


def archive(app: App, ref: str) -> StepResult:
    with app.write() as session:
        row = app.resolution(session, ref)
        member = app.acting_member(session)
        move(session, row, allow(app, session, "archive", row=row, actor=member),
             actor=member.id)
        return StepResult(row.symbol, row.state)
