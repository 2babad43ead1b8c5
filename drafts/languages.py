"""The languages a resolution can be written, checked and rendered in.

BRICS members' languages and the six of the United Nations: Russian, Chinese, English,
Portuguese, Arabic, Persian, Hindi, Amharic, Indonesian, Spanish and French. Each
:class:`Language` says how its text is set (script, direction, the Noto face that covers
it and whether that face has an italic), how its dates are written (the Babel locale)
and how paragraphs and items are numbered.

Numbering follows the practice of the United Nations for its six languages: operative
paragraphs ``1.`` (Arabic ``1 -``), items ``(a)`` in English and Chinese, ``a)`` in French,
Spanish and Russian (``а)``, the Russian alphabet), ``(أ)`` in the Arabic abjad order,
sub-items ``(i)``, ``i)``, Chinese ``㈠``, Arabic ``‘1’``. For the others the national
drafting practice: Portuguese ``a)``/``i)`` as in the Spanish and French texts; Persian the
Persian alphabet ``(الف)``, ``(ب)``, ``(پ)`` and Persian digits; Hindi ``(क)``, ``(ख)`` and
``(i)`` as in the Hindi texts of Indian statutes; Amharic ``ሀ)``, ``ለ)`` and ``(1)`` as in
Ethiopian proclamations; Indonesian ``a.`` and ``1)`` as in Indonesian legislation.

A source may keep a list's own label style (``label: roman`` on an item: items numbered
``(i)``, ``(ii)`` at the first level, as UN texts sometimes do); every language prints
that style its own way.
"""

from collections.abc import Mapping
from typing import NamedTuple

__all__ = ["Language", "REGISTRY", "SUPPORTED", "LABEL_STYLES", "language", "supported",
           "is_rtl", "to_digits", "item_glyph", "item_label"]

#: Label styles a source may name (``label: roman``); the default is by depth.
LABEL_STYLES = ("letter", "roman", "number")

_LATIN = tuple("abcdefghijklmnopqrstuvwxyz")
_RUSSIAN = tuple("абвгдежзиклмнопрстуфхцчшщэюя")
_ABJAD = ("أ", "ب", "ج", "د", "هـ", "و", "ز", "ح", "ط", "ي", "ك", "ل", "م", "ن", "س", "ع",
          "ف", "ص", "ق", "ر", "ش", "ت", "ث", "خ", "ذ", "ض", "ظ", "غ")
_PERSIAN = ("الف", "ب", "پ", "ت", "ث", "ج", "چ", "ح", "خ", "د", "ذ", "ر", "ز", "ژ", "س", "ش",
            "ص", "ض", "ط", "ظ", "ع", "غ", "ف", "ق", "ک", "گ", "ل", "م", "ن", "و", "ه", "ی")
_DEVANAGARI = tuple("कखगघङचछजझञटठडढणतथदधनपफबभमयरलवशषसह")
_ETHIOPIC = ("ሀ", "ለ", "ሐ", "መ", "ሠ", "ረ", "ሰ", "ሸ", "ቀ", "በ", "ተ", "ቸ", "ኀ", "ነ", "ኘ", "አ",
             "ከ", "ኸ", "ወ", "ዐ", "ዘ", "ዠ", "የ", "ደ", "ጀ", "ገ", "ጠ", "ጨ", "ጰ", "ጸ", "ፀ", "ፈ",
             "ፐ")
_PERSIAN_DIGITS = "۰۱۲۳۴۵۶۷۸۹"
_CJK_ROMAN = "㈠㈡㈢㈣㈤㈥㈦㈧㈨㈩"


class Language(NamedTuple):
    """One language: names, script, fonts, dates and numbering."""

    code: str
    english: str                 # "Arabic"
    own: str                     # "العربية"
    script: str                  # ISO 15924: Latn, Cyrl, Hans, Arab, Deva, Ethi
    tag: str                     # BCP 47 tag of HTML lang attributes ("zh-Hans")
    word_tag: str                # the w:lang value in DOCX ("ar-SA")
    locale: str                  # the Babel locale of dates and numbers
    font: str                    # the serif face named in CSS and DOCX
    sans: str                    # its sans companion (symbols the serif lacks)
    italic: bool = True          # the face has an italic; else openers print bold
    rtl: bool = False
    un: bool = False             # an official language of the United Nations
    decimal_comma: bool = False
    letters: tuple[str, ...] = _LATIN
    operative: str = "{}."       # the label of an operative paragraph
    letter: str = "({})"         # item labels, by style
    roman: str = "({})"
    number: str = "({})"
    depth_styles: tuple[str, str] = ("letter", "roman")  # items, sub-items by default
    digits: str = "0123456789"   # the digits labels are written with
    list_separator: str = ", "   # between names in a list
    cjk: bool = False

    @property
    def direction(self) -> str:
        return "rtl" if self.rtl else "ltr"


def _lang(**kwargs: object) -> Language:
    return Language(**kwargs)  # type: ignore[arg-type]


_SERIF = "Noto Serif"
REGISTRY: Mapping[str, Language] = {lang.code: lang for lang in (
    _lang(code="ru", english="Russian", own="Русский", script="Cyrl", tag="ru",
          word_tag="ru-RU", locale="ru", font=_SERIF, sans="Noto Sans", un=True,
          decimal_comma=True, letters=_RUSSIAN, letter="{})", roman="{})", number="{})"),
    _lang(code="zh", english="Chinese", own="中文", script="Hans", tag="zh-Hans",
          word_tag="zh-CN", locale="zh_Hans_CN", font="Noto Serif CJK SC",
          sans="Noto Sans CJK SC", italic=False, un=True, list_separator="、", cjk=True,
          roman="{}"),
    _lang(code="en", english="English", own="English", script="Latn", tag="en",
          word_tag="en-GB", locale="en_GB", font=_SERIF, sans="Noto Sans", un=True),
    _lang(code="pt", english="Portuguese", own="Português", script="Latn", tag="pt",
          word_tag="pt-BR", locale="pt_BR", font=_SERIF, sans="Noto Sans",
          decimal_comma=True, letter="{})", roman="{})", number="{})"),
    _lang(code="ar", english="Arabic", own="العربية", script="Arab", tag="ar",
          word_tag="ar-SA", locale="ar", font="Noto Naskh Arabic", sans="Noto Sans Arabic",
          italic=False, rtl=True, un=True, letters=_ABJAD, operative="{} -",
          roman="‘{}’", list_separator="، "),
    _lang(code="fa", english="Persian", own="فارسی", script="Arab", tag="fa",
          word_tag="fa-IR", locale="fa_IR", font="Noto Naskh Arabic",
          sans="Noto Sans Arabic", italic=False, rtl=True, decimal_comma=True,
          letters=_PERSIAN, digits=_PERSIAN_DIGITS, list_separator="، "),
    _lang(code="hi", english="Hindi", own="हिन्दी", script="Deva", tag="hi",
          word_tag="hi-IN", locale="hi_IN", font="Noto Serif Devanagari",
          sans="Noto Sans Devanagari", italic=False, letters=_DEVANAGARI),
    _lang(code="am", english="Amharic", own="አማርኛ", script="Ethi", tag="am",
          word_tag="am-ET", locale="am_ET", font="Noto Serif Ethiopic",
          sans="Noto Sans Ethiopic", italic=False, letters=_ETHIOPIC, letter="{})",
          depth_styles=("letter", "number"), list_separator="፣ "),
    _lang(code="id", english="Indonesian", own="Bahasa Indonesia", script="Latn", tag="id",
          word_tag="id-ID", locale="id_ID", font=_SERIF, sans="Noto Sans",
          decimal_comma=True, letter="{}.", number="{})", depth_styles=("letter", "number")),
    _lang(code="es", english="Spanish", own="Español", script="Latn", tag="es",
          word_tag="es-ES", locale="es_ES", font=_SERIF, sans="Noto Sans", un=True,
          decimal_comma=True, letter="{})", roman="{})", number="{})"),
    _lang(code="fr", english="French", own="Français", script="Latn", tag="fr",
          word_tag="fr-FR", locale="fr_FR", font=_SERIF, sans="Noto Sans", un=True,
          decimal_comma=True, letter="{})", roman="{})", number="{})"),
)}

#: Every supported language code, in the registry's order.
SUPPORTED: tuple[str, ...] = tuple(REGISTRY)


def supported() -> str:
    """"ru (Russian), zh (Chinese), …" — for messages that list what is accepted."""
    return ", ".join(f"{lang.code} ({lang.english})" for lang in REGISTRY.values())


def language(code: str) -> Language:
    """The language of a code; a ``KeyError`` naming the supported ones when unknown."""
    try:
        return REGISTRY[code]
    except KeyError:
        raise KeyError(f"unknown language {code!r}; supported: {supported()}") from None


def is_rtl(code: str) -> bool:
    found = REGISTRY.get(code)
    return bool(found and found.rtl)


def to_digits(number: int, code: str) -> str:
    """``number`` in the digits the language writes labels with (Persian ۱۲)."""
    digits = REGISTRY[code].digits if code in REGISTRY else "0123456789"
    return "".join(digits[int(d)] for d in str(number))


def _roman(number: int) -> str:
    out = []
    for value, glyph in ((1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"),
                         (90, "xc"), (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"),
                         (4, "iv"), (1, "i")):
        while number >= value:
            out.append(glyph)
            number -= value
    return "".join(out)


def item_glyph(style: str, index: int, code: str) -> str:
    """The bare glyph of the ``index``-th (0-based) item in a style: ``b``, ``ii``, ``2``,
    ``ب``, ``㈡``."""
    lang = REGISTRY.get(code, REGISTRY["en"])
    if style == "letter":
        count, rest = divmod(index, len(lang.letters))
        return lang.letters[rest] * (count + 1)
    if style == "roman":
        if lang.cjk and index < len(_CJK_ROMAN):
            return _CJK_ROMAN[index]
        if lang.rtl:
            return to_digits(index + 1, code)  # Arabic texts number sub-items ‘1’, ‘2’
        return _roman(index + 1)
    return to_digits(index + 1, code)


def item_label(style: str, index: int, code: str) -> str:
    """The printed label of an item: ``(b)``, ``б)``, ``(ب)``, ``‘2’``, ``㈡``, ``b.``."""
    lang = REGISTRY.get(code, REGISTRY["en"])
    glyph = item_glyph(style, index, code)
    if style == "roman" and lang.cjk and index >= len(_CJK_ROMAN):
        return f"({_roman(index + 1)})"
    template = {"letter": lang.letter, "roman": lang.roman, "number": lang.number}[style]
    return template.format(glyph)
