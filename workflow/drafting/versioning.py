"""What storing a version decides, the same on both write paths: the source parsed and
checked, the symbol a new resolution takes, an edit on an older version merged, the notes
and event details, the translation records carried forward, the hints after ``new``.

:mod:`workflow.drafting.resolutions` (on the ORM) and :mod:`workflow.writing_versions`
(on the bare driver) each read and write their rows their own way and call these for every
decision in between, so the two cannot decide differently. Nothing here imports the ORM.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from drafts.errors import DraftError
from drafts.model import Resolution
from workflow.drafting import bases
from workflow.errors import InvalidInput

if TYPE_CHECKING:
    from drafts.source import Source
    from workflow.store.workspace import Workspace

__all__ = ["EditResult", "parse_source", "read_source", "edited_source", "title_of",
           "check_symbol", "merged_over", "REOPENED", "REOPEN_DETAIL", "voided_note",
           "edit_detail", "new_detail", "assign_symbol", "title_source", "carried_records",
           "opener_hints_of", "keep_text"]


@dataclass(frozen=True)
class EditResult:
    symbol: str
    version: int
    changed: bool
    state: str
    voided_approvals: int = 0
    notes: list[str] = field(default_factory=list)
    #: an edit on an older version: the three-way merge (``bases.Merge.to_json``)
    merged: dict[str, Any] | None = None


def _invalid(exc: DraftError) -> InvalidInput:
    error = InvalidInput(str(exc))
    error.line = getattr(exc, "line", None)
    return error


def parse_source(text: str, filename: str, symbol: str | None = None) -> tuple[Resolution, str]:
    """The model and the text to store (``symbol`` inserted when the source has none)."""
    from drafts.source import load

    try:
        return load(text, filename, symbol=symbol)
    except DraftError as exc:
        raise _invalid(exc) from None


def read_source(text: str, filename: str) -> Source:
    """The source parsed and validated once (``drafts.source.Source``)."""
    from drafts.source import Source

    try:
        return Source(text, filename)
    except DraftError as exc:
        raise _invalid(exc) from None


def edited_source(checked: Source, given: str, text: str, filename: str,
                  symbol: str) -> tuple[Resolution, str]:
    """The model and text to store of an edit: ``given`` as it came (parsed as
    ``checked``, so that a mistake is named at its line in the file as the person sees
    it), ``text`` the same without its base line. Parsed again only when the stored text
    has to be written out from the tree (ids assigned, a symbol that needs quoting)."""
    if text is given or text == given:
        try:
            return checked.stored(symbol)
        except DraftError as exc:
            raise _invalid(exc) from None
    found = checked.stored_as(text, symbol)
    return found if found is not None else parse_source(text, filename, symbol=symbol)


def title_of(model: Resolution) -> str:
    for lang in ("en", *model.languages):
        if model.title.get(lang):
            return model.title[lang]
    return ""


def check_symbol(model: Resolution, symbol: str, filename: str) -> None:
    if model.symbol != symbol:
        raise InvalidInput(f"{filename}: symbol {model.symbol} is not {symbol}; "
                           "the symbol of a resolution cannot change")


def merged_over(symbol: str, current_no: int, based_on: int, base: bases.Base | None,
                ours: Resolution, current: Resolution, filename: str,
                older: Callable[[int], tuple[str, Resolution]]
                ) -> tuple[Resolution, str, bases.Merge]:
    """``ours``, taken from version ``based_on``, merged over the current version
    (``current_no``, ``current``); ``older(n)`` gives version n's content hash and model."""
    from drafts.source import dump

    if based_on > current_no or based_on < 1:
        raise InvalidInput(f"{filename}: this text names version {based_on} of {symbol} "
                           f"as its base; there are versions 1–{current_no}")
    content_hash, base_model = older(based_on)
    if base is not None and base.content_hash != content_hash:
        raise InvalidInput(f"{filename}: its first line names version {based_on} with another "
                           "text than the one stored; take 'resolutions source' again")
    model, report = bases.merge_onto(symbol, based_on, base_model, ours, current_no, current)
    merged, source = parse_source(dump(model), filename, symbol=symbol)
    return merged, source, report


#: the note an edit leaves when it reopens an approved text, and its event's detail
REOPENED = "the text changed after approval began: back to revision"
REOPEN_DETAIL = {"reason": "text changed after approval began"}


def voided_note(voided: int) -> list[str]:
    return [f"{voided} approval(s) voided by the text change"] if voided else []


def edit_detail(number: int, content_hash: str, note: str, state: str,
                voided: int) -> dict[str, object]:
    return {"version": number, "content_hash": content_hash, "note": note, "state": state,
            "voided_approvals": voided}


def new_detail(content_hash: str, filename: str) -> dict[str, object]:
    return {"version": 1, "content_hash": content_hash, "state": "draft",
            "file": Path(filename).name}


def assign_symbol(workspace: Workspace, checked: Source, filename: str, first_free: int,
                  taken: Callable[[str], int | None], this_year: int
                  ) -> tuple[int, str, Resolution, str]:
    """A new resolution's number and symbol (the source's own, else the workspace's
    pattern, skipping a symbol written by hand that took the number), its model and the text
    to store. ``taken(symbol)``: the number of the resolution holding it, else None."""
    draft = checked.model
    number = first_free
    year = int(draft.date[:4]) if draft.date else this_year
    symbol = workspace.symbol_for(number, year)
    while not draft.symbol and taken(symbol) is not None:
        number += 1  # a symbol written by hand took this number: skip it
        symbol = workspace.symbol_for(number, year)
    if len(symbol) > 64:
        raise InvalidInput(f"the numbering pattern makes {symbol!r}, longer than 64 "
                           "characters; shorten [numbering] pattern in resolutions.toml")
    try:
        model, source = checked.stored(symbol)
    except DraftError as exc:
        raise _invalid(exc) from None
    if model.symbol and model.symbol != symbol:
        holder = taken(model.symbol)
        if holder is not None:
            raise InvalidInput(f"{filename}: symbol {model.symbol} is already used by "
                               f"resolution {holder}; remove 'symbol:' to have one assigned")
        symbol = model.symbol
    workspace.body(model.body).must_cover(model.languages, filename)
    return number, symbol, model, source


def title_source(workspace: Workspace, title: str, body: str, lang: str | None) -> str:
    """The source of a new, empty resolution with a title in one language (``new
    --title``), to be filled with 'edit'."""
    from drafts.source import dump

    languages = workspace.languages
    lang = lang or languages[0]
    if lang not in languages:
        raise InvalidInput(f"--lang {lang} is not one of the workspace languages "
                           f"({', '.join(languages)})")
    if not title.strip():
        raise InvalidInput("--title is empty")
    workspace.body(body)
    return dump(Resolution(body=body, languages=tuple(languages), title={lang: title.strip()}))


def carried_records(old: Resolution | None, records_json: str | None,
                    new: Resolution) -> str:
    """The translation records of a new version, as stored (``translation_state``)."""
    from drafts.staleness import carry_forward

    records = json.loads(records_json) if (old is not None and records_json) else \
        ({} if old is not None else None)
    return json.dumps(carry_forward(old, records, new), ensure_ascii=False, sort_keys=True)


def opener_hints_of(model: Resolution) -> list[str]:
    """Paragraphs whose text in a language lacks an emphasised opener, with the usual
    opener in that language taken from the trilingual lexicon (shown after `new`)."""
    from drafts.markup import split_opener
    from drafts.numbering import ref as ref_of

    hints = []
    for loc in model.walk():
        if loc.depth or loc.annex is not None:
            continue
        texts = loc.paragraph.texts
        for lang in model.languages:
            text = texts.get(lang, "")
            if not text or split_opener(text)[0]:
                continue
            from drafts.lexicon import suggest  # (its package data: only for a hint)

            ideas: list[str] = []
            for other, other_text in texts.items():
                if other != lang and split_opener(other_text)[0]:
                    ideas += [s for s in suggest(other_text, lang) if s not in ideas]
            usual = f"; usual: *{ideas[0]}*" if ideas else ""
            hints.append(f"{ref_of(loc, model)} [{lang}]: the opening phrase is not emphasised "
                         f"(write it as *…*){usual}")
    return hints


def keep_text(state_dir: Path, ref: str, text: str, based_on: int) -> Path:
    """Keep an edit that could not be stored in the workspace (``.resolutions/edits/``), so
    that nothing typed is lost; returns the file."""
    import os
    import tempfile

    folder = state_dir / "edits"
    folder.mkdir(parents=True, exist_ok=True)
    stem = "".join(ch if ch.isalnum() else "-" for ch in ref)
    fd, name = tempfile.mkstemp(prefix=f"{stem}-from-v{based_on}-", suffix=".yaml", dir=folder)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
    return Path(name)
