"""Parity rules about what exists and how it is laid out: missing and stale translations,
items present in one language only, counts announced in the text, final punctuation, and
numbers typed by hand where the renderer numbers.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from functools import cache

from drafts.markup import plain
from drafts.model import Resolution
from drafts.parity.caseless import WORD, fold
from drafts.parity.core import (
    ERROR,
    KIND_TITLE,
    Finding,
    Unit,
    lang_name,
    names,
    the_texts,
)
from drafts.staleness import stale_against

__all__ = ["missing", "stale", "items", "punctuation", "labels", "announced_count"]

_CJK = {"zh", "ja"}


def _present(unit: Unit, langs: Sequence[str]) -> list[str]:
    return [lang for lang in langs if unit.has_text(lang)]


# -- missing / stale -----------------------------------------------------------------------

def missing(unit: Unit, langs: Sequence[str]) -> list[Finding]:
    """A paragraph or title with text in some authentic languages and none in others.

    Items and sub-items are the structure rule's business (see :func:`items`).
    """
    if unit.depth > 0:
        return []
    present = _present(unit, langs)
    absent = [lang for lang in langs if lang not in present]
    if not present or not absent:
        return []
    return [Finding(
        unit.ref, unit.id, tuple(absent), "missing", ERROR,
        f"{unit.ref} has no {names(absent)} text (it has {names(present)}).",
        f"write {the_texts(absent)} of {unit.ref} from the {names(present)}.",
    )]


def stale(resolution: Resolution, records: Mapping[str, Mapping[str, Mapping[str, str]]],
          refs: Mapping[str, str]) -> dict[str, list[Finding]]:
    """Translations not reconciled with the current text of a sibling: unit id → findings."""
    out: dict[str, list[Finding]] = {}
    for unit_id, per_lang in stale_against(resolution, records).items():
        ref = refs.get(unit_id, unit_id)
        groups: dict[tuple[str, ...], list[str]] = {}
        for lang in resolution.languages:
            if lang in per_lang:
                groups.setdefault(per_lang[lang], []).append(lang)
        for against, langs in groups.items():
            confirm = " and ".join(f"'translations confirm REF --lang {lang}'" for lang in langs)
            out.setdefault(unit_id, []).append(Finding(
                ref, unit_id, tuple(langs), "stale", ERROR,
                f"{ref}: {the_texts(langs)} {'were' if len(langs) > 1 else 'was'} last "
                f"reconciled with an earlier {names(against)} text; the "
                f"{names(against)} has changed since.",
                f"compare {the_texts(langs)} with the current {names(against)}, update "
                f"{'them' if len(langs) > 1 else 'it'} if needed, then confirm with {confirm}.",
            ))
    return out


# -- structure: items and announced counts -------------------------------------------------

_EN_COUNT = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
             "nine": 9, "ten": 10, "eleven": 11, "twelve": 12}
_RU_COUNT = {
    2: "два две двух двум двумя", 3: "три трех трёх трем трём тремя",
    4: "четыре четырех четырёх четырем четырём четырьмя", 5: "пять пяти пятью",
    6: "шесть шести шестью", 7: "семь семи", 8: "восемь восьми восемью",
    9: "девять девяти девятью", 10: "десять десяти десятью",
}
_RU_WORDS = {w: n for n, forms in _RU_COUNT.items() for w in forms.split()}
_ZH_COUNT = {"两": 2, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
             "十": 10}
#: the announcing patterns, by language (compiled by :func:`_announcing` at the first
#: lead-in of their language that ends with a colon and states a count)
_ANNOUNCE: dict[str, tuple[str, re.RegexFlag]] = {
    "en": (r"\b(?:following|these|the)\s+(?P<n>\d{1,2}|" + "|".join(_EN_COUNT) + r")\b"
           r"|\b(?P<m>\d{1,2}|" + "|".join(_EN_COUNT)
           + r")\s+(?:following|main|key|priority)\b", re.IGNORECASE),
    "ru": (r"\b(?:следующ\w*|эт(?:и|их|им|ими))\s+(?P<n>\d{1,2}|" + "|".join(_RU_WORDS)
           + r")\b|\b(?P<m>\d{1,2}|" + "|".join(_RU_WORDS)
           + r")\s+(?:следующ\w*|основн\w*|ключев\w*)", re.IGNORECASE),
    "zh": (r"(?:以下|下列|下述|如下|这)(?P<n>\d{1,2}|[两二三四五六七八九十])"
           r"(?:项|个|点|条|方面|大)", re.NOFLAG),
}


@cache
def _announcing(lang: str) -> re.Pattern[str] | None:
    """The pattern of a count announced in ``lang``, if the rule knows the language."""
    if lang not in _ANNOUNCE:
        return None
    source, flags = _ANNOUNCE[lang]
    return re.compile(source, flags)


def announced_count(text: str, lang: str) -> int | None:
    """The number of items a lead-in announces ("the following three measures:"), if any.

    Only text near the closing colon is read, and only with a word that points forward
    ("following", "следующие", "以下"), so a date or a quantity earlier in the paragraph
    is not taken for a count.
    """
    body = plain(text).rstrip()
    if not body.endswith((":", "：")):
        return None
    tail = body[-20:] if lang in _CJK else body[-80:]
    if lang not in _ANNOUNCE or not _states_a_count(tail, lang):
        return None
    pattern = _announcing(lang)
    if pattern is None:
        return None
    matches = list(pattern.finditer(tail))
    if not matches:
        return None
    raw = (matches[-1].group("n") or matches[-1].groupdict().get("m") or "").lower()
    if raw.isdigit():
        return int(raw)
    return _EN_COUNT.get(raw) or _RU_WORDS.get(raw) or _ZH_COUNT.get(raw)


def _states_a_count(tail: str, lang: str) -> bool:
    """Whether ``tail`` has what every count the pattern reads has: a digit, or a count
    word (a Chinese numeral; a whole word that is one, in any case) — what spares compiling
    the pattern for a lead-in without ("with the following mandate:")."""
    if any(char.isdecimal() for char in tail):  # what \d matches
        return True
    if lang == "zh":
        return any(char in _ZH_COUNT for char in tail)
    words = _EN_COUNT if lang == "en" else _RU_WORDS
    return any(fold(word) in words for word in WORD.findall(tail))


def items(unit: Unit, langs: Sequence[str]) -> list[Finding]:
    """Items that exist in one language only, and lead-ins announcing another count."""
    out: list[Finding] = []
    present = _present(unit, langs)
    absent = [lang for lang in langs if lang not in present]
    if unit.depth > 0 and present and absent:
        kind = "sub-item" if unit.depth == 2 else "item"
        out.append(Finding(
            unit.ref, unit.id, tuple(absent), "items-count", ERROR,
            f"{unit.ref} has text in {names(present)} but none in {names(absent)}: the "
            f"{names(absent)} version would have one {kind} fewer than the {names(present)}.",
            f"write {the_texts(absent)} of {unit.ref}, or delete the {kind} in every language.",
        ))
    if unit.items:
        wrong: list[tuple[str, int, int]] = []
        for lang in present:
            said = announced_count(unit.text(lang), lang)
            have = sum(1 for item in unit.items if (item.texts.get(lang) or "").strip())
            if said is not None and said != have:
                wrong.append((lang, said, have))
        if wrong:
            detail = "; ".join(f"the {lang_name(lang)} text announces {said} but has {have}"
                               for lang, said, have in wrong)
            out.append(Finding(
                unit.ref, unit.id, tuple(w[0] for w in wrong), "items-count", ERROR,
                f"{unit.ref} announces a number of items it does not have: {detail}.",
                "make the count in the lead-in match the items (or drop the count).",
            ))
    return out


# -- final punctuation ---------------------------------------------------------------------

_MARKS = {"comma": (",", "，"), "semicolon": (";", "；"), "full stop": (".", "。"),
          "colon": (":", "：")}
_OTHER_MARKS = {"،": "comma", "؛": "semicolon", "।": "full stop", "．": "full stop",
                "።": "full stop", "፣": "comma", "፤": "semicolon", "፥": "colon", "፦": "colon"}
#: The marks a language writes where English writes , ; . : (Arabic and Persian ، ؛,
#: Hindi ।, Amharic ፣ ፤ ። ፦); the ASCII marks are accepted too.
_OWN_MARKS = {
    "ar": {"comma": "،", "semicolon": "؛"}, "fa": {"comma": "،", "semicolon": "؛"},
    "hi": {"full stop": "।"},
    "am": {"comma": "፣", "semicolon": "፤", "full stop": "።", "colon": "፦"},
}


def _mark(kind: str, lang: str) -> str:
    narrow, wide = _MARKS[kind]
    if lang in _OWN_MARKS and kind in _OWN_MARKS[lang]:
        return _OWN_MARKS[lang][kind]
    return wide if lang in _CJK else narrow


def _classify(char: str, lang: str) -> tuple[str, bool]:
    """(kind of final mark, whether its width is right for the language)."""
    for kind, (narrow, wide) in _MARKS.items():
        if char == narrow:
            return kind, lang not in _CJK
        if char == wide:
            return kind, lang in _CJK
    if char in _OTHER_MARKS:
        return _OTHER_MARKS[char], lang not in _CJK or char == "．"
    return "other", True


def _expected(unit: Unit) -> tuple[tuple[str, ...], str]:
    """The final marks allowed for a unit, and the convention that says so."""
    if unit.items:
        return ("colon",), "a paragraph that introduces items ends with a colon"
    if unit.kind == "preamble":
        if unit.depth == 0:
            return ("comma",), "preambular paragraphs end with a comma"
        return ("comma", "semicolon"), "items of a preambular paragraph end with a comma or " \
                                       "a semicolon"
    if unit.last:
        where = ("the last operative paragraph" if unit.depth == 0 else
                 "the last item of the last operative paragraph")
        return ("full stop",), f"{where} ends with a full stop"
    if unit.depth == 0:
        return ("semicolon",), "operative paragraphs other than the last end with a semicolon"
    return ("semicolon",), "items end with a semicolon, except the very last one"


def punctuation(unit: Unit, langs: Sequence[str]) -> list[Finding]:
    """The final mark of each language against the convention for the unit's place."""
    if unit.kind == KIND_TITLE:
        return []
    allowed, why = _expected(unit)
    groups: dict[tuple[str, str, bool], list[str]] = {}
    finals: dict[str, str] = {}
    for lang in _present(unit, langs):
        body = plain(unit.text(lang)).rstrip()
        final = body[-1:]
        kind, width_ok = _classify(final, lang)
        if kind in allowed and width_ok:
            continue
        if kind == "colon" and not unit.items:
            why_here = "it ends with a colon but no items follow"
        else:
            why_here = why
        finals[lang] = final
        groups.setdefault((kind, why_here, kind in allowed), []).append(lang)
    out = []
    for (_kind, why_here, kind_ok), group in groups.items():
        final = "' / '".join(dict.fromkeys(finals[lang] for lang in group))
        want = " or ".join(f"'{_mark(k, group[0])}'" for k in allowed)
        if kind_ok:  # right mark, wrong width
            wide = group[0] in _CJK
            message = (f"{unit.ref}: {the_texts(group)} "
                       f"{'end' if len(group) > 1 else 'ends'} with the "
                       f"{'ASCII' if wide else 'full-width'} '{final}'.")
            fix = (f"use the {'full-width' if wide else 'ASCII'} {want} at the end of "
                   f"{the_texts(group)}.")
        else:
            shown = f"'{final}'" if final.strip("' /") else "nothing"
            message = (f"{unit.ref}: {the_texts(group)} "
                       f"{'end' if len(group) > 1 else 'ends'} with {shown}; {why_here}.")
            if "no items follow" in why_here:
                fix = (f"end {the_texts(group)} with "
                       f"{' or '.join(repr(_mark(k, group[0])) for k in _plain_allowed(unit))}"
                       f", or add the items it introduces.")
            else:
                width = "the full-width " if group[0] in _CJK else ""
                fix = f"end {the_texts(group)} with {width}{want}."
        out.append(Finding(unit.ref, unit.id, tuple(group), "punctuation", ERROR, message, fix))
    return out


def _plain_allowed(unit: Unit) -> tuple[str, ...]:
    if unit.kind == "preamble":
        return ("comma",)
    return ("full stop",) if unit.last else ("semicolon",)


# -- numbers typed by hand -----------------------------------------------------------------

_TYPED_LABEL = (
    r"^(?:\d{1,3}[.)]|\(\d{1,3}\)|\([a-z]{1,2}\)|[a-z]\)|\((?:[ivxl]{1,6})\)|[ivxl]{1,6}\)"
    r"|\([а-я]\)|[а-я]\)|[IVXL]{1,6}\.|\d{1,3} -"
    r"|\([\u0600-\u06ff\u0900-\u097f\u1200-\u137f]{1,3}\)"  # (أ) (क) (ሀ)
    r"|[\u0600-\u06ff\u1200-\u137f]{1,3}\)|[‘’]\d{1,2}[‘’])(?=\s)")  # ب) ሀ) ‘1’
_TYPED_LABEL_CJK = (
    r"^(?:\d{1,3}[.．、)）]|[（(][一二三四五六七八九十\d]{1,3}[)）]|[一二三四五六七八九十]{1,3}、"
    r"|[（(][a-z]{1,2}[)）]|[a-z][)）])")


@cache
def _typed_label(cjk: bool) -> re.Pattern[str]:
    return re.compile(_TYPED_LABEL_CJK if cjk else _TYPED_LABEL)


def _may_be_labelled(start: str, cjk: bool) -> bool:
    """Whether ``start`` can begin with one of the labels the pattern reads: up to three
    digits (what ``\\d`` matches), an opening bracket or quote, a Roman numeral with its
    full stop (a Chinese one with its "、") or a letter with its ")" near the start — what
    spares compiling the pattern for a text that opens with a word or a year."""
    first = start[0]
    if first.isdecimal():
        return not start[:4].isdecimal()  # four digits: a year, never a label
    if cjk:
        return (first in "（(" or (first in "一二三四五六七八九十" and "、" in start[1:4])
                or start[1:2] in (")", "）"))
    return (first in "(‘’" or (first in "IVXL" and "." in start[1:7])
            or ")" in start[1:7])


def typed_label(text: str, lang: str) -> str | None:
    """A number or letter typed at the start of a text ("1.", "(a)", "а)", "（一）")."""
    start = plain(text).lstrip(" *")
    cjk = lang in _CJK
    if not start or not _may_be_labelled(start, cjk):
        return None
    match = _typed_label(cjk).match(start)
    return match.group() if match else None


def labels(unit: Unit, langs: Sequence[str]) -> list[Finding]:
    """Paragraph numbers typed into the text, which the renderer would number again."""
    if unit.kind == KIND_TITLE:
        return []
    found = {lang: typed_label(unit.text(lang), lang) for lang in _present(unit, langs)}
    group = [lang for lang, label in found.items() if label]
    if not group:
        return []
    typed = ", ".join(f"{lang_name(lang)} '{found[lang]}'" for lang in group)
    return [Finding(
        unit.ref, unit.id, tuple(group), "labels", ERROR,
        f"{unit.ref}: {the_texts(group)} {'start' if len(group) > 1 else 'starts'} with a "
        f"typed number ({typed}); numbers and letters are added when the text is rendered, "
        "so it would be numbered twice.",
        f"delete the typed number from the start of {the_texts(group)}; the order of the "
        "paragraphs and items in the source gives the numbering.",
    )]
