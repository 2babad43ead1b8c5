"""Checking a workspace: the audit chain, the tables it describes, and stored artefacts."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func
from sqlmodel import select

from workflow.app import App
from workflow.signing.keys import trust_roots
from workflow.signing.statements import statement_problems
from workflow.store import audit
from workflow.store.models import AuditEvent, ResolutionRow, SignatureRecord
from workflow.store.witness import head, witness_problems

__all__ = ["verify_workspace", "audit_head"]


def verify_workspace(app: App, witnesses: Sequence[tuple[int, str]] = ()
                     ) -> tuple[list[audit.Problem], int]:
    """(problems, number of events checked); ``witnesses`` are heads kept out of band."""
    with app.read() as session:
        problems = witness_problems(session, list(witnesses))
        problems += audit.verify(session)
        count = int(session.exec(select(func.count()).select_from(AuditEvent)).one())
        problems += _artefact_problems(app, session)
        problems += _signature_problems(app, session)
    return problems, count


def _signature_problems(app: App, session) -> list[audit.Problem]:  # type: ignore[no-untyped-def]
    """Signed approval statements and signed PDFs checked against the trust store."""

    problems = [audit.Problem("signed statement", p) for p in statement_problems(app, session)]

    latest: dict[tuple[int, int], SignatureRecord] = {}
    count: dict[tuple[int, int], int] = {}
    for rec in session.exec(select(SignatureRecord).order_by(SignatureRecord.id)):
        key = (rec.resolution_id, rec.version_number)
        latest[key] = rec
        count[key] = count.get(key, 0) + 1
    if not latest:
        return problems
    from signatures.verify import verify_pdf
    from workflow.signing.binding import bind_signatures, registry
    from workflow.signing.trust import crl_blobs

    roots, ts_roots, crls, reg = trust_roots(app), trust_roots(app, "timestamps"), crl_blobs(app), \
        registry(session)
    for key, rec in latest.items():
        row = session.get(ResolutionRow, key[0])
        where = f"signed PDF of {row.symbol if row else key[0]} v{key[1]}"
        path = app.store_path(rec.signed_sha256)
        if not path.is_file():
            problems.append(audit.Problem(where, "is missing from the store"))
            continue
        data = path.read_bytes()
        report = bind_signatures(verify_pdf(data, roots, timestamp_roots=ts_roots,
                                            crls=crls).to_json(), reg, data)
        if not report["ok"]:
            problems.append(audit.Problem(where, "does not verify: " + "; ".join(
                [p for s in report["signatures"] for p in s["problems"]] + report["problems"])))
        elif len(report["signatures"]) != count[key]:
            problems.append(audit.Problem(where, f"carries {len(report['signatures'])} signatures "
                                          f"but {count[key]} are recorded"))
    return problems


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


def audit_head(app: App) -> tuple[int, str]:
    """The chain's last event: what a witness keeps."""
    with app.read() as session:
        return head(session)
