"""Detached CMS signatures (``.p7s``) over arbitrary bytes.

Used where a PDF signature does not fit: the DOCX companion of a signed resolution and
signed approval statements (a canonical JSON over resolution, version hash and decision).
The signature is CAdES-BES (SHA-256, signing-certificate-v2 and signing-time attributes),
DER-encoded, and verifies with ``openssl cms -verify -binary -inform DER``. Verification
here is offline against the trust roots given, like :func:`signatures.verify.verify_pdf`.

Both functions run their own event loop, so call them from synchronous code.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from typing import TYPE_CHECKING

from cryptography import x509

from signatures.errors import VerificationError
from signatures.keys import cert_info
from signatures.signer import DIGEST_ALGORITHM, Signer
from signatures.verdict import DetachedJSON

if TYPE_CHECKING:
    from asn1crypto import cms as asn1_cms
    from pyhanko.sign.timestamps import TimeStamper
    from pyhanko.sign.validation.status import StandardCMSSignatureStatus
    from pyhanko_certvalidator import ValidationContext

    from signatures.verdict import Proof

__all__ = ["DetachedReport", "sign_detached", "verify_detached", "embedded_crls",
           "signed_at"]


@dataclass(frozen=True)
class DetachedReport:
    """The verdict on one detached signature; ``ok`` is pyHanko's ``bottom_line``."""

    signer_common_name: str
    signer_subject: str
    signer_member_id: str | None
    signer_sha256: str
    signing_time: datetime | None
    timestamp_time: datetime | None
    intact: bool
    valid: bool
    trusted: bool
    ok: bool
    problems: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    proof: Proof | None = None

    @property
    def reason(self) -> str | None:
        return self.reasons[0] if self.reasons else None

    def with_problem(self, reason: str, text: str) -> DetachedReport:
        """The same report failed for one more reason (e.g. the wrong signer)."""
        return replace(self, ok=False, reasons=[*self.reasons, reason],
                       problems=[*self.problems, text])

    def to_json(self) -> DetachedJSON:
        return {
            "schema": "brics-resolutions/verify-p7s/1",
            "ok": self.ok,
            "reason": self.reason,
            "reasons": list(self.reasons),
            "proof": self.proof.to_json() if self.proof else None,
            "signer": {
                "common_name": self.signer_common_name,
                "subject": self.signer_subject,
                "member_id": self.signer_member_id,
                "sha256": self.signer_sha256,
            },
            "signing_time": self.signing_time.isoformat() if self.signing_time else None,
            "timestamp_time": self.timestamp_time.isoformat() if self.timestamp_time else None,
            "intact": self.intact,
            "valid": self.valid,
            "trusted": self.trusted,
            "problems": list(self.problems),
        }


def sign_detached(data: bytes, signer: Signer, *, timestamper: TimeStamper | None = None,
                  crls: Sequence[bytes] = ()) -> bytes:
    """A DER CMS SignedData over ``data``, without the data itself (CAdES-BES, or -T).

    ``crls`` (DER or PEM) travel in the SignedData's ``crls`` field, outside what is
    signed: the revocation data of the signer's certificate at signing time, so that
    ``openssl cms -verify -crl_check`` needs nothing beside the file."""
    coro = signer.pyhanko_signer.async_sign_general_data(
        data,
        DIGEST_ALGORITHM,
        detached=True,
        use_cades=True,
        timestamper=timestamper if timestamper is not None else signer.timestamper,
    )
    try:
        content_info = asyncio.run(coro)
    except OSError as exc:  # the timestamp authority did not answer
        from signatures.errors import SigningError

        raise SigningError(f"The detached signature could not be timestamped: {exc}; check "
                           "[signatures] timestamp_url or try again later.") from exc
    if crls:
        from asn1crypto import cms

        from signatures.revocation import load_crls

        content_info["content"]["crls"] = cms.RevocationInfoChoices(
            [cms.RevocationInfoChoice(name="crl", value=c) for c in load_crls(list(crls))])
    # a plain dump: pyHanko's structure is DER already and asn1crypto re-encodes only what
    # was changed (the crls field); force=True re-encodes every nested value and took 18 s
    # per signature once the CA's CRL was attached, for the same bytes
    der: bytes = content_info.dump()
    return der


def signed_at(p7s: bytes) -> datetime | None:
    """When a detached signature was made: its signature timestamp's time, else the signing
    time it claims (None when it states neither)."""
    from asn1crypto import cms, tsp

    try:
        signer = cms.ContentInfo.load(p7s)["content"]["signer_infos"][0]
        for attr in signer["unsigned_attrs"] or ():
            if attr["type"].native == "signature_time_stamp_token":
                token = attr["values"][0]["content"]
                info = tsp.TSTInfo.load(token["encap_content_info"]["content"].contents)
                moment: datetime = info["gen_time"].native
                return moment
        for attr in signer["signed_attrs"] or ():
            if attr["type"].native == "signing_time":
                claimed: datetime = attr["values"][0].native
                return claimed
    except (ValueError, TypeError, KeyError, IndexError):
        return None
    return None


def embedded_crls(p7s: bytes) -> list[bytes]:
    """The CRLs (DER) a detached signature carries in its ``crls`` field."""
    from asn1crypto import cms

    try:
        signed = cms.ContentInfo.load(p7s)["content"]
        found = signed["crls"]
    except (ValueError, TypeError, KeyError):
        return []
    if found is None or not hasattr(found, "__iter__"):
        return []
    return [item.chosen.dump() for item in found if item.name == "crl"]


def _signed_data(p7s: bytes) -> asn1_cms.SignedData:
    from asn1crypto import cms

    try:
        info = cms.ContentInfo.load(p7s)
        if info["content_type"].native != "signed_data":
            raise ValueError(f"content type is {info['content_type'].native}")
        signed = info["content"]
        if signed["encap_content_info"]["content"].native is not None:
            raise ValueError("the signature carries its content; a detached one was expected")
        signed["signer_infos"][0]  # noqa: B018 - force parsing of the signer info
        return signed
    except (ValueError, TypeError, IndexError, KeyError) as exc:
        raise VerificationError(
            f"Not a detached CMS signature ({exc}). Give the .p7s file made for this document."
        ) from exc


def _validate(data: bytes, signed: asn1_cms.SignedData, context: ValidationContext,
              ts_context: ValidationContext) -> StandardCMSSignatureStatus:
    from pyhanko.sign.validation import async_validate_detached_cms

    return asyncio.run(async_validate_detached_cms(data, signed, context,
                                                   ts_validation_context=ts_context))


def verify_detached(data: bytes, p7s: bytes, trust_roots: list[x509.Certificate], *,
                    timestamp_roots: list[x509.Certificate] | None = None,
                    at: datetime | None = None, crls: Sequence[bytes] = (),
                    proven_at: datetime | None = None) -> DetachedReport:
    """Check the detached signature ``p7s`` over ``data`` offline against ``trust_roots``
    as of ``at`` (default: now), judged at its signature timestamp when it has one, else
    at ``proven_at`` (an outside proof that it existed then) when given."""
    from signatures.revocation import context_at, issuers_of, load_crls, revoked_at
    from signatures.verdict import Proof, reasons_for

    now = at or datetime.now(timezone.utc)
    exists_by = min(now, proven_at) if proven_at is not None else now
    from signatures.verify import timestamp_only

    ts_roots = timestamp_only(trust_roots, timestamp_roots)
    signed = _signed_data(p7s)
    revinfo = load_crls(list(crls) + embedded_crls(p7s))
    try:
        status = _validate(data, signed, context_at(trust_roots, revinfo, [], exists_by),
                           context_at(ts_roots, revinfo, [], exists_by))
        proof = Proof(exists_by, "none" if exists_by == now else "archive-timestamp")
        ts = status.timestamp_validity
        if ts is not None and ts.intact and ts.valid and ts.trusted \
                and ts.timestamp <= exists_by:
            proof = Proof(ts.timestamp, "signature-timestamp")
            status = _validate(data, signed, context_at(trust_roots, revinfo, [], ts.timestamp),
                               context_at(ts_roots, revinfo, [], exists_by))
    except Exception as exc:  # pyHanko raises assorted errors on malformed CMS
        raise VerificationError(f"The detached signature cannot be checked: {exc}") from exc
    cert = x509.load_der_x509_certificate(status.signing_cert.dump())
    info = cert_info(cert)
    found = reasons_for(status, cert, info.common_name or info.subject, proof,
                        revoked_at(cert, revinfo, issuers_of(trust_roots, [], status)))
    texts = [text for _, text in found]
    if not status.intact:
        texts[0] = ("the data does not match the signature: it was changed, or this .p7s "
                    "belongs to another file.")
    ts = status.timestamp_validity
    return DetachedReport(
        signer_common_name=info.common_name,
        signer_subject=info.subject,
        signer_member_id=info.member_id,
        signer_sha256=info.sha256,
        signing_time=status.signer_reported_dt,
        timestamp_time=ts.timestamp if ts is not None else None,
        intact=bool(status.intact),
        valid=bool(status.valid),
        trusted=bool(status.trusted),
        ok=not found,
        problems=[t[0].upper() + t[1:] for t in texts],
        reasons=[r for r, _ in found],
        proof=proof,
    )
