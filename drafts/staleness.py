"""Which translations are stale: every language is equally authentic, so staleness is mutual.

For each paragraph and language the workflow keeps a *reconciliation record*: the hashes
of the sibling-language texts this language's text was last reconciled with, e.g.
``{"op-2": {"zh": {"en": "9f2c…", "ru": "41ab…"}}}``. A language is stale when a sibling
text no longer has the hash recorded for it. Nothing here knows about storage: the records
are plain dicts that the workflow saves next to each version.

- :func:`reconcile` says "these languages now agree with their siblings";
- :func:`confirm` is what ``translations confirm`` records: the language agrees with its
  siblings, and since agreement is mutual each sibling now agrees with that language's
  current text (so confirming a fixed Chinese text does not leave the English it was fixed
  against stale; a sibling stays stale only against texts nobody has checked it with);
- :func:`carry_forward` moves the records to a new version: a language edited in that
  version was written knowing its siblings, so it is reconciled; the siblings it left
  behind keep their old records and so become stale;
- :func:`status` reads the records against a version: ``ok``, ``stale`` or ``missing``.

The title and each annex title take part under the pseudo ids ``title`` and
``<annex id>:title``. Adding a translation where there was none, or deleting one, does
not make the other languages stale (they are not out of date, one is just missing).
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Iterable, Mapping

from drafts.model import Resolution

__all__ = [
    "TITLE_ID",
    "Records",
    "text_hash",
    "annex_title_id",
    "units",
    "reconcile",
    "merge",
    "confirm",
    "carry_forward",
    "status",
    "stale_against",
    "OK",
    "STALE",
    "MISSING",
]

TITLE_ID = "title"
OK, STALE, MISSING = "ok", "stale", "missing"

#: ``{unit id: {language: {sibling language: sibling text hash}}}``
Records = dict[str, dict[str, dict[str, str]]]


def text_hash(text: str) -> str:
    """Short SHA-256 of the NFC-normalised text (16 hex digits)."""
    normalised = unicodedata.normalize("NFC", (text or "").strip())
    return hashlib.sha256(normalised.encode("utf-8")).hexdigest()[:16]


def annex_title_id(annex_id: str) -> str:
    """The pseudo paragraph id of an annex title."""
    return f"{annex_id}:{TITLE_ID}"


def units(resolution: Resolution) -> dict[str, Mapping[str, str]]:
    """Every translatable unit (title, paragraphs, items, annex titles): id → texts.

    A paragraph that has no text in any language (a bare container of items) is left out.
    Order: the title, the main text, then each annex title followed by its paragraphs.
    """
    out: dict[str, Mapping[str, str]] = {TITLE_ID: resolution.title}
    shown: set[int] = set()
    for located in resolution.walk():
        if located.annex is not None and located.annex not in shown:
            shown.add(located.annex)
            annex = resolution.annexes[located.annex]
            out[annex_title_id(annex.id)] = annex.title
        paragraph = located.paragraph
        if any(t.strip() for t in paragraph.texts.values()):
            out[paragraph.id] = paragraph.texts
    for index, annex in enumerate(resolution.annexes):
        if index not in shown:  # an annex without paragraphs still has a title
            out[annex_title_id(annex.id)] = annex.title
    return out


def _sibling_hashes(texts: Mapping[str, str], lang: str, languages: Iterable[str]
                    ) -> dict[str, str]:
    return {s: text_hash(texts.get(s, "")) for s in languages if s != lang}


def reconcile(
    resolution: Resolution,
    *,
    langs: Iterable[str] | None = None,
    paragraph_ids: Iterable[str] | None = None,
) -> Records:
    """Records saying that ``langs`` (default: all) of ``paragraph_ids`` (default: all)
    agree with the current text of their siblings.

    The result covers only what was asked; combine it with the stored records using
    :func:`merge`. Unknown paragraph ids are ignored.
    """
    languages = tuple(resolution.languages)
    chosen_langs = languages if langs is None else tuple(lang for lang in langs)
    table = units(resolution)
    wanted = table.keys() if paragraph_ids is None else [p for p in paragraph_ids
                                                           if p in table]
    out: Records = {}
    for unit_id in wanted:
        texts = table[unit_id]
        out[unit_id] = {lang: _sibling_hashes(texts, lang, languages) for lang in chosen_langs}
    return out


def merge(records: Mapping[str, Mapping[str, Mapping[str, str]]] | None,
          updates: Mapping[str, Mapping[str, Mapping[str, str]]]) -> Records:
    """A copy of ``records`` with the per-language entries of ``updates`` replacing theirs."""
    out = _copy(records)
    for unit_id, per_lang in updates.items():
        target = out.setdefault(unit_id, {})
        for lang, hashes in per_lang.items():
            target[lang] = dict(hashes)
    return out


def confirm(
    resolution: Resolution,
    records: Mapping[str, Mapping[str, Mapping[str, str]]] | None,
    lang: str,
    paragraph_ids: Iterable[str],
) -> Records:
    """A copy of ``records`` after ``lang`` of ``paragraph_ids`` was confirmed against the
    current text of every sibling: ``lang`` is reconciled, and each sibling that has a record
    now records the current ``lang`` text as seen (the rest of its record is kept)."""
    wanted = list(paragraph_ids)
    out = merge(records, reconcile(resolution, langs=[lang], paragraph_ids=wanted))
    table = units(resolution)
    for unit_id in wanted:
        if unit_id not in table:
            continue
        seen = text_hash(table[unit_id].get(lang, ""))
        for sibling, record in out.get(unit_id, {}).items():
            if sibling != lang:
                record[lang] = seen
    return out


def carry_forward(
    old_resolution: Resolution | None,
    old_records: Mapping[str, Mapping[str, Mapping[str, str]]] | None,
    new_resolution: Resolution,
) -> Records:
    """The records of a new version, derived from the previous version's.

    - a unit new in this version is reconciled in every language (written at once);
    - a unit whose texts did not change keeps its records;
    - in a changed unit, each language whose text changed is reconciled against the
      current siblings; the unchanged languages keep their old records, so they turn
      stale against the edited ones — except where a sibling was only added (was empty)
      or deleted (is now empty), which is recorded as seen;
    - units that no longer exist are dropped.

    With no previous version (``old_resolution`` is None) everything is reconciled.
    """
    if old_resolution is None:
        return reconcile(new_resolution)
    old_units = units(old_resolution)
    records = old_records or {}
    languages = tuple(new_resolution.languages)
    out: Records = {}
    for unit_id, texts in units(new_resolution).items():
        if unit_id not in old_units:
            out[unit_id] = {lang: _sibling_hashes(texts, lang, languages) for lang in languages}
            continue
        before = old_units[unit_id]
        kept = {lang: dict(h) for lang, h in records.get(unit_id, {}).items()}
        edited, appeared_or_gone = set(), set()
        for lang in set(texts) | set(before):
            old_text, new_text = before.get(lang, ""), texts.get(lang, "")
            if text_hash(old_text) == text_hash(new_text):
                continue
            if old_text.strip() and new_text.strip():
                edited.add(lang)
            elif new_text.strip():
                edited.add(lang)  # written from nothing: its author saw the siblings
                appeared_or_gone.add(lang)
            else:
                appeared_or_gone.add(lang)
        for lang in languages:
            if lang in edited:
                kept[lang] = _sibling_hashes(texts, lang, languages)
                continue
            if lang not in kept:
                continue
            for sibling in appeared_or_gone:
                if sibling != lang:
                    kept[lang][sibling] = text_hash(texts.get(sibling, ""))
        if kept:
            out[unit_id] = kept
    return out


def stale_against(
    resolution: Resolution,
    records: Mapping[str, Mapping[str, Mapping[str, str]]] | None,
) -> dict[str, dict[str, tuple[str, ...]]]:
    """For each stale unit and language: the siblings whose text changed since it was
    last reconciled (in the order of ``resolution.languages``).

    A language with text but no record at all counts as stale against every sibling
    that has text: it has never been confirmed.
    """
    records = records or {}
    languages = tuple(resolution.languages)
    out: dict[str, dict[str, tuple[str, ...]]] = {}
    for unit_id, texts in units(resolution).items():
        for lang in languages:
            if not texts.get(lang, "").strip():
                continue
            record = records.get(unit_id, {}).get(lang)
            changed = []
            for sibling in languages:
                if sibling == lang:
                    continue
                current = texts.get(sibling, "")
                if record is None or sibling not in record:
                    if current.strip():
                        changed.append(sibling)
                elif record[sibling] != text_hash(current):
                    changed.append(sibling)
            if changed:
                out.setdefault(unit_id, {})[lang] = tuple(changed)
    return out


def status(
    resolution: Resolution,
    records: Mapping[str, Mapping[str, Mapping[str, str]]] | None,
) -> dict[str, dict[str, str]]:
    """``{unit id: {language: "ok" | "stale" | "missing"}}`` for the authentic languages."""
    stale = stale_against(resolution, records)
    out: dict[str, dict[str, str]] = {}
    for unit_id, texts in units(resolution).items():
        row: dict[str, str] = {}
        for lang in resolution.languages:
            if not texts.get(lang, "").strip():
                row[lang] = MISSING
            elif lang in stale.get(unit_id, {}):
                row[lang] = STALE
            else:
                row[lang] = OK
        out[unit_id] = row
    return out


def _copy(records: Mapping[str, Mapping[str, Mapping[str, str]]] | None) -> Records:
    return {u: {lang: dict(h) for lang, h in per.items()} for u, per in (records or {}).items()}
