"""What a resolution is waiting for, on the ORM: the guard facts of
:class:`workflow.lifecycle.facts.Facts` put together by
:func:`workflow.lifecycle.overview.assemble` (the ``status`` command reads the same facts
on the bare driver, :func:`workflow.lifecycle.overview.status`)."""

from __future__ import annotations

from sqlmodel import Session, select

from workflow.app import App
from workflow.lifecycle.approvals import current_approvals
from workflow.lifecycle.facts import Facts, open_round
from workflow.lifecycle.overview import Status, assemble
from workflow.states import State
from workflow.store.models import Member, Message, ResolutionRow, ReviewRound
from workflow.store.outbox_ids import copies_not_queued

__all__ = ["status", "Status", "unqueued_copies"]


def status(app: App, ref: str) -> Status:
    with app.read() as session:
        row = app.resolution(session, ref)
        facts = Facts(app, session, row, for_status=True)
        tsa = app.workspace.config.get("signatures", {}).get("timestamp_url")
        rnd = open_round(session, row)
        return assemble(row.symbol, row.state, row.current_version, facts, rnd,
                        lambda: [a.member_id for a in current_approvals(session, row)], tsa,
                        unqueued_copies(session, row, rnd))


def unqueued_copies(session: Session, row: ResolutionRow, rnd: ReviewRound | None
                    ) -> list[str] | None:
    """The reviewers of the open round (with an e-mail address) whose copy is not queued:
    what an interrupted ``circulate`` left to do."""
    if rnd is None or row.state != State.in_review:
        return None
    mailed = {m.id for m in session.exec(select(Member)) if m.email}
    queued = session.exec(select(Message.message_id).where(
        Message.resolution_id == row.id, Message.kind == "review-copy"))
    return copies_not_queued(row.symbol, rnd.number,
                             [r for r in rnd.reviewers.split(",") if r in mailed], queued)
