"""Submission rows: the package sent to a body and the body's answer."""

from __future__ import annotations

from sqlmodel import Session, select

from workflow import clock
from workflow.store.models import ResolutionRow, Submission

__all__ = ["latest_submission", "record_receipt"]


def latest_submission(session: Session, row: ResolutionRow) -> Submission | None:
    return session.exec(select(Submission).where(Submission.resolution_id == row.id)
                        .order_by(Submission.id.desc())).first()  # type: ignore[union-attr]


def record_receipt(session: Session, row: ResolutionRow, reference: str, outcome: str,
                   note: str) -> None:
    submission = latest_submission(session, row)
    if submission is None:
        return
    submission.receipt_ref, submission.outcome, submission.note = reference, outcome, note
    submission.received_at = clock.now()
    session.add(submission)
