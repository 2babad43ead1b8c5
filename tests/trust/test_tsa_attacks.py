"""The holder of the working group's CA plays the timestamp authority: they issue a TSA
certificate under the CA and date a token back to before a revocation, to revive a
revoked member's signature. Made with pyHanko and cryptography only; refused and named
by ``verify`` outside the workspace, and the workspace will not trust the CA for
timestamps at all."""

from __future__ import annotations

import shutil
from datetime import datetime, timedelta, timezone
from io import BytesIO
from pathlib import Path

import pytest

from tests.trust.conftest import Demo, run_cli

pytestmark = pytest.mark.slow


def _ca_issued_tsa(demo: Demo) -> tuple[object, object]:
    """A TSA certificate under the group CA (timeStamping EKU), with its key."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    ca_dir = demo.ca.parent
    ca_cert = x509.load_pem_x509_certificate(demo.ca.read_bytes())
    ca_key = serialization.load_pem_private_key(
        (ca_dir / "ca.key.pem").read_bytes(),
        password=demo.secret("ca").read_bytes().rstrip(b"\n"))
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    start = datetime.now(timezone.utc) - timedelta(days=400)
    cert = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME,
                                                        "Backdating TSA")]))
            .issuer_name(ca_cert.subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(start).not_valid_after(start + timedelta(days=4000))
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]),
                           critical=True)
            .sign(ca_key, hashes.SHA256()))  # type: ignore[arg-type]
    return cert, key


def test_a_backdated_token_from_a_ca_issued_tsa_is_refused_and_named(
        demo: Demo, tmp_path: Path) -> None:
    from asn1crypto import keys as asn1_keys
    from asn1crypto import x509 as asn1_x509
    from cryptography.hazmat.primitives import serialization
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers
    from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper

    ws = tmp_path / "ws"
    shutil.copytree(demo.root, ws, symlinks=True)
    code, out = run_cli(["--workspace", str(ws), "keys", "revoke", "li-wei", "--reason",
                         "key-compromise", "--ca-passphrase-file", str(demo.secret("ca"))])
    assert code == 0, out
    crl = ws / "li-wei.crl"
    assert run_cli(["--workspace", str(ws), "keys", "crl", "-o", str(crl)])[0] == 0

    # the attacker: li-wei's (revoked) key signs a fresh PDF, timestamped a year back
    tsa_cert, tsa_key = _ca_issued_tsa(demo)
    der = lambda c: c.public_bytes(serialization.Encoding.DER)  # noqa: E731
    stamper = DummyTimeStamper(
        tsa_cert=asn1_x509.Certificate.load(der(tsa_cert)),
        tsa_key=asn1_keys.PrivateKeyInfo.load(tsa_key.private_bytes(  # type: ignore[attr-defined]
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption())),
        fixed_dt=datetime.now(timezone.utc) - timedelta(days=300))
    revoked = ws / ".resolutions" / "keys"
    p12 = next(revoked.glob("li-wei.revoked-*.p12"))
    from cryptography.hazmat.primitives.serialization import pkcs12
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    bundle = pkcs12.load_pkcs12(p12.read_bytes(), demo.secret("li-wei").read_bytes().rstrip(b"\n"))
    assert bundle.cert is not None and bundle.key is not None
    signer = signers.SimpleSigner(
        signing_cert=asn1_x509.Certificate.load(der(bundle.cert.certificate)),
        signing_key=asn1_keys.PrivateKeyInfo.load(bundle.key.private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption())),
        cert_registry=SimpleCertificateStore.from_certs([]))
    base = (demo.root / "out" / "RCWG-RES-2024-1_v2_final_ru-zh.pdf").read_bytes()
    out_pdf = signers.PdfSigner(
        signers.PdfSignatureMetadata(field_name="sig-li-wei",
                                     subfilter=fields.SigSeedSubFilter.PADES),
        signer, timestamper=stamper,
        new_field_spec=fields.SigFieldSpec("sig-li-wei", box=(10, 10, 100, 60)),
    ).sign_pdf(IncrementalPdfFileWriter(BytesIO(base)))
    forged = tmp_path / "forged.pdf"
    forged.write_bytes(out_pdf.getvalue())
    tsa_root = tmp_path / "tsa-root.pem"
    tsa_root.write_bytes(tsa_cert.public_bytes(serialization.Encoding.PEM))

    # told the truth about roots, verify names the timestamp's authority and its issuer
    code, out = run_cli(["verify", str(forged), "--trust", str(demo.ca), "--trust-tsa",
                         str(demo.tsa_root), "--crl", str(crl)], cwd=tmp_path)
    assert code == 1, out
    text = " ".join(out.split())
    assert "by Common Name: Backdating TSA (issued by" in text, out
    assert "was revoked on" in text, out
    # offered the CA-issued TSA certificate as a timestamp root: it chains to the CA
    code, out = run_cli(["verify", str(forged), "--trust", str(demo.ca), "--trust-tsa",
                         str(tsa_root), "--crl", str(crl)], cwd=tmp_path)
    assert code == 1 and "Backdating TSA" in out, out
    # and the CA itself as a timestamp root: refused as such
    code, out = run_cli(["verify", str(forged), "--trust", str(demo.ca), "--trust-tsa",
                         str(demo.ca)], cwd=tmp_path)
    assert code == 1 and "a CA that vouches for signers is never a timestamp authority" in out
    # the workspace refuses to trust its CA for timestamps
    code, out = run_cli(["--workspace", str(ws), "keys", "trust", str(demo.ca), "--for",
                         "timestamps"])
    assert code == 1 and "must never be a timestamp authority" in " ".join(out.split()), out
