"""The parity check on aligned official-style texts: no false finding, every real one.

The corpus (tests/drafts/corpus_official/, figures in docs/BENCHMARKS.md) holds resolutions
written in the patterns of official multilingual texts — titles made of a number and a
year, openers with several senses, dates in words and in digits, "Chapter VII" / «главы
VII» / 第七章 / "الفصل السابع", amounts in each language's scale words — in every language
the engine renders. Every unit there is equivalent, so any finding is a false positive;
the seeded files hold eight real mismatches, each to be found by its rule.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from drafts.model import Paragraph, Resolution
from drafts.parity.core import Thresholds, Unit
from drafts.parity.numbers import compare, split
from drafts.parity.rules import check
from drafts.parity.text import length_ratio
from drafts.source import dump, load

CORPUS = Path(__file__).parent / "corpus_official"
EQUIVALENT = sorted((CORPUS / "calibration").glob("*.yaml")) + sorted(
    (CORPUS / "holdout").glob("*.yaml"))
SEEDS = tomllib.loads((CORPUS / "seeded.toml").read_text("utf-8"))["seed"]


def _load(path: Path) -> Resolution:
    return load(path.read_text(encoding="utf-8"), str(path))[0]


def test_the_corpus_covers_every_language() -> None:
    from drafts.languages import SUPPORTED

    seen = {lang for path in EQUIVALENT for lang in _load(path).languages}
    assert seen == set(SUPPORTED)
    assert len(SEEDS) == 8


@pytest.mark.parametrize("path", EQUIVALENT, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_equivalent_official_texts_raise_no_finding(path: Path) -> None:
    assert check(_load(path)) == []


@pytest.mark.parametrize("seed", SEEDS, ids=lambda s: f"{s['file']}:{s['ref']}:{s['rule']}")
def test_every_seeded_mismatch_is_found_by_its_rule(seed: dict[str, object]) -> None:
    findings = check(_load(CORPUS / "seeded" / str(seed["file"])))
    hits = [f for f in findings if f.ref == seed["ref"] and f.rule == seed["rule"]]
    assert len(hits) == 1, findings
    assert list(hits[0].languages)[:len(seed["languages"])] == seed["languages"]  # type: ignore[arg-type]


def test_seeded_files_have_nothing_but_their_seeds() -> None:
    expected = {(s["file"], s["ref"], s["rule"]) for s in SEEDS}
    for path in sorted((CORPUS / "seeded").glob("*.yaml")):
        for finding in check(_load(path)):
            assert (path.name, finding.ref, finding.rule) in expected, finding


def _unit(texts: dict[str, str], kind: str = "operative") -> Unit:
    return Unit("op-1", "OP 1", kind, texts)


def test_a_small_number_said_by_grammar_alone_is_not_a_difference() -> None:
    """The Arabic dual says "the two reports" with no number word; a language that
    states a small number must still state the same one."""
    texts = {"ar": "إزاء تقريري المدير العام؛", "en": "at the two reports of the Director;",
             "zh": "总干事的两份报告；"}
    assert compare(_unit(texts), ["ar", "zh", "en"]) == []
    wrong = {**texts, "zh": "总干事的三份报告；"}
    (finding,) = compare(_unit(wrong), ["ar", "zh", "en"])
    assert "zh" in finding.languages and "ar" not in finding.languages
    assert split("on two occasions", "en") == ({}, {"2": 1})
    assert split("2 occasions", "en") == ({"2": 1}, {})


@pytest.mark.parametrize(("lang", "text", "value"), [
    ("pt", "2,5 bilhões de dólares", "2500000000"),
    ("es", "2.500 millones de dólares", "2500000000"),
    ("es", "4 billones de dólares", "4000000000000"),
    ("fr", "4 billions de dollars", "4000000000000"),
    ("fr", "quatre-vingt-dix jours", "90"),
    ("fr", "sa soixante-dix-huitième session", "78"),
    ("es", "su septuagésimo octavo período", "78"),
    ("ar", "في دورتها الثامنة والسبعين", "78"),
    ("ar", "بموجب الفصل السابع", "7"),
    ("fa", "شانزدهمین نشست سران", "16"),
    ("fa", "تا سال ۲۰۳۰", "2030"),
    ("hi", "सोलहवें शिखर सम्मेलन", "16"),
    ("hi", "25 करोड़ रुपये", "250000000"),
    ("id", "dua puluh lima proyek", "25"),
    ("id", "800 juta orang", "800000000"),
    ("am", "ሁለተኛው ስብሰባ", "2"),
    ("zh", "影响200多万人", "2000000"),
])
def test_numbers_in_each_languages_words(lang: str, text: str, value: str) -> None:
    hard, soft = split(text, lang)
    assert (hard + soft) == {value: 1}, (hard, soft)


def test_months_count_once_next_to_a_day_or_year_and_are_not_ordinals() -> None:
    hard, _ = split("في 14 تموز/يوليه 2015", "ar")
    assert hard == {"14": 1, "7": 1, "2015": 1}
    hard, _ = split("31 كانون الثاني/يناير 2025", "ar")  # "الثاني" of January is not "2nd"
    assert hard == {"31": 1, "2025": 1}
    assert split("o relatório, segundo o secretariado,", "pt") == ({}, {})  # "according to"
    assert split("a segunda reunião", "pt") == ({"2": 1}, {})
    assert split("30 por cento", "pt")[0] == {"30": 1}


def test_titles_and_symbols_are_not_measured_for_length() -> None:
    title = Unit("title", "Title", "title", {"ru": "Резолюция 1518 (2003)",
                                             "zh": "第1518（2003）号决议"})
    assert length_ratio(title, ["ru", "zh"], Thresholds()) == []
    long_symbols = {"en": "Recalling S/2024/690, S/2024/691, S/2024/692, S/2024/693 and "
                          "S/2024/694 on the matter,",
                    "zh": "回顾关于此事的S/2024/690、S/2024/691、S/2024/692、S/2024/693和"
                          "S/2024/694号文件，"}
    assert length_ratio(_unit(long_symbols, "preamble"), ["zh", "en"], Thresholds()) == []


def test_indonesian_texts_are_written_ind_in_a_source() -> None:
    source = ("body: brics-higher-council\nlanguages: [id, en]\n"
              "title: {ind: Tentang kerja sama, en: On cooperation}\n"
              "operative:\n  - id: op-1\n    ind: \"*Memutuskan* untuk bekerja sama.\"\n"
              "    en: \"*Decides* to cooperate.\"\n")
    resolution, _ = load(source, "<t>")
    assert resolution.languages == ("id", "en")
    assert resolution.operative[0] == Paragraph("op-1", {"id": "*Memutuskan* untuk bekerja "
                                                          "sama.", "en": "*Decides* to cooperate."})
    assert "ind: Tentang kerja sama" in dump(resolution) and "\n    ind: " in dump(resolution)
    assert load(dump(resolution), "<dump>")[0] == resolution
