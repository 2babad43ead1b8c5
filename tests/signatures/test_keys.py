"""The CA, member certificates and PKCS#12 bundles: content, protection, refusals."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from signatures import (
    CertificateError,
    KeyFileError,
    PassphraseError,
    Signer,
    cert_info,
    create_ca,
    issue_certificate,
    load_ca,
    load_certificates,
    load_p12,
)
from signatures.keys import DOCUMENT_SIGNING

from .conftest import CA_PASSPHRASE, P12_PASSPHRASE, Pki


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_ca_key_is_encrypted_and_private(pki: Pki) -> None:
    key_file = pki.ca_dir / "ca.key.pem"
    pem = key_file.read_bytes()
    assert pem.startswith(b"-----BEGIN ENCRYPTED PRIVATE KEY-----")
    assert b"BEGIN PRIVATE KEY" not in pem and b"BEGIN RSA PRIVATE KEY" not in pem
    assert _mode(key_file) == 0o600
    ca = load_ca(pki.ca_dir, CA_PASSPHRASE)
    assert ca.cert == pki.ca_cert
    assert ca.key.public_key().public_numbers() == pki.ca_cert.public_key().public_numbers()


def test_ca_certificate_content(pki: Pki) -> None:
    cert = pki.ca_cert
    assert cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.key_cert_sign and usage.crl_sign
    assert cert_info(cert).common_name == "Рабочая группа РКРГ · 工作组 CA"
    assert cert.public_key().key_size == 3072


def test_ca_is_never_overwritten(pki: Pki) -> None:
    before = (pki.ca_dir / "ca.key.pem").read_bytes()
    with pytest.raises(KeyFileError, match="already exists"):
        create_ca(pki.ca_dir, common_name="X", organisation="X", passphrase=b"other")
    assert (pki.ca_dir / "ca.key.pem").read_bytes() == before


def test_wrong_ca_passphrase(pki: Pki) -> None:
    with pytest.raises(PassphraseError, match="ca.key.pem"):
        load_ca(pki.ca_dir, b"not the passphrase")


def test_member_certificate_content(pki: Pki) -> None:
    for member_id, name in (("ivanov", "Иван Петрович Иванов"), ("liwei", "李伟")):
        loaded = load_p12(pki.p12[member_id], P12_PASSPHRASE)
        cert = loaded.cert
        (cn,) = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
        assert cn.value == name
        assert cn._type.name == "UTF8String"  # not Latin-1 or BMPString
        info = loaded.info
        assert info.member_id == member_id and info.common_name == name
        assert info.email == f"{member_id}@rcwg.example"
        assert info.issuer == pki.ca_cert.subject.rfc4514_string()
        assert f"UID={member_id}" in info.subject
        assert loaded.chain == [pki.ca_cert]
        usage = cert.extensions.get_extension_for_class(x509.KeyUsage)
        assert usage.critical and usage.value.digital_signature
        assert usage.value.content_commitment  # nonRepudiation
        assert not usage.value.key_cert_sign
        eku = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
        assert set(eku) == {DOCUMENT_SIGNING, ExtendedKeyUsageOID.EMAIL_PROTECTION}
        assert not cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
        assert info.not_before < info.not_after <= pki.ca_cert.not_valid_after_utc
        assert info.sha256 == Signer.from_loaded(loaded).info.sha256


def test_p12_is_private_and_protected(pki: Pki) -> None:
    path = pki.p12["liwei"]
    assert _mode(path) == 0o600
    with pytest.raises(PassphraseError) as caught:
        load_p12(path, b"wrong")
    message = str(caught.value)
    assert str(path) in message and "Wrong passphrase" in message
    with pytest.raises(PassphraseError):
        Signer.from_p12(path, b"")


def test_p12_is_never_overwritten(pki: Pki) -> None:
    path = pki.p12["smith"]
    before = path.read_bytes()
    with pytest.raises(KeyFileError, match="already exists"):
        issue_certificate(pki.ca_dir, CA_PASSPHRASE, member_id="smith", name="X",
                          organisation="X", email=None, out_p12=path,
                          p12_passphrase=b"x")  # fmt: skip
    assert path.read_bytes() == before


def test_empty_passphrase_is_refused(tmp_path: Path) -> None:
    with pytest.raises(KeyFileError, match="without a passphrase"):
        create_ca(tmp_path, common_name="X", organisation="X", passphrase=b"")
    assert list(tmp_path.iterdir()) == []


def test_no_passphrase_in_any_written_file(pki: Pki) -> None:
    written = [p for p in pki.root.rglob("*") if p.is_file()]
    assert {p.suffix for p in written} >= {".pem", ".p12"}
    for path in written:
        data = path.read_bytes()
        for secret in (CA_PASSPHRASE, P12_PASSPHRASE):
            assert secret not in data, path
            assert secret.decode().encode("utf-16-le") not in data, path  # PKCS#12 BMP form


def test_load_certificates_pem_and_der(pki: Pki) -> None:
    pem = pki.ca_cert.public_bytes(Encoding.PEM)
    der = pki.ca_cert.public_bytes(Encoding.DER)
    assert load_certificates(pem + pem) == [pki.ca_cert, pki.ca_cert]
    assert load_certificates(der) == [pki.ca_cert]
    with pytest.raises(CertificateError, match="Not a certificate"):
        load_certificates(b"not a certificate")
