"""Where each paragraph landed on the page: the position map of a review copy.

A reviewer annotates a review copy in their PDF reader; the annotation only knows a page
and a rectangle. To tell which paragraph (and which language column) it sits on, the
renderer records, while WeasyPrint lays the copy out, the rectangle of every paragraph box:
in the single layout the ``div.para`` carrying the paragraph id, in the parallel layout each
language cell of the ``tr`` carrying it. A paragraph broken across pages has one rectangle
per page.

Rectangles are in PDF user space (points, origin at the bottom left of the page), as PDF
annotations give theirs. The map travels inside the copy as an embedded JSON file
(:data:`MAP_NAME`); the caller seals it (see ``workflow.review.annotations``) so that an
edited map is refused on import.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, TypedDict

if TYPE_CHECKING:
    from weasyprint import Document
    from weasyprint.formatting_structure.boxes import Box

__all__ = ["MAP_NAME", "MAP_FORMAT", "MapError", "PositionMap", "Rect", "paragraph_positions",
           "map_bytes", "read_map", "locate", "locate_box"]

#: the name of the embedded file that carries the map
MAP_NAME = "review-positions.json"
MAP_FORMAT = "brics-resolutions/review-positions/1"
_PT_PER_PX = 0.75  # CSS px are 1/96 in, PDF points 1/72 in


class MapError(ValueError):
    """An embedded position map that is not one this renderer wrote."""


#: ``(page, x0, y0, x1, y1, paragraph id, language)``
Rect = tuple[float, float, float, float, float, str, str]


class PositionMap(TypedDict):
    """A map read back from a copy: the copy's ids, the pages (width, height) and the
    paragraphs' rectangles."""

    ids: dict[str, str]
    pages: list[object]
    rects: list[Rect]


def _lang(tag: str) -> str:
    """``zh-Hans`` → ``zh``: the project's language code of a ``lang`` attribute."""
    return tag.split("-")[0].lower()


def _walk(box: Box, lang: str, para: str) -> Iterator[tuple[Box, str, str]]:
    """(box, language, paragraph id) for every box carrying a paragraph in a language."""
    element = getattr(box, "element", None)
    if element is not None:
        lang = _lang(element.get("lang") or "") or lang
        classes = (element.get("class") or "").split()
        pid = element.get("id") or ""
        if pid and ("para-row" in classes or "para" in classes):
            para = pid
        if para and lang and ("para" in classes or element.tag == "td"):
            yield box, lang, para
            return
    for child in getattr(box, "children", ()) or ():
        yield from _walk(child, lang, para)


def paragraph_positions(document: Document) -> dict[str, list[list[float | str]]]:
    """The map of a laid-out WeasyPrint document: pages (width, height in points) and
    rectangles ``[page, x0, y0, x1, y1, paragraph id, language]`` (pages count from 1)."""
    pages, rects = [], []
    for number, page in enumerate(document.pages, start=1):
        height = page.height * _PT_PER_PX
        pages.append([round(page.width * _PT_PER_PX, 2), round(height, 2)])
        for box, lang, pid in _walk(page._page_box, "", ""):
            x0 = box.border_box_x() * _PT_PER_PX
            top = box.border_box_y() * _PT_PER_PX
            x1 = x0 + box.border_width() * _PT_PER_PX
            bottom = top + box.border_height() * _PT_PER_PX
            if x1 <= x0 or bottom <= top:
                continue
            rects.append([number, round(x0, 2), round(height - bottom, 2), round(x1, 2),
                          round(height - top, 2), pid, lang])
    return {"pages": pages, "rects": rects}


def map_bytes(ids: dict[str, str], positions: Mapping[str, object]) -> bytes:
    """The canonical bytes of a map (what is sealed): format, the copy's ids, positions."""
    body = {"format": MAP_FORMAT, "ids": dict(sorted(ids.items())), **positions}
    return json.dumps(body, ensure_ascii=False, sort_keys=True,
                      separators=(",", ":")).encode("utf-8")


def read_map(blob: bytes) -> tuple[PositionMap, bytes, str]:
    """(the map, the bytes that were sealed, the seal) of an embedded map."""
    if len(blob) > 5 * 1024 * 1024:
        raise MapError("the position map is far larger than any review copy's")
    try:
        value: object = json.loads(blob.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise MapError("the position map is not readable JSON") from None
    if not isinstance(value, dict) or value.get("format") != MAP_FORMAT:
        raise MapError("the embedded file is not a position map of a review copy")
    seal = value.pop("seal", "")
    ids, pages, rects = value.get("ids"), value.get("pages"), value.get("rects")
    if not (isinstance(ids, dict) and isinstance(pages, list) and isinstance(rects, list)
            and isinstance(seal, str)):
        raise MapError("the position map is incomplete")
    texts = {str(k): str(v) for k, v in ids.items()}
    try:
        body = map_bytes(texts, {"pages": pages, "rects": rects})
    except (TypeError, ValueError):
        raise MapError("the position map is malformed") from None
    good = [_rect(r) for r in rects]
    checked = [r for r in good if r is not None]
    if len(checked) != len(good):
        raise MapError("the position map is malformed")
    return {"ids": texts, "pages": list(pages), "rects": checked}, body, seal


def _rect(value: object) -> Rect | None:
    if not (isinstance(value, list) and len(value) == 7):
        return None
    page, x0, y0, x1, y1, pid, lang = value
    numbers = [n for n in (page, x0, y0, x1, y1)
               if isinstance(n, (int, float)) and not isinstance(n, bool)]
    if len(numbers) != 5 or not (isinstance(pid, str) and isinstance(lang, str)):
        return None
    return (numbers[0], numbers[1], numbers[2], numbers[3], numbers[4], pid, lang)


def locate(positions: PositionMap, page: int, x: float, y: float) -> tuple[str, str] | None:
    """(paragraph id, language) at a point of a page; a point in the margin beside a
    paragraph belongs to the nearest column of that row. None: outside every paragraph."""
    rects = [r for r in positions["rects"] if r[0] == page]
    for _, x0, y0, x1, y1, pid, lang in rects:
        if x0 <= x <= x1 and y0 <= y <= y1:
            return pid, lang
    row = [r for r in rects if r[2] <= y <= r[4]]
    if row and all(x < r[1] or x > r[3] for r in row):
        nearest = min(row, key=lambda r: min(abs(x - r[1]), abs(x - r[3])))
        return nearest[5], nearest[6]
    return None


def locate_box(positions: PositionMap, page: int,
               box: tuple[float, float, float, float]) -> tuple[str, str] | None:
    """(paragraph id, language) under an icon (a sticky note): the paragraph most of the
    icon covers, whichever corner the reader anchored it by; an icon over no paragraph is
    placed by its centre (the margin beside a paragraph is that paragraph's)."""
    x0, y0, x1, y1 = box
    best, area = None, 0.0
    for _, rx0, ry0, rx1, ry1, pid, lang in (r for r in positions["rects"]
                                             if r[0] == page):
        overlap = max(0.0, min(x1, rx1) - max(x0, rx0)) * max(0.0, min(y1, ry1) - max(y0, ry0))
        if overlap > area:
            best, area = (pid, lang), overlap
    if best is not None:
        return best
    return locate(positions, page, (x0 + x1) / 2, (y0 + y1) / 2)

