"""What may be in a dossier's folder at all: the tag files a dossier has, regular files
only, each manifest line once.

A bag is checked file by file against its manifests, but the manifests say nothing of
what else lies beside them: a tag file nobody asked for, a payload file that is a
symbolic link out of the bag (its target is read, not the bag's own bytes), a manifest
that lists one path twice (the second line wins in a dictionary, the first in bagit.py).
Each is refused and named here, before the checksums are trusted.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from workflow.dossier.report import VerifyReport

__all__ = ["TAG_FILES", "check_layout", "is_tag_file"]

#: every top-level file a dossier may hold (``data/`` is the payload)
TAG_FILES = ("bagit.txt", "bag-info.txt", "manifest-sha256.txt", "manifest-sha512.txt",
             "tagmanifest-sha256.txt", "tagmanifest-sha512.txt", "VERIFY.txt", "seal.p7s",
             "seal-timestamp.tsr", "archive-timestamp.tsr")
_NAME = re.compile(r"^(?:tag)?manifest-[a-z0-9]+\.txt$")


def is_tag_file(name: str) -> bool:
    return name in TAG_FILES


def check_layout(root: Path, report: VerifyReport) -> set[str]:
    """Name every symbolic link and every unknown top-level entry; returns the bag-relative
    paths that are symbolic links (they are not read as payload)."""
    links: set[str] = set()
    for folder, dirs, files in os.walk(root, followlinks=False):
        for name in [*dirs, *files]:
            path = Path(folder) / name
            if path.is_symlink():
                rel = path.relative_to(root).as_posix()
                links.add(rel)
                report.add(rel, f"is a symbolic link (to {os.readlink(path)}): a dossier holds "
                           "regular files only, and a link would make the bag's checks read "
                           "a file outside it; refused")
    for entry in sorted(os.listdir(root)):
        if entry == "data" or entry in links:
            continue
        if (root / entry).is_dir():
            report.add(entry, "is a folder beside data/: a dossier has no such folder; refused")
        elif not is_tag_file(entry):
            hint = " (a manifest of an algorithm the dossier does not use)" \
                if _NAME.match(entry) else ""
            report.add(entry, f"is not a tag file of a dossier{hint}: nothing covers or "
                       "explains it; refused")
    return links


def duplicate_lines(path: Path, names: list[str], report: VerifyReport) -> None:
    seen: set[str] = set()
    for name in names:
        if name in seen:
            report.add(path.name, f"lists {name} more than once: a manifest names each file "
                       "once; refused")
        seen.add(name)
