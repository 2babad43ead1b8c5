"""Long-term signatures: B-LTA made over a real HTTP timestamp authority verifies in 2040,
B-B does not and says why; revocation before and after the timestamp; the reasons are
distinct; pyHanko's own PAdES-LTA validation and OpenSSL agree."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from signatures import keys, verify_pdf
from signatures.crl import Revoked, make_crl, revoked_serials
from signatures.ltv import add_lta
from signatures.pades import sign_pdf
from signatures.signer import Signer
from signatures.tsa import LoopbackTsa, UrlTimeStamper

from .conftest import CA_PASSPHRASE, P12_PASSPHRASE, Pki, slots
from .tsa_server import loopback_tsa  # noqa: F401 - fixture

Y2040 = datetime(2040, 1, 1, tzinfo=timezone.utc)
OPENSSL = shutil.which("openssl") or "openssl"


@dataclass
class Files:
    bb: bytes
    bt: bytes
    lta: bytes
    roots: list[x509.Certificate]
    crl: bytes


def _check(pdf: bytes, roots: list[x509.Certificate], **kw: Any) -> Any:
    """Verify with the CA for signatures and the TSA root for timestamps (two of three
    fields are signed: the set is incomplete on purpose)."""
    return verify_pdf(pdf, roots[:1], timestamp_roots=roots[1:], complete=False, **kw)


def _sign(pdf: bytes, pki: Pki, member: str, index: int, stamper: object = None) -> bytes:
    field_name, page, box = slots(pdf)[index]
    return sign_pdf(pdf, pki.signers[member], field_name=field_name, page=page, box=box,
                    stamp_lines=[pki.names[member]], certify=index == 0,
                    timestamper=stamper, empty_fields=slots(pdf) if index == 0 else ())


@pytest.fixture(scope="module")
def files(resolution_pdf: bytes, pki: Pki, loopback_tsa: LoopbackTsa) -> Files:  # noqa: F811
    stamper = UrlTimeStamper(loopback_tsa.url)
    bb = bt = resolution_pdf
    for index, member in enumerate(("ivanov", "liwei")):
        bb = _sign(bb, pki, member, index)
        bt = _sign(bt, pki, member, index, stamper)
    crl = make_crl(pki.ca_dir, CA_PASSPHRASE, [], number=1)
    roots = [pki.ca_cert, x509.load_pem_x509_certificate(loopback_tsa.root_pem)]
    return Files(bb, bt, add_lta(bt, stamper, roots, crls=[crl]), roots, crl)


def test_b_lta_verifies_now_and_in_2040(files: Files) -> None:
    for at in (None, Y2040):
        report = _check(files.lta, files.roots, at=at)
        assert report.ok, report.to_json()
        assert report.level == "B-LTA"
        assert all(s.proof is not None and s.proof.kind == "signature-timestamp"
                   for s in report.signatures)
    data = _check(files.lta, files.roots, at=Y2040).to_json()
    assert data["at"] == "2040-01-01T00:00:00+00:00"
    assert [d["ok"] for d in data["document_timestamps"]] == [True]


def test_the_dss_holds_certificates_and_crls_of_signers_and_tsa(files: Files) -> None:
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation.dss import DocumentSecurityStore

    dss = DocumentSecurityStore.read_dss(PdfFileReader(BytesIO(files.lta)))
    subjects = {c.subject.human_friendly for c in dss.load_certs()}
    assert any("Иван Петрович Иванов" in s for s in subjects)
    assert any("李伟" in s for s in subjects)
    assert any("brics-resolutions test TSA" in s for s in subjects)
    assert len(dss.crls) >= 2  # the CA's and the timestamp authority's


def test_b_b_fails_in_2040_with_the_expiry_reason(files: Files, pki: Pki) -> None:
    assert _check(files.bb, files.roots).ok
    report = _check(files.bb, files.roots, at=Y2040)
    assert not report.ok and report.level == "B-B"
    first = report.signatures[0]
    assert first.reasons == ["expired"]
    expiry = pki.signers["ivanov"].cert.not_valid_after_utc.strftime("%Y-%m-%d")
    assert (f"the certificate of Иван Петрович Иванов expired on {expiry}"
            in first.problems[0])
    assert first.problems[0].endswith("no timestamp proves the signature existed before.")


def test_without_the_tsa_root_the_timestamp_is_its_own_reason(files: Files, pki: Pki) -> None:
    report = verify_pdf(files.bt, [pki.ca_cert])
    assert not report.ok
    assert all(s.reasons == ["timestamp-invalid"] for s in report.signatures)
    # and trusted for signatures only, the TSA root does not vouch for the timestamp
    tsa_root = files.roots[1]
    only_sigs = verify_pdf(files.bt, [pki.ca_cert, tsa_root], timestamp_roots=[pki.ca_cert])
    assert not only_sigs.ok


def test_not_yet_valid_is_a_reason_of_its_own(files: Files) -> None:
    report = _check(files.bb, files.roots, at=datetime(2001, 1, 1, tzinfo=timezone.utc))
    assert {r for s in report.signatures for r in s.reasons} == {"not-yet-valid"}
    assert "is valid only from" in report.signatures[0].problems[0]


def test_modified_and_untrusted_are_distinct(files: Files, outsider_pki: Pki) -> None:
    tampered = bytearray(files.lta)
    at = files.lta.index(b"stream", 2000) + 40
    tampered[at] ^= 1
    reasons = {r for s in _check(bytes(tampered), files.roots).signatures for r in s.reasons}
    assert "modified" in reasons
    stranger = verify_pdf(files.bb, [outsider_pki.ca_cert])
    assert {r for s in stranger.signatures for r in s.reasons} == {"untrusted"}


def test_pyhanko_own_lta_validation_agrees(files: Files) -> None:
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.ades.report import AdESPassed
    from pyhanko.sign.validation.ades import (
        ades_lta_validation,
        simulate_future_ades_lta_validation,
    )
    from pyhanko.sign.validation.policy_decl import (
        PdfSignatureValidationSpec,
        RevinfoOnlineFetchingRule,
        RevocationInfoGatheringSpec,
        SignatureValidationSpec,
    )
    from pyhanko_certvalidator.context import CertValidationPolicySpec
    from pyhanko_certvalidator.policy_decl import (
        CertRevTrustPolicy,
        RevocationCheckingPolicy,
        RevocationCheckingRule,
    )
    from pyhanko_certvalidator.registry import SimpleTrustManager

    from signatures.signer import to_asn1_cert

    policy = CertValidationPolicySpec(
        trust_manager=SimpleTrustManager.build([to_asn1_cert(c) for c in files.roots]),
        revinfo_policy=CertRevTrustPolicy(RevocationCheckingPolicy(
            RevocationCheckingRule.CRL_REQUIRED, RevocationCheckingRule.CRL_REQUIRED)))
    spec = PdfSignatureValidationSpec(SignatureValidationSpec(
        cert_validation_policy=policy,
        revinfo_gathering_policy=RevocationInfoGatheringSpec(
            online_fetching_rule=RevinfoOnlineFetchingRule.LOCAL_ONLY)))
    reader = PdfFileReader(BytesIO(files.lta))
    for emb in reader.embedded_regular_signatures:
        result = asyncio.run(ades_lta_validation(emb, spec))
        assert result.ades_subindic == AdESPassed.OK, result.ades_subindic
        assert result.oldest_evidence_record_timestamp is not None
        future = asyncio.run(simulate_future_ades_lta_validation(emb, spec, Y2040))
        assert future.ades_subindic == AdESPassed.OK, future.ades_subindic


def test_revoked_after_the_timestamp_stays_valid_revoked_before_is_refused(
        resolution_pdf: bytes, tmp_path: Path, loopback_tsa: LoopbackTsa) -> None:  # noqa: F811
    ca_dir = tmp_path / "ca"
    keys.create_ca(ca_dir, common_name="Revoking CA", organisation="RCWG",
                   passphrase=CA_PASSPHRASE)
    keys.issue_certificate(ca_dir, CA_PASSPHRASE, member_id="ivanov", name="Иванов",
                           organisation="RCWG", email=None, out_p12=tmp_path / "i.p12",
                           p12_passphrase=P12_PASSPHRASE, crl_location=str(ca_dir / "crl.der"))
    signer = Signer.from_p12(tmp_path / "i.p12", P12_PASSPHRASE)
    ca = keys.load_certificates((ca_dir / "ca.pem").read_bytes())[0]
    roots = [ca, x509.load_pem_x509_certificate(loopback_tsa.root_pem)]
    stamper = UrlTimeStamper(loopback_tsa.url)
    field_name, page, box = slots(resolution_pdf)[0]

    def sign() -> bytes:
        return sign_pdf(resolution_pdf, signer, field_name=field_name, page=page, box=box,
                        stamp_lines=["Иванов"], timestamper=stamper)

    before = sign()
    time.sleep(1.1)  # timestamps have one-second resolution
    revoked_at = datetime.now(timezone.utc).replace(microsecond=0)
    time.sleep(1.1)
    after = sign()
    crl = make_crl(ca_dir, CA_PASSPHRASE, [Revoked(signer.info.serial, revoked_at,
                                                   "key-compromise")], number=2)
    assert revoked_serials(crl) == {signer.info.serial: revoked_at}
    assert _check(before, roots, crls=[crl]).ok
    refused = _check(after, roots, crls=[crl])
    assert not refused.ok and refused.signatures[0].reasons == ["revoked"]
    assert "was revoked on" in refused.signatures[0].problems[0]
    # a signature without a timestamp cannot show it came before the revocation
    plain = sign_pdf(resolution_pdf, signer, field_name=field_name, page=page, box=box,
                     stamp_lines=["Иванов"])
    assert _check(plain, roots, crls=[crl]).signatures[0].reasons == ["revoked"]
    # a CRL signed by another key is ignored, not believed
    other = tmp_path / "other"
    keys.create_ca(other, common_name="Revoking CA", organisation="RCWG",
                   passphrase=CA_PASSPHRASE)
    forged = make_crl(other, CA_PASSPHRASE, [Revoked(signer.info.serial, revoked_at)], number=3)
    assert _check(before, roots, crls=[forged]).ok


def test_openssl_reads_and_checks_the_crl(pki: Pki, tmp_path: Path) -> None:
    serial = pki.signers["smith"].info.serial
    when = datetime.now(timezone.utc).replace(microsecond=0) - timedelta(hours=1)
    der = make_crl(pki.ca_dir, CA_PASSPHRASE, [Revoked(serial, when, "affiliation-changed")],
                   number=7)
    (tmp_path / "ca.crl").write_bytes(der)
    (tmp_path / "ca.pem").write_bytes(pki.ca_cert.public_bytes(Encoding.PEM))
    done = subprocess.run([OPENSSL, "crl", "-inform", "DER", "-in", str(tmp_path / "ca.crl"),
                           "-CAfile", str(tmp_path / "ca.pem"), "-noout", "-text"],
                          capture_output=True, text=True)
    assert done.returncode == 0 and "verify OK" in done.stdout + done.stderr, done.stderr
    assert f"Serial Number: {serial.upper().zfill(len(serial) + len(serial) % 2)}" in done.stdout
    assert "Affiliation Changed" in done.stdout
    assert "X509v3 CRL Number" in done.stdout


def test_issued_certificates_name_their_crl(pki: Pki, tmp_path: Path) -> None:
    keys.issue_certificate(pki.ca_dir, CA_PASSPHRASE, member_id="dp", name="DP", organisation="O",
                           email=None, out_p12=tmp_path / "dp.p12", p12_passphrase=b"pass-1234",
                           crl_location="http://crl.rcwg.example/ca.crl")
    cert = Signer.from_p12(tmp_path / "dp.p12", b"pass-1234").cert
    dp = cert.extensions.get_extension_for_class(x509.CRLDistributionPoints).value
    assert dp[0].full_name[0].value == "http://crl.rcwg.example/ca.crl"
