"""Approval: each approver approves or objects; the workspace rule decides when the
resolution is approved (``all``, ``majority``, ``each-delegation``). Approvals attach to
one version: any text change voids them."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sqlmodel import Session

from workflow import clock
from workflow.app import App
from workflow.errors import WorkflowError
from workflow.lifecycle.gate import Decision
from workflow.lifecycle.records import current_approvals
from workflow.lifecycle.steps import allow, move
from workflow.rows import ApprovalResult, approval_detail
from workflow.signing.behalf import Evidence, evidence_for
from workflow.signing.statements import sign_statement
from workflow.store.models import Approval, Member, ResolutionRow, key_of

if TYPE_CHECKING:
    from signatures.signer import Signer

__all__ = ["approve", "may_approve", "object_", "ApprovalResult"]


def _approver(app: App, session: Session, by: str | None, row: ResolutionRow,
              what: str) -> tuple[Member, Member, Decision]:
    """(the member deciding, who typed it, the gate's decision)."""
    actor = app.acting_member(session)
    member = app.member(session, by, active=True) if by else actor
    decision = allow(app, session, what, row=row, actor=actor, subject=member)
    # `--by X` typed by someone else: they typed it; otherwise the operator did (on SQLite
    # `--as X` only says for whom)
    typed_by = actor if by and actor.id != member.id else app.operator(session)
    return member, typed_by, decision


def _on_behalf(evidence: Evidence | None, member: Member, typed_by: Member) -> dict[str, object]:
    out: dict[str, object] = {"typed_by": typed_by.id}
    if member.id != typed_by.id:
        out["on_behalf_of"] = member.id
    if evidence is not None:
        out.update(evidence.detail())
    return out


def may_approve(app: App, ref: str, by: str | None) -> None:
    """Refuse now what ``approve`` would refuse before a key is opened (the state, the
    role, the rule's guards), so nobody types a passphrase for a step that cannot happen."""
    with app.write() as session:
        _approver(app, session, by, app.resolution(session, ref), "approve")


def approve(app: App, ref: str, by: str | None, note: str = "",
            statement_signer: Signer | None = None, *, signed_statement: bytes | None = None,
            evidence: Path | None = None) -> ApprovalResult:
    """Record an approval. For another member than the one typing, their word is needed:
    a statement signed with their key (in place, or ``signed_statement``) or ``evidence``."""
    with app.write() as session:
        row = app.resolution(session, ref)
        member, typed_by, decision = _approver(app, session, by, row, "approve")
        version = app.version(session, row)
        own = None
        if statement_signer is not None:
            from workflow.signing.trust import crl_blobs

            own = sign_statement(statement_signer, row.symbol, row.current_version,
                                 version.content_hash, member.id, "approved",
                                 crls=crl_blobs(app))  # revocation data travels with it
        proof = evidence_for(app, session, row, member, "approve", typed_by=typed_by,
                             signed_statement=signed_statement, document=evidence,
                             own_statement=own)
        statement = proof.statement if proof is not None else own
        session.add(Approval(resolution_id=key_of(row), version_number=row.current_version,
                             content_hash=version.content_hash, member_id=member.id,
                             decision="approved", note=note, statement=statement,
                             at=clock.now()))
        session.flush()
        move_detail = {**approval_detail(member.id, row.current_version, version.content_hash,
                                         app.workspace.approval_rule, statement is not None),
                       **_on_behalf(proof, member, typed_by)}

        move(session, row, decision, actor=app.actor(session), detail=move_detail)
        progress = decision.answers["approval_rule_met"][1]
        return ApprovalResult(row.symbol, member.id, "approved", row.state, progress,
                              statement is not None)


def object_(app: App, ref: str, by: str | None, note: str, *,
            signed_statement: bytes | None = None, evidence: Path | None = None
            ) -> ApprovalResult:
    if not note.strip():
        raise WorkflowError("say why (--note): an objection goes back to the drafters")
    with app.write() as session:
        row = app.resolution(session, ref)
        member, typed_by, decision = _approver(app, session, by, row, "object")
        version = app.version(session, row)
        proof = evidence_for(app, session, row, member, "object", typed_by=typed_by,
                             signed_statement=signed_statement, document=evidence)
        for approval in current_approvals(session, row):
            approval.void = True
            session.add(approval)
        session.add(Approval(resolution_id=key_of(row), version_number=row.current_version,
                             content_hash=version.content_hash, member_id=member.id,
                             decision="objected", note=note.strip(),
                             statement=proof.statement if proof is not None else None,
                             at=clock.now()))

        move(session, row, decision, actor=app.actor(session),
             detail={"member": member.id, "note": note.strip(), "version": row.current_version,
                     **_on_behalf(proof, member, typed_by)})
        return ApprovalResult(row.symbol, member.id, "objected", row.state,
                              "back to revision; approvals voided")
