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
from datetime import timezone
from pathlib import Path
from typing import Any

from sqlmodel import Session, select

from workflow import clock
from workflow.app import App
from workflow.crashpoints import crashpoint
from workflow.documents.rendering import record_artefacts
from workflow.dossier import reuse, room
from workflow.dossier.bag import BagWriter, staging
from workflow.dossier.howto import HOWTO, Howto, howto_text
from workflow.dossier.meta import DossierStats, bag_info
from workflow.dossier.plan import Entry, Job, dumps, own_job, plan_resolution
from workflow.dossier.premis import PREMIS_FILE, dossier_premis
from workflow.dossier.render import (
    Progress,
    attachments_for,
    cached,
    default_workers,
    render_job,
    render_missing,
    reset_memo,
)
from workflow.dossier.seal import ANCHORS, SEAL_CERT, SEAL_FILE, SEALED, fingerprint, seal_bag
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
    reused: bool = False    # the payload of the previous export of the same inputs

    def to_json(self) -> dict[str, Any]:
        return {"path": str(self.path), "resolutions": self.resolutions, "files": self.files,
                "octets": self.octets, "rendered": self.rendered, "cached": self.cached,
                "workers": self.workers, "seconds": round(self.seconds, 3),
                "reused": self.reused}


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


def _pem(cert: Any) -> bytes:
    from cryptography.hazmat.primitives.serialization import Encoding

    return bytes(cert.public_bytes(Encoding.PEM))


def _ca_sha256(app: App) -> str:
    from signatures.keys import load_certificates

    ca = app.workspace.keys_dir / "ca" / "ca.pem"
    if not ca.is_file():
        raise InvalidInput("the working group has no CA: create it with 'resolutions keys "
                           "init-ca' and issue the seal with 'resolutions keys seal-issue'")
    return fingerprint(load_certificates(ca.read_bytes())[0])


def _timestamp_roots(app: App) -> list[str]:
    """The bag's trust files trusted for timestamps (for VERIFY.txt)."""
    from workflow.signing.trust import trusted_for

    directory = app.workspace.keys_dir / "trust"
    names = {p.name for p in trusted_for(directory, "timestamps")} if directory.is_dir() else set()
    return [rel for rel, path in _trust_files(app) if path.name in names]


def anchor_files(app: App) -> list[tuple[str, bytes]]:
    """The audit anchors to carry (``resolutions audit anchor``, and those ``circulate``,
    ``submit`` and this export made): for each, ``NAME.tsr`` (the RFC 3161 token) and
    ``NAME.json`` (``seq``, ``hash``, ``at`` and ``data``, the exact line timestamped) in
    ``data/audit/anchors/``; ``dossier verify`` checks each against the bag's chain."""
    from workflow.store.chain import anchor_statement
    from workflow.store.models import AuditAnchor

    out: list[tuple[str, bytes]] = []
    with app.read() as session:
        for row in session.exec(select(AuditAnchor).order_by(AuditAnchor.id)):
            name = f"{ANCHORS}/{row.seq:08d}-{row.id}"
            at = row.at if row.at.tzinfo else row.at.replace(tzinfo=timezone.utc)
            meta = {"seq": row.seq, "hash": row.hash, "at": at.isoformat(),
                    "tsa_url": row.tsa_url,
                    "data": anchor_statement(row.seq, row.hash).decode("ascii")}
            out += [(f"{name}.tsr", bytes(row.token)), (f"{name}.json", dumps(meta))]
    return out


def _signed_files(howto: Howto, folder: str, record: dict[str, Any]) -> None:
    """The signed PDFs and the .p7s files (with their contents) VERIFY.txt checks."""
    base = f"data/{folder}"
    for sig in record.get("signatures", []):
        pdf = f"{base}/{sig['pdf']}" if sig.get("pdf") else None
        if pdf and pdf not in howto.pdfs:
            howto.pdfs.append(pdf)
        if sig.get("p7s") and sig.get("docx"):
            howto.detached.append((f"{base}/{sig['p7s']}", f"{base}/{sig['docx']}"))
    for a in record.get("approvals", []):
        if a.get("p7s") and a.get("statement"):
            howto.detached.append((f"{base}/{a['p7s']}", f"{base}/{a['statement']}"))


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
                   progress: Progress | None = None,
                   seal_passphrase: bytes | None = None) -> ExportResult:
    """Export the resolutions (or all) as one BagIt bag at ``out`` (a folder, or a ZIP),
    sealed with the secretariat's seal (opened with ``seal_passphrase``)."""
    from workflow.signing.seal import seal_signer

    started = time.perf_counter()
    out = Path(out)
    if out.exists():
        raise InvalidInput(f"{out} already exists; choose a new path or remove it first")
    if seal_passphrase is None:
        raise InvalidInput("the dossier is sealed with the secretariat's seal: give "
                           "--seal-passphrase-file FILE")
    signer = seal_signer(app, seal_passphrase)  # a wrong passphrase fails before any work
    from workflow.signing.anchors import auto_anchor

    auto_anchor(app)  # with a timestamp authority: the head the bag will carry, anchored
    workers = workers or default_workers()
    reset_memo()
    from workflow.signing.sign import timestamper_for
    from workflow.store.witness import head as chain_head

    with app.read() as session:
        wanted = [r.id or 0 for r in _rows(app, session, refs, everything)]
        key_head = chain_head(session)
        reuse_key = reuse.key(app, key_head, wanted, _pem(signer.cert), _trust_files(app),
                              timestamper_for(app) is not None)
    kept = reuse.load(app, reuse_key)
    if kept is not None:
        again = _export_again(app, out, as_zip, kept, signer, workers, started, progress)
        if again is not None:
            return again
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
        listing += [(SEAL_CERT, "The secretariat's seal certificate (it seals the bag)")]
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
        bag.add_bytes(SEAL_CERT, _pem(signer.cert))
        for rel, data in anchor_files(app):
            bag.add_bytes(rel, data)
        howto = Howto(ca="data/trust/ca.pem", seal_cert=f"data/{SEAL_CERT}",
                      ca_sha256=_ca_sha256(app), seal_sha256=fingerprint(signer.cert),
                      head=(0, ""), attime=int(time.time()))
        with app.read() as session:
            bag.add_lines("audit/chain.jsonl",
                          _chain_lines(session, {i for i in ids if i is not None}, stats, head))
        from workflow.signing.sign import timestamper_for as _stamper

        rooms_stamped = _stamper(app) is not None
        rooms_tsa = [f"data/{rel}" for rel in _timestamp_roots(app)]
        room_lines: list[Any] = []
        for n, rid in enumerate(ids, 1):
            with app.read() as session:
                row = session.get(ResolutionRow, rid)
                assert row is not None
                plan = plan_resolution(app, session, row)
                for entry in plan.entries:
                    _write(app, session, bag, entry, known)
                record = plan.record
                _signed_files(howto, plan.folder, record)
                page, line = room.resolution_page(
                    app, session, row, plan, tsa_roots=rooms_tsa, stamped=rooms_stamped,
                    ca_sha256=howto.ca_sha256, seal_sha256=howto.seal_sha256)
                bag.add_bytes(f"{plan.folder}/{room.ROOM_PAGE}", page)
                room_lines.append(line)
            stats.resolutions += 1
            stats.versions += len(record["versions"])
            stats.signatures += len(record["signatures"])
            stats.submissions += len(record["submissions"])
            stats.events += int(record["audit"]["events"])
            stats.see(row.created_at, row.updated_at)
            if progress:
                progress("write", n, len(ids))
        with app.read() as session:
            bag.add_bytes(PREMIS_FILE, dossier_premis(
                app, session, [i for i in ids if i is not None], howto.pdfs,
                {rel: d["sha256"] for rel, d in bag.digests.items()},
                (_seal_name(signer), howto.seal_sha256), clock.now(),
                (int(head[0]), str(head[1]))))
        bag.add_bytes(room.ROOM_PAGE, room.index_page(
            app, room_lines, (int(head[0]), str(head[1])),
            [("index.pdf", "The table of contents (PDF/A-3b)"), *listing],
            howto.ca_sha256, howto.seal_sha256, rooms_tsa, rooms_stamped))
        bag.add_bytes("dossier.json", dumps({
            "schema": "brics-resolutions/dossier/1",
            "working_group": {"names": app.workspace.group_names,
                              "prefix": app.workspace.prefix},
            "resolutions": summaries,
            "audit": {"file": "audit/chain.jsonl", "head_seq": head[0], "head_hash": head[1]},
            "trust": [rel for rel, _ in _trust_files(app)],
            "ca": {"file": "trust/ca.pem", "sha256": howto.ca_sha256},
            "seal": {"certificate": SEAL_CERT, "sha256": howto.seal_sha256,
                     "signature": SEAL_FILE, "over": SEALED},
            "anchors": ANCHORS,
            "counts": stats.to_json(), "index": "index.pdf"}))
        from workflow.signing.archive import archive_timestamp
        from workflow.signing.sign import timestamper_for

        bagging = clock.today()
        stamper = timestamper_for(app)
        howto.head = (int(head[0]), str(head[1]))
        howto.seal_timestamp = howto.archive_timestamp = stamper is not None
        howto.tsa_roots = [f"data/{rel}" for rel in _timestamp_roots(app)]
        (stage.bag / HOWTO).write_text(howto_text(howto), encoding="utf-8")
        bag.finish(bag_info(app, stats, len(bag.digests), bag.octets, bagging,
                            (int(head[0]), str(head[1]))), extra_tags=[HOWTO])
        archive_timestamp(app, stage.bag)  # with a TSA: a timestamp over the whole bag
        seal_bag(stage.bag, signer, stamper)  # last: the seal over the tag manifest
        files, octets = len(bag.digests), bag.octets
        if howto.head == key_head:  # the database did not move on while this was written
            reuse.save(app, reuse_key, stage.bag / "data", reuse.Kept(
                files=[(rel, d["sha256"]) for rel, d in bag.digests.items()],
                stats=_stats_json(stats), head=howto.head, pdfs=howto.pdfs,
                detached=howto.detached, symbols=[s["symbol"] for s in summaries],
                documents=len(known)))
        crashpoint("dossier.before-publish")
        stage.publish()
    reset_memo()
    return ExportResult(out, [s["symbol"] for s in summaries], files, octets,
                        len(set(missing)), len(known) - len(set(missing)), workers,
                        time.perf_counter() - started)


def _seal_name(signer: Any) -> str:
    """The seal certificate's common name ("RCWG secretariat seal")."""
    from signatures.keys import cert_info

    return cert_info(signer.cert).common_name or "secretariat seal"


def _stats_json(stats: DossierStats) -> dict[str, Any]:
    return {"resolutions": stats.resolutions, "versions": stats.versions,
            "signatures": stats.signatures, "submissions": stats.submissions,
            "events": stats.events,
            "earliest": stats.earliest.isoformat() if stats.earliest else None,
            "latest": stats.latest.isoformat() if stats.latest else None}


def _stats_of(data: dict[str, Any]) -> DossierStats:
    import datetime as _dt

    stats = DossierStats()
    for name in ("resolutions", "versions", "signatures", "submissions", "events"):
        setattr(stats, name, int(data[name]))
    stats.see(*[_dt.datetime.fromisoformat(data[k]) for k in ("earliest", "latest")
                if data.get(k)])
    return stats


def _export_again(app: App, out: Path, as_zip: bool, kept: reuse.Kept, signer: Any,
                  workers: int, started: float, progress: Progress | None
                  ) -> ExportResult | None:
    """The payload of the last export of the same inputs, copied from the store and hashed
    as it is copied (``workflow.dossier.reuse``); None when a stored file is missing or its
    bytes changed — the caller then exports in full."""
    from workflow.signing.archive import archive_timestamp
    from workflow.signing.sign import timestamper_for

    with staging(out, as_zip) as stage:
        bag = BagWriter(stage.bag)
        for n, (rel, digest) in enumerate(kept.files, 1):
            if rel == PREMIS_FILE:  # its sealing event is this export's: made anew below
                continue
            path = app.store_path(digest)
            if not path.is_file():
                return None
            bag.add_file(rel, path)
            if bag.sha256(rel) != digest:
                return None
            if progress and (n % 50 == 0 or n == len(kept.files)):
                progress("write", n, len(kept.files))
        stamper = timestamper_for(app)
        howto = Howto(ca="data/trust/ca.pem", seal_cert=f"data/{SEAL_CERT}",
                      ca_sha256=_ca_sha256(app), seal_sha256=fingerprint(signer.cert),
                      head=kept.head, attime=int(time.time()), pdfs=list(kept.pdfs),
                      detached=list(kept.detached))
        with app.read() as session:
            ids = [r.id for r in session.exec(select(ResolutionRow).where(
                ResolutionRow.symbol.in_(kept.symbols)))]  # type: ignore[attr-defined]
            bag.add_bytes(PREMIS_FILE, dossier_premis(
                app, session, [i for i in ids if i is not None], howto.pdfs,
                dict(kept.files), (_seal_name(signer), howto.seal_sha256), clock.now(),
                kept.head))
        howto.seal_timestamp = howto.archive_timestamp = stamper is not None
        howto.tsa_roots = [f"data/{rel}" for rel in _timestamp_roots(app)]
        (stage.bag / HOWTO).write_text(howto_text(howto), encoding="utf-8")
        bag.finish(bag_info(app, _stats_of(kept.stats), len(bag.digests), bag.octets,
                            clock.today(), kept.head), extra_tags=[HOWTO])
        archive_timestamp(app, stage.bag)
        seal_bag(stage.bag, signer, stamper)
        crashpoint("dossier.before-publish")
        stage.publish()
    return ExportResult(out, kept.symbols, len(bag.digests), bag.octets, 0, kept.documents,
                        workers, time.perf_counter() - started, reused=True)


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


def verify_dossier(path: Path, at: Any = None, expect_ca: str | None = None) -> Any:
    """Check a dossier (folder or ZIP) with nothing but itself, its signatures as on ``at``
    (default: now), its CA against ``expect_ca`` when given; see ``dossier_verify``."""

    return verify(Path(path), at=at, expect_ca=expect_ca)
