"""The files signatures are made over, and the files they produce.

Rendering is cached by state, so the approved version's final PDF and DOCX are *pinned*
before the first signature: rendered once, stored by SHA-256, and recorded in an audit
event (``signing-base``). Every signature afterwards is an incremental update over the
latest signed PDF; the DOCX companion stays the pinned bytes, with one detached ``.p7s``
per signatory. This module finds those files and writes them out.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from sqlmodel import Session, select

from workflow.app import App
from workflow.documents.rendering import render_bytes, safe_name
from workflow.errors import WorkflowError
from workflow.lifecycle.gate import Decision
from workflow.lifecycle.steps import act, allow
from workflow.store import audit
from workflow.store.files import store_bytes, write_atomic
from workflow.store.models import AuditEvent, ResolutionRow, SignatureRecord

__all__ = ["SigningBase", "find_base", "pin_base", "records", "latest_pdf_sha", "read_stored",
           "export_signed_files", "latest_certificate_sha", "BASE_ACTION",
           "CERTIFICATE_ACTION", "store"]

BASE_ACTION = "signing-base"
CERTIFICATE_ACTION = "completion-certificate"


@dataclass(frozen=True)
class SigningBase:
    version: int
    pdf_sha256: str
    docx_sha256: str


def _events(session: Session, row: ResolutionRow, action: str) -> list[dict[str, object]]:
    found = []
    for ev in session.exec(select(AuditEvent).where(
            AuditEvent.resolution_id == row.id, AuditEvent.action == action,
            AuditEvent.outcome == "ok").order_by(AuditEvent.seq)):
        found.append(json.loads(ev.detail))
    return found


def find_base(session: Session, row: ResolutionRow) -> SigningBase | None:
    """The pinned documents of the current version, if pinned."""
    for detail in reversed(_events(session, row, BASE_ACTION)):
        if int(str(detail.get("version"))) == row.current_version:
            return SigningBase(row.current_version, str(detail["pdf"]), str(detail["docx"]))
    return None


#: the rules whose decision prepares the approved text for signing
PREPARES = ("sign", "signatures import", "signed-files")


def pin_base(app: App, session: Session, row: ResolutionRow, decision: Decision) -> SigningBase:
    """The pinned documents of the current version; rendered and recorded on first use,
    which only a decision to sign (or to hand out the files to sign) allows."""
    found = find_base(session, row)
    if found is not None:
        return found
    if decision.rule.name not in PREPARES or decision.resolution_id != row.id:
        raise TypeError(f"a decision to {decision.rule.command} does not prepare signing")
    decision.require()
    pdf = render_bytes(app, session, row, stage="final", fmt="pdf")
    docx = render_bytes(app, session, row, stage="final", fmt="docx")
    base = SigningBase(row.current_version, pdf.sha256, docx.sha256)
    audit.record(session, actor=app.actor(session), action=BASE_ACTION, resolution=row,
                 detail={"version": base.version, "pdf": base.pdf_sha256,
                         "docx": base.docx_sha256})
    return base


def records(session: Session, row: ResolutionRow) -> list[SignatureRecord]:
    """Signatures over the current version, in signing order."""
    return list(session.exec(select(SignatureRecord).where(
        SignatureRecord.resolution_id == row.id,
        SignatureRecord.version_number == row.current_version).order_by(SignatureRecord.id)))


def latest_pdf_sha(session: Session, row: ResolutionRow, base: SigningBase) -> str:
    done = records(session, row)
    return done[-1].signed_sha256 if done else base.pdf_sha256


def read_stored(app: App, digest: str) -> bytes:
    """Bytes from the content-addressed store, refused if they no longer match their name."""
    path = app.store_path(digest)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise WorkflowError(f"the stored file {digest[:12]}… is missing from "
                            f"{app.workspace.store_dir}; restore the store from a backup") from None
    if hashlib.sha256(data).hexdigest() != digest:
        raise WorkflowError(f"the stored file {path} was changed (its SHA-256 no longer "
                            "matches its name); restore it from a backup")
    return data


def latest_certificate_sha(session: Session, row: ResolutionRow) -> str | None:
    """The newest certificate of completion of the current version, if produced."""
    for detail in reversed(_events(session, row, CERTIFICATE_ACTION)):
        if int(str(detail.get("version"))) == row.current_version:
            return str(detail["sha256"])
    return None


def export_signed_files(app: App, ref: str, out_dir: Path) -> list[tuple[Path, str]]:
    """Write the latest PDF (signed, or the pinned approved one), the DOCX, its ``.p7s``
    files and the certificate of completion into ``out_dir``; returns (path, kind)."""

    with app.write() as session:
        row = app.resolution(session, ref)
        base = find_base(session, row)
        if base is None:
            decision = allow(app, session, "signed-files", row=row)
            act(session, decision, row)
            base = pin_base(app, session, row, decision)
        done = records(session, row)
        stem = f"{safe_name(row.symbol)}_v{row.current_version}"
        pdf_name = f"{stem}_signed.pdf" if done else f"{stem}_final.pdf"
        wanted: list[tuple[str, str, str]] = [
            (pdf_name, latest_pdf_sha(session, row, base), "pdf"),
            (f"{stem}_final.docx", base.docx_sha256, "docx")]
        for rec in done:
            if rec.docx_p7s_sha256:
                wanted.append((f"{stem}_final.docx.{safe_name(rec.member_id)}.p7s",
                               rec.docx_p7s_sha256, "p7s"))
        cert = latest_certificate_sha(session, row)
        if cert:
            wanted.append((f"{stem}_certificate.pdf", cert, "certificate"))
    out: list[tuple[Path, str]] = []
    for name, digest, kind in wanted:
        target = Path(out_dir) / name
        write_atomic(target, read_stored(app, digest))
        out.append((target, kind))
    return out


def store(app: App, data: bytes) -> str:
    digest, _ = store_bytes(app.workspace.store_dir, data)
    return digest
