"""Reading a Word package for import: safety checks on the zip (size, parts, ratios,
names), then the document's paragraphs as blocks with their numbering level, typed label
and italic opener. Classification into the resolution tree is ``drafts.word.placing``.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from typing import TYPE_CHECKING

from drafts.errors import DraftError

if TYPE_CHECKING:
    from collections.abc import Sequence

    from docx.document import Document as DocxDocument
    from docx.oxml.text.paragraph import CT_P
    from docx.styles.style import CharacterStyle, ParagraphStyle
    from docx.text.run import Run

__all__ = ["DocxImportError", "MAX_DOCX_BYTES", "MAX_UNCOMPRESSED_BYTES", "rendered_from"]

MAX_DOCX_BYTES = 20 * 1024 * 1024
MAX_UNCOMPRESSED_BYTES = 100 * 1024 * 1024
MAX_PARTS = 2000
MAX_RATIO = 200  # a larger compression ratio on a big part is a zip bomb

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_CLEAN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u00ad\u200b\u2028\u2029"
                    "\u202a-\u202e\u2066-\u2069\ufeff]")
_SPACES = re.compile(r"[ \t\n\r\u00a0]+")
_CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")
_FULLWIDTH = str.maketrans({"（": "(", "）": ")", "．": ".", "\u3000": " "})
_ROMAN_WORDS = ("i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x", "xi", "xii")
_NUM_OP = re.compile(r"^(?:(\d{1,3})[.)](?!\d)|([一二三四五六七八九十]{1,3})、)\s*")
_NUM_ITEM = re.compile(r"^(?:\(\s*([a-z]{1,2}|[а-яё]{1,2})\s*\)|([a-z]|[а-яё])\))\s*")
_NUM_SUB = re.compile(r"^(?:\(\s*([ivxl]{1,6})\s*\)|([ivxl]{1,6})\))\s*")
_ANNEX = re.compile(r"^(?P<word>annex|appendix|приложение|附件)\s*"
                    r"(?P<num>[ivxlc]+|\d+|№\s*\d+|[一二三四五六七八九十]+)?\s*[.:：]?\s*"
                    r"(?P<title>.*)$", re.IGNORECASE)
_LABEL_ONLY = re.compile(r"^\s*(?:\(?\s*[\w]{1,6}\s*[.)）．]|（\s*\w{1,6}\s*）|[一二三四五六七八九十]{1,3}、)?\s*$")
_SYMBOL = re.compile(r"^[A-Z][A-Z0-9]*(?:/[A-Za-z0-9.-]+){2,}$")
_OPERATIVE_OPENERS = (
    "decides", "recommends", "requests", "calls upon", "urges", "invites", "encourages",
    "approves", "adopts", "resolves", "instructs", "endorses", "agrees", "proposes",
    "постановляет", "рекомендует", "просит", "призывает", "предлагает", "одобряет",
    "решает", "поручает", "принимает", "утверждает", "считает необходимым",
    "决定", "建议", "请", "呼吁", "核可", "通过", "鼓励", "敦促", "责成",
)
_PREAMBLE_OPENERS = (
    "noting", "recalling", "recognizing", "recognising", "welcoming", "bearing in mind",
    "considering", "guided by", "taking into account", "reaffirming", "emphasizing",
    "emphasising", "convinced", "aware", "concerned", "mindful", "having", "acknowledging",
    "отмечая", "ссылаясь", "признавая", "приветствуя", "учитывая", "принимая во внимание",
    "руководствуясь", "подтверждая", "подчеркивая", "подчёркивая", "будучи", "сознавая",
    "напоминая", "рассмотрев", "исходя из",
    "注意到", "回顾", "认识到", "欢迎", "考虑到", "铭记", "强调", "重申", "深信", "意识到",
    "关切", "承认",
)


class DocxImportError(DraftError):
    """A file that cannot be read as a Word draft (the message says why and what to do)."""


# -- the package ------------------------------------------------------------------------

def _check_package(data: bytes, filename: str) -> None:
    if len(data) > MAX_DOCX_BYTES:
        raise DocxImportError(f"{filename}: the file is larger than "
                              f"{MAX_DOCX_BYTES // 1024 // 1024} MiB; move pictures out of it")
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise DocxImportError(f"{filename}: not a Word document (a .docx is a ZIP package); "
                              "save it from Word or LibreOffice as .docx")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            infos = package.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError) as exc:
        raise DocxImportError(f"{filename}: damaged ZIP package ({exc})") from None
    if len(infos) > MAX_PARTS:
        raise DocxImportError(f"{filename}: {len(infos)} parts in the package; a draft has "
                              f"far fewer than {MAX_PARTS}")
    total = 0
    names = set()
    for info in infos:
        name = info.filename
        if (name.startswith(("/", "\\")) or "\\" in name or ":" in name
                or any(part == ".." for part in name.split("/"))):
            raise DocxImportError(f"{filename}: the package has a part named {name!r} that "
                                  "points outside it; the file is not a genuine .docx")
        total += info.file_size
        if total > MAX_UNCOMPRESSED_BYTES:
            raise DocxImportError(f"{filename}: the package unpacks to more than "
                                  f"{MAX_UNCOMPRESSED_BYTES // 1024 // 1024} MiB "
                                  "(a zip bomb or a document full of media); refused")
        if info.file_size > 1024 * 1024 and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise DocxImportError(f"{filename}: the part {name!r} is compressed "
                                  f"{info.file_size // max(info.compress_size, 1)}:1 "
                                  "(a zip bomb); refused")
        names.add(name)
    if "word/document.xml" not in names or "[Content_Types].xml" not in names:
        raise DocxImportError(f"{filename}: a ZIP package but not a Word document "
                              "(no word/document.xml); save it as .docx")


# -- reading paragraphs -----------------------------------------------------------------

@dataclass
class _Block:
    index: int
    text: str
    opener: str = ""
    style: str = ""
    centred: bool = False
    bold: bool = False
    num_level: int | None = None  # from Word's automatic numbering: 0 for a paragraph,
    # else a level by the list's position, refined by its label style in placing
    num_style: str = ""           # the list's label style: number, letter, roman
    num_index: int = 0            # the paragraph's place in its list (0-based)
    table: bool = False


def _clean(text: str) -> str:
    return _SPACES.sub(" ", _CLEAN.sub("", text)).strip()


def _numbering_formats(document: DocxDocument) -> dict[tuple[str, int], str]:
    """(numId, ilvl) → numFmt, from numbering.xml."""
    try:
        root = document.part.numbering_part.element
    except Exception:
        return {}
    abstract = {}
    for node in root.iter(f"{_W}abstractNum"):
        levels = {}
        for lvl in node.iter(f"{_W}lvl"):
            fmt = lvl.find(f"{_W}numFmt")
            levels[int(lvl.get(f"{_W}ilvl", "0"))] = fmt.get(f"{_W}val") if fmt is not None else ""
        abstract[node.get(f"{_W}abstractNumId")] = levels
    out: dict[tuple[str, int], str] = {}
    for num in root.iter(f"{_W}num"):
        ref = num.find(f"{_W}abstractNumId")
        if ref is None:
            continue
        for ilvl, fmt in abstract.get(ref.get(f"{_W}val"), {}).items():
            out[(num.get(f"{_W}numId"), ilvl)] = fmt
    return out


def _num_pr(p_element: CT_P, style: ParagraphStyle | None) -> tuple[str, int] | None:
    """(numId, ilvl) from the paragraph, else from its style chain; None when unnumbered."""
    num_id = ilvl = None
    sources = [p_element.pPr]
    while style is not None:
        sources.append(style.element.pPr)
        style = style.base_style
    for ppr in sources:
        numpr = ppr.find(f"{_W}numPr") if ppr is not None else None
        if numpr is None:
            continue
        if num_id is None and numpr.find(f"{_W}numId") is not None:
            num_id = numpr.find(f"{_W}numId").get(f"{_W}val")
        if ilvl is None and numpr.find(f"{_W}ilvl") is not None:
            ilvl = int(numpr.find(f"{_W}ilvl").get(f"{_W}val"))
    if num_id is None or num_id == "0":
        return None
    return num_id, ilvl or 0


def _style_of(fmt: str) -> str:
    """The label style a Word number format shows: number, letter or roman."""
    if "Letter" in fmt or fmt in ("russianLower", "russianUpper"):
        return "letter"
    if "Roman" in fmt:
        return "roman"
    return "number"


def _level(num: tuple[str, int], style_name: str, formats: dict[tuple[str, int], str]) -> int:
    """Paragraph (0), item (1) or sub-item (2) as the list's place says (its level, or the
    "List Number N" style); placing refines items by their label style (a list of (i),
    (ii) right under a paragraph is its items, not sub-items)."""
    styled = re.match(r"List Number (\d)", style_name)
    if styled and num[1] == 0:
        return min(int(styled.group(1)) - 1, 2)
    if num[1] == 0 and _style_of(formats.get(num, "")) != "number":
        return 1
    return min(num[1], 2)


def _italic(run: Run) -> bool:
    if run.italic is not None:
        return bool(run.italic)
    style: CharacterStyle | None = run.style
    while style is not None:
        if style.font.italic is not None:
            return bool(style.font.italic)
        style = style.base_style
    return False


def _opener(runs: Sequence[Run]) -> str:
    """The leading italic phrase (after a typed label such as "1." or "(a)"), or ""."""
    prefix = ""
    lead: list[str] = []
    rest: list[str] = []
    for run in runs:
        if rest or (lead and run.text.strip() and not _italic(run)):
            rest.append(run.text)
        elif _italic(run) and (lead or run.text.strip()):
            if not lead and not _LABEL_ONLY.match(prefix):
                return ""
            lead.append(run.text)
        elif not lead:
            prefix += run.text
    opener = _clean("".join(lead))
    if not opener or "*" in opener or not _clean("".join(rest)):
        return ""
    return opener.rstrip(" ,;:，；：")


def _read_blocks(data: bytes) -> list[_Block]:
    import docx  # python-docx, imported only when a document is read
    from docx.table import Table
    from docx.text.paragraph import Paragraph as DocxParagraph

    document = docx.Document(io.BytesIO(data))
    formats = _numbering_formats(document)
    counters: dict[str, dict[int, int]] = {}  # numId → ilvl → paragraphs so far
    blocks = []
    for index, child in enumerate(document.element.body.iterchildren()):
        if child.tag == f"{_W}tbl":
            text = _clean(" | ".join(c.text for row in Table(child, document).rows
                                     for c in row.cells))
            blocks.append(_Block(index, text or "(table)", table=True))
            continue
        if child.tag != f"{_W}p":
            continue
        para = DocxParagraph(child, document)
        text = _clean(para.text)
        if not text:
            continue
        style = para.style
        opener = _opener(para.runs)
        num = _num_pr(child, style)
        runs = [r for r in para.runs if r.text.strip()]
        alignment = para.alignment if para.alignment is not None else \
            (style.paragraph_format.alignment if style is not None else None)
        place = 0
        if num is not None:  # the paragraph's number in its list; deeper levels restart
            levels = counters.setdefault(num[0], {})
            place = levels.get(num[1], 0)
            levels[num[1]] = place + 1
            for deeper in [k for k in levels if k > num[1]]:
                levels[deeper] = 0
        blocks.append(_Block(
            index=index, text=text, opener=opener,
            style=style.name if style is not None else "",
            centred=alignment is not None and int(alignment) == 1,
            bold=bool(runs) and all(r.bold for r in runs),
            num_level=None if num is None else _level(num, style.name if style else "",
                                                       formats),
            num_style=_style_of(formats.get(num, "")) if num is not None else "",
            num_index=place))
    return blocks


# -- classifying ------------------------------------------------------------------------

def _starts_with(text: str, openers: tuple[str, ...]) -> bool:
    low = text.lower()
    for opener in openers:
        if low.startswith(opener):
            after = low[len(opener):len(opener) + 1]
            if ord(opener[0]) > 0x2E80 or not after or not after.isalpha():
                return True
    return False


def _marked(block: _Block, text: str | None = None) -> str:
    """The text (``text``: with its typed label removed) with the opener as ``*Opener*``,
    spaced as written: "*Noting* the", "*重申*其" (no space where the text had none)."""
    text = block.text if text is None else text
    if block.opener and text.startswith(block.opener):
        rest = text[len(block.opener):]
        if rest[:1] == " " and _CJK.match(rest[1:2] or "") and _CJK.match(block.opener[-1]):
            rest = rest[1:]  # a space a Chinese text never had (a run boundary)
        return f"*{block.opener}*{rest}"
    return text


_IDENTIFIER = re.compile(r"<dc:identifier>([^<]{1,200})</dc:identifier>")
_RENDERED = re.compile(r"^(\S{1,64}) v(\d{1,9}) ([0-9a-f]{12})$")


def rendered_from(data: bytes) -> tuple[str, int, str] | None:
    """(symbol, version, first 12 hex digits of its content hash) of a DOCX this project
    rendered (its core properties' identifier), or None for any other Word file. Called on
    a package :func:`_check_package` accepted."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            info = zf.getinfo("docProps/core.xml")
            if info.file_size > 64 * 1024:
                return None
            core = zf.read(info).decode("utf-8", "replace")
    except (KeyError, zipfile.BadZipFile, OSError, ValueError):
        return None
    found = _IDENTIFIER.search(core)
    parts = _RENDERED.match(found.group(1).strip()) if found else None
    return (parts.group(1), int(parts.group(2)), parts.group(3)) if parts else None
