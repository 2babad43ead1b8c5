"""Review copies to reviewers: one message per reviewer and round, carrying the reviewer's
own review copy (PDF, their name in the watermark) and their comment form (DOCX).

The message's Message-ID is derived from (symbol, round, reviewer), so delivering a round
again finds the message already queued and writes nothing new. With SMTP configured the
round's messages are sent once the round is committed.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, select

from drafts.errors import DraftError
from drafts.model import Resolution
from workflow import progress
from workflow.app import App
from workflow.crashpoints import crashpoint
from workflow.delivery.outbox import (
    Attachment,
    compose,
    message_id,
    queue,
    send,
    sender,
    smtp_settings,
)
from workflow.documents.rendering import output_name, prerender, render_bytes
from workflow.errors import NotFound, WorkflowError
from workflow.store.models import Member, Message, ResolutionRow, ReviewRound
from workflow.store.outbox_ids import review_seed
from workflow.store.texts import load_version
from workflow.store.witness import HEADER, WITNESS_LINE, head_text

__all__ = ["deliver_review_copies", "reviewer_languages", "ReviewDelivery"]

@dataclass(frozen=True)
class ReviewDelivery:
    reviewer: str
    recipient: str
    languages: list[str]
    message: int | None
    status: str
    note: str = ""

    def line(self) -> str:
        langs = ",".join(self.languages)
        if self.message is None:
            return f"{self.reviewer}: not delivered — {self.note}"
        extra = f" — {self.note}" if self.note else ""
        return f"{self.reviewer} <{self.recipient}>: review copy ({langs}) {self.status}{extra}"


def reviewer_languages(member: Member, languages: list[str]) -> list[str]:
    """The reviewer's own language when the resolution has it, else its languages."""
    if member.lang in languages:
        return [member.lang]
    return languages[:3]


def _round(session: Session, row: ResolutionRow, number: int) -> ReviewRound:
    rnd = session.exec(select(ReviewRound).where(ReviewRound.resolution_id == row.id,
                                                 ReviewRound.number == number)).first()
    if rnd is None:
        raise NotFound(f"{row.symbol} has no review round {number}")
    return rnd


def _letter_lang(member: Member, languages: list[str]) -> str:
    """The language of the message: the member's own (every language the documents are
    written in has the message too, see templates/words/)."""
    from drafts.languages import REGISTRY

    if member.lang in REGISTRY:
        return member.lang
    return next((lang for lang in languages if lang in REGISTRY), "en")


def _one(app: App, session: Session, row: ResolutionRow, rnd: ReviewRound,
         member: Member) -> ReviewDelivery:
    version = app.version(session, row, rnd.version_number)
    model = load_version(session, version)
    langs = reviewer_languages(member, list(model.languages))
    if not member.email:
        return ReviewDelivery(member.id, "", langs, None, "skipped",
                              f"{member.id} has no e-mail address (add one with 'resolutions "
                              f"member add … --email'), render the copy with 'resolutions render "
                              f"{row.symbol} --stage review --reviewer {member.id}'")
    from_addr = sender(app, session)
    msg_id = message_id(review_seed(row.symbol, rnd.number, member.id), from_addr.domain)
    existing = session.exec(select(Message).where(Message.message_id == msg_id)).first()
    if existing is not None:
        return ReviewDelivery(member.id, existing.recipient, langs, existing.id,
                              existing.status, "already in the outbox")
    attachments = []
    for stage, fmt, mime in (("review", "pdf", "application/pdf"),
                             ("comment-form", "docx", "application/vnd.openxmlformats-"
                              "officedocument.wordprocessingml.document")):
        rendered = render_bytes(app, session, row, stage=stage, fmt=fmt,
                                version=rnd.version_number, languages=langs, reviewer=member)
        data = rendered.data if rendered.data is not None else rendered.path.read_bytes()  # type: ignore[union-attr]
        attachments.append(Attachment(
            output_name(row, rnd.version_number, stage, fmt, langs, member), data, mime))
    from templates.labels import section

    lang = _letter_lang(member, langs)
    mail = section("mail", lang)
    due = mail["review_due"].format(due=rnd.due.isoformat()) if rnd.due else ""
    history = _history(app, session, row, rnd, member, model, lang)
    facts = {"name": member.name, "symbol": row.symbol, "round": rnd.number,
             "version": rnd.version_number,
             "title": model.title.get(lang) or next(iter(model.title.values()), ""),
             "due": due, "history": f"\n\n{history}" if history else "", "group": app.workspace.group_names.get(lang, app.workspace.name)}
    witness = head_text(session)
    msg = compose(sender_address=from_addr, to_name=member.name, to_addr=member.email,
                  subject=mail["review_subject"].format(**facts),
                  text=mail["review_text"].format(**facts) + f"\n\n{WITNESS_LINE} {witness}\n",
                  attachments=attachments, msg_id=msg_id,
                  headers={"X-Resolutions-Symbol": row.symbol,
                           "X-Resolutions-Round": str(rnd.number),
                           "X-Resolutions-Reviewer": member.id, HEADER: witness})
    stored = queue(app, session, msg, kind="review-copy", resolution_id=row.id)
    return ReviewDelivery(member.id, stored.recipient, langs, stored.id, "queued")


def _history(app: App, session: Session, row: ResolutionRow, rnd: ReviewRound, member: Member,
             model: Resolution, lang: str) -> str:
    """What changed since the version this reviewer last saw, and their comments' fate."""
    from drafts.diff import compare
    from workflow.documents.history import last_seen, summary, their_comments

    seen = last_seen(session, row, member.id, rnd)
    changed = 0
    if seen is not None:
        older = load_version(session, app.version(session, row, seen.version))
        changed = len(compare(older, model))
    return summary(lang, seen, changed, their_comments(session, row, member.id, rnd))


def _prerender_copies(app: App, symbol: str, round_no: int, reviewer_id: str) -> None:
    """Render the reviewer's copy and form outside the write transaction (cache warm-up)."""

    with app.read() as session:
        row = app.resolution(session, symbol)
        rnd = _round(session, row, round_no)
        member = app.member(session, reviewer_id)
        model = load_version(session, app.version(session, row, rnd.version_number))
        langs = reviewer_languages(member, list(model.languages))
    prerender(app, symbol, [dict(stage=stage, fmt=fmt, version=rnd.version_number,
                                 languages=langs, reviewer=member)
                            for stage, fmt in (("review", "pdf"), ("comment-form", "docx"))])


def deliver_review_copies(app: App, symbol: str, round_no: int,
                          reviewers: list[str] | None = None) -> list[str]:
    """Queue (and, with SMTP configured, send) each reviewer's copy (``reviewers``: only
    these); one line per reviewer. Each copy is queued in a transaction of its own, so what
    an interruption leaves undone is the round's reviewers without a queued message —
    ``status`` names them and ``circulate --resume`` queues them."""
    with app.read() as session:
        row = app.resolution(session, symbol)
        reviewers = reviewers if reviewers is not None else [
            rid for rid in _round(session, row, round_no).reviewers.split(",") if rid]
    deliveries = []
    for n, rid in enumerate(reviewers, start=1):  # one transaction each: a failure spares the rest
        progress.advance("review copies", n - 1, len(reviewers))
        try:
            _prerender_copies(app, symbol, round_no, rid)
            with app.write() as session:
                row = app.resolution(session, symbol)
                deliveries.append(_one(app, session, row, _round(session, row, round_no),
                                       app.member(session, rid)))
            crashpoint("circulate.after-copy")
        except (WorkflowError, DraftError, OSError, ValueError) as exc:
            # the round is open and stays open: say so, and what this reviewer did not get
            deliveries.append(ReviewDelivery(
                rid, "", [], None, "failed",
                f"round {round_no} is open, but no copy was queued for {rid}: {exc}; "
                f"'resolutions circulate {symbol} --resume' tries again"))
    progress.advance("review copies", len(reviewers), len(reviewers))
    fresh = [d.message for d in deliveries if d.message is not None and d.status == "queued"]
    if fresh and smtp_settings(app) is not None:
        outcome = {r.id: r for r in send(app, ids=fresh)}
        deliveries = [d if d.message not in outcome else ReviewDelivery(
            d.reviewer, d.recipient, d.languages, d.message, outcome[d.message].status,
            outcome[d.message].error + ("; 'resolutions outbox retry' sends it again"
                                        if outcome[d.message].error else ""))
            for d in deliveries]
    elif fresh:
        deliveries = [d if d.status != "queued" else ReviewDelivery(
            d.reviewer, d.recipient, d.languages, d.message, d.status,
            f"in {app.workspace.outbox_dir} (no SMTP configured)") for d in deliveries]
    return [d.line() for d in deliveries]
