"""What a search compares: texts folded the same way on every backend, and the query cut
into terms.

A text is folded character by character (NFKC, then case-folded, ``ё`` read as ``е``), so
every folded character points back to the character of the text it came from: the
highlight of a match is exact. A term is a word of the query, or a "quoted phrase"; it
needs three characters (the trigram indexes cannot find less), or two when it is written
in Chinese characters (found through the pairs index, :func:`grams`).
"""

import re
import unicodedata
from typing import NamedTuple

__all__ = ["fold", "fold_map", "grams", "is_cjk", "Term", "parse_query", "QueryError",
           "MIN_TERM", "MIN_CJK_TERM", "matches"]

MIN_TERM = 3
MIN_CJK_TERM = 2
MAX_TERMS = 8


class QueryError(ValueError):
    """A query that cannot be searched, with the reason in words."""


def _fold_char(char: str) -> str:
    folded = unicodedata.normalize("NFKC", char).casefold()
    return folded.replace("ё", "е")


def fold_map(text: str) -> tuple[str, list[int]]:
    """The folded text and, for each of its characters, the index of the character of
    ``text`` it came from."""
    out: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        folded = _fold_char(char) if not char.isascii() else char.lower()
        out.append(folded)
        origin.extend([index] * len(folded))
    return "".join(out), origin


def fold(text: str) -> str:
    return fold_map(text)[0]


def is_cjk(char: str) -> bool:
    """A Han character (Chinese; kana and hangul too): written without spaces between
    words."""
    code = ord(char)
    return (0x4E00 <= code <= 0x9FFF or 0x3400 <= code <= 0x4DBF or 0x20000 <= code <= 0x2FA1F
            or 0xF900 <= code <= 0xFAFF or 0x3040 <= code <= 0x30FF or 0xAC00 <= code <= 0xD7AF)


_RUN = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
                  r"\U00020000-\U0002fa1f]{2,}")


def grams(folded: str) -> str:
    """Every pair of adjacent Chinese characters in ``folded``, space-separated ('' when
    there is none): the words the pairs index holds."""
    pairs: list[str] = []
    for run in _RUN.findall(folded):
        pairs.extend(run[i:i + 2] for i in range(len(run) - 1))
    return " ".join(pairs)


class Term(NamedTuple):
    """One term of a query, folded. ``pair`` terms (two Chinese characters) are looked up
    in the pairs index, the others in the trigram index."""

    text: str

    @property
    def pair(self) -> bool:
        return len(self.text) == MIN_CJK_TERM


_TOKEN = re.compile(r'"([^"]*)"|(\S+)')


def parse_query(query: str) -> list[Term]:
    """The terms of ``query``: words and "quoted phrases", each folded; a paragraph must
    hold every one of them."""
    terms: list[Term] = []
    for match in _TOKEN.finditer(query or ""):
        raw = match[1] if match[1] is not None else match[2]
        folded = fold(unicodedata.normalize("NFC", raw)).strip()
        folded = re.sub(r"\s+", " ", folded)
        if not folded:
            continue
        if len(folded) < MIN_TERM and not (len(folded) == MIN_CJK_TERM
                                           and all(is_cjk(c) for c in folded)):
            raise QueryError(f"{raw!r} is too short to search: a term needs at least "
                             f"{MIN_TERM} characters, or {MIN_CJK_TERM} Chinese characters")
        if Term(folded) not in terms:
            terms.append(Term(folded))
    if not terms:
        raise QueryError("the query is empty: give a word or a \"quoted phrase\"")
    if len(terms) > MAX_TERMS:
        raise QueryError(f"the query has {len(terms)} terms; at most {MAX_TERMS}")
    return terms


def matches(text: str, terms: list[Term]) -> list[tuple[int, int]]:
    """Where the terms stand in ``text``: (start, end) character ranges of the text,
    sorted, overlapping ones merged."""
    folded, origin = fold_map(text)
    found: list[tuple[int, int]] = []
    for term in terms:
        start = folded.find(term.text)
        while start >= 0:
            end = start + len(term.text)
            found.append((origin[start], origin[end - 1] + 1))
            start = folded.find(term.text, start + 1)
    merged: list[tuple[int, int]] = []
    for start, end in sorted(found):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged
