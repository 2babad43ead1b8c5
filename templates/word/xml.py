"""WordprocessingML snippets for the DOCX renderer: runs, paragraphs, tracked changes.

Every run written here carries its language (``w:lang``, with ``w:eastAsia="zh-CN"`` so
Word and LibreOffice choose Simplified Chinese glyphs, not Japanese ones, and
``w:bidi`` for Arabic and Persian) and its fonts by name: Latin and Cyrillic "Noto Serif",
East Asian "Noto Serif CJK SC", complex scripts the language's own face (Noto Naskh
Arabic, Noto Serif Devanagari; Ethiopic text is set in Noto Serif Ethiopic). Arabic and
Persian paragraphs are right to left (``w:bidi``): their Arabic-script runs carry
``w:rtl``, while identifiers, Latin words and numbers inside them are runs of their own
without it, so "RCWG/RES/2024/1" and "2025–2030" keep their order. All text is XML-escaped
here; the result is wrapped in :class:`Xml`, which Jinja's autoescape passes through
unchanged (``__html__``), so docxtpl's ``{{r …}}`` / ``{{p …}}`` tags insert it as markup
while every other value in a template is escaped.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import TypedDict, Unpack
from xml.sax.saxutils import escape

from drafts.diff import Segment
from drafts.languages import REGISTRY
from drafts.markup import split_opener

__all__ = [
    "LATIN_FONT",
    "CJK_FONT",
    "Xml",
    "lang_tag",
    "font_of",
    "is_rtl",
    "emphasis",
    "guess_lang",
    "RunFormat",
    "rpr",
    "run",
    "paragraph",
    "paragraphs",
    "text_runs",
    "redline_runs",
    "ChangeMarks",
]

LATIN_FONT = "Noto Serif"
CJK_FONT = "Noto Serif CJK SC"
EAST_ASIA = "zh-CN"
_CJK_LANGS = {"zh", "ja", "ko"}
_HAN = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_ARABIC = re.compile(r"[\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff]")
_DEVANAGARI = re.compile(r"[\u0900-\u097f]")
_ETHIOPIC = re.compile(r"[\u1200-\u139f\u2d80-\u2ddf]")
#: In right-to-left text, what is not Arabic script and stays left to right: a run that
#: starts and ends with a Latin letter or a digit (identifiers, dates, ranges, symbols).
_LTR_RUN = re.compile(r"[A-Za-z0-9\u00c0-\u024f](?:[A-Za-z0-9\u00c0-\u024f/.,:%()\-–— ]*"
                      r"[A-Za-z0-9\u00c0-\u024f%)])?")
# Characters XML 1.0 does not allow; the source refuses them, user comments may not.
_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


class Xml:
    """Ready WordprocessingML; Jinja autoescape leaves it as it is."""

    __slots__ = ("xml",)

    def __init__(self, xml: str) -> None:
        self.xml = xml

    def __html__(self) -> str:
        return self.xml

    def __str__(self) -> str:
        return self.xml

    def __bool__(self) -> bool:
        return bool(self.xml)

    def __add__(self, other: Xml) -> Xml:
        return Xml(self.xml + other.xml)


def lang_tag(lang: str) -> str:
    spec = REGISTRY.get(lang)
    return spec.word_tag if spec else lang


def font_of(lang: str) -> str:
    """The face a language's text is set in (the registry's)."""
    spec = REGISTRY.get(lang)
    return spec.font if spec else LATIN_FONT


def is_rtl(lang: str) -> bool:
    spec = REGISTRY.get(lang)
    return bool(spec and spec.rtl)


def emphasis(lang: str) -> str:
    """How an opener is emphasised: italic, or bold where the face has no italic."""
    spec = REGISTRY.get(lang)
    if spec is not None:
        return "italic" if spec.italic else "bold"
    return "bold" if lang in _CJK_LANGS else "italic"


def guess_lang(text: str, default: str = "en") -> str:
    """The language of free text (a comment) by its script: Han → zh, Cyrillic → ru,
    Arabic script → ar (or fa, when that is the default), Devanagari → hi, Ethiopic → am."""
    text = text or ""
    if _HAN.search(text):
        return "zh"
    if _CYRILLIC.search(text):
        return "ru"
    if _ARABIC.search(text):
        return default if default in ("ar", "fa") else "ar"
    if _DEVANAGARI.search(text):
        return "hi"
    if _ETHIOPIC.search(text):
        return "am"
    return default


class RunFormat(TypedDict, total=False):
    """The formatting keywords :func:`run` passes on to :func:`rpr`."""

    italic: bool
    bold: bool
    size: int | None
    vanish: bool
    color: str | None
    caps: bool


def rpr(lang: str, *, italic: bool = False, bold: bool = False, size: int | None = None,
        vanish: bool = False, color: str | None = None, caps: bool = False,
        rtl: bool | None = None) -> str:
    """Run properties in schema order, always with fonts and language. ``rtl`` marks the
    run right to left (by default: when its language is)."""
    spec = REGISTRY.get(lang)
    script = spec.script if spec else "Latn"
    latin = font_of(lang) if script == "Ethi" else LATIN_FONT
    complex_font = font_of(lang) if script in ("Arab", "Deva") else latin
    hint = ' w:hint="eastAsia"' if lang in _CJK_LANGS else \
        (' w:hint="cs"' if script in ("Arab", "Deva") else "")
    out = [f'<w:rFonts w:ascii="{latin}" w:hAnsi="{latin}" w:cs="{complex_font}" '
           f'w:eastAsia="{CJK_FONT}"{hint}/>']
    if bold:
        out.append("<w:b/><w:bCs/>")
    if italic:
        out.append("<w:i/><w:iCs/>")
    if caps:
        out.append("<w:caps/>")
    if vanish:
        out.append("<w:vanish/><w:webHidden/>")
    if color:
        out.append(f'<w:color w:val="{color}"/>')
    if size:
        out.append(f'<w:sz w:val="{size}"/><w:szCs w:val="{size}"/>')
    if is_rtl(lang) if rtl is None else rtl:
        out.append("<w:rtl/>")
    bidi = f' w:bidi="{lang_tag(lang)}"' if script in ("Arab", "Deva") else ""
    out.append(f'<w:lang w:val="{lang_tag(lang)}" w:eastAsia="{EAST_ASIA}"{bidi}/>')
    return "<w:rPr>" + "".join(out) + "</w:rPr>"


def _content(text: str, tag: str) -> str:
    """Text as ``w:t``/``w:delText`` pieces, with tabs and line breaks as elements."""
    text = _INVALID.sub("", text)
    parts = []
    for i, line in enumerate(text.split("\n")):
        if i:
            parts.append("<w:br/>")
        for j, chunk in enumerate(line.split("\t")):
            if j:
                parts.append("<w:tab/>")
            if chunk:
                parts.append(f'<w:{tag} xml:space="preserve">{escape(chunk)}</w:{tag}>')
    return "".join(parts)


def run(text: str, lang: str, *, deleted: bool = False, **fmt: Unpack[RunFormat]) -> str:
    """One run of text; right-to-left text is split so what is written left to right in it
    (identifiers, Latin words, numbers) is a run of its own, without ``w:rtl``."""
    if not text:
        return ""
    tag = "delText" if deleted else "t"
    if not is_rtl(lang):
        return f"<w:r>{rpr(lang, **fmt)}{_content(text, tag)}</w:r>"
    out = []
    for piece, ltr in bidi_pieces(text):
        out.append(f"<w:r>{rpr(lang, rtl=not ltr, **fmt)}{_content(piece, tag)}</w:r>")
    return "".join(out)


def bidi_pieces(text: str) -> list[tuple[str, bool]]:
    """Right-to-left text cut into (piece, written left to right) runs."""
    out: list[tuple[str, bool]] = []
    last = 0
    for match in _LTR_RUN.finditer(text):
        if match.start() > last:
            out.append((text[last:match.start()], False))
        out.append((match.group(), True))
        last = match.end()
    if last < len(text):
        out.append((text[last:], False))
    return out


def paragraph(content: str, style: str, *, lang: str = "en", keep_next: bool = False,
              align: str | None = None, indent: tuple[int, int] | None = None) -> str:
    """One ``w:p`` with a style; the paragraph mark carries the language too.

    ``indent`` (start, hanging) in twips overrides the style's, with a tab stop there. An
    Arabic or Persian paragraph is right to left (``w:bidi``): its indents and labels are
    on the right (Word and LibreOffice read ``left`` as the paragraph's start side, as
    they do the alignment ``left``).
    """
    ppr = f'<w:pStyle w:val="{style}"/>'
    if keep_next:
        ppr += "<w:keepNext/>"
    if indent:
        left, hanging = indent
        ppr += f'<w:tabs><w:tab w:val="left" w:pos="{left}"/></w:tabs>'
    if is_rtl(lang):
        ppr += "<w:bidi/>"
    if indent:
        ppr += f'<w:ind w:left="{left}" w:hanging="{hanging}"/>'
    if align:
        ppr += f'<w:jc w:val="{align}"/>'
    ppr += rpr(lang)
    return f"<w:p><w:pPr>{ppr}</w:pPr>{content}</w:p>"


def paragraphs(blocks: Iterable[str]) -> Xml:
    """Blocks joined; an empty paragraph when there are none (a cell needs one)."""
    xml = "".join(blocks)
    return Xml(xml or "<w:p/>")


def _opener_runs(opener: str, rest: str, lang: str) -> str:
    style = emphasis(lang)
    return (run(opener, lang, italic=style == "italic", bold=style == "bold")
            + run(rest, lang))


def text_runs(label: str, opener: str, rest: str, lang: str) -> str:
    """Label, tab, emphasised opener, the rest of the text."""
    out = ""
    if label:
        out += run(label, lang) + "<w:r>" + rpr(lang) + "<w:tab/></w:r>"
    return out + _opener_runs(opener, rest, lang)


class ChangeMarks:
    """Author, date and running ids of tracked changes within one document."""

    def __init__(self, author: str, date: str, start: int = 100) -> None:
        self.author = author
        self.date = date
        self.next_id = start

    def attrs(self) -> str:
        self.next_id += 1
        return (f'w:id="{self.next_id}" w:author="{escape(self.author, {chr(34): "&quot;"})}" '
                f'w:date="{self.date}"')


def _redline_chars(segments: Sequence[Segment]) -> list[tuple[str, str, bool]]:
    """(op, text, emphasised) pieces with the ``*opener*`` markers of both versions
    removed and the opener of each version flagged."""
    new_raw = "".join(s.text for s in segments if s.op != "delete")
    old_raw = "".join(s.text for s in segments if s.op != "insert")
    new_open, _ = split_opener(new_raw)
    old_open, _ = split_opener(old_raw)
    new_marks = {0, len(new_open) + 1} if new_open else set()
    old_marks = {0, len(old_open) + 1} if old_open else set()
    pieces: list[tuple[str, str, bool]] = []
    ni = oi = 0
    for seg in segments:
        for ch in seg.text:
            marker = False
            emph = False
            if seg.op != "delete":
                marker |= ni in new_marks
                emph = bool(new_open) and 0 < ni <= len(new_open)
                ni += 1
            if seg.op != "insert":
                marker |= oi in old_marks
                if seg.op == "delete":
                    emph = bool(old_open) and 0 < oi <= len(old_open)
                oi += 1
            if marker:
                continue
            if pieces and pieces[-1][0] == seg.op and pieces[-1][2] == emph:
                pieces[-1] = (seg.op, pieces[-1][1] + ch, emph)
            else:
                pieces.append((seg.op, ch, emph))
    return pieces


def redline_runs(label: str, segments: Sequence[Segment], lang: str,
                 marks: ChangeMarks) -> str:
    """A paragraph's text as Word tracked changes (``w:ins`` / ``w:del``)."""
    style = emphasis(lang)
    out = ""
    if label:
        out += run(label, lang) + "<w:r>" + rpr(lang) + "<w:tab/></w:r>"
    for op, text, emph in _redline_chars(segments):
        fmt: RunFormat = {"italic": emph and style == "italic", "bold": emph and style == "bold"}
        if op == "equal":
            out += run(text, lang, **fmt)
        elif op == "insert":
            out += f"<w:ins {marks.attrs()}>{run(text, lang, **fmt)}</w:ins>"
        else:
            out += f"<w:del {marks.attrs()}>{run(text, lang, deleted=True, **fmt)}</w:del>"
    return out
