"""Word files as the text ``new`` and ``edit`` store: a new resolution from a Word draft,
one language brought in from a Word file; the same on both write paths
(:mod:`workflow.drafting.interop` on the ORM, :mod:`workflow.writing_versions` on the bare
driver).

A DOCX rendered here names its version in its core properties: its text is placed against
that version's paragraphs, and the edit is based on it (merged over whatever was stored
since); any other Word file is placed against the current version. Nothing here imports
the ORM; the Word reader (``drafts.word``) is imported when a file is read.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from drafts.model import Resolution
from workflow.errors import InvalidInput

if TYPE_CHECKING:
    from workflow.store.workspace import Workspace

__all__ = ["MAX_DOCX_BYTES", "read_docx", "WordEdit", "word_edit", "keep_openers",
           "WordDraft", "word_draft", "body_of_formula"]

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
        return paragraph._replace(texts=texts, items=items)

    return after._replace(preamble=tuple(fix(p) for p in after.preamble),
                          operative=tuple(fix(p) for p in after.operative),
                          annexes=tuple(a._replace(preamble=tuple(fix(p) for p in a.preamble),
                                                   operative=tuple(fix(p) for p in a.operative))
                                        for a in after.annexes))


def _formula(text: str) -> str:
    return " ".join(text.casefold().replace("ё", "е").strip(" ,，،፣").split())


def body_of_formula(workspace: Workspace, enacting: str, lang: str) -> str | None:
    """The body whose enacting formula in ``lang`` is ``enacting`` (case, spacing and the
    final comma aside), or None."""
    wanted = _formula(enacting)
    for code, body in workspace.bodies().items():
        if wanted and _formula(body.enacting.get(lang, "")) == wanted:
            return code
    return None


@dataclass(frozen=True)
class WordDraft:
    """The source of a new resolution read from a Word draft, and what to tell about it."""

    text: str
    notes: list[str]


def word_draft(workspace: Workspace, data: bytes, path: Path, *, lang: str | None,
               body: str | None) -> WordDraft:
    """A Word draft as a source. The body is the one ``body`` names, else the one whose
    enacting formula opens the draft, else the Higher Council of BRICS (said)."""
    from drafts.word.placing import import_docx

    lang = lang or workspace.languages[0]
    result = import_docx(data, lang=lang, body=body or "brics-higher-council",
                         filename=str(path))
    notes = [f"{path}: block {index}: {text[:120]}" for index, text in result.unrecognised]
    found = body_of_formula(workspace, result.enacting, lang) if result.enacting else None
    if result.enacting and body is None and found is not None:
        result = import_docx(data, lang=lang, body=found, filename=str(path))
    elif result.enacting and found != (body or "brics-higher-council"):
        chosen = body or "brics-higher-council"
        notes.append(f"{path}: the enacting formula {result.enacting!r} is not that of "
                     f"{chosen} ({workspace.body(chosen).enacting.get(lang, '')!r}); "
                     "the body's own is printed — give --body CODE for another body")
    if not result.resolution.title:
        notes.append(f"{path}: no title found (a first line in the Title or a Heading style, "
                     "bold or centred); add 'title:' with 'resolutions edit'")
    return WordDraft(result.source, notes)
