"""The archivist's dossier: every resolution's whole life in one BagIt bag, and the check
that proves it complete and untouched with nothing but the bag.

Export runs in three passes. *Plan*: per resolution, the entries of its folder (see
``workflow.dossier.plan``) and the documents they need; the render cache answers for what
is already rendered. *Render*: the misses, in a process pool (``workflow.dossier.render``).
*Write*: per resolution again, every file streamed into the bag with its SHA-256 and
SHA-512 (``workflow.dossier.bag``), then the manifests and ``bag-info.txt``. The layout and
the checks are described in ``docs/DOSSIER.md``; verification is ``workflow.dossier.verify``.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlmodel import Session, select

from workflow import clock
from workflow.app import App
from workflow.crashpoints import crashpoint
from workflow.documents.rendering import record_artefacts
from workflow.dossier.bag import BagWriter, staging
from workflow.dossier.meta import DossierStats, bag_info
from workflow.dossier.plan import Entry, Job, dumps, own_job, plan_resolution
from workflow.dossier.render import (
    Progress,
    attachments_for,
    cached,
    default_workers,
    render_job,
    render_missing,
    reset_memo,
)
from workflow.dossier.verify import verify
from workflow.errors import InvalidInput
from workflow.store.chain import event_record, redacted_record
from workflow.store.models import AuditEvent, ResolutionRow

__all__ = ["export_dossier", "ExportResult", "verify_dossier"]


@dataclass(frozen=True)
class ExportResult:
    path: Path
    resolutions: list[str]
    files: int
    octets: int
    rendered: int
    cached: int
    workers: int
    seconds: float

    def to_json(self) -> dict[str, Any]:
        return {"path": str(self.path), "resolutions": self.resolutions, "files": self.files,
                "octets": self.octets, "rendered": self.rendered, "cached": self.cached,
                "workers": self.workers, "seconds": round(self.seconds, 3)}


def _rows(app: App, session: Session, refs: Sequence[str], everything: bool
          ) -> list[ResolutionRow]:
    if everything:
        rows = list(session.exec(select(ResolutionRow).order_by(ResolutionRow.number)))
    else:
        found = {r.id: r for r in (app.resolution(session, ref) for ref in refs)}
        rows = sorted(found.values(), key=lambda r: r.number)
    if not rows:
        raise InvalidInput("nothing to export: give REF... or --all (see 'resolutions list')")
    return rows


def _job_hash(app: App, session: Session, row: ResolutionRow, job: Job) -> str | None:
    hashes: list[str] = []
    if job.attach:
        import hashlib

        hashes = [hashlib.sha256(d).hexdigest()
                  for _, d, _ in attachments_for(session, row, job.version)]
    return cached(app, session, row, job, hashes)


def _trust_files(app: App) -> list[tuple[str, Path]]:
    keys = app.workspace.keys_dir
    out = []
    if (keys / "ca" / "ca.pem").is_file():
        out.append(("trust/ca.pem", keys / "ca" / "ca.pem"))
    if (keys / "trust").is_dir():
        out += [(f"trust/{p.name}", p) for p in sorted((keys / "trust").glob("*.pem"))
                if p.name != "ca.pem"]
    return out


def _chain_lines(session: Session, exported: set[int], stats: DossierStats,
                 head: list[Any]) -> Iterator[bytes]:
    statement = select(AuditEvent).order_by(AuditEvent.seq).execution_options(yield_per=500)
    for ev in session.exec(statement):
        full = ev.resolution_id is None or ev.resolution_id in exported
        rec = event_record(ev) if full else redacted_record(ev)
        if full:
            stats.see(ev.at)
        head[:] = [ev.seq, ev.hash]
        yield json.dumps(rec, ensure_ascii=False, sort_keys=True).encode("utf-8") + b"\n"


def export_dossier(app: App, refs: Sequence[str], out: Path, *, everything: bool = False,
                   as_zip: bool = False, workers: int | None = None,
                   progress: Progress | None = None) -> ExportResult:
    """Export the resolutions (or all) as one BagIt bag at ``out`` (a folder, or a ZIP)."""
    started = time.perf_counter()
    out = Path(out)
    if out.exists():
        raise InvalidInput(f"{out} already exists; choose a new path or remove it first")
    workers = workers or default_workers()
    reset_memo()
    # -- plan ---------------------------------------------------------------------------
    known: dict[Job, str] = {}
    missing: list[Job] = []
    summaries: list[dict[str, Any]] = []
    with app.read() as session:
        rows = _rows(app, session, refs, everything)
        ids = [r.id for r in rows]
        for n, row in enumerate(rows, 1):
            plan = plan_resolution(app, session, row)
            for entry in plan.entries:
                if entry.job is not None and entry.job not in known:
                    digest = _job_hash(app, session, row, entry.job)
                    if digest:
                        known[entry.job] = digest
                    else:
                        missing.append(entry.job)
            summaries.append({"symbol": row.symbol, "number": row.number,
                              "folder": plan.folder, "title": row.title, "state": row.state,
                              "files": len(plan.entries)})
            if progress:
                progress("plan", n, len(rows))
        first = rows[0]
        listing = [("dossier.json", "What the dossier holds, and the audit head"),
                   ("audit/chain.jsonl", "The working group's audit chain (JSON Lines)")]
        listing += [(rel, "Trust anchor (CA certificate)") for rel, _ in _trust_files(app)]
        listing += [(f"{s['folder']}/", f"{s['symbol']}: {s['title']} ({s['state']}); "
                     f"{s['files']} files, see {s['folder']}/index.pdf") for s in summaries]
        index_job = own_job(Job(first.id or 0, first.current_version, "index", "pdf",
                                extra=tuple(listing)), first)
        digest = _job_hash(app, session, first, index_job)
        if digest:
            known[index_job] = digest
        else:
            missing.append(index_job)
    # -- render -------------------------------------------------------------------------
    known.update(render_missing(app, missing, workers, progress))
    # -- write --------------------------------------------------------------------------
    stats = DossierStats()
    head: list[Any] = [0, "0" * 64]
    with staging(out, as_zip) as stage:
        bag = BagWriter(stage.bag)
        bag.add_file("index.pdf", app.store_path(known[index_job]))
        for rel, path in _trust_files(app):
            bag.add_file(rel, path)
        with app.read() as session:
            bag.add_lines("audit/chain.jsonl",
                          _chain_lines(session, {i for i in ids if i is not None}, stats, head))
        for n, rid in enumerate(ids, 1):
            with app.read() as session:
                row = session.get(ResolutionRow, rid)
                assert row is not None
                plan = plan_resolution(app, session, row)
                for entry in plan.entries:
                    _write(app, session, bag, entry, known)
                record = plan.record
            stats.resolutions += 1
            stats.versions += len(record["versions"])
            stats.signatures += len(record["signatures"])
            stats.submissions += len(record["submissions"])
            stats.events += int(record["audit"]["events"])
            stats.see(row.created_at, row.updated_at)
            if progress:
                progress("write", n, len(ids))
        bag.add_bytes("dossier.json", dumps({
            "schema": "brics-resolutions/dossier/1",
            "working_group": {"names": app.workspace.group_names,
                              "prefix": app.workspace.prefix},
            "resolutions": summaries,
            "audit": {"file": "audit/chain.jsonl", "head_seq": head[0], "head_hash": head[1]},
            "trust": [rel for rel, _ in _trust_files(app)],
            "counts": stats.to_json(), "index": "index.pdf"}))
        bagging = clock.today()
        bag.finish(bag_info(app, stats, len(bag.digests), bag.octets, bagging,
                            (int(head[0]), str(head[1]))))
        from workflow.signing.archive import archive_timestamp

        archive_timestamp(app, stage.bag)  # with a TSA: a timestamp over the whole bag
        files, octets = len(bag.digests), bag.octets
        crashpoint("dossier.before-publish")
        stage.publish()
    reset_memo()
    return ExportResult(out, [s["symbol"] for s in summaries], files, octets,
                        len(set(missing)), len(known) - len(set(missing)), workers,
                        time.perf_counter() - started)


def _write(app: App, session: Session, bag: BagWriter, entry: Entry,
           known: dict[Job, str]) -> None:
    if entry.data is not None:
        bag.add_bytes(entry.path, entry.data)
    elif entry.sha256 is not None:
        bag.add_file(entry.path, app.store_path(entry.sha256))
    elif entry.file is not None:
        bag.add_file(entry.path, entry.file)
    elif entry.job is not None:
        digest = known.get(entry.job)
        if digest is None or not app.store_path(digest).is_file():
            # the database moved on between planning and writing: render it here
            _, digest, rows = render_job(entry.job, app)
            record_artefacts(app, rows)
            known[entry.job] = digest
        bag.add_file(entry.path, app.store_path(digest))


def verify_dossier(path: Path, at: Any = None) -> Any:
    """Check a dossier (folder or ZIP) with nothing but itself, its signatures as on ``at``
    (default: now); see ``dossier_verify``."""

    return verify(Path(path), at=at)
