"""Reading the numbers a text states, in each language's writing."""

from __future__ import annotations

import pytest

from drafts.parity.numbers import chinese_numeral, numbers
from tests.conftest import in_a_fresh_interpreter


@pytest.mark.parametrize("token, value", [
    ("二〇三〇", 2030), ("一九四五", 1945), ("二十", 20), ("十五", 15), ("三千五百", 3500),
    ("三十五亿", 3_500_000_000), ("一千万", 10_000_000), ("两百", 200),
])
def test_chinese_numerals(token, value):
    assert chinese_numeral(token) == value


@pytest.mark.parametrize("text, lang, expected", [
    ("by 2030", "en", {"2030": 1}),
    ("2 030 units", "en", {"2030": 1}),
    ("2,030 units", "en", {"2030": 1}),
    ("2,5 процента", "ru", {"2.5": 1}),
    ("2.5 per cent", "en", {"2.5": 1}),
    ("30% of the market", "en", {"30": 1}),
    ("百分之三十的市场", "zh", {"30": 1}),
    ("到二〇三〇年", "zh", {"2030": 1}),
    ("第三届会议", "zh", {"3": 1}),
    ("the third session", "en", {"3": 1}),
    ("третьей сессии", "ru", {"3": 1}),
    ("twenty-five countries", "en", {"25": 1}),
    ("двадцати пяти стран", "ru", {"25": 1}),
    ("10 million dollars", "en", {"10000000": 1}),
    ("10 млн долларов", "ru", {"10000000": 1}),
    ("1000万美元", "zh", {"10000000": 1}),
    ("26 September 2024", "en", {"26": 1, "9": 1, "2024": 1}),
    ("26 сентября 2024 года", "ru", {"26": 1, "9": 1, "2024": 1}),
    ("2024年9月26日", "zh", {"2024": 1, "9": 1, "26": 1}),
    ("meets twice a year", "en", {"2": 1}),
    ("每年举行两次会议", "zh", {"2": 1}),
    ("XVI саммит БРИКС", "ru", {"16": 1}),
    ("第十六届金砖国家峰会", "zh", {"16": 1}),
    ("Annex II", "en", {"2": 1}),
    ("附件二", "zh", {"2": 1}),
])
def test_numbers_stated(text, lang, expected):
    assert dict(numbers(text, lang)) == expected


@pytest.mark.parametrize("text, lang", [
    ("进一步统一一带一路的方针，十分重要，千万不要", "zh"),  # idioms, not figures
    ("中俄两国", "zh"),                                    # "China and Russia"
    ("one of the first steps", "en"),                     # 1 is never compared
    ("The parties may meet in May", "en"),                # May without a date
    ("в марте", "ru"),
    ("thousands of participants", "en"),
    ("I am in the EU. LLC, CIVIL, MIX and IIV are no numerals", "en"),
    ("двустороннее и трехстороннее сотрудничество", "ru"),  # bilateral, trilateral
])
def test_no_numbers(text, lang):
    assert not numbers(text, lang)


def test_the_number_word_tables_are_the_languages_named() -> None:
    """``number_words.LANGUAGES`` names exactly the tables of drafts/data/numbers.toml: a
    text in another language never loads them, and none of them is left unread."""
    from drafts.parity import number_words

    assert set(number_words._tables()) == set(number_words.LANGUAGES)


def test_the_number_word_module_is_imported_for_its_languages_only() -> None:
    """``numbers.WORD_LANGUAGES`` is ``number_words.LANGUAGES`` (what decides whether the
    module is imported at all), and the numbers of an English, Russian and Chinese text are
    read without importing it (a fresh interpreter, as a write command starts)."""
    from drafts.parity import number_words
    from drafts.parity import numbers as parity_numbers

    assert parity_numbers.WORD_LANGUAGES == number_words.LANGUAGES
    script = ("import sys\n"
              "from drafts.parity.numbers import numbers\n"
              "got = [numbers('On 26 September 2024, three million (XVI)', 'en'),\n"
              "       numbers('26 сентября 2024 года, трех 2,5 млн', 'ru'),\n"
              "       numbers('2024年9月26日，第三，两个，1000万', 'zh')]\n"
              "assert 'drafts.parity.number_words' not in sys.modules, 'imported'\n"
              "print(sorted(got[0]), sorted(got[1]), sorted(got[2]))\n")
    out = in_a_fresh_interpreter(script)
    assert out.split() == [
        "['16',", "'2024',", "'26',", "'3000000',", "'9']",
        "['2024',", "'2500000',", "'26',", "'3',", "'9']",
        "['10000000',", "'2',", "'2024',", "'26',", "'3',", "'9']"], out
    assert numbers("dois mil milhões e vinte e cinco", "pt")  # the others still read


def test_the_patterns_of_a_language_compile_at_its_first_text_that_needs_them() -> None:
    """No pattern is compiled for months (they are looked up); the announced-count pattern
    of a language only for a lead-in that states a count, the typed-label pattern only for
    a text that opens as a label can — in a fresh interpreter, the count of compiled
    patterns after each text."""
    script = (
        "from drafts.parity import numbers, structure\n"
        "counts, labels = structure._announcing.cache_info, structure._typed_label.cache_info\n"
        "print(sorted(numbers.numbers('26 сентября 2024 года', 'ru')),\n"
        "      sorted(numbers.numbers('26 September 2024', 'en')))\n"
        "print(structure.announced_count('with the following mandate:', 'en'),\n"
        "      structure.announced_count('со следующим мандатом:', 'ru'),\n"
        "      structure.announced_count('其任务如下：', 'zh'), counts().currsize)\n"
        "print(structure.announced_count('the following three measures:', 'en'),\n"
        "      structure.announced_count('以下三项措施：', 'zh'), counts().currsize)\n"
        "print(structure.announced_count('следующие три меры:', 'ru'), counts().currsize)\n"
        "print(structure.typed_label('Invites the parties', 'en'),\n"
        "      structure.typed_label('2026 год — запуск', 'ru'),\n"
        "      structure.typed_label('2025年第一季度', 'zh'), labels().currsize)\n"
        "print(structure.typed_label('1. Invites', 'en'), labels().currsize)\n")
    out = in_a_fresh_interpreter(script)
    assert out.splitlines() == [
        "['2024', '26', '9'] ['2024', '26', '9']",
        "None None None 0",  # lead-ins without a count: nothing compiled for them
        "3 3 2",  # the English and Chinese counts, not the Russian
        "3 3",
        "None None None 0",  # openings with a word or a year
        "1. 1",
    ], out


@pytest.mark.parametrize("text, lang, expected", [
    ("in ٢٠٣٠ and १२", "en", {"2030": 1, "12": 1}),  # digits of other scripts are digits
    ("Annex XVI, II", "en", {"16": 1, "2": 1}),
    ("26 сентября 2024 года", "ru", {"26": 1, "9": 1, "2024": 1}),
    ("no figure, no numeral here", "en", {}),
])
def test_a_text_is_scanned_for_figures_and_numerals_when_it_has_their_characters(
        text: str, lang: str, expected: dict[str, int]) -> None:
    """A text without a digit is not scanned for figures or dates, nor one without I, V,
    X or L for Roman numerals: what a text with them states is read as before."""
    assert dict(numbers(text, lang)) == expected


def test_a_month_is_read_in_any_case_and_with_the_letters_case_folding_equates() -> None:
    """Every form of every month, in any case, is its month; a word written with a letter
    only case-folding equates (ᲀ, U+1C80, for в) is the month it is written for."""
    from drafts.parity import numbers as module

    for number, (stem, endings) in enumerate(module._RU_MONTHS, start=1):
        for form in (stem + ending for ending in endings):
            for written in (form, form.upper(), form.capitalize()):
                assert module._months(f"12 {written} 2024", "ru") == [number], written
    assert module._months("1 аᲀгуста 2020", "ru") == [8]
    assert numbers("до 1 аᲀгуста 2020 года", "ru") == numbers("до 1 августа 2020 года", "ru")


@pytest.mark.parametrize("text, lang, expected", [
    ("2,5 млн", "ru", {"2500000": 1}),
    ("1.25 billion", "en", {"1250000000": 1}),
    ("0,5 тыс.", "ru", {"500": 1}),
    ("3.10 and 2.0 per cent", "en", {"3.1": 1, "2": 1}),
    ("1.000.000", "en", {}),  # a full stop marks decimals here: no figure at all
    ("1.000.000", "ru", {"1000000": 1}),
    ("007 and 00", "en", {"7": 1, "0": 1}),
    ("1,5 万", "zh", {"15000": 1}),
    ("2,5 bilhões", "pt", {"2500000000": 1}),
    ("٢٠٣٠ и ٢,٥", "ru", {"2030": 1, "2.5": 1}),
    ("0,0 и 1,0", "ru", {"0": 1}),
])
def test_whole_and_fractional_figures_read_to_the_same_decimal_text(
        text: str, lang: str, expected: dict[str, int]) -> None:
    """A whole figure is read as an integer, one with a fractional part as a decimal:
    either way, with its scale applied, it is written as the same normalised text."""
    assert dict(numbers(text, lang)) == expected


def test_the_decimal_module_is_imported_for_a_fractional_figure_only() -> None:
    """Whole numbers, dates and number words are read without importing ``decimal``; a
    figure with a fractional part imports it — in a fresh interpreter."""
    script = (
        "import sys\n"
        "from drafts.parity.numbers import numbers\n"
        "print(sorted(numbers('26 сентября 2024 года, двадцать пять, 三千五百, XVI', 'ru')),\n"
        "      'decimal' in sys.modules)\n"
        "print(sorted(numbers('2,5 млн', 'ru')), 'decimal' in sys.modules)\n")
    out = in_a_fresh_interpreter(script)
    assert out.splitlines() == ["['16', '2024', '25', '26', '9'] False", "['2500000'] True"], out
