"""Numbering by language convention, and language-neutral paragraph references.

Operative paragraphs are numbered ``1.``, ``2.`` (Arabic ``1 -``); items ``(a)`` (Russian
``а)``, Arabic ``(أ)``); sub-items ``(i)`` (Russian ``i)``, Chinese ``㈠``) — every
language's convention is in :mod:`drafts.languages`, and an item keeps the label style its
source names (``label: roman``). A lone operative paragraph is not numbered. Preambular
paragraphs carry no number. References are written the same way in every language, in
the form reviewers use: ``PP 2``, ``OP 3(b)(ii)``, ``Annex 1 OP 2`` (an item labelled
``(ii)`` in the text is ``OP 3(ii)``).
"""

from __future__ import annotations

import re
from functools import cache

from drafts.errors import RefError
from drafts.languages import REGISTRY, item_glyph, item_label, to_digits
from drafts.model import SECTION_OPERATIVE, SECTION_PREAMBLE, Located, Paragraph, Resolution

__all__ = ["letter", "roman", "label", "label_style", "ref", "refs", "resolve",
           "annex_heading"]

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


def label_style(located: Located, lang: str = "en") -> str:
    """The label style of an item: as its source names it, else the language's default for
    its depth (``letter`` for items, ``roman`` for sub-items in most languages)."""
    if located.paragraph.label:
        return located.paragraph.label
    styles = REGISTRY[lang].depth_styles if lang in REGISTRY else ("letter", "roman")
    return styles[min(located.depth, 2) - 1]


def label(resolution: Resolution, located: Located, lang: str) -> str:
    """The printed label of a paragraph in one language ("" when unnumbered)."""
    index = located.path[-1]
    if located.depth == 0:
        if located.section == SECTION_PREAMBLE:
            return ""
        if len(_section_of(resolution, located)) == 1:
            return ""
        template = REGISTRY[lang].operative if lang in REGISTRY else "{}."
        return template.format(to_digits(index + 1, lang))
    return item_label(label_style(located, lang), index, lang)


def _ref_glyph(located: Located) -> str:
    """An item's part of a reference, in the English form of its label style."""
    style = located.paragraph.label or ("letter", "roman")[min(located.depth, 2) - 1]
    return item_glyph(style, located.path[-1], "en")


def ref(located: Located, resolution: Resolution | None = None) -> str:
    """The language-neutral reference of a paragraph: ``OP 3(b)(ii)``.

    An item's part follows its label style (``OP 3(ii)`` for an item labelled ``(ii)``);
    a sub-item's needs its parent's, from ``resolution`` (without it, by depth)."""
    kind = "PP" if located.section == SECTION_PREAMBLE else "OP"
    text = f"{kind} {located.path[0] + 1}"
    if located.depth == 1:
        text += f"({_ref_glyph(located)})"
    elif located.depth >= 2:
        parent = _item_at(resolution, located, 1) if resolution is not None else None
        text += f"({_ref_glyph(parent or _depth_only(located, 1))})"
    if located.depth >= 2:
        text += f"({_ref_glyph(located)})"
    if located.annex is not None:
        text = f"Annex {located.annex + 1} {text}"
    return text


def _depth_only(located: Located, depth: int) -> Located:
    """A stand-in for the ancestor at ``depth`` when the tree is not at hand (its style
    unknown: the default one)."""
    from drafts.model import Paragraph

    return Located(Paragraph("", {}), located.section, located.path[:depth + 1], located.annex)


def _item_at(resolution: Resolution, located: Located, depth: int) -> Located | None:
    holder = resolution if located.annex is None else resolution.annexes[located.annex]
    chain = holder.preamble if located.section == SECTION_PREAMBLE else holder.operative
    paragraph = None
    try:
        for index in located.path[:depth + 1]:
            paragraph = chain[index]
            chain = paragraph.items
    except IndexError:
        return None
    if paragraph is None:
        return None
    if depth == located.depth:
        return located
    return Located(paragraph, located.section, located.path[:depth + 1], located.annex)


def refs(resolution: Resolution) -> dict[str, str]:
    """Paragraph id → reference, for every paragraph in the resolution."""
    return {loc.paragraph.id: ref(loc, resolution) for loc in resolution.walk()}


#: a reference as :func:`_as_typed` leaves it ("Annex 1 OP 3(b)(ii)")
_REF = (
    r"""^\s*(?:annex\s*(?P<annex>\d+|[ivxlc]+)\s*[,:]?\s*)?
        (?P<kind>pp|op)\s*\.?\s*(?P<num>\d+)\s*\.?
        (?P<rest>(?:\s*\(\s*[a-z0-9]+\s*\)|[\s.]+[a-z0-9]+)*)\s*$""")


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


@cache
def _readers() -> tuple[re.Pattern[str], ...]:
    """The patterns that read a typed reference: :data:`_REF`, then the Russian and Chinese
    words for Annex, OP and PP and the Chinese ordinal. Compiled at the first reference
    read, not at import: numbering, rendering and the parity rules read none."""
    return (re.compile(_REF, re.IGNORECASE | re.VERBOSE),
            re.compile(r"(?:приложение|прил\.|附件)\s*", re.IGNORECASE),
            re.compile(r"(?:执行(?:部分|段落|段)?|ОП|Оп|оп)\s*(?=(?:第\s*)?\d)"),
            re.compile(r"(?:序言(?:部分|段落|段)?|ПП|Пп|пп)\s*(?=(?:第\s*)?\d)"),
            re.compile(r"第\s*(\d+)\s*(?:段|项)?"))


def _as_typed(text: str) -> str:
    """A reference as people type it, in the form :data:`_REF` reads: Russian and Chinese
    words for OP, PP and Annex, full-width brackets, and Russian item letters (а, б, в…),
    which are read by their place in the Russian alphabet, as the Russian text prints them."""
    _, annex_word, op_word, pp_word, ordinal = _readers()
    out = annex_word.sub("Annex ", text)
    out = op_word.sub("OP ", out)
    out = pp_word.sub("PP ", out)
    out = ordinal.sub(r"\1 ", out)
    out = out.replace("（", "(").replace("）", ")").replace("，", ",").replace("：", ":")
    for index, glyph in enumerate("㈠㈡㈢㈣㈤㈥㈦㈧㈨㈩"):  # Chinese sub-items as printed
        out = out.replace(glyph, f"({roman(index + 1)})")
    if not any(ch in _CYRILLIC for ch in out.lower()):
        return out
    return "".join(letter(_CYRILLIC.index(ch)) if ch in _CYRILLIC else ch for ch in out.lower())


def resolve(resolution: Resolution, text: str) -> Located:
    """Find the paragraph a reference names; raise :class:`RefError` when none does.

    ``OP 3(b)``, ``PP 2``, ``Annex 1 OP 2``; also ``ОП 2(а)`` and ``执行段落 2`` — see
    :func:`_as_typed`."""
    if len(text or "") > 64:
        raise RefError(f"{(text or '')[:40]!r}…: a reference is short, like 'OP 3(b)(ii)' "
                       "or 'Annex 1 OP 2'")
    match = _readers()[0].match(_as_typed(text or ""))
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
    if len(parts) > 2:
        raise RefError(f"cannot read the reference {text!r}: items are letters, "
                       "sub-items roman numerals, e.g. 'OP 3(b)(ii)'")
    number = int(match["num"]) - 1
    for located in resolution.walk():  # as printed: by each item's own label style
        if (located.annex == annex and located.section == section
                and located.path[0] == number and located.depth == len(parts)
                and _glyphs(resolution, located) == parts):
            return located
    try:  # by position: letters for items, roman numerals for sub-items
        path = [number]
        if parts:
            path.append(_letter_value(parts[0]))
        if len(parts) > 1:
            path.append(_roman_value(parts[1]) - 1)
    except (ValueError, KeyError):
        raise RefError(f"cannot read the reference {text!r}: items are letters, "
                       "sub-items roman numerals, e.g. 'OP 3(b)(ii)'") from None
    for located in resolution.walk():
        if (located.annex == annex and located.section == section
                and list(located.path) == path):
            return located
    raise RefError(f"{text!r} names no paragraph in this version "
                   f"(it has {_summary(resolution, annex)})")


def _glyphs(resolution: Resolution, located: Located) -> list[str]:
    out = []
    for depth in range(1, located.depth + 1):
        item = _item_at(resolution, located, depth)
        out.append(_ref_glyph(item) if item is not None else "")
    return out


def _summary(resolution: Resolution, annex: int | None) -> str:
    if annex is not None and annex >= len(resolution.annexes):
        return f"{len(resolution.annexes)} annex(es)"
    holder = resolution if annex is None else resolution.annexes[annex]
    return f"{len(holder.preamble)} preambular and {len(holder.operative)} operative paragraphs"


_ANNEX_WORDS = {"ru": "Приложение", "zh": "附件", "fr": "Annexe", "es": "Anexo",
                "pt": "Anexo", "ar": "المرفق", "fa": "پیوست", "hi": "अनुबंध", "am": "አባሪ",
                "id": "Lampiran"}


def annex_heading(index: int, count: int, lang: str) -> str:
    """"Annex" / "Приложение" / "附件", numbered when there is more than one annex."""
    word = _ANNEX_WORDS.get(lang, "Annex")
    if count <= 1:
        return word
    if lang == "zh":
        return f"{word}{_CHINESE_DIGITS[index + 1] if index < 10 else index + 1}"
    if lang in ("ar", "fa", "hi", "am"):
        return f"{word} {to_digits(index + 1, lang)}"
    return f"{word} {roman(index + 1).upper()}"
