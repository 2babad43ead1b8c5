"""Writing files so that no reader ever sees half of one: temp file, fsync, rename.

On a shared deployment the workspace's file store (:mod:`workflow.store.blobs`) watches the
writes under its folder (:func:`watch`) and shares each file it must, once it is in place.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from workflow.crashpoints import crashpoint

if TYPE_CHECKING:
    from workflow.store.chain import Problem

__all__ = ["write_atomic", "store_bytes", "sha256_file", "watch", "recorded_file_problems",
           "store_problems"]

Watcher = Callable[[Path, bytes, int], None]
#: folder → what is told of every file written under it (the shared store of a workspace)
_WATCHERS: dict[Path, Watcher] = {}


class Fetches(Protocol):
    """The workspace's file store as the checks use it (``workflow.store.blobs.FileStore``)."""

    def ensure(self, rel: str, digest: str | None = None) -> Path: ...


def watch(folder: Path, watcher: Watcher | None) -> None:
    """Tell ``watcher`` of every file written under ``folder`` (None: stop)."""
    if watcher is None:
        _WATCHERS.pop(Path(folder), None)
    else:
        _WATCHERS[Path(folder)] = watcher


def _tell(path: Path, data: bytes, mode: int) -> None:
    for folder, watcher in list(_WATCHERS.items()):
        if folder in path.parents:
            watcher(path, data, mode)


def write_atomic(path: Path, data: bytes, mode: int = 0o644) -> None:
    """``data`` at ``path`` whole or not at all. A full or read-only disk is a refusal that
    names the file (``workflow.store.failures``), and leaves no temporary file behind."""
    path = Path(path)
    try:
        _write_atomic(path, data, mode)
    except OSError as exc:
        from workflow.store.failures import disk_error

        found = disk_error(exc, path)
        if found is None:
            raise
        raise found from None


def _write_atomic(path: Path, data: bytes, mode: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        crashpoint("write.before-rename")
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
    if _WATCHERS:
        _tell(path.absolute(), data, mode)


def store_bytes(store: Path, data: bytes) -> tuple[str, Path]:
    """Put bytes in the content-addressed store; returns (sha256, path)."""
    digest = hashlib.sha256(data).hexdigest()
    path = store / digest[:2] / digest
    if not path.exists():
        write_atomic(path, data, 0o444)
    elif _WATCHERS:  # already here (a cache): the shared store must have it too
        _tell(path.absolute(), data, 0o444)
    return digest, path


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with Path(path).open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def recorded_file_problems(files: Fetches,
                           recorded: Iterable[tuple[str, str, str]]) -> list[Problem]:
    """Files the engine wrote and recorded by hash — (path, SHA-256, what it is), e.g. a
    submission package or a queued message — checked against their bytes. ``files``: the
    workspace's file store (on a shared deployment it fetches a file this folder lacks)."""
    from workflow.store.chain import Problem

    problems = []
    for rel, expected, what in recorded:
        path = files.ensure(rel, expected)
        where = f"{what} {rel}"
        if not path.is_file():
            problems.append(Problem(where, "is missing"))
        elif sha256_file(path) != expected:
            problems.append(Problem(where, "bytes differ from the SHA-256 recorded when it was "
                                           "written: the file was changed"))
    return problems


def store_problems(root: Path, store: Path) -> list[Problem]:
    """Stored artefacts (under ``store``, in the workspace ``root``) whose bytes no longer
    match their name (SHA-256)."""
    from workflow.store.chain import Problem

    problems: list[Problem] = []
    if not store.is_dir():
        return problems
    for path in sorted(store.glob("??/*")):
        if not path.is_file() or path.name.endswith(".tmp"):
            continue
        if sha256_file(path) != path.name:
            problems.append(Problem(f"stored artefact {path.relative_to(root)}",
                                    "bytes do not match their SHA-256 name: the file was changed"))
    return problems
