"""The approval rule as facts: who may approve, who has, and whether the workspace's rule
(all, majority, each delegation) is met — the guard of the ``approve`` transition."""

from __future__ import annotations

from sqlmodel import Session, select

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
    pool = approvers(session)
    done = {a.member_id for a in current_approvals(session, row)}
    if extra is not None:
        done.add(extra.id)
    if not pool:
        return False, "no member has the approver role"
    if rule == "all":
        missing = [m.id for m in pool if m.id not in done]
        return not missing, ("waiting for " + ", ".join(missing)) if missing else "all approved"
    if rule == "majority":
        need = len(pool) // 2 + 1
        have = len([m for m in pool if m.id in done])
        return have >= need, (f"{have} of {need} approvals needed for a majority of {len(pool)}")
    delegations = sorted({m.delegation or "?" for m in pool})
    covered = {m.delegation or "?" for m in pool if m.id in done}
    missing = [d for d in delegations if d not in covered]
    return (not missing,
            ("waiting for the " + ", ".join(missing) + " delegation" + ("s" if len(missing) > 1 else ""))
            if missing else "every delegation approved")
