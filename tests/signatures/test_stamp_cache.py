"""The stamp font is cut once per character set and kept on disk by the font's hash."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

from fontTools.ttLib import TTFont

from signatures.stamp import find_stamp_font, stamp_font_bytes


def test_one_subset_per_character_set_named_by_the_font_hash(tmp_path: Path) -> None:
    path, face = find_stamp_font()
    stamp_font_bytes.cache_clear()
    first = stamp_font_bytes(str(path), face, "李伟\nИванов", str(tmp_path))
    files = sorted(tmp_path.glob("*.otf"))
    assert len(files) == 1 and files[0].read_bytes() == first
    font_sha = hashlib.sha256(path.read_bytes()).hexdigest()
    assert files[0].name.startswith(font_sha[:24])
    assert len(first) < 200_000  # a few glyphs, not the 20 MB collection
    cmap = TTFont(io.BytesIO(first)).getBestCmap()
    assert all(ord(ch) in cmap for ch in "李伟Иванов0123456789:-")
    assert ord("王") not in cmap
    # the same characters in another order: the same file, read from disk
    stamp_font_bytes.cache_clear()
    files[0].write_bytes(first + b"\0")  # mark it: a second cut would not have this byte
    assert stamp_font_bytes(str(path), face, "Иванов\n伟李", str(tmp_path)) == first + b"\0"
    # a new character set makes a second subset
    stamp_font_bytes(str(path), face, "王芳", str(tmp_path))
    assert len(list(tmp_path.glob("*.otf"))) == 2
