"""Exporting an unchanged dossier again: the payload of the last export, copied from the
store.

A dossier's payload (everything under ``data/``) is a function of the database — whose every
change moves the audit head, since every row that states a fact is bound to the chain — of
the workspace's files (``resolutions.toml``, the trust files, the seal certificate, template
overrides) and of the code and templates that write it. After an export, the list of its
payload files (path and SHA-256, in the order written) is kept under
``.resolutions/exports/``, named by the SHA-256 of all of these (:func:`key`), with what the
tag files repeat (the counts of ``bag-info.txt``, the signed files ``VERIFY.txt`` checks);
the bytes of every payload file are in the content-addressed store.

An export asked for the same key copies those files from the store instead of planning,
rendering and generating them, hashing each as it copies (SHA-256 and SHA-512, as any export
does). A file missing from the store, or whose bytes no longer hash to the recorded SHA-256,
abandons the reuse: the dossier is exported in full. The tag files, the moment of sealing
and the seal (with its timestamp, when a timestamp authority is configured) are made anew,
as by any export, and ``dossier verify`` checks the result like any other bag.

The record is sealed with the workspace's secret (:func:`workflow.store.tokens.seal`); an
edited or foreign record is ignored.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from workflow.app import App
from workflow.store.files import sha256_file, store_bytes, write_atomic
from workflow.store.tokens import seal, seal_matches
from workflow.store.workspace import CONFIG_NAME

__all__ = ["Kept", "key", "load", "save", "FORMAT"]

#: bump when the record's shape or the payload's construction changes outside the code
FORMAT = "1"
_PACKAGES = ("workflow", "templates", "drafts", "signatures")
#: records kept (one per distinct export: a different set of resolutions is another key)
_KEEP = 8


@dataclass(frozen=True)
class Kept:
    """What the last export with this key wrote."""

    files: list[tuple[str, str]]                 # (path under data/, SHA-256), as written
    stats: dict[str, Any]                        # DossierStats fields
    head: tuple[int, str]
    pdfs: list[str]
    detached: list[tuple[str, str]]
    symbols: list[str]
    documents: int                               # rendered documents among the files


@functools.cache
def code_digest() -> str:
    """SHA-256 over the package's code, templates and data files, and its version."""
    root = Path(__file__).resolve().parents[2]
    digest = hashlib.sha256()
    try:
        digest.update(metadata.version("brics-resolutions").encode())
    except metadata.PackageNotFoundError:
        pass
    for package in _PACKAGES:
        for path in sorted((root / package).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
                digest.update(path.relative_to(root).as_posix().encode() + b"\0")
                digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def _tree(folder: Path) -> list[list[str]]:
    if not folder.is_dir():
        return []
    return [[p.relative_to(folder).as_posix(), sha256_file(p)]
            for p in sorted(folder.rglob("*")) if p.is_file()]


def key(app: App, head: tuple[int, str], ids: Sequence[int], seal_pem: bytes,
        trust: Sequence[tuple[str, Path]], timestamped: bool) -> str:
    """Everything a dossier's payload is made from, hashed."""
    root = app.workspace.root
    config = root / CONFIG_NAME
    facts = {
        "format": FORMAT, "code": code_digest(), "head": list(head), "ids": list(ids),
        "config": sha256_file(config) if config.is_file() else "",
        "templates": _tree(root / "templates"),
        "trust": [[rel, sha256_file(path)] for rel, path in trust],
        "seal": hashlib.sha256(seal_pem).hexdigest(), "timestamped": timestamped,
    }
    return hashlib.sha256(json.dumps(facts, sort_keys=True).encode()).hexdigest()


def _path(app: App, digest: str) -> Path:
    return app.workspace.state_dir / "exports" / f"{digest}.json"


def load(app: App, digest: str) -> Kept | None:
    """The record of the last export with this key, when there is one and it is sealed."""
    try:
        path = app.workspace.files.ensure(_path(app, digest).relative_to(
            app.workspace.root).as_posix())
        outer = json.loads(path.read_text("utf-8"))
        body = json.dumps(outer["record"], sort_keys=True, ensure_ascii=False).encode()
        if not seal_matches(app.workspace, body, str(outer["seal"]), "exports"):
            return None
        r = outer["record"]
        if r["key"] != digest:
            return None
        return Kept(files=[(str(p), str(s)) for p, s in r["files"]], stats=dict(r["stats"]),
                    head=(int(r["head"][0]), str(r["head"][1])), pdfs=list(r["pdfs"]),
                    detached=[(str(a), str(b)) for a, b in r["detached"]],
                    symbols=list(r["symbols"]), documents=int(r["documents"]))
    except (OSError, ValueError, KeyError, TypeError, IndexError):
        return None


def save(app: App, digest: str, payload: Path, kept: Kept) -> None:
    """Keep the record of an export whose payload folder is ``payload``; payload files not
    yet in the store (the generated ones) are stored."""
    store = app.workspace.store_dir
    for rel, sha256 in kept.files:
        if not app.store_path(sha256).is_file():
            store_bytes(store, (payload / rel).read_bytes())
    record = {"key": digest, "files": [list(f) for f in kept.files],
              "stats": kept.stats, "head": list(kept.head), "pdfs": kept.pdfs,
              "detached": [list(x) for x in kept.detached], "symbols": kept.symbols,
              "documents": kept.documents}
    body = json.dumps(record, sort_keys=True, ensure_ascii=False).encode()
    path = _path(app, digest)
    path.parent.mkdir(parents=True, exist_ok=True)
    others = sorted((p for p in path.parent.glob("*.json") if p != path),
                    key=lambda p: p.stat().st_mtime_ns)
    for old in others[: max(0, len(others) - (_KEEP - 1))]:  # the most recent few only
        os.unlink(old)
    write_atomic(path, json.dumps({"record": record, "seal": seal(app.workspace, body, "exports")},
                                  ensure_ascii=False).encode("utf-8"))
