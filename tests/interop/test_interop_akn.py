"""Akoma Ntoso export: schema-valid documents, identifiers, eId/wId through renumbering."""

from __future__ import annotations

from dataclasses import replace

import pytest
from lxml import etree

from drafts.akn import AknError, Signatory, export_akn, validate
from drafts.akn_amendment import export_amendment_akn
from drafts.errors import RefError
from drafts.model import Paragraph
from drafts.source import load

NS = {"a": "http://docs.oasis-open.org/legaldocml/ns/akn/3.0"}
WORK = "/akn/brics/statement/resolution/rcwg/2024-09-26/rcwg-res-2024-1"

SOURCE = """\
symbol: RCWG/RES/2024/1
body: brics-higher-council
date: 2024-09-26
languages: [ru, zh, en]
title:
  ru: О переходе от «рынка» к «производству» в микроэлектронике
  zh: 关于微电子领域从"市场"向"生产"过渡
  en: On the transition from "market" to "production" in microelectronics
preamble:
  - id: pp-demand
    ru: "*Отмечая* растущий спрос российской промышленности,"
    zh: "注意到俄罗斯工业日益增长的需求，"
    en: "*Noting* the growing demand of Russian industry,"
  - id: pp-roundtable
    ru: "Напоминая о круглом столе 26 сентября 2024 года,"
    zh: "回顾2024年9月26日的圆桌会议，"
    en: "Recalling the round table of 26 September 2024,"
operative:
  - id: op-ventures
    ru: "*Рекомендует* создание совместных предприятий:"
    zh: "建议建立合资企业："
    en: "*Recommends* the establishment of joint ventures:"
    items:
      - id: it-design
        ru: "в проектировании;"
        zh: "设计领域；"
        en: "in design;"
      - id: it-production
        ru: "в производстве, в том числе:"
        zh: "生产领域，包括："
        en: "in production, including:"
        items:
          - {id: it-wafers, ru: "пластин;", zh: "晶圆；", en: "wafers;"}
  - id: op-seized
    ru: "*Постановляет* продолжать рассмотрение вопроса."
    zh: "决定继续处理此事项。"
    en: "*Decides* to remain seized of the matter."
annexes:
  - id: annex-roadmap
    title: {ru: Дорожная карта, zh: 路线图, en: Roadmap}
    preamble:
      - {id: pp-annex, ru: "Этапы:", zh: "阶段：", en: "Stages:"}
    operative:
      - {id: op-stage-1, ru: "Первый этап.", zh: "第一阶段。", en: "Stage one."}
      - {id: op-stage-2, ru: "Второй этап.", zh: "第二阶段。", en: "Stage two."}
"""

SIGNERS = [Signatory("А. Иванов", "Сопредседатель", "RCWG", "2024-09-27"), "Ли Вэй"]


@pytest.fixture(scope="module")
def resolution():
    return load(SOURCE, "trilingual.yaml")[0]


def parse(xml: bytes):
    return etree.fromstring(xml)


def value(doc, xpath: str) -> str:
    found = doc.xpath(xpath, namespaces=NS)
    return found if isinstance(found, str) else found[0]


@pytest.mark.parametrize("lang", ["ru", "zh", "en"])
def test_each_language_expression_validates_and_carries_the_text(resolution, lang):
    xml = export_akn(resolution, version=2, lang=lang, signatories=SIGNERS)
    assert validate(xml) == []
    doc = parse(xml)
    statement = doc.find("a:statement", NS)
    assert statement.get("name") == "resolution"
    code = {"ru": "rus", "zh": "zho", "en": "eng"}[lang]
    ident = "a:statement/a:meta/a:identification"
    assert value(doc, f"{ident}/a:FRBRWork/a:FRBRuri/@value") == WORK
    assert value(doc, f"{ident}/a:FRBRWork/a:FRBRcountry/@value") == "brics"
    assert value(doc, f"{ident}/a:FRBRWork/a:FRBRnumber/@showAs") == "RCWG/RES/2024/1"
    assert value(doc, f"{ident}/a:FRBRExpression/a:FRBRuri/@value") == f"{WORK}/{code}@v2"
    assert value(doc, f"{ident}/a:FRBRExpression/a:FRBRlanguage/@language") == code
    assert value(doc, f"{ident}/a:FRBRManifestation/a:FRBRthis/@value") == \
        f"{WORK}/{code}@v2/!main.xml"
    assert value(doc, "string(//a:preface//a:docTitle)") == resolution.title[lang]
    recitals = doc.xpath("//a:statement/a:preamble//a:recital", namespaces=NS)
    assert [r.get("wId") for r in recitals] == ["pp-demand", "pp-roundtable"]
    paragraphs = doc.xpath("//a:statement/a:mainBody/a:paragraph", namespaces=NS)
    assert [p.get("eId") for p in paragraphs] == ["para_1", "para_2"]
    assert [value(p, "string(a:num)") for p in paragraphs] == ["1.", "2."]
    points = doc.xpath("//a:statement/a:mainBody//a:point", namespaces=NS)
    assert [p.get("eId") for p in points] == [
        "para_1__point_a", "para_1__point_b", "para_1__point_b__point_i"]
    assert [value(p, "string(a:num)") for p in points] == (
        ["а)", "б)", "i)"] if lang == "ru" else ["(a)", "(b)", "(i)"])
    assert value(doc, "string(//a:point[@wId='it-wafers']/a:content)").strip() == \
        resolution.operative[0].items[1].items[0].text(lang)
    signers = doc.xpath("//a:conclusions//a:signature/a:person/text()", namespaces=NS)
    assert signers == ["А. Иванов", "Ли Вэй"]
    annex = doc.find("a:statement/a:attachments/a:attachment/a:doc", NS)
    assert value(annex, "string(a:preface//a:docTitle)") == resolution.annexes[0].title[lang]
    assert [p.get("eId") for p in annex.xpath("a:mainBody/a:paragraph", namespaces=NS)] == \
        ["att_1__para_1", "att_1__para_2"]


def test_opener_is_emphasised(resolution):
    doc = parse(export_akn(resolution, version=1, lang="en"))
    first = doc.xpath("//a:recital[@wId='pp-demand']/a:p", namespaces=NS)[0]
    assert first.find("a:i", NS).text == "Noting"
    assert "".join(first.itertext()) == "Noting the growing demand of Russian industry,"


def test_all_languages_as_one_collection_validates(resolution):
    xml = export_akn(resolution, version=3)
    assert validate(xml) == []
    doc = parse(xml)
    langs = doc.xpath("//a:documentCollection/a:meta//a:FRBRExpression/a:FRBRlanguage/@language",
                      namespaces=NS)
    assert langs == ["rus", "zho", "eng"]
    components = doc.xpath("//a:collectionBody/a:component", namespaces=NS)
    assert [c.get("eId") for c in components] == ["cmp_rus", "cmp_zho", "cmp_eng"]
    # the same paragraph in every language: one wId, eIds prefixed by the component
    demand = doc.xpath("//a:recital[@wId='pp-demand']/@eId", namespaces=NS)
    assert demand == ["cmp_rus__preamble__rec_1", "cmp_zho__preamble__rec_1",
                      "cmp_eng__preamble__rec_1"]


def test_a_new_op_1_shifts_eids_and_keeps_wids(resolution):
    before = parse(export_akn(resolution, version=1, lang="en"))
    new = Paragraph("op-new", {"ru": "*Призывает* к сотрудничеству.", "zh": "呼吁合作。",
                               "en": "*Calls upon* members to cooperate."})
    changed = replace(resolution, operative=(new,) + resolution.operative)
    xml = export_akn(changed, version=2, lang="en")
    assert validate(xml) == []
    after = parse(xml)

    def eids(doc):
        return {el.get("wId"): el.get("eId")
                for el in doc.xpath("//a:mainBody//*[@wId]", namespaces=NS)
                if not el.get("eId").startswith("att_")}

    old, now = eids(before), eids(after)
    assert now["op-new"] == "para_1"
    assert old["op-ventures"] == "para_1" and now["op-ventures"] == "para_2"
    assert old["op-seized"] == "para_2" and now["op-seized"] == "para_3"
    assert old["it-wafers"] == "para_1__point_b__point_i"
    assert now["it-wafers"] == "para_2__point_b__point_i"
    assert set(old) < set(now)  # every old wId is still there
    assert value(after, "string(//a:paragraph[@wId='op-seized']/a:num)") == "3."


def test_amendment_document_validates(resolution):
    xml = export_amendment_akn(
        resolution, version=2, amendment_id="A-3", target="OP 1(b)", op="replace",
        texts={"ru": "в изготовлении;", "en": "in manufacturing;"}, why="Clearer term.",
        by="Li Wei", date="2024-10-01")
    assert validate(xml) == []
    doc = parse(xml)
    assert value(doc, "//a:amendment/a:meta//a:FRBRWork/a:FRBRuri/@value") == \
        "/akn/brics/amendment/rcwg/2024-10-01/rcwg-res-2024-1-amd-a-3"
    assert value(doc, "//a:affectedDocument/@href") == f"{WORK}/mul@v2"
    refs = doc.xpath("//a:amendmentContent//a:mod/a:ref", namespaces=NS)
    assert {r.get("href") for r in refs} == {f"{WORK}/mul@v2/~para_1__point_b"}
    assert {r.get("class") for r in refs} == {"it-production"}
    quoted = doc.xpath("//a:amendmentContent//a:quotedText/text()", namespaces=NS)
    assert quoted == ["в изготовлении;", "in manufacturing;"]
    assert value(doc, "string(//a:amendmentJustification)").strip() == "Clearer term."
    for op in ("insert-after", "delete"):
        xml = export_amendment_akn(resolution, version=2, amendment_id="7", target="OP 2",
                                   op=op, texts={"en": "New text."} if op != "delete" else {},
                                   date="2024-10-01")
        assert validate(xml) == []
        if op == "delete":
            assert parse(xml).xpath("//a:quotedText", namespaces=NS) == []


def test_amendment_refusals(resolution):
    with pytest.raises(AknError, match="operation"):
        export_amendment_akn(resolution, version=1, amendment_id="1", target="OP 1",
                             op="rewrite", texts={"en": "x"})
    with pytest.raises(AknError, match="proposed text"):
        export_amendment_akn(resolution, version=1, amendment_id="1", target="OP 1",
                             op="replace", texts={})
    with pytest.raises(RefError):
        export_amendment_akn(resolution, version=1, amendment_id="1", target="OP 9",
                             op="delete", texts={})
    with pytest.raises(AknError, match="no 'fr' text"):
        export_akn(resolution, version=1, lang="fr")


def test_validate_reports_schema_errors(resolution):
    xml = export_akn(resolution, version=1, lang="en")
    broken = xml.replace(b"<mainBody", b"<mainBodyX").replace(b"</mainBody>", b"</mainBodyX>")
    errors = validate(broken)
    assert errors and "mainBodyX" in errors[0]
    assert validate(b"<akomaNtoso")[0].startswith("not well-formed")


def test_a_draft_without_symbol_or_date_still_validates(resolution):
    draft = replace(resolution, symbol=None, date=None)
    xml = export_akn(draft, version=1, lang="zh", date="2024-09-20")
    assert validate(xml) == []
    uri = value(parse(xml), "//a:FRBRWork/a:FRBRuri/@value")
    assert uri.startswith("/akn/brics/statement/resolution/draft/2024-09-20/draft-")
