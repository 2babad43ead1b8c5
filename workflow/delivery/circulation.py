"""Circulation as the secretary experiences it: open the round, then deliver each
reviewer's own copy (when delivery is available in this workspace).

Opening the round is one transaction (the state change, the round and its reviewers); each
reviewer's copy is then queued in a transaction of its own. A circulation cut short — the
process killed, the database gone — leaves the round open with some copies unqueued: what
remains is exactly the round's reviewers without a queued review copy, which ``status``
names and :func:`resume` queues (``circulate REF --resume``).
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import replace

from workflow.app import App
from workflow.crashpoints import crashpoint
from workflow.delivery.review_copies import deliver_review_copies
from workflow.errors import InvalidInput
from workflow.lifecycle.facts import open_round
from workflow.lifecycle.machine import illegal
from workflow.lifecycle.status import unqueued_copies
from workflow.lifecycle.steps import check_action
from workflow.review.rounds import RoundResult, circulate
from workflow.signing.anchors import auto_anchor

__all__ = ["circulate_and_deliver", "resume"]


def circulate_and_deliver(app: App, ref: str, reviewers: list[str],
                          due: _dt.date | None) -> RoundResult:
    result = circulate(app, ref, reviewers, due)
    crashpoint("circulate.after-round")
    return _deliver(app, result, None)


def resume(app: App, ref: str) -> RoundResult:
    """Queue the review copies an interrupted ``circulate`` left unqueued."""
    with app.read() as session:
        row = app.resolution(session, ref)
        actor = app.acting_member(session)
        check_action(row, "circulate --resume", actor.role_set(), actor.id)
        rnd = open_round(session, row)
        if rnd is None:
            raise illegal(row.symbol, row.state, "circulate --resume")
        missing = unqueued_copies(session, row, rnd) or []
        if not missing:
            raise InvalidInput(f"every review copy of round {rnd.number} of {row.symbol} is "
                               "queued already; see 'resolutions outbox'")
        result = RoundResult(row.symbol, rnd.number, rnd.version_number, row.state,
                             [r for r in rnd.reviewers.split(",") if r])
    return _deliver(app, result, missing)


def _deliver(app: App, result: RoundResult, only: list[str] | None) -> RoundResult:
    lines = deliver_review_copies(app, result.symbol, result.round, only)
    made, why = auto_anchor(app)
    if made is not None:
        lines.append(f"audit head {made.seq} anchored at {made.at.isoformat()} ({made.tsa_url})")
    return replace(result, deliveries=lines,
                   warnings=[*result.warnings, *([f"not anchored: {why}"] if why else [])])
