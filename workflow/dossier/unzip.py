"""Reading ZIP files that come from outside (a zipped dossier, a submission package inside
one) without trusting them: limits on the number of entries, the total uncompressed size
and the compression ratio, and no entry that would land outside the target (absolute
paths, ``..``, drive letters, symbolic links).

The limits are checked twice: on the sizes the ZIP declares, before a byte is inflated
(so a bomb is refused at once), and on the bytes actually inflated (a ZIP may lie about
its sizes). Every refusal is an :class:`UnsafeZip` naming the entry and the limit.
"""

from __future__ import annotations

import stat
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from zipfile import ZipInfo

__all__ = ["Limits", "UnsafeZip", "DOSSIER_LIMITS", "PACKAGE_LIMITS", "safe_entries",
           "extract", "read_entry"]

CHUNK = 1 << 20


class UnsafeZip(ValueError):
    """The ZIP is refused; the message names the entry (or the ZIP) and why."""


@dataclass(frozen=True)
class Limits:
    max_entries: int
    max_total: int          # uncompressed bytes, all entries together
    max_ratio: int          # uncompressed / compressed, per entry above ``ratio_floor``
    ratio_floor: int = 1 << 20  # small entries may compress well (a page of zeros, JSON)


#: a whole dossier: many files, large PDFs; the ratio of real PDFs, JSON and XML is < 50
DOSSIER_LIMITS = Limits(max_entries=200_000, max_total=64 << 30, max_ratio=200)
#: a submission package: a handful of documents
PACKAGE_LIMITS = Limits(max_entries=1_000, max_total=2 << 30, max_ratio=200)


def _unsafe_name(name: str) -> str | None:
    if "\\" in name or "\x00" in name:
        return "has a backslash or NUL in its name"
    path = PurePosixPath(name)
    if path.is_absolute() or (path.parts and path.parts[0].endswith(":")):
        return "has an absolute path"
    if ".." in path.parts:
        return "climbs out of the folder ('..')"
    return None


def safe_entries(zf: zipfile.ZipFile, limits: Limits) -> list[ZipInfo]:
    """The entries of ``zf`` once their names, kinds and declared sizes pass ``limits``."""
    infos = zf.infolist()
    if len(infos) > limits.max_entries:
        raise UnsafeZip(f"holds {len(infos)} entries, more than the limit of "
                        f"{limits.max_entries}")
    total = 0
    names: set[str] = set()
    for info in infos:
        if info.filename.rstrip("/") in names:
            raise UnsafeZip(f"holds entry {info.filename!r} twice: which copy counts would "
                            "depend on the tool reading it; nothing was extracted")
        names.add(info.filename.rstrip("/"))
        why = _unsafe_name(info.filename)
        if why:
            raise UnsafeZip(f"entry {info.filename!r} {why}; nothing was extracted")
        mode = info.external_attr >> 16
        if stat.S_ISLNK(mode):
            raise UnsafeZip(f"entry {info.filename!r} is a symbolic link; nothing was extracted")
        total += info.file_size
        if total > limits.max_total:
            raise UnsafeZip(f"would inflate to more than {limits.max_total:,} bytes "
                            f"(at {info.filename!r}); refused as a ZIP bomb")
        if info.file_size > limits.ratio_floor and \
                info.file_size > limits.max_ratio * max(info.compress_size, 1):
            raise UnsafeZip(f"entry {info.filename!r} inflates {info.compress_size:,} bytes to "
                            f"{info.file_size:,} (more than {limits.max_ratio}:1); refused as "
                            "a ZIP bomb")
    return infos


def _chunks(zf: zipfile.ZipFile, info: ZipInfo, budget: list[int]) -> Iterator[bytes]:
    """The inflated bytes of one entry, never more than it declared or the budget left."""
    seen = 0
    with zf.open(info) as src:
        for chunk in iter(lambda: src.read(CHUNK), b""):
            seen += len(chunk)
            budget[0] -= len(chunk)
            if seen > info.file_size or budget[0] < 0:
                raise UnsafeZip(f"entry {info.filename!r} inflates to more than it declares; "
                                "refused as a ZIP bomb")
            yield chunk


def read_entry(zf: zipfile.ZipFile, info: ZipInfo, limits: Limits) -> bytes:
    """One entry's bytes, bounded by what it declares (checked by :func:`safe_entries`)."""
    return b"".join(_chunks(zf, info, [limits.max_total]))


def extract(path: Path, target: Path, limits: Limits = DOSSIER_LIMITS) -> list[str]:
    """Extract the ZIP at ``path`` into ``target`` (which must exist), within ``limits``;
    return the entry names. Refuses (:class:`UnsafeZip`) before writing anything when the
    declared entries break a limit."""
    target = Path(target).resolve()
    with zipfile.ZipFile(path) as zf:
        infos = safe_entries(zf, limits)
        budget = [limits.max_total]
        for info in infos:
            out = (target / info.filename).resolve()
            if out != target and target not in out.parents:
                raise UnsafeZip(f"entry {info.filename!r} lands outside the folder")
            if info.is_dir():
                out.mkdir(parents=True, exist_ok=True)
                continue
            out.parent.mkdir(parents=True, exist_ok=True)
            with out.open("wb") as dst:
                for chunk in _chunks(zf, info, budget):
                    dst.write(chunk)
    return [i.filename for i in infos]
