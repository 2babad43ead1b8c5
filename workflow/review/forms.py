"""Importing a returned comment form: the reviewer's rows become comments of the open round.

The form must be ours (``drafts.comment_form`` checks the package and the hidden ids), must
be the form of the round's version and must show it came from its reviewer
(``workflow.review.returned``); every row is checked (type, paragraph ref) before any
comment is stored, so a refused form stores nothing. Rows already imported (same
reviewer, round, paragraph, type and text) are not recorded twice.
"""

from __future__ import annotations

from pathlib import Path

from sqlmodel import Session, select

from drafts.comment_form import MAX_PACKAGE_BYTES, CommentForm, FormError, read_comment_form
from drafts.comment_form import CommentRow as FormRow
from drafts.errors import RefError
from drafts.model import Resolution
from workflow.app import App
from workflow.errors import InvalidInput
from workflow.review.returned import FormRefused, Reply, issued_or_own_login, provenance
from workflow.review.rounds import CommentRow, _open_round, add_comment
from workflow.store.models import Comment, Member, ResolutionRow, ReviewRound, Version
from workflow.store.texts import load_version
from workflow.store.tokens import token_matches

__all__ = ["import_comment_form", "FormRefused", "read_returned", "bounded", "mailbox"]



def read_returned(path: Path, limit: int = MAX_PACKAGE_BYTES,
                  what: str = "a comment form") -> bytes:
    """A file a reviewer returned, refused whole when it is far larger than ``what``."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise InvalidInput(f"{path}: no such file") from None
    if not path.is_file():
        raise InvalidInput(f"{path} is not a file")
    if size > limit:
        raise FormRefused(f"{path.name}: the file is {size // (1024 * 1024)} MB, far larger "
                          f"than {what}; nothing was imported")
    return path.read_bytes()


def bounded(name: str, data: bytes, limit: int = MAX_PACKAGE_BYTES,
             what: str = "a comment form") -> bytes:
    if len(data) > limit:
        raise FormRefused(f"{name}: the file is {len(data) // (1024 * 1024)} MB, far larger "
                          f"than {what}; nothing was imported")
    return data


def mailbox(session: Session, member_id: str) -> str:
    """The address a reviewer's copies are bound to (their registered e-mail)."""
    member = session.get(Member, member_id)
    return member.email if member is not None else ""


def _target(model: Resolution, row: FormRow) -> tuple[str, str]:
    """(the ref as given, the ref as resolved in the circulated version)."""
    from drafts.numbering import ref as ref_of
    from drafts.numbering import resolve

    text = " ".join(row.ref.split())
    if text.lower() in ("", "-", "general", "title", "общее", "总体", "一般"):
        return "general", "General"
    try:
        return text, ref_of(resolve(model, text), model)
    except RefError as exc:
        raise FormRefused(f"row {row.row} of the comment table (Ref {text!r}): {exc}") from None


def _issued_to(app: App, session: Session, name: str, row: ResolutionRow, rnd: ReviewRound,
               version: Version, form: CommentForm) -> None:
    """Refused unless the form is this round's, issued to one of its reviewers."""
    reviewers = [r for r in rnd.reviewers.split(",") if r]
    if not form.reviewer:
        raise FormRefused(f"{name}: the form names no reviewer; ask the secretariat "
                          "for the reviewer's own form — nothing was imported")
    if form.reviewer not in reviewers:
        raise FormRefused(f"{name} is the form of {form.reviewer}, who is not a "
                          f"reviewer of round {rnd.number} ({', '.join(reviewers)}) — "
                          "nothing was imported")
    reviewer = form.reviewer
    if form.ids.get("round") != str(rnd.number) or not issued_or_own_login(
            app, session, row, reviewer, name, lambda: token_matches(
                app.workspace, form.ids.get("token", ""), symbol=row.symbol,
                round_no=rnd.number, content_hash=version.content_hash, reviewer=reviewer,
                mailbox=mailbox(session, reviewer))):
        raise FormRefused(f"{name} was not issued to {form.reviewer} for round "
                          f"{rnd.number} of {row.symbol} (its reviewer or round was changed,"
                          " or it comes from another workspace); ask the secretariat for "
                          "the reviewer's own form — nothing was imported")


def _targets(name: str, model: Resolution, form: CommentForm
             ) -> list[tuple[tuple[str, str], FormRow]]:
    """Each row's paragraph; every problem at once, numbered, and nothing stored."""
    targets, problems = [], []
    for form_row in form.rows:
        try:
            targets.append((_target(model, form_row), form_row))
        except FormRefused as exc:
            problems.append(str(exc))
    if problems:
        listing = "\n".join(f"  {n}. {p}" for n, p in enumerate(problems, 1))
        raise FormRefused(f"{name}: {len(problems)} problem(s); correct them and "
                          f"import the form again — nothing was imported:\n{listing}")
    return targets


def import_comment_form(app: App, ref: str, path: Path, *, statement: bytes | None = None,
                        reply: Reply | None = None, data: bytes | None = None,
                        name: str | None = None) -> list[CommentRow]:
    """Record the comments of a returned form as the reviewer's (``source="form"``), when
    it shows it came from them (``workflow.review.returned``): ``reply``, the message it
    came back in (then ``data`` and ``name`` are the attachment's), or ``statement``, the
    reviewer's signature over the file."""
    path = Path(path)
    name = name or path.name
    data = read_returned(path) if data is None else bounded(name, data)
    with app.read() as session:
        row = app.resolution(session, ref)
        rnd = _open_round(session, row, "comments import")
        version = app.version(session, row, rnd.version_number)
        expect = {"symbol": row.symbol, "version": str(version.number),
                  "content_hash": version.content_hash}
        try:
            form = read_comment_form(data, expect=expect)
        except FormError as exc:
            raise FormRefused(f"{name}: {exc} — nothing was imported") from None
        _issued_to(app, session, name, row, rnd, version, form)
        came = provenance(app, session, row, rnd, form.reviewer, name, data, reply=reply,
                          statement=statement)
        targets = _targets(name, load_version(session, version), form)
        seen = {(c.author, c.ref, c.type, c.text, c.proposal) for c in session.exec(
            select(Comment).where(Comment.resolution_id == row.id,
                                  Comment.round_id == rnd.id))}
    out: list[CommentRow] = []
    for (target, resolved), form_row in targets:
        text = (form_row.comment or form_row.proposal).strip()
        proposal = form_row.proposal.strip() if form_row.comment else ""
        key = (form.reviewer, resolved, form_row.type, text, proposal)
        if key in seen:
            continue
        seen.add(key)
        out.append(add_comment(app, row.symbol, by=form.reviewer, target=target,
                               type_=form_row.type, text=text, proposal=proposal,
                               source="form", came=came))
    return out
