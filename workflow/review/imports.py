"""``comments import``: one entry for whatever the reviewer sent back — a filled comment
form (DOCX), a review copy annotated in a PDF reader, or the reply message (``.eml``) that
carries either or both, which is what shows they came from the reviewer
(``workflow.review.returned``)."""

from __future__ import annotations

from pathlib import Path

from workflow.app import App
from workflow.errors import InvalidInput
from workflow.review.annotations import PdfImport, import_annotated_pdf, is_pdf
from workflow.review.forms import import_comment_form
from workflow.review.returned import is_message, read_reply
from workflow.rows import CommentRow

__all__ = ["import_returned"]


def import_returned(app: App, ref: str, path: Path, *, statement: bytes | None = None
                    ) -> PdfImport | list[CommentRow]:
    """Import ``path``: a form gives its rows, a copy (or a reply) a :class:`PdfImport`.
    ``statement``: the reviewer's signature over the file's bytes."""
    path = Path(path)
    with path.open("rb") as handle:
        head = handle.read(1024)
    if is_message(path, head):
        if statement is not None:
            raise InvalidInput("--signed-statement goes with the file it signs, not with a "
                               "message: import the form or the copy itself with it")
        reply = read_reply(path)
        rows: list[CommentRow] = []
        problems: list[str] = []
        already = 0
        for name, data in reply.attachments:
            if _is_pdf(name, data):
                got = import_annotated_pdf(app, ref, path, reply=reply, data=data, name=name)
                rows += got.rows
                several = len(reply.attachments) > 1
                problems += [f"{name}: {p}" if several else p for p in got.problems]
                already += got.already
            else:
                rows += import_comment_form(app, ref, path, reply=reply, data=data, name=name)
        if not any(_is_pdf(name, data) for name, data in reply.attachments):
            return rows  # forms only: told as a form is
        return PdfImport(rows, problems, already)
    if is_pdf(path):
        return import_annotated_pdf(app, ref, path, statement=statement)
    return import_comment_form(app, ref, path, statement=statement)


def _is_pdf(name: str, data: bytes) -> bool:
    """A returned copy, by its name (.pdf / .docx), else by its first bytes."""
    suffix = Path(name).suffix.lower()
    if suffix in (".pdf", ".docx"):
        return suffix == ".pdf"
    return data.lstrip()[:5] == b"%PDF-"
