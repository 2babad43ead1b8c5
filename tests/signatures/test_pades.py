"""Visible PAdES signatures: three signatories in turn, tampering, trust, timestamps."""

from __future__ import annotations

import json
import subprocess
from io import BytesIO

import pytest
from pypdf import PdfReader, PdfWriter
from pypdf.generic import DecodedStreamObject, NameObject

from signatures import SigningError, signed_revision, verify_pdf
from signatures.pades import add_empty_field, sign_pdf, signature_fields
from signatures.places import find_destination, list_destinations
from signatures.signer import test_timestamper

from .conftest import MEMBERS, Pki, sign_all, slots


def _pdftotext(pdf: bytes) -> str:
    return subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode("utf-8")


def test_slots_are_found_on_the_last_page(resolution_pdf: bytes) -> None:
    dests = list_destinations(resolution_pdf)
    last_page = len(PdfReader(BytesIO(resolution_pdf)).pages) - 1
    found = [find_destination(resolution_pdf, f"sig-{m}") for m, _, _ in MEMBERS]
    assert all(d is not None and d[0] == last_page for d in found)
    ys = [d[2] for d in found if d is not None]
    assert ys == sorted(ys, reverse=True)  # slots run down the page in document order
    assert find_destination(resolution_pdf, "sig-nobody") is None
    assert set(dests) >= {"sig-ivanov", "sig-liwei", "sig-smith"}


def test_three_signatures_all_valid(signed_pdf: bytes, pki: Pki) -> None:
    report = verify_pdf(signed_pdf, [pki.ca_cert])
    assert report.ok, report.to_json()
    assert [s.field_name for s in report.signatures] == [f for f, _, _ in slots(signed_pdf)]
    assert [s.signer_common_name for s in report.signatures] == [n for _, n, _ in MEMBERS]
    assert [s.signer_member_id for s in report.signatures] == [m for m, _, _ in MEMBERS]
    first, *later = report.signatures
    assert first.certification and first.docmdp_level == "FILL_FORMS"
    assert not any(s.certification for s in later)
    assert all(s.intact and s.valid and s.trusted and s.bottom_line for s in report.signatures)
    assert [s.modification_level for s in report.signatures] == [
        "FORM_FILLING",
        "FORM_FILLING",
        "NONE",
    ]
    assert report.signatures[-1].coverage == "ENTIRE_FILE"
    assert report.signatures[0].signer_sha256 == pki.signers["ivanov"].info.sha256
    assert all(s.signing_time is not None and not s.problems for s in report.signatures)


def test_signed_revisions_extend_the_approved_pdf(
    resolution_pdf: bytes, signed_pdf: bytes, pki: Pki
) -> None:
    report = verify_pdf(signed_pdf, [pki.ca_cert])
    ends = [s.signed_revision_end for s in report.signatures]
    assert ends == sorted(ends) and ends[-1] == len(signed_pdf)
    for index, end in enumerate(ends):
        revision = signed_revision(signed_pdf, index)
        assert len(revision) == end
        assert revision.startswith(resolution_pdf)
        assert signed_pdf.startswith(revision)


def test_stamp_shows_the_names_in_an_embedded_cjk_font(signed_pdf: bytes) -> None:
    text = _pdftotext(signed_pdf)
    for _, name, _ in MEMBERS:
        assert name in text
    assert "已签署" in text and "Подписано" in text
    fonts = subprocess.run(
        ["pdffonts", "-"], input=signed_pdf, capture_output=True, check=False
    ).stdout.decode()
    if not fonts:  # older pdffonts read no stdin
        fonts = _pdffonts_file(signed_pdf)
    stamp_fonts = [line for line in fonts.splitlines() if "NotoSansCJKsc-Regular" in line]
    assert len(stamp_fonts) == len(MEMBERS)
    for line in stamp_fonts:
        columns = line.split()
        assert "CID" in columns and columns[-5:-2] == ["yes", "yes", "yes"]  # emb sub uni


def _pdffonts_file(pdf: bytes) -> str:
    import tempfile

    with tempfile.NamedTemporaryFile(suffix=".pdf") as fh:
        fh.write(pdf)
        fh.flush()
        return subprocess.run(
            ["pdffonts", fh.name], capture_output=True, check=True
        ).stdout.decode()


def test_flipped_byte_in_signed_range_is_detected(signed_pdf: bytes, pki: Pki) -> None:
    at = signed_pdf.index(b"stream", 2000) + 40  # inside a content stream of the original
    tampered = bytearray(signed_pdf)
    tampered[at] ^= 0x01
    report = verify_pdf(bytes(tampered), [pki.ca_cert])
    assert not report.ok
    assert not any(s.intact for s in report.signatures)
    assert all("changed after signing" in " ".join(s.problems) for s in report.signatures)


def _rewrite_page(pdf: bytes) -> bytes:
    """An incremental update that appends a content stream to page 0."""
    writer = PdfWriter(BytesIO(pdf), incremental=True)
    page = writer.pages[0]
    stream = DecodedStreamObject()
    stream.set_data(b"q 1 0 0 rg 100 100 200 200 re f Q")
    page[NameObject("/Contents")] = writer._add_object(stream)
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


def test_page_rewritten_after_signing_is_detected(signed_pdf: bytes, pki: Pki) -> None:
    altered = _rewrite_page(signed_pdf)
    assert altered.startswith(signed_pdf)  # a genuine incremental update
    report = verify_pdf(altered, [pki.ca_cert])
    assert not report.ok
    assert all(s.intact for s in report.signatures)  # intact is not the verdict
    assert all(s.modification_level == "OTHER" for s in report.signatures)
    assert report.signatures[0].docmdp_ok is False
    assert "modification level OTHER" in " ".join(report.signatures[0].problems)


def test_page_rewrite_fails_even_without_certification(resolution_pdf: bytes, pki: Pki) -> None:
    field_name, page, box = slots(resolution_pdf)[1]
    signed = sign_pdf(
        resolution_pdf, pki.signers["liwei"], field_name=field_name, page=page, box=box,
        stamp_lines=["李伟"],
    )  # fmt: skip
    assert verify_pdf(signed, [pki.ca_cert]).ok
    report = verify_pdf(_rewrite_page(signed), [pki.ca_cert])
    assert not report.ok
    assert report.signatures[0].modification_level == "OTHER"


def test_unknown_ca_is_untrusted(resolution_pdf: bytes, pki: Pki, outsider_pki: Pki) -> None:
    field_name, page, box = slots(resolution_pdf)[0]
    signed = sign_pdf(
        resolution_pdf, outsider_pki.signers["ivanov"], field_name=field_name, page=page,
        box=box, stamp_lines=["Иван Петрович Иванов"],
    )  # fmt: skip
    report = verify_pdf(signed, [pki.ca_cert])
    (sig,) = report.signatures
    assert not report.ok and sig.intact and sig.valid and not sig.trusted
    assert "trusted CA" in " ".join(sig.problems)
    assert verify_pdf(signed, [outsider_pki.ca_cert]).ok


def test_unsigned_pdf_is_not_ok(resolution_pdf: bytes, pki: Pki) -> None:
    report = verify_pdf(resolution_pdf, [pki.ca_cert])
    assert not report.ok and report.signatures == []
    assert report.to_json()["problems"] == ["The PDF carries no signature."]


def test_refusals(signed_pdf: bytes, resolution_pdf: bytes, pki: Pki) -> None:
    field_name, page, box = slots(signed_pdf)[0]
    with pytest.raises(SigningError, match="already signed"):
        sign_pdf(signed_pdf, pki.signers["smith"], field_name=field_name, page=page, box=box,
                 stamp_lines=["x"])  # fmt: skip
    with pytest.raises(SigningError, match="Only the first signature can certify"):
        sign_pdf(signed_pdf, pki.signers["smith"], field_name="Other", page=page, box=box,
                 stamp_lines=["x"], certify=True)  # fmt: skip
    with pytest.raises(SigningError, match="is empty"):
        sign_pdf(resolution_pdf, pki.signers["smith"], field_name="Bad", page=0,
                 box=(100, 100, 50, 150), stamp_lines=["x"])  # fmt: skip


def test_prepared_empty_field_is_signed_in_place(resolution_pdf: bytes, pki: Pki) -> None:
    field_name, page, box = slots(resolution_pdf)[2]
    prepared = add_empty_field(resolution_pdf, field_name=field_name, page=page, box=box)
    assert signature_fields(prepared) == {field_name: False}
    signed = sign_pdf(prepared, pki.signers["smith"], field_name=field_name, page=page,
                      box=box, stamp_lines=["John Smith"])  # fmt: skip
    assert signature_fields(signed) == {field_name: True}
    assert verify_pdf(signed, [pki.ca_cert]).ok


def test_timestamped_signatures_are_pades_b_t(resolution_pdf: bytes, pki: Pki, tsa) -> None:  # type: ignore[no-untyped-def]
    signed = sign_all(resolution_pdf, pki, timestamper=test_timestamper(tsa))
    report = verify_pdf(signed, [pki.ca_cert], timestamp_roots=tsa.chain)
    assert report.ok, report.to_json()
    assert all(s.timestamp_time is not None for s in report.signatures)


def test_report_json_round_trips(signed_pdf: bytes, pki: Pki) -> None:
    data = json.loads(json.dumps(verify_pdf(signed_pdf, [pki.ca_cert]).to_json()))
    assert data["schema"] == "brics-resolutions/verify-pdf/1"
    assert data["ok"] is True and data["signature_count"] == 3
    first = data["signatures"][0]
    assert first["signer"]["common_name"] == "Иван Петрович Иванов"
    assert first["certification"] is True and first["problems"] == []
    assert set(first) >= {"field_name", "intact", "valid", "trusted", "modification_level",
                          "docmdp_level", "coverage", "bottom_line", "byte_range",
                          "signed_revision_end", "signing_time"}  # fmt: skip
