"""Numbers in words and month names in Portuguese, Spanish, French, Arabic, Persian,
Hindi, Amharic and Indonesian, for the ``numbers`` rule (English, Russian and Chinese are
read by :mod:`drafts.parity.numbers` itself).

The words are data (``drafts/data/numbers.toml``). A run of number words adds up
("vinte e cinco" = 25, Arabic "خمسة وعشرون" = 25, French "quatre-vingt-dix" = 90, Indonesian
"dua puluh lima" = 25), a scale word multiplies what comes before it ("dois mil milhões"),
and a month counts only next to a day or a year ("26 de setembro", "تموز/يوليه 2015" once,
the two names the United Nations' Arabic writes counting as one month). Arabic words are
read without their attached particles (و، ب، ل، ال). A lone cardinal from two to ten is
*soft*: a language may carry it in its grammar instead (the Arabic dual), see
:func:`drafts.parity.numbers.compare`.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache

__all__ = ["LANGUAGES", "months", "words", "scale_words"]

#: What a word is in this module: letters and marks, no digits, spaces or punctuation.
_TOKEN = re.compile(r"[^\s\d,.;:!?()\[\]{}«»“”„\"'،؛।፣፤።፥፦/–—…]+")
_EDGE = r"[\w\u0900-\u097f\u1200-\u139f]"
_PER_CENT = re.compile(r"\b(?:por\s+cento|por\s+ciento|pour\s+cent)\b", re.IGNORECASE)
_DAY_BEFORE = re.compile(r"\d{1,2}(?:er|º|°|o)?\s*(?:de\s+)?$")
_YEAR_AFTER = re.compile(r"^\s*(?:de\s+|del\s+)?\d{1,4}")


@dataclass(frozen=True)
class Table:
    months: tuple[tuple[str, ...], ...] = ()
    cardinals: dict[str, int] = field(default_factory=dict)
    ordinals: dict[str, int] = field(default_factory=dict)
    scales: dict[str, int] = field(default_factory=dict)
    multipliers: dict[str, int] = field(default_factory=dict)
    joiners: frozenset[str] = frozenset()
    after_article: frozenset[str] = frozenset()
    articles: frozenset[str] = frozenset()
    skip: frozenset[str] = frozenset()
    prefixes: tuple[str, ...] = ()
    ordinal_suffixes: tuple[str, ...] = ()


@lru_cache(maxsize=1)
def _tables() -> dict[str, Table]:
    from pathlib import Path  # (as drafts.lexicon reads its data)

    raw = tomllib.loads((Path(__file__).resolve().parents[1] / "data" / "numbers.toml")
                        .read_text("utf-8"))
    out = {}
    for lang, data in raw.items():
        out[lang] = Table(
            months=tuple(tuple(m.split("|")) for m in data.get("months", [])),
            cardinals={k.lower(): int(v) for k, v in data.get("cardinals", {}).items()},
            ordinals={k.lower(): int(v) for k, v in data.get("ordinals", {}).items()},
            scales={k.lower(): int(v) for k, v in data.get("scales", {}).items()},
            multipliers={k.lower(): int(v) for k, v in data.get("multipliers", {}).items()},
            joiners=frozenset(data.get("joiners", [])),
            after_article=frozenset(data.get("after_article", [])),
            articles=frozenset(data.get("articles", [])),
            skip=frozenset(data.get("skip", [])),
            prefixes=tuple(sorted(data.get("prefixes", []), key=len, reverse=True)),
            ordinal_suffixes=tuple(sorted(data.get("ordinal_suffixes", []), key=len,
                                          reverse=True)))
    return out


#: the languages of drafts/data/numbers.toml (a test holds the two equal), so that a text in
#: the others (English, Russian, Chinese) never loads the tables
LANGUAGES = ("pt", "es", "fr", "ar", "fa", "hi", "am", "id")


def _table(lang: str) -> Table | None:
    return _tables().get(lang) if lang in LANGUAGES else None


@lru_cache(maxsize=16)
def _month_patterns(lang: str) -> tuple[re.Pattern[str], ...]:
    table = _table(lang)
    if table is None:
        return ()
    out = []
    for names in table.months:
        alt = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
        out.append(re.compile(f"(?<!{_EDGE})(?:{alt})(?:\\s*/\\s*(?:{alt}))?(?!{_EDGE})",
                              re.IGNORECASE))
    return tuple(out)


def months(text: str, lang: str) -> tuple[list[Decimal], str]:
    """The months of dates in ``text`` (1–12), and the text with those month names
    blanked (so "كانون الثاني" is not read as "second")."""
    found: list[tuple[int, Decimal, int]] = []
    blanked = text
    for number, pattern in enumerate(_month_patterns(lang), start=1):
        for match in pattern.finditer(text):
            before, after = text[:match.start()], text[match.end():]
            if _DAY_BEFORE.search(before) or _YEAR_AFTER.match(after):
                found.append((match.start(), Decimal(number), match.end()))
    for start, _value, end in found:
        blanked = blanked[:start] + " " * (end - start) + blanked[end:]
    return [value for _start, value, _end in sorted(found)], blanked


def scale_words(lang: str) -> dict[str, int]:
    """A language's scale words ("bilhões", "مليار", "करोड़"), for figures in digits."""
    table = _table(lang)
    return dict(table.scales) if table else {}


def _lookup(word: str, table: Table) -> tuple[int, str] | None:
    for kind, values in (("cardinal", table.cardinals), ("ordinal", table.ordinals),
                         ("scale", table.scales), ("multiplier", table.multipliers)):
        if word in values:
            return values[word], kind
    return None


def _value(word: str, table: Table) -> tuple[int, str] | None:
    found = _lookup(word, table)
    if found is not None:
        return found
    for suffix in table.ordinal_suffixes:  # Persian شانزده + مین, Hindi सोलह + वें
        # a one-letter ending only after a long stem: Persian "سهم" is "share", not "3rd"
        shortest = 3 if len(suffix) == 1 else 2
        if word.endswith(suffix) and len(word) - len(suffix) >= shortest:
            stem = table.cardinals.get(word[:-len(suffix)])
            if stem is not None:
                return stem, "ordinal"
    if not table.prefixes:
        return None
    for prefix in table.prefixes:  # Arabic: و + ال + عشرين
        if word.startswith(prefix) and len(word) - len(prefix) >= 2:
            found = _lookup(word[len(prefix):], table)
            if found is not None:
                return found
    return None


def _combine(run: list[tuple[int, str]], lang: str) -> int:
    total = current = 0
    last = ""
    for value, kind in run:
        if kind == "scale":
            if current == 0 and total and last == "scale":
                total *= value  # "mil millones"
            else:
                total += max(current, 1) * value
                current = 0
        elif kind == "multiplier":
            current = max(current, 1) * value
        elif value == 100:
            current = max(current, 1) * 100
        elif lang == "fr" and value == 20 and current == 4:
            current = 80  # quatre-vingt(s)
        else:
            current += value
        last = kind
    return total + current


def words(text: str, lang: str) -> list[tuple[Decimal, bool]]:
    """(value, soft) for each number written in words in ``text`` (months excluded)."""
    table = _table(lang)
    if table is None:
        return []
    text = _PER_CENT.sub(" ", text)  # "30 por cento": a percentage, not a hundred
    tokens = [t.lower() for t in _TOKEN.findall(text)]
    if lang == "fr":  # quatre-vingt-dix, vingt-cinq: the parts of a hyphenated number
        tokens = [part for t in tokens for part in t.split("-")]
    out: list[tuple[Decimal, bool]] = []
    run: list[tuple[int, str]] = []

    def flush() -> None:
        if run and not all(kind == "scale" for _, kind in run):  # "آلاف": no figure
            value = _combine(run, lang)
            soft = len(run) == 1 and run[0][1] == "cardinal" and 2 <= value <= 10
            out.append((Decimal(value), soft))
        run.clear()

    for index, token in enumerate(tokens):
        if token in table.skip:
            flush()
            continue
        if token in table.joiners and run:
            following = tokens[index + 1] if index + 1 < len(tokens) else ""
            if _value(following, table) is not None:
                continue
        if token in table.after_article and (index == 0 or tokens[index - 1]
                                             not in table.articles):
            flush()
            continue
        found = _value(token, table)
        if found is None:
            flush()
            continue
        run.append(found)
    flush()
    return out
