"""Detached CMS signatures (.p7s) over DOCX files and approval statements."""

from __future__ import annotations

import json

import pytest

from signatures import VerificationError, sign_detached, verify_detached
from signatures.signer import test_timestamper

from .conftest import Pki

STATEMENT = json.dumps(
    {"resolution": "RCWG/RES/2024/1", "version_sha256": "ab" * 32, "decision": "approve"},
    sort_keys=True,
    separators=(",", ":"),
    ensure_ascii=False,
).encode("utf-8")


def test_sign_and_verify(pki: Pki) -> None:
    p7s = sign_detached(STATEMENT, pki.signers["liwei"])
    assert STATEMENT not in p7s  # detached: the content is not embedded
    report = verify_detached(STATEMENT, p7s, [pki.ca_cert])
    assert report.ok and report.intact and report.valid and report.trusted
    assert report.signer_common_name == "李伟" and report.signer_member_id == "liwei"
    assert report.signer_sha256 == pki.signers["liwei"].info.sha256
    assert report.signing_time is not None and report.problems == []
    assert json.loads(json.dumps(report.to_json()))["signer"]["common_name"] == "李伟"


def test_changed_data_is_detected(pki: Pki) -> None:
    p7s = sign_detached(STATEMENT, pki.signers["ivanov"])
    report = verify_detached(STATEMENT.replace(b"approve", b"object!"), p7s, [pki.ca_cert])
    assert not report.ok and not report.intact
    assert report.problems == [
        "The data does not match the signature: it was changed, or this .p7s belongs "
        "to another file."
    ]


def test_unknown_ca_is_untrusted(pki: Pki, outsider_pki: Pki) -> None:
    p7s = sign_detached(STATEMENT, outsider_pki.signers["smith"])
    report = verify_detached(STATEMENT, p7s, [pki.ca_cert])
    assert report.intact and report.valid and not report.trusted and not report.ok
    assert "trusted CA" in report.problems[0]


def test_timestamped_detached_signature(pki: Pki, tsa) -> None:  # type: ignore[no-untyped-def]
    p7s = sign_detached(STATEMENT, pki.signers["smith"], timestamper=test_timestamper(tsa))
    report = verify_detached(STATEMENT, p7s, [pki.ca_cert], timestamp_roots=tsa.chain)
    assert report.ok and report.timestamp_time is not None
    # the signers' CA is never a timestamp root, even when given as one
    alone = verify_detached(STATEMENT, p7s, [pki.ca_cert], timestamp_roots=[pki.ca_cert])
    assert not alone.ok and alone.reasons == ["timestamp-invalid"]


def test_a_tsa_the_signing_ca_issued_is_refused_and_named(pki: Pki, ca_issued_tsa) -> None:  # type: ignore[no-untyped-def]
    p7s = sign_detached(STATEMENT, pki.signers["smith"],
                        timestamper=test_timestamper(ca_issued_tsa))
    report = verify_detached(STATEMENT, p7s, [pki.ca_cert], timestamp_roots=[pki.ca_cert])
    assert not report.ok and "timestamp-invalid" in report.reasons
    text = " ".join(report.problems)
    assert "RCWG test TSA" in text and "issued by the CA that vouches for the signers" in text


def test_garbage_is_refused(pki: Pki) -> None:
    with pytest.raises(VerificationError, match="Not a detached CMS signature"):
        verify_detached(STATEMENT, b"\x30\x03\x02\x01\x01", [pki.ca_cert])
