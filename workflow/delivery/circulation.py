"""Circulation as the secretary experiences it: open the round, then deliver each
reviewer's own copy (when delivery is available in this workspace)."""

from __future__ import annotations

import datetime as _dt
from dataclasses import replace

from workflow.app import App
from workflow.delivery.review_copies import deliver_review_copies
from workflow.review.rounds import RoundResult, circulate
from workflow.signing.anchors import auto_anchor

__all__ = ["circulate_and_deliver"]


def circulate_and_deliver(app: App, ref: str, reviewers: list[str],
                          due: _dt.date | None) -> RoundResult:
    result = circulate(app, ref, reviewers, due)
    lines = deliver_review_copies(app, result.symbol, result.round)
    made, why = auto_anchor(app)
    if made is not None:
        lines.append(f"audit head {made.seq} anchored at {made.at.isoformat()} ({made.tsa_url})")
    return replace(result, deliveries=lines,
                   warnings=[*result.warnings, *([f"not anchored: {why}"] if why else [])])
