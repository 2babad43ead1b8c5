"""Why a signature fails, as one reason code and one sentence each.

A signature is judged at its *proof time*: the earliest moment something trustworthy
shows it existed — its own RFC 3161 signature timestamp, else a document timestamp that
covers it, else the validation time itself (nothing proves it existed earlier). The
signer's certificate must be valid at that moment, not revoked before it, and chain to a
trusted root. The reason codes are the ``reason`` values of ``docs/VERIFY_JSON.md``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Literal, NotRequired, TypedDict

if TYPE_CHECKING:
    from cryptography import x509
    from pyhanko.sign.validation.status import (
        StandardCMSSignatureStatus,
        TimestampSignatureStatus,
    )

__all__ = ["REASONS", "Proof", "reasons_for", "level_of", "ProofJSON", "SignerJSON",
           "SignatureJSON", "PdfSignatureJSON", "FieldJSON", "PdfJSON", "DetachedJSON"]

#: every reason code, most telling first (the first that applies is the ``reason``)
REASONS = ("modified", "invalid", "revoked", "expired", "not-yet-valid", "untrusted",
           "timestamp-invalid", "wrong-signer", "unreadable")

ACCEPTED_MODIFICATIONS = ("NONE", "LTA_UPDATES", "FORM_FILLING")


# -- the reports as JSON (docs/VERIFY_JSON.md), typed: what to_json() returns -------------

class ProofJSON(TypedDict):
    """When a signature is proven to have existed, and by what."""

    time: str
    by: str


class SignerJSON(TypedDict):
    """The signer's certificate as docs/VERIFY_JSON.md shows it (``not_after``: PDF only)."""

    common_name: str
    subject: str
    member_id: str | None
    sha256: str
    not_after: NotRequired[str | None]


class SignatureJSON(TypedDict):
    """What every signature's entry of a report has, in a PDF or detached
    (docs/VERIFY_JSON.md)."""

    ok: bool
    reason: str | None
    reasons: list[str]
    proof: ProofJSON | None
    signer: SignerJSON
    signing_time: str | None
    timestamp_time: str | None
    intact: bool
    valid: bool
    trusted: bool
    problems: list[str]


class PdfSignatureJSON(SignatureJSON):
    """One signature of a PDF's report (docs/VERIFY_JSON.md, "One signature")."""

    index: int
    field_name: str
    certification: bool
    modification_level: str | None
    docmdp_level: str | None
    docmdp_ok: bool | None
    coverage: str | None
    bottom_line: bool
    byte_range: list[int]
    signed_revision_end: int
    summary: str


class FieldJSON(TypedDict):
    name: str
    signed: bool
    required: bool


class PdfJSON(TypedDict):
    """A PDF's report (docs/VERIFY_JSON.md, ``verify-pdf``)."""

    schema: Literal["brics-resolutions/verify-pdf/1"]
    ok: bool
    level: str
    at: str | None
    size: int
    document_timestamps: list[dict[str, object]]
    fields: list[FieldJSON]
    signature_count: int
    problems: list[str]
    signatures: list[PdfSignatureJSON]


class DetachedJSON(SignatureJSON):
    """A detached signature's report (docs/VERIFY_JSON.md, ``verify-p7s``); ``p7s``: the
    file it was read from, when the caller names it."""

    schema: str
    p7s: NotRequired[str]


@dataclass(frozen=True)
class Proof:
    """When the signature is known to have existed, and what proves it."""

    time: datetime
    kind: str  # "signature-timestamp", "document-timestamp", "archive-timestamp" or "none"

    def to_json(self) -> ProofJSON:
        return {"time": self.time.isoformat(), "by": self.kind}


def _day(value: datetime) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC")


def reasons_for(status: StandardCMSSignatureStatus, cert: x509.Certificate, name: str, proof: Proof,
                revoked_at: datetime | None) -> list[tuple[str, str]]:
    """(reason, sentence) pairs for one checked signature; empty when it holds.

    ``status`` is pyHanko's signature status at the proof time, ``cert`` the signer's
    certificate (cryptography), ``name`` the signer's name as shown to people.
    """
    found: list[tuple[str, str]] = []
    if not status.intact:
        found.append(("modified", "the signed bytes were changed after signing (the digest "
                      "does not match)."))
    elif not status.valid:
        found.append(("invalid", "the cryptographic signature does not verify."))
    level = getattr(status, "modification_level", None)
    if getattr(status, "docmdp_ok", None) is False:
        found.append(("modified", "the document was changed after this signature in a way "
                      f"its certification forbids (modification level "
                      f"{level.name if level else '?'})."))
    elif level is not None and level.name not in ACCEPTED_MODIFICATIONS:
        found.append(("modified", "the document was changed after this signature beyond "
                      f"signing and form filling (modification level {level.name})."))
    if getattr(status, "seed_value_ok", True) is False:
        found.append(("modified", "the signature breaks its field's seed value constraints."))
    found += _certificate_reasons(status, cert, name, proof, revoked_at)
    return found


def _certificate_reasons(status: StandardCMSSignatureStatus, cert: x509.Certificate, name: str, proof: Proof,
                         revoked_at: datetime | None) -> list[tuple[str, str]]:
    after, before = cert.not_valid_after_utc, cert.not_valid_before_utc
    no_proof = "; no timestamp proves the signature existed before"
    stamp = _timestamp_reason(status, cert)
    # revoked before the proof time, or revoked at all with nothing proving the signature
    # older than the revocation (docs/SIGNATURES.md: "one made after it, or without a
    # timestamp, is refused")
    if revoked_at is not None and (revoked_at <= proof.time or proof.kind == "none"):
        basis = ("" if proof.kind == "none" else
                 f" (the signature is proven only from {_day(proof.time)})")
        return [("revoked", f"the certificate of {name} was revoked on {_day(revoked_at)}"
                 f"{no_proof if proof.kind == 'none' else basis}."), *stamp]
    if status.revoked:
        return [("revoked", f"the certificate of {name} has been revoked.")]
    if proof.time > after:
        if proof.kind == "none":
            text = f"the certificate of {name} expired on {_day(after)}{no_proof}."
        else:
            text = (f"the certificate of {name} expired on {_day(after)}, before the "
                    f"{proof.kind.replace('-', ' ')} of {_day(proof.time)}.")
        return [("expired", text)]
    if proof.time < before:
        return [("not-yet-valid", f"the certificate of {name} is valid only from "
                 f"{_day(before)}, after the signature was made ({_day(proof.time)}).")]
    found = []
    if status.intact and status.valid and not status.trusted:
        indic = getattr(status.trust_problem_indic, "name", "unknown reason")
        found.append(("untrusted", f"the certificate of {name} does not lead to a trusted "
                      f"CA ({indic}); verify with the working group's CA certificate, or the "
                      "signer is not one of us."))
    return found + stamp


def _timestamp_reason(status: StandardCMSSignatureStatus, cert: x509.Certificate) -> list[tuple[str, str]]:
    ts = status.timestamp_validity
    if ts is None or (ts.intact and ts.valid and ts.trusted):
        return []
    return [("timestamp-invalid", "the signature timestamp" + _authority(ts, cert)
             + " does not verify or its authority is not trusted for timestamps (trust its "
             "root with 'resolutions keys trust FILE --for timestamps', or --trust-tsa "
             "FILE).")]


def _authority(ts: TimestampSignatureStatus, signer_cert: x509.Certificate) -> str:
    """" of TIME by TSA (issued by ISSUER)", and a warning when the working group's CA
    issued the timestamp authority's certificate."""
    try:
        tsa = ts.signing_cert
        subject, issuer = tsa.subject.human_friendly, tsa.issuer.human_friendly
        when = f" of {_day(ts.timestamp)}" if ts.timestamp else ""
    except Exception:  # a token without a readable certificate
        return ""
    text = f"{when} by {subject} (issued by {issuer})"
    try:
        from asn1crypto import x509 as asn1_x509

        if tsa.issuer == asn1_x509.Certificate.load(_der(signer_cert)).issuer:
            text += (", a timestamp authority issued by the CA that vouches for the signers — "
                     "never accepted: its holder could date signatures back,")
    except Exception:
        pass
    return text


def _der(cert: x509.Certificate) -> bytes:
    from cryptography.hazmat.primitives.serialization import Encoding

    return bytes(cert.public_bytes(Encoding.DER))


def level_of(timestamped: list[bool], has_dss: bool, archived: bool) -> str:
    """The file's PAdES baseline level: B-B, B-T, B-LT or B-LTA."""
    if not timestamped or not all(timestamped):
        return "B-B"
    if not has_dss:
        return "B-T"
    return "B-LTA" if archived else "B-LT"
