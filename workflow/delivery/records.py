"""Submission rows: the package sent to a body and the body's answers (every receipt is
kept, in order; the submission's own columns hold the latest)."""

from __future__ import annotations

from sqlmodel import Session, col, select

from workflow import clock
from workflow.store.chain import iso
from workflow.store.models import Receipt, ResolutionRow, Submission, key_of

__all__ = ["latest_submission", "record_receipt", "receipts_of"]


def latest_submission(session: Session, row: ResolutionRow) -> Submission | None:
    return session.exec(select(Submission).where(Submission.resolution_id == row.id)
                        .order_by(Submission.id.desc())).first()  # type: ignore[union-attr]


def record_receipt(session: Session, row: ResolutionRow, reference: str, outcome: str,
                   note: str, recorded_by: str = "") -> None:
    submission = latest_submission(session, row)
    if submission is None:
        return
    now = clock.now()
    submission.receipt_ref, submission.outcome, submission.note = reference, outcome, note
    submission.received_at = now
    session.add(submission)
    session.flush()
    session.add(Receipt(submission_id=key_of(submission), reference=reference, outcome=outcome,
                        note=note, recorded_by=recorded_by, received_at=now))


def receipts_of(session: Session, resolution_id: int | None
                ) -> dict[int, list[dict[str, object]]]:
    """Every receipt of the resolution's submissions, oldest first, by submission id."""
    found: dict[int, list[dict[str, object]]] = {}
    query = (select(Receipt).join(Submission, Submission.id == Receipt.submission_id)  # type: ignore[arg-type]
             .where(Submission.resolution_id == resolution_id).order_by(col(Receipt.id)))
    for r in session.exec(query):
        found.setdefault(r.submission_id, []).append({
            "reference": r.reference, "outcome": r.outcome, "note": r.note,
            "recorded_by": r.recorded_by, "received_at": iso(r.received_at)})
    return found
