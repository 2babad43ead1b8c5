"""People and enclosures as a reader of one language sees them.

A member writes their name once per language (``names``: lang → name); a reader of
Russian sees the Russian form, or the member's own form when there is none (a name is
never replaced by an id). A body may ask for the Latin form as well ("Ли Вэй (Li Wei)").
Roles are words in the reader's language, not role codes. Enclosures of a cover letter
are described in each language from their kind and the people who signed them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from templates.labels import labels_for

__all__ = ["EnclosureView", "person_name", "people", "role_words", "describe_enclosure",
           "names_shown", "ROLE_KEYS"]

#: Role codes that have words in :mod:`templates.labels` (``role_<code>``).
ROLE_KEYS = ("secretary", "reviewer", "approver", "signatory", "archivist")

_LATIN = re.compile(r"^[\sA-Za-z\u00c0-\u024f.,'’\-()]+$")


@dataclass(frozen=True)
class EnclosureView:
    """One file enclosed with a cover letter."""

    name: str                                   # file name
    kind: str                                   # signed-pdf | docx | p7s | certificate | …
    people: tuple[Mapping[str, str], ...] = ()  # names (lang → name) of who signed it
    description: str = ""                       # English fallback for a kind without words


def _is_latin(text: str) -> bool:
    return bool(_LATIN.match(text))


def person_name(names: Mapping[str, str], lang: str, *, latin: bool = False) -> str:
    """The name in ``lang``, else the member's own form; with ``latin`` the Latin form
    follows in brackets when the name shown is in another script."""
    shown = names.get(lang) or next((v for v in names.values() if v), "")
    if latin and shown and not _is_latin(shown):
        roman = names.get("en") or next((v for v in names.values() if _is_latin(v)), "")
        if roman and roman != shown:
            return f"{shown} ({roman})"
    return shown


def people(names: Sequence[Mapping[str, str]], lang: str, *, latin: bool = False) -> str:
    from drafts.languages import REGISTRY

    sep = REGISTRY[lang].list_separator if lang in REGISTRY else ", "
    return sep.join(person_name(n, lang, latin=latin) for n in names)


def role_words(role: str, lang: str) -> str:
    """A role code as a word in ``lang`` ("signatory" → "Подписант"); free text as it is."""
    if role in ROLE_KEYS:
        return labels_for(lang)[f"role_{role}"]
    return role


def describe_enclosure(enclosure: EnclosureView, lang: str, *, latin: bool = False) -> str:
    words = labels_for(lang)
    template = words.get(f"enc_{enclosure.kind}")
    if template is None:
        return enclosure.description
    return template.replace("{people}", people(enclosure.people, lang, latin=latin))


def names_shown(names: Mapping[str, str], languages: Sequence[str], *,
                latin: bool = False) -> list[tuple[str, str]]:
    """(language, name) for a signature block: the name in each language shown, the
    member's own form when a language has none, the Latin form when the body asks;
    each distinct name once."""
    own = next(((k, v) for k, v in names.items() if v), ("en", ""))
    out: list[tuple[str, str]] = []
    for lang in languages:
        pair = (lang, names[lang]) if names.get(lang) else own
        if pair[1] and pair[1] not in (n for _, n in out):
            out.append(pair)
    if latin and not any(_is_latin(n) for _, n in out):
        roman = names.get("en") or next((v for v in names.values() if _is_latin(v)), "")
        if roman:
            out.append(("en", roman))
    return out
