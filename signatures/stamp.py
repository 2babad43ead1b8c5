"""The visible part of a signature: a framed box of text lines in an embedded CJK font.

Signatories' names are Russian and Chinese, so the stamp font must cover Cyrillic and CJK.
Noto Sans CJK (Debian ``fonts-noto-cjk``) does, and is a CFF font on a 1000-unit grid,
which pyHanko's OpenType glyph accumulator embeds with correct widths. Debian ships it
only as a TrueType collection (``.ttc``) and the accumulator opens single fonts only, so
the Simplified Chinese face is taken out of the collection once per process and handed to
it from memory. A plain ``.otf``/``.ttf`` path works as well. The stamp text is shaped by
character map only (no kerning or contextual forms), which suits names and dates.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from signatures.errors import SigningError

__all__ = ["DEFAULT_FONT", "FONT_CANDIDATES", "find_stamp_font", "stamp_style"]

FONT_CANDIDATES: tuple[tuple[Path, str], ...] = (
    (Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"), "NotoSansCJKsc-Regular"),
    (Path("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc"), "NotoSerifCJKsc-Regular"),
    (Path("/usr/share/fonts/opentype/noto/NotoSansCJKsc-Regular.otf"), ""),
)
DEFAULT_FONT = FONT_CANDIDATES[0]


def find_stamp_font() -> tuple[Path, str]:
    """The first installed stamp font: (file, PostScript name inside a collection or "")."""
    for path, ps_name in FONT_CANDIDATES:
        if path.is_file():
            return path, ps_name
    raise SigningError(
        "No stamp font found (looked for "
        + ", ".join(str(p) for p, _ in FONT_CANDIDATES)
        + "). Install the Debian package fonts-noto-cjk."
    )


#: Tables a stamp does not use: OpenType layout (kerning, contextual forms) and vertical
#: metrics. Dropping them once per process makes each signature ~3x faster to embed.
_UNUSED_TABLES = ("GSUB", "GPOS", "BASE", "JSTF", "VORG", "vhea", "vmtx", "DSIG")


@lru_cache(maxsize=4)
def _font_bytes(path: str, ps_name: str) -> bytes:
    """One font, trimmed for stamps: the file itself or the face ``ps_name`` of a collection."""
    from fontTools.ttLib import TTCollection, TTFont

    data = Path(path).read_bytes()
    if data[:4] != b"ttcf":
        fonts = [TTFont(io.BytesIO(data), lazy=True)]
    else:
        fonts = TTCollection(io.BytesIO(data), lazy=True).fonts
    for font in fonts:
        if not ps_name or font["name"].getDebugName(6) == ps_name:
            for tag in _UNUSED_TABLES:
                if tag in font:
                    del font[tag]
            out = io.BytesIO()
            font.save(out)
            return out.getvalue()
    raise SigningError(
        f"The font collection {path} has no face {ps_name!r}. "
        "Reinstall fonts-noto-cjk or choose another stamp font."
    )


def _font_factory(path: Path, ps_name: str, font_size: int) -> Any:
    from pyhanko.pdf_utils.font.api import FontEngineFactory
    from pyhanko.pdf_utils.font.opentype import GlyphAccumulator

    @dataclass(frozen=True)
    class _InMemoryFont(FontEngineFactory):
        font_path: str
        face: str
        size: int

        def create_font_engine(self, writer: Any, obj_stream: Any = None) -> Any:
            if obj_stream is None and writer.stream_xrefs:
                obj_stream = writer.prepare_object_stream()
            return GlyphAccumulator(
                writer=writer,
                font_handle=io.BytesIO(_font_bytes(self.font_path, self.face)),
                font_size=self.size,
                obj_stream=obj_stream,
            )

    return _InMemoryFont(str(path), ps_name, font_size)


def _escape(line: str) -> str:
    # pyHanko fills the stamp text with %-interpolation; keep literal percent signs.
    return line.replace("%", "%%")


def stamp_style(
    lines: list[str],
    *,
    font: tuple[Path, str] | None = None,
    font_size: int = 8,
    border_width: int = 1,
) -> Any:
    """A pyHanko ``TextStampStyle`` showing ``lines`` in the embedded stamp font."""
    from pyhanko.pdf_utils.layout import AxisAlignment, Margins, SimpleBoxLayoutRule
    from pyhanko.pdf_utils.text import TextBoxStyle
    from pyhanko.stamp import TextStampStyle

    path, ps_name = font if font is not None else find_stamp_font()
    text = "\n".join(_escape(line) for line in lines) or " "
    return TextStampStyle(
        stamp_text=text,
        text_box_style=TextBoxStyle(
            font=_font_factory(path, ps_name, font_size),
            font_size=font_size,
            leading=int(font_size * 1.35),
        ),
        inner_content_layout=SimpleBoxLayoutRule(
            x_align=AxisAlignment.ALIGN_MIN,
            y_align=AxisAlignment.ALIGN_MID,
            margins=Margins(left=4, right=4, top=3, bottom=3),
        ),
        border_width=border_width,
        background=None,
    )
