"""Ordinals next to cardinals in the number-parity check: a holdout set of sentences as a
working group writes them (ordinals and cardinals mixed, dates, percentages) that must
agree in English, Russian and Chinese, and mismatches that must still be caught — through
the rule itself and through `resolutions check`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from drafts.parity.core import Unit
from drafts.parity.numbers import compare, numbers
from tests.conftest import Cli, fixture_text

# (English, Russian, Chinese): the same figures in each
AGREE = [
    ("the first two sites", "первые две площадки", "首批两个站点"),
    ("*Welcomes* the opening of the first two joint laboratories in 2025;",
     "*приветствует* открытие первых двух совместных лабораторий в 2025 году;",
     "*欢迎*2025年首批两个联合实验室的开设；"),
    ("*Decides* to hold the third meeting of the working group in the second quarter of 2025;",
     "*постановляет* провести третье заседание рабочей группы во втором квартале 2025 года;",
     "*决定*于2025年第二季度举行工作组第三次会议；"),
    ("*Notes* that the first meeting, held on 26 September 2024, brought together "
     "35 participants;",
     "*отмечает*, что в первом заседании, состоявшемся 26 сентября 2024 года, приняли "
     "участие 35 человек;",
     "*注意到*2024年9月26日举行的首次会议有35名与会者参加；"),
    ("*Aims* to raise the share of domestic components to 30 per cent by 2030, the first "
     "such target for the sector;",
     "*ставит цель* довести долю отечественных компонентов до 30 процентов к 2030 году — "
     "первый такой ориентир для отрасли;",
     "*力争*到2030年将国产元器件比重提高到百分之三十，这是该行业首个此类目标；"),
    ("*Invites* the two delegations to submit, within three months, the second edition of "
     "the roadmap;",
     "*предлагает* двум делегациям в течение трех месяцев представить второе издание "
     "дорожной карты;",
     "*请*两个代表团在三个月内提交路线图第二版；"),
    ("*Recalling* the fifteenth BRICS Summit and the first ministerial meeting on industry,",
     "*ссылаясь на* пятнадцатый саммит БРИКС и первое совещание министров промышленности,",
     "*回顾*金砖国家第十五次峰会和首次工业部长会议，"),
    ("*Calls for* the establishment of three joint ventures, the first of them by 2026;",
     "*призывает* к созданию трех совместных предприятий, первого из них — к 2026 году;",
     "*呼吁*设立三家合资企业，其中第一家于2026年前设立；"),
    ("*Takes note* of the second report, covering the period from 1 January to 30 June 2024;",
     "*принимает к сведению* второй доклад, охватывающий период с 1 января по 30 июня "
     "2024 года;",
     "*注意到*涵盖2024年1月1日至6月30日期间的第二份报告；"),
    ("*Requests* the secretariat to circulate the first twenty copies within ten days;",
     "*просит* секретариат разослать первые двадцать экземпляров в течение десяти дней;",
     "*请*秘书处在十天内分发首批二十份副本；"),
    ("the challenges of the twenty-first century",
     "вызовы двадцать первого века",
     "二十一世纪的挑战"),
    ("the first three of the five priority projects",
     "первые три из пяти приоритетных проектов",
     "五个优先项目中的前三个"),
    ("For the second consecutive year, exports grew by 12.5 per cent;",
     "второй год подряд экспорт вырос на 12,5 процента;",
     "出口连续第二年增长12.5%；"),
    ("*Notes* that the 16th Summit in Kazan on 22–24 October 2024 adopted the Kazan "
     "Declaration;",
     "*отмечает*, что XVI саммит в Казани 22–24 октября 2024 года принял Казанскую "
     "декларацию;",
     "*注意到*2024年10月22日至24日在喀山举行的第十六届峰会通过了《喀山宣言》；"),
    ("the first two phases shall be completed by the fourth quarter of 2027",
     "первые два этапа завершаются к четвертому кварталу 2027 года",
     "前两个阶段应于2027年第四季度前完成"),
    ("the two first-round projects", "два проекта первой очереди", "两个首轮项目"),
]

# (English, Russian, Chinese, the language that states other figures)
DIFFER = [
    ("the first three sites", "первые две площадки", "首批两个站点", "en"),
    ("in the second quarter of 2025", "в третьем квартале 2025 года", "2025年第二季度", "ru"),
    ("the first two sites", "первые две площадки", "首批三个站点", "zh"),
    ("by 30 per cent", "на 13 процентов", "百分之三十", "ru"),
    ("the twenty-first century", "двадцать второй век", "二十一世纪", "ru"),
    ("the fifteenth Summit", "шестнадцатый саммит", "第十五次峰会", "ru"),
    ("the first two sites in 2025", "первые две площадки в 2025 году", "首批两个站点", "zh"),
    ("the two first-round projects", "три проекта первой очереди", "两个首轮项目", "ru"),
]


@pytest.mark.parametrize("en, ru, zh", AGREE, ids=[a[0][:40] for a in AGREE])
def test_the_holdout_sentences_agree(en: str, ru: str, zh: str) -> None:
    found = {"en": numbers(en, "en"), "ru": numbers(ru, "ru"), "zh": numbers(zh, "zh")}
    assert found["en"] == found["ru"] == found["zh"], found
    unit = Unit("op-1", "OP 1", "operative", {"en": en, "ru": ru, "zh": zh})
    assert compare(unit, ["ru", "zh", "en"]) == []


@pytest.mark.parametrize("en, ru, zh, odd", DIFFER, ids=[d[0][:40] for d in DIFFER])
def test_a_different_figure_is_still_caught(en: str, ru: str, zh: str, odd: str) -> None:
    [finding] = compare(Unit("op-1", "OP 1", "operative", {"en": en, "ru": ru, "zh": zh}),
                        ["ru", "zh", "en"])
    assert finding.rule == "numbers" and finding.languages == (odd,), finding


def test_the_ordinal_still_counts_where_it_is_the_figure() -> None:
    """An ordinal is not dropped: "third" is 3 beside "третьей" and "第三"."""
    assert numbers("the third meeting", "en") == numbers("третье заседание", "ru") == numbers(
        "第三次会议", "zh") == {"3": 1}
    assert numbers("the twenty-second meeting", "en") == {"22": 1}
    assert numbers("двадцать второе заседание", "ru") == {"22": 1}


def _with_op(en: str, ru: str, zh: str) -> str:
    source = fixture_text("trilingual.yaml")
    return (source
            .replace("*Instructs* the working group to prepare a roadmap until 2030;", en)
            .replace("*Поручает* рабочей группе подготовить дорожную карту до 2030 года;", ru)
            .replace("*责成*工作组制定至2030年的路线图；", zh))


def test_check_accepts_first_two_and_still_refuses_a_wrong_figure(ws_sqlite: Cli,
                                                                  tmp_path: Path) -> None:
    path = tmp_path / "res.yaml"
    path.write_text(_with_op("*Instructs* the working group to equip the first two sites;",
                             "*Поручает* рабочей группе оснастить первые две площадки;",
                             "*责成*工作组装备首批两个站点；"), encoding="utf-8")
    symbol = json.loads(ws_sqlite(["new", str(path), "--json"]).stdout)["symbol"]
    report = json.loads(ws_sqlite(["check", symbol, "--json"]).stdout)
    assert [f for f in report["findings"] if f["rule"] == "numbers"] == []
    wrong = tmp_path / "wrong.yaml"
    wrong.write_text(_with_op("*Instructs* the working group to equip the first three sites;",
                              "*Поручает* рабочей группе оснастить первые две площадки;",
                              "*责成*工作组装备首批两个站点；"), encoding="utf-8")
    ws_sqlite(["edit", symbol, str(wrong)])
    failed = ws_sqlite(["check", symbol, "--json"], code=1)
    [finding] = [f for f in json.loads(failed.stdout)["findings"] if f["rule"] == "numbers"]
    assert finding["languages"] == ["en"] and "English 3" in finding["message"]
