"""Revocation: the working group's CA publishes a certificate revocation list (RFC 5280).

The CRL is signed by the CA key and lists every revoked member certificate with the
moment it was revoked and why. It is valid for ``NEXT_UPDATE_DAYS``: the secretary
publishes a fresh one (``resolutions keys crl``) before then, and every revocation makes
a new one at once. Certificates issued by :func:`signatures.keys.issue_certificate` name
where the CRL is published (its distribution point), a URL or a ``file://`` address.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization

from signatures.errors import CertificateError
from signatures.keys import distribution_point, load_ca

__all__ = ["REASONS", "NEXT_UPDATE_DAYS", "Revoked", "make_crl", "load_crl", "crl_pem",
           "distribution_point", "revoked_serials"]

NEXT_UPDATE_DAYS = 30
#: The reasons a member's certificate may be revoked (RFC 5280 § 5.3.1 names).
REASONS = {
    "unspecified": x509.ReasonFlags.unspecified,
    "key-compromise": x509.ReasonFlags.key_compromise,
    "affiliation-changed": x509.ReasonFlags.affiliation_changed,
    "superseded": x509.ReasonFlags.superseded,
    "cessation-of-operation": x509.ReasonFlags.cessation_of_operation,
}


@dataclass(frozen=True)
class Revoked:
    """One revoked certificate: its serial (hex, as :class:`CertInfo` gives it), when, why."""

    serial: str
    when: datetime
    reason: str = "unspecified"


def make_crl(ca_directory: Path, ca_passphrase: bytes, revoked: list[Revoked], *,
             number: int, now: datetime | None = None) -> bytes:
    """The CA's CRL (DER) listing ``revoked``; ``number`` must grow with every CRL."""
    ca = load_ca(ca_directory, ca_passphrase)
    moment = now or datetime.now(timezone.utc)
    builder = (x509.CertificateRevocationListBuilder().issuer_name(ca.cert.subject)
               .last_update(moment).next_update(moment + timedelta(days=NEXT_UPDATE_DAYS))
               .add_extension(x509.CRLNumber(number), critical=False)
               .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
                   ca.key.public_key()), critical=False))
    for item in revoked:
        if item.reason not in REASONS:
            raise CertificateError(f"Unknown revocation reason {item.reason!r}; use one of "
                                   + ", ".join(REASONS) + ".")
        entry = (x509.RevokedCertificateBuilder().serial_number(int(item.serial, 16))
                 .revocation_date(item.when))
        if item.reason != "unspecified":
            entry = entry.add_extension(x509.CRLReason(REASONS[item.reason]), critical=False)
        builder = builder.add_revoked_certificate(entry.build())
    crl = builder.sign(ca.key, hashes.SHA256())
    return crl.public_bytes(serialization.Encoding.DER)


def load_crl(data: bytes) -> x509.CertificateRevocationList:
    try:
        if b"-----BEGIN X509 CRL-----" in data:
            return x509.load_pem_x509_crl(data)
        return x509.load_der_x509_crl(data)
    except ValueError as exc:
        raise CertificateError(f"Not a CRL ({exc}). Give the file written by "
                               "'resolutions keys crl'.") from exc


def crl_pem(der: bytes) -> bytes:
    return load_crl(der).public_bytes(serialization.Encoding.PEM)


def revoked_serials(data: bytes) -> dict[str, datetime]:
    """serial (hex) → revocation time, from a DER or PEM CRL."""
    return {format(r.serial_number, "x"): r.revocation_date_utc for r in load_crl(data)}
