"""Approval: each approver approves or objects; the workspace rule decides when the
resolution is approved (``all``, ``majority``, ``each-delegation``). Approvals attach to
one version: any text change voids them."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from workflow import clock
from workflow.app import App
from workflow.errors import WorkflowError
from workflow.lifecycle.approvals import current_approvals, rule_progress
from workflow.lifecycle.facts import Facts
from workflow.lifecycle.steps import check, move
from workflow.signing.statements import sign_statement
from workflow.store.models import Approval, Member, ResolutionRow

__all__ = ["approve", "object_", "ApprovalResult"]


@dataclass(frozen=True)
class ApprovalResult:
    symbol: str
    member: str
    decision: str
    state: str
    progress: str
    signed_statement: bool = False


def _approver(app: App, session: Session, by: str | None, row: ResolutionRow,
              what: str) -> tuple[Member, Facts]:
    """The member deciding, and the facts the machine's guards read for them."""
    actor = app.acting_member(session)
    member = app.member(session, by) if by else actor
    facts = Facts(app, session, row, member)
    check(row, what, facts)
    if member.id != actor.id and app.actor_id and "secretary" not in actor.role_set():
        app.require(session, "secretary", f"{what} on behalf of {member.id}", row)
    return member, facts


def approve(app: App, ref: str, by: str | None, note: str = "",
            statement_signer: object | None = None) -> ApprovalResult:
    with app.write() as session:
        row = app.resolution(session, ref)
        member, facts = _approver(app, session, by, row, "approve")
        version = app.version(session, row)
        statement = None
        if statement_signer is not None:

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

        move(session, row, "approve", actor=app.actor(session), detail=move_detail,
             facts=Facts(app, session, row, member, recorded=True))
        _, progress = rule_progress(session, row, app.workspace.approval_rule)
        return ApprovalResult(row.symbol, member.id, "approved", row.state, progress,
                              statement is not None)


def object_(app: App, ref: str, by: str | None, note: str) -> ApprovalResult:
    if not note.strip():
        raise WorkflowError("say why (--note): an objection goes back to the drafters")
    with app.write() as session:
        row = app.resolution(session, ref)
        member, facts = _approver(app, session, by, row, "object")
        version = app.version(session, row)
        for approval in current_approvals(session, row):
            approval.void = True
            session.add(approval)
        session.add(Approval(resolution_id=row.id, version_number=row.current_version,
                             content_hash=version.content_hash, member_id=member.id,
                             decision="objected", note=note.strip(), at=clock.now()))

        move(session, row, "object", actor=app.actor(session), facts=facts,
             detail={"member": member.id, "note": note.strip(), "version": row.current_version})
        return ApprovalResult(row.symbol, member.id, "objected", row.state,
                              "back to revision; approvals voided")
