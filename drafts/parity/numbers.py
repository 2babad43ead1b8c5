"""Numbers and dates that should be the same in every language version.

Each text is reduced to the multiset of the numbers it states: Arabic numerals in the
language's own writing ("2 030", "2,030", "2,5" in Russian, "2.5" in English), with
"million"/"млн"/"万" applied; number words (English "three", "third"; Russian "трех",
"третьего"); Chinese numerals (二〇三〇 → 2030, 二十 → 20, 三千五百 → 3500, 第三 → 3,
百分之三十 → 30); and month names next to a day or a year ("26 September 2024" → 26, 9,
2024, like "2024年9月26日"). The value 1 is left out everywhere: "one", "a", "一" and
"first" are too idiomatic to compare ("进一步", "统一"). Upper-case Roman numerals
("XVI саммит", "Annex II") count too.

An ordinal ends the number it is part of: it joins the tens or hundreds before it
("twenty-first" → 21, "двадцать первый" → 21, "one hundredth" → 100) but never the
cardinal next to it, so "the first two sites" states 2 (and 1, left out), like "первые две
площадки" and "首批两个站点".

The other languages' number words and months are read by
:mod:`drafts.parity.number_words`. A lone cardinal word from two to ten ("two", "двух",
"两份", "dois") is *soft*: a language may say it by grammar alone (the Arabic dual
"تقريري", "the two reports"), so a language that states no such word is not held to one
another states; a language that does state one must state the same.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, TypeAlias

from drafts.languages import REGISTRY
from drafts.markup import plain
from drafts.parity.caseless import WORD, fold
from drafts.parity.core import ERROR, Finding, Unit, lang_name

if TYPE_CHECKING:
    from decimal import Decimal

__all__ = ["numbers", "split", "chinese_numeral", "compare"]

#: a number read: a whole one as an int, a figure with a fractional part ("2,5") as a
#: Decimal (imported for such a figure only: most texts state whole numbers alone)
Value: TypeAlias = "int | Decimal"
#: (value, soft): see the module docstring.
Found = tuple[Value, bool]

#: the languages :mod:`drafts.parity.number_words` reads (its ``LANGUAGES``, a test holds
#: the two equal): that module is imported for a text in one of them only
WORD_LANGUAGES = ("pt", "es", "fr", "ar", "fa", "hi", "am", "id")

# -- Arabic numerals -----------------------------------------------------------------------

_DECIMAL_COMMA = {code for code, lang in REGISTRY.items() if lang.decimal_comma}
_SPACES = " \u00a0\u202f\u2009"
_NO_SPACES = dict.fromkeys(map(ord, _SPACES))
_ARABIC = re.compile(
    r"(?<![\d.,])(?P<num>\d{1,3}(?:[" + _SPACES + r"]\d{3})+(?![\d])"
    r"|\d{1,3}(?:,\d{3})+(?![\d])"
    r"|\d{1,3}(?:\.\d{3})+(?![\d])"
    r"|\d+(?:[.,]\d+)?)"
)
#: a digit: every figure and every date has one (what spares the scan of a text without)
_DIGIT = re.compile(r"\d")
_SCALES = [
    (re.compile(r"\s*(?:trillion|трлн\.?|триллион\w*)", re.I), 10 ** 12),
    (re.compile(r"\s*(?:billion|bn\b|млрд\.?|миллиард\w*)", re.I), 10 ** 9),
    (re.compile(r"\s*(?:million|mln\b|млн\.?|миллион\w*)", re.I), 10 ** 6),
    (re.compile(r"\s*(?:thousand|тыс\.?|тысяч\w*)", re.I), 1000),
    (re.compile(r"\s*[多余]?亿"), 10 ** 8),  # "200多万": more than two million
    (re.compile(r"\s*[多余]?万"), 10 ** 4),
]


@lru_cache(maxsize=16)
def _own_scales(lang: str) -> tuple[tuple[re.Pattern[str], int], ...]:
    """A language's own scale words after a figure ("2,5 bilhões", "25 करोड़", French
    "4 billions" = 4 × 10¹²), longest first, with Spanish and Portuguese "mil millones"
    (10⁹); tried before the English and Russian ones."""
    words: list[tuple[str, int]] = []
    if lang in WORD_LANGUAGES:  # the others have no scale words of their own
        from drafts.parity import number_words

        words = sorted(number_words.scale_words(lang).items(), key=lambda kv: -len(kv[0]))
    out = [(re.compile(r"\s*mil\s+(?:millones|milhões)\b", re.I), 10 ** 9)]
    out += [(re.compile(r"\s*(?:de\s+)?" + re.escape(word) + r"(?![\w\u0900-\u097f])", re.I),
             value) for word, value in words]
    return tuple(out)


def _arabic_value(raw: str, lang: str) -> Value | None:
    compact = raw.translate(_NO_SPACES)
    if re.fullmatch(r"\d{1,3}(?:,\d{3})+", compact) and lang not in _DECIMAL_COMMA:
        compact = compact.replace(",", "")
    elif re.fullmatch(r"\d{1,3}(?:\.\d{3})+", compact) and lang in _DECIMAL_COMMA:
        compact = compact.replace(".", "")
    else:
        compact = compact.replace(",", ".")
    if "." not in compact:
        return int(compact)  # (digits alone, of any script: int reads them all)
    from decimal import Decimal, InvalidOperation

    try:
        return Decimal(compact)
    except InvalidOperation:  # "1.000.000" where a full stop marks decimals
        return None


def _arabic(text: str, lang: str) -> list[Value]:
    out: list[Value] = []
    if not _DIGIT.search(text):
        return out  # every numeral has a digit
    scales = list(_own_scales(lang)) + _SCALES
    for match in _ARABIC.finditer(text):
        value = _arabic_value(match["num"], lang)
        if value is None:
            continue
        after = text[match.end():]
        for pattern, factor in scales:
            if pattern.match(after):
                value *= factor
                break
        out.append(value)
    return out


# -- months --------------------------------------------------------------------------------

_EN_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
              "September", "October", "November", "December"]
#: each Russian month's stem and the endings it takes ("сентябр" + "ь", "я", "е")
_RU_MONTHS = [("январ", "ьяе"), ("феврал", "ьяе"), ("март", ("", "а", "е")),
              ("апрел", "ьяе"), ("ма", "йяе"), ("июн", "ьяе"), ("июл", "ьяе"),
              ("август", ("", "а", "е")), ("сентябр", "ьяе"), ("октябр", "ьяе"),
              ("ноябр", "ьяе"), ("декабр", "ьяе")]
#: a month's word → its number: English as written (capitalised), Russian in any case
#: (the key is the word's :func:`~drafts.parity.caseless.fold`: ᲀ for в is в)
_MONTH: dict[str, dict[str, int]] = {
    "en": {name: n for n, name in enumerate(_EN_MONTHS, 1)},
    "ru": {stem + ending: n for n, (stem, endings) in enumerate(_RU_MONTHS, 1)
           for ending in endings},
}


def _months(text: str, lang: str) -> list[Value]:
    if lang not in _MONTH or not _DIGIT.search(text):
        return []  # a month counts next to a day or a year only: a text without a digit has none
    forms = _MONTH[lang]
    out: list[Value] = []
    for match in WORD.finditer(text):  # a month is a whole word
        index = forms.get(match.group() if lang == "en" else fold(match.group()))
        if index is None:
            continue
        before, after = text[:match.start()], text[match.end():]
        if not (re.search(r"\d{1,2}(?:st|nd|rd|th|-?го)?\s*$", before)
                or re.match(r"\s+\d{1,4}\b", after)):
            continue  # "May" the verb, "в марте" without a date
        out.append(index)
    return out


# -- number words --------------------------------------------------------------------------

_EN_UNITS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
             "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen",
             "seventeen", "eighteen", "nineteen"]
_EN_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
            "eighty": 80, "ninety": 90}
_EN_ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6,
                "seventh": 7, "eighth": 8, "ninth": 9, "tenth": 10, "eleventh": 11,
                "twelfth": 12, "thirteenth": 13, "fourteenth": 14, "fifteenth": 15,
                "sixteenth": 16, "seventeenth": 17, "eighteenth": 18, "nineteenth": 19,
                "twentieth": 20, "thirtieth": 30, "fortieth": 40, "fiftieth": 50,
                "sixtieth": 60, "seventieth": 70, "eightieth": 80, "ninetieth": 90,
                "hundredth": 100}
_EN_WORDS = {**{w: i for i, w in enumerate(_EN_UNITS) if i}, **_EN_TENS, **_EN_ORDINALS,
             "hundred": 100, "thousand": 1000, "million": 10**6, "billion": 10**9,
             "twice": 2, "thrice": 3, "decade": 10, "decades": 10}

_RU_CARDINAL = {
    2: "два две двух двум двумя", 3: "три трех трёх трем трём тремя",
    4: "четыре четырех четырёх четырем четырём четырьмя", 5: "пять пяти пятью",
    6: "шесть шести шестью", 7: "семь семи", 8: "восемь восьми восемью",
    9: "девять девяти девятью", 10: "десять десяти десятью",
    11: "одиннадцать одиннадцати", 12: "двенадцать двенадцати", 13: "тринадцать тринадцати",
    14: "четырнадцать четырнадцати", 15: "пятнадцать пятнадцати",
    16: "шестнадцать шестнадцати", 17: "семнадцать семнадцати",
    18: "восемнадцать восемнадцати", 19: "девятнадцать девятнадцати",
    20: "двадцать двадцати двадцатью", 30: "тридцать тридцати", 40: "сорок сорока",
    50: "пятьдесят пятидесяти", 60: "шестьдесят шестидесяти", 70: "семьдесят семидесяти",
    80: "восемьдесят восьмидесяти", 90: "девяносто девяноста", 100: "сто ста",
    200: "двести двухсот", 300: "триста трехсот трёхсот", 400: "четыреста четырехсот",
    500: "пятьсот пятисот",
}
_RU_SCALE = {"тысяча": 1000, "тысячи": 1000, "тысячу": 1000, "тысяч": 1000,
             "миллион": 10**6, "миллиона": 10**6, "миллионов": 10**6,
             "миллиард": 10**9, "миллиарда": 10**9, "миллиардов": 10**9}
_RU_ORDINAL_STEMS = {1: "перв", 2: "втор", 3: "треть", 4: "четверт|четвёрт", 5: "пят",
                     6: "шест", 7: "седьм", 8: "восьм", 9: "девят", 10: "десят",
                     11: "одиннадцат", 12: "двенадцат", 13: "тринадцат", 14: "четырнадцат",
                     15: "пятнадцат", 16: "шестнадцат", 17: "семнадцат", 18: "восемнадцат",
                     19: "девятнадцат", 20: "двадцат", 30: "тридцат", 40: "сороков",
                     50: "пятидесят", 60: "шестидесят", 70: "семидесят", 80: "восьмидесят",
                     90: "девяност", 100: "сот"}
_RU_ADJ = r"(?:ый|ой|ий|ая|ое|ые|ого|ому|ым|ом|ую|ых|ыми|ей|я|е|и|его|ему|им|ем|ю|их|ими)"
_RU_WORDS = {w: n for n, forms in _RU_CARDINAL.items() for w in forms.split()}
_RU_WORDS.update(_RU_SCALE)
_RU_WORDS.update({"дважды": 2, "трижды": 3, "десятилетие": 10, "десятилетия": 10,
                  "десятилетию": 10, "десятилетием": 10, "десятилетии": 10})
#: every ordinal form → its value: one stem, then one ending (a form two stems could make
#: is the first stem's, as the stems tried in order would read it)
_RU_ORDINAL: dict[str, int] = {}
for _n, _stems in _RU_ORDINAL_STEMS.items():
    for _stem in _stems.split("|"):
        for _ending in _RU_ADJ[3:-1].split("|"):
            _RU_ORDINAL.setdefault(_stem + _ending, _n)
del _n, _stems, _stem, _ending
_RU_NOT_ORDINAL = {"трети", "треть", "пяти", "шести", "десяти", "девяти", "восьми",
                   "двадцати", "тридцати", "пятью", "шестью", "девятью", "десятью",
                   "восемью", "семи"}


def _word_value(word: str, lang: str) -> tuple[int, bool] | None:
    """The value of a number word and whether it is an ordinal."""
    word = word.lower().replace("ё", "е") if lang == "ru" else word.lower()
    if lang == "en":
        value = _EN_WORDS.get(word)
        return None if value is None else (value, word in _EN_ORDINALS)
    if lang == "ru":
        if word in _RU_WORDS:
            return _RU_WORDS[word], False
        if word in _RU_NOT_ORDINAL:
            return None
        if word in _RU_ORDINAL:
            return _RU_ORDINAL[word], True
    return None


def _joins(run: list[int], ordinal: int) -> bool:
    """Whether an ordinal completes the cardinal before it: a unit after tens
    ("twenty-first"), or a scale word ("one hundredth"); else it stands alone."""
    last = run[-1]
    if ordinal >= 100:
        return ordinal > last
    return ordinal < 10 and (last >= 100 or (last >= 20 and last % 10 == 0))


def _combine(values: list[int]) -> int:
    total = current = 0
    for value in values:
        if value == 100:
            current = max(current, 1) * 100
        elif value >= 1000:
            total += max(current, 1) * value
            current = 0
        else:
            current += value
    return total + current


def _words(text: str, lang: str) -> list[Found]:
    if lang not in ("en", "ru"):
        if lang not in WORD_LANGUAGES:
            return []  # Chinese numerals are read by _chinese
        from drafts.parity import number_words

        return [*number_words.words(text, lang)]
    out: list[Found] = []
    run: list[int] = []
    for token in re.findall(r"[^\W\d_]+|[^\s\w]|\d+", text):
        found = None if token.isdigit() else _word_value(token, lang)
        if found is not None:
            value, ordinal = found
            if ordinal:  # the end of its number: "first two" is 1 and 2, not 3
                if run and not _joins(run, value):
                    out.extend(_flush(run))
                    run = []
                out.extend((v, False) for v, _soft in _flush([*run, value]))
                run = []
            else:
                run.append(value)
            continue
        if token == "-" and run:
            continue  # twenty-five
        if run:
            out.extend(_flush(run))
            run = []
    if run:
        out.extend(_flush(run))
    return out


def _flush(run: list[int]) -> list[Found]:
    if all(v >= 1000 for v in run):  # "thousands", a lone "million": no figure stated
        return []
    value = _combine(run)
    return [(value, len(run) == 1 and 2 <= value <= 10)]


# -- Chinese numerals ----------------------------------------------------------------------

_ZH_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6,
              "七": 7, "八": 8, "九": 9}
_ZH_UNITS = {"十": 10, "百": 100, "千": 1000}
_ZH_BIG = {"万": 10**4, "亿": 10**8}
_ZH_TOKEN = re.compile(r"[〇零一二两三四五六七八九十百千万亿]+")
_ZH_MEASURE = "个项条点届次年月日号名位种类倍周岁天国家方部阶期轮份所座颗枚批台张架艘只篇层级"
_ZH_IDIOMS = {"十分", "千万", "万一", "万分", "百分"}


def chinese_numeral(token: str) -> int:
    """Value of a Chinese numeral: 二〇三〇 → 2030, 二十 → 20, 三千五百 → 3500, 十五 → 15."""
    if len(token) > 1 and all(c in _ZH_DIGITS for c in token):
        return int("".join(str(_ZH_DIGITS[c]) for c in token))
    total = section = number = 0
    for char in token:
        if char in _ZH_DIGITS:
            number = _ZH_DIGITS[char]
        elif char in _ZH_UNITS:
            section += (number or 1) * _ZH_UNITS[char]
            number = 0
        elif char in _ZH_BIG:
            total += (section + number or 1) * _ZH_BIG[char]
            section = number = 0
    return total + section + number


def _chinese(text: str) -> list[Found]:
    out: list[Found] = []
    for match in _ZH_TOKEN.finditer(text):
        token = match.group()
        before, after = text[:match.start()], text[match.end():]
        if before[-1:].isdigit():
            continue  # the 万 of "1000万" is applied with the Arabic numeral
        idiom = any((token + after).startswith(i) and len(token) < len(i) for i in _ZH_IDIOMS)
        if idiom or token in _ZH_IDIOMS or (token == "两" and after[:1] in "国岸者"):
            continue
        digits_only = all(c in _ZH_DIGITS for c in token)
        if digits_only and len(token) > 1:
            accepted = "〇" in token or "零" in token or after.startswith("年")
            if not accepted:
                continue
        elif not (before.endswith(("第", "百分之", "附件"))
                  or any(c in _ZH_UNITS or c in _ZH_BIG for c in token)
                  or after[:1] in _ZH_MEASURE):
            continue
        if all(c in _ZH_BIG or c in "百千" for c in token):
            continue  # a lone 万/千: "thousands", not a figure
        value = chinese_numeral(token)
        counted = before.endswith(("第", "百分之", "附件"))
        out.append((value, not counted and 2 <= value <= 10))
    return out


# -- Roman numerals ------------------------------------------------------------------------

_ROMAN = re.compile(r"(?<![\w-])[IVXL]{2,7}(?![\w-])")
_ROMAN_VALUES = {"I": 1, "V": 5, "X": 10, "L": 50}


def _roman(text: str) -> list[Value]:
    """Upper-case Roman numerals of two letters or more ("XVI саммит", "Annex II")."""
    out: list[Value] = []
    if not any(letter in text for letter in _ROMAN_VALUES):
        return out  # not one of the letters a numeral is written with
    for match in _ROMAN.finditer(text):
        token = match.group()
        total = 0
        for i, char in enumerate(token):
            value = _ROMAN_VALUES[char]
            following = _ROMAN_VALUES[token[i + 1]] if i + 1 < len(token) else 0
            total += -value if following > value else value
        if _to_roman(total) == token:  # a well-formed numeral, not "IIV" or "LL"
            out.append(total)
    return out


def _to_roman(number: int) -> str:
    out = []
    for value, glyph in ((50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"),
                         (1, "I")):
        while number >= value:
            out.append(glyph)
            number -= value
    return "".join(out)


# -- all together --------------------------------------------------------------------------

def split(text: str, lang: str) -> tuple[Counter[str], Counter[str]]:
    """The numbers a text states, as (hard, soft) multisets of normalised decimal strings
    (1 left out): soft ones are lone cardinal words from two to ten."""
    body = plain(text)
    months: list[Value] = _months(body, lang)
    if lang in WORD_LANGUAGES:
        from drafts.parity import number_words

        worded, body = number_words.months(body, lang)
        months = [*worded]
    found: list[Found] = [(v, False) for v in _arabic(body, lang) + months + _roman(body)]
    found += _words(body, lang)
    if lang in ("zh", "ja"):
        found += _chinese(body)
    hard: Counter[str] = Counter()
    soft: Counter[str] = Counter()
    for value, is_soft in found:
        if value == 1:
            continue
        (soft if is_soft else hard)[
            str(value) if isinstance(value, int) else format(value.normalize(), "f")] += 1
    return hard, soft


def numbers(text: str, lang: str) -> Counter[str]:
    """The multiset of numbers a text states, as normalised decimal strings (1 left out)."""
    hard, soft = split(text, lang)
    return hard + soft


def compare(unit: Unit, langs: Sequence[str]) -> list[Finding]:
    """Numbers that differ between the language versions of a unit (rule ``numbers``).

    Every language must state the numbers the others state, except that a language
    stating no soft number at all is not held to the soft numbers of the others (see the
    module docstring)."""
    present = [lang for lang in langs if unit.has_text(lang)]
    if len(present) < 2:
        return []
    parts_of = {lang: split(unit.text(lang), lang) for lang in present}
    found = {lang: hard + soft for lang, (hard, soft) in parts_of.items()}
    distinct = {tuple(sorted(c.items())) for c in found.values()}
    if len(distinct) == 1:
        return []
    union: Counter[str] = Counter()
    for counts in found.values():
        union |= counts
    softly = {value for value in union
              if all(value in parts_of[lang][1] for lang in present if value in found[lang])}

    def excused(lang: str) -> bool:
        """It lacks only soft numbers, and states none itself."""
        lacking = set((union - found[lang]).elements())
        return bool(lacking) and not parts_of[lang][1] and lacking <= softly

    held = [lang for lang in present if found[lang] != union and not excused(lang)]
    if not held:
        return []
    tally = Counter(tuple(sorted(found[lang].items())) for lang in present
                    if not excused(lang) or found[lang] == union)
    majority, votes = tally.most_common(1)[0]
    counted = sum(tally.values())
    if votes * 2 > counted:
        odd = [lang for lang in present if tuple(sorted(found[lang].items())) != majority
               and not excused(lang)]
    else:
        odd = [lang for lang in present if not excused(lang)]
    # one held language against one excused: the majority is the held one's own, and it
    # is still the one to correct (it lacks what the excused one states)
    odd = odd or held
    common = found[present[0]]
    for lang in present[1:]:
        common = common & found[lang]
    parts = []
    for lang in present:
        extra = sorted((found[lang] - common).elements(), key=_sort_key)
        parts.append(f"{lang_name(lang)} {', '.join(extra) if extra else '(none)'}")
    shared = " (their other numbers agree)" if common else ""
    return [Finding(
        unit.ref, unit.id, tuple(odd), "numbers", ERROR,
        f"{unit.ref}: the numbers differ between languages: {'; '.join(parts)}{shared}.",
        "make every language state the same figures, years and dates (check the "
        f"{', '.join(lang_name(x) for x in odd)} against the source of the figures).",
    )]


def _sort_key(text: str) -> Decimal:
    from decimal import Decimal

    return Decimal(text)
