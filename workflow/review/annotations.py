"""Importing a review copy the reviewer annotated in their PDF reader.

The copy is personal: while rendering it, the renderer embedded a map of where each
paragraph (and each language column) landed on the page, with the copy's ids (resolution,
version, round, reviewer, binding token) and a seal only the workspace can make
(``workflow.store.tokens.seal``). A copy whose map is missing, edited, of another round or
version, or whose reviewer was rewritten, is refused with one line and nothing is stored.

Each annotation becomes one comment of the open round, by the copy's reviewer, anchored to
the paragraph and language its point lies in (outside every paragraph: a general comment),
with the text it marks. The type follows the convention of docs/REVIEWERS.md: a prefix
("te:", "ed:", "ge:", or the same words in Russian or Chinese), else the annotation's subject,
else ed for strike-outs and carets, ge outside the text, te for the rest. An annotation
already imported (same hash of page, kind, place, note, author) is not stored again.
Annotations that cannot be used are reported one by one, numbered, and the rest is stored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sqlmodel import Session, select

from drafts.annotated_pdf import (
    MAX_PDF_BYTES,
    AnnotatedCopy,
    AnnotatedPdfError,
    Annotation,
    read_annotated_pdf,
)
from drafts.comment_form import TYPE_WORDS as _TYPE_WORDS  # ge/te/ed in every language
from workflow.app import App
from workflow.review.forms import FormRefused, bounded, mailbox, read_returned
from workflow.review.returned import Provenance, Reply, issued_or_own_login, provenance
from workflow.review.rounds import CommentRow, _open_round, add_comment
from workflow.store.models import Comment, ResolutionRow, ReviewRound, Version
from workflow.store.texts import load_version
from workflow.store.tokens import seal_matches, token_matches

if TYPE_CHECKING:
    from templates.pdf.positions import PositionMap

__all__ = ["import_annotated_pdf", "PdfImport", "note_type", "is_pdf"]

_PREFIX = re.compile(r"^\s*[\[(]?\s*([^\s:：\])]{1,14})\s*[\])]?\s*[:：]\s*", re.IGNORECASE)


@dataclass(frozen=True)
class PdfImport:
    """What one import stored, and the annotations it could not use (numbered lines)."""

    rows: list[CommentRow]
    problems: list[str]
    already: int

    def to_json(self) -> dict[str, object]:
        return {"imported": [dict(r.to_json(), location=location(r)) for r in self.rows],
                "already_imported": self.already, "problems": self.problems}


def location(row: CommentRow) -> str:
    """Where a comment sits in the matrix: "OP 3(b), zh"."""
    return f"{row.original_ref}, {row.lang}" if row.lang else row.original_ref


def is_pdf(path: Path) -> bool:
    """Whether to read the file as an annotated PDF: by its extension (.pdf / .docx), else
    by its first bytes."""
    if path.suffix.lower() in (".pdf", ".docx"):
        return path.suffix.lower() == ".pdf"
    try:
        with open(path, "rb") as handle:
            return handle.read(1024).lstrip().startswith(b"%PDF-")
    except OSError:
        return False


def note_type(note: str, subject: str = "") -> tuple[str | None, str]:
    """(type or None, the note without its prefix): "te: Specify the year" → te."""
    match = _PREFIX.match(note)
    if match and match.group(1).lower() in _TYPE_WORDS:
        return _TYPE_WORDS[match.group(1).lower()], note[match.end():].strip()
    subject_key = subject.strip().lower().rstrip(":：")
    return _TYPE_WORDS.get(subject_key), note


def _the_map(name: str, attachments: dict[str, bytes]) -> tuple[PositionMap, bytes, str]:
    from templates.pdf.positions import MAP_NAME, MapError, read_map

    blob = attachments.get(MAP_NAME)
    if blob is None:
        raise FormRefused(f"{name} is not a review copy of the working group (it carries no "
                          "position map); annotate the review copy you received — nothing "
                          "was imported")
    try:
        return read_map(blob)
    except MapError as exc:
        raise FormRefused(f"{name}: {exc}; annotate the review copy you received — nothing "
                          "was imported") from None


def _comment(note: Annotation, in_text: bool) -> tuple[str | None, str, str, str]:
    """(type, comment, proposal, problem) of one annotation."""
    kind, text = note_type(note.note, note.subject)
    replies = "".join(f"\n— {r}" for r in note.replies)
    quote = f"“{note.quote}”" if note.quote else "the marked text"
    struck = "strike-out" in note.kinds
    if struck and not text:
        return kind or "ed", f"Delete {quote}." + replies, "(delete)", ""
    if struck or "caret" in note.kinds:
        if not text:
            return None, "", "", "a caret with no text to insert; write the words in its note"
        what = f"Replace {quote}." if struck else (
            f"Insert at {quote}." if note.quote else "Insert.")
        return kind or "ed", what + replies, text, ""
    if not text and not replies:
        return None, "", "", (f"marks {quote} but has no note; write the comment in the "
                              "annotation's note")
    return kind or ("te" if in_text else "ge"), (text + replies).strip(), "", ""


def import_annotated_pdf(app: App, ref: str, path: Path, *, statement: bytes | None = None,
                         reply: Reply | None = None, data: bytes | None = None,
                         name: str | None = None) -> PdfImport:
    """Record the annotations of a returned review copy as its reviewer's comments, when it
    shows it came from them (``workflow.review.returned``; ``data`` and ``name``: the
    attachment of ``reply``)."""
    from drafts.numbering import refs

    path = Path(path)
    name = name or path.name
    data = read_returned(path, MAX_PDF_BYTES, "a review copy") if data is None else \
        bounded(name, data, MAX_PDF_BYTES, "a review copy")
    try:
        copy = read_annotated_pdf(data)
    except AnnotatedPdfError as exc:
        raise FormRefused(f"{name}: {exc} — nothing was imported") from None
    positions, body, mac = _the_map(name, copy.attachments)
    ids = positions["ids"]
    with app.read() as session:
        row = app.resolution(session, ref)
        rnd = _open_round(session, row, "comments import")
        version = app.version(session, row, rnd.version_number)
        who = _issued_to(app, session, name, row, rnd, version, ids, body, mac)
        came = provenance(app, session, row, rnd, who, name, data, reply=reply,
                          statement=statement)
        paragraph_refs = refs(load_version(session, version))
        seen = {c.anchor for c in session.exec(select(Comment).where(
            Comment.resolution_id == row.id, Comment.round_id == rnd.id,
            Comment.author == who)) if c.anchor}
    return _record_notes(app, row.symbol, who, came, copy, positions, paragraph_refs, seen)


def _issued_to(app: App, session: Session, name: str, row: ResolutionRow, rnd: ReviewRound,
               version: Version, ids: dict[str, str], body: bytes, mac: str) -> str:
    """The reviewer the copy was issued to, refused unless it is this round's copy of this
    version for one of its reviewers, with its ids and map as they were sealed."""
    reviewers = [r for r in rnd.reviewers.split(",") if r]
    who = ids.get("reviewer", "")
    if (ids.get("symbol"), ids.get("version"), ids.get("content_hash")) != (
            row.symbol, str(version.number), version.content_hash):
        raise FormRefused(
            f"{name} is the review copy of {ids.get('symbol', '?')} version "
            f"{ids.get('version', '?')}, not of {row.symbol} version {version.number} "
            "under review — nothing was imported")
    if who not in reviewers:
        raise FormRefused(f"{name} is the copy of {who or 'no one'}, who is not a "
                          f"reviewer of round {rnd.number} ({', '.join(reviewers)}) — "
                          "nothing was imported")
    if ids.get("round") != str(rnd.number) or not issued_or_own_login(
            app, session, row, who, name, lambda: token_matches(
                app.workspace, ids.get("token", ""), symbol=row.symbol, round_no=rnd.number,
                content_hash=version.content_hash, reviewer=who,
                mailbox=mailbox(session, who)) and seal_matches(app.workspace, body, mac)):
        raise FormRefused(f"{name} was not issued to {who} for round {rnd.number} of "
                          f"{row.symbol} (its position map or ids were changed, or it "
                          "comes from another workspace); annotate the copy you received "
                          "— nothing was imported")
    return who


def _record_notes(app: App, symbol: str, who: str, came: Provenance, copy: AnnotatedCopy,
                  positions: PositionMap, paragraph_refs: dict[str, str],
                  seen: set[str]) -> PdfImport:
    """Each annotation as a comment of ``who`` (one already imported is counted, one that
    cannot be read is named)."""
    from templates.pdf.positions import locate, locate_box

    problems = [f"{n}. {line}" for n, line in enumerate(copy.skipped, 1)]
    out: list[CommentRow] = []
    already = 0
    for note in copy.annotations:
        spot = (locate_box(positions, note.page, note.box) if note.box is not None
                else locate(positions, note.page, *note.point))
        pid, lang = spot if spot and spot[0] in paragraph_refs else ("", "")
        target = paragraph_refs[pid] if pid else "general"
        kind, text, proposal, problem = _comment(note, bool(pid))
        where = f"annotation {note.number} ({note.kind} on page {note.page}" + (
            f", {target}, {lang})" if pid else ")")
        if problem or kind is None:
            problems.append(f"{len(problems) + 1}. {where}: {problem}")
            continue
        if note.identity in seen:
            already += 1
            continue
        seen.add(note.identity)
        out.append(add_comment(app, symbol, by=who, target=target, type_=kind, text=text,
                               proposal=proposal, source="pdf", lang=lang, quote=note.quote,
                               anchor=note.identity, came=came))
    return PdfImport(out, problems, already)
