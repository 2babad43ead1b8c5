"""Offline verification of the signatures in a PDF, as a plain report, at a chosen time.

Every signature is checked by pyHanko against the trust roots given, without fetching
anything (no OCSP, CRL or AIA requests); revocation data comes from the CRLs given and
from the file's own ``/DSS``. The validation time is now, or ``at`` (an archivist's
date). Document timestamps are checked newest first: each one valid at the time the
next one proves proves that everything before it existed at its own time. A signature is
then judged at its proof time (see :mod:`signatures.verdict`): a signature timestamp
holds while the document timestamps keep it provable, so a B-LTA file still verifies
after every certificate in it has expired, and a B-B file does not.

After a signature only signing, form filling and validation data may follow
(modification level at most FORM_FILLING). The JSON schema of :meth:`PdfReport.to_json`
is in ``docs/VERIFY_JSON.md``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from io import BytesIO
from typing import TYPE_CHECKING

from cryptography import x509

from signatures.errors import VerificationError
from signatures.keys import cert_info
from signatures.revocation import context_at, issuers_of, load_crls, revoked_at
from signatures.verdict import PdfJSON, PdfSignatureJSON, Proof, level_of, reasons_for

if TYPE_CHECKING:
    from asn1crypto import crl as asn1_crl
    from asn1crypto import x509 as asn1_x509
    from cryptography.hazmat.primitives import hashes
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature
    from pyhanko.sign.validation.status import PdfSignatureStatus

__all__ = ["PdfReport", "SignatureReport", "signed_revision", "verify_pdf"]




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
    reasons: list[str] = field(default_factory=list)
    proof: Proof | None = None
    signer_not_after: datetime | None = None

    @property
    def reason(self) -> str | None:
        return self.reasons[0] if self.reasons else None

    def with_problem(self, reason: str, text: str) -> SignatureReport:
        """The same report failed for one more reason (e.g. the wrong signer)."""
        from dataclasses import replace

        return replace(self, ok=False, reasons=[*self.reasons, reason],
                       problems=[*self.problems, text])

    def to_json(self) -> PdfSignatureJSON:
        return {
            "index": self.index,
            "reason": self.reason,
            "reasons": list(self.reasons),
            "proof": self.proof.to_json() if self.proof else None,
            "field_name": self.field_name,
            "signer": {
                "common_name": self.signer_common_name,
                "subject": self.signer_subject,
                "member_id": self.signer_member_id,
                "sha256": self.signer_sha256,
                "not_after": _iso(self.signer_not_after),
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
    level: str = "B-B"
    at: datetime | None = None
    document_timestamps: list[dict[str, object]] = field(default_factory=list)
    #: every signature field of the file: (name, signed, required)
    fields: list[tuple[str, bool, bool]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return bool(self.signatures) and all(s.ok for s in self.signatures) and not self.problems

    def to_json(self) -> PdfJSON:
        return {
            "schema": "brics-resolutions/verify-pdf/1",
            "ok": self.ok,
            "level": self.level,
            "at": _iso(self.at),
            "size": self.size,
            "document_timestamps": list(self.document_timestamps),
            "fields": [{"name": n, "signed": s, "required": r} for n, s, r in self.fields],
            "signature_count": len(self.signatures),
            "problems": list(self.problems),
            "signatures": [s.to_json() for s in self.signatures],
        }


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _reader(pdf: bytes) -> PdfFileReader:
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


def _cert_of(status: PdfSignatureStatus) -> x509.Certificate:
    return x509.load_der_x509_certificate(status.signing_cert.dump())


def _dss(reader: PdfFileReader) -> tuple[list[asn1_crl.CertificateList],
                                          list[asn1_x509.Certificate]]:
    """(CRLs, certificates) of the document security store, if any."""
    from pyhanko.sign.validation.dss import DocumentSecurityStore
    from pyhanko.sign.validation.errors import NoDSSFoundError

    try:
        dss = DocumentSecurityStore.read_dss(reader)
    except NoDSSFoundError:
        return [], []
    except Exception:  # a damaged DSS gives no validation data; signatures still checked
        return [], []
    try:
        from asn1crypto import crl as asn1_crl
        from pyhanko.pdf_utils.decode_limits import DecodePurpose

        crls = [asn1_crl.CertificateList.load(ref.get_object().read_data(DecodePurpose.CRL))
                for ref in dss.crls]
        return crls, list(dss.load_certs())
    except Exception:  # a damaged DSS gives no validation data; signatures still checked
        return [], []


def _end(emb: EmbeddedPdfSignature) -> int:
    start, length, start2, length2 = (int(v) for v in emb.byte_range)
    return start2 + length2


def _document_timestamps(reader: PdfFileReader, roots: Sequence[x509.Certificate],
                         crls: list[asn1_crl.CertificateList],
                         certs: list[asn1_x509.Certificate], now: datetime
                         ) -> tuple[list[tuple[int, datetime]], list[dict[str, object]]]:
    """Valid document timestamps as (revision end, time), newest first, and their report."""
    from pyhanko.sign.validation import validate_pdf_timestamp

    proven: list[tuple[int, datetime]] = []
    report: list[dict[str, object]] = []
    horizon = now
    for emb in reversed(list(reader.embedded_timestamp_signatures)):
        try:
            status = validate_pdf_timestamp(emb, context_at(roots, crls, certs, horizon),
                                             skip_diff=True)
            ok = bool(status.intact and status.valid and status.trusted)
            when = status.timestamp
        except Exception:  # a malformed timestamp proves nothing
            ok, when = False, None
        report.insert(0, {"time": _iso(when), "ok": ok, "checked_at": horizon.isoformat(),
                          "revision_end": _end(emb)})
        if ok and when is not None:
            proven.append((_end(emb), when))
            horizon = min(horizon, when)
    return proven, report


def _check(emb: EmbeddedPdfSignature, index: int, roots: Sequence[x509.Certificate],
           ts_roots: Sequence[x509.Certificate], crls: list[asn1_crl.CertificateList],
           certs: list[asn1_x509.Certificate],
           exists_by: datetime, kind: str) -> SignatureReport:
    from pyhanko.sign.validation import validate_pdf_signature

    ts_context = context_at(ts_roots, crls, certs, exists_by)
    status = validate_pdf_signature(emb, context_at(roots, crls, certs, exists_by), ts_context)
    proof = Proof(exists_by, kind)
    ts = status.timestamp_validity
    if ts is not None and ts.intact and ts.valid and ts.trusted and ts.timestamp <= exists_by:
        proof = Proof(ts.timestamp, "signature-timestamp")
        status = validate_pdf_signature(emb, context_at(roots, crls, certs, ts.timestamp),
                                        context_at(ts_roots, crls, certs, exists_by))
    return _report(index, emb, status, proof, crls, issuers_of(roots, certs, status))


def _report(index: int, emb: EmbeddedPdfSignature, status: PdfSignatureStatus, proof: Proof,
            crls: list[asn1_crl.CertificateList],
            issuers: list[x509.Certificate]) -> SignatureReport:
    name = str(emb.field_name)
    cert = _cert_of(status)
    info = cert_info(cert)
    level = status.modification_level
    docmdp = emb.docmdp_level
    found = reasons_for(status, cert, info.common_name or info.subject, proof,
                        revoked_at(cert, crls, issuers))
    problems = [f"Signature {index + 1} ({name}): {text}" for _, text in found]
    ts = status.timestamp_validity
    byte_range = tuple(int(v) for v in emb.byte_range)
    return SignatureReport(
        index=index, field_name=name, signer_common_name=info.common_name,
        signer_subject=info.subject, signer_member_id=info.member_id,
        signer_sha256=info.sha256, signing_time=status.signer_reported_dt,
        timestamp_time=ts.timestamp if ts is not None else None,
        certification=docmdp is not None, intact=bool(status.intact),
        valid=bool(status.valid), trusted=bool(status.trusted),
        modification_level=level.name if level is not None else None,
        docmdp_level=docmdp.name if docmdp is not None else None,
        docmdp_ok=status.docmdp_ok,
        coverage=status.coverage.name if status.coverage is not None else None,
        bottom_line=bool(status.bottom_line), ok=not found,
        byte_range=byte_range, signed_revision_end=byte_range[2] + byte_range[3],
        summary=status.summary(), problems=problems, reasons=[r for r, _ in found],
        proof=proof, signer_not_after=info.not_after,
    )


def _unreadable(index: int, emb: EmbeddedPdfSignature, exc: Exception) -> SignatureReport:
    name = str(getattr(emb, "field_name", f"#{index + 1}"))
    byte_range = tuple(int(v) for v in getattr(emb, "byte_range", (0, 0, 0, 0)))
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return SignatureReport(
        index=index, field_name=name, signer_common_name="", signer_subject="",
        signer_member_id=None, signer_sha256="", signing_time=None, timestamp_time=None,
        certification=False, intact=False, valid=False, trusted=False,
        modification_level=None, docmdp_level=None, docmdp_ok=None, coverage=None,
        bottom_line=False, ok=False, byte_range=byte_range,
        signed_revision_end=byte_range[2] + byte_range[3] if len(byte_range) == 4 else 0,
        summary="UNREADABLE", reasons=["unreadable"],
        problems=[f"Signature {index + 1} ({name}) cannot be checked: {first[:200]}"],
    )  # fmt: skip


def timestamp_only(trust_roots: Sequence[x509.Certificate],
                   timestamp_roots: Sequence[x509.Certificate] | None) -> list[x509.Certificate]:
    """The timestamp roots that are not also trusted for signatures: a CA that vouches for
    signers never vouches for times (its holder could issue a TSA and date tokens back)."""
    signing = {c.fingerprint(_SHA256()) for c in trust_roots}
    return [c for c in (timestamp_roots or ()) if c.fingerprint(_SHA256()) not in signing
            and not any(issued_by(c, r) for r in trust_roots)]


def issued_by(cert: x509.Certificate, issuer: x509.Certificate) -> bool:
    """Whether ``issuer`` signed ``cert`` (a certificate the CA issued is the CA's word)."""
    if cert.issuer != issuer.subject or cert.fingerprint(_SHA256()) == issuer.fingerprint(
            _SHA256()):
        return False
    try:
        cert.verify_directly_issued_by(issuer)
        return True
    except Exception:  # InvalidSignature, ValueError, TypeError: not its issuer
        return False


def _SHA256() -> hashes.SHA256:  # noqa: N802 - a hash class
    from cryptography.hazmat.primitives import hashes

    return hashes.SHA256()


def verify_pdf(pdf: bytes, trust_roots: Sequence[x509.Certificate], *,
               timestamp_roots: Sequence[x509.Certificate] | None = None,
               at: datetime | None = None, crls: Sequence[bytes] = (),
               proven_at: datetime | None = None, complete: bool = True) -> PdfReport:
    """Check every signature of ``pdf`` offline against ``trust_roots`` as of ``at``
    (default: now); timestamps against ``timestamp_roots`` only (none trusted for
    signatures). ``proven_at``: an outside proof (a dossier's archive timestamp) that the
    whole file existed then. ``complete``: every signature field must be signed (the
    certifying signature fixed them all), and nothing but validation data may follow the
    last signature; False while signatures are still being added."""
    now = at or datetime.now(timezone.utc)
    if now.tzinfo is None:
        now = now.replace(tzinfo=timezone.utc)
    ts_roots = timestamp_only(trust_roots, timestamp_roots)
    reader = _reader(pdf)
    try:
        embedded = list(reader.embedded_regular_signatures)
    except Exception as exc:  # a damaged signature dictionary stops the listing itself
        raise VerificationError(f"The signatures of this PDF cannot be read ({exc}).") from exc
    dss_crls, dss_certs = _dss(reader)
    all_crls = load_crls(list(crls)) + dss_crls
    try:
        proven, doc_report = _document_timestamps(reader, ts_roots, all_crls, dss_certs, now)
    except Exception:  # the listing of timestamps itself failed: nothing proven by them
        proven, doc_report = [], []
    reports: list[SignatureReport] = []
    for index, emb in enumerate(embedded):
        covering = [(t, "document-timestamp") for end, t in proven if end >= _end(emb)]
        covering += [(proven_at, "archive-timestamp")] if proven_at is not None else []
        exists_by, kind = min([(now, "none"), *covering], key=lambda c: c[0])
        try:
            reports.append(_check(emb, index, trust_roots, ts_roots, all_crls, dss_certs,
                                  exists_by, kind))
        except Exception as exc:  # pyHanko raises assorted errors on malformed CMS
            reports.append(_unreadable(index, emb, exc))
    last_end = max((r.signed_revision_end for r in reports), default=0)
    archived = any(end > last_end for end, _ in proven)
    level = level_of([r.timestamp_time is not None for r in reports], bool(dss_crls or dss_certs),
                     archived)
    problems = [] if embedded else ["The PDF carries no signature."]
    fields = _fields(reader)
    if complete and embedded:
        problems += _incomplete(fields) + _after_last(reader, embedded[-1], reports[-1])
    return PdfReport(signatures=reports, size=len(pdf), problems=problems, level=level, at=at,
                     document_timestamps=doc_report, fields=fields)


def _fields(reader: PdfFileReader) -> list[tuple[str, bool, bool]]:
    from signatures.tail import fields_of

    try:
        return fields_of(reader)
    except Exception:  # a damaged form is reported through its signatures
        return []


def _incomplete(fields: list[tuple[str, bool, bool]]) -> list[str]:
    """An empty required signature field: a required signatory's signature is missing (the
    certifying signature created every signatory's field and marked the required ones)."""
    out = []
    for name, signed, required in fields:
        if required and not signed:
            who = name[4:] if name.startswith("sig-") else name
            out.append(f"{who}'s signature (field {name}) is missing: the certifying signature "
                       "made it a required field, and it is empty.")
    return out


def _after_last(reader: PdfFileReader, last: EmbeddedPdfSignature, report: SignatureReport) -> list[str]:
    from signatures.tail import tail_problems

    try:
        problems = tail_problems(reader, last)
    except Exception as exc:  # a revision history that cannot be read is itself suspect
        return [f"What follows the last signature ({last.field_name}) cannot be read ({exc})."]
    if report.modification_level not in (None, "NONE", "LTA_UPDATES"):
        problems.append(f"After the last signature ({last.field_name}) the file was changed "
                        f"(modification level {report.modification_level}); only validation "
                        "data and document timestamps may follow it.")
    return problems
