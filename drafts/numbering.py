"""Numbering by language convention, and language-neutral paragraph references.

Operative paragraphs are numbered ``1.``, ``2.``; items ``(a)`` (Russian ``а)``);
sub-items ``(i)`` (Russian ``i)``). A lone operative paragraph is not numbered.
Preambular paragraphs carry no number. References are written the same way in every
language, in the form reviewers use: ``PP 2``, ``OP 3(b)(ii)``, ``Annex 1 OP 2``.
"""

from __future__ import annotations

import re

from drafts.errors import RefError
from drafts.model import SECTION_OPERATIVE, SECTION_PREAMBLE, Located, Paragraph, Resolution

__all__ = ["letter", "roman", "label", "ref", "refs", "resolve", "annex_heading"]

_LATIN = "abcdefghijklmnopqrstuvwxyz"
_CYRILLIC = "абвгдежзиклмнопрстуфхцчшщэюя"
_ROMAN = [(1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"),
          (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")]
_CHINESE_DIGITS = "〇一二三四五六七八九十"


def letter(index: int, lang: str = "en") -> str:
    """The item letter for a 0-based index: a, b, … z, aa, bb, … (Russian а, б, …)."""
    alphabet = _CYRILLIC if lang == "ru" else _LATIN
    count, rest = divmod(index, len(alphabet))
    return alphabet[rest] * (count + 1)


def roman(number: int) -> str:
    """Lower-case roman numeral for a 1-based number."""
    out = []
    for value, glyph in _ROMAN:
        while number >= value:
            out.append(glyph)
            number -= value
    return "".join(out)


def _section_of(resolution: Resolution, located: Located) -> tuple[Paragraph, ...]:
    holder = resolution if located.annex is None else resolution.annexes[located.annex]
    return holder.preamble if located.section == SECTION_PREAMBLE else holder.operative


def label(resolution: Resolution, located: Located, lang: str) -> str:
    """The printed label of a paragraph in one language ("" when unnumbered)."""
    index = located.path[-1]
    if located.depth == 0:
        if located.section == SECTION_PREAMBLE:
            return ""
        if len(_section_of(resolution, located)) == 1:
            return ""
        return f"{index + 1}."
    if located.depth == 1:
        return f"{letter(index, lang)})" if lang == "ru" else f"({letter(index)})"
    numeral = roman(index + 1)
    return f"{numeral})" if lang == "ru" else f"({numeral})"


def ref(located: Located) -> str:
    """The language-neutral reference of a paragraph: ``OP 3(b)(ii)``."""
    kind = "PP" if located.section == SECTION_PREAMBLE else "OP"
    text = f"{kind} {located.path[0] + 1}"
    if located.depth >= 1:
        text += f"({letter(located.path[1])})"
    if located.depth >= 2:
        text += f"({roman(located.path[2] + 1)})"
    if located.annex is not None:
        text = f"Annex {located.annex + 1} {text}"
    return text


def refs(resolution: Resolution) -> dict[str, str]:
    """Paragraph id → reference, for every paragraph in the resolution."""
    return {loc.paragraph.id: ref(loc) for loc in resolution.walk()}


_REF = re.compile(
    r"""^\s*(?:annex\s*(?P<annex>\d+|[ivxlc]+)\s*[,:]?\s*)?
        (?P<kind>pp|op)\s*\.?\s*(?P<num>\d+)\s*\.?
        (?P<rest>(?:\s*\(\s*[a-z]+\s*\)|[\s.]+[a-z]+)*)\s*$""",
    re.IGNORECASE | re.VERBOSE,
)


def _roman_value(text: str) -> int:
    values = {"i": 1, "v": 5, "x": 10, "l": 50, "c": 100}
    total = 0
    for i, ch in enumerate(text):
        v = values[ch]
        total += -v if i + 1 < len(text) and values[text[i + 1]] > v else v
    return total


def _letter_value(text: str) -> int:
    if len(set(text)) != 1 or text[0] not in _LATIN:
        raise ValueError(text)
    return (len(text) - 1) * len(_LATIN) + _LATIN.index(text[0])


def resolve(resolution: Resolution, text: str) -> Located:
    """Find the paragraph a reference names; raise :class:`RefError` when none does."""
    if len(text or "") > 64:
        raise RefError(f"{(text or '')[:40]!r}…: a reference is short, like 'OP 3(b)(ii)' "
                       "or 'Annex 1 OP 2'")
    match = _REF.match(text or "")
    if not match:
        raise RefError(
            f"cannot read the reference {text!r}: write it like 'PP 2', 'OP 3', 'OP 3(b)', "
            "'OP 3(b)(ii)' or 'Annex 1 OP 2'"
        )
    annex = None
    if match["annex"]:
        raw = match["annex"].lower()
        annex = int(raw) - 1 if raw.isdigit() else _roman_value(raw) - 1
    section = SECTION_PREAMBLE if match["kind"].lower() == "pp" else SECTION_OPERATIVE
    parts = [p for p in re.split(r"[\s().]+", match["rest"].lower()) if p]
    try:
        path = [int(match["num"]) - 1]
        if parts:
            path.append(_letter_value(parts[0]))
        if len(parts) > 1:
            path.append(_roman_value(parts[1]) - 1)
        if len(parts) > 2:
            raise ValueError(parts)
    except (ValueError, KeyError):
        raise RefError(f"cannot read the reference {text!r}: items are letters, "
                       "sub-items roman numerals, e.g. 'OP 3(b)(ii)'") from None
    for located in resolution.walk():
        if (located.annex == annex and located.section == section
                and list(located.path) == path):
            return located
    raise RefError(f"{text!r} names no paragraph in this version "
                   f"(it has {_summary(resolution, annex)})")


def _summary(resolution: Resolution, annex: int | None) -> str:
    if annex is not None and annex >= len(resolution.annexes):
        return f"{len(resolution.annexes)} annex(es)"
    holder = resolution if annex is None else resolution.annexes[annex]
    return f"{len(holder.preamble)} preambular and {len(holder.operative)} operative paragraphs"


def annex_heading(index: int, count: int, lang: str) -> str:
    """"Annex" / "Приложение" / "附件", numbered when there is more than one annex."""
    word = {"ru": "Приложение", "zh": "附件", "fr": "Annexe", "es": "Anexo",
            "pt": "Anexo"}.get(lang, "Annex")
    if count <= 1:
        return word
    if lang == "zh":
        return f"{word}{_CHINESE_DIGITS[index + 1] if index < 10 else index + 1}"
    return f"{word} {roman(index + 1).upper()}"
