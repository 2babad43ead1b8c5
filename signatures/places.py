"""Where signatures go: named destinations in a rendered PDF.

The signature page template puts one ``<div id="sig-MEMBERID">`` per signatory; WeasyPrint
writes a named destination for every HTML ``id``, pointing at the top-left corner of the
element. :func:`find_destination` reads it back with pypdf, and :func:`signature_box` turns
it into the rectangle a visible signature is drawn in.
"""

from __future__ import annotations

from io import BytesIO

from pypdf import PdfReader
from pypdf.errors import PdfReadError

from signatures.errors import SigningError

__all__ = ["find_destination", "list_destinations", "signature_box"]

Box = tuple[float, float, float, float]


def _reader(pdf: bytes) -> PdfReader:
    try:
        return PdfReader(BytesIO(pdf))
    except PdfReadError as exc:
        raise SigningError(f"The PDF cannot be read ({exc}); render it again.") from exc


def _normalise(name: str) -> str:
    return name[1:] if name.startswith("/") else name


def list_destinations(pdf: bytes) -> dict[str, tuple[int, float, float]]:
    """Every named destination: name → (page index, x, y) in PDF points from bottom-left."""
    reader = _reader(pdf)
    found: dict[str, tuple[int, float, float]] = {}
    for raw_name, dest in reader.named_destinations.items():
        page = reader.get_destination_page_number(dest)
        if page is None or page < 0:
            continue
        mediabox = reader.pages[page].mediabox
        x = float(dest.left) if dest.left is not None else float(mediabox.left)
        y = float(dest.top) if dest.top is not None else float(mediabox.top)
        found[_normalise(str(raw_name))] = (page, x, y)
    return found


def find_destination(pdf: bytes, name: str) -> tuple[int, float, float] | None:
    """Page index and (x, y) of the named destination ``name``, or None if absent."""
    return list_destinations(pdf).get(_normalise(name))


def signature_box(
    pdf: bytes, name: str, *, width: float = 200.0, height: float = 60.0
) -> tuple[int, Box]:
    """Page index and (x1, y1, x2, y2) of a ``width``×``height`` box hanging from ``name``.

    The destination marks the slot's top-left corner, so the box extends right and down.
    """
    dest = find_destination(pdf, name)
    if dest is None:
        raise SigningError(
            f"The PDF has no signature slot {name!r}; render the signature page with an "
            f'element id="{_normalise(name)}" for this signatory.'
        )
    page, x, y = dest
    return page, (x, y - height, x + width, y)
