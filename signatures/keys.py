"""Keys and certificates of the working group: a small private CA and member certificates.

The secretary creates one CA per workspace (``ca.pem`` and ``ca.key.pem``, the key
encrypted at rest with a passphrase), then issues each signatory a PKCS#12 bundle holding
the member's key, certificate and the CA certificate.

Keys are RSA-3072. RSA is chosen over EC P-256 because every validator the group's
counterparts may use (Acrobat, poppler/NSS, OpenSSL, older national tools) accepts it, and
pyHanko's test timestamp authority signs with RSA only. Subject names are UTF8String, so
Cyrillic and Chinese names survive as typed; the member id is the ``UID`` attribute.
This module does not import pyHanko: reading and issuing certificates stays cheap.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID, ObjectIdentifier

from signatures.errors import CertificateError, KeyFileError, PassphraseError

__all__ = [
    "CA_CERT_FILE",
    "CA_KEY_FILE",
    "KEY_SIZE",
    "CertInfo",
    "LoadedKey",
    "cert_info",
    "create_ca",
    "issue_certificate",
    "load_ca",
    "load_certificates",
    "load_p12",
]

CA_CERT_FILE = "ca.pem"
CA_KEY_FILE = "ca.key.pem"
KEY_SIZE = 3072
#: id-kp-documentSigning (RFC 9336); emailProtection is added too for NSS and OpenSSL.
DOCUMENT_SIGNING = ObjectIdentifier("1.3.6.1.5.5.7.3.36")
_SKEW = timedelta(minutes=5)


@dataclass(frozen=True)
class CertInfo:
    """What a person needs to know about a certificate, in plain values."""

    subject: str
    common_name: str
    organisation: str | None
    member_id: str | None
    email: str | None
    serial: str
    sha256: str
    not_before: datetime
    not_after: datetime
    issuer: str

    def as_dict(self) -> dict[str, str | None]:
        """JSON-ready form: datetimes as ISO 8601 strings."""
        return {
            "subject": self.subject,
            "common_name": self.common_name,
            "organisation": self.organisation,
            "member_id": self.member_id,
            "email": self.email,
            "serial": self.serial,
            "sha256": self.sha256,
            "not_before": self.not_before.isoformat(),
            "not_after": self.not_after.isoformat(),
            "issuer": self.issuer,
        }


@dataclass(frozen=True)
class LoadedKey:
    """A private key with its certificate and the certificates above it."""

    cert: x509.Certificate
    key: rsa.RSAPrivateKey
    chain: list[x509.Certificate] = field(default_factory=list)

    @property
    def info(self) -> CertInfo:
        return cert_info(self.cert)


def _attr(name: x509.Name, oid: ObjectIdentifier) -> str | None:
    values = name.get_attributes_for_oid(oid)
    return str(values[0].value) if values else None


def cert_info(cert: x509.Certificate) -> CertInfo:
    """Summarise a certificate (subject, names, serial, SHA-256 fingerprint, validity)."""
    email = None
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName)
        emails = san.value.get_values_for_type(x509.RFC822Name)
        email = emails[0] if emails else None
    except x509.ExtensionNotFound:
        pass
    return CertInfo(
        subject=cert.subject.rfc4514_string(),
        common_name=_attr(cert.subject, NameOID.COMMON_NAME) or "",
        organisation=_attr(cert.subject, NameOID.ORGANIZATION_NAME),
        member_id=_attr(cert.subject, NameOID.USER_ID),
        email=email,
        serial=format(cert.serial_number, "x"),
        sha256=cert.fingerprint(hashes.SHA256()).hex(),
        not_before=cert.not_valid_before_utc,
        not_after=cert.not_valid_after_utc,
        issuer=cert.issuer.rfc4514_string(),
    )


def load_certificates(data: bytes) -> list[x509.Certificate]:
    """Read every certificate from PEM (one or more blocks) or from a single DER blob."""
    try:
        if b"-----BEGIN CERTIFICATE-----" in data:
            return x509.load_pem_x509_certificates(data)
        return [x509.load_der_x509_certificate(data)]
    except ValueError as exc:
        raise CertificateError(
            f"Not a certificate ({exc}). Give a PEM file with BEGIN CERTIFICATE blocks "
            "or a DER certificate."
        ) from exc


def _check_passphrase(passphrase: bytes, path: Path) -> None:
    if not passphrase:
        raise KeyFileError(
            path, "refusing to store a key without a passphrase", "Choose a passphrase."
        )


def _write_new(path: Path, data: bytes, mode: int) -> None:
    """Create ``path`` with ``mode``; never replace an existing file."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    except FileExistsError:
        raise KeyFileError(
            path, "already exists", "Move it away first if you really mean to replace it."
        ) from None
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    os.chmod(path, mode)  # the umask may have removed bits we asked for


def _new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=KEY_SIZE)


def _validity(now: datetime | None, valid_days: int) -> tuple[datetime, datetime]:
    start = now if now is not None else datetime.now(timezone.utc) - _SKEW
    if start.tzinfo is None:
        start = start.replace(tzinfo=timezone.utc)
    return start, start + timedelta(days=valid_days)


def _key_usage(*, ca: bool) -> x509.KeyUsage:
    """Every key signs; a CA signs certificates and CRLs, an end entity signs documents
    (nonRepudiation: validators require it for PDF signing)."""
    return x509.KeyUsage(
        digital_signature=True,
        content_commitment=not ca,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=ca,
        crl_sign=ca,
        encipher_only=False,
        decipher_only=False,
    )


def _encrypted_pem(key: rsa.RSAPrivateKey, passphrase: bytes) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(passphrase),
    )


def create_ca(
    directory: Path,
    *,
    common_name: str,
    organisation: str,
    passphrase: bytes,
    valid_days: int = 3650,
    now: datetime | None = None,
) -> CertInfo:
    """Create the working group's CA in ``directory``: ``ca.pem`` and ``ca.key.pem`` (0600).

    Refuses to touch an existing CA.
    """
    directory = Path(directory)
    cert_path, key_path = directory / CA_CERT_FILE, directory / CA_KEY_FILE
    _check_passphrase(passphrase, key_path)
    for path in (cert_path, key_path):
        if path.exists():
            raise KeyFileError(
                path,
                "a CA already exists here",
                "Keep using it, or move the directory away to start a new CA.",
            )
    directory.mkdir(parents=True, exist_ok=True)
    key = _new_key()
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
        ]
    )
    start, end = _validity(now, valid_days)
    ski = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(end)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(ca=True), critical=True)
        .add_extension(ski, critical=False)
        .sign(key, hashes.SHA256())
    )
    _write_new(key_path, _encrypted_pem(key, passphrase), 0o600)
    _write_new(cert_path, cert.public_bytes(serialization.Encoding.PEM), 0o644)
    return cert_info(cert)


def load_ca(directory: Path, passphrase: bytes) -> LoadedKey:
    """Open the CA in ``directory`` (certificate and decrypted key)."""
    directory = Path(directory)
    cert_path, key_path = directory / CA_CERT_FILE, directory / CA_KEY_FILE
    try:
        cert = load_certificates(cert_path.read_bytes())[0]
        key_pem = key_path.read_bytes()
    except FileNotFoundError as exc:
        raise KeyFileError(
            Path(exc.filename or directory),
            "not found",
            "Create the CA first (`resolutions keys init-ca`) or point to its directory.",
        ) from None
    try:
        key = serialization.load_pem_private_key(key_pem, password=passphrase)
    except (ValueError, TypeError) as exc:
        raise PassphraseError(key_path, "CA key file") from exc
    if not isinstance(key, rsa.RSAPrivateKey):
        raise KeyFileError(key_path, "is not an RSA key", "Recreate the CA with this tool.")
    return LoadedKey(cert=cert, key=key, chain=[])


def _end_entity(subject: x509.Name, key: rsa.RSAPrivateKey, ca: LoadedKey, start: datetime,
                end: datetime) -> x509.CertificateBuilder:
    """A signing certificate of ``ca`` for ``key``: not a CA; digitalSignature and
    nonRepudiation; documentSigning and emailProtection; both key identifiers."""
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(ca.cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(end)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(ca=False), critical=True)
        .add_extension(
            x509.ExtendedKeyUsage([DOCUMENT_SIGNING, ExtendedKeyUsageOID.EMAIL_PROTECTION]),
            critical=False,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca.key.public_key()), False
        )
    )


def issue_certificate(
    ca_directory: Path,
    ca_passphrase: bytes,
    *,
    member_id: str | None,
    name: str,
    organisation: str,
    email: str | None,
    out_p12: Path,
    p12_passphrase: bytes,
    valid_days: int = 1095,
    now: datetime | None = None,
    crl_location: str | None = None,
) -> CertInfo:
    """Issue a signing certificate for a member and write it as a PKCS#12 bundle (0600).

    Subject: CN=name, O=organisation, UID=member_id (no UID when ``member_id`` is None:
    the secretariat's seal, which is nobody's signature). Key usage digitalSignature and
    nonRepudiation; extended key usage documentSigning and emailProtection. With
    ``crl_location`` (a URL or a file path) the certificate names where the CA's CRL is
    published (CRL distribution point).
    """
    out_p12 = Path(out_p12)
    _check_passphrase(p12_passphrase, out_p12)
    if out_p12.exists():
        raise KeyFileError(
            out_p12, "already exists", "Choose another file name or move the old bundle away."
        )
    ca = load_ca(ca_directory, ca_passphrase)
    key = _new_key()
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, name),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
        ]
        + ([x509.NameAttribute(NameOID.USER_ID, member_id)] if member_id else [])
    )
    start, end = _validity(now, valid_days)
    builder = _end_entity(subject, key, ca, start, min(end, ca.cert.not_valid_after_utc))
    if email:
        builder = builder.add_extension(
            x509.SubjectAlternativeName([x509.RFC822Name(email)]), critical=False
        )
    if crl_location:
        builder = builder.add_extension(distribution_point(crl_location), critical=False)
    cert = builder.sign(ca.key, hashes.SHA256())
    bundle = pkcs12.serialize_key_and_certificates(
        name=(member_id or name).encode("utf-8"),
        key=key,
        cert=cert,
        cas=[ca.cert],
        encryption_algorithm=serialization.BestAvailableEncryption(p12_passphrase),
    )
    out_p12.parent.mkdir(parents=True, exist_ok=True)
    _write_new(out_p12, bundle, 0o600)
    return cert_info(cert)


def load_p12(path: Path, passphrase: bytes) -> LoadedKey:
    """Open a PKCS#12 bundle; a wrong passphrase raises :class:`PassphraseError`."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise KeyFileError(
            path, "not found", "Give the path of the .p12 file issued to you."
        ) from None
    try:
        bundle = pkcs12.load_pkcs12(data, passphrase)
    except ValueError as exc:
        raise PassphraseError(path, "PKCS#12 bundle") from exc
    if bundle.key is None or bundle.cert is None:
        raise KeyFileError(
            path, "holds no key with its certificate", "Ask the secretary to issue it again."
        )
    if not isinstance(bundle.key, rsa.RSAPrivateKey):
        raise KeyFileError(path, "holds a non-RSA key", "Ask the secretary to issue it again.")
    chain = [c.certificate for c in bundle.additional_certs]
    return LoadedKey(cert=bundle.cert.certificate, key=bundle.key, chain=chain)


def distribution_point(location: str) -> x509.CRLDistributionPoints:
    """The extension naming where the CRL is published: a URL, or a file path (as file://)."""
    uri = location if "://" in location else Path(location).resolve().as_uri()
    return x509.CRLDistributionPoints([x509.DistributionPoint(
        full_name=[x509.UniformResourceIdentifier(uri)], relative_name=None, reasons=None,
        crl_issuer=None)])
