"""The life cycle's records read on the ORM, for the services that act on them (voiding
approvals, listing signatories on a document, a round's reviewers on a review copy). The
gate never reads these: its facts come from :mod:`workflow.lifecycle.facts`."""

from __future__ import annotations

from sqlmodel import Session, col, select

from workflow.store.models import Approval, Member, ResolutionRow, ReviewRound, SignatureRecord

__all__ = ["last_round", "open_round", "signatories", "signed_members", "current_approvals"]


def last_round(session: Session, row: ResolutionRow) -> ReviewRound | None:
    """The resolution's latest review round, open or closed."""
    return session.exec(select(ReviewRound).where(ReviewRound.resolution_id == row.id)
                        .order_by(col(ReviewRound.number).desc())).first()


def open_round(session: Session, row: ResolutionRow) -> ReviewRound | None:
    rnd = last_round(session, row)
    return rnd if rnd is not None and rnd.closed_at is None else None


def signatories(session: Session) -> list[Member]:
    return [m for m in session.exec(select(Member).order_by(col(Member.id)))
            if "signatory" in m.role_set()]


def signed_members(session: Session, row: ResolutionRow) -> list[str]:
    rows = session.exec(select(SignatureRecord).where(
        SignatureRecord.resolution_id == row.id,
        SignatureRecord.version_number == row.current_version)
        .order_by(col(SignatureRecord.id)))
    return [r.member_id for r in rows]


def current_approvals(session: Session, row: ResolutionRow) -> list[Approval]:
    """The approvals of the current version that stand (neither void nor objections)."""
    return list(session.exec(select(Approval).where(
        Approval.resolution_id == row.id, Approval.version_number == row.current_version,
        col(Approval.void) == False, Approval.decision == "approved")  # noqa: E712
        .order_by(col(Approval.at))))
