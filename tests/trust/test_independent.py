"""Tools we did not write judge the demo's signed files, offline, trusting only the
working group's CA and the timestamp authority's root: pyHanko's AdES long-term validator
(`pyhanko sign adesverify`) today, in 2031 and in 2040; poppler's pdfsig today; OpenSSL
for the detached signatures with revocation checking on."""

from __future__ import annotations

import shutil
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest

from tests.trust.attacker import strip_crls
from tests.trust.conftest import Demo

pytestmark = pytest.mark.slow

#: today (taken when the test runs: after the demo made its certificates), 2031, 2040
DATES = [None, datetime(2031, 1, 1, tzinfo=timezone.utc), datetime(2040, 1, 1, tzinfo=timezone.utc)]


def _adesverify(demo: Demo, pdf: Path, at: datetime) -> tuple[int, list[str], str]:
    done = subprocess.run(
        [sys.executable, "-m", "pyhanko", "sign", "adesverify", "--executive-summary",
         "--validation-time", at.isoformat(), "--trust", str(demo.ca), "--trust",
         str(demo.tsa_root), "--trust-replace", str(pdf)],
        capture_output=True, text=True, check=False)
    lines = [line for line in done.stdout.splitlines() if line.startswith("sig-")]
    return done.returncode, lines, done.stdout + done.stderr


@pytest.mark.parametrize("at", DATES, ids=lambda d: d.strftime("%Y") if d else "today")
def test_the_independent_ades_validator_trusts_every_signature(demo: Demo,
                                                               at: datetime | None) -> None:
    when = at or datetime.now(timezone.utc).replace(microsecond=0)
    code, lines, out = _adesverify(demo, demo.signed_pdf, when)
    assert code == 0, out
    assert [line.split(":")[0] for line in lines] == ["sig-sokolov", "sig-kuznetsova",
                                                        "sig-li-wei"], out
    assert all(line.endswith(":VALID") for line in lines), out


def test_the_demo_prints_the_independent_verdict(demo: Demo) -> None:
    for year in ("2031-01-01", "2040-01-01"):
        assert (f"as on {year}: sig-sokolov VALID, sig-kuznetsova VALID, sig-li-wei VALID"
                in demo.output), demo.output


def test_the_dss_holds_the_crls_of_the_signers_and_of_the_timestamp_authority(
        demo: Demo) -> None:
    from asn1crypto import crl, x509
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation.dss import DocumentSecurityStore

    with demo.signed_pdf.open("rb") as fh:
        dss = DocumentSecurityStore.read_dss(PdfFileReader(fh, strict=False))
        issuers = {crl.CertificateList.load(ref.get_object().data)["tbs_cert_list"]["issuer"]
                   .human_friendly for ref in dss.crls}
        subjects = {c.subject.human_friendly for c in dss.load_certs()}
    ca = x509.Certificate.load(_der(demo.ca)).subject.human_friendly
    tsa_root = x509.Certificate.load(_der(demo.tsa_root)).subject.human_friendly
    assert ca in issuers and tsa_root in issuers  # the signers' CA and the TSA's root
    assert any("demo TSA" in s and "root" not in s for s in subjects)  # the TSA itself


def _der(pem: Path) -> bytes:
    from asn1crypto import pem as asn1_pem

    return asn1_pem.unarmor(pem.read_bytes())[2]


def test_pdfsig_agrees_today(demo: Demo, tmp_path: Path) -> None:
    nss = tmp_path / "nss"
    nss.mkdir()
    subprocess.run(["certutil", "-N", "-d", f"sql:{nss}", "--empty-password"], check=True)
    subprocess.run(["certutil", "-A", "-d", f"sql:{nss}", "-n", "wg-ca", "-t", "C,C,C", "-i",
                    str(demo.ca)], check=True)
    subprocess.run(["certutil", "-A", "-d", f"sql:{nss}", "-n", "tsa", "-t", "C,C,C", "-i",
                    str(demo.tsa_root)], check=True)
    out = subprocess.run(["pdfsig", "-nssdir", f"sql:{nss}", str(demo.signed_pdf)],
                         capture_output=True, text=True, check=True).stdout
    assert out.count("Signature Validation: Signature is Valid.") >= 3, out
    assert "Certificate Validation: Certificate is Trusted." in out, out
    assert "Invalid" not in out and "Digest Mismatch" not in out, out


def test_detached_signatures_verify_with_revocation_checking_on(demo: Demo,
                                                                 tmp_path: Path) -> None:
    from asn1crypto import cms, tsp

    docx = next((demo.root / "out" / "signed").glob("*_final.docx"))
    p7s_files = sorted(docx.parent.glob(docx.name + ".*.p7s"))
    assert len(p7s_files) == 3
    for p7s in p7s_files:
        signer = cms.ContentInfo.load(p7s.read_bytes())["content"]["signer_infos"][0]
        token = next(a for a in signer["unsigned_attrs"]
                     if a["type"].native == "signature_time_stamp_token")["values"][0]
        when = tsp.TSTInfo.load(token["content"]["encap_content_info"]["content"].contents)
        attime = str(int(when["gen_time"].native.timestamp()))
        args = ["openssl", "cms", "-verify", "-binary", "-inform", "DER", "-content",
                str(docx), "-CAfile", str(demo.ca), "-purpose", "any", "-crl_check",
                "-attime", attime, "-out", "/dev/null", "-in"]
        done = subprocess.run([*args, str(p7s)], capture_output=True, text=True, check=False)
        assert done.returncode == 0, done.stderr  # the CRL travels inside the .p7s
        bare = tmp_path / p7s.name
        bare.write_bytes(strip_crls(p7s.read_bytes()))
        done = subprocess.run([*args, str(bare)], capture_output=True, text=True, check=False)
        assert done.returncode != 0 and "unable to get certificate CRL" in done.stderr


def test_the_timestamp_files_are_timestamp_responses_openssl_reads(demo: Demo) -> None:
    bag = demo.dossier
    for data, tsr in (("seal.p7s", "seal-timestamp.tsr"),
                      ("manifest-sha512.txt", "archive-timestamp.tsr")):
        done = subprocess.run(["openssl", "ts", "-verify", "-data", str(bag / data), "-in",
                               str(bag / tsr), "-CAfile", str(demo.tsa_root)],
                              capture_output=True, text=True, check=False)
        assert done.returncode == 0 and "Verification: OK" in done.stdout, done.stderr
    anchor = next((bag / "data" / "audit" / "anchors").glob("*.tsr"))
    text = subprocess.run(["openssl", "ts", "-reply", "-in", str(anchor), "-text"],
                          capture_output=True, text=True, check=True).stdout
    assert "Status: Granted." in text


def test_every_pdf_in_the_bag_is_pdf_a_3b_the_packaged_cover_letter_too(demo: Demo) -> None:
    import io
    import zipfile

    from pypdf import PdfReader

    pdfs: dict[str, bytes] = {}
    for path in demo.dossier.rglob("*"):
        if path.suffix == ".pdf":
            pdfs[str(path)] = path.read_bytes()
        elif path.suffix == ".zip":
            with zipfile.ZipFile(path) as zf:
                pdfs.update({f"{path}!{n}": zf.read(n) for n in zf.namelist()
                             if n.endswith(".pdf")})
    assert any("cover-letter" in name for name in pdfs)
    for name, data in pdfs.items():
        reader = PdfReader(io.BytesIO(data))
        xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode("utf-8")
        assert "pdfaid:part" in xmp and ("pdfaid:part>3<" in xmp or 'pdfaid:part="3"' in xmp), name
        assert "pdfaid:conformance>B<" in xmp or 'pdfaid:conformance="B"' in xmp, name
        assert "/OutputIntents" in reader.trailer["/Root"], name
    assert shutil.which("openssl")
