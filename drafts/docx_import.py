"""Read a Word draft into the resolution tree, one language at a time.

A drafter's DOCX is read paragraph by paragraph and each paragraph is given a place:
the title (Title style, or the first bold or centred paragraph), preambular paragraphs
(everything unnumbered before the first operative paragraph; a leading italic phrase
becomes the ``*Opener*`` markup), operative paragraphs, items and sub-items (Word's
automatic numbering, whose level and number format tell paragraph from item from
sub-item, or typed labels "1.", "(a)", "а)", "(i)"), and annexes ("Annex",
"Приложение", "附件" headings). What fits nowhere is returned in ``unrecognised`` with
its position, never guessed into the text. ``merge_language`` brings one imported
language into an existing resolution, paragraph by paragraph, keeping its stable ids.
"""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from dataclasses import dataclass, field, replace
from typing import Any

from drafts.errors import DraftError
from drafts.model import Annex, Paragraph, Resolution
from drafts.numbering import letter, roman
from drafts.source import dump, load

__all__ = ["ImportResult", "DocxImportError", "StructureMismatch", "import_docx",
           "merge_language", "MAX_DOCX_BYTES", "MAX_UNCOMPRESSED_BYTES"]

MAX_DOCX_BYTES = 20 * 1024 * 1024
MAX_UNCOMPRESSED_BYTES = 100 * 1024 * 1024
MAX_PARTS = 2000
MAX_RATIO = 200  # a larger compression ratio on a big part is a zip bomb

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_CLEAN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u00ad\u200b\u2028\u2029"
                    "\u202a-\u202e\u2066-\u2069\ufeff]")
_SPACES = re.compile(r"[ \t\n\r\u00a0]+")
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


class StructureMismatch(DraftError):
    """The imported language does not have the paragraph structure of the resolution.

    ``mismatches`` lists each place (``OP 3: 2 items here, 3 in the file``).
    """

    def __init__(self, mismatches: list[str]) -> None:
        self.mismatches = mismatches
        super().__init__(
            "the imported text does not match the resolution's structure: "
            + "; ".join(mismatches)
            + " — make the file's paragraphs, items and annexes match, then import again")


@dataclass(frozen=True)
class ImportResult:
    """The imported resolution, its YAML source and what was not understood."""

    resolution: Resolution
    source: str
    unrecognised: list[tuple[int, str]] = field(default_factory=list)


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
    num_level: int | None = None  # from Word's automatic numbering
    table: bool = False


def _clean(text: str) -> str:
    return _SPACES.sub(" ", _CLEAN.sub("", text)).strip()


def _numbering_formats(document: Any) -> dict[tuple[str, int], str]:
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


def _num_pr(p_element: Any, style: Any) -> tuple[str, int] | None:
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


def _level(num: tuple[str, int], style_name: str, formats: dict[tuple[str, int], str]) -> int:
    """Paragraph (0), item (1) or sub-item (2): by number format, then style, then level."""
    fmt = formats.get(num, "")
    if "Letter" in fmt or fmt in ("russianLower", "russianUpper"):
        return 1
    if "Roman" in fmt:
        return 2
    styled = re.match(r"List Number (\d)", style_name)
    if styled and num[1] == 0:
        return min(int(styled.group(1)) - 1, 2)
    return min(num[1], 2)


def _italic(run: Any) -> bool:
    if run.italic is not None:
        return bool(run.italic)
    style = run.style
    while style is not None:
        if style.font.italic is not None:
            return bool(style.font.italic)
        style = style.base_style
    return False


def _opener(runs: Any) -> str:
    """The leading italic phrase (after a typed label such as "1." or "(a)"), or ""."""
    prefix, lead, rest = "", [], []
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
    return opener


def _read_blocks(data: bytes) -> list[_Block]:
    import docx  # python-docx, imported only when a document is read
    from docx.table import Table
    from docx.text.paragraph import Paragraph as DocxParagraph

    document = docx.Document(io.BytesIO(data))
    formats = _numbering_formats(document)
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
        blocks.append(_Block(
            index=index, text=text, opener=opener,
            style=style.name if style is not None else "",
            centred=alignment is not None and int(alignment) == 1,
            bold=bool(runs) and all(r.bold for r in runs),
            num_level=None if num is None else _level(num, style.name if style else "",
                                                       formats)))
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
    """The text (``text``: with its typed label removed) with the opener as ``*Opener*``."""
    text = block.text if text is None else text
    if block.opener and text.startswith(block.opener):
        rest = text[len(block.opener):].strip()
        return f"*{block.opener}*{'' if rest[:1] in ',.;:，；：' else ' '}{rest}"
    return text


@dataclass
class _Section:
    title: str = ""
    preamble: list[dict[str, Any]] = field(default_factory=list)
    operative: list[dict[str, Any]] = field(default_factory=list)


class _Classifier:
    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.symbol: str | None = None
        self.main = _Section()
        self.annexes: list[_Section] = []
        self.unrecognised: list[tuple[int, str]] = []
        self.phase = "start"  # start → preamble → operative; annex-title → annex-*

    @property
    def section(self) -> _Section:
        return self.annexes[-1] if self.annexes else self.main

    def typed_label(self, text: str) -> tuple[int, str] | None:
        probe = text.translate(_FULLWIDTH)
        match = _NUM_OP.match(probe)
        if match:
            return 0, text[match.end():]
        sub, item = _NUM_SUB.match(probe), _NUM_ITEM.match(probe)
        if sub and (not item or self.prefers_roman(sub.group(1) or sub.group(2))):
            return 2, text[sub.end():]
        if item:
            return 1, text[item.end():]
        return None

    def prefers_roman(self, token: str) -> bool:
        """Whether "(i)", "(v)", "(x)" is a sub-item numeral rather than an item letter."""
        if token not in _ROMAN_WORDS:
            return False
        ops = self.section.operative
        items = ops[-1].get("items") if ops else None
        if not items:
            return len(token) > 1
        letters = "abcdefghijklmnopqrstuvwxyz"
        next_letter = letters[len(items)] if len(items) < len(letters) else ""
        if token != next_letter:
            return True
        subs = items[-1].get("items", [])
        return bool(subs) and _ROMAN_WORDS[len(subs)] == token if len(subs) < 12 else False

    def add(self, block: _Block) -> None:
        if block.table:
            self.unrecognised.append((block.index, block.text))
            return
        annex = _ANNEX.match(block.text)
        if annex and (block.num_level is None) and len(block.text) < 200 and (
                not annex.group("title") or annex.group("num") or block.bold or block.centred
                or block.style.startswith(("Heading", "Title"))):
            self.annexes.append(_Section(title=_clean(annex.group("title"))))
            self.phase = "annex-preamble" if annex.group("title") else "annex-title"
            return
        if self.phase == "start":
            if self.symbol is None and _SYMBOL.match(block.text):
                self.symbol = block.text
                return
            if block.style == "Title" or block.bold or block.centred:
                self.main.title = block.text
                self.phase = "body-line"
                return
            self.phase = "body-line"
        if self.phase == "annex-title":
            if block.num_level is None and not self.typed_label(block.text):
                self.section.title = block.text
                self.phase = "annex-preamble"
                return
            self.phase = "annex-preamble"
        level, text = (block.num_level, block.text) if block.num_level is not None else \
            (self.typed_label(block.text) or (None, block.text))
        if level is None:
            self.unnumbered(block)
        else:
            self.numbered(block, level, _clean(text))

    def unnumbered(self, block: _Block) -> None:
        section = self.section
        if self.phase == "body-line":
            self.phase = "preamble"
            if (not block.opener and not _starts_with(block.text, _PREAMBLE_OPENERS)
                    and not _starts_with(block.text, _OPERATIVE_OPENERS)
                    and len(block.text) < 150 and block.text.endswith((",", ":", "，", "："))):
                self.unrecognised.append((block.index, block.text))  # "The Working Group,"
                return
        if self.phase in ("preamble", "annex-preamble"):
            if _starts_with(block.text, _OPERATIVE_OPENERS) and not section.operative:
                section.operative.append({self.lang: _marked(block)})
                self.phase = "operative-lone" if section is self.main else "annex-operative-lone"
                return
            section.preamble.append({self.lang: _marked(block)})
            return
        self.unrecognised.append((block.index, block.text))

    def numbered(self, block: _Block, level: int, text: str) -> None:
        section = self.section
        in_annex = section is not self.main
        if self.phase.endswith("operative-lone") and level == 0:
            self.unrecognised.append((block.index, block.text))
            return
        if level == 0:
            section.operative.append({self.lang: _marked(block, text)})
            self.phase = "annex-operative" if in_annex else "operative"
            return
        if not section.operative:
            self.unrecognised.append((block.index, block.text))
            return
        parent = section.operative[-1]
        if level == 2:
            if not parent.get("items"):
                self.unrecognised.append((block.index, block.text))
                return
            parent = parent["items"][-1]
        parent.setdefault("items", []).append({self.lang: _marked(block, text)})


# -- building the result ----------------------------------------------------------------

class _Ids:
    """Ids made the way ``drafts.source`` makes them (prefix + hash of the text)."""

    def __init__(self) -> None:
        self.taken: set[str] = set()

    def make(self, prefix: str, seed: str) -> str:
        digest = hashlib.sha1(f"{prefix}\n{seed}".encode("utf-8")).hexdigest()
        candidate, n = f"{prefix}-{digest[:6]}", 2
        while candidate in self.taken:
            candidate, n = f"{prefix}-{digest[:6]}-{n}", n + 1
        self.taken.add(candidate)
        return candidate


def _paragraphs(nodes: list[dict[str, Any]], prefix: str, lang: str, ids: _Ids,
                where: str) -> tuple[Paragraph, ...]:
    out = []
    for index, node in enumerate(nodes):
        items = _paragraphs(node.get("items", []), "it", lang, ids, f"{where}[{index}].items")
        text = node.get(lang, "")
        out.append(Paragraph(ids.make(prefix, text or f"{where}{index}"),
                             {lang: text} if text else {}, items))
    return tuple(out)


def import_docx(data: bytes, *, lang: str, body: str = "brics-higher-council",
                filename: str = "draft.docx") -> ImportResult:
    """Read a Word draft written in ``lang``; see the module docstring for the rules."""
    _check_package(data, filename)
    try:
        blocks = _read_blocks(data)
    except DraftError:
        raise
    except Exception as exc:  # python-docx/lxml on a damaged part
        raise DocxImportError(f"{filename}: cannot read the document ({exc}); open it in "
                              "Word or LibreOffice and save it again as .docx") from None
    if not any(not b.table for b in blocks):
        raise DocxImportError(f"{filename}: the document has no paragraphs of text "
                              "(only tables or nothing); write the resolution as paragraphs")
    reader = _Classifier(lang)
    for block in blocks:
        reader.add(block)
    ids = _Ids()
    annexes = tuple(
        Annex(ids.make("annex", section.title or str(i)),
              {lang: section.title} if section.title else {},
              _paragraphs(section.preamble, "pp", lang, ids, f"annexes[{i}].preamble"),
              _paragraphs(section.operative, "op", lang, ids, f"annexes[{i}].operative"))
        for i, section in enumerate(reader.annexes))
    draft = Resolution(
        body=body, languages=(lang,),
        title={lang: reader.main.title} if reader.main.title else {},
        preamble=_paragraphs(reader.main.preamble, "pp", lang, ids, "preamble"),
        operative=_paragraphs(reader.main.operative, "op", lang, ids, "operative"),
        annexes=annexes, symbol=reader.symbol)
    resolution, source = load(dump(draft), filename)
    return ImportResult(resolution, source, reader.unrecognised)


# -- merging one language into an existing resolution -----------------------------------

def _merge_list(have: tuple[Paragraph, ...], new: tuple[Paragraph, ...], lang: str,
                where: str, problems: list[str], kind: str) -> tuple[Paragraph, ...]:
    if len(have) != len(new):
        problems.append(f"{where}: {len(have)} {kind} in the resolution, {len(new)} in the file")
        return have
    out = []
    for index, (old, imported) in enumerate(zip(have, new)):
        if kind.endswith("paragraphs"):
            label = f"{where} {index + 1}"
        else:
            number = roman(index + 1) if where.endswith(")") else letter(index)
            label = f"{where}({number})"
        items = _merge_list(old.items, imported.items, lang, label, problems, "items")
        texts = dict(old.texts)
        if imported.text(lang):
            texts[lang] = imported.text(lang)
        out.append(replace(old, texts=texts, items=items))
    return tuple(out)


def merge_language(resolution: Resolution, imported: Resolution, lang: str) -> Resolution:
    """``resolution`` with its ``lang`` texts taken from ``imported``, matched by position.

    Ids, the other languages and metadata stay; raise :class:`StructureMismatch` listing
    every place where the paragraph, item or annex counts differ.
    """
    problems: list[str] = []
    preamble = _merge_list(resolution.preamble, imported.preamble, lang, "PP", problems,
                           "preambular paragraphs")
    operative = _merge_list(resolution.operative, imported.operative, lang, "OP", problems,
                            "operative paragraphs")
    annexes = list(resolution.annexes)
    if len(resolution.annexes) != len(imported.annexes):
        problems.append(f"annexes: {len(resolution.annexes)} in the resolution, "
                        f"{len(imported.annexes)} in the file")
    else:
        for i, (old, new) in enumerate(zip(resolution.annexes, imported.annexes)):
            title = dict(old.title)
            if new.title.get(lang):
                title[lang] = new.title[lang]
            annexes[i] = replace(
                old, title=title,
                preamble=_merge_list(old.preamble, new.preamble, lang, f"Annex {i + 1} PP",
                                     problems, "preambular paragraphs"),
                operative=_merge_list(old.operative, new.operative, lang, f"Annex {i + 1} OP",
                                      problems, "operative paragraphs"))
    if problems:
        raise StructureMismatch(problems)
    title = dict(resolution.title)
    if imported.title.get(lang):
        title[lang] = imported.title[lang]
    languages = resolution.languages + (() if lang in resolution.languages else (lang,))
    return replace(resolution, languages=languages, title=title, preamble=preamble,
                   operative=operative, annexes=tuple(annexes))
