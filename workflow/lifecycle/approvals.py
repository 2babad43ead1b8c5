"""The approval rule as facts: who may approve, who has, and whether the workspace's rule
(all, majority, each delegation) is met — the guard of the ``approve`` transition."""

from __future__ import annotations

from sqlmodel import Session, select

from workflow.lifecycle.rules import approval_outcome
from workflow.store.models import Approval, Member, ResolutionRow

__all__ = ["approvers", "current_approvals", "rule_progress"]


def approvers(session: Session) -> list[Member]:
    return [m for m in session.exec(select(Member).order_by(Member.id))
            if "approver" in m.role_set()]


def current_approvals(session: Session, row: ResolutionRow) -> list[Approval]:
    return list(session.exec(select(Approval).where(
        Approval.resolution_id == row.id, Approval.version_number == row.current_version,
        Approval.void == False, Approval.decision == "approved")  # noqa: E712
        .order_by(Approval.at)))


def rule_progress(session: Session, row: ResolutionRow, rule: str,
                  extra: Member | None = None) -> tuple[bool, str]:
    """(met, what is still missing) for the approval rule, counting ``extra`` as approved."""
    pool = [(m.id, m.delegation) for m in approvers(session)]
    done = {a.member_id for a in current_approvals(session, row)}
    if extra is not None:
        done.add(extra.id)
    return approval_outcome(pool, done, rule)
