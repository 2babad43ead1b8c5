"""The trilingual opener lexicon."""

from __future__ import annotations

import pytest

from drafts.lexicon import (
    OPERATIVE,
    PREAMBULAR,
    correspond,
    entries,
    leading_opener,
    lookup,
    opener_entry,
    suggest,
)


def test_lexicon_size_and_languages():
    preambular = [e for e in entries() if e.section == PREAMBULAR]
    operative = [e for e in entries() if e.section == OPERATIVE]
    assert len(preambular) >= 25 and len(operative) >= 20
    for entry in entries():
        assert all(entry.variants.get(lang) for lang in ("en", "ru", "zh")), entry.key
    assert len({e.key for e in entries()}) == len(entries())


@pytest.mark.parametrize("en, ru, zh", [
    ("Recalling", "Ссылаясь на", "回顾"),
    ("Noting", "Отмечая", "注意到"),
    ("Recognizing", "Признавая", "认识到"),
    ("Welcoming", "Приветствуя", "欢迎"),
    ("Reaffirming", "Вновь подтверждая", "重申"),
    ("Taking note of", "Принимая к сведению", "注意到"),
    ("Bearing in mind", "Учитывая", "铭记"),
    ("Convinced", "Будучи убеждены", "深信"),
    ("Emphasizing", "Подчеркивая", "强调"),
    ("Guided by", "Руководствуясь", "遵循"),
    ("Decides", "Постановляет", "决定"),
    ("Decides", "Постановляем", "决定"),
    ("Recommends", "Рекомендует", "建议"),
    ("Recommends", "Рекомендуем", "建议"),
    ("Requests", "Просит", "请"),
    ("Calls upon", "Призывает", "呼吁"),
    ("Invites", "Предлагает", "邀请"),
    ("Encourages", "Рекомендует", "鼓励"),
    ("Welcomes", "Приветствует", "欢迎"),
    ("Endorses", "Одобряет", "赞同"),
    ("Approves", "Утверждает", "核准"),
    ("Instructs", "Поручает", "责成"),
    ("Agrees", "Соглашается", "同意"),
    ("Establishes", "Учреждает", "设立"),
])
def test_standard_openers_correspond(en, ru, zh):
    assert correspond({"en": en, "ru": ru, "zh": zh}) is True


def test_lookup_ignores_case_adverbs_prepositions_and_yo():
    assert opener_entry("noting also", "en").key == "noting"
    assert opener_entry("Ссылаясь", "ru").key == "recalling"
    assert opener_entry("Ссылаясь также на", "ru").key == "recalling"
    assert opener_entry("又回顾", "zh").key == "recalling"
    assert opener_entry("Подчёркивая", "ru").key == "emphasizing"
    assert opener_entry("Frobnicating", "en") is None
    assert opener_entry("欢迎", "zh", OPERATIVE).key == "welcomes"
    assert opener_entry("欢迎", "zh", PREAMBULAR).key == "welcoming"
    assert {e.key for e in lookup("注意到", "zh")} >= {"noting", "taking-note"}


def test_correspond_false_and_unknown():
    assert correspond({"en": "Noting", "ru": "Приветствуя"}) is False
    assert correspond({"en": "Decides", "zh": "建议"}) is False
    assert correspond({"en": "Frobnicating", "ru": "Отмечая"}) is None
    assert correspond({"pt": "Recordando", "en": "Recalling"}) is None
    # only the first words are known: a guess, so no verdict
    assert correspond({"en": "Noting with quiet satisfaction", "ru": "Приветствуя"}) is None


def test_leading_opener_reads_emphasis_or_the_lexicon():
    assert leading_opener("*Recalling also* its decision,", "en") == "Recalling also"
    assert leading_opener("Ссылаясь на решение,", "ru") == "Ссылаясь на"
    assert leading_opener("又回顾2015年的决定，", "zh") == "又回顾"
    assert leading_opener("The parties meet.", "en") is None


def test_suggest():
    assert suggest("*Noting* the report,", "ru") == ["Отмечая"]
    assert suggest("Рекомендует сторонам", "en") == ["Recommends", "Encourages"]
    assert suggest("*呼吁*各方", "en") == ["Calls upon"]
    assert suggest("Calls upon all parties", "zh") == ["呼吁"]
    assert suggest("Blah", "zh") == []
