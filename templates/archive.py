"""Reproducible ZIP archives: the same entries in the same order give the same bytes.

Every package the engine writes is a ZIP — a DOCX, a submission package, a zipped BagIt
dossier — and each must hash the same when written again from the same input. So every
entry gets the same timestamp (1980-01-01 unless the caller fixes another), permissions
``rw-r--r--`` from a Unix creator, DEFLATE at the default level, and no extra fields; the
order is the caller's (a DOCX keeps ``[Content_Types].xml`` first, a bag sorts its paths).
Files on disk are streamed in chunks, so a large dossier does not sit in memory.

It lives here, the lowest layer that writes documents: ``templates`` writes DOCX
packages with it and ``workflow`` (dossier, submission) imports ``templates`` already;
``drafts`` only reads the text model and its sources, and ``signatures`` writes no ZIP.
"""

from __future__ import annotations

import io
import shutil
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import BinaryIO

__all__ = ["FIXED_TIME", "write_zip", "zip_bytes", "normalise_zip"]

#: the earliest time a ZIP entry can carry
FIXED_TIME = (1980, 1, 1, 0, 0, 0)
_CHUNK = 1 << 20
_UNIX = 3
_PERMISSIONS = 0o644  # rw-r--r--

Entry = tuple[str, "bytes | Path"]


def _info(name: str, date_time: tuple[int, int, int, int, int, int], size: int
          ) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=date_time)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.create_system = _UNIX
    info.external_attr = _PERMISSIONS << 16
    info.file_size = size
    return info


def write_zip(target: Path | BinaryIO, entries: Iterable[Entry], *,
              date_time: tuple[int, int, int, int, int, int] = FIXED_TIME) -> None:
    """Write ``entries`` — ``(name, bytes)`` or ``(name, path of a file)`` — in the order
    given, each stamped ``date_time``."""
    seen: set[str] = set()
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        for name, source in entries:
            if name in seen:
                raise ValueError(f"{name!r} twice in one archive")
            seen.add(name)
            if isinstance(source, Path):
                info = _info(name, date_time, source.stat().st_size)
                with source.open("rb") as src, archive.open(info, "w") as dst:
                    shutil.copyfileobj(src, dst, _CHUNK)
            else:
                archive.writestr(_info(name, date_time, len(source)), source)


def zip_bytes(entries: Iterable[Entry], *,
              date_time: tuple[int, int, int, int, int, int] = FIXED_TIME) -> bytes:
    """The archive of ``entries`` as bytes (see :func:`write_zip`)."""
    buffer = io.BytesIO()
    write_zip(buffer, entries, date_time=date_time)
    return buffer.getvalue()


def normalise_zip(data: bytes) -> bytes:
    """An archive rewritten reproducibly: the same entries in the same order, with the
    fixed timestamp and permissions (e.g. a DOCX as python-docx saved it)."""
    with zipfile.ZipFile(io.BytesIO(data)) as source:
        return zip_bytes((info.filename, source.read(info)) for info in source.infolist())
