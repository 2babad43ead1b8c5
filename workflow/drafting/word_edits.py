"""One language brought in from a Word file, as the text an edit stores: the same on both
write paths (:func:`workflow.drafting.interop.edit_from_docx` on the ORM,
:func:`workflow.writing_versions.edit_from_docx` on the bare driver).

A DOCX rendered here names its version in its core properties: its text is placed against
that version's paragraphs, and the edit is based on it (merged over whatever was stored
since); any other Word file is placed against the current version. Nothing here imports
the ORM; the Word reader (``drafts.word``) is imported when a file is read.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from drafts.model import Resolution
from workflow.errors import InvalidInput

__all__ = ["MAX_DOCX_BYTES", "read_docx", "WordEdit", "word_edit", "keep_openers"]

MAX_DOCX_BYTES = 20 * 1024 * 1024


def read_docx(path: Path) -> bytes:
    try:
        if path.stat().st_size > MAX_DOCX_BYTES:
            raise InvalidInput(f"{path}: larger than {MAX_DOCX_BYTES // 1024 // 1024} MiB")
        return path.read_bytes()
    except OSError as exc:
        raise InvalidInput(f"{path}: {exc.strerror}") from None


@dataclass(frozen=True)
class WordEdit:
    """The source to store, the version it was placed against, what was not understood."""

    text: str
    based_on: int
    notes: list[str]


def word_edit(data: bytes, path: Path, lang: str, symbol: str, current: int,
              version_of: Callable[[int], tuple[str, Resolution]]) -> WordEdit:
    """The edit a Word file makes to ``lang`` of resolution ``symbol`` (at version
    ``current``); ``version_of(n)``: version n's content hash and model."""
    from drafts.source import dump
    from drafts.word.placing import import_docx, merge_language
    from drafts.word.reading import rendered_from

    origin = rendered_from(data) if data[:2] == b"PK" else None
    number, model = current, None
    if origin is not None and origin[0] == symbol and origin[1] < current:
        older_hash, older = version_of(origin[1])
        if older_hash.startswith(origin[2]):
            number, model = origin[1], older  # the Word file was made from this version
    if model is None:
        model = version_of(current)[1]
    imported = import_docx(data, lang=lang, body=model.body, filename=str(path))
    merged = keep_openers(model, merge_language(model, imported.resolution, lang), lang)
    return WordEdit(dump(merged), number,
                    [f"not understood: block {i}: {t[:120]}" for i, t in imported.unrecognised])


def keep_openers(before: Resolution, after: Resolution, lang: str) -> Resolution:
    """A Word file shows an opener's emphasis in a way that may not read back as
    ``*…*`` (Chinese has no italic): where the paragraph still opens with the same words,
    the markers stay, so a paragraph the file did not change is not a change."""
    from dataclasses import replace

    from drafts.markup import split_opener
    from drafts.model import Paragraph

    old = {loc.paragraph.id: loc.paragraph.text(lang) for loc in before.walk()}

    def fix(paragraph: Paragraph) -> Paragraph:
        text = paragraph.text(lang)
        opener, _ = split_opener(old.get(paragraph.id, ""))
        if opener and not split_opener(text)[0] and text.startswith(opener):
            text = f"*{opener}*{text[len(opener):]}"
        items = tuple(fix(item) for item in paragraph.items)
        texts = {**paragraph.texts, lang: text} if lang in paragraph.texts else paragraph.texts
        return replace(paragraph, texts=texts, items=items)

    return replace(after, preamble=tuple(fix(p) for p in after.preamble),
                   operative=tuple(fix(p) for p in after.operative),
                   annexes=tuple(replace(a, preamble=tuple(fix(p) for p in a.preamble),
                                         operative=tuple(fix(p) for p in a.operative))
                                 for a in after.annexes))
