"""Translation staleness: reconciliation records carried from version to version."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from drafts.model import Paragraph, Resolution
from drafts.source import load
from drafts.staleness import (
    carry_forward,
    confirm,
    merge,
    reconcile,
    stale_against,
    status,
    text_hash,
)

SOURCE = """\
body: brics-higher-council
languages: [ru, zh, en]
title:
  ru: О сотрудничестве в микроэлектронике
  zh: 关于微电子领域合作
  en: On cooperation in microelectronics
preamble:
  - id: pp-1
    ru: "*Отмечая* растущий спрос промышленности,"
    zh: "*注意到*工业需求不断增长，"
    en: "*Noting* the growing demand of industry,"
operative:
  - id: op-1
    ru: "*Рекомендует* создать совместные предприятия;"
    zh: "*建议*建立合资企业；"
    en: "*Recommends* the establishment of joint ventures;"
  - id: op-2
    ru: "*Просит* секретариат подготовить доклад к 2025 году;"
    zh: "*请*秘书处在2025年前编写报告；"
    en: "*Requests* the secretariat to prepare a report by 2025;"
    items:
      - id: op-2-a
        ru: по вопросам поставок;
        zh: 关于供应问题；
        en: on supply;
  - id: op-3
    ru: "*Постановляет* продолжать заниматься этим вопросом."
    zh: "*决定*继续处理这一问题。"
    en: "*Decides* to remain seized of the matter."
annexes:
  - id: annex-roadmap
    title: {ru: Дорожная карта, zh: 路线图, en: Roadmap}
    operative:
      - id: an-op-1
        ru: Стороны проводят встречи ежегодно.
        zh: 各方每年举行会议。
        en: The parties meet every year.
"""

LANGS = ("ru", "zh", "en")


def base() -> Resolution:
    return load(SOURCE)[0]


def _edit_paragraphs(paragraphs: tuple[Paragraph, ...], pid: str, lang: str, text: str
                     ) -> tuple[Paragraph, ...]:
    out = []
    for p in paragraphs:
        if p.id == pid:
            p = p.with_texts({**p.texts, lang: text})
        out.append(p._replace(items=_edit_paragraphs(p.items, pid, lang, text)))
    return tuple(out)


def edit(resolution: Resolution, pid: str, lang: str, text: str) -> Resolution:
    """A copy of ``resolution`` with one language of one unit rewritten."""
    if pid == "title":
        return resolution._replace(title={**resolution.title, lang: text})
    annexes = []
    for annex in resolution.annexes:
        title = annex.title
        if pid == f"{annex.id}:title":
            title = {**title, lang: text}
        annexes.append(annex._replace(title=title,
                                      preamble=_edit_paragraphs(annex.preamble, pid, lang, text),
                                      operative=_edit_paragraphs(annex.operative, pid, lang, text)))
    return resolution._replace(preamble=_edit_paragraphs(resolution.preamble, pid, lang, text),
                               operative=_edit_paragraphs(resolution.operative, pid, lang, text),
                               annexes=tuple(annexes))


def not_ok(table: dict[str, dict[str, str]]) -> dict[tuple[str, str], str]:
    return {(u, lang): s for u, row in table.items() for lang, s in row.items() if s != "ok"}


def test_text_hash_normalises_unicode():
    composed, decomposed = "Приветствуя ё", "Приветствуя е\u0308"
    assert text_hash(composed) == text_hash(decomposed)
    assert text_hash("a") != text_hash("b")
    assert len(text_hash("x")) == 16


def test_reconciled_version_is_all_ok_and_covers_titles():
    res = base()
    table = status(res, reconcile(res))
    assert set(table) == {"title", "pp-1", "op-1", "op-2", "op-2-a", "op-3",
                          "annex-roadmap:title", "an-op-1"}
    assert not_ok(table) == {}
    assert all(set(row) == set(LANGS) for row in table.values())


def test_edit_of_op2_in_english_makes_only_op2_ru_and_zh_stale():
    old = base()
    records = reconcile(old)
    new = edit(old, "op-2", "en", "*Requests* the secretariat to prepare a report by 2026;")
    carried = carry_forward(old, records, new)
    assert not_ok(status(new, carried)) == {("op-2", "ru"): "stale", ("op-2", "zh"): "stale"}
    assert stale_against(new, carried) == {"op-2": {"ru": ("en",), "zh": ("en",)}}


def test_confirm_chinese_clears_chinese_only():
    old = base()
    new = edit(old, "op-2", "en", "*Requests* the secretariat to prepare a report by 2026;")
    carried = carry_forward(old, reconcile(old), new)
    confirmed = merge(carried, reconcile(new, langs=["zh"], paragraph_ids=["op-2"]))
    assert not_ok(status(new, confirmed)) == {("op-2", "ru"): "stale"}
    # confirming does not touch what was passed in
    assert not_ok(status(new, carried)) == {("op-2", "ru"): "stale", ("op-2", "zh"): "stale"}


def test_confirming_a_fixed_translation_leaves_its_source_fresh():
    """en is edited, zh is fixed to match it in the next version and confirmed: en is not
    stale against the fixed zh, and ru is stale only against what nobody checked it with."""
    v1 = base()
    v2 = edit(v1, "op-2", "en", "*Requests* the secretariat to prepare a report by 2026;")
    r2 = carry_forward(v1, reconcile(v1), v2)
    v3 = edit(v2, "op-2", "zh", "*请*秘书处在2026年前编写报告；")
    r3 = carry_forward(v2, r2, v3)
    assert stale_against(v3, r3)["op-2"] == {"ru": ("zh", "en"), "en": ("zh",)}
    done = confirm(v3, r3, "zh", ["op-2"])
    assert stale_against(v3, done) == {"op-2": {"ru": ("en",)}}
    assert stale_against(v3, r3)["op-2"]["en"] == ("zh",)  # the input is not touched


def test_confirming_the_third_language_after_two_were_edited_clears_all():
    v1 = base()
    v2 = edit(edit(v1, "op-2", "en", "*Requests* a report by 2026;"),
              "op-2", "ru", "*Просит* подготовить доклад к 2026 году;")
    r2 = carry_forward(v1, reconcile(v1), v2)
    v3 = edit(v2, "op-2", "zh", "*请*在2026年前编写报告；")
    r3 = carry_forward(v2, r2, v3)
    assert set(stale_against(v3, r3)["op-2"]) == {"ru", "en"}
    assert not_ok(status(v3, confirm(v3, r3, "zh", ["op-2"]))) == {}
    # confirming one paragraph touches no other one
    other = confirm(v3, r3, "zh", ["op-1"])
    assert set(stale_against(v3, other)["op-2"]) == {"ru", "en"}


def test_edit_in_two_languages_leaves_the_third_stale():
    old = base()
    new = edit(edit(old, "op-1", "en", "*Recommends* joint ventures;"),
               "op-1", "ru", "*Рекомендует* совместные предприятия;")
    carried = carry_forward(old, reconcile(old), new)
    assert not_ok(status(new, carried)) == {("op-1", "zh"): "stale"}


def test_title_and_annex_title_edits_are_tracked():
    old = base()
    new = edit(edit(old, "title", "zh", "关于微电子合作"), "annex-roadmap:title", "ru",
               "План действий")
    carried = carry_forward(old, reconcile(old), new)
    assert not_ok(status(new, carried)) == {
        ("title", "ru"): "stale", ("title", "en"): "stale",
        ("annex-roadmap:title", "zh"): "stale", ("annex-roadmap:title", "en"): "stale",
    }


def test_new_paragraph_written_in_all_languages_is_reconciled():
    old = base()
    added = Paragraph("op-new", {"ru": "*Призывает* стороны;", "zh": "*呼吁*各方；",
                                 "en": "*Calls upon* the parties;"})
    new = old._replace(operative=old.operative[:1] + (added,) + old.operative[1:])
    carried = carry_forward(old, reconcile(old), new)
    assert not_ok(status(new, carried)) == {}
    assert "op-new" in carried


def test_missing_translation_and_adding_it_later():
    old = base()
    added = Paragraph("op-new", {"en": "*Calls upon* the parties;"})
    v2 = old._replace(operative=old.operative + (added,))
    r2 = carry_forward(old, reconcile(old), v2)
    assert not_ok(status(v2, r2)) == {("op-new", "ru"): "missing", ("op-new", "zh"): "missing"}
    # the translator writes the Chinese text: nothing becomes stale, Russian still missing
    v3 = edit(v2, "op-new", "zh", "*呼吁*各方；")
    r3 = carry_forward(v2, r2, v3)
    assert not_ok(status(v3, r3)) == {("op-new", "ru"): "missing"}
    # a later change to the Chinese text does make English stale
    v4 = edit(v3, "op-new", "zh", "*呼吁*所有各方；")
    r4 = carry_forward(v3, r3, v4)
    assert not_ok(status(v4, r4)) == {("op-new", "ru"): "missing", ("op-new", "en"): "stale"}


def test_removed_paragraphs_are_dropped_and_first_version_is_reconciled():
    old = base()
    new = old._replace(operative=old.operative[:-1])
    carried = carry_forward(old, reconcile(old), new)
    assert "op-3" not in carried and "op-1" in carried
    assert not_ok(status(new, carry_forward(None, None, new))) == {}


def test_no_record_means_unconfirmed():
    res = base()
    table = status(res, {})
    assert table["op-1"] == {"ru": "stale", "zh": "stale", "en": "stale"}


# -- property: an edit of one language of one unit never touches another unit ------------

UNIT_IDS = ["title", "pp-1", "op-1", "op-2", "op-2-a", "op-3", "annex-roadmap:title", "an-op-1"]


@settings(max_examples=60, deadline=None)
@given(
    unit=st.sampled_from(UNIT_IDS),
    lang=st.sampled_from(LANGS),
    text=st.text(alphabet="abcдежз中文 ,;.", min_size=0, max_size=30),
    first=st.one_of(st.none(), st.tuples(st.sampled_from(UNIT_IDS), st.sampled_from(LANGS))),
)
def test_editing_one_language_never_makes_another_paragraph_stale(unit, lang, text, first):
    v1 = base()
    r1 = reconcile(v1)
    if first is not None:  # start from a version that already has some staleness
        v2 = edit(v1, first[0], first[1], "earlier edit " + first[1])
        r1 = carry_forward(v1, r1, v2)
        v1 = v2
    before = status(v1, r1)
    v2 = edit(v1, unit, lang, text)
    after = status(v2, carry_forward(v1, r1, v2))
    for other in UNIT_IDS:
        if other != unit:
            assert after[other] == before[other], other
    # and in the edited unit, the edited language itself is never stale
    assert after[unit][lang] in ("ok", "missing")
