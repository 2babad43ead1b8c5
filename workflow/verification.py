"""Checking a workspace: the audit chain, the tables it describes, and stored artefacts."""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import select

from workflow import audit
from workflow.app import App
from workflow.models import AuditEvent

__all__ = ["verify_workspace"]


def verify_workspace(app: App) -> tuple[list[audit.Problem], int]:
    """(problems, number of events checked)."""
    with app.read() as session:
        problems = audit.verify(session)
        count = int(session.exec(select(func.count()).select_from(AuditEvent)).one())
        problems += _artefact_problems(app, session)
    return problems, count


def _artefact_problems(app: App, session) -> list[audit.Problem]:  # type: ignore[no-untyped-def]
    """Stored artefacts whose bytes no longer match their name (SHA-256)."""
    import hashlib

    problems = []
    store = app.workspace.store_dir
    if not store.is_dir():
        return problems
    for path in sorted(store.glob("??/*")):
        if not path.is_file() or path.name.endswith(".tmp"):
            continue
        digest = hashlib.sha256()
        with path.open("rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                digest.update(chunk)
        if digest.hexdigest() != path.name:
            problems.append(audit.Problem(f"stored artefact {path.relative_to(app.workspace.root)}",
                                          "bytes do not match their SHA-256 name: the file was changed"))
    return problems
