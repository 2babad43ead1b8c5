"""Word drafts → the resolution tree: numbering styles, openers, annexes, refusals."""

from __future__ import annotations

import io
import zipfile

import docx
import pytest

from drafts.errors import DraftError
from drafts.source import load
from drafts.word.placing import (
    DocxImportError,
    StructureMismatch,
    import_docx,
    merge_language,
)
from tests.interop.interop_docx import (
    add_multilevel_list,
    add_text,
    add_title,
    set_numbering,
    to_bytes,
    write_resolution,
)


def shape(paragraphs) -> list:
    """The tree without ids: [(text, [(item text, [sub-item texts])])]."""
    return [(p.texts, shape(p.items)) if p.items else p.texts for p in paragraphs]


def word_numbered_draft() -> bytes:
    """English, Word's own multi-level list: level 0 paragraphs, 1 items, 2 sub-items."""
    d = docx.Document()
    d.add_paragraph("On the transition to production in microelectronics", style="Title")
    add_text(d, " the growing demand of industry for components,", italic_opener="Noting")
    add_text(d, " the round table of 26 September 2024,", italic_opener="Recalling")
    add_text(d, "Bearing in mind the shared interest in technological sovereignty,")
    num = add_multilevel_list(d)
    set_numbering(add_text(d, " the establishment of joint ventures:",
                           italic_opener="Recommends"), num, 0)
    set_numbering(add_text(d, "in chip design;"), num, 1)
    set_numbering(add_text(d, "in production, in particular:"), num, 1)
    set_numbering(add_text(d, "of wafers; and"), num, 2)
    set_numbering(add_text(d, "of packaging;"), num, 2)
    set_numbering(add_text(d, " to remain seized of the matter.", italic_opener="Decides"),
                  num, 0)
    return to_bytes(d)


def test_word_automatic_numbering_gives_paragraphs_items_and_sub_items():
    result = import_docx(word_numbered_draft(), lang="en")
    res = result.resolution
    assert res.title == {"en": "On the transition to production in microelectronics"}
    assert [p.text("en") for p in res.preamble] == [
        "*Noting* the growing demand of industry for components,",
        "*Recalling* the round table of 26 September 2024,",
        "Bearing in mind the shared interest in technological sovereignty,",
    ]
    assert len(res.operative) == 2
    first, second = res.operative
    assert first.text("en") == "*Recommends* the establishment of joint ventures:"
    assert [i.text("en") for i in first.items] == ["in chip design;",
                                                   "in production, in particular:"]
    assert [s.text("en") for s in first.items[1].items] == ["of wafers; and", "of packaging;"]
    assert second.text("en") == "*Decides* to remain seized of the matter." and not second.items
    assert result.unrecognised == []
    # the source carries the ids and loads back to the same tree
    again, _ = load(result.source)
    assert again.to_data() == res.to_data()
    assert all(loc.paragraph.id for loc in res.walk())


def test_list_number_styles_of_the_default_template():
    d = docx.Document()
    add_title(d, "On cooperation")
    add_text(d, " the agreement,", italic_opener="Welcoming")
    add_text(d, " to cooperate:", italic_opener="Decides", style="List Number")
    add_text(d, "in research;", style="List Number 2")
    add_text(d, "in training;", style="List Number 2")
    add_text(d, " the secretariat to report.", italic_opener="Requests", style="List Number")
    res = import_docx(to_bytes(d), lang="en").resolution
    assert shape(res.operative) == [
        ({"en": "*Decides* to cooperate:"}, [{"en": "in research;"}, {"en": "in training;"}]),
        {"en": "*Requests* the secretariat to report."},
    ]


def typed_draft() -> bytes:
    """English with typed labels "1." / "(a)" / "(i)", nine items (so "(i)" is a letter)."""
    d = docx.Document()
    add_title(d, "On supply chains")
    add_text(d, " the importance of supply chains,", italic_opener="Recognizing")
    add_text(d, " the following measures:", italic_opener="Recommends", label="1.")
    for n, letter_ in enumerate("abcdefghi"):
        add_text(d, f"measure {n + 1};", label=f"({letter_})")
    add_text(d, "component one;", label="(i)")
    add_text(d, "component two;", label="(ii)")
    add_text(d, " a review in 2025.", italic_opener="Decides", label="2.")
    add_text(d, "Done at Moscow, 26 September 2024")
    return to_bytes(d)


def test_typed_numbers_and_letters():
    result = import_docx(typed_draft(), lang="en")
    res = result.resolution
    assert [p.text("en") for p in res.preamble] == ["*Recognizing* the importance of supply chains,"]
    assert len(res.operative) == 2
    items = res.operative[0].items
    assert res.operative[0].text("en") == "*Recommends* the following measures:"
    assert [i.text("en") for i in items] == [f"measure {n};" for n in range(1, 10)]
    assert [s.text("en") for s in items[8].items] == ["component one;", "component two;"]
    assert res.operative[1].text("en") == "*Decides* a review in 2025."
    # a paragraph after the operative part that fits nothing is reported, not guessed
    assert [text for _, text in result.unrecognised] == ["Done at Moscow, 26 September 2024"]
    assert result.unrecognised[0][0] > 10


def russian_draft() -> bytes:
    d = docx.Document()
    add_title(d, "О переходе от «рынка» к «производству»")
    add_text(d, "Рабочая группа,")
    add_text(d, " растущий спрос промышленности,", italic_opener="Отмечая")
    add_text(d, "Принимая во внимание итоги круглого стола,")
    add_text(d, " создание совместных предприятий:", italic_opener="Рекомендует", label="1.")
    add_text(d, "в проектировании;", label="а)")
    add_text(d, "в производстве, в том числе:", label="б)")
    add_text(d, "пластин;", label="i)")
    add_text(d, "корпусов;", label="ii)")
    add_text(d, " продолжать рассмотрение вопроса.", italic_opener="Постановляет", label="2.")
    add_title(d, "Приложение")
    add_title(d, "Дорожная карта")
    add_text(d, "Первый этап.", label="1.")
    add_text(d, "Второй этап.", label="2.")
    return to_bytes(d)


def test_russian_letters_italic_openers_and_an_annex():
    result = import_docx(russian_draft(), lang="ru", filename="проект.docx")
    res = result.resolution
    assert res.languages == ("ru",)
    assert [p.text("ru") for p in res.preamble] == [
        "*Отмечая* растущий спрос промышленности,",
        "Принимая во внимание итоги круглого стола,",
    ]
    assert shape(res.operative) == [
        ({"ru": "*Рекомендует* создание совместных предприятий:"}, [
            {"ru": "в проектировании;"},
            ({"ru": "в производстве, в том числе:"}, [{"ru": "пластин;"}, {"ru": "корпусов;"}]),
        ]),
        {"ru": "*Постановляет* продолжать рассмотрение вопроса."},
    ]
    assert len(res.annexes) == 1
    assert res.annexes[0].title == {"ru": "Дорожная карта"}
    assert [p.text("ru") for p in res.annexes[0].operative] == ["Первый этап.", "Второй этап."]
    # the enacting line names the body: recognised by its place and shape, not a paragraph
    assert result.enacting == "Рабочая группа,"
    assert result.unrecognised == []


def test_tables_and_stray_paragraphs_are_reported():
    d = docx.Document()
    add_title(d, "On tables")
    table = d.add_table(rows=1, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "OP 1", "text in a table"
    add_text(d, " the matter.", italic_opener="Decides", label="1.")
    add_text(d, "an item of a paragraph that does not exist;", label="(b)")
    add_text(d, "Signed: the chair")
    result = import_docx(to_bytes(d), lang="en")
    texts = [text for _, text in result.unrecognised]
    assert texts == ["OP 1 | text in a table", "Signed: the chair"]
    assert [p.text("en") for p in result.resolution.operative] == ["*Decides* the matter."]
    assert [i.text("en") for i in result.resolution.operative[0].items] == [
        "an item of a paragraph that does not exist;"]


def test_a_table_only_document_is_refused():
    d = docx.Document()
    d.add_table(rows=2, cols=2).cell(0, 0).text = "1. Decides"
    with pytest.raises(DocxImportError, match="no paragraphs"):
        import_docx(to_bytes(d), lang="en")
    with pytest.raises(DocxImportError, match="no paragraphs"):
        import_docx(to_bytes(docx.Document()), lang="en")


def _zip(parts: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, blob in parts.items():
            z.writestr(name, blob)
    return out.getvalue()


def test_refusals_not_a_zip_bomb_traversal():
    with pytest.raises(DocxImportError, match="not a Word document"):
        import_docx(b"%PDF-1.7 not a docx", lang="en")
    with pytest.raises(DocxImportError, match="no word/document.xml"):
        import_docx(_zip({"hello.txt": b"hi"}), lang="en")
    real = zipfile.ZipFile(io.BytesIO(word_numbered_draft()))
    parts = {name: real.read(name) for name in real.namelist()}
    with pytest.raises(DocxImportError, match="outside"):
        import_docx(_zip({**parts, "../../etc/evil.xml": b"<x/>"}), lang="en")
    with pytest.raises(DocxImportError, match="zip bomb"):
        import_docx(_zip({**parts, "word/media/zeros.bin": bytes(8 * 1024 * 1024)}), lang="en")
    assert issubclass(DocxImportError, DraftError)


def test_total_uncompressed_size_is_checked_before_reading(monkeypatch):
    import drafts.word.reading as module  # where the package checks live

    monkeypatch.setattr(module, "MAX_UNCOMPRESSED_BYTES", 10_000)
    with pytest.raises(DocxImportError, match="unpacks to more than"):
        import_docx(word_numbered_draft(), lang="en")


@pytest.mark.parametrize("draft, lang", [(word_numbered_draft, "en"), (typed_draft, "en"),
                                         (russian_draft, "ru")])
def test_import_write_import_gives_the_same_tree(draft, lang):
    first = import_docx(draft(), lang=lang).resolution
    second = import_docx(write_resolution(first, lang), lang=lang)
    assert second.resolution.to_data() == first.to_data()
    assert second.unrecognised == []


def test_merge_language_keeps_ids_and_reports_mismatches():
    english = import_docx(word_numbered_draft(), lang="en").resolution
    d = docx.Document()
    add_title(d, "О переходе к производству в микроэлектронике")
    add_text(d, " растущий спрос,", italic_opener="Отмечая")
    add_text(d, " круглый стол,", italic_opener="Напоминая")
    add_text(d, "Учитывая общий интерес,")
    add_text(d, " создание предприятий:", italic_opener="Рекомендует", label="1.")
    add_text(d, "в проектировании;", label="а)")
    add_text(d, "в производстве:", label="б)")
    add_text(d, "пластин;", label="i)")
    add_text(d, "корпусов;", label="ii)")
    add_text(d, " продолжать.", italic_opener="Постановляет", label="2.")
    russian = import_docx(to_bytes(d), lang="ru").resolution
    merged = merge_language(english, russian, "ru")
    assert merged.languages == ("en", "ru")
    assert [loc.paragraph.id for loc in merged.walk()] == \
        [loc.paragraph.id for loc in english.walk()]
    assert merged.operative[0].items[1].items[0].texts == {"en": "of wafers; and",
                                                            "ru": "пластин;"}
    assert merged.title["ru"] == "О переходе к производству в микроэлектронике"

    add_text(d, "лишний пункт;", label="а)")  # OP 2 gets an item the English lacks
    short = import_docx(to_bytes(d), lang="ru").resolution
    with pytest.raises(StructureMismatch) as caught:
        merge_language(english, short, "ru")
    assert caught.value.mismatches == ["OP 2: 0 items in the resolution, 1 in the file"]
    assert "OP 2" in str(caught.value) and "match" in str(caught.value)
    other = import_docx(typed_draft(), lang="ru").resolution
    with pytest.raises(StructureMismatch) as caught:
        merge_language(english, other, "ru")
    assert caught.value.mismatches == [
        "PP: 3 preambular paragraphs in the resolution, 1 in the file",
        "OP 1: 2 items in the resolution, 9 in the file"]


def test_chinese_full_width_labels_and_annex():
    d = docx.Document()
    add_title(d, "关于微电子领域从市场向生产过渡")
    add_text(d, "注意到俄罗斯工业日益增长的需求，")
    add_text(d, "建议建立合资企业：", label="1.")
    add_text(d, "设计领域；", label="（a）")
    add_text(d, "生产领域；", label="（b）")
    add_text(d, "决定继续处理此事项。", label="2.")
    add_title(d, "附件")
    add_title(d, "路线图")
    add_text(d, "第一阶段。", label="1.")
    result = import_docx(to_bytes(d), lang="zh")
    res = result.resolution
    assert [p.text("zh") for p in res.preamble] == ["注意到俄罗斯工业日益增长的需求，"]
    assert shape(res.operative) == [
        ({"zh": "建议建立合资企业："}, [{"zh": "设计领域；"}, {"zh": "生产领域；"}]),
        {"zh": "决定继续处理此事项。"},
    ]
    assert res.annexes[0].title == {"zh": "路线图"}
    assert [p.text("zh") for p in res.annexes[0].operative] == ["第一阶段。"]
    assert result.unrecognised == []


def test_a_lone_unnumbered_operative_paragraph_is_found_by_its_opener():
    d = docx.Document()
    add_title(d, "On a single decision")
    add_text(d, " the report,", italic_opener="Having considered")
    add_text(d, " to approve the roadmap.", italic_opener="Decides")
    add_text(d, "A stray closing line")
    result = import_docx(to_bytes(d), lang="en")
    assert [p.text("en") for p in result.resolution.preamble] == [
        "*Having considered* the report,"]
    assert [p.text("en") for p in result.resolution.operative] == [
        "*Decides* to approve the roadmap."]
    assert [text for _, text in result.unrecognised] == ["A stray closing line"]
