"""Writing files so that no reader ever sees half of one: temp file, fsync, rename."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from workflow.crashpoints import crashpoint

__all__ = ["write_atomic", "store_bytes", "sha256_file"]


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


def store_bytes(store: Path, data: bytes) -> tuple[str, Path]:
    """Put bytes in the content-addressed store; returns (sha256, path)."""
    digest = hashlib.sha256(data).hexdigest()
    path = store / digest[:2] / digest
    if not path.exists():
        write_atomic(path, data, 0o444)
    return digest, path


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with Path(path).open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()
