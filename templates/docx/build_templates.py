"""Build the docxtpl template files of this folder with python-docx.

Run from the repository root: ``python templates/docx/build_templates.py [OUT_DIR]``.
The generated ``<stage>.docx`` files are committed; this script makes them reproducible
and is the reference for a workspace that wants its own: keep the paragraph styles
(``Res*``) and the context names listed in ``templates/word/context.py``.

Every static run gets the same language and font settings as the renderer's runs, and
the document defaults carry them too, so text typed into a cell by a reviewer is marked
as well.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))

from docx import Document  # noqa: E402
from docx.blkcntnr import BlockItemContainer  # noqa: E402
from docx.document import Document as DocxDocument  # noqa: E402
from docx.enum.section import WD_ORIENT  # noqa: E402
from docx.enum.style import WD_STYLE_TYPE  # noqa: E402
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT  # noqa: E402
from docx.oxml import parse_xml  # noqa: E402
from docx.oxml.ns import nsdecls, qn  # noqa: E402
from docx.oxml.xmlchemy import BaseOxmlElement  # noqa: E402
from docx.shared import Mm, Pt, Twips  # noqa: E402
from docx.table import Table, _Cell, _Row  # noqa: E402

from templates.word.xml import CJK_FONT, LATIN_FONT, lang_tag, rpr, run  # noqa: E402

W = nsdecls("w")
TEXT_WIDTH_PORTRAIT = Mm(170)
TEXT_WIDTH_LANDSCAPE = Mm(257)
#: what a paragraph can be added to: the body, a header or footer, a table cell
Container = DocxDocument | BlockItemContainer


# -- document, styles ----------------------------------------------------------------
def new_document(*, landscape: bool = False) -> DocxDocument:
    doc = Document()
    section = doc.sections[0]
    if landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = Mm(297), Mm(210)
    else:
        section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = Mm(20)
    section.top_margin, section.bottom_margin = Mm(25), Mm(20)
    section.header_distance = section.footer_distance = Mm(10)
    _defaults(doc)
    _styles(doc)
    _hyphenation(doc)
    props = doc.core_properties
    props.author = props.last_modified_by = ""
    props.title = props.subject = props.comments = props.keywords = ""
    props.identifier = props.language = props.category = ""
    props.revision = 1
    return doc


def _hyphenation(doc: DocxDocument) -> None:
    """Justified Russian and English hyphenate (by each run's w:lang; Chinese needs none):
    w:autoHyphenation right after w:defaultTabStop, its place in CT_Settings."""
    settings = doc.settings.element
    tab = settings.find(qn("w:defaultTabStop"))
    node = parse_xml(f"<w:autoHyphenation {W}/>")
    if tab is not None:
        tab.addnext(node)
    else:
        settings.append(node)


def _defaults(doc: DocxDocument) -> None:
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    rpr_default = defaults.find(qn("w:rPrDefault"))
    rpr_default.remove(rpr_default.find(qn("w:rPr")))
    rpr_default.append(parse_xml(
        f'<w:rPr {W}><w:rFonts w:ascii="{LATIN_FONT}" w:hAnsi="{LATIN_FONT}" '
        f'w:cs="{LATIN_FONT}" w:eastAsia="{CJK_FONT}"/><w:sz w:val="22"/><w:szCs w:val="22"/>'
        f'<w:lang w:val="{lang_tag("en")}" w:eastAsia="zh-CN" w:bidi="ar-SA"/></w:rPr>'))
    ppr_default = defaults.find(qn("w:pPrDefault"))
    ppr_default.remove(ppr_default.find(qn("w:pPr")))
    ppr_default.append(parse_xml(
        f'<w:pPr {W}><w:spacing w:after="120" w:line="264" w:lineRule="auto"/></w:pPr>'))


def _style(doc: DocxDocument, name: str, *, size: float = 11, bold: bool = False,
           align: int | None = None, left: int = 0, hanging: int = 0, first: int = 0,
           before: float = 0, after: float = 6, keep_next: bool = False) -> None:
    style = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    style.base_style = doc.styles["Normal"]
    style.quick_style = True
    font = style.font
    font.size = Pt(size)
    font.bold = bold or None
    rfonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    for attr in ("w:ascii", "w:hAnsi", "w:cs"):
        rfonts.set(qn(attr), LATIN_FONT)
    rfonts.set(qn("w:eastAsia"), CJK_FONT)
    fmt = style.paragraph_format
    if align is not None:
        fmt.alignment = align
    if left or hanging:
        fmt.left_indent = Twips(left)
        fmt.first_line_indent = Twips(-hanging)
        fmt.tab_stops.add_tab_stop(Twips(left))
    elif first:
        fmt.first_line_indent = Twips(first)
    fmt.space_before = Pt(before)
    fmt.space_after = Pt(after)
    fmt.keep_with_next = keep_next or None


def _styles(doc: DocxDocument) -> None:
    centre, right = WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.RIGHT
    justify = WD_ALIGN_PARAGRAPH.JUSTIFY
    _style(doc, "ResMasthead", size=11, after=2)
    _style(doc, "ResMastheadRight", size=10, after=2, align=right)
    _style(doc, "ResTitle", size=13, bold=True, align=centre, before=12, after=12,
           keep_next=True)
    _style(doc, "ResEnacting", size=11, before=6, after=6, first=567, keep_next=True)
    _style(doc, "ResPreamble", size=11, first=567, align=justify)
    _style(doc, "ResOperative", size=11, left=567, hanging=567, align=justify)
    _style(doc, "ResItem", size=11, left=1134, hanging=567, align=justify)
    _style(doc, "ResSubItem", size=11, left=1701, hanging=567, align=justify)
    _style(doc, "ResAnnexHeading", size=12, bold=True, align=centre, before=18, after=6,
           keep_next=True)
    _style(doc, "ResAnnexTitle", size=12, bold=True, align=centre, after=12, keep_next=True)
    _style(doc, "ResCell", size=10, after=2)
    _style(doc, "ResCellHead", size=10, bold=True, after=2, keep_next=True)
    _style(doc, "ResHidden", size=1, after=0)
    _style(doc, "ResLetter", size=11, after=8)
    _style(doc, "ResHeader", size=9, after=0)


# -- content helpers ------------------------------------------------------------------
def para(container: Container, *pieces: str, style: str = "ResCell") -> None:
    """A paragraph of runs; a piece is run XML (starts with '<') or English text."""
    p = container.add_paragraph(style=style)
    p._p.get_or_add_pPr().append(parse_xml(rpr("en").replace("<w:rPr>", f"<w:rPr {W}>", 1)))
    for piece in pieces:
        xml = piece if piece.startswith("<") else run(piece, "en")
        for element in _elements(xml):
            p._p.append(element)


def _elements(xml: str) -> list[BaseOxmlElement]:
    wrapper = parse_xml(f"<w:body {W}>{xml}</w:body>")
    return list(wrapper)


def tag(container: Container, text: str) -> None:
    """A paragraph holding only a docxtpl tag (it disappears when rendered)."""
    para(container, text)


def field(instr: str, placeholder: str = "1", size: int = 18) -> str:
    props = rpr("en", size=size)
    return (f"<w:r>{props}<w:fldChar w:fldCharType=\"begin\"/></w:r>"
            f"<w:r>{props}<w:instrText xml:space=\"preserve\"> {instr} </w:instrText></w:r>"
            f"<w:r>{props}<w:fldChar w:fldCharType=\"separate\"/></w:r>"
            f"{run(placeholder, 'en', size=size)}"
            f"<w:r>{props}<w:fldChar w:fldCharType=\"end\"/></w:r>")


def header_footer(doc: DocxDocument, *, header: list[str], footer: list[str],
                  landscape: bool = False) -> None:
    section = doc.sections[0]
    width = TEXT_WIDTH_LANDSCAPE if landscape else TEXT_WIDTH_PORTRAIT
    hdr = section.header
    hdr.is_linked_to_previous = False
    first = hdr.paragraphs[0]
    first._p.getparent().remove(first._p)
    para(hdr, *header, style="ResHeader")
    ftr = section.footer
    ftr.is_linked_to_previous = False
    first = ftr.paragraphs[0]
    first._p.getparent().remove(first._p)
    para(ftr, *footer, f"<w:r>{rpr('en', size=18)}<w:tab/></w:r>",
         field("PAGE"), run(" / ", "en", size=18), field("NUMPAGES"), style="ResHeader")
    ftr.paragraphs[-1].paragraph_format.tab_stops.add_tab_stop(width, WD_TAB_ALIGNMENT.RIGHT)


#: CT_TblPr children that ECMA-376 (Part 1, 17.4.60) puts after w:tblBorders.
_AFTER_BORDERS = ("w:shd", "w:tblLayout", "w:tblCellMar", "w:tblLook", "w:tblCaption",
                  "w:tblDescription")


def _borderless(table: Table) -> None:
    """No borders: ``w:tblBorders`` in its schema place, before tblLayout and tblLook."""
    tbl_pr = table._tbl.tblPr
    borders = parse_xml(
        f'<w:tblBorders {W}><w:top w:val="nil"/><w:left w:val="nil"/><w:bottom w:val="nil"/>'
        f'<w:right w:val="nil"/><w:insideH w:val="nil"/><w:insideV w:val="nil"/>'
        f"</w:tblBorders>")
    later = [child for child in tbl_pr if child.tag in {qn(t) for t in _AFTER_BORDERS}]
    if later:
        later[0].addprevious(borders)
    else:
        tbl_pr.append(borders)


def _fixed(table: Table, widths_mm: list[float]) -> None:
    table.autofit = False
    grid = table._tbl.tblGrid
    for col, width in zip(grid.findall(qn("w:gridCol")), widths_mm):
        col.set(qn("w:w"), str(int(Mm(width).twips)))
    for row in table.rows:
        for cell, width in zip(row.cells, widths_mm):
            cell.width = Mm(width)


def _clear(cell: _Cell) -> None:
    for p in list(cell.paragraphs):
        p._p.getparent().remove(p._p)


def cell_tag(cell: _Cell, text: str, style: str = "ResCell") -> None:
    _clear(cell)
    para(cell, text, style=style)


def header_row(row: _Row) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    tr_pr.append(parse_xml(f"<w:tblHeader {W}/>"))


def loop_table(doc: DocxDocument, *, heads: list[str] | None, loop: str, cells: list[str],
               widths_mm: list[float], head_loop: tuple[str, str] | None = None,
               cell_loop: tuple[str, str] | None = None) -> None:
    """A table with a header row and one ``{%tr for %}`` row.

    With ``cell_loop`` (``("cell", "row")``) the row's cells come from a ``{%tc for %}``
    loop too (parallel columns); ``head_loop`` does the same for the header row.
    """
    ncols = 3 if cell_loop else len(cells)
    table = doc.add_table(rows=4 if heads is not None or head_loop else 3, cols=ncols)
    table.style = doc.styles["Table Grid"]
    _fixed(table, widths_mm)
    rows = list(table.rows)
    if heads is not None or head_loop:
        head = rows.pop(0)
        header_row(head)
        if head_loop:
            var, seq = head_loop
            cell_tag(head.cells[0], f"{{%tc for {var} in {seq} %}}")
            cell_tag(head.cells[1], f"{{{{p {var} }}}}", "ResCellHead")
            cell_tag(head.cells[2], "{%tc endfor %}")
        else:
            for cell, text in zip(head.cells, heads or []):
                cell_tag(cell, text, "ResCellHead")
    cell_tag(rows[0].cells[0], f"{{%tr {loop} %}}")
    if cell_loop:
        var, seq = cell_loop
        cell_tag(rows[1].cells[0], f"{{%tc for {var} in {seq} %}}")
        cell_tag(rows[1].cells[1], f"{{{{p {var} }}}}")
        cell_tag(rows[1].cells[2], "{%tc endfor %}")
    else:
        for cell, text in zip(rows[1].cells, cells):
            _clear(cell)
            para(cell, text) if text else para(cell)
    cell_tag(rows[2].cells[0], "{%tr endfor %}")


def masthead(doc: DocxDocument) -> None:
    table = doc.add_table(rows=1, cols=2)
    _borderless(table)
    _fixed(table, [100, 70])
    cell_tag(table.rows[0].cells[0], "{{p d.masthead_left }}", "ResMasthead")
    cell_tag(table.rows[0].cells[1], "{{p d.masthead_right }}", "ResMastheadRight")
    para(doc, style="ResMasthead")


def text_body(doc: DocxDocument) -> None:
    """The resolution text: a parallel table, or the single-language paragraphs."""
    tag(doc, "{%p if d.parallel %}")
    loop_table(doc, heads=None, head_loop=("h", "d.column_heads"),
               loop="for row in d.rows", cell_loop=("cell", "row"), cells=[],
               widths_mm=[170 / 3] * 3)
    tag(doc, "{%p else %}")
    tag(doc, "{{p d.title }}")
    tag(doc, "{{p d.enacting }}")
    tag(doc, "{%p for b in d.body %}")
    tag(doc, "{{p b }}")
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p endif %}")


def _line_numbers(doc: DocxDocument) -> None:
    sect = doc.sections[0]._sectPr
    cols = sect.find(qn("w:cols"))
    cols.addprevious(parse_xml(
        f'<w:lnNumType {W} w:countBy="1" w:distance="283" w:restart="newPage"/>'))


VERSION_FOOTER = ["{{ view.symbol }} · ", "{{r d.wh.version }}",
                  " {{ view.version }} · {{ view.short_hash }}"]


# -- one builder per stage -------------------------------------------------------------
def draft() -> DocxDocument:
    doc = new_document()
    header_footer(doc, header=["{{r d.wt.watermark_draft }}",
                               run("    {{ view.symbol }}", "en", size=18)],
                  footer=["{{r d.wh.watermark_draft }}", " · ", *VERSION_FOOTER])
    masthead(doc)
    text_body(doc)
    para(doc, style="ResMasthead")
    return doc


def review() -> DocxDocument:
    doc = new_document()
    header_footer(doc, header=["{{r d.wh.review_copy }}", run(" ", "en", size=18),
                               run("{{ view.reviewer }}", "en", bold=True, size=18),
                               run(" · {{ view.symbol }}", "en", size=18)],
                  footer=VERSION_FOOTER)
    _line_numbers(doc)
    masthead(doc)
    text_body(doc)
    para(doc, style="ResMasthead")
    return doc


def redline() -> DocxDocument:
    doc = new_document()
    header_footer(doc, header=["{{r d.wh.redline }}",
                               run(" · {{ view.symbol }}", "en", size=18)],
                  footer=VERSION_FOOTER)
    masthead(doc)
    text_body(doc)
    para(doc, style="ResMasthead")
    return doc


def final() -> DocxDocument:
    doc = new_document()
    header_footer(doc, header=[], footer=["{{ view.symbol }}"])
    masthead(doc)
    text_body(doc)
    tag(doc, "{%p if d.signatures %}")
    para(doc, style="ResMasthead")
    table = doc.add_table(rows=1, cols=3)
    _borderless(table)
    _fixed(table, [170 / 3] * 3)
    cells = table.rows[0].cells
    cell_tag(cells[0], "{%tc for s in d.signatures %}")
    cell_tag(cells[1], "{{p s }}")
    cell_tag(cells[2], "{%tc endfor %}")
    tag(doc, "{%p endif %}")
    para(doc, style="ResMasthead")
    return doc


def comment_form() -> DocxDocument:
    doc = new_document(landscape=True)
    header_footer(doc, header=["{{r d.wh.form_title }}", " · {{ view.symbol }} · ",
                               "{{r d.wh.version }}", " {{ view.version }}"],
                  footer=["{{ view.symbol }} · {{ view.short_hash }} · {{ view.reviewer }}"],
                  landscape=True)
    para(doc, "{{r d.wt.form_title }}", style="ResTitle")
    tag(doc, "{{p d.title }}")
    para(doc, "{{r d.wr.resolution }}", ": ", run("{{ view.symbol }}", "en", bold=True),
         ", ", "{{r d.wr.version }}", " {{ view.version }} ({{ view.short_hash }}), ",
         "{{r d.date }}", style="ResLetter")
    para(doc, "{{r d.wr.reviewer }}", ": ", "{{r d.reviewer }}", style="ResLetter")
    para(doc, "{{r d.wr.form_help }}", style="ResLetter")
    para(doc, "{{r d.wr.form_instructions }}", style="ResLetter")
    loop_table(doc, heads=["{{r d.wr.seq }}", "{{r d.wr.ref }}", "{{r d.wr.form_types }}",
                           "{{r d.wr.comment }}", "{{r d.wr.proposal }}",
                           "{{r d.wr.observations }}"],
               loop="for r in d.form_rows", cells=["", "{{ r.ref }}", "", "", "", ""],
               widths_mm=[10, 26, 36, 74, 66, 45])
    tag(doc, "{{p d.hidden_ids }}")
    return doc


def matrix() -> DocxDocument:
    doc = new_document(landscape=True)
    header_footer(doc, header=["{{r d.wh.matrix }}", " · {{ view.symbol }}"],
                  footer=VERSION_FOOTER, landscape=True)
    para(doc, "{{r d.wt.matrix }}", style="ResTitle")
    tag(doc, "{{p d.title }}")
    para(doc, "{{r d.wr.resolution }}", " {{ view.symbol }}, ", "{{r d.wr.version }}",
         " {{ view.version }} ({{ view.short_hash }})", style="ResLetter")
    loop_table(doc, heads=["{{r d.wr.seq }}", "{{r d.wr.ref }}", "{{r d.wr.author }}",
                           "{{r d.wr.type }}", "{{r d.wr.comment }}", "{{r d.wr.proposal }}",
                           "{{r d.wr.disposition }}", "{{r d.wr.observations }}"],
               loop="for c in d.comments",
               cells=["{{ c.no }}", "{{ c.ref }}", "{{r c.author }}", "{{ c.type }}",
                      "{{r c.text }}", "{{r c.proposal }}", "{{r c.disposition }}",
                      "{{r c.note }}"],
               widths_mm=[10, 25, 32, 12, 65, 55, 22, 36])
    tag(doc, "{%p if not d.comments %}")
    para(doc, "{{r d.wr.no_comments }}", style="ResLetter")
    tag(doc, "{%p endif %}")
    tag(doc, "{%p if d.waivers %}")
    tag(doc, "{{p d.waivers }}")
    tag(doc, "{%p endif %}")
    para(doc, style="ResMasthead")
    return doc


def approval() -> DocxDocument:
    doc = new_document()
    header_footer(doc, header=["{{r d.wh.approval }}", " · {{ view.symbol }}"],
                  footer=VERSION_FOOTER)
    masthead(doc)
    para(doc, "{{r d.wt.approval }}", style="ResTitle")
    tag(doc, "{{p d.title }}")
    para(doc, "{{r d.wr.version }}", " {{ view.version }}, SHA-256 {{ view.content_hash }}",
         style="ResLetter")
    loop_table(doc, heads=["{{r d.wr.member }}", "{{r d.wr.delegation }}",
                           "{{r d.wr.decision }}", "{{r d.wr.at }}", "{{r d.wr.note }}",
                           "{{r d.wr.statement }}"],
               loop="for a in d.approvals",
               cells=["{{r a.name }}", "{{ a.delegation }}", "{{r a.decision }}", "{{ a.at }}",
                      "{{r a.note }}", "{{ a.statement }}"],
               widths_mm=[35, 20, 20, 32, 38, 25])
    para(doc, style="ResMasthead")
    return doc


def cover_letter() -> DocxDocument:
    doc = new_document()
    header_footer(doc, header=[], footer=["{{ view.symbol }}"])
    masthead(doc)
    tag(doc, "{%p if d.parallel %}")
    loop_table(doc, heads=None, head_loop=("h", "d.column_heads"),
               loop="for row in d.letter_rows", cell_loop=("cell", "row"), cells=[],
               widths_mm=[170 / 3] * 3)
    tag(doc, "{%p else %}")
    tag(doc, "{%p for b in d.letter %}")
    tag(doc, "{{p b }}")
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p endif %}")
    para(doc, style="ResMasthead")
    return doc


BUILDERS = {"draft": draft, "review": review, "comment-form": comment_form,
            "matrix": matrix, "redline": redline, "final": final, "approval": approval,
            "cover-letter": cover_letter}

_THUMBNAIL = "http://schemas.openxmlformats.org/package/2006/relationships/metadata/thumbnail"


_STYLES_WITH_EFFECTS = ("http://schemas.microsoft.com/office/2007/relationships/"
                        "stylesWithEffects")


def _prune_styles(doc: DocxDocument) -> None:
    """Keep the default styles, the grid table and ours; python-docx's default package
    defines some 160 more (350 kB of styles.xml that every render would re-compress)."""
    root = doc.styles.element
    for style in root.findall(qn("w:style")):
        style_id = style.get(qn("w:styleId"), "")
        if style.get(qn("w:default")) == "1" or style_id == "TableGrid" \
                or style_id.startswith("Res"):
            continue
        root.remove(style)


def _drop_extras(doc: DocxDocument) -> None:
    """python-docx's default package carries a thumbnail image and a Word 2010
    ``stylesWithEffects`` copy of the styles (430 kB): neither is ours to ship."""
    for owner, reltype in ((doc.part.package, _THUMBNAIL), (doc.part, _STYLES_WITH_EFFECTS)):
        for rid, rel in list(owner.rels.items()):
            if rel.reltype == reltype:
                del owner.rels[rid]


def _reproducible(data: bytes) -> bytes:
    from templates.archive import normalise_zip

    return normalise_zip(data)


def build(out_dir: Path = HERE) -> list[Path]:
    written = []
    for stage, builder in BUILDERS.items():
        doc = builder()
        props = doc.core_properties
        props.created = props.modified = props.last_printed = \
            __import__("datetime").datetime(2024, 9, 26)
        _drop_extras(doc)
        _prune_styles(doc)
        buffer = io.BytesIO()
        doc.save(buffer)
        path = out_dir / f"{stage}.docx"
        path.write_bytes(_reproducible(buffer.getvalue()))
        written.append(path)
    return written


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else HERE
    for path in build(target):
        print(path)
