"""The decisions on a resolution and on its amendments on the bare driver
(:class:`workflow.writing.Writing`), without the ORM: ``amendment accept|reject``, a
member's own ``object`` and ``withdraw``.

Each does what its service on the ORM does (:func:`workflow.review.amendments.decide_amendment`,
:func:`workflow.review.approval.object_`, :func:`workflow.delivery.outcomes.withdraw`), in
the same order, with the same refusals and the same event: the gate asked through
:meth:`Writing.allow` (the facts the lifecycle loads, the decision taken once), the state a
transition leads to written by :meth:`Writing.move` under the row-version check, every
changed row bound to the event (:class:`workflow.store.writes.Writer`). An objection typed
for someone else needs their word (a signed statement, a letter), which the ORM's service
checks: :func:`object_` then writes nothing and returns None, as
:func:`workflow.writing.approve` does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from workflow import clock
from workflow.errors import InvalidInput, NotFound, WorkflowError
from workflow.rows import AmendmentRow, ApprovalResult, StepResult

if TYPE_CHECKING:
    from workflow.writing import Writing

__all__ = ["decide_amendment", "object_", "withdraw"]


def decide_amendment(w: Writing, ref: str, number: int, accept: bool) -> AmendmentRow:
    """:func:`workflow.review.amendments.decide_amendment`."""
    with w.transaction() as writer:
        row = w.reader.resolution(ref)
        action = "amendment accept" if accept else "amendment reject"
        actor = w.acting_member()
        decision = w.allow(action, row, actor)
        w.open_round(row, action)
        amendment = w.reads.one("SELECT * FROM amendments WHERE resolution_id = ? AND "
                                "number = ?", (row.id, number))
        if amendment is None:
            raise NotFound(f"{row.symbol} has no amendment {number}; see 'resolutions "
                           f"amendments {row.symbol}'")
        if amendment.status == "applied":
            raise WorkflowError(f"amendment {number} was applied in version "
                                f"{amendment.applied_version}; it can no longer change")
        changed = {"status": "accepted" if accept else "rejected", "decided_by": actor.id}
        writer.update("amendments", changed, {"id": amendment.id})
        amendment.update(changed)
        w.act(decision, row)
        writer.record(actor=actor.id, action="amendment-decide", resolution=row,
                      detail={"amendment": number, "status": changed["status"]})
        return AmendmentRow.of(amendment, {str(amendment.target_id): str(amendment.target_ref)})


def object_(w: Writing, ref: str, by: str | None, note: str) -> ApprovalResult | None:
    """:func:`workflow.review.approval.object_` for a member's own objection with no
    statement or evidence; None (nothing written) when it is typed for someone else."""
    if not note.strip():
        raise WorkflowError("say why (--note): an objection goes back to the drafters")
    with w.transaction() as writer:
        row = w.reader.resolution(ref)
        actor = w.acting_member()
        member = w.member(by) if by else actor
        decision = w.allow("object", row, actor, member)
        typed_by = actor if by and actor.id != member.id else w.operator()
        if typed_by.id != member.id:
            return None  # nothing written yet: the block ends an empty transaction
        version = w.reader.version(row)
        for standing in w.reads.all(
                "SELECT id FROM approvals WHERE resolution_id = ? AND version_number = ? "
                "AND void = ? AND decision = 'approved' ORDER BY at", (
                    row.id, row.current_version, False)):
            writer.update("approvals", {"void": True}, {"id": standing.id})
        writer.insert("approvals", {
            "resolution_id": row.id, "version_number": row.current_version,
            "content_hash": version.content_hash, "member_id": member.id,
            "decision": "objected", "note": note.strip(), "void": False, "statement": None,
            "at": clock.now()})
        state = w.move(decision, row, actor=w.actor(), detail={
            "member": member.id, "note": note.strip(), "version": int(row.current_version),
            "typed_by": typed_by.id})
        return ApprovalResult(str(row.symbol), member.id, "objected", state,
                              "back to revision; approvals voided")


def withdraw(w: Writing, ref: str, reason: str) -> StepResult:
    """:func:`workflow.delivery.outcomes.withdraw`."""
    if not reason.strip():
        raise InvalidInput("say why (--reason)")
    with w.transaction():
        row = w.reader.resolution(ref)
        actor = w.acting_member()
        state = w.move(w.allow("withdraw", row, actor), row, actor=actor.id,
                       detail={"reason": reason.strip()})
        return StepResult(str(row.symbol), state)
