"""Writing a BagIt bag (RFC 8493, version 1.0) by streaming: every payload file is copied
in chunks while its SHA-256 and SHA-512 are computed, so memory does not grow with the
size of the files or of the bag.

The bag is built in a temporary folder next to the target and renamed into place at the
end (or zipped into a temporary file that is renamed); an interrupted export leaves
nothing at the target. A zipped bag is deterministic apart from ``bag-info.txt``: entries
sorted, fixed timestamps and permissions.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

from templates.archive import FIXED_TIME, write_zip

__all__ = ["BagWriter", "zip_bag", "ALGORITHMS", "ZIP_DATE", "staging"]

ALGORITHMS = ("sha256", "sha512")
CHUNK = 1 << 20
ZIP_DATE = FIXED_TIME


def _encode(path: str) -> str:
    """A manifest path: CR, LF and % percent-encoded (RFC 8493 §2.1.3)."""
    return path.replace("%", "%25").replace("\n", "%0A").replace("\r", "%0D")


class BagWriter:
    """A bag under construction at ``root`` (which must not exist yet)."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.data = self.root / "data"
        self.data.mkdir(parents=True)
        self.digests: dict[str, dict[str, str]] = {}
        self.octets = 0

    def _target(self, rel: str) -> Path:
        if rel in self.digests:
            raise ValueError(f"{rel} is written twice into the bag")
        parts = Path(rel).parts
        if not parts or any(p in ("", ".", "..") for p in parts) or Path(rel).is_absolute():
            raise ValueError(f"{rel!r} is not a path inside the bag")
        target = self.data / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        return target

    def add_bytes(self, rel: str, data: bytes) -> None:
        target = self._target(rel)
        target.write_bytes(data)
        self.digests[rel] = {alg: hashlib.new(alg, data).hexdigest() for alg in ALGORITHMS}
        self.octets += len(data)

    def add_file(self, rel: str, source: Path) -> None:
        """Copy ``source`` in chunks, hashing as it goes."""
        target = self._target(rel)
        hashers = {alg: hashlib.new(alg) for alg in ALGORITHMS}
        size = 0
        with Path(source).open("rb") as src, target.open("wb") as dst:
            for chunk in iter(lambda: src.read(CHUNK), b""):
                for h in hashers.values():
                    h.update(chunk)
                dst.write(chunk)
                size += len(chunk)
        self.digests[rel] = {alg: h.hexdigest() for alg, h in hashers.items()}
        self.octets += size

    def add_lines(self, rel: str, lines: Iterable[bytes]) -> None:
        """Write a file line by line (a long JSON Lines log), hashing as it goes."""
        target = self._target(rel)
        hashers = {alg: hashlib.new(alg) for alg in ALGORITHMS}
        size = 0
        with target.open("wb") as dst:
            for line in lines:
                for h in hashers.values():
                    h.update(line)
                dst.write(line)
                size += len(line)
        self.digests[rel] = {alg: h.hexdigest() for alg, h in hashers.items()}
        self.octets += size

    def sha256(self, rel: str) -> str:
        return self.digests[rel]["sha256"]

    def finish(self, info: list[tuple[str, str]], extra_tags: Iterable[str] = (),
               before_tags: Callable[[], Iterable[str]] | None = None) -> None:
        """Write bagit.txt, the payload manifests, bag-info.txt and the tag manifests
        (listing ``extra_tags`` too: tag files already written, e.g. VERIFY.txt).
        ``before_tags`` runs once the payload manifests exist and returns the tag files it
        wrote (the archive timestamp over ``manifest-sha512.txt``), which the tag manifests
        then list too."""
        tag_files = ["bagit.txt", "bag-info.txt", *extra_tags]
        (self.root / "bagit.txt").write_text(
            "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n", encoding="utf-8")
        for alg in ALGORITHMS:
            name = f"manifest-{alg}.txt"
            with (self.root / name).open("w", encoding="utf-8", newline="\n") as fh:
                for rel in sorted(self.digests):
                    fh.write(f"{self.digests[rel][alg]}  data/{_encode(rel)}\n")
            tag_files.append(name)
        with (self.root / "bag-info.txt").open("w", encoding="utf-8", newline="\n") as fh:
            for key, value in info:
                fh.write(f"{key}: {value}\n")
        if before_tags is not None:
            tag_files += list(before_tags())
        for alg in ALGORITHMS:
            with (self.root / f"tagmanifest-{alg}.txt").open("w", encoding="utf-8",
                                                              newline="\n") as fh:
                for name in sorted(tag_files):
                    digest = hashlib.new(alg, (self.root / name).read_bytes()).hexdigest()
                    fh.write(f"{digest}  {name}\n")


def zip_bag(bag: Path, target: Path, top: str) -> None:
    """Zip ``bag`` as ``<top>/…``, entries sorted by path, streamed from disk."""
    files = sorted(p for p in bag.rglob("*") if p.is_file())
    write_zip(target, ((f"{top}/{p.relative_to(bag).as_posix()}", p) for p in files),
              date_time=ZIP_DATE)


class staging:
    """``with staging(target) as tmp:`` a temporary folder next to ``target``, removed on
    any error; ``publish()`` renames the bag (or its zip) into place."""

    def __init__(self, target: Path, as_zip: bool) -> None:
        self.target = Path(target).absolute()
        self.as_zip = as_zip
        self.tmp: Path | None = None

    def __enter__(self) -> staging:
        self.target.parent.mkdir(parents=True, exist_ok=True)
        self.tmp = Path(tempfile.mkdtemp(prefix=f".{self.target.name}.", suffix=".partial",
                                         dir=self.target.parent))
        return self

    @property
    def bag(self) -> Path:
        assert self.tmp is not None
        return self.tmp / "bag"

    def publish(self) -> None:
        assert self.tmp is not None
        if os.path.lexists(self.target):
            raise FileExistsError(str(self.target))
        if self.as_zip:
            partial = self.tmp / "bag.zip"
            zip_bag(self.bag, partial, self.target.stem)
            os.replace(partial, self.target)
        else:
            os.rename(self.bag, self.target)

    def __exit__(self, *exc: object) -> None:
        if self.tmp is not None:
            shutil.rmtree(self.tmp, ignore_errors=True)
