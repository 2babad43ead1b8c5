"""Word drafts built with python-docx, the way drafters write them."""

from __future__ import annotations

import io

import docx
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn

from drafts.markup import split_opener
from drafts.model import Paragraph, Resolution
from drafts.numbering import annex_heading, letter, roman

_ABSTRACT = f"""<w:abstractNum {nsdecls('w')} w:abstractNumId="90">
  <w:multiLevelType w:val="multilevel"/>
  <w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="decimal"/>
    <w:lvlText w:val="%1."/><w:lvlJc w:val="left"/></w:lvl>
  <w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="lowerLetter"/>
    <w:lvlText w:val="(%2)"/><w:lvlJc w:val="left"/></w:lvl>
  <w:lvl w:ilvl="2"><w:start w:val="1"/><w:numFmt w:val="lowerRoman"/>
    <w:lvlText w:val="(%3)"/><w:lvlJc w:val="left"/></w:lvl>
</w:abstractNum>"""


def add_multilevel_list(document: docx.document.Document) -> str:
    """Add a 1. / (a) / (i) numbering definition to numbering.xml; return its numId."""
    numbering = document.part.numbering_part.element
    first_num = numbering.find(qn("w:num"))
    abstract = parse_xml(_ABSTRACT)
    if first_num is not None:
        first_num.addprevious(abstract)
    else:
        numbering.append(abstract)
    numbering.append(parse_xml(
        f'<w:num {nsdecls("w")} w:numId="90"><w:abstractNumId w:val="90"/></w:num>'))
    return "90"


def set_numbering(paragraph, num_id: str, ilvl: int) -> None:
    ppr = paragraph._p.get_or_add_pPr()
    ppr.insert(0, parse_xml(f'<w:numPr {nsdecls("w")}><w:ilvl w:val="{ilvl}"/>'
                            f'<w:numId w:val="{num_id}"/></w:numPr>'))


def add_text(document, text: str, *, italic_opener: str = "", label: str = "",
             style: str | None = None):
    """A paragraph: optional typed label, optional italic opener, then the text."""
    paragraph = document.add_paragraph(style=style)
    if label:
        paragraph.add_run(label + "\t")
    if italic_opener:
        paragraph.add_run(italic_opener).italic = True
    paragraph.add_run(text)
    return paragraph


def add_title(document, text: str) -> None:
    paragraph = document.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.add_run(text).bold = True


def to_bytes(document) -> bytes:
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def write_resolution(resolution: Resolution, lang: str) -> bytes:
    """A plain DOCX of one language with typed numbers: the round-trip partner of import."""
    document = docx.Document()
    add_title(document, resolution.title.get(lang, ""))

    def put(paragraph: Paragraph, label: str) -> None:
        opener, rest = split_opener(paragraph.text(lang))
        if opener:
            add_text(document, rest, italic_opener=opener, label=label)
        else:
            add_text(document, paragraph.text(lang), label=label)

    def section(preamble, operative) -> None:
        for paragraph in preamble:
            put(paragraph, "")
        for i, paragraph in enumerate(operative):
            put(paragraph, f"{i + 1}." if len(operative) > 1 else "")
            for j, item in enumerate(paragraph.items):
                put(item, f"{letter(j, lang)})" if lang == "ru" else f"({letter(j)})")
                for k, sub in enumerate(item.items):
                    put(sub, f"{roman(k + 1)})" if lang == "ru" else f"({roman(k + 1)})")

    section(resolution.preamble, resolution.operative)
    for index, annex in enumerate(resolution.annexes):
        add_title(document, annex_heading(index, len(resolution.annexes), lang))
        add_title(document, annex.title.get(lang, ""))
        section(annex.preamble, annex.operative)
    return to_bytes(document)
