"""The search index rows of one version, written in the transaction that stores it.

What the index keeps of a version (:func:`entries`: every non-empty text of every
language, with its reference and place) and how a new version enters it
(:func:`record_version`): the spans of the version before whose text and reference stay
are extended, the others opened, each distinct text stored once. The statements run on the
bare DB-API connection (:class:`workflow.store.reads.Reads`), so both write paths share
them: the ORM's (``workflow.drafting.resolutions``, over its session's connection) and the
bare driver's (``workflow.writing_versions``). The tables, the rebuild and the check are
described in :mod:`workflow.store.search_index`.
"""

from __future__ import annotations

import functools
import hashlib
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from drafts.markup import plain
from drafts.model import Resolution
from drafts.numbering import ref
from workflow.store.reads import Reads, Record
from workflow.store.search_terms import fold, grams

__all__ = ["Entry", "entries", "record_version", "year_of", "TITLE"]

#: the paragraph id of a resolution's title (ids in a source start with a letter)
TITLE = ":title"
_CHUNK = 500  # digests looked up per statement


@dataclass(frozen=True)
class Entry:
    """One paragraph of one language in a version, as the index keeps it."""

    para_id: str
    lang: str
    ref: str
    position: int
    text: str
    digest: str = ""  # SHA-256 of language and text: the text's key in search_texts

    def __post_init__(self) -> None:
        if not self.digest:
            object.__setattr__(self, "digest", _digest(self.lang, self.text))


@functools.lru_cache(maxsize=8192)
def _digest(lang: str, text: str) -> str:
    return hashlib.sha256(f"{lang}\0{text}".encode()).hexdigest()


def entries(model: Resolution) -> list[Entry]:
    """Every non-empty text of the version: the title, each paragraph, item and sub-item,
    each annex title, in document order."""
    out: list[Entry] = []
    places = [0]

    def add(para_id: str, reference: str, texts: Mapping[str, str]) -> None:
        position = places[0]
        places[0] += 1
        for lang in model.languages:
            value = _printed(texts.get(lang, "") or "")
            if value:
                out.append(Entry(para_id, lang, reference, position, value,
                                 _digest(lang, value)))

    add(TITLE, "title", model.title)
    annex_titled: set[int] = set()
    for located in model.walk():
        if located.annex is not None and located.annex not in annex_titled:
            annex_titled.add(located.annex)
            annex = model.annexes[located.annex]
            add(f"{annex.id}{TITLE}", f"Annex {located.annex + 1} title", annex.title)
        add(located.paragraph.id, ref(located), located.paragraph.texts)
    for index, annex in enumerate(model.annexes):  # an annex with no paragraphs
        if index not in annex_titled:
            add(f"{annex.id}{TITLE}", f"Annex {index + 1} title", annex.title)
    return out


@functools.lru_cache(maxsize=4096)
def _printed(raw: str) -> str:
    """A source text as printed and indexed: the opener's marks removed, NFC."""
    return unicodedata.normalize("NFC", plain(raw)).strip()


def year_of(model: Resolution, created_year: int) -> int:
    """The year a resolution is filed under: its date's, else the year of the version."""
    if model.date and model.date[:4].isdigit():
        return int(model.date[:4])
    return created_year


def _text_ids(reads: Reads, wanted: Sequence[Entry]) -> dict[str, int]:
    """digest -> id of every text in ``wanted``, inserting the new ones."""
    digests = sorted({e.digest for e in wanted})
    ids: dict[str, int] = {}
    for chunk in range(0, len(digests), _CHUNK):
        part = digests[chunk:chunk + _CHUNK]
        marks = ", ".join("?" for _ in part)
        ids.update({str(r["digest"]): int(r["id"]) for r in reads.all(
            f"SELECT id, digest FROM search_texts WHERE digest IN ({marks})", part)})
    new: dict[str, Entry] = {}
    for entry in wanted:
        if entry.digest not in ids:
            new.setdefault(entry.digest, entry)
    if new:
        values = []
        for digest, entry in new.items():
            folded = fold(entry.text)
            values.append((entry.lang, digest, entry.text, folded, grams(folded)))
        reads.execute_many("INSERT INTO search_texts (lang, digest, text, folded, grams) "
                           "VALUES (?, ?, ?, ?, ?)", values)
        return _text_ids(reads, wanted)  # now every one is there
    return ids


def record_version(reads: Reads, resolution_id: int, number: int, model: Resolution,
                   year: int) -> None:
    """Index version ``number`` of a resolution (in the caller's transaction): the spans
    of version ``number - 1`` whose text and reference stay are extended, the others are
    opened."""
    found = entries(model)
    ids = _text_ids(reads, found)
    previous: dict[tuple[str, str], Record] = {}
    if number > 1:
        previous = {(str(r["para_id"]), str(r["lang"])): r for r in reads.all(
            "SELECT id, para_id, lang, text_id, ref FROM search_spans "
            "WHERE resolution_id = ? AND last_version = ?", (resolution_id, number - 1))}
    extend, start = [], []
    for entry in found:
        text_id = ids[entry.digest]
        before = previous.get((entry.para_id, entry.lang))
        if before is not None and int(before["text_id"]) == text_id and \
                before["ref"] == entry.ref:
            extend.append((number, entry.position, year, before["id"]))
        else:
            start.append((resolution_id, entry.para_id, entry.lang, entry.ref, entry.position,
                          text_id, number, number, year))
    if extend:
        reads.execute_many("UPDATE search_spans SET last_version = ?, position = ?, year = ? "
                           "WHERE id = ?", extend)
    if start:
        reads.execute_many(
            "INSERT INTO search_spans (resolution_id, para_id, lang, ref, position, text_id, "
            "first_version, last_version, year) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", start)
