"""Reading the annotations of a review copy a reviewer returns from their PDF reader.

Every markup a reader makes is read: sticky notes (``/Text``), highlights, underlines,
squiggly underlines, strike-outs, carets and free-text boxes. Pop-up windows are only the
display of another annotation and are skipped; replies (``/IRT``) are folded into the
annotation they answer, and a group (``/RT /Group``, what Acrobat's "replace text" writes:
a strike-out grouped with a caret holding the new words) becomes one annotation.

What the markup covers is read from the page: the words ``pdftotext -bbox`` (poppler) finds
inside the annotation's quadrilaterals. A Chinese run is one "word" for poppler, so its
characters are placed across the run's box one by one. The reviewer's watermark (large
letters across the page) is left out.

The file is hostile until read: its size, page count and number of annotations are bounded,
and every text is stripped of control and bidirectional-override characters.
"""

from __future__ import annotations

import hashlib
import io
import logging
import re
import subprocess
import tempfile
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from drafts.errors import DraftError

if TYPE_CHECKING:
    from pypdf import PdfReader
    from pypdf.generic import DictionaryObject

__all__ = ["MAX_PDF_BYTES", "MAX_ANNOTATIONS", "MAX_NOTE_CHARS", "KINDS", "AnnotatedPdfError",
           "Annotation", "AnnotatedCopy", "clean_text", "read_annotated_pdf"]

# pypdf warns through logging about every flaw it repairs in a damaged file ("EOF marker
# not found", "incorrect startxref pointer"); the refusal says what matters in one sentence
logging.getLogger("pypdf").addHandler(logging.NullHandler())

MAX_PDF_BYTES = 50 * 1024 * 1024
MAX_PAGES = 300
MAX_ANNOTATIONS = 1000
MAX_NOTE_CHARS = 5000
#: annotation subtypes read, and the word used for each
KINDS = {"/Text": "note", "/Highlight": "highlight", "/Underline": "underline",
         "/Squiggly": "squiggly", "/StrikeOut": "strike-out", "/Caret": "caret",
         "/FreeText": "free text"}
_MARKS = ("highlight", "underline", "squiggly", "strike-out")  # kinds that cover text
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u206f"
                       "\ufeff\ufff9-\ufffb]")


class AnnotatedPdfError(DraftError):
    """A returned PDF that cannot be read as an annotated review copy."""


def clean_text(value: object, limit: int = MAX_NOTE_CHARS) -> str:
    """Text as shown to people: control and direction-override characters removed, runs of
    white space collapsed (line breaks kept), at most ``limit`` characters."""
    text = unicodedata.normalize("NFC", str(value or ""))
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    text = _CONTROLS.sub("", text)
    lines = [" ".join(line.split()) for line in text.split("\n")]
    text = "\n".join(line for line in lines if line).strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass(frozen=True)
class Annotation:
    """One annotation as the reviewer made it (replies and groups folded in).

    ``number`` counts the annotations read, page by page, from 1; ``kinds`` has more than
    one entry for a group (a strike-out with its caret); ``point`` is where it sits
    (x, y in PDF points), ``quote`` the page text it covers; ``box`` the rectangle of a
    sticky note's or a caret's icon (x0, y0, x1, y1), whose paragraph is the one under
    most of it — readers anchor the icon at its top-left, its centre or its bottom-left
    corner."""

    number: int
    page: int
    kinds: tuple[str, ...]
    point: tuple[float, float]
    quote: str
    note: str
    author: str
    subject: str
    identity: str
    replies: tuple[str, ...] = ()
    box: tuple[float, float, float, float] | None = None

    @property
    def kind(self) -> str:
        return " + ".join(self.kinds)


@dataclass(frozen=True)
class AnnotatedCopy:
    attachments: dict[str, bytes]
    annotations: tuple[Annotation, ...]
    pages: int
    skipped: tuple[str, ...] = field(default_factory=tuple)


def _reader(data: bytes) -> PdfReader:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    if len(data) > MAX_PDF_BYTES:
        raise AnnotatedPdfError(f"the file is {len(data) // (1024 * 1024)} MB, far larger than "
                                "a review copy")
    if not data.lstrip()[:5].startswith(b"%PDF-"):
        raise AnnotatedPdfError("the file is not a PDF")
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise AnnotatedPdfError("the PDF is encrypted; save it without a password")
        pages = len(reader.pages)
    except (PdfReadError, ValueError, KeyError, TypeError, RecursionError) as exc:
        raise AnnotatedPdfError(f"the PDF cannot be read ({clean_text(exc, 120)})") from None
    if pages > MAX_PAGES:
        raise AnnotatedPdfError(f"the PDF has {pages} pages; a review copy has far fewer")
    return reader


def _attachments(reader: PdfReader) -> dict[str, bytes]:
    try:
        found = reader.attachments
        return {str(name): bytes(blobs[0]) for name, blobs in found.items() if blobs}
    except Exception:  # a broken name tree: the copy carries no map we can use
        return {}


def _number(value: object) -> float:
    """A PDF number (pypdf's NumberObject/FloatObject are int/float); anything else 0."""
    if not isinstance(value, (int, float, str)):
        return 0.0
    try:
        return float(value)
    except ValueError:
        return 0.0


def _boxes(annot: DictionaryObject) -> list[tuple[float, float, float, float]]:
    """The rectangles an annotation covers: its quadrilaterals, else its /Rect."""
    quads = annot.get("/QuadPoints")
    out = []
    if quads is not None:
        values = [_number(v) for v in list(quads)[:8 * 200]]
        for i in range(0, len(values) - 7, 8):
            xs, ys = values[i:i + 8:2], values[i + 1:i + 8:2]
            out.append((min(xs), min(ys), max(xs), max(ys)))
    if not out:
        rect = [_number(v) for v in list(annot.get("/Rect") or [])[:4]]
        if len(rect) == 4:
            out.append((min(rect[0], rect[2]), min(rect[1], rect[3]),
                        max(rect[0], rect[2]), max(rect[1], rect[3])))
    return out


@dataclass
class _Raw:
    page: int
    ref: int | None
    kinds: list[str]
    boxes: list[tuple[float, float, float, float]]
    note: str
    author: str
    subject: str
    name: str
    parent: int | None
    group: bool
    replies: list[str] = field(default_factory=list)


def _raw_annotations(reader: PdfReader) -> tuple[list[_Raw], list[str]]:
    raws: list[_Raw] = []
    skipped: list[str] = []
    total = 0
    for page_no, page in enumerate(reader.pages, start=1):
        annots = page.get("/Annots")
        if annots is None:
            continue
        annots = annots.get_object()
        if not isinstance(annots, list):  # not an array: nothing a reader would show
            continue
        total += len(annots)
        if total > MAX_ANNOTATIONS:
            raise AnnotatedPdfError(f"the PDF has more than {MAX_ANNOTATIONS} annotations; "
                                    "a review copy with that many is refused")
        for ref in annots:
            annot = ref.get_object()
            if not hasattr(annot, "get"):
                continue
            subtype = str(annot.get("/Subtype", ""))
            if subtype == "/Popup" or subtype == "/Link" or subtype == "/Widget":
                continue
            if subtype not in KINDS:
                skipped.append(f"a {clean_text(subtype.lstrip('/'), 30) or 'nameless'} "
                               f"annotation on page {page_no} is not read (use a note, "
                               "highlight, underline, strike-out, caret or text box)")
                continue
            irt = annot.get("/IRT")
            raws.append(_Raw(
                page=page_no, ref=getattr(ref, "idnum", None), kinds=[KINDS[subtype]],
                boxes=_boxes(annot), note=clean_text(annot.get("/Contents")),
                author=clean_text(annot.get("/T"), 200),
                subject=clean_text(annot.get("/Subj"), 200),
                name=clean_text(annot.get("/NM"), 200),
                parent=getattr(irt, "idnum", None) if irt is not None else None,
                group=str(annot.get("/RT", "/R")) == "/Group"))
    return raws, skipped


def _fold(raws: list[_Raw]) -> list[_Raw]:
    """Replies into the annotation they answer, group members into their group's head."""
    by_ref = {r.ref: r for r in raws if r.ref is not None}
    out = []
    for raw in raws:
        head, visited = raw, {id(raw)}
        while head.parent is not None and head.parent in by_ref:
            head = by_ref[head.parent]
            if id(head) in visited:  # replies in a circle: each stands alone
                head = raw
                break
            visited.add(id(head))
        if head is raw:
            out.append(raw)
        elif raw.group:
            if any(k in _MARKS for k in raw.kinds) and not any(k in _MARKS for k in head.kinds):
                head.boxes = list(raw.boxes)  # the struck words, not the caret's little box
            else:
                head.boxes.extend(raw.boxes)
            head.kinds.extend(k for k in raw.kinds if k not in head.kinds)
            if raw.note and not head.note:
                head.note = raw.note
            elif raw.note and raw.note != head.note:
                head.replies.append(raw.note)
        elif raw.note:
            who = f"{raw.author}: " if raw.author else ""
            head.replies.append(who + raw.note)
    return out


# -- the words on the page ------------------------------------------------------------
def _page_words(data: bytes) -> dict[int, list[tuple[float, float, float, float, str]]]:
    """Per page, the words poppler finds: (x0, y0, x1, y1) in PDF points, origin bottom-left."""
    from xml.etree import ElementTree

    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "copy.pdf"
        source.write_bytes(data)
        try:
            done = subprocess.run(["pdftotext", "-bbox", "-enc", "UTF-8", str(source), "-"],
                                  capture_output=True, timeout=60, check=False)
        except (OSError, subprocess.TimeoutExpired):
            return {}
    if done.returncode != 0:
        return {}
    text = re.sub(rb"<!DOCTYPE[^>]*>", b"", done.stdout)
    try:
        root = ElementTree.fromstring(text)
    except ElementTree.ParseError:
        return {}
    pages: dict[int, list[tuple[float, float, float, float, str]]] = {}
    for number, page in enumerate(root.iter("{http://www.w3.org/1999/xhtml}page"), start=1):
        height = _number(page.get("height"))
        words = [(_number(w.get("xMin")), height - _number(w.get("yMax")),
                  _number(w.get("xMax")), height - _number(w.get("yMin")), w.text or "")
                 for w in page.iter("{http://www.w3.org/1999/xhtml}word")]
        if words:  # the watermark's letters are far taller than a line of text
            heights = sorted(w[3] - w[1] for w in words)
            usual = heights[len(heights) // 2]
            words = [w for w in words if w[3] - w[1] <= 1.6 * usual]
        pages[number] = words
    return pages


def _wide(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in ("W", "F")


def _inside(x: float, y: float, box: tuple[float, float, float, float]) -> bool:
    return box[0] - 0.5 <= x <= box[2] + 0.5 and box[1] - 0.5 <= y <= box[3] + 0.5


def _quote(words: list[tuple[float, float, float, float, str]],
           boxes: list[tuple[float, float, float, float]]) -> str:
    """The words (Chinese: the characters) whose middle lies inside one of ``boxes``."""
    parts: list[str] = []
    for x0, y0, x1, y1, text in words:
        y = (y0 + y1) / 2
        if not any(b[1] - 0.5 <= y <= b[3] + 0.5 for b in boxes):
            continue
        if any(_wide(ch) for ch in text):
            weights = [1.0 if _wide(ch) else 0.55 for ch in text]
            unit, at, chars = (x1 - x0) / (sum(weights) or 1), x0, []
            for ch, w in zip(text, weights):
                middle = at + unit * w / 2
                at += unit * w
                if any(_inside(middle, y, b) for b in boxes):
                    chars.append(ch)
            if chars:
                parts.append("".join(chars))
        elif any(_inside((x0 + x1) / 2, y, b) for b in boxes):
            parts.append(text)
    joined = ""
    for part in parts:  # no space between Chinese runs, nor after a hyphenated line end
        if joined and not (_wide(joined[-1]) and _wide(part[0])) and joined[-1] != "\u2010":
            joined += " "
        elif joined.endswith("\u2010"):
            joined = joined[:-1]
        joined += part
    return clean_text(joined, 2000)


def _identity(raw: _Raw) -> str:
    facts = [str(raw.page), ",".join(raw.kinds), raw.name, raw.note, raw.author,
             ";".join(f"{b[0]:.1f} {b[1]:.1f} {b[2]:.1f} {b[3]:.1f}" for b in raw.boxes[:50])]
    return hashlib.sha256("\x1f".join(facts).encode("utf-8")).hexdigest()


def read_annotated_pdf(data: bytes) -> AnnotatedCopy:
    """The annotations of a returned PDF and its embedded files; refusals are
    :class:`AnnotatedPdfError` with one line saying why."""
    reader = _reader(bytes(data))
    try:
        raws, skipped = _raw_annotations(reader)
    except AnnotatedPdfError:
        raise
    except Exception as exc:  # a damaged object anywhere in the annotations
        raise AnnotatedPdfError(f"the PDF's annotations cannot be read "
                                f"({clean_text(exc, 120)})") from None
    words = _page_words(bytes(data)) if raws else {}
    out = []
    for number, raw in enumerate(_fold(raws), start=1):
        boxes = raw.boxes or [(0.0, 0.0, 0.0, 0.0)]
        marks = any(k in _MARKS for k in raw.kinds)
        quote = _quote(words.get(raw.page, []), raw.boxes) if marks else ""
        first = boxes[0]
        icon = None
        if "note" in raw.kinds or "caret" in raw.kinds and not marks:
            point = (first[0] + 2, first[3] - 2)  # an icon: its top-left corner points
            icon = first
        else:
            point = ((first[0] + first[2]) / 2, (first[1] + first[3]) / 2)
        out.append(Annotation(number=number, page=raw.page, kinds=tuple(raw.kinds),
                              point=point, quote=quote, note=raw.note, author=raw.author,
                              subject=raw.subject, identity=_identity(raw),
                              replies=tuple(raw.replies), box=icon))
    return AnnotatedCopy(attachments=_attachments(reader), annotations=tuple(out),
                         pages=len(reader.pages), skipped=tuple(skipped))
