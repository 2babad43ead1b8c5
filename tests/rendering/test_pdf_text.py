"""What a reader sees: masthead, numbering, labels, openers, dates, watermark and footer,
read back from the rendered PDFs."""

from __future__ import annotations

import io
import re

import pytest

from tests.rendering.conftest import fold, source_resolution, squeeze

STALE = {"op-workgroup": frozenset({"zh", "en"})}


def test_english_draft_masthead_and_text(make_view, render):
    pdf = render(make_view("draft", ["en"]))
    text = pdf.folded()
    first = fold(pdf.pages()[0])
    for fact in ("Higher Council of BRICS", "RCWG/RES/2024/1", "Distr.: General",
                 "26 September 2024", "Russian–Chinese Working Group on Microelectronics",
                 'On the transition from "market" to "production" in microelectronics'):
        assert fact in first, fact
    # The enacting formula precedes the preamble, which precedes the operative part.
    enacting = text.index("The Higher Council of BRICS,")
    noting = text.index("Noting the growing demand")
    recommends = text.index("1. Recommends the establishment")
    assert enacting < noting < recommends
    # Preambular paragraphs carry no number; operative paragraphs, items, sub-items do.
    assert not re.search(r"\d\.\s+Noting", text)
    assert not re.search(r"\d\.\s+Recalling", text)
    for label, start in (("1.", "Recommends"), ("2.", "Requests"), ("3.", "Calls upon"),
                         ("(a)", "to simplify"), ("(i)", "including equipment"),
                         ("(b)", "to develop joint"), ("4.", "Invites"), ("5.", "Decides")):
        assert f"{label} {start}" in text, label
    # Text printed as written: the source's punctuation, nothing added.
    assert "the parties: (a) to simplify" in text
    assert "Decides to remain seized of the matter. " in text + " "
    # The annex: heading and title, on its own page.
    assert "Annex Roadmap" in fold(pdf.pages()[-1])
    assert "1. Preparation of the list of priority projects" in text


def test_russian_labels_and_date(make_view, render):
    pdf = render(make_view("draft", ["ru"]))
    text = pdf.folded()
    assert "26 сентября 2024 г." in fold(pdf.pages()[0])
    assert "Высший совет БРИКС," in text
    assert "а) упростить порядок ввоза" in text
    assert "i) в том числе оборудования" in text
    assert "б) развивать совместные программы" in text
    assert "(a)" not in text and "(b)" not in text
    assert "1. рекомендует создание" in text  # UN style: the opener continues the formula
    assert "«рынка»" in text
    assert "Приложение Дорожная карта" in fold(pdf.pages()[-1])


def test_chinese_text_date_and_annex(make_view, render):
    pdf = render(make_view("draft", ["ru", "zh"]))
    text = pdf.text()
    assert "2024年9月26日" in text
    assert "26 сентября 2024 г." in text
    assert "金砖国家最高理事会，" in text
    assert "注意到俄罗斯工业对微电子元器件的需求日益增长，" in squeeze(text)
    assert "附件" in pdf.pages()[-1] and "路线图" in pdf.pages()[-1]
    assert "Приложение" in pdf.pages()[-1]
    # Chinese items: "(a)" with the sub-item "(i)"; Russian "а)".
    assert "(a) 简化" in fold(text)
    assert "а) упростить" in fold(text)


def test_draft_watermark_version_hash_and_page_numbers_on_every_page(make_view, render):
    view = make_view("draft", ["en"])
    pdf = render(view)
    pages = pdf.pages()
    assert len(pages) >= 2
    for number, page in enumerate(pages, 1):
        page = fold(page)
        assert "DRAFT" in page
        assert f"{number} / {len(pages)}" in page
        assert "Version 2" in page
        assert view.short_hash in page
    assert len(view.short_hash) == 12


def test_openers_italic_in_russian_and_english_bold_cjk_in_chinese(make_view, render):
    pdf = render(make_view("draft", ["ru", "zh", "en"]))
    runs: list[tuple[str, str]] = []
    for page in pdf.reader.pages:
        def visit(text, cm, tm, font, size):
            if text.strip() and font is not None:
                runs.append((text.strip(), str(font.get("/BaseFont", ""))))
        page.extract_text(visitor_text=visit)

    def font_of(word: str) -> str:
        return next(font for text, font in runs if text.startswith(word))

    assert "Italic" in font_of("Noting")
    assert "Italic" in font_of("отмечая")
    assert "Italic" not in font_of("the growing") if any(
        t.startswith("the growing") for t, _ in runs) else True
    zh = font_of("注意到")
    assert "CJK" in zh and "Bold" in zh
    assert "Italic" not in zh and "Oblique" not in zh
    body = font_of("俄罗斯工业")
    assert "CJK" in body and "Bold" not in body


def test_stale_translation_marked_in_draft_and_review_only(make_view, render):
    draft = render(make_view("draft", ["ru", "zh", "en"], stale=STALE)).folded()
    assert "⚠ translation not confirmed" in draft
    assert "⚠译文未经确认" in squeeze(draft)
    assert "перевод не подтверждён" not in draft  # Russian is not stale
    review = render(make_view("review", ["en"], stale=STALE, reviewer="Li Wei")).folded()
    assert "⚠ translation not confirmed" in review
    final = render(make_view("final", ["en"], stale=STALE)).folded()
    assert "translation not confirmed" not in final


def test_user_content_is_escaped(make_view, render):
    from templates.pdf.render import render_html

    nasty = "{{ 7*7 }} <w:t> & </p>"
    resolution = source_resolution(
        "symbol: RCWG/RES/2024/9\nbody: brics-higher-council\nlanguages: [en]\n"
        "title: {en: 'Title <b>bold</b> & {% raw %}'}\n"
        "preamble:\n  - en: 'Noting the first fact,'\n"
        "operative:\n"
        f"  - en: '{nasty}'\n"
        "  - en: '*Decides* to close.'\n")
    view = make_view("draft", ["en"], of=resolution)
    html = render_html(view)
    assert "{{ 7*7 }} &lt;w:t&gt; &amp; &lt;/p&gt;" in html
    assert "Title &lt;b&gt;bold&lt;/b&gt; &amp; {% raw %}" in html
    text = render(view).folded()
    assert "1. {{ 7*7 }} <w:t> & </p>" in text
    assert "49" not in text
    assert "Title <b>bold</b> & {% raw %}" in text


def test_single_operative_paragraph_is_not_numbered(make_view, render):
    resolution = source_resolution(
        "symbol: RCWG/RES/2024/8\nbody: brics-higher-council\nlanguages: [en, ru]\n"
        "title: {en: Lone, ru: Один}\n"
        "preamble:\n  - {en: '*Noting* the fact,', ru: '*Отмечая* факт,'}\n"
        "operative:\n  - {en: '*Decides* to act.', ru: '*Постановляет* действовать.'}\n")
    for langs in (["en"], ["en", "ru"]):
        text = render(make_view("draft", langs, of=resolution)).folded()
        assert "Decides to act." in text
        assert "1. Decides" not in text and "1." not in text.split("Noting")[1]
    assert "1." not in render(make_view("draft", ["ru"], of=resolution)).folded()


@pytest.mark.parametrize("languages", [["ru", "zh"], ["ru"]])
def test_review_copy_watermark_names_the_reviewer_on_every_page(make_view, render, languages):
    pdf = render(make_view("review", languages, reviewer="Ли Вэй", reviewer_id="li-wei"))
    pages = pdf.pages()
    assert len(pages) >= 2
    for page in pages:
        assert "Ли Вэй" in page
        assert "DRAFT" not in page
    # Paragraph numbers in the margin: a running counter, one per paragraph row.
    margin = sorted((page, y, w) for page, x, y, w in pdf.words() if x < 60 and w.isdigit())
    count = len(make_view("review", languages).paragraphs())
    assert [w for _, _, w in margin] == [str(n) for n in range(1, count + 1)]


@pytest.mark.parametrize("stage", ["final", "approval"])
def test_clean_stages_have_no_watermark(make_view, render, stage):
    text = render(make_view(stage, ["en"])).folded()
    assert "DRAFT" not in text
    assert "RCWG/RES/2024/1" in text


def test_pdf_metadata_names_the_document(make_view, render):
    import pypdf

    pdf = render(make_view("final", ["en"]))
    info = pypdf.PdfReader(io.BytesIO(pdf.data)).metadata
    assert info.title.startswith("RCWG/RES/2024/1 — On the transition")
