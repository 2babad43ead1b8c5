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
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlmodel import Session, col, select

from workflow import clock
from workflow.app import App
from workflow.crashpoints import crashpoint
from workflow.documents.rendering import record_artefacts
from workflow.dossier import reuse, room
from workflow.dossier.bag import BagWriter, staging
from workflow.dossier.howto import HOWTO, Howto, detached_facts, howto_text, signed_files
from workflow.dossier.meta import DossierStats, bag_info
from workflow.dossier.plan import Entry, Job, ResolutionPlan, dumps, own_job, plan_resolution
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
from workflow.dossier.trustfiles import anchor_files, ca_sha256, pem, timestamp_roots, trust_files
from workflow.dossier.verify import VerifyReport, verify
from workflow.errors import InvalidInput
from workflow.lifecycle.steps import act, allow
from workflow.signing.anchors import anchor_note
from workflow.store.chain import event_record, redacted_record
from workflow.store.models import AuditEvent, ResolutionRow

if TYPE_CHECKING:
    from signatures.signer import Signer
    from templates.room import IndexEntry
    from workflow.dossier.report import JSONObject

__all__ = ["export_dossier", "may_export", "ExportResult", "verify_dossier"]


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
    anchor: str = ""        # the audit anchor made first, or why none was ('' : no TSA)

    def to_json(self) -> dict[str, object]:
        return {"path": str(self.path), "resolutions": self.resolutions, "files": self.files,
                "octets": self.octets, "rendered": self.rendered, "cached": self.cached,
                "workers": self.workers, "seconds": round(self.seconds, 3),
                "reused": self.reused, "anchor": self.anchor}


def _rows(app: App, session: Session, refs: Sequence[str], everything: bool
          ) -> list[ResolutionRow]:
    if everything:
        rows = list(session.exec(select(ResolutionRow).order_by(col(ResolutionRow.number))))
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


def _timestamps(setting: _Setting) -> dict[str, str] | None:
    """The timestamp files a bag exported with a timestamp authority must carry."""
    from workflow.signing.archive import TOKEN_NAME

    if setting.stamper is None:
        return None
    return {"seal": "seal-timestamp.tsr", "archive": TOKEN_NAME}


def _chain_lines(session: Session, exported: set[int], stats: DossierStats,
                 head: list[int | str]) -> Iterator[bytes]:
    statement = select(AuditEvent).order_by(col(AuditEvent.seq)).execution_options(yield_per=500)
    for ev in session.exec(statement):
        full = ev.resolution_id is None or ev.resolution_id in exported
        rec = event_record(ev) if full else redacted_record(ev)
        if full:
            stats.see(ev.at)
        head[:] = [ev.seq, ev.hash]
        yield json.dumps(rec, ensure_ascii=False, sort_keys=True).encode("utf-8") + b"\n"


@dataclass(frozen=True)
class _Setting:
    """What one export asks of the workspace, asked once: the seal, the timestamp
    authority, the trust files, the fingerprints the bag names."""

    app: App
    signer: Any
    stamper: Any                      # the timestamp client, or None
    trust: list[tuple[str, Path]]     # (path in data/, file)
    tsa_roots: list[str]              # the trust files trusted for timestamps, in data/
    ca_sha256: str
    seal_sha256: str
    workers: int

    def howto(self, head: tuple[int, str], pdfs: list[str] | None = None,
              detached: list[tuple[str, str]] | None = None) -> Howto:
        """VERIFY.txt's facts. ``attime`` is the real moment of sealing (openssl checks the
        seal as of then, and pyHanko dates the seal by the real time too), not the
        workflow's clock, which a test or a benchmark may have set elsewhere."""
        return Howto(ca="data/trust/ca.pem", seal_cert=f"data/{SEAL_CERT}",
                     ca_sha256=self.ca_sha256, seal_sha256=self.seal_sha256, head=head,
                     attime=int(clock.real_now().timestamp()),
                     pdfs=pdfs or [], detached=detached or [])


@dataclass
class _Planned:
    """The plan pass: every resolution's folder, each document known or to render."""

    plans: list[ResolutionPlan]
    known: dict[Job, str]
    missing: list[Job]
    summaries: list[JSONObject]
    listing: list[tuple[str, str]]
    index_job: Job


def may_export(app: App) -> None:
    """Refuse now what ``export_dossier`` would refuse before any passphrase is asked:
    who may export (the gate; audited), a workspace without its seal."""
    from workflow.signing.seal import ensure_sealable

    with app.write() as session:
        allow(app, session, "dossier export")
    ensure_sealable(app)


def export_dossier(app: App, refs: Sequence[str], out: Path, *, everything: bool = False,
                   as_zip: bool = False, workers: int | None = None,
                   progress: Progress | None = None,
                   seal_passphrase: bytes | None = None) -> ExportResult:
    """Export the resolutions (or all) as one BagIt bag at ``out`` (a folder, or a ZIP),
    sealed with the secretariat's seal (opened with ``seal_passphrase``). With a timestamp
    authority the audit head is anchored first, and the result says so (``anchor``)."""
    started = time.perf_counter()
    out = Path(out)
    if out.exists():
        raise InvalidInput(f"{out} already exists; choose a new path or remove it first")
    if seal_passphrase is None:
        raise InvalidInput("the dossier is sealed with the secretariat's seal: give "
                           "--seal-passphrase-file FILE")
    with app.write() as session:
        act(session, allow(app, session, "dossier export"))
    setting = _setting(app, seal_passphrase, workers)  # a wrong passphrase fails here
    anchored = anchor_note(app)  # the head the bag will carry, anchored: a step of its own
    reset_memo()
    key_head, reuse_key = _reuse_key(setting, refs, everything)
    kept = reuse.load(app, reuse_key)
    again = _export_again(setting, out, as_zip, kept, progress) if kept is not None else None
    if again is None:
        planned = _plan(setting, refs, everything, progress)
        planned.known.update(render_missing(app, planned.missing, setting.workers, progress))
        again = _write_bag(setting, out, as_zip, planned, key_head, reuse_key, progress)
        reset_memo()
    return replace(again, seconds=time.perf_counter() - started, anchor=anchored)


def _setting(app: App, seal_passphrase: bytes, workers: int | None) -> _Setting:
    from workflow.signing.seal import seal_signer
    from workflow.signing.sign import timestamper_for

    signer = seal_signer(app, seal_passphrase)
    trust = trust_files(app)
    return _Setting(app, signer, timestamper_for(app), trust, timestamp_roots(app, trust),
                    ca_sha256(app), fingerprint(signer.cert), workers or default_workers())


def _reuse_key(setting: _Setting, refs: Sequence[str], everything: bool
               ) -> tuple[tuple[int, str], str]:
    """(the audit head now, the key of an export of these inputs)."""
    from workflow.store.witness import head as chain_head

    app = setting.app
    with app.read() as session:
        wanted = [r.id or 0 for r in _rows(app, session, refs, everything)]
        key_head = chain_head(session)
        return key_head, reuse.key(app, key_head, wanted, pem(setting.signer.cert),
                                   setting.trust, setting.stamper is not None)


def _plan(setting: _Setting, refs: Sequence[str], everything: bool,
          progress: Progress | None) -> _Planned:
    """Plan every resolution once (the write pass uses these plans), and the index."""
    app = setting.app
    known: dict[Job, str] = {}
    missing: list[Job] = []
    plans: list[ResolutionPlan] = []
    with app.read() as session:
        rows = _rows(app, session, refs, everything)
        for n, row in enumerate(rows, 1):
            plan = plan_resolution(app, session, row)
            plans.append(plan)
            for entry in plan.entries:
                if entry.job is not None and entry.job not in known:
                    _look_up(app, session, row, entry.job, known, missing)
            if progress:
                progress("plan", n, len(rows))
        summaries = [{"symbol": p.row.symbol, "number": p.row.number, "folder": p.folder,
                      "title": p.row.title, "state": p.row.state, "files": len(p.entries)}
                     for p in plans]
        listing = [("dossier.json", "What the dossier holds, and the audit head"),
                   ("audit/chain.jsonl", "The working group's audit chain (JSON Lines)")]
        listing += [(rel, "Trust anchor (CA certificate)") for rel, _ in setting.trust]
        listing += [(SEAL_CERT, "The secretariat's seal certificate (it seals the bag)")]
        listing += [(f"{s['folder']}/", f"{s['symbol']}: {s['title']} ({s['state']}); "
                     f"{s['files']} files, see {s['folder']}/index.pdf") for s in summaries]
        first = rows[0]
        index_job = own_job(Job(first.id or 0, first.current_version, "index", "pdf",
                                extra=tuple(listing)), first)
        _look_up(app, session, first, index_job, known, missing)
    return _Planned(plans, known, missing, summaries, listing, index_job)


def _look_up(app: App, session: Session, row: ResolutionRow, job: Job,
             known: dict[Job, str], missing: list[Job]) -> None:
    digest = _job_hash(app, session, row, job)
    if digest:
        known[job] = digest
    else:
        missing.append(job)


def _write_bag(setting: _Setting, out: Path, as_zip: bool, planned: _Planned, key_head: tuple[int, str],
               reuse_key: str, progress: Progress | None) -> ExportResult:
    """The write pass: the files, the chain, each resolution's folder and page, the
    metadata; then VERIFY.txt, bag-info, the archive timestamp and the seal."""
    app = setting.app
    stats = DossierStats()
    head: list[Any] = [0, "0" * 64]
    ids = {p.row.id for p in planned.plans if p.row.id is not None}
    with staging(out, as_zip) as stage:
        bag = BagWriter(stage.bag)
        bag.add_file("index.pdf", app.store_path(planned.known[planned.index_job]))
        for rel, path in setting.trust:
            bag.add_file(rel, path)
        bag.add_bytes(SEAL_CERT, pem(setting.signer.cert))
        for rel, data in anchor_files(app):
            bag.add_bytes(rel, data)
        howto = setting.howto((0, ""))
        with app.read() as session:
            bag.add_lines("audit/chain.jsonl", _chain_lines(session, ids, stats, head))
        room_lines = _write_resolutions(setting, bag, planned, howto, stats, progress)
        at_head = (int(head[0]), str(head[1]))
        _write_metadata(setting, bag, planned, howto, stats, room_lines, at_head)
        howto.head = at_head
        _close_bag(setting, stage.bag, bag, howto, stats)
        if howto.head == key_head:  # the database did not move on while this was written
            reuse.save(app, reuse_key, stage.bag / "data", reuse.Kept(
                files=[(rel, d["sha256"]) for rel, d in bag.digests.items()],
                stats=_stats_json(stats), head=howto.head, pdfs=howto.pdfs,
                detached=howto.detached, symbols=[s["symbol"] for s in planned.summaries],
                documents=len(planned.known)))
        crashpoint("dossier.before-publish")
        stage.publish()
    rendered = len(set(planned.missing))
    return ExportResult(out, [s["symbol"] for s in planned.summaries], len(bag.digests),
                        bag.octets, rendered, len(planned.known) - rendered, setting.workers,
                        0.0)


def _write_resolutions(setting: _Setting, bag: BagWriter, planned: _Planned, howto: Howto,
                       stats: DossierStats, progress: Progress | None) -> list[IndexEntry]:
    """Each resolution's folder as planned, and its page of the reading room."""
    app = setting.app
    room_lines: list[IndexEntry] = []
    for n, plan in enumerate(planned.plans, 1):
        with app.read() as session:
            row = session.get(ResolutionRow, plan.row.id)
            assert row is not None
            for entry in plan.entries:
                _write(app, session, bag, entry, planned.known)
            record = plan.record
            signed_files(howto, plan.folder, record)
            page, line = room.resolution_page(
                app, session, row, plan, tsa_roots=setting.tsa_roots,
                stamped=setting.stamper is not None, ca_sha256=howto.ca_sha256,
                seal_sha256=howto.seal_sha256)
            bag.add_bytes(f"{plan.folder}/{room.ROOM_PAGE}", page)
            room_lines.append(line)
        stats.resolutions += 1
        stats.versions += len(record["versions"])
        stats.signatures += len(record["signatures"])
        stats.submissions += len(record["submissions"])
        stats.events += int(record["audit"]["events"])
        stats.see(row.created_at, row.updated_at)
        if progress:
            progress("write", n, len(planned.plans))
    return room_lines


def _write_metadata(setting: _Setting, bag: BagWriter, planned: _Planned, howto: Howto,
                    stats: DossierStats, room_lines: list[IndexEntry], head: tuple[int, str]
                    ) -> None:
    """PREMIS, the reading room's index and ``dossier.json``."""
    app = setting.app
    with app.read() as session:
        bag.add_bytes(PREMIS_FILE, dossier_premis(
            app, session, [p.row.id for p in planned.plans if p.row.id is not None],
            howto.pdfs, {rel: d["sha256"] for rel, d in bag.digests.items()},
            (_seal_name(setting.signer), howto.seal_sha256), clock.now(), head))
    bag.add_bytes(room.ROOM_PAGE, room.index_page(
        app, room_lines, head, [("index.pdf", "The table of contents (PDF/A-3b)"),
                                *planned.listing],
        howto.ca_sha256, howto.seal_sha256, setting.tsa_roots, setting.stamper is not None))
    bag.add_bytes("dossier.json", dumps({
        "schema": "brics-resolutions/dossier/1",
        "working_group": {"names": app.workspace.group_names, "prefix": app.workspace.prefix},
        "resolutions": planned.summaries,
        "audit": {"file": "audit/chain.jsonl", "head_seq": head[0], "head_hash": head[1]},
        "trust": [rel for rel, _ in setting.trust],
        "ca": {"file": "trust/ca.pem", "sha256": howto.ca_sha256},
        "seal": {"certificate": SEAL_CERT, "sha256": howto.seal_sha256,
                 "signature": SEAL_FILE, "over": SEALED},
        "anchors": ANCHORS,
        "timestamps": _timestamps(setting),
        "counts": stats.to_json(), "index": "index.pdf"}))


def _close_bag(setting: _Setting, root: Path, bag: BagWriter, howto: Howto,
               stats: DossierStats) -> None:
    """VERIFY.txt, bag-info.txt and the manifests with the archive timestamp among the tag
    files (with a timestamp authority) and, last, the seal over the tag manifest."""
    howto.seal_timestamp = howto.archive_timestamp = setting.stamper is not None
    howto.tsa_roots = list(setting.tsa_roots)
    detached_facts(root, howto)
    (root / HOWTO).write_text(howto_text(howto), encoding="utf-8")
    bag.finish(bag_info(setting.app, stats, len(bag.digests), bag.octets, clock.today(),
                        howto.head), extra_tags=[HOWTO],
               before_tags=lambda: archived(setting.app, root))
    seal_bag(root, setting.signer, setting.stamper)


def archived(app: App, bag: Path) -> list[str]:
    """With a timestamp authority: the archive timestamp over the payload manifest, as a
    tag file the tag manifests list (so the seal covers it)."""
    from workflow.signing.archive import TOKEN_NAME, archive_timestamp

    return [TOKEN_NAME] if archive_timestamp(app, bag) else []


def _seal_name(signer: Signer) -> str:
    """The seal certificate's common name ("RCWG secretariat seal")."""
    from signatures.keys import cert_info

    return cert_info(signer.cert).common_name or "secretariat seal"


def _stats_json(stats: DossierStats) -> dict[str, object]:
    return {"resolutions": stats.resolutions, "versions": stats.versions,
            "signatures": stats.signatures, "submissions": stats.submissions,
            "events": stats.events,
            "earliest": stats.earliest.isoformat() if stats.earliest else None,
            "latest": stats.latest.isoformat() if stats.latest else None}


def _stats_of(data: JSONObject) -> DossierStats:
    import datetime as _dt

    stats = DossierStats()
    for name in ("resolutions", "versions", "signatures", "submissions", "events"):
        setattr(stats, name, int(data[name]))
    stats.see(*[_dt.datetime.fromisoformat(data[k]) for k in ("earliest", "latest")
                if data.get(k)])
    return stats


def _export_again(setting: _Setting, out: Path, as_zip: bool, kept: reuse.Kept,
                  progress: Progress | None) -> ExportResult | None:
    """The payload of the last export of the same inputs, copied from the store and hashed
    as it is copied (``workflow.dossier.reuse``); None when a stored file is missing or its
    bytes changed — the caller then exports in full."""
    app = setting.app
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
        howto = setting.howto(kept.head, pdfs=list(kept.pdfs), detached=list(kept.detached))
        with app.read() as session:
            ids = [r.id for r in session.exec(select(ResolutionRow).where(
                col(ResolutionRow.symbol).in_(kept.symbols)))]
            bag.add_bytes(PREMIS_FILE, dossier_premis(
                app, session, [i for i in ids if i is not None], howto.pdfs,
                dict(kept.files), (_seal_name(setting.signer), howto.seal_sha256),
                clock.now(), kept.head))
        _close_bag(setting, stage.bag, bag, howto, _stats_of(kept.stats))
        crashpoint("dossier.before-publish")
        stage.publish()
    return ExportResult(out, kept.symbols, len(bag.digests), bag.octets, 0, kept.documents,
                        setting.workers, 0.0, reused=True)


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


def verify_dossier(path: Path, at: datetime | None = None,
                   expect_ca: str | None = None) -> VerifyReport:
    """Check a dossier (folder or ZIP) with nothing but itself, its signatures as on ``at``
    (default: now), its CA against ``expect_ca`` when given; see ``dossier_verify``."""

    return verify(Path(path), at=at, expect_ca=expect_ca)
