"""Checking a workspace: the audit chain, the tables it describes, and stored artefacts."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func
from sqlmodel import select

from workflow.app import App
from workflow.signing.anchors import anchor_problems
from workflow.signing.keys import trust_roots
from workflow.signing.statements import statement_problems
from workflow.store import audit
from workflow.store.models import AuditEvent, Message, ResolutionRow, SignatureRecord, Submission
from workflow.store.settings import config_problems
from workflow.store.witness import head, witness_problems

__all__ = ["verify_workspace", "audit_head", "record_config"]


def verify_workspace(app: App, witnesses: Sequence[tuple[int, str]] = ()
                     ) -> tuple[list[audit.Problem], int]:
    """(problems, number of events checked); ``witnesses`` are heads kept out of band."""
    with app.read() as session:
        problems = witness_problems(session, list(witnesses))
        problems += audit.verify(session)
        count = int(session.exec(select(func.count()).select_from(AuditEvent)).one())
        problems += config_problems(app.workspace.root, _config_events(session))
        problems += _artefact_problems(app, session)
        problems += _file_problems(app, session)
        problems += _signature_problems(app, session)
        problems += anchor_problems(app, session)
    return problems, count


def _config_events(session) -> list[tuple[int, str, dict]]:  # type: ignore[no-untyped-def,type-arg]
    import json

    rows = session.exec(select(AuditEvent.seq, AuditEvent.action, AuditEvent.detail)
                        .where(AuditEvent.action == "config").order_by(AuditEvent.seq))
    return [(seq, action, json.loads(detail)) for seq, action, detail in rows]


def _file_problems(app: App, session) -> list[audit.Problem]:  # type: ignore[no-untyped-def]
    """Files the engine wrote and recorded by hash: submission packages and queued mail."""
    problems = []
    root = app.workspace.root
    for sub in session.exec(select(Submission).order_by(Submission.id)):
        if sub.package_path and sub.package_sha256:
            problems += _hash_problem(root / sub.package_path, sub.package_sha256,
                                      f"submission package {sub.package_path}")
    for msg in session.exec(select(Message).order_by(Message.id)):
        if msg.eml_path and msg.eml_sha256:
            problems += _hash_problem(root / msg.eml_path, msg.eml_sha256,
                                      f"message file {msg.eml_path}")
    return problems


def _hash_problem(path, expected: str, where: str) -> list[audit.Problem]:  # type: ignore[no-untyped-def]
    from workflow.store.files import sha256_file

    if not path.is_file():
        return [audit.Problem(where, "is missing")]
    if sha256_file(path) != expected:
        return [audit.Problem(where, "bytes differ from the SHA-256 recorded when it was "
                                     "written: the file was changed")]
    return []


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


def record_config(app: App) -> list[str]:
    """Record ``resolutions.toml`` as it is now; the keys changed since the last record."""
    from workflow.store import settings

    with app.write() as session:
        last = settings.last_recorded(_config_events(session))
        return settings.record_config(session, app.workspace.root, app.actor(session),
                                      before=last[1].get("config", {}) if last else {})
