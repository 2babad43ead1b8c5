"""Akoma Ntoso export: schema-valid documents, identifiers, eId/wId through renumbering."""

from __future__ import annotations

import pytest
from lxml import etree

from drafts.akn.amendment import export_amendment_akn
from drafts.akn.export import AknError, Signatory, export_akn, original_eids, validate
from drafts.errors import RefError
from drafts.model import Paragraph
from drafts.source import load

NS = {"a": "http://docs.oasis-open.org/legaldocml/ns/akn/3.0"}
WORK = "/akn/xb-brics/statement/resolution/rcwg/2024-09-26/rcwg-res-2024-1"

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
    assert value(doc, f"{ident}/a:FRBRWork/a:FRBRcountry/@value") == "xb-brics"
    assert value(doc, f"{ident}/a:FRBRWork/a:FRBRnumber/@showAs") == "RCWG/RES/2024/1"
    assert value(doc, f"{ident}/a:FRBRExpression/a:FRBRuri/@value") == f"{WORK}/{code}@v2"
    assert value(doc, f"{ident}/a:FRBRExpression/a:FRBRlanguage/@language") == code
    assert value(doc, f"{ident}/a:FRBRManifestation/a:FRBRthis/@value") == \
        f"{WORK}/{code}@v2/!main.xml"
    assert value(doc, "string(//a:preface//a:docTitle)") == resolution.title[lang]
    recitals = doc.xpath("//a:statement/a:preamble//a:recital", namespaces=NS)
    assert [r.get("GUID") for r in recitals] == ["pp-demand", "pp-roundtable"]
    assert [r.get("wId") for r in recitals] == ["preamble__rec_1", "preamble__rec_2"]
    paragraphs = doc.xpath("//a:statement/a:mainBody/a:paragraph", namespaces=NS)
    assert [p.get("eId") for p in paragraphs] == ["para_1", "para_2"]
    assert [value(p, "string(a:num)") for p in paragraphs] == ["1.", "2."]
    points = doc.xpath("//a:statement/a:mainBody//a:point", namespaces=NS)
    assert [p.get("eId") for p in points] == [
        "para_1__point_a", "para_1__point_b", "para_1__point_b__point_i"]
    assert [value(p, "string(a:num)") for p in points] == {  # as each language prints them
        "ru": ["а)", "б)", "i)"], "zh": ["(a)", "(b)", "㈠"]}.get(lang, ["(a)", "(b)", "(i)"])
    assert value(doc, "string(//a:point[@GUID='it-wafers']/a:content)").strip() == \
        resolution.operative[0].items[1].items[0].text(lang)
    signers = doc.xpath("//a:conclusions//a:signature/a:person/text()", namespaces=NS)
    assert signers == ["А. Иванов", "Ли Вэй"]
    annex = doc.find("a:statement/a:attachments/a:attachment/a:doc", NS)
    assert value(annex, "string(a:preface//a:docTitle)") == resolution.annexes[0].title[lang]
    assert [p.get("eId") for p in annex.xpath("a:mainBody/a:paragraph", namespaces=NS)] == \
        ["att_1__para_1", "att_1__para_2"]


def test_opener_is_emphasised(resolution):
    doc = parse(export_akn(resolution, version=1, lang="en"))
    first = doc.xpath("//a:recital[@GUID='pp-demand']/a:p", namespaces=NS)[0]
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
    # the same paragraph in every language: its stable id in the GUID, every id prefixed
    # by the component (the schema wants eIds and GUIDs unique in the document)
    demand = doc.xpath("//a:recital[substring-after(@GUID, '__')='pp-demand']", namespaces=NS)
    assert [r.get("eId") for r in demand] == [
        "cmp_rus__preamble__rec_1", "cmp_zho__preamble__rec_1", "cmp_eng__preamble__rec_1"]
    assert [r.get("wId") for r in demand] == [r.get("eId") for r in demand]


def test_a_new_op_1_shifts_eids_and_keeps_wids(resolution):
    before = parse(export_akn(resolution, version=1, lang="en"))
    new = Paragraph("op-new", {"ru": "*Призывает* к сотрудничеству.", "zh": "呼吁合作。",
                               "en": "*Calls upon* members to cooperate."})
    changed = resolution._replace(operative=(new,) + resolution.operative)
    xml = export_akn(changed, version=2, lang="en",
                     original=original_eids([resolution, changed]))
    assert validate(xml) == []
    after = parse(xml)

    def eids(doc):
        return {el.get("GUID"): el.get("eId")
                for el in doc.xpath("//a:mainBody//*[@GUID]", namespaces=NS)
                if not el.get("eId").startswith("att_")}

    # wId: the eId in the version that introduced the element; a newcomer on an old
    # number gets a letter
    wids = {el.get("GUID"): el.get("wId")
            for el in after.xpath("//a:mainBody//*[@GUID]", namespaces=NS)}
    assert wids["op-ventures"] == "para_1" and wids["op-seized"] == "para_2"
    assert wids["it-wafers"] == "para_1__point_b__point_i"
    assert wids["op-new"] == "para_1a"
    assert len(set(wids.values())) == len(wids)

    old, now = eids(before), eids(after)
    assert now["op-new"] == "para_1"
    assert old["op-ventures"] == "para_1" and now["op-ventures"] == "para_2"
    assert old["op-seized"] == "para_2" and now["op-seized"] == "para_3"
    assert old["it-wafers"] == "para_1__point_b__point_i"
    assert now["it-wafers"] == "para_2__point_b__point_i"
    assert set(old) < set(now)  # every old wId is still there
    assert value(after, "string(//a:paragraph[@GUID='op-seized']/a:num)") == "3."


def test_amendment_document_validates(resolution):
    xml = export_amendment_akn(
        resolution, version=2, amendment_id="A-3", target="OP 1(b)", op="replace",
        texts={"ru": "в изготовлении;", "en": "in manufacturing;"}, why="Clearer term.",
        by="Li Wei", date="2024-10-01")
    assert validate(xml) == []
    doc = parse(xml)
    assert value(doc, "//a:amendment/a:meta//a:FRBRWork/a:FRBRuri/@value") == \
        "/akn/xb-brics/amendment/rcwg/2024-10-01/rcwg-res-2024-1-amd-a-3"
    assert value(doc, "//a:affectedDocument/@href") == f"{WORK}/mul@v2"
    refs = doc.xpath("//a:amendmentContent//a:mod/a:ref", namespaces=NS)
    assert [r.get("href") for r in refs] == [f"{WORK}/rus@v2/~para_1__point_b",
                                             f"{WORK}/eng@v2/~para_1__point_b"]
    assert value(doc, "//a:TLCPerson[@eId='proposer']/@href") == \
        "/ontology/person/xb-brics/li-wei"
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
    draft = resolution._replace(symbol=None, date=None)
    xml = export_akn(draft, version=1, lang="zh", date="2024-09-20")
    assert validate(xml) == []
    uri = value(parse(xml), "//a:FRBRWork/a:FRBRuri/@value")
    assert uri.startswith("/akn/xb-brics/statement/resolution/draft/2024-09-20/draft-")


LANG_OF = {"rus": "ru", "zho": "zh", "eng": "en"}


@pytest.mark.parametrize("target", ["PP 2", "OP 1", "OP 1(b)", "OP 1(b)(i)", "OP 2"])
def test_every_amendment_href_resolves_to_an_element(resolution, target):
    """Follow each ``ref``: export the expression its href names and find the eId there."""
    xml = export_amendment_akn(resolution, version=2, amendment_id="5", target=target,
                               op="replace", texts={"ru": "текст", "zh": "文本", "en": "text"},
                               date="2024-10-01")
    refs = parse(xml).xpath("//a:amendmentContent//a:ref", namespaces=NS)
    assert len(refs) == 3
    for ref in refs:
        expression, _, element_id = ref.get("href").partition("/~")
        lang = LANG_OF[expression.rsplit("/", 1)[1].split("@")[0]]
        target_doc = parse(export_akn(resolution, version=2, lang=lang))
        assert value(target_doc, "//a:statement/a:meta//a:FRBRExpression/a:FRBRuri/@value") \
            == expression
        [found] = target_doc.xpath(f"//*[@eId='{element_id}']", namespaces=NS)
        assert found.get("GUID") == ref.get("class")  # the very paragraph, by stable id
        box = ref.xpath("ancestor::a:blockContainer", namespaces=NS)[0]
        assert LANG_OF[box.get("eId").split("__")[1]] == lang


def test_each_person_has_a_transliterated_unique_slug(resolution):
    people = [Signatory("Смирнова Анна Сергеевна"), Signatory("李伟"),
              Signatory("李伟", latin="Li Wei"), Signatory("叶莲娜·库兹涅佐娃", latin="")]
    doc = parse(export_akn(resolution, version=1, lang="zh", signatories=people))
    hrefs = doc.xpath("//a:references/a:TLCPerson/@href", namespaces=NS)
    assert hrefs == ["/ontology/person/xb-brics/smirnova-anna-sergeevna",
                     "/ontology/person/xb-brics/li-wei", "/ontology/person/xb-brics/li-wei-2",
                     "/ontology/person/xb-brics/ye-lian-na-ku-zi-nie-zuo-wa"]
    ids = doc.xpath("//a:references/a:TLCPerson/@eId", namespaces=NS)
    refers = doc.xpath("//a:signature/a:person/@refersTo", namespaces=NS)
    assert refers == [f"#{i}" for i in ids]
    assert validate(export_akn(resolution, version=1, lang="zh", signatories=people)) == []


def test_the_body_opening_line_is_the_preamble_formula(resolution):
    enacting = {"ru": "Высший совет БРИКС,", "zh": "金砖国家最高理事会，",
                "en": "The Higher Council of BRICS,"}
    for lang in ("ru", None):
        xml = export_akn(resolution, version=1, lang=lang, enacting=enacting)
        assert validate(xml) == []
        formulas = parse(xml).xpath("//a:statement/a:preamble/a:formula", namespaces=NS)
        assert [f.get("name") for f in formulas] == ["enactingFormula"] * (1 if lang else 3)
        assert "".join(formulas[0].itertext()).strip() == "Высший совет БРИКС,"
        # it opens the preamble, before the recitals
        assert formulas[0].getnext().tag.endswith("recitals")


def test_the_default_uris_parse_in_cobalt(resolution):
    """Every FRBR URI of the default exports — one language, the collection of all
    languages with its annexes, an amendment — is one cobalt's ``FrbrUri.parse`` reads,
    with the place ``xb-brics`` (country ``xb``, locality ``brics``)."""
    cobalt = pytest.importorskip("cobalt")
    documents = [export_akn(resolution, version=2, lang="ru"), export_akn(resolution, version=2),
                 export_amendment_akn(resolution, version=2, amendment_id="A-3",
                                      target="OP 2", op="replace", texts={"en": "New text."},
                                      why="clarity", by="Li Wei", date="2024-10-01")]
    uris = [u for xml in documents for u in parse(xml).xpath(
        "//a:FRBRuri/@value | //a:FRBRthis/@value | //a:affectedDocument/@href",
        namespaces=NS)]
    assert len(uris) > 20
    for uri in uris:
        parsed = cobalt.FrbrUri.parse(uri.partition("~")[0])
        assert (parsed.country, parsed.locality) == ("xb", "brics"), uri
        assert "rcwg" in (parsed.actor, parsed.subtype), uri  # an amendment has no subtype
        assert parsed.number.startswith("rcwg-res-2024-1"), uri
        assert parsed.date in ("2024-09-26", "2024-10-01"), uri
    single = parse(documents[0])
    expression = cobalt.FrbrUri.parse(value(
        single, "//a:statement/a:meta//a:FRBRExpression/a:FRBRuri/@value"))
    assert (expression.doctype, expression.subtype, expression.language,
            expression.expression_date) == ("statement", "resolution", "rus", "@v2")
    assert expression.work_uri() == WORK
    # what the URIs were before: "brics" alone is no country code, and cobalt says so
    with pytest.raises(ValueError):
        cobalt.FrbrUri.parse(WORK.replace("/xb-brics/", "/brics/"))


def test_uris_with_a_two_letter_country_parse_in_cobalt(resolution):
    cobalt = pytest.importorskip("cobalt")
    doc = parse(export_akn(resolution, version=2, lang="ru", country_scheme="xb"))
    uris = doc.xpath("//a:statement/a:meta//a:FRBRuri/@value | "
                     "//a:statement/a:meta//a:FRBRthis/@value", namespaces=NS)
    assert len(uris) == 6
    for uri in uris:
        parsed = cobalt.FrbrUri.parse(uri)
        assert (parsed.country, parsed.locality, parsed.doctype, parsed.subtype, parsed.actor,
                parsed.date, parsed.number) == ("xb", None, "statement", "resolution", "rcwg",
                                                "2024-09-26", "rcwg-res-2024-1")


def test_export_akn_command_with_country_opening_line_and_original_wids(ws, tmp_path):
    """Through the CLI: a second version inserts an OP 1; the export names the country
    asked for (cobalt parses it), opens with the body's line and keeps the wIds of v1."""
    from tests.conftest import fixture_text

    source = fixture_text("trilingual.yaml")
    path = tmp_path / "res.yaml"
    path.write_text(source, encoding="utf-8")
    symbol = ws(["new", str(path)]).output.strip()
    inserted = source.replace("operative:\n", "operative:\n  - id: op-first\n"
                              "    ru: \"*Приветствует* итоги.\"\n    zh: \"*欢迎*成果。\"\n"
                              "    en: \"*Welcomes* the outcome.\"\n", 1)
    path.write_text(inserted, encoding="utf-8")
    ws(["edit", symbol, str(path)])
    out = tmp_path / "res.akn.xml"
    ws(["export-akn", symbol, "--lang", "ru", "--country", "xb", "-o", str(out)])
    doc = parse(out.read_bytes())
    assert value(doc, "//a:FRBRWork/a:FRBRcountry/@value") == "xb"
    cobalt = pytest.importorskip("cobalt")
    assert cobalt.FrbrUri.parse(value(doc, "//a:FRBRExpression/a:FRBRuri/@value")).country \
        == "xb"
    assert "".join(doc.xpath("//a:preamble/a:formula//text()", namespaces=NS)).strip() == \
        "Высший совет БРИКС,"
    wids = {el.get("GUID"): (el.get("eId"), el.get("wId"))
            for el in doc.xpath("//a:mainBody/a:paragraph", namespaces=NS)}
    assert wids["op-ventures"] == ("para_2", "para_1")
    assert wids["op-first"] == ("para_1", "para_1a")
