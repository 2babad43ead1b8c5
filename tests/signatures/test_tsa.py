"""The loopback RFC 3161 authority answers over real HTTP, and OpenSSL agrees with it."""

from __future__ import annotations

import shutil
import subprocess
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from cryptography import x509

from signatures import verify_pdf
from signatures.pades import sign_pdf
from signatures.tsa import LoopbackTsa, UrlTimeStamper

from .conftest import Pki, slots
from .tsa_server import loopback_tsa  # noqa: F401 - fixture

OPENSSL = shutil.which("openssl") or "openssl"


def _post(url: str, body: bytes, ctype: str = "application/timestamp-query") -> tuple[int, str, bytes]:
    req = urllib.request.Request(url, data=body, method="POST", headers={"Content-Type": ctype})
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, resp.headers["Content-Type"], resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers["Content-Type"], exc.read()


def test_openssl_query_gets_a_token_openssl_verifies(loopback_tsa: LoopbackTsa, tmp_path: Path) -> None:  # noqa: F811
    data = tmp_path / "resolution.txt"
    data.write_text("О переходе от «рынка» к «производству» · 关于微电子", "utf-8")
    query = tmp_path / "q.tsq"
    subprocess.run([OPENSSL, "ts", "-query", "-data", str(data), "-sha256", "-cert",
                    "-out", str(query)], check=True, capture_output=True)
    status, ctype, reply = _post(loopback_tsa.url, query.read_bytes())
    assert (status, ctype) == (200, "application/timestamp-reply")
    (tmp_path / "r.tsr").write_bytes(reply)
    (tmp_path / "root.pem").write_bytes(loopback_tsa.root_pem)
    done = subprocess.run([OPENSSL, "ts", "-verify", "-in", str(tmp_path / "r.tsr"),
                           "-queryfile", str(query), "-CAfile", str(tmp_path / "root.pem")],
                          capture_output=True, text=True)
    assert done.returncode == 0 and "Verification: OK" in done.stdout, done.stderr
    text = subprocess.run([OPENSSL, "ts", "-reply", "-in", str(tmp_path / "r.tsr"), "-text"],
                          capture_output=True, text=True, check=True).stdout
    assert "Status: Granted." in text and "brics-resolutions test TSA" in text
    # the same reply does not verify for other data
    data.write_text("changed", "utf-8")
    other = subprocess.run([OPENSSL, "ts", "-verify", "-in", str(tmp_path / "r.tsr"), "-data",
                            str(data), "-CAfile", str(tmp_path / "root.pem")],
                           capture_output=True, text=True)
    assert other.returncode != 0


def test_root_and_crl_are_served_and_openssl_reads_the_crl(loopback_tsa: LoopbackTsa, tmp_path: Path) -> None:  # noqa: F811
    with urllib.request.urlopen(loopback_tsa.url + "root.pem", timeout=10) as resp:
        assert resp.read() == loopback_tsa.root_pem
    with urllib.request.urlopen(loopback_tsa.url + "crl", timeout=10) as resp:
        (tmp_path / "tsa.crl").write_bytes(resp.read())
    (tmp_path / "root.pem").write_bytes(loopback_tsa.root_pem)
    done = subprocess.run([OPENSSL, "crl", "-inform", "DER", "-in", str(tmp_path / "tsa.crl"),
                           "-CAfile", str(tmp_path / "root.pem"), "-noout", "-text"],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "verify OK" in done.stderr + done.stdout
    assert "No Revoked Certificates" in done.stdout
    dp = loopback_tsa.authority.cert.extensions.get_extension_for_class(
        x509.CRLDistributionPoints).value
    assert dp[0].full_name[0].value == loopback_tsa.url + "crl"


def test_bad_requests_are_refused_not_crashed(loopback_tsa: LoopbackTsa) -> None:  # noqa: F811
    status, _, _ = _post(loopback_tsa.url, b"\x30\x03\x02\x01\x01", ctype="text/plain")
    assert status == 415
    status, ctype, reply = _post(loopback_tsa.url, b"not DER at all")
    assert (status, ctype) == (200, "application/timestamp-reply")
    from asn1crypto import core, tsp

    status_info = tsp.PKIStatusInfo.load(core.Sequence.load(reply).contents)
    assert status_info["status"].native == "rejection"
    assert "bad_request" in status_info["fail_info"].native


def test_pdf_signature_timestamped_over_http(resolution_pdf: bytes, pki: Pki,
                                             loopback_tsa: LoopbackTsa) -> None:  # noqa: F811
    field_name, page, box = slots(resolution_pdf)[0]
    signed = sign_pdf(resolution_pdf, pki.signers["ivanov"], field_name=field_name, page=page,
                      box=box, stamp_lines=["Иванов"], timestamper=UrlTimeStamper(loopback_tsa.url))
    tsa_root = x509.load_pem_x509_certificate(loopback_tsa.root_pem)
    report = verify_pdf(signed, [pki.ca_cert], timestamp_roots=[tsa_root])
    assert report.ok, report.to_json()
    assert report.signatures[0].timestamp_time is not None
    # without the TSA's root the timestamp is not trusted
    assert not verify_pdf(signed, [pki.ca_cert]).ok


def test_unreachable_tsa_is_one_sentence(resolution_pdf: bytes, pki: Pki) -> None:
    from signatures import SigningError

    gone = LoopbackTsa(label="test")
    url = gone.url
    gone.stop()
    field_name, page, box = slots(resolution_pdf)[0]
    with pytest.raises(SigningError, match="cannot be reached"):
        sign_pdf(resolution_pdf, pki.signers["ivanov"], field_name=field_name, page=page,
                 box=box, stamp_lines=["x"], timestamper=UrlTimeStamper(url, timeout=2))
