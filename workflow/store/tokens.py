"""Binding tokens: what makes a reviewer's personal copy (comment form, review PDF)
theirs and no one else's.

A token is an HMAC-SHA256, under a secret that never leaves the workspace
(``.resolutions/binding.key``, 0600, made on first use; so the workspace is bound too), over
the resolution, the round, the version's content hash, the reviewer and the reviewer's
mailbox (their registered address). Anyone can read the ids a form carries and edit them;
no one without the workspace's secret can make the token that goes with the edited ids.
The token makes a form the reviewer's; whether a returned one *came from* them is
``workflow.review.returned``'s question.

On a shared (PostgreSQL) deployment the secretariat works from several machines, so the
secret is kept in the database (``workspace_secrets``), where only the secretary's roles
can read it (the export-record seal, a second secret, also the archivist's); a folder that
had its own ``binding.key`` before hands it over on first use."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from pathlib import Path

from workflow.store.files import write_atomic
from workflow.store.workspace import Workspace

__all__ = ["binding_token", "token_matches", "seal", "seal_matches"]

_KEY = "binding.key"


def _secret(workspace: Workspace, name: str = "binding") -> bytes:
    path = Path(workspace.state_dir) / _KEY
    if workspace.files.shared:
        return workspace.files.secret(name, local=path)
    if not path.exists():
        write_atomic(path, secrets.token_bytes(32), mode=0o600)
    return path.read_bytes()


def binding_token(workspace: Workspace, *, symbol: str, round_no: int, content_hash: str,
                  reviewer: str, mailbox: str) -> str:
    message = "\x1f".join(["brics-resolutions/binding/2", symbol, str(round_no), content_hash,
                           reviewer, mailbox.strip().lower()]).encode("utf-8")
    return hmac.new(_secret(workspace), message, hashlib.sha256).hexdigest()


def token_matches(workspace: Workspace, token: str, **ids: object) -> bool:
    expected = binding_token(workspace, symbol=str(ids["symbol"]),
                             round_no=int(str(ids["round_no"])),
                             content_hash=str(ids["content_hash"]), reviewer=str(ids["reviewer"]),
                             mailbox=str(ids.get("mailbox", "")))
    return hmac.compare_digest(expected, token or "")


def seal(workspace: Workspace, data: bytes, secret: str = "binding") -> str:
    """An HMAC over ``data`` (e.g. a review copy's position map) under the same secret
    (``secret="exports"``: the one of dossier export records)."""
    message = b"brics-resolutions/seal/1\x1f" + data
    return hmac.new(_secret(workspace, secret), message, hashlib.sha256).hexdigest()


def seal_matches(workspace: Workspace, data: bytes, value: str, secret: str = "binding") -> bool:
    return hmac.compare_digest(seal(workspace, data, secret), value or "")
