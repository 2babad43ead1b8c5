"""The PDF's structure: named destinations, embedded fonts, parallel rows, PDF/A-3b."""

from __future__ import annotations

import pytest

from tests.rendering.conftest import SIGNATORIES, fold


def _destinations(reader) -> dict[str, int]:
    return {name: reader.get_destination_page_number(dest)
            for name, dest in reader.named_destinations.items()}


@pytest.mark.parametrize("languages", [["en"], ["ru", "zh"]])
def test_review_copy_has_a_named_destination_per_paragraph(make_view, render, languages):
    view = make_view("review", languages, reviewer="Li Wei")
    pdf = render(view)
    destinations = _destinations(pdf.reader)
    ids = [p.id for p in view.paragraphs()]
    assert len(ids) == 13
    assert set(ids) <= set(destinations)
    pages = [destinations[i] for i in ids]
    assert pages == sorted(pages)            # in document order
    annex_first = view.annexes[0].paragraphs[0].id
    assert destinations[annex_first] == len(pdf.reader.pages) - 1


def test_fonts_are_embedded_noto_serif_and_noto_serif_cjk_sc(make_view, render):
    fonts = render(make_view("draft", ["ru", "zh"])).fonts()
    assert all(embedded for _, embedded in fonts), fonts
    names = [name for name, _ in fonts]
    # WeasyPrint names embedded subsets after the family and style: "Noto-Serif-CJK-SC".
    assert "Noto-Serif-CJK-SC" in names, names       # Chinese text
    assert "Noto-Serif-CJK-SC-Bold" in names         # Chinese openers (no italic)
    assert "Noto-Serif" in names                     # Cyrillic text
    assert "Noto-Serif-Italic" in names              # Russian openers
    assert not any("Oblique" in n or "CJK" in n and "Italic" in n for n in names)


def test_russian_only_document_uses_noto_serif_for_cyrillic(make_view, render):
    pdf = render(make_view("draft", ["ru"]))
    names = {name for name, _ in pdf.fonts()}
    assert {"Noto-Serif", "Noto-Serif-Italic", "Noto-Serif-Bold"} <= names
    assert not any("DejaVu-Serif" in n or "Liberation" in n for n in names)


def _top(words, page: int, prefix: str) -> float:
    found = [y for p, _, y, w in words if p == page and w.startswith(prefix)]
    assert found, f"{prefix!r} not on page {page}"
    return found[0]


@pytest.mark.parametrize("pairs", [
    [("рекомендует", "建议在俄罗斯联邦"), ("отмечая", "注意到俄罗斯"), ("поручает", "责成工作组"),
     ("упростить", "简化技术设备")],
])
def test_parallel_paragraph_pairs_start_on_the_same_line(make_view, render, pairs):
    pdf = render(make_view("draft", ["ru", "zh"]))
    words = pdf.words()
    for ru, zh in pairs:
        page = next(p for p, _, _, w in words if w.startswith(ru))
        zh_page = next(p for p, _, _, w in words if w.startswith(zh))
        assert page == zh_page, (ru, zh)
        # Same row: the tops differ only by the fonts' ascent difference.
        assert abs(_top(words, page, ru) - _top(words, page, zh)) < 3, (ru, zh)
        ru_x = next(x for p, x, _, w in words if w.startswith(ru))
        zh_x = next(x for p, x, _, w in words if w.startswith(zh))
        assert ru_x < zh_x                      # ru column left of zh column


def test_three_columns_keep_rows_aligned(make_view, render):
    pdf = render(make_view("draft", ["ru", "zh", "en"]))
    words = pdf.words()
    for ru, zh, en in (("просит", "请秘书处", "Invites"), ("постановляет", "决定继续", "Decides")):
        page = next(p for p, _, _, w in words if w.startswith(ru))
        tops = [_top(words, page, w) for w in (ru, zh, en)]
        assert max(tops) - min(tops) < 3, (ru, tops)


def test_archival_final_is_pdf_a_3b_with_attachments(make_view, render):
    source = "symbol: RCWG/RES/2024/1\n".encode()
    pdf = render(make_view("final", ["ru", "zh"], signatories=SIGNATORIES),
                 pdf_variant="pdf/a-3b",
                 attachments=[("source.yaml", source, "application/yaml"),
                              ("akn.xml", b"<akomaNtoso/>", "application/xml")])
    reader = pdf.reader
    xmp = reader.xmp_metadata
    assert xmp is not None
    xml = xmp.rdf_root.toxml()
    assert 'pdfaid:part="3"' in xml and 'pdfaid:conformance="B"' in xml
    assert reader.attachments["source.yaml"] == [source]
    assert reader.attachments["akn.xml"] == [b"<akomaNtoso/>"]
    assert "/AF" in reader.trailer["/Root"]
    # The archival copy keeps its signature slots.
    assert {"sig-ivanov", "sig-li-wei"} <= set(reader.named_destinations)


def test_plain_pdf_is_not_marked_pdf_a(make_view, render):
    reader = render(make_view("final", ["en"])).reader
    xmp = reader.xmp_metadata
    assert xmp is None or "pdfaid" not in xmp.rdf_root.toxml()


def test_final_signature_page_has_one_fixed_slot_per_signatory(make_view, render):
    from templates.pdf.render import SIGNATURE_SLOT_PT

    view = make_view("final", ["ru", "zh"], signatories=SIGNATORIES)
    pdf = render(view)
    reader = pdf.reader
    last = len(reader.pages) - 1
    destinations = _destinations(reader)
    for signatory in SIGNATORIES:
        assert destinations[signatory.anchor] == last
    page = fold(pdf.pages()[-1])
    for name in ("Иванов И. И.", "伊万诺夫", "Ли Вэй", "李伟", "Подписи / 签字"):
        assert name in page
    # The name is printed under the slot: its top is the slot's height (plus the rule and
    # the gap) below the destination's top-left corner.
    dest = reader.named_destinations["sig-ivanov"]
    page_height = float(reader.pages[last].mediabox.height)
    words = pdf.words()
    name_top = next(y for p, _, y, w in words if p == last + 1 and w.startswith("Иванов"))
    slot_top = page_height - float(dest.top)
    assert SIGNATURE_SLOT_PT[1] <= name_top - slot_top < SIGNATURE_SLOT_PT[1] + 10
    assert abs(float(dest.left) - next(x for p, x, _, w in words
                                       if p == last + 1 and w.startswith("Иванов"))) < 1
