"""Amendments as records, and closing a review round.

``close_review(changes=True)`` applies the accepted amendments to the circulated text to
make the next version; two accepted amendments touching the same paragraph (or one inside
the other) are a conflict, reported and refused so nothing half-applied is stored.
"""

from __future__ import annotations

import json

from sqlalchemy import func
from sqlmodel import Session, col, select

from drafts.model import Resolution
from workflow import clock
from workflow.app import App
from workflow.drafting.resolutions import _after_version, parse_source
from workflow.errors import InvalidInput
from workflow.lifecycle.steps import act, allow, move, touch
from workflow.review import applying
from workflow.review.checks import amendment_detail, amendment_target, amendment_texts
from workflow.review.rounds import (
    AmendmentRow,
    RoundResult,
    _model,
    _open_round,
    _speaker,
)
from workflow.store import audit
from workflow.store.models import Amendment, ResolutionRow, Version, key_of

__all__ = ["amend", "list_amendments", "decide_amendment", "close_review"]


def _row(a: Amendment, current_refs: dict[str, str]) -> AmendmentRow:
    return AmendmentRow.of(a, current_refs)


def amend(app: App, ref: str, *, by: str | None, target: str, op: str,
          texts: dict[str, str], why: str) -> AmendmentRow:
    texts = amendment_texts(op, texts)
    with app.write() as session:
        row = app.resolution(session, ref)
        member, decision = _speaker(app, session, by, "amend", row)
        rnd = _open_round(session, row, "amend")
        model = _model(session, app.version(session, row, rnd.version_number))
        pid, resolved = amendment_target(model, row.symbol, target, texts)
        number = int(session.exec(select(func.max(Amendment.number))
                                  .where(Amendment.resolution_id == row.id)).one() or 0) + 1
        amendment = Amendment(resolution_id=key_of(row), number=number, round_id=key_of(rnd),
                              version_number=rnd.version_number, author=member.id,
                              target_id=pid, target_ref=resolved, op=op,
                              texts_json=json.dumps(texts, ensure_ascii=False, sort_keys=True),
                              why=why.strip(), created_at=clock.now())
        session.add(amendment)
        act(session, decision, row, touch=True)
        audit.record(session, actor=app.actor(session), action="amend", resolution=row,
                     detail=amendment_detail(by=member.id, number=number, target=resolved,
                                             paragraph=pid, op=op, texts=texts))
        return _row(amendment, {pid: resolved})


def list_amendments(app: App, ref: str) -> tuple[str, list[AmendmentRow]]:
    from drafts.numbering import refs

    with app.read() as session:
        row = app.resolution(session, ref)
        current = refs(_model(session, app.version(session, row)))
        items = session.exec(select(Amendment).where(Amendment.resolution_id == row.id)
                             .order_by(col(Amendment.number)))
        return row.symbol, [_row(a, current) for a in items]


def decide_amendment(app: App, ref: str, number: int, accept: bool) -> AmendmentRow:
    with app.write() as session:
        row = app.resolution(session, ref)
        action = "amendment accept" if accept else "amendment reject"
        actor = app.acting_member(session)
        decision = allow(app, session, action, row=row, actor=actor)
        _open_round(session, row, action)
        amendment = applying.decidable(row.symbol, number, session.exec(
            select(Amendment).where(Amendment.resolution_id == row.id,
                                    Amendment.number == number)).first())
        amendment.status = "accepted" if accept else "rejected"
        amendment.decided_by = actor.id
        session.add(amendment)
        act(session, decision, row, touch=True)
        audit.record(session, actor=actor.id, action="amendment-decide", resolution=row,
                     detail={"amendment": number, "status": amendment.status})
        return _row(amendment, {amendment.target_id: amendment.target_ref})


def close_review(app: App, ref: str, *, changes: bool, force: bool = False,
                 reason: str = "") -> RoundResult:
    """Close the open round. Every comment needs a disposition first, unless ``force`` with
    a ``reason`` (recorded in the log)."""
    if force and not reason.strip():
        raise InvalidInput("say why the round closes with comments undecided (--reason)")
    trigger = "close_review_changes" if changes else "close_review_no_objection"
    with app.write() as session:
        row = app.resolution(session, ref)
        actor = app.acting_member(session)
        decision = allow(app, session, trigger, row=row, actor=actor, force=force)
        rnd = _open_round(session, row, "close-review")
        accepted = list(session.exec(select(Amendment).where(
            Amendment.resolution_id == row.id, Amendment.round_id == rnd.id,
            Amendment.status == "accepted").order_by(col(Amendment.number))))
        forced = {"forced": True, "reason": reason.strip()} if force else {}
        new_version = None
        rnd.closed_at, rnd.outcome = clock.now(), "changes" if changes else "no-objection"
        session.add(rnd)
        if changes:
            move(session, row, decision, actor=actor.id,
                 detail={"round": rnd.number, "amendments": [a.number for a in accepted],
                         **forced})
            if accepted:
                circulated = _model(session, app.version(session, row, rnd.version_number))
                applying.refuse_conflicts(circulated, accepted)
                new_version = _store_applied(app, session, row, actor.id, circulated, accepted)
        else:
            move(session, row, decision, actor=actor.id,
                 detail={"round": rnd.number, **forced})
        return RoundResult(row.symbol, rnd.number, rnd.version_number, row.state,
                           rnd.reviewers.split(","), [], new_version)


def _store_applied(app: App, session: Session, row: ResolutionRow, actor: str,
                   circulated: Resolution, accepted: list[Amendment]) -> int:
    from drafts.source import dump

    current = _model(session, app.version(session, row))
    model = applying.apply(current, accepted)
    source = dump(model)
    model, source = parse_source(source, "amended", symbol=row.symbol)
    number = row.current_version + 1
    touch(session, row, current_version=number)
    session.add(Version(resolution_id=key_of(row), number=number, source=source,
                        content_hash=model.content_hash(), author=actor,
                        note=applying.applied_note(accepted),
                        created_at=clock.now()))
    for a in accepted:
        a.status, a.applied_version = "applied", number
        session.add(a)
    audit.record(session, actor=actor, action="apply-amendments", resolution=row,
                 detail={"version": number, "content_hash": model.content_hash(),
                         "amendments": [a.number for a in accepted], "state": row.state})
    _after_version(session, row, current, model)
    return number
