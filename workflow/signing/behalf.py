"""Acting for someone else, with evidence: the secretary may record another member's
decision only with that member's word — their signature over the exact statement
(``resolutions statement REF --by X --for approve``), a statement signed in place with
their key, or the document that carries it (a letter, stored content-addressed). The
event then names both: who typed it and on whose behalf, and the evidence's hash."""

from __future__ import annotations

from dataclasses import dataclass
from hashlib import sha256
from pathlib import Path

from sqlmodel import Session

from workflow.app import App
from workflow.errors import InvalidInput, WorkflowError
from workflow.signing.keys import trust_roots
from workflow.signing.statements import statement_bytes
from workflow.store.files import store_bytes
from workflow.store.models import Member, MemberCertificate, ResolutionRow, Version

__all__ = ["Evidence", "EvidenceRequired", "evidence_for", "statement_text", "DECISIONS",
           "MAX_EVIDENCE_BYTES"]

#: what `--for` names, and the decision a statement records
DECISIONS = {"approve": "approved", "object": "objected"}
MAX_EVIDENCE_BYTES = 25 * 1024 * 1024


class EvidenceRequired(WorkflowError):
    """A decision recorded for another member without their word."""

    error_code = "permission-denied"


@dataclass(frozen=True)
class Evidence:
    kind: str            # signed-statement | key | document
    sha256: str
    name: str = ""
    statement: bytes | None = None  # the CMS signature, kept with the approval

    def detail(self) -> dict[str, str]:
        return {"evidence": self.kind, "evidence_sha256": self.sha256,
                **({"evidence_name": self.name} if self.name else {})}


def statement_text(row: ResolutionRow, version: Version, member: str, what: str) -> bytes:
    """The exact bytes a member signs to give their decision on this version."""
    return statement_bytes(row.symbol, version.number, version.content_hash, member,
                           DECISIONS[what])


def _verify_statement(app: App, session: Session, row: ResolutionRow, version: Version,
                      member: Member, what: str, p7s: bytes) -> str:
    from signatures.cms import verify_detached
    from signatures.errors import VerificationError

    try:
        report = verify_detached(statement_text(row, version, member.id, what), p7s,
                                 trust_roots(app))
    except VerificationError as exc:
        raise InvalidInput(f"the signed statement cannot be read: {exc}") from None
    if not report.ok:
        raise InvalidInput(f"the signed statement is not {member.id}'s {what} of {row.symbol} "
                           f"version {version.number}: " + "; ".join(report.problems)
                           + f" (sign exactly what 'resolutions statement {row.symbol} --by "
                           f"{member.id} --for {what}' prints)")
    cert = session.get(MemberCertificate, member.id)
    if cert is None or cert.fingerprint != report.signer_sha256:
        raise InvalidInput(f"the signed statement is signed by {report.signer_common_name!r}, "
                           f"not by {member.id}'s registered certificate")
    return str(report.signer_sha256)


def evidence_for(app: App, session: Session, row: ResolutionRow, member: Member, what: str, *,
                 typed_by: Member, signed_statement: bytes | None = None,
                 document: Path | None = None, own_statement: bytes | None = None
                 ) -> Evidence | None:
    """The evidence for recording ``member``'s ``what`` typed by ``typed_by`` (None when
    the member acts themselves); refused with what to bring when there is none."""
    version = app.version(session, row)
    if signed_statement is not None:
        _verify_statement(app, session, row, version, member, what, signed_statement)
        store_bytes(app.workspace.store_dir, signed_statement)
        return Evidence("signed-statement", sha256(signed_statement).hexdigest(),
                        statement=signed_statement)
    if own_statement is not None:  # signed in place with the member's own key
        return Evidence("key", sha256(own_statement).hexdigest(), statement=own_statement)
    if document is not None:
        data = _read_document(document)
        digest, _ = store_bytes(app.workspace.store_dir, data)
        return Evidence("document", digest, name=Path(document).name)
    if member.id == typed_by.id:
        return None
    raise EvidenceRequired(
        f"{typed_by.id} records {member.id}'s decision to {what} {row.symbol}: bring their "
        f"word — --signed-statement FILE.p7s (their signature over what 'resolutions "
        f"statement {row.symbol} --by {member.id} --for {what}' prints) or --evidence FILE "
        "(the letter that carries it)")


def _read_document(path: Path) -> bytes:
    path = Path(path)
    size = path.stat().st_size
    if size > MAX_EVIDENCE_BYTES:
        raise InvalidInput(f"{path}: {size:,} bytes; evidence is kept up to "
                           f"{MAX_EVIDENCE_BYTES:,} bytes — scan it smaller")
    if size == 0:
        raise InvalidInput(f"{path} is empty; the evidence is the letter or minutes that carry "
                           "the decision")
    return path.read_bytes()


