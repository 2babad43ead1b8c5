"""The level of an item in a Word draft, from the style of its label, not from its order.

Drafters type (or Word numbers) the labels of items: ``(a)``, ``(b)`` … sub-items
``(i)``, ``(ii)`` — but UN texts also have items labelled ``(i)``, ``(ii)`` right under a
paragraph, and ``(h)``, ``(i)``, ``(j)`` are letters. A label is read as a *glyph* (``i``,
``b``, ``2``) that several styles may share; :class:`Lists` follows the lists open under
the current operative paragraph and places each label where it continues a list (the next
letter, the next numeral), or starts a list where it is the first of a style (``a``,
``i``, ``1``): a first list is the items, a list started inside it the sub-items. The
style of each list is kept (``label: roman``) when it is not the usual one for its depth.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Lists", "read_label", "glyph_of", "DEFAULT_STYLES"]

#: The usual label style of items and sub-items (a source names any other with `label:`).
DEFAULT_STYLES = ("letter", "roman")

_LATIN = "abcdefghijklmnopqrstuvwxyz"
_CYRILLIC = "абвгдежзиклмнопрстуфхцчшщэюя"
_ROMAN_VALUES = {"i": 1, "v": 5, "x": 10, "l": 50, "c": 100}
_CJK_ROMAN = "㈠㈡㈢㈣㈤㈥㈦㈧㈨㈩"
_ITEM = re.compile(r"^(?:\(\s*([a-z]{1,4}|[а-яё]{1,2}|\d{1,2})\s*\)|([a-z]{1,4}|[а-яё])\))\s*"
                   r"|^([㈠-㈩])\s*")


def _roman(number: int) -> str:
    out = []
    for value, glyph in ((100, "c"), (90, "xc"), (50, "l"), (40, "xl"), (10, "x"), (9, "ix"),
                         (5, "v"), (4, "iv"), (1, "i")):
        while number >= value:
            out.append(glyph)
            number -= value
    return "".join(out)


def glyph_of(style: str, index: int) -> str:
    """The glyph of the ``index``-th (0-based) label of a style: ``b``, ``ii``, ``2``."""
    if style == "letter":
        count, rest = divmod(index, len(_LATIN))
        return _LATIN[rest] * (count + 1)
    if style == "roman":
        return _roman(index + 1)
    return str(index + 1)


def _index(glyph: str, style: str) -> int | None:
    """The place of a glyph in a style (0-based), or None when the style has no such."""
    if style == "letter":
        if glyph[0] in _CYRILLIC and len(set(glyph)) == 1:
            return (len(glyph) - 1) * len(_CYRILLIC) + _CYRILLIC.index(glyph[0])
        if glyph[0] in _LATIN and len(set(glyph)) == 1:
            return (len(glyph) - 1) * len(_LATIN) + _LATIN.index(glyph[0])
        return None
    if style == "roman":
        if not glyph or any(ch not in _ROMAN_VALUES for ch in glyph):
            return None
        total = 0
        for i, ch in enumerate(glyph):
            value = _ROMAN_VALUES[ch]
            after = _ROMAN_VALUES[glyph[i + 1]] if i + 1 < len(glyph) else 0
            total += -value if after > value else value
        return total - 1 if total and _roman(total) == glyph else None
    return int(glyph) - 1 if glyph.isdigit() and int(glyph) > 0 else None


def read_label(text: str) -> tuple[str, str] | None:
    """(glyph, the text after the label) when ``text`` starts with an item label:
    ``(a)``, ``a)``, ``(ii)``, ``ii)``, ``(3)``, ``б)``, ``㈡`` (Chinese sub-items, given as
    the roman glyph)."""
    probe = text.replace("（", "(").replace("）", ")")
    match = _ITEM.match(probe)
    if not match:
        return None
    if match.group(3):
        return _roman(_CJK_ROMAN.index(match.group(3)) + 1), text[match.end():]
    glyph = (match.group(1) or match.group(2) or "").lower()
    return glyph, text[match.end():]


@dataclass
class _List:
    style: str
    next: int


class Lists:
    """The item lists open under one operative paragraph (at most two: items, sub-items)."""

    def __init__(self) -> None:
        self.open: list[_List] = []

    def place(self, glyph: str, style: str | None = None) -> tuple[int, str]:
        """(depth 1 or 2, label style) of the label ``glyph``; ``style`` when the label's
        style is known (Word's numbering format)."""
        styles = [style] if style else ["letter", "roman", "number"]
        for depth, current in enumerate(self.open, start=1):
            if current.style in styles and _index(glyph, current.style) == current.next:
                current.next += 1
                del self.open[depth:]
                return depth, current.style
        first = self._first(glyph, styles)
        if first is not None:
            depth = 1 if not self.open else 2
            del self.open[depth - 1:]
            self.open.append(_List(first, 1))
            return depth, first
        # neither continuing nor starting a list (a skipped or repeated label): the items
        # list when its style fits, else a new list at the first free depth
        for depth, current in enumerate(self.open, start=1):
            found = _index(glyph, current.style)
            if current.style in styles and found is not None:
                current.next = found + 1
                del self.open[depth:]
                return depth, current.style
        chosen = next((s for s in styles if _index(glyph, s) is not None), styles[0])
        depth = min(len(self.open) + 1, 2)
        del self.open[depth - 1:]
        self.open.append(_List(chosen, (_index(glyph, chosen) or 0) + 1))
        return depth, chosen

    @staticmethod
    def _first(glyph: str, styles: list[str]) -> str | None:
        """The style of which ``glyph`` is the first label: ``a``/``а`` letter, ``i`` roman
        (a letter list starts at a), ``1`` number."""
        for style in ("roman", "letter", "number"):
            if style in styles and _index(glyph, style) == 0:
                return style
        return None
