"""What a comment, an amendment and a disposition are held to before they are stored, and
the audit detail each records — one copy for both write paths: the services on the ORM
(:mod:`workflow.review.rounds`, :mod:`workflow.review.amendments`) and the commands on the
bare driver (:mod:`workflow.writing`). Nothing here imports the ORM."""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

from workflow.errors import InvalidInput

if TYPE_CHECKING:
    from drafts.model import Resolution

__all__ = ["COMMENT_TYPES", "DISPOSITIONS", "AMENDMENT_OPS", "comment_input", "resolve",
           "comment_detail", "disposition_input", "amendment_texts", "amendment_target",
           "amendment_detail", "dispose_detail"]

COMMENT_TYPES = ("ge", "te", "ed")
DISPOSITIONS = ("accepted", "rejected", "partial")
AMENDMENT_OPS = ("replace", "insert-after", "delete")


def comment_input(type_: str, text: str) -> str:
    """The comment's type, normalised; refused when unknown or the text is empty."""
    type_ = type_.strip().lower()
    if type_ not in COMMENT_TYPES:
        raise InvalidInput(f"comment type {type_!r} is not one of ge (general), te (technical), "
                           "ed (editorial)")
    if not text.strip():
        raise InvalidInput("the comment is empty (--text)")
    return type_


def resolve(model: Resolution, text: str) -> tuple[str, str]:
    """(paragraph id, its reference) of ``text`` in ``model``; ("", "General") for the whole."""
    from drafts.errors import RefError
    from drafts.numbering import ref as ref_of
    from drafts.numbering import resolve as locate

    if text.strip().lower() in ("general", "title", "-", ""):
        return "", "General"
    try:
        located = locate(model, text)
    except RefError as exc:
        raise InvalidInput(str(exc)) from None
    return located.paragraph.id, ref_of(located, model)


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def comment_detail(*, by: str, number: int, ref: str, paragraph: str, type_: str,
                   source: str, text: str, proposal: str, came: dict[str, object] | None = None,
                   lang: str = "", anchor: str = "", quote: str = "") -> dict[str, object]:
    """The ``comment`` event's detail (``text`` and ``proposal`` as stored: stripped)."""
    return {"by": by, "comment": number, "ref": ref, "paragraph": paragraph, "type": type_,
            "source": source, **(came or {}),
            **({"lang": lang, "anchor": anchor, "quote_sha256": _sha(quote)} if anchor else {}),
            "text_sha256": _sha(text), "proposal_sha256": _sha(proposal)}


def disposition_input(decision: str) -> None:
    if decision not in DISPOSITIONS:
        raise InvalidInput(f"decision must be one of {', '.join(DISPOSITIONS)}")


def dispose_detail(number: int, decision: str, note: str) -> dict[str, object]:
    return {"comment": number, "disposition": decision, "note": note.strip()}


def amendment_texts(op: str, texts: dict[str, str]) -> dict[str, str]:
    """The amendment's texts checked as a source's paragraph texts are (stripped)."""
    if op not in AMENDMENT_OPS:
        raise InvalidInput(f"--op must be one of {', '.join(AMENDMENT_OPS)}")
    if op == "delete" and texts:
        raise InvalidInput("a delete amendment takes no --text")
    if op != "delete" and not texts:
        raise InvalidInput(f"a {op} amendment needs --text LANG=TEXT (one per language)")
    from drafts.errors import SourceError
    from drafts.texts import check_text  # (no YAML parser: the model comes from the cache)

    try:
        texts = {lang: check_text(value, f"--text {lang}=…", "amendment")
                 for lang, value in texts.items()}
    except SourceError as exc:
        raise InvalidInput(str(exc)) from None
    if any(not value for value in texts.values()):
        raise InvalidInput("an amendment text is empty; write the new text after LANG=")
    return texts


def amendment_target(model: Resolution, symbol: str, target: str,
                     texts: dict[str, str]) -> tuple[str, str]:
    """(paragraph id, reference) the amendment targets in the circulated ``model``."""
    unknown = [lang for lang in texts if lang not in model.languages]
    if unknown:
        raise InvalidInput(f"--text {unknown[0]}=…: {symbol} has no {unknown[0]} text "
                           f"(languages: {', '.join(model.languages)})")
    pid, resolved = resolve(model, target)
    if not pid:
        raise InvalidInput("an amendment targets a paragraph, e.g. --target 'OP 3'")
    return pid, resolved


def amendment_detail(*, by: str, number: int, target: str, paragraph: str, op: str,
                     texts: dict[str, str]) -> dict[str, object]:
    return {"by": by, "amendment": number, "target": target, "paragraph": paragraph,
            "op": op, "languages": sorted(texts)}
