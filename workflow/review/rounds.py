"""Review rounds: circulate a version, collect ISO-style comments and amendments, record
the secretariat's dispositions, and close the round (with changes → the next version
with accepted amendments applied; with no objection → towards approval)."""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field

from sqlalchemy import func
from sqlmodel import Session, col, select

from drafts.model import Resolution
from workflow import clock
from workflow.app import App
from workflow.errors import InvalidInput, NotFound
from workflow.lifecycle.gate import Decision
from workflow.lifecycle.machine import illegal
from workflow.lifecycle.parity import findings
from workflow.lifecycle.records import open_round
from workflow.lifecycle.steps import act, allow, move
from workflow.review.checks import (
    AMENDMENT_OPS,
    COMMENT_TYPES,
    DISPOSITIONS,
    comment_detail,
    comment_input,
    dispose_detail,
    disposition_input,
)
from workflow.review.checks import resolve as _resolve
from workflow.review.returned import Provenance
from workflow.rows import AmendmentRow, CommentRow
from workflow.store import audit
from workflow.store.models import Comment, Member, ResolutionRow, ReviewRound, Version, key_of
from workflow.store.texts import load_version

__all__ = ["circulate", "add_comment", "comment_matrix", "dispose", "CommentRow",
           "AmendmentRow", "RoundResult", "COMMENT_TYPES", "DISPOSITIONS",
           "AMENDMENT_OPS"]



@dataclass(frozen=True)
class RoundResult:
    symbol: str
    round: int
    version: int
    state: str
    reviewers: list[str]
    warnings: list[str] = field(default_factory=list)
    new_version: int | None = None
    deliveries: list[str] = field(default_factory=list)




def _model(session: Session, version: Version) -> Resolution:
    return load_version(session, version)


def _open_round(session: Session, row: ResolutionRow, what: str) -> ReviewRound:
    """The open review round (the gate has decided the state allows ``what``)."""
    rnd = open_round(session, row)
    if rnd is None:
        raise illegal(row.symbol, row.state, what)
    return rnd


def _speaker(app: App, session: Session, by: str | None, action: str,
             row: ResolutionRow) -> tuple[Member, Decision]:
    """The member speaking (``--by``, default the actor) and the gate's decision: the role
    table, the round's reviewers for comments, the secretary to record for another."""
    actor = app.acting_member(session)
    member = app.member(session, by, active=True) if by else actor
    return member, allow(app, session, action, row=row, actor=actor, subject=member)


def circulate(app: App, ref: str, reviewers: list[str], due: _dt.date | None = None) -> RoundResult:
    if not reviewers:
        raise InvalidInput("name at least one reviewer (--reviewer ID)")
    with app.write() as session:
        row = app.resolution(session, ref)
        actor = app.acting_member(session)
        decision = allow(app, session, "circulate", row=row, actor=actor)
        for member_id in reviewers:
            member = session.get(Member, member_id)
            if member is None:
                raise NotFound(f"no member {member_id!r}; see 'resolutions member list'")
            if member.active is False:
                raise InvalidInput(f"{member_id} was removed from the working group; choose "
                                   "another reviewer (see 'resolutions member list')")
            if "reviewer" not in member.role_set():
                held = sorted(member.role_set())
                raise InvalidInput(
                    f"{member_id} is not a reviewer (roles: {', '.join(held) or 'none'}); give "
                    f"them the role with 'resolutions member edit {member_id} --roles "
                    f"{','.join(sorted({*held, 'reviewer'}))}' or choose another member")
        if due is not None and due < clock.today():
            raise InvalidInput(f"--due {due} is in the past")
        number = int(session.exec(select(func.count()).select_from(ReviewRound)
                                  .where(ReviewRound.resolution_id == row.id)).one()) + 1
        version = app.version(session, row)
        move(session, row, decision, actor=actor.id,
             detail={"round": number, "version": row.current_version,
                     "content_hash": version.content_hash, "reviewers": reviewers,
                     "due": due.isoformat() if due else None})
        session.add(ReviewRound(resolution_id=key_of(row), number=number,
                                version_number=row.current_version,
                                reviewers=",".join(reviewers), due=due, opened_at=clock.now()))
        warnings = _parity_warnings(session, row, _model(session, version))
        return RoundResult(row.symbol, number, row.current_version, row.state, reviewers, warnings)


def _parity_warnings(session: Session, row: ResolutionRow, model: Resolution) -> list[str]:
    """One line per finding that stands (waived ones left out): reference, languages and
    rule once, the message without its reference, the severity last."""
    out = []
    for f in findings(session, row, model):
        detail = f.message[len(f.ref) + 2:] if f.message.startswith(f"{f.ref}: ") else f.message
        out.append(f"{f.ref} [{', '.join(f.languages)}] {f.rule} ({f.severity}): {detail}")
    return list(dict.fromkeys(out))


def add_comment(app: App, ref: str, *, by: str | None, target: str, type_: str, text: str,
                proposal: str = "", source: str = "cli", lang: str = "", quote: str = "",
                anchor: str = "", came: Provenance | None = None) -> CommentRow:
    """Record one comment. ``came``: why a returned form's comment is its reviewer's
    (``workflow.review.returned``), named in the event with who typed the import."""
    type_ = comment_input(type_, text)
    with app.write() as session:
        row = app.resolution(session, ref)
        member, decision = _speaker(app, session, by, "comment", row)
        rnd = _open_round(session, row, "comment")
        model = _model(session, app.version(session, row, rnd.version_number))
        pid, resolved = _resolve(model, target)
        number = int(session.exec(select(func.max(Comment.number))
                                  .where(Comment.resolution_id == row.id)).one() or 0) + 1
        comment = Comment(resolution_id=key_of(row), number=number, round_id=key_of(rnd),
                          version_number=rnd.version_number, paragraph_id=pid, ref=resolved,
                          author=member.id, type=type_, text=text.strip(),
                          proposal=proposal.strip(), source=source, created_at=clock.now(),
                          lang=lang, quote=quote, anchor=anchor)
        session.add(comment)
        act(session, decision, row, touch=True)
        actor = app.actor(session)
        audit.record(session, actor=actor, action="comment", resolution=row,
                     detail=comment_detail(
                         by=member.id, number=number, ref=resolved, paragraph=pid, type_=type_,
                         source=source, text=comment.text, proposal=comment.proposal,
                         came=came.event_detail(member.id, actor) if came else None,
                         lang=lang, anchor=anchor, quote=quote))
        return _comment_row(comment, {pid: resolved}, rnd.number)


def _comment_row(c: Comment, current_refs: dict[str, str], round_no: int) -> CommentRow:
    return CommentRow.of(c, current_refs, round_no)


def comment_matrix(app: App, ref: str) -> tuple[str, int, list[CommentRow]]:
    """All comments, each shown with its ref in the current version (orphans flagged)."""
    from drafts.numbering import refs

    with app.read() as session:
        row = app.resolution(session, ref)
        current = refs(_model(session, app.version(session, row)))
        rounds = {r.id: r.number for r in session.exec(
            select(ReviewRound).where(ReviewRound.resolution_id == row.id))}
        comments = session.exec(select(Comment).where(Comment.resolution_id == row.id)
                                .order_by(col(Comment.number)))
        return row.symbol, row.current_version, [
            _comment_row(c, current, rounds.get(c.round_id, 0)) for c in comments]


def dispose(app: App, ref: str, number: int, decision: str, note: str) -> CommentRow:
    disposition_input(decision)
    from drafts.numbering import refs

    with app.write() as session:
        row = app.resolution(session, ref)
        actor = app.acting_member(session)
        ruling = allow(app, session, "dispose", row=row, actor=actor)
        comment = session.exec(select(Comment).where(Comment.resolution_id == row.id,
                                                     Comment.number == number)).first()
        if comment is None:
            raise NotFound(f"{row.symbol} has no comment {number}; see 'resolutions comments "
                           f"{row.symbol}'")
        comment.disposition, comment.note, comment.disposed_by = decision, note.strip(), actor.id
        session.add(comment)
        act(session, ruling, row, touch=True)
        audit.record(session, actor=actor.id, action="dispose", resolution=row,
                     detail=dispose_detail(number, decision, note))
        current = refs(_model(session, app.version(session, row)))
        rnd = session.get(ReviewRound, comment.round_id)
        return _comment_row(comment, current, rnd.number if rnd else 0)
