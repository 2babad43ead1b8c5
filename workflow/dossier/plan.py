"""What goes into a dossier, per resolution: a list of entries, each a path inside the bag
and where its bytes come from (generated JSON/YAML/XML, a file in the content-addressed
store, a document to render, or a submission package file).

Planning is deterministic: the same database gives the same entries in the same order,
with timestamps taken from the rows. The plan is built twice per resolution (once to
collect the documents to render, once to write), so no resolution's bytes stay in memory
while the others are written.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlmodel import Session, col, select

from workflow.app import App
from workflow.documents.rendering import safe_name
from workflow.dossier.checks import BASE_ACTION, CERTIFICATE_ACTION
from workflow.dossier.meta import akn_xml, dublin_core
from workflow.signing.statements import statement_bytes
from workflow.store.chain import event_record, iso
from workflow.store.models import (
    Amendment,
    Approval,
    AuditEvent,
    Comment,
    ResolutionRow,
    ReviewRound,
    SignatureRecord,
    Submission,
    Version,
)

if TYPE_CHECKING:
    from sqlmodel import SQLModel

    from workflow.dossier.report import JSONObject

__all__ = ["Job", "Entry", "ResolutionPlan", "plan_resolution", "dumps", "folder_of", "own_job",
           "BASE_ACTION", "CERTIFICATE_ACTION"]



@dataclass(frozen=True)
class Job:
    """One document to render (picklable: it crosses into the worker processes)."""

    resolution_id: int
    version: int
    stage: str
    fmt: str
    attach: bool = False                       # embed the version YAML and the audit JSON
    extra: tuple[tuple[str, str], ...] = ()


@dataclass
class Entry:
    path: str                                  # inside data/, posix
    description: str
    data: bytes | None = None
    sha256: str | None = None                  # in the content-addressed store
    job: Job | None = None
    file: Path | None = None


@dataclass
class ResolutionPlan:
    row: ResolutionRow
    folder: str
    entries: list[Entry] = field(default_factory=list)
    record: JSONObject = field(default_factory=dict)

    def add(self, path: str, description: str, *, data: bytes | None = None,
            sha256: str | None = None, job: Job | None = None,
            file: Path | None = None) -> Entry:
        entry = Entry(f"{self.folder}/{path}", description, data, sha256, job, file)
        self.entries.append(entry)
        return entry


def dumps(value: object) -> bytes:
    return (json.dumps(value, ensure_ascii=False, sort_keys=True, indent=1, default=str)
            + "\n").encode("utf-8")


def folder_of(row: ResolutionRow) -> str:
    return safe_name(row.symbol) or f"resolution-{row.number}"


def _fields(obj: SQLModel, *drop: str) -> dict[str, object]:
    data = obj.model_dump()
    for name in drop:
        data.pop(name, None)
    return {k: (iso(v) if hasattr(v, "tzinfo") and hasattr(v, "hour") else v)
            for k, v in data.items()}


def audit_json(events: list[AuditEvent]) -> bytes:
    return dumps([event_record(e) for e in events])


def plan_resolution(app: App, session: Session, row: ResolutionRow) -> ResolutionPlan:
    plan = ResolutionPlan(row, folder_of(row))
    rid = row.id or 0
    events = list(session.exec(select(AuditEvent).where(AuditEvent.resolution_id == rid)
                               .order_by(col(AuditEvent.seq))))
    details = [(e.action, json.loads(e.detail)) for e in events if e.outcome == "ok"]
    versions = list(session.exec(select(Version).where(Version.resolution_id == rid)
                                 .order_by(col(Version.number))))
    record: JSONObject = {
        "schema": "brics-resolutions/dossier-resolution/1", "symbol": row.symbol,
        "number": row.number, "title": row.title, "body": row.body, "state": row.state,
        "current_version": row.current_version, "created_at": iso(row.created_at),
        "updated_at": iso(row.updated_at), "audit": {"file": "audit/audit.jsonl",
                                                     "events": len(events),
                                                     "seqs": [e.seq for e in events]},
        "versions": [], "approvals": [], "signatures": [], "submissions": []}
    _versions(plan, rid, versions, record)
    _review(plan, session, rid, row)
    _waivers(plan, session, rid, record)
    _approvals(plan, session, rid, row, record)
    _signatures(plan, app, session, rid, details, record)
    _submissions(plan, app, session, rid, record)
    plan.add("audit/audit.jsonl", "Audit log of this resolution (JSON Lines, hash-chained)",
             data=b"".join(json.dumps(event_record(e), ensure_ascii=False, sort_keys=True)
                           .encode("utf-8") + b"\n" for e in events))
    from workflow.dossier.rows import ROWS_FILE, rows_jsonl

    plan.add(ROWS_FILE, "The rows behind every record here, as the audit log hashed them "
             "(JSON Lines)", data=rows_jsonl(session, rid))
    plan.add("audit/audit-report.pdf", "Audit report (PDF/A-3b)",
             job=Job(rid, row.current_version, "audit-report", "pdf"))
    _certificate(plan, app, rid, row, details, record)
    plan.add("metadata/dublin-core.xml", "Dublin Core metadata",
             data=dublin_core(app, session, row, versions, events))
    akn, akn_problem = akn_xml(app, session, row)
    if akn is not None:
        plan.add("metadata/akn.xml", "Akoma Ntoso XML of the current text", data=akn)
    else:
        record["akn_problem"] = akn_problem
    plan.record = record
    _index_and_record(plan, rid, row)
    return plan


def _versions(plan: ResolutionPlan, rid: int, versions: list[Version],
              record: JSONObject) -> None:
    """Each version: its source, its archival text, its DOCX, its redline."""
    for ver in versions:
        d = f"versions/v{ver.number}"
        plan.add(f"{d}/source.yaml", f"Version {ver.number}: YAML source",
                 data=ver.source.encode("utf-8"))
        plan.add(f"{d}/text.pdf", f"Version {ver.number}: text, PDF/A-3b with the source and "
                 "audit log attached", job=Job(rid, ver.number, "final", "pdf", attach=True))
        plan.add(f"{d}/text.docx", f"Version {ver.number}: text, DOCX",
                 job=Job(rid, ver.number, "draft", "docx"))
        if ver.number > 1:
            plan.add(f"{d}/redline.pdf", f"Version {ver.number}: changes from version "
                     f"{ver.number - 1}", job=Job(rid, ver.number, "redline", "pdf"))
        record["versions"].append({"number": ver.number, "content_hash": ver.content_hash,
                                   "author": ver.author, "note": ver.note,
                                   "created_at": iso(ver.created_at), "source": f"{d}/source.yaml",
                                   "archival_pdf": f"{d}/text.pdf"})


def _certificate(plan: ResolutionPlan, app: App, rid: int, row: ResolutionRow,
                 details: list[tuple[str, Any]], record: JSONObject) -> None:
    """The certificate of completion as issued (when stored), else rendered."""
    stored = next((str(d["sha256"]) for a, d in reversed(details)
                   if a == CERTIFICATE_ACTION and int(d.get("version", 0)) ==
                   row.current_version and d.get("sha256")), None)
    if stored and app.store_path(stored).is_file():
        plan.add("certificate.pdf", "Certificate of completion (as issued)", sha256=stored)
        record["certificate"] = {"file": "certificate.pdf", "sha256": stored}
    else:
        plan.add("certificate.pdf", "Certificate of completion (PDF/A-3b)",
                 job=Job(rid, row.current_version, "certificate", "pdf"))


def _index_and_record(plan: ResolutionPlan, rid: int, row: ResolutionRow) -> None:
    """The index lists everything in the folder, first; record.json comes last, after it;
    every job keyed to its resolution."""
    listing = tuple((e.path.removeprefix(plan.folder + "/"), e.description)
                    for e in plan.entries)
    plan.entries.insert(0, Entry(f"{plan.folder}/index.pdf", "Index of this resolution's dossier",
                                 job=Job(rid, row.current_version, "index", "pdf",
                                         extra=listing)))
    plan.add("record.json", "What this folder holds and the hashes verification checks",
             data=dumps(plan.record))
    for entry in plan.entries:
        if entry.job is not None:
            entry.job = own_job(entry.job, row)


def own_job(job: Job, row: ResolutionRow) -> Job:
    """The job keyed to its resolution: the render cache keys on the text's content hash,
    which leaves the symbol out, so two resolutions with the same text would otherwise
    share documents (and show one symbol). ``_`` keys are not shown by any template."""
    return replace(job, extra=job.extra + (("_resolution", row.symbol),))


def _review(plan: ResolutionPlan, session: Session, rid: int, row: ResolutionRow) -> None:
    comments = list(session.exec(select(Comment).where(Comment.resolution_id == rid)
                                 .order_by(col(Comment.number))))
    amendments = list(session.exec(select(Amendment).where(Amendment.resolution_id == rid)
                                   .order_by(col(Amendment.number))))
    for rnd in session.exec(select(ReviewRound).where(ReviewRound.resolution_id == rid)
                            .order_by(col(ReviewRound.number))):
        data = _fields(rnd)
        data["comments"] = [_fields(c) for c in comments if c.round_id == rnd.id]
        data["amendments"] = [_amendment(a) for a in amendments if a.round_id == rnd.id]
        plan.add(f"review/round-{rnd.number}.json", f"Review round {rnd.number}: reviewers, "
                 "comments with dispositions, amendments", data=dumps(data))
    if amendments:
        plan.add("review/amendments.json", "All amendments and their decisions",
                 data=dumps([_amendment(a) for a in amendments]))
    if comments:
        plan.add("review/matrix.pdf", "Comments-resolution matrix",
                 job=Job(rid, row.current_version, "matrix", "pdf"))


def _amendment(a: Amendment) -> dict[str, object]:
    data = _fields(a, "texts_json")
    data["texts"] = json.loads(a.texts_json or "{}")
    return data


def _approvals(plan: ResolutionPlan, session: Session, rid: int, row: ResolutionRow,
               record: JSONObject) -> None:
    approvals = list(session.exec(select(Approval).where(Approval.resolution_id == rid)
                                  .order_by(col(Approval.at), col(Approval.id))))
    if not approvals:
        return
    plan.add("approvals/approvals.json", "Approvals and objections",
             data=dumps([_fields(a, "statement") | {"signed_statement": bool(a.statement)}
                         for a in approvals]))
    plan.add("approvals/approval.pdf", "Approval record (PDF/A-3b)",
             job=Job(rid, row.current_version, "approval", "pdf"))
    for a in approvals:
        if not a.statement:
            continue
        stem = f"approvals/{safe_name(a.member_id)}-v{a.version_number}-{a.id}"
        text = statement_bytes(row.symbol, a.version_number, a.content_hash, a.member_id,
                               a.decision)
        plan.add(f"{stem}.json", f"Statement of {a.member_id} ({a.decision})", data=text)
        plan.add(f"{stem}.json.p7s", f"Signature of {a.member_id} over the statement",
                 data=bytes(a.statement))
        record["approvals"].append({"member": a.member_id, "decision": a.decision,
                                    "version": a.version_number, "void": a.void,
                                    "statement": f"{stem}.json", "p7s": f"{stem}.json.p7s"})


def _waivers(plan: ResolutionPlan, session: Session, rid: int, record: JSONObject) -> None:
    """The parity findings set aside (``check --accept``): who, why, on which version, on
    which text (the hash of the paragraph's texts it held for)."""
    from workflow.store.models import Waiver

    rows = list(session.exec(select(Waiver).where(Waiver.resolution_id == rid)
                             .order_by(Waiver.id)))  # type: ignore[arg-type]
    if not rows:
        return
    listed = [{"id": w.id, "finding": w.finding, "ref": w.ref, "rule": w.rule,
               "languages": [x for x in w.languages.split(",") if x],
               "severity": w.severity, "message": w.message, "version": w.version_number,
               "paragraph_id": w.paragraph_id, "texts_hash": w.texts_hash,
               "reason": w.reason, "member": w.member_id, "at": iso(w.at)} for w in rows]
    plan.add("review/waivers.json", "Findings of the language check set aside, with who "
             "and why", data=dumps(listed))
    record["waivers"] = {"file": "review/waivers.json", "count": len(listed)}


def _signatures(plan: ResolutionPlan, app: App, session: Session, rid: int,
                details: list[tuple[str, JSONObject]], record: JSONObject) -> None:
    sigs = list(session.exec(select(SignatureRecord).where(SignatureRecord.resolution_id == rid)
                             .order_by(col(SignatureRecord.version_number), col(SignatureRecord.id))))
    bases = {int(d.get("version", 0)): d for a, d in details if a == BASE_ACTION}
    for number in sorted({s.version_number for s in sigs}):
        mine = [s for s in sigs if s.version_number == number]
        d = f"signed/v{number}"
        last = mine[-1].signed_sha256
        if app.store_path(last).is_file():
            plan.add(f"{d}/signed.pdf", f"Version {number}: signed PDF, as signed", sha256=last)
        base = bases.get(number, {})
        docx = str(base.get("docx", ""))
        if docx and app.store_path(docx).is_file():
            plan.add(f"{d}/text.docx", f"Version {number}: the DOCX signed by detached "
                     "signatures", sha256=docx)
        for s in mine:
            entry: JSONObject = {
                "member": s.member_id, "version": number, "field_name": s.field_name,
                "cert_fingerprint": s.cert_fingerprint, "base_sha256": s.base_sha256,
                "signed_sha256": s.signed_sha256, "source": s.source, "at": iso(s.at),
                "pdf": f"{d}/signed.pdf" if s.signed_sha256 == last else None,
                "docx": f"{d}/text.docx" if docx else None, "docx_sha256": docx or None}
            if s.docx_p7s_sha256 and app.store_path(s.docx_p7s_sha256).is_file():
                name = f"{d}/text.docx.{safe_name(s.member_id)}.p7s"
                plan.add(name, f"Detached signature of {s.member_id} over the DOCX",
                         sha256=s.docx_p7s_sha256)
                entry["p7s"], entry["p7s_sha256"] = name, s.docx_p7s_sha256
            record["signatures"].append(entry)


def _submissions(plan: ResolutionPlan, app: App, session: Session, rid: int,
                 record: JSONObject) -> None:
    from workflow.delivery.records import receipts_of

    subs = list(session.exec(select(Submission).where(Submission.resolution_id == rid)
                             .order_by(col(Submission.id))))
    answers = receipts_of(session, rid)
    for k, sub in enumerate(subs, 1):
        d = f"submissions/{k}"
        data = _fields(sub, "manifest_json")
        data["manifest"] = json.loads(sub.manifest_json or "{}")
        data["receipts"] = answers.get(sub.id or 0, [])
        files: list[str] = []
        if sub.package_path:
            src = Path(sub.package_path)
            src = src if src.is_absolute() else app.workspace.files.ensure(
                sub.package_path, sub.package_sha256 or None)
            if src.is_dir():
                for path in sorted(p for p in src.rglob("*") if p.is_file()):
                    rel = path.relative_to(src).as_posix()
                    plan.add(f"{d}/package/{rel}", f"Submission {k}: {rel}", file=path)
                    files.append(f"{d}/package/{rel}")
            elif src.is_file():
                plan.add(f"{d}/{src.name}", f"Submission {k}: package", file=src)
                files.append(f"{d}/{src.name}")
        data["package_files"] = files
        plan.add(f"{d}/submission.json", f"Submission {k} to {sub.body} and the receipt",
                 data=dumps(data))
        record["submissions"].append({"number": k, "body": sub.body, "files": files,
                                      "package_sha256": sub.package_sha256,
                                      "record": f"{d}/submission.json"})
