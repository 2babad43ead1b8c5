"""People in Akoma Ntoso references: one readable, unique slug per person.

A ``TLCPerson`` is named by an ontology URI (``/ontology/person/xb-brics/smirnova-anna``).
The slug comes from the person's Latin form when the member wrote one, otherwise from the
name transliterated: Russian by the ICAO Doc 9303 table used in Russian passports
(Смирнова → smirnova), Chinese in pinyin without tones (李伟 → li-wei). Two people whose
slugs meet are told apart by a number (``li-wei``, ``li-wei-2``); a name with nothing
to transliterate falls back to a short hash of itself, never to a shared placeholder.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable

__all__ = ["transliterate", "person_slug", "unique_slugs"]

#: ICAO Doc 9303 (7th ed.), Russian Cyrillic → Latin, as in Russian passports since 2014.
_ICAO = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh",
    "з": "z", "и": "i", "й": "i", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o",
    "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts",
    "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "ie", "ы": "y", "ь": "", "э": "e", "ю": "iu",
    "я": "ia",
}
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
_UNSAFE = re.compile(r"[^a-z0-9]+")


def _pinyin(text: str) -> str:
    from pypinyin import Style, lazy_pinyin

    return " ".join(lazy_pinyin(text, style=Style.NORMAL, errors="default"))


def transliterate(name: str) -> str:
    """``name`` in Latin letters: Cyrillic by ICAO 9303, Han characters in pinyin."""
    if _HAN.search(name):
        name = "".join(f" {_pinyin(ch)} " if _HAN.match(ch) else ch for ch in name)
    out = "".join(_ICAO.get(ch, ch) if ch.islower() else
                  _ICAO.get(ch.lower(), ch).capitalize() for ch in name)
    # Latin letters with accents lose them (é → e)
    return unicodedata.normalize("NFKD", out).encode("ascii", "ignore").decode("ascii")


def person_slug(name: str, latin: str = "") -> str:
    """A URI-safe slug for a person: from ``latin`` if given, else the name transliterated."""
    for source in (latin, transliterate(name)):
        slug = _UNSAFE.sub("-", source.lower()).strip("-")
        if slug:
            return slug
    return "person-" + hashlib.sha256(name.encode("utf-8")).hexdigest()[:8]


def unique_slugs(people: Iterable[tuple[str, str]]) -> list[str]:
    """Slugs for (name, latin) pairs in order, a number added where two would meet."""
    out: list[str] = []
    for name, latin in people:
        base = slug = person_slug(name, latin)
        number = 2
        while slug in out:
            slug = f"{base}-{number}"
            number += 1
        out.append(slug)
    return out
