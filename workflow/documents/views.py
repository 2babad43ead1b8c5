"""Building a document view from the database: the facts the templates need (body names,
stale paragraphs, signatories, approvals, comments, events), gathered in one place."""

from __future__ import annotations

import datetime as _dt
import json
from collections.abc import Sequence
from typing import TYPE_CHECKING

from sqlmodel import Session, col, select

from drafts.model import Resolution
from workflow.app import App
from workflow.drafting.translations import stale_map
from workflow.lifecycle.records import last_round, signatories
from workflow.store.models import Approval, AuditEvent, Comment, Member, ResolutionRow
from workflow.store.tokens import binding_token

if TYPE_CHECKING:  # the view classes are imported where they are made (templates is lazy)
    from templates.view import (
        ApprovalView,
        BodyView,
        CommentView,
        DocumentView,
        EventView,
        WaiverView,
    )

__all__ = ["document_view", "body_view", "member_names", "signatory_facts"]


def member_names(member: Member) -> dict[str, str]:
    return member.names_by_lang()


def body_view(app: App, code: str) -> BodyView:
    from templates.view import BodyView

    body = app.workspace.body(code)
    options = body.options
    style = str(options.get("style", ""))
    openers = str(options.get("ru_openers", "lower" if style == "un" else "as-written"))
    return BodyView(code=body.code, names=body.names, enacting=body.enacting,
                    address=body.address, dative=body.forms("dative"),
                    latin_names=bool(options.get("latin_names", False)),
                    ru_lower_openers=openers == "lower")


def _enclosures(extra: dict[str, str] | None):  # type: ignore[no-untyped-def]
    """A cover letter's enclosures from ``extra["_enclosures"]`` (JSON rows: file name,
    kind, the signers' names as the members wrote them, English description)."""
    from templates.people import EnclosureView

    raw = (extra or {}).get("_enclosures")
    if not raw:
        return ()
    return tuple(EnclosureView(name=name, kind=kind, people=tuple(names),
                               description=description)
                 for name, kind, names, description in json.loads(raw))


def _document_date(row: ResolutionRow, model: Resolution,
                   extra: dict[str, str] | None = None) -> _dt.date:
    """The resolution's date; a letter is dated the day it is sent (``extra["_date"]``)."""
    if extra and extra.get("_date"):
        return _dt.date.fromisoformat(extra["_date"])
    if model.date:
        return _dt.date.fromisoformat(model.date)
    return row.created_at.date()


def document_view(app: App, session: Session, row: ResolutionRow, version_number: int,
                  model: Resolution, *, stage: str, languages: Sequence[str] | None = None,
                  layout: str | None = None, reviewer: Member | None = None,
                  previous: tuple[int, Resolution] | None = None,
                  extra: dict[str, str] | None = None,
                  reviewer_comments: Sequence[tuple[int, Comment]] | None = None,
                  ) -> DocumentView:
    from templates.view import SignatoryView, build_view

    members = {m.id: m for m in session.exec(select(Member))}
    if reviewer is not None:  # a personal copy: bound to its reviewer and round
        rnd = last_round(session, row)
        if rnd is not None:
            token = binding_token(app.workspace, symbol=row.symbol, round_no=rnd.number,
                                  content_hash=model.content_hash(), reviewer=reviewer.id,
                                  mailbox=reviewer.email or "")
            extra = {**(extra or {}), "form_round": str(rnd.number), "form_token": token}
    stale = stale_map(session, row, model) if version_number == row.current_version else {}
    signers = [SignatoryView(member_id=m.id, names=member_names(m), organisation=m.org,
                             delegation=m.delegation, role="signatory")
               for m in signatories(session)] if stage in ("final", "certificate") else []
    approvals = _approvals(session, row, members) \
        if stage in ("approval", "certificate", "final", "index") else []
    comments = _comments(session, row, model, members, stage, reviewer_comments)
    waivers = _waiver_views(session, row, model) if stage in ("matrix", "index") else []
    events = _events(session, row) if stage in ("certificate", "audit-report", "index") else []
    people: dict[str, dict[str, str]] = {}
    if events:  # the event table names people (and the body) as they are written
        people = {m.id: member_names(m) for m in members.values()}
        body = app.workspace.body(model.body)
        people[body.code] = dict(body.names)
    return build_view(
        model, stage=stage, version=version_number, body=body_view(app, model.body),
        date=_document_date(row, model, extra), languages=languages, layout=layout,
        working_group=app.workspace.group_names,
        reviewer=reviewer.name if reviewer else "", reviewer_id=reviewer.id if reviewer else "",
        stale=stale, signatories=signers, approvals=approvals, comments=comments, events=events,
        waivers=waivers,
        enclosures=_enclosures(extra) if stage == "cover-letter" else (), people=people,
        previous=previous[1] if previous else None,
        previous_version=previous[0] if previous else None, extra=extra,
    )

def _approvals(session: Session, row: ResolutionRow, members: dict[str, Member]
               ) -> list[ApprovalView]:
    """The approvals and objections that stand, in order."""
    from templates.view import ApprovalView

    out = []
    for a in session.exec(select(Approval).where(Approval.resolution_id == row.id)
                          .order_by(col(Approval.at))):
        if a.void:
            continue
        who = members.get(a.member_id)
        out.append(ApprovalView(
            member_id=a.member_id, name=who.name if who else a.member_id,
            delegation=who.delegation if who else "", decision=a.decision,
            at=a.at.isoformat(), note=a.note, signed_statement="yes" if a.statement else ""))
    return out


def _comments(session: Session, row: ResolutionRow, model: Resolution,
              members: dict[str, Member], stage: str,
              reviewer_comments: Sequence[tuple[int, Comment]] | None) -> list[CommentView]:
    """Every comment (the matrix, the index), or a review copy's reviewer's own earlier
    ones with what became of them."""
    from drafts.numbering import refs

    if reviewer_comments:
        current = refs(model)
        return [_comment_view(c, members, current, round_no)
                for round_no, c in reviewer_comments]
    if stage not in ("matrix", "index"):
        return []
    current = refs(model)
    return [_comment_view(c, members, current) for c in session.exec(
        select(Comment).where(Comment.resolution_id == row.id).order_by(col(Comment.number)))]


def _events(session: Session, row: ResolutionRow) -> list[EventView]:
    from templates.view import EventView

    return [EventView(seq=e.seq, at=e.at.isoformat(), actor=e.actor, action=e.action,
                      detail=e.detail, hash=e.hash)
            for e in session.exec(select(AuditEvent).where(AuditEvent.resolution_id == row.id)
                                  .order_by(col(AuditEvent.seq)))]


def _waiver_views(session: Session, row: ResolutionRow, model: Resolution
                  ) -> list[WaiverView]:
    """Every finding set aside for the resolution, and whether each still holds."""
    from drafts.parity.waivers import unit_hashes
    from templates.view import WaiverView
    from workflow.store.models import Waiver

    found = list(session.exec(select(Waiver).where(Waiver.resolution_id == row.id)
                              .order_by(col(Waiver.id))))
    if not found:
        return []
    hashes = unit_hashes(model)
    return [WaiverView(finding=w.finding, ref=w.ref, rule=w.rule,
                       languages=tuple(x for x in w.languages.split(",") if x),
                       by=w.member_id, reason=w.reason, at=w.at.isoformat(),
                       version=w.version_number,
                       holds=hashes.get(w.paragraph_id) == w.texts_hash) for w in found]


def _comment_view(c: Comment, members: dict[str, Member], current: dict[str, str],
                  round_no: int = 0) -> CommentView:
    from templates.view import CommentView

    who = members.get(c.author)
    orphaned = bool(c.paragraph_id) and c.paragraph_id not in current
    return CommentView(
        id=str(c.number), ref="General" if not c.paragraph_id else current.get(c.paragraph_id, ""),
        original_ref=c.ref + (f", {c.lang}" if c.lang else ""),
        author=who.name if who else c.author,
        delegation=who.delegation if who else "", type=c.type,
        text=c.text if not c.quote or c.quote in c.text else f"“{c.quote}”: {c.text}",
        proposal=c.proposal, disposition=c.disposition, note=c.note, orphaned=orphaned,
        round=round_no)


def signatory_facts(session: Session) -> list[list[object]]:
    """What the signature page shows of each signatory (for the render cache key)."""

    return [[m.id, member_names(m), m.org, m.delegation] for m in signatories(session)]
