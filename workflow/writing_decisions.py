"""The decisions on a resolution and on its amendments on the bare driver
(:class:`workflow.writing.Writing`), without the ORM: ``amendment accept|reject``,
``close-review``, a member's own ``object`` and ``withdraw``.

Each does what its service on the ORM does (:func:`workflow.review.amendments.decide_amendment`,
:func:`~workflow.review.amendments.close_review`, :func:`workflow.review.approval.object_`, :func:`workflow.delivery.outcomes.withdraw`), in
the same order, with the same refusals and the same event: the gate asked through
:meth:`Writing.allow` (the facts the lifecycle loads, the decision taken once), the state a
transition leads to written by :meth:`Writing.move` under the row-version check, every
changed row bound to the event (:class:`workflow.store.writes.Writer`). An objection typed
for someone else needs their word (a signed statement, a letter), which the ORM's service
checks: :func:`object_` then writes nothing and returns None, as
:func:`workflow.writing.approve` does. ``close-review --changes`` applies the accepted
amendments as the ORM's service does (:mod:`workflow.review.applying`) and stores the
version made of them as ``edit`` stores one (:mod:`workflow.writing_versions`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from workflow import clock
from workflow.errors import InvalidInput, WorkflowError
from workflow.review import applying
from workflow.rows import AmendmentRow, ApprovalResult, ClosedRound, StepResult

if TYPE_CHECKING:
    from workflow.store.reads import Record
    from workflow.writing import Writing

__all__ = ["decide_amendment", "close_review", "object_", "withdraw"]


def decide_amendment(w: Writing, ref: str, number: int, accept: bool) -> AmendmentRow:
    """:func:`workflow.review.amendments.decide_amendment`."""
    with w.transaction() as writer:
        row = w.reader.resolution(ref)
        action = "amendment accept" if accept else "amendment reject"
        actor = w.acting_member()
        decision = w.allow(action, row, actor)
        w.open_round(row, action)
        amendment = applying.decidable(row.symbol, number, w.reads.one(
            "SELECT * FROM amendments WHERE resolution_id = ? AND number = ?",
            (row.id, number)))
        changed = {"status": "accepted" if accept else "rejected", "decided_by": actor.id}
        writer.update("amendments", changed, {"id": amendment.id})
        amendment.update(changed)
        w.act(decision, row)
        writer.record(actor=actor.id, action="amendment-decide", resolution=row,
                      detail={"amendment": number, "status": changed["status"]})
        return AmendmentRow.of(amendment, {str(amendment.target_id): str(amendment.target_ref)})


def close_review(w: Writing, ref: str, *, changes: bool, force: bool = False,
                 reason: str = "") -> ClosedRound:
    """:func:`workflow.review.amendments.close_review`."""
    if force and not reason.strip():
        raise InvalidInput("say why the round closes with comments undecided (--reason)")
    trigger = "close_review_changes" if changes else "close_review_no_objection"
    with w.transaction() as writer:
        row = w.reader.resolution(ref)
        actor = w.acting_member()
        decision = w.allow(trigger, row, actor, force=force)
        rnd = w.open_round(row, "close-review")
        accepted = w.reads.all(
            "SELECT * FROM amendments WHERE resolution_id = ? AND round_id = ? AND "
            "status = 'accepted' ORDER BY number", (row.id, rnd.id))
        forced = {"forced": True, "reason": reason.strip()} if force else {}
        new_version = None
        writer.update("review_rounds", {
            "closed_at": clock.now(), "outcome": "changes" if changes else "no-objection"},
            {"id": rnd.id})
        if changes:
            w.move(decision, row, actor=actor.id, detail={
                "round": int(rnd.number), "amendments": [int(a.number) for a in accepted],
                **forced})
            if accepted:
                circulated = w.reader.model(row, w.reader.version(row, int(rnd.version_number)))
                applying.refuse_conflicts(circulated, accepted)
                new_version = _store_applied(w, row, actor.id, accepted)
        else:
            w.move(decision, row, actor=actor.id, detail={"round": int(rnd.number), **forced})
        return ClosedRound(str(row.symbol), int(rnd.number), int(rnd.version_number),
                           str(row.state), str(rnd.reviewers).split(","), [], new_version, [])


def _store_applied(w: Writing, row: Record, actor: str, accepted: list[Record]) -> int:
    """The version made of the accepted amendments (as the ORM's ``_store_applied``)."""
    from drafts.source import dump
    from workflow.drafting.versioning import parse_source
    from workflow.writing_versions import _after_version, _touch

    current = w.reader.model(row, w.reader.version(row))
    model, source = parse_source(dump(applying.apply(current, accepted)), "amended",
                                 symbol=str(row.symbol))
    number = int(row.current_version) + 1
    _touch(w, row, {"current_version": number})
    w.writer.insert("versions", {
        "resolution_id": row.id, "number": number, "source": source,
        "content_hash": model.content_hash(), "author": actor,
        "note": applying.applied_note(accepted), "created_at": clock.now()})
    for a in accepted:
        w.writer.update("amendments", {"status": "applied", "applied_version": number},
                        {"id": a.id})
    w.writer.record(actor=actor, action="apply-amendments", resolution=row, detail={
        "version": number, "content_hash": model.content_hash(),
        "amendments": [int(a.number) for a in accepted], "state": str(row.state)})
    _after_version(w, row, current, model, actor)
    return number


def object_(w: Writing, ref: str, by: str | None, note: str) -> ApprovalResult | None:
    """:func:`workflow.review.approval.object_` for a member's own objection with no
    statement or evidence; None (nothing written) when it is typed for someone else."""
    if not note.strip():
        raise WorkflowError("say why (--note): an objection goes back to the drafters")
    with w.transaction() as writer:
        own = w.own_word("object", ref, by)
        if own is None:
            return None  # nothing written yet: the block ends an empty transaction
        row, member, decision = own
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
            "typed_by": member.id})  # (who typed it: the member themselves)
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
