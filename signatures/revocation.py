"""Revocation and the time of validation: the pieces every check shares.

Path validation runs at a chosen moment (a signature's proof time) with pyHanko's own
revocation checking switched off: an archivist has no fresher CRL than the ones kept,
and stale revocation data is not a revocation. Revocation is judged here instead, from
CRLs that verify with the issuing CA's key: a certificate counts as revoked from the
revocation date its CRL gives.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, cast

from cryptography import x509

if TYPE_CHECKING:
    from asn1crypto import crl as asn1_crl
    from asn1crypto import x509 as asn1_x509
    from cryptography.hazmat.primitives.asymmetric.types import (
        CertificateIssuerPublicKeyTypes,
        CertificatePublicKeyTypes,
    )
    from pyhanko.sign.validation.status import StandardCMSSignatureStatus
    from pyhanko_certvalidator import ValidationContext

__all__ = ["context_at", "revoked_at", "issuers_of", "load_crls"]


def context_at(roots: Sequence[x509.Certificate], crls: list[asn1_crl.CertificateList],
               certs: list[asn1_x509.Certificate], moment: datetime) -> ValidationContext:
    """Path validation at ``moment``; revocation is judged by :func:`_revoked_at` instead
    (an archivist has no fresher CRL than the ones kept, and stale is not revoked)."""
    from pyhanko_certvalidator import ValidationContext
    from pyhanko_certvalidator.policy_decl import (
        CertRevTrustPolicy,
        RevocationCheckingPolicy,
        RevocationCheckingRule,
    )

    from signatures.signer import to_asn1_cert

    no_check = RevocationCheckingPolicy(RevocationCheckingRule.NO_CHECK,
                                        RevocationCheckingRule.NO_CHECK)
    return ValidationContext(trust_roots=[to_asn1_cert(c) for c in roots], other_certs=certs,
                             allow_fetching=False, moment=moment,
                             revinfo_policy=CertRevTrustPolicy(no_check))


def revoked_at(cert: x509.Certificate, crls: list[asn1_crl.CertificateList],
                issuers: Sequence[x509.Certificate]) -> datetime | None:
    """When a CRL signed by the certificate's issuer says it was revoked, if ever.

    A CRL counts only when its signature verifies with the public key of an issuer
    certificate given (trust roots, the signature's chain, the DSS)."""
    keys = [c.public_key() for c in issuers if c.subject == cert.issuer]
    found = None
    for item in crls:
        try:
            crl = x509.load_der_x509_crl(item.dump())
            if crl.issuer != cert.issuer or not any(_signed_by(crl, k) for k in keys):
                continue
            entry = crl.get_revoked_certificate_by_serial_number(cert.serial_number)
        except (ValueError, TypeError):
            continue
        if entry is not None:
            when = entry.revocation_date_utc
            found = when if found is None else min(found, when)
    return found


def _signed_by(crl: x509.CertificateRevocationList, key: CertificatePublicKeyTypes) -> bool:
    try:
        # a key of a kind that cannot issue (X25519 …) raises TypeError: not its issuer
        return bool(crl.is_signature_valid(cast("CertificateIssuerPublicKeyTypes", key)))
    except (TypeError, ValueError):
        return False


def issuers_of(roots: Sequence[x509.Certificate], certs: list[asn1_x509.Certificate],
               status: StandardCMSSignatureStatus) -> list[x509.Certificate]:
    """Certificates that may have issued the signer's: roots, DSS, the signature's own."""
    extra = list(certs)
    try:
        extra += list(status.validation_path or ())
    except TypeError:
        pass
    out = list(roots)
    for c in extra:
        try:
            out.append(x509.load_der_x509_certificate(c.dump()))
        except (ValueError, AttributeError):
            continue
    return out


def load_crls(blobs: Sequence[bytes]) -> list[asn1_crl.CertificateList]:
    """CRLs (DER or PEM) as the objects pyHanko reads."""
    from asn1crypto import crl, pem

    out = []
    for blob in blobs:
        if pem.detect(blob):
            out += [crl.CertificateList.load(der) for _, _, der in pem.unarmor(blob, True)]
        else:
            out.append(crl.CertificateList.load(blob))
    return out
