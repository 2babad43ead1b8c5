"""Independent verifiers agree: poppler's pdfsig (NSS) and OpenSSL's cms.

These need poppler-utils, libnss3-tools (certutil) and openssl, which set-up installs.
They are never skipped: a missing tool fails the test with the package to install.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.serialization import Encoding

from signatures import sign_detached

from .conftest import MEMBERS, Pki


def _tool(name: str, package: str) -> str:
    path = shutil.which(name)
    assert path, f"{name} is missing: install the Debian package {package}"
    return path


@pytest.fixture(scope="module")
def nss_db(pki: Pki, tmp_path_factory: pytest.TempPathFactory) -> str:
    """An NSS database trusting the test CA, as pdfsig reads it."""
    certutil = _tool("certutil", "libnss3-tools")
    directory = tmp_path_factory.mktemp("nss")
    ca_pem = directory / "ca.pem"
    ca_pem.write_bytes(pki.ca_cert.public_bytes(Encoding.PEM))
    db = f"sql:{directory}"
    subprocess.run([certutil, "-N", "-d", db, "--empty-password"], check=True)
    subprocess.run(
        [certutil, "-A", "-d", db, "-n", "rcwg-test-ca", "-t", "C,C,C", "-i", str(ca_pem)],
        check=True,
    )
    return db


def _pdfsig(pdf: bytes, nss_db: str, tmp_path: Path) -> str:
    path = tmp_path / "signed.pdf"
    path.write_bytes(pdf)
    done = subprocess.run(
        [_tool("pdfsig", "poppler-utils"), "-nssdir", nss_db, str(path)],
        capture_output=True,
    )
    return done.stdout.decode("utf-8", "replace")


def _blocks(output: str) -> dict[str, str]:
    """pdfsig output split per signature, keyed by field name."""
    blocks = re.split(r"^Signature #\d+:$", output, flags=re.M)[1:]
    named = {}
    for block in blocks:
        match = re.search(r"Signature Field Name: (.+)", block)
        assert match, block
        named[match.group(1).strip()] = block
    return named


def test_pdfsig_reports_valid_and_trusted(signed_pdf: bytes, nss_db: str, tmp_path: Path) -> None:
    blocks = _blocks(_pdfsig(signed_pdf, nss_db, tmp_path))
    assert set(blocks) == {f"Signature-{m}" for m, _, _ in MEMBERS}
    for member_id, name, _ in MEMBERS:
        block = blocks[f"Signature-{member_id}"]
        assert f"Signer Certificate Common Name: {name}" in block
        assert "Signature Validation: Signature is Valid." in block
        assert "Certificate Validation: Certificate is Trusted." in block
        assert "Signature Type: ETSI.CAdES.detached" in block
    assert "Total document signed" in blocks["Signature-smith"]


def test_pdfsig_rejects_a_flipped_byte(signed_pdf: bytes, nss_db: str, tmp_path: Path) -> None:
    tampered = bytearray(signed_pdf)
    tampered[signed_pdf.index(b"stream", 2000) + 40] ^= 0x01
    blocks = _blocks(_pdfsig(bytes(tampered), nss_db, tmp_path))
    assert blocks and all("Signature is Valid." not in b for b in blocks.values())


def _openssl_verify(
    tmp_path: Path, pki: Pki, data: bytes, p7s: bytes
) -> subprocess.CompletedProcess[bytes]:
    (tmp_path / "data.bin").write_bytes(data)
    (tmp_path / "data.p7s").write_bytes(p7s)
    (tmp_path / "ca.pem").write_bytes(pki.ca_cert.public_bytes(Encoding.PEM))
    return subprocess.run(
        [_tool("openssl", "openssl"), "cms", "-verify", "-binary", "-inform", "DER",
         "-in", str(tmp_path / "data.p7s"), "-content", str(tmp_path / "data.bin"),
         "-CAfile", str(tmp_path / "ca.pem"), "-purpose", "any", "-out", "/dev/null"],
        capture_output=True,
    )  # fmt: skip


def test_openssl_accepts_our_p7s(pki: Pki, tmp_path: Path) -> None:
    data = "Резолюция RCWG/RES/2024/1 · 决议\n".encode() * 100
    p7s = sign_detached(data, pki.signers["ivanov"])
    done = _openssl_verify(tmp_path, pki, data, p7s)
    assert done.returncode == 0, done.stderr
    assert b"Verification successful" in done.stderr
    tampered = _openssl_verify(tmp_path, pki, data + b"!", p7s)
    assert tampered.returncode != 0
    assert b"Verification successful" not in tampered.stderr
