"""Approval: each approver approves or objects; the workspace rule decides when the
resolution is approved (``all``, ``majority``, ``each-delegation``). Approvals attach to
one version: any text change voids them."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, select

from workflow import clock
from workflow.app import App
from workflow.errors import IllegalTransition, WorkflowError
from workflow.machine import allowed_triggers
from workflow.models import Approval, Member, ResolutionRow

__all__ = ["approve", "object_", "rule_progress", "ApprovalResult", "current_approvals"]


@dataclass(frozen=True)
class ApprovalResult:
    symbol: str
    member: str
    decision: str
    state: str
    progress: str
    signed_statement: bool = False


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


def _approver(app: App, session: Session, by: str | None, row: ResolutionRow, what: str) -> Member:
    actor = app.acting_member(session)
    member = app.member(session, by) if by else actor
    app.require(session, "approver", what, row, member_id=member.id)
    if member.id != actor.id and app.actor_id and "secretary" not in actor.role_set():
        app.require(session, "secretary", f"{what} on behalf of {member.id}", row)
    return member


def approve(app: App, ref: str, by: str | None, note: str = "",
            statement_signer: object | None = None) -> ApprovalResult:
    from workflow.parity import require_clean
    from workflow.resolutions import load_version

    with app.write() as session:
        row = app.resolution(session, ref)
        if row.state != "for_approval":
            raise IllegalTransition(row.symbol, row.state, "approve", allowed_triggers(row.state))
        member = _approver(app, session, by, row, "approve")
        if any(a.member_id == member.id for a in current_approvals(session, row)):
            raise WorkflowError(f"{member.id} has already approved version "
                                f"{row.current_version} of {row.symbol}")
        version = app.version(session, row)
        require_clean(session, row, load_version(session, version), "approve")
        met, _ = rule_progress(session, row, app.workspace.approval_rule, extra=member)
        statement = None
        if statement_signer is not None:
            from workflow.statements import sign_statement

            statement = sign_statement(statement_signer, row.symbol, row.current_version,
                                       version.content_hash, member.id, "approved")
        session.add(Approval(resolution_id=row.id, version_number=row.current_version,
                             content_hash=version.content_hash, member_id=member.id,
                             decision="approved", note=note, statement=statement,
                             at=clock.now()))
        session.flush()
        move_detail = {"member": member.id, "version": row.current_version,
                       "content_hash": version.content_hash, "rule": app.workspace.approval_rule,
                       "signed_statement": statement is not None}
        from workflow.steps import move

        move(session, row, "approve", actor=app.actor(session), detail=move_detail,
             facts={"approval_rule_met": met})
        _, progress = rule_progress(session, row, app.workspace.approval_rule)
        return ApprovalResult(row.symbol, member.id, "approved", row.state, progress,
                              statement is not None)


def object_(app: App, ref: str, by: str | None, note: str) -> ApprovalResult:
    if not note.strip():
        raise WorkflowError("say why (--note): an objection goes back to the drafters")
    with app.write() as session:
        row = app.resolution(session, ref)
        if row.state != "for_approval":
            raise IllegalTransition(row.symbol, row.state, "object", allowed_triggers(row.state))
        member = _approver(app, session, by, row, "object")
        version = app.version(session, row)
        for approval in current_approvals(session, row):
            approval.void = True
            session.add(approval)
        session.add(Approval(resolution_id=row.id, version_number=row.current_version,
                             content_hash=version.content_hash, member_id=member.id,
                             decision="objected", note=note.strip(), at=clock.now()))
        from workflow.steps import move

        move(session, row, "object", actor=app.actor(session),
             detail={"member": member.id, "note": note.strip(), "version": row.current_version})
        return ApprovalResult(row.symbol, member.id, "objected", row.state,
                              "back to revision; approvals voided")
