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
from workflow.lifecycle.steps import allow
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
        facts = allow(app, session, "circulate --resume", row=row).facts
        assert facts is not None
        rnd = facts.open_round
        if rnd is None:
            raise InvalidInput(f"{row.symbol} has no open review round to finish")
        if not facts.unqueued_copies:
            raise InvalidInput(f"every review copy of round {rnd.number} of {row.symbol} is "
                               "queued already; see 'resolutions outbox'")
        result = RoundResult(row.symbol, rnd.number, rnd.version, row.state,
                             list(rnd.reviewers))
    return _deliver(app, result, list(facts.unqueued_copies))


def _deliver(app: App, result: RoundResult, only: list[str] | None) -> RoundResult:
    lines = deliver_review_copies(app, result.symbol, result.round, only)
    made, why = auto_anchor(app)
    if made is not None:
        lines.append(f"audit head {made.seq} anchored at {made.at.isoformat()} ({made.tsa_url})")
    return replace(result, deliveries=lines,
                   warnings=[*result.warnings, *([f"not anchored: {why}"] if why else [])])
