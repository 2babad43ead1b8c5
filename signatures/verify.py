"""Offline verification of the signatures in a PDF, as a plain report.

Every signature is checked by pyHanko against the trust roots given, without fetching
anything (no OCSP, CRL or AIA requests). The verdict per signature is pyHanko's
``bottom_line`` (integrity, cryptographic validity, trust, timestamp, DocMDP), tightened by
one rule of ours: after a signature, only signing and form filling may follow
(modification level at most FORM_FILLING); added annotations or rewritten pages make it
fail even where an approval signature alone would tolerate them. Problems are listed in
plain words. The JSON schema of :meth:`PdfReport.to_json` is in ``docs/VERIFY_JSON.md``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from io import BytesIO
from typing import Any

from cryptography import x509

from signatures.errors import VerificationError
from signatures.keys import cert_info
from signatures.signer import to_asn1_cert

__all__ = ["PdfReport", "SignatureReport", "signed_revision", "verify_pdf"]

ACCEPTED_MODIFICATIONS = ("NONE", "LTA_UPDATES", "FORM_FILLING")


@dataclass(frozen=True)
class SignatureReport:
    """The verdict on one signature of a PDF."""

    index: int
    field_name: str
    signer_common_name: str
    signer_subject: str
    signer_member_id: str | None
    signer_sha256: str
    signing_time: datetime | None
    timestamp_time: datetime | None
    certification: bool
    intact: bool
    valid: bool
    trusted: bool
    modification_level: str | None
    docmdp_level: str | None
    docmdp_ok: bool | None
    coverage: str | None
    bottom_line: bool
    ok: bool
    byte_range: tuple[int, ...]
    signed_revision_end: int
    summary: str
    problems: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "field_name": self.field_name,
            "signer": {
                "common_name": self.signer_common_name,
                "subject": self.signer_subject,
                "member_id": self.signer_member_id,
                "sha256": self.signer_sha256,
            },
            "signing_time": _iso(self.signing_time),
            "timestamp_time": _iso(self.timestamp_time),
            "certification": self.certification,
            "intact": self.intact,
            "valid": self.valid,
            "trusted": self.trusted,
            "modification_level": self.modification_level,
            "docmdp_level": self.docmdp_level,
            "docmdp_ok": self.docmdp_ok,
            "coverage": self.coverage,
            "bottom_line": self.bottom_line,
            "ok": self.ok,
            "byte_range": list(self.byte_range),
            "signed_revision_end": self.signed_revision_end,
            "summary": self.summary,
            "problems": list(self.problems),
        }


@dataclass(frozen=True)
class PdfReport:
    """All signatures of one PDF; ``ok`` when there is at least one and all pass."""

    signatures: list[SignatureReport]
    size: int
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return bool(self.signatures) and all(s.ok for s in self.signatures) and not self.problems

    def to_json(self) -> dict[str, Any]:
        return {
            "schema": "brics-resolutions/verify-pdf/1",
            "ok": self.ok,
            "size": self.size,
            "signature_count": len(self.signatures),
            "problems": list(self.problems),
            "signatures": [s.to_json() for s in self.signatures],
        }


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _reader(pdf: bytes) -> Any:
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.pdf_utils.reader import PdfFileReader

    try:
        return PdfFileReader(BytesIO(pdf), strict=False)
    except (PdfError, ValueError) as exc:
        raise VerificationError(f"The file is not a readable PDF ({exc}).") from exc


def signed_revision(pdf: bytes, index: int) -> bytes:
    """The bytes of the revision signature ``index`` signed (its byte range's end).

    Compare it with the approved PDF: the approved file must be a prefix of the first
    signature's signed revision, and nothing but signature updates may follow.
    """
    sigs = _reader(pdf).embedded_regular_signatures
    if not 0 <= index < len(sigs):
        raise VerificationError(
            f"The PDF has {len(sigs)} signature(s); there is no signature number {index}."
        )
    start, length, start2, length2 = (int(v) for v in sigs[index].byte_range)
    return pdf[: start2 + length2]


def signer_problems(status: Any) -> list[str]:
    """What is wrong with a signature's cryptography, signer and timestamp (shared by PDF
    and detached signatures); empty when all is well."""
    problems = []
    if not status.valid:
        problems.append("the cryptographic signature does not verify.")
    if status.revoked:
        problems.append("the signer's certificate has been revoked.")
    elif status.intact and status.valid and not status.trusted:
        indic = getattr(status.trust_problem_indic, "name", "unknown reason")
        problems.append(
            f"the signer's certificate does not lead to a trusted CA ({indic}); verify "
            "with the working group's CA certificate, or the signer is not one of us.")
    ts = status.timestamp_validity
    if ts is not None and not (ts.intact and ts.valid and ts.trusted):
        problems.append("the signature timestamp does not verify or is not trusted.")
    return problems


def _problems(status: Any, name: str) -> list[str]:
    problems: list[str] = []
    if not status.intact:
        problems.append(
            f"{name}: the signed bytes were changed after signing (the digest does not match)."
        )
    problems += [f"{name}: {text}" for text in signer_problems(status)]
    level = status.modification_level
    if status.docmdp_ok is False:
        problems.append(
            f"{name}: the document was changed after this signature in a way its "
            f"certification forbids (modification level {level.name if level else '?'})."
        )
    elif level is not None and level.name not in ACCEPTED_MODIFICATIONS:
        problems.append(
            f"{name}: the document was changed after this signature beyond signing and "
            f"form filling (modification level {level.name})."
        )
    if not status.seed_value_ok:
        problems.append(f"{name}: the signature breaks its field's seed value constraints.")
    return problems


def _report(index: int, emb: Any, status: Any) -> SignatureReport:
    from cryptography.x509 import load_der_x509_certificate

    name = str(emb.field_name)
    info = cert_info(load_der_x509_certificate(status.signing_cert.dump()))
    level = status.modification_level
    docmdp = emb.docmdp_level
    problems = _problems(status, f"Signature {index + 1} ({name})")
    ts = status.timestamp_validity
    byte_range = tuple(int(v) for v in emb.byte_range)
    return SignatureReport(
        index=index,
        field_name=name,
        signer_common_name=info.common_name,
        signer_subject=info.subject,
        signer_member_id=info.member_id,
        signer_sha256=info.sha256,
        signing_time=status.signer_reported_dt,
        timestamp_time=ts.timestamp if ts is not None else None,
        certification=docmdp is not None,
        intact=bool(status.intact),
        valid=bool(status.valid),
        trusted=bool(status.trusted),
        modification_level=level.name if level is not None else None,
        docmdp_level=docmdp.name if docmdp is not None else None,
        docmdp_ok=status.docmdp_ok,
        coverage=status.coverage.name if status.coverage is not None else None,
        bottom_line=bool(status.bottom_line),
        ok=bool(status.bottom_line) and not problems,
        byte_range=byte_range,
        signed_revision_end=byte_range[2] + byte_range[3],
        summary=status.summary(),
        problems=problems,
    )


def _unreadable(index: int, emb: Any, exc: Exception) -> SignatureReport:
    name = str(getattr(emb, "field_name", f"#{index + 1}"))
    byte_range = tuple(int(v) for v in getattr(emb, "byte_range", (0, 0, 0, 0)))
    return SignatureReport(
        index=index, field_name=name, signer_common_name="", signer_subject="",
        signer_member_id=None, signer_sha256="", signing_time=None, timestamp_time=None,
        certification=False, intact=False, valid=False, trusted=False,
        modification_level=None, docmdp_level=None, docmdp_ok=None, coverage=None,
        bottom_line=False, ok=False, byte_range=byte_range,
        signed_revision_end=byte_range[2] + byte_range[3] if len(byte_range) == 4 else 0,
        summary="UNREADABLE",
        problems=[f"Signature {index + 1} ({name}) cannot be checked: {exc}"],
    )  # fmt: skip


def verify_pdf(pdf: bytes, trust_roots: list[x509.Certificate]) -> PdfReport:
    """Check every signature of ``pdf`` offline against ``trust_roots``."""
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    roots = [to_asn1_cert(c) for c in trust_roots]
    reader = _reader(pdf)
    try:
        embedded = list(reader.embedded_regular_signatures)
    except Exception as exc:  # a damaged signature dictionary stops the listing itself
        raise VerificationError(f"The signatures of this PDF cannot be read ({exc}).") from exc
    reports: list[SignatureReport] = []
    for index, emb in enumerate(embedded):
        context = ValidationContext(trust_roots=roots, allow_fetching=False)
        try:
            status = validate_pdf_signature(emb, context)
        except Exception as exc:  # pyHanko raises assorted errors on malformed CMS
            reports.append(_unreadable(index, emb, exc))
            continue
        reports.append(_report(index, emb, status))
    problems = [] if embedded else ["The PDF carries no signature."]
    return PdfReport(signatures=reports, size=len(pdf), problems=problems)
