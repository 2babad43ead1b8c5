"""WordprocessingML snippets for the DOCX renderer: runs, paragraphs, tracked changes.

Every run written here carries its language (``w:lang``, with ``w:eastAsia="zh-CN"`` so
Word and LibreOffice choose Simplified Chinese glyphs, not Japanese ones) and both fonts
(Latin/Cyrillic "Noto Serif", East Asian "Noto Serif CJK SC"). All text is XML-escaped
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
from drafts.markup import split_opener

__all__ = [
    "LATIN_FONT",
    "CJK_FONT",
    "Xml",
    "lang_tag",
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
_TAGS = {"ru": "ru-RU", "en": "en-GB", "zh": "zh-CN", "pt": "pt-BR", "fr": "fr-FR",
         "es": "es-ES", "ar": "ar-SA", "hi": "hi-IN"}
_HAN = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
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
    return _TAGS.get(lang, lang)


def emphasis(lang: str) -> str:
    """How an opener is emphasised: italic, or bold where the script has no italic."""
    return "bold" if lang in _CJK_LANGS else "italic"


def guess_lang(text: str, default: str = "en") -> str:
    """The language of free text (a comment) by its script: Han → zh, Cyrillic → ru."""
    if _HAN.search(text or ""):
        return "zh"
    if _CYRILLIC.search(text or ""):
        return "ru"
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
        vanish: bool = False, color: str | None = None, caps: bool = False) -> str:
    """Run properties in schema order, always with fonts and language."""
    hint = ' w:hint="eastAsia"' if lang in _CJK_LANGS else ""
    out = [f'<w:rFonts w:ascii="{LATIN_FONT}" w:hAnsi="{LATIN_FONT}" w:cs="{LATIN_FONT}" '
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
    out.append(f'<w:lang w:val="{lang_tag(lang)}" w:eastAsia="{EAST_ASIA}"/>')
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
    if not text:
        return ""
    tag = "delText" if deleted else "t"
    return f"<w:r>{rpr(lang, **fmt)}{_content(text, tag)}</w:r>"


def paragraph(content: str, style: str, *, lang: str = "en", keep_next: bool = False,
              align: str | None = None, indent: tuple[int, int] | None = None) -> str:
    """One ``w:p`` with a style; the paragraph mark carries the language too.

    ``indent`` (left, hanging) in twips overrides the style's, with a tab stop at left.
    """
    ppr = f'<w:pStyle w:val="{style}"/>'
    if keep_next:
        ppr += "<w:keepNext/>"
    if indent:
        left, hanging = indent
        ppr += f'<w:tabs><w:tab w:val="left" w:pos="{left}"/></w:tabs>'
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
