"""The parity rules' word lookups and pattern pre-checks read what the patterns read.

Months and ordinals are looked up by their folded form instead of matched by a pattern
compiled with ``re.IGNORECASE``; the announced-count and typed-label patterns are compiled
only for a text that can match them. Each is held here against the pattern it replaces or
spares, over every character, every form, the texts of the test corpora and generated
texts.
"""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest

from drafts.markup import plain
from drafts.parity import caseless, numbers, structure

ROOT = Path(__file__).resolve().parents[2]

#: every letter of the forms the rules look up by their folded form
LETTERS = set("abcdefghijklmnopqrstuvwxyz") | set("абвгдеёжзийклмнопрстуфхцчшщъыьэюя")

#: the Russian month pattern the lookup replaced, one group a month
OLD_RU_MONTH = re.compile(r"\b(?:" + "|".join(f"({m})" for m in [
    "январ[ьяе]", "феврал[ьяе]", "март[ае]?", "апрел[ьяе]", "ма[йяе]", "июн[ьяе]",
    "июл[ьяе]", "август[ае]?", "сентябр[ьяе]", "октябр[ьяе]", "ноябр[ьяе]",
    "декабр[ьяе]"]) + r")\b", re.I)
OLD_EN_MONTH = re.compile(r"\b(" + "|".join(numbers._EN_MONTHS) + r")\b")


def _every_character() -> str:
    return "".join(chr(i) for i in range(0x110000) if not 0xD800 <= i < 0xE000)


def _corpus_texts() -> list[str]:
    """Every quoted or plain value of the YAML files the tests and the demo read."""
    texts = []
    for path in sorted([*ROOT.glob("tests/**/*.yaml"), *ROOT.glob("workflow/demo_data/*.yaml")]):
        for line in path.read_text("utf-8", errors="replace").splitlines():
            _, sep, value = line.partition(": ")
            if sep and value.strip():
                texts.append(value.strip().strip('"'))
    assert len(texts) > 500
    return texts


def _old_months(text: str, lang: str) -> list[int]:
    if not re.search(r"\d", text):
        return []
    out = []
    for match in (OLD_EN_MONTH if lang == "en" else OLD_RU_MONTH).finditer(text):
        before, after = text[:match.start()], text[match.end():]
        if not (re.search(r"\d{1,2}(?:st|nd|rd|th|-?го)?\s*$", before)
                or re.match(r"\s+\d{1,4}\b", after)):
            continue
        out.append(numbers._EN_MONTHS.index(match.group(1)) + 1 if lang == "en"
                   else int(match.lastindex or 0))
    return out


def test_a_folded_letter_is_every_character_ignorecase_matches_it_with() -> None:
    """For each letter of the forms, the characters that fold to it are exactly those a
    pattern of that letter with re.IGNORECASE matches (over every code point); a fold
    never changes a word's length; ``\\d`` matches what ``str.isdecimal`` accepts."""
    every = _every_character()
    folded = every.translate(caseless._SAME).lower()
    assert len(folded) == len(every)
    ours: dict[str, set[str]] = {}
    for char, fold in zip(every, folded):
        if fold in LETTERS:
            ours.setdefault(fold, set()).add(char)
    for letter in sorted(LETTERS):
        theirs = set(re.findall(re.escape(letter), every, re.IGNORECASE))
        assert ours.get(letter, set()) == theirs, letter
    assert set(re.findall(r"\d", every)) == {char for char in every if char.isdecimal()}
    assert caseless.fold("СЕНТЯБРЯ") == caseless.fold("сенᲄября") == "сентября"


def _month_texts() -> list[str]:
    forms = []
    for stem, endings in numbers._RU_MONTHS:
        forms += [stem + ending for ending in endings]
    forms += [f + "х" for f in forms[:6]] + ["мая", "Май", "ᲀ", "маи", "июнья"]
    written = []
    for form in forms + numbers._EN_MONTHS + ["may", "MAY", "Mayday", "Julys"]:
        swapped = form.replace("в", "ᲀ").replace("т", "ᲅ").replace("о", "ᲂ")
        for word in {form, form.upper(), form.capitalize(), swapped}:
            written += [f"12 {word} 2024", f"в {word} 2024 года", f"{word} 5", f"{word}",
                        f"1-го {word}", f"до {word}а 2030", f"_{word} 3", f"3 {word}_"]
    return written


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_a_month_is_looked_up_as_the_pattern_matched_it(lang: str) -> None:
    """Every month's form in four writings and eight contexts, words that are almost
    months, and the corpora's texts: the months read (and their order) are those the
    pattern read."""
    for text in _month_texts() + _corpus_texts():
        assert numbers._months(text, lang) == _old_months(text, lang), text


def test_an_ordinal_is_looked_up_as_the_pattern_matched_it() -> None:
    """The ordinal pattern (the stems in order, one ending each) and the table of forms
    give the same value for every stem form with every ending, and for words that are
    none."""
    pattern = re.compile(r"^(?:" + "|".join(
        f"(?P<o{n}>{stem})" for n, stem in numbers._RU_ORDINAL_STEMS.items()) + r")"
        + numbers._RU_ADJ + "$")
    endings = numbers._RU_ADJ[3:-1].split("|")
    words = [form + ending for stem in numbers._RU_ORDINAL_STEMS.values()
             for form in stem.split("|") for ending in [*endings, "", "ыйй", "ам", "ого"]]
    words += ["треть", "пятый год", "", "первыйи", "сотый", "двадцатый", "пятидесятом"]
    for word in words:
        match = pattern.match(word)
        assert numbers._RU_ORDINAL.get(word) == (match and int(match.lastgroup[1:])), word


def _old_count(text: str, lang: str) -> int | None:
    """announced_count without the check that spares the pattern."""
    body = plain(text).rstrip()
    if not body.endswith((":", "：")) or structure._announcing(lang) is None:
        return None
    tail = body[-20:] if lang in ("zh", "ja") else body[-80:]
    matches = list(structure._announcing(lang).finditer(tail))
    if not matches:
        return None
    raw = (matches[-1].group("n") or matches[-1].groupdict().get("m") or "").lower()
    if raw.isdigit():
        return int(raw)
    return (structure._EN_COUNT.get(raw) or structure._RU_WORDS.get(raw)
            or structure._ZH_COUNT.get(raw))


def _lead_ins() -> list[str]:
    words = [*structure._EN_COUNT, *structure._RU_WORDS, *structure._ZH_COUNT, "12", "٣",
             "१२", "345", "one", "одна", "следующим", "mandate", "десятые"]
    out = []
    for word in words:
        for written in {word, word.upper(), word.capitalize(), word.replace("в", "ᲀ"),
                        word.replace("i", "ı"), word.replace("s", "ſ")}:
            out += [f"the following {written} measures:", f"{written} key tasks:",
                    f"следующие {written} меры:", f"эти {written}:", f"{written} основных:",
                    f"以下{written}项措施：", f"这{written}个方面：", f"with {written}:"]
    return out


@pytest.mark.parametrize("lang", ["en", "ru", "zh", "fr"])
def test_an_announced_count_is_read_as_the_pattern_read_it(lang: str) -> None:
    """Lead-ins with every count word in six writings, digits of three scripts, words
    that are no count, and the corpora's texts: the count read is the pattern's."""
    texts = _lead_ins() + [t if t.endswith(":") else t + ":" for t in _corpus_texts()]
    for text in texts:
        assert structure.announced_count(text, lang) == _old_count(text, lang), text


def _starts() -> list[str]:
    """Generated openings: every label form the pattern names, and random ones."""
    alphabet = ("0123456789٣١۲१२ ().)-‘’.、）（一二三十IVXLivxlabzабяАЯأبक ሀሁ*."
                "ІⅠ\u00a0x")
    rng = random.Random(2024)
    out = ["1. text", "12) text", "(3) text", "(ab) text", "b) text", "(iv) text",
           "iii) text", "(а) text", "я) text", "XIV. text", "12 - text", "(أ) text",
           "ب) text", "‘1’ text", "１. text", "1、text", "（一）text", "三、text", "（a）text",
           "a）text", "2026 — text", "2026年——", "Invites the", "In 1. text", "I. text",
           "LXXVIII. text", "XVIII. text", "VIII. x", "(" * 3, ")", "1", "12", "123", "1234", "一、", "十二三、x"]
    for _ in range(40000):
        out.append("".join(rng.choice(alphabet) for _ in range(rng.randint(1, 9))))
    return out


@pytest.mark.parametrize("lang", ["en", "ru", "zh", "ar"])
def test_a_typed_label_is_found_as_the_pattern_found_it(lang: str) -> None:
    """Every label form, forty thousand random openings and the corpora's texts: the label
    found is the one the pattern finds at the start of the text."""
    pattern = structure._typed_label(lang == "zh")
    for text in _starts() + _corpus_texts():
        start = plain(text).lstrip(" *")
        match = pattern.match(start)
        assert structure.typed_label(text, lang) == (match.group() if match else None), text
