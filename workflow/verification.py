"""Checking a workspace: the audit chain, the tables it describes, and stored artefacts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import func
from sqlmodel import Session, col, select

from workflow import pool
from workflow.app import App
from workflow.lifecycle.steps import act, allow
from workflow.pool import default_workers
from workflow.signing.anchors import anchor_problems
from workflow.signing.keys import trust_roots
from workflow.signing.statements import statement_problems
from workflow.store import audit
from workflow.store.models import (
    Approval,
    AuditEvent,
    Message,
    ResolutionRow,
    SignatureRecord,
    Submission,
)
from workflow.store.settings import config_problems
from workflow.store.witness import head, witness_problems

__all__ = ["verify_workspace", "audit_head", "record_config"]


def verify_workspace(app: App, witnesses: Sequence[tuple[int, str]] = (),
                     workers: int | None = None) -> tuple[list[audit.Problem], int]:
    """(problems, number of events checked); ``witnesses`` are heads kept out of band.

    The parts are independent: with ``workers`` > 1 (default: one per core, at most two)
    and signed PDFs, statements or stored files to check, they run in forked processes
    (``workflow.pool``) — the chain in one, the signatures and files beside it. The
    problems come back in the same order either way."""
    workers = workers or default_workers()
    with app.read() as session:
        count = int(session.exec(select(func.count()).select_from(AuditEvent)).one())
        signed = sorted(_signed(session).items())
        heavy = bool(signed) or _has_statements(session) or _has_stored_files(app)
    tasks = [_Task("chain", witnesses=list(witnesses)), _Task("artefacts"), _Task("files"),
             _Task("statements")]
    size = max(1, -(-len(signed) // (workers * 4)))
    tasks += [_Task("signatures", signed=signed[i:i + size])
              for i in range(0, len(signed), size)]
    tasks.append(_Task("anchors"))
    if workers <= 1 or not heavy:
        results = [_part(app, task) for task in tasks]
    else:
        results = [[] for _ in tasks]
        for (i, _), problems in pool.run(app, _in_worker, list(enumerate(tasks)), workers):
            results[i] = problems
    return [p for part in results for p in part], count


@dataclass(frozen=True)
class _Task:
    """One independent part of the check: its kind and what it checks (the out-of-band
    heads for ``chain``, the signed PDFs for ``signatures``)."""

    kind: str
    witnesses: list[tuple[int, str]] = field(default_factory=list)
    signed: list[tuple[tuple[int, int], int]] = field(default_factory=list)


def _in_worker(item: tuple[int, _Task]) -> list[audit.Problem]:
    return _part(pool.worker_app(), item[1])


def _part(app: App, task: _Task) -> list[audit.Problem]:
    """One independent part of the check, in its own read transaction."""
    kind = task.kind
    with app.read() as session:
        if kind == "chain":
            problems = witness_problems(session, task.witnesses)
            problems += audit.verify(session)
            return problems + config_problems(app.workspace.root, _config_events(session))
        if kind == "artefacts":
            return _artefact_problems(app, session)
        if kind == "files":
            return _file_problems(app, session)
        if kind == "statements":
            return [audit.Problem("signed statement", p)
                    for p in statement_problems(app, session)]
        if kind == "signatures":
            return _signature_problems(app, session, task.signed)
        return anchor_problems(app, session)


def _has_statements(session: Session) -> bool:
    return session.exec(select(Approval.id).where(col(Approval.statement).is_not(None))
                        .limit(1)).first() is not None


def _has_stored_files(app: App) -> bool:
    store = app.workspace.store_dir
    return store.is_dir() and next(store.glob("??/*"), None) is not None


def _config_events(session: Session) -> list[tuple[int, str, dict[str, object]]]:
    import json

    rows = session.exec(select(AuditEvent.seq, AuditEvent.action, AuditEvent.detail)
                        .where(AuditEvent.action == "config").order_by(col(AuditEvent.seq)))
    return [(seq, action, json.loads(detail)) for seq, action, detail in rows]


def _file_problems(app: App, session: Session) -> list[audit.Problem]:
    """Files the engine wrote and recorded by hash: submission packages and queued mail."""
    from workflow.store.files import recorded_file_problems

    recorded = [(sub.package_path, sub.package_sha256, "submission package")
                for sub in session.exec(select(Submission).order_by(col(Submission.id)))
                if sub.package_path and sub.package_sha256]
    recorded += [(msg.eml_path, msg.eml_sha256, "message file")
                 for msg in session.exec(select(Message).order_by(col(Message.id)))
                 if msg.eml_path and msg.eml_sha256]
    # on a shared deployment: fetched when this folder lacks one
    return recorded_file_problems(app.workspace.files, recorded)


def _signed(session: Session) -> dict[tuple[int, int], int]:
    """(resolution id, version) of every signed PDF → the signatures recorded on it."""
    count: dict[tuple[int, int], int] = {}
    for rid, number in session.exec(select(SignatureRecord.resolution_id,
                                           SignatureRecord.version_number)):
        count[(rid, number)] = count.get((rid, number), 0) + 1
    return count


def _signature_problems(app: App, session: Session,
                        signed: list[tuple[tuple[int, int], int]]) -> list[audit.Problem]:
    """The signed PDFs of ``signed`` ((resolution id, version), signatures recorded)
    checked against the trust store and the registry."""
    problems: list[audit.Problem] = []
    if not signed:
        return problems
    from signatures.verify import verify_pdf
    from workflow.signing.binding import bind_signatures, registry
    from workflow.signing.trust import crl_blobs

    roots, ts_roots, crls, reg = trust_roots(app), trust_roots(app, "timestamps"), crl_blobs(app), \
        registry(session)
    for key, recorded in signed:
        rec = session.exec(select(SignatureRecord).where(
            SignatureRecord.resolution_id == key[0], SignatureRecord.version_number == key[1])
            .order_by(col(SignatureRecord.id).desc()).limit(1)).one()
        row = session.get(ResolutionRow, key[0])
        where = f"signed PDF of {row.symbol if row else key[0]} v{key[1]}"
        path = app.store_path(rec.signed_sha256)
        if not path.is_file():
            problems.append(audit.Problem(where, "is missing from the store"))
            continue
        data = path.read_bytes()
        report = verify_pdf(data, roots, timestamp_roots=ts_roots, crls=crls,
                            complete=False).to_json()
        bind_signatures(report, reg, data)
        if not report["ok"]:
            problems.append(audit.Problem(where, "does not verify: " + "; ".join(
                [p for s in report["signatures"] for p in s["problems"]] + report["problems"])))
        elif len(report["signatures"]) != recorded:
            problems.append(audit.Problem(where, f"carries {len(report['signatures'])} signatures "
                                          f"but {recorded} are recorded"))
    return problems


def _artefact_problems(app: App, session: Session) -> list[audit.Problem]:
    """Stored artefacts whose bytes no longer match their name (SHA-256)."""
    from workflow.store.files import store_problems

    return store_problems(app.workspace.root, app.workspace.store_dir)


def audit_head(app: App) -> tuple[int, str]:
    """The chain's last event: what a witness keeps."""
    with app.read() as session:
        return head(session)


def record_config(app: App) -> list[str]:
    """Record ``resolutions.toml`` as it is now; the keys changed since the last record."""
    from workflow.store import settings

    with app.write() as session:
        act(session, allow(app, session, "audit config"))
        last = settings.last_recorded(_config_events(session))
        return settings.record_config(session, app.workspace.root, app.actor(session),
                                      before=last.rules if last else {},
                                      shared=app.workspace.files)
