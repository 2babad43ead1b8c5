"""The visible part of a signature: a framed box of text lines in an embedded CJK font.

Signatories' names are Russian and Chinese, so the stamp font must cover Cyrillic and CJK.
Noto Sans CJK (Debian ``fonts-noto-cjk``) does, and is a CFF font on a 1000-unit grid,
which pyHanko's OpenType glyph accumulator embeds with correct widths. Debian ships it
only as a TrueType collection (``.ttc``) of 20 MB and the accumulator opens single fonts
only; parsing the whole face costs far more than the signature itself. So the Simplified
Chinese face is cut down once per *character set* (the stamp's characters plus ASCII) to
a font of a few kilobytes, kept on disk under a name made of the font file's SHA-256 and
the character set's, and handed to pyHanko from memory. A plain ``.otf``/``.ttf`` path
works as well. The stamp text is shaped by
character map only (no kerning or contextual forms), which suits names and dates.
"""

from __future__ import annotations

import hashlib
import io
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from signatures.errors import SigningError

if TYPE_CHECKING:
    from pyhanko.pdf_utils.font.api import FontEngine, FontEngineFactory
    from pyhanko.pdf_utils.writer import BasePdfFileWriter
    from pyhanko.pdf_utils.xref import ObjectStream
    from pyhanko.stamp import TextStampStyle

__all__ = ["DEFAULT_FONT", "FONT_CANDIDATES", "find_stamp_font", "stamp_style",
           "stamp_font_bytes", "default_cache_dir"]

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
#: metrics.
_UNUSED_TABLES = ("GSUB", "GPOS", "BASE", "JSTF", "VORG", "vhea", "vmtx", "DSIG")
#: Always in a stamp subset, so that dates and times never need a new one.
_ALWAYS = "".join(chr(c) for c in range(0x20, 0x7F)) + "·«»—–"
_CACHE_VERSION = "1"


def default_cache_dir() -> Path:
    """Where stamp font subsets are kept: ``$XDG_CACHE_HOME/brics-resolutions/stamp-fonts``."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "brics-resolutions" / "stamp-fonts"


@lru_cache(maxsize=8)
def _file_sha256(path: str, size: int, mtime_ns: int) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _subset(path: str, ps_name: str, charset: str) -> bytes:
    """The face ``ps_name`` of ``path`` cut down to ``charset`` (fontTools subsetter)."""
    from fontTools import subset
    from fontTools.ttLib import TTCollection, TTFont

    with open(path, "rb") as fh:
        magic = fh.read(4)
    fonts = TTCollection(path, lazy=True).fonts if magic == b"ttcf" else [TTFont(path, lazy=True)]
    font = next((f for f in fonts if not ps_name or f["name"].getDebugName(6) == ps_name), None)
    if font is None:
        raise SigningError(
            f"The font collection {path} has no face {ps_name!r}. "
            "Reinstall fonts-noto-cjk or choose another stamp font."
        )
    options = subset.Options()
    options.layout_features = []
    options.drop_tables += list(_UNUSED_TABLES)
    options.name_IDs = ["*"]
    options.notdef_outline = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=charset)
    subsetter.subset(font)
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


@lru_cache(maxsize=64)
def stamp_font_bytes(path: str, ps_name: str, charset: str, cache_dir: str = "") -> bytes:
    """The stamp font for one character set: cut once, then read from the disk cache.

    The cache file is named by the font file's SHA-256, the face and the character set's
    SHA-256, so a changed font or a new set of characters makes a new subset; the whole
    Noto CJK face is parsed only then.
    """
    stat = os.stat(path)
    font_sha = _file_sha256(path, stat.st_size, stat.st_mtime_ns)
    chars = "".join(sorted(set(charset + _ALWAYS) - {"\n", "\r"}))
    key = hashlib.sha256(f"{_CACHE_VERSION}|{ps_name}|{chars}".encode()).hexdigest()[:24]
    folder = Path(cache_dir) if cache_dir else default_cache_dir()
    target = folder / f"{font_sha[:24]}-{key}.otf"
    try:
        return target.read_bytes()
    except OSError:
        pass
    data = _subset(path, ps_name, chars)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        tmp.write_bytes(data)
        os.replace(tmp, target)
    except OSError:
        pass  # a read-only home: the subset is still used, just not kept
    return data


def _font_factory(path: Path, ps_name: str, font_size: int, charset: str,
                  cache_dir: str) -> FontEngineFactory:
    from pyhanko.pdf_utils.font.api import FontEngineFactory
    from pyhanko.pdf_utils.font.opentype import GlyphAccumulator

    @dataclass(frozen=True)
    class _InMemoryFont(FontEngineFactory):
        font_path: str
        face: str
        size: int
        chars: str
        cache: str

        def create_font_engine(self, writer: BasePdfFileWriter,
                               obj_stream: ObjectStream | None = None) -> FontEngine:
            if obj_stream is None and writer.stream_xrefs:
                obj_stream = writer.prepare_object_stream()
            data = stamp_font_bytes(self.font_path, self.face, self.chars, self.cache)
            return GlyphAccumulator(
                writer=writer,
                font_handle=io.BytesIO(data),
                font_size=self.size,
                obj_stream=obj_stream,
            )

    return _InMemoryFont(str(path), ps_name, font_size, charset, cache_dir)


def _escape(line: str) -> str:
    # pyHanko fills the stamp text with %-interpolation; keep literal percent signs.
    return line.replace("%", "%%")


def stamp_style(
    lines: list[str],
    *,
    font: tuple[Path, str] | None = None,
    font_size: int = 8,
    border_width: int = 1,
    cache_dir: Path | None = None,
) -> TextStampStyle:
    """A pyHanko ``TextStampStyle`` showing ``lines`` in the embedded stamp font."""
    from pyhanko.pdf_utils.layout import AxisAlignment, Margins, SimpleBoxLayoutRule
    from pyhanko.pdf_utils.text import TextBoxStyle
    from pyhanko.stamp import TextStampStyle

    path, ps_name = font if font is not None else find_stamp_font()
    text = "\n".join(_escape(line) for line in lines) or " "
    return TextStampStyle(
        stamp_text=text,
        text_box_style=TextBoxStyle(
            font=_font_factory(path, ps_name, font_size, text,
                               str(cache_dir) if cache_dir else ""),
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
