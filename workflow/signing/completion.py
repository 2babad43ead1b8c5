"""The certificate of completion: what was signed, by whom, and every event before it.

Produced in the same transaction as the last signature. It is the ``certificate`` stage
rendered as PDF/A-3b: the resolution's events with actor, time and hash (the signature
events carry each signer's certificate fingerprint and the PDF hashes before and after),
the signatories, and the approvals. The same facts travel inside the PDF as an embedded
``completion.json`` so a machine can read them without parsing the page. It is stored by
SHA-256 and recorded in a ``completion-certificate`` audit event; submission attaches it.
"""

from __future__ import annotations

import json
from typing import TypedDict

from sqlmodel import Session, col, select

from workflow.app import App
from workflow.documents.rendering import render_bytes
from workflow.signing.files import CERTIFICATE_ACTION, records
from workflow.store import audit
from workflow.store.models import AuditEvent, ResolutionRow

__all__ = ["CompletionFacts", "produce_certificate", "completion_facts"]


class CompletionFacts(TypedDict):
    """The content of ``completion.json`` (schema ``brics-resolutions/completion/1``)."""

    schema: str
    resolution: str
    version: int
    content_hash: str
    state: str
    signed_pdf_sha256: str | None
    signers: list[dict[str, str | None]]
    events: list[dict[str, object]]


def completion_facts(app: App, session: Session, row: ResolutionRow) -> CompletionFacts:
    """The machine-readable content of the certificate."""
    events = [{"seq": e.seq, "at": e.at.isoformat(), "actor": e.actor, "action": e.action,
               "outcome": e.outcome, "detail": json.loads(e.detail), "prev_hash": e.prev_hash,
               "hash": e.hash}
              for e in session.exec(select(AuditEvent).where(AuditEvent.resolution_id == row.id)
                                    .order_by(col(AuditEvent.seq)))]
    signers: list[dict[str, str | None]] = [{"member": r.member_id, "field": r.field_name,
                "cert_fingerprint": r.cert_fingerprint, "base_sha256": r.base_sha256,
                "signed_sha256": r.signed_sha256, "docx_p7s_sha256": r.docx_p7s_sha256,
                "source": r.source, "at": r.at.isoformat()} for r in records(session, row)]
    version = app.version(session, row)
    return {"schema": "brics-resolutions/completion/1", "resolution": row.symbol,
            "version": row.current_version, "content_hash": version.content_hash,
            "state": row.state, "signed_pdf_sha256": signers[-1]["signed_sha256"] if signers else None,
            "signers": signers, "events": events}


def produce_certificate(app: App, session: Session, row: ResolutionRow) -> str:
    """Render, store and record the certificate; returns its SHA-256."""

    facts = completion_facts(app, session, row)
    payload = json.dumps(facts, ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8")
    rendered = render_bytes(app, session, row, stage="certificate", fmt="pdf",
                            attachments=[("completion.json", payload, "application/json")])
    audit.record(session, actor=app.actor(session), action=CERTIFICATE_ACTION, resolution=row,
                 detail={"version": row.current_version, "sha256": rendered.sha256,
                         "signed_pdf_sha256": facts["signed_pdf_sha256"],
                         "signers": [s["member"] for s in facts["signers"]]})
    return rendered.sha256
