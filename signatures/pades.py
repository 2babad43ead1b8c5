"""PAdES signing of PDFs, with a visible stamp, as incremental updates.

Each signature is appended to the file as an incremental update, so the bytes signed
earlier are never touched and every earlier signature stays valid. The first signatory
may *certify* the document (DocMDP level 2: only form filling and signing allowed after);
later signatures are approval signatures. The profile is PAdES baseline B-B, or B-T when
a timestamp authority is given (an RFC 3161 URL or a ``TimeStamper`` object, such as
:func:`signatures.signer.test_timestamper` offline).

Verification lives in :mod:`signatures.verify`.
"""

from __future__ import annotations

from collections.abc import Sequence
from io import BytesIO
from pathlib import Path
from typing import TYPE_CHECKING

from signatures.errors import SigningError
from signatures.signer import DIGEST_ALGORITHM, Signer
from signatures.stamp import stamp_style

if TYPE_CHECKING:
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign.fields import SigFieldSpec
    from pyhanko.sign.timestamps import TimeStamper

__all__ = ["Box", "FieldSlot", "add_empty_field", "sign_pdf", "signature_fields"]

Box = tuple[float, float, float, float]
#: An unsigned signature field to create: (field name, page index, box).
FieldSlot = tuple[str, int, Box]


def _writer(pdf: bytes) -> IncrementalPdfFileWriter:
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.misc import PdfError

    try:
        return IncrementalPdfFileWriter(BytesIO(pdf), strict=False)
    except (PdfError, ValueError) as exc:
        raise SigningError(
            f"The PDF to sign cannot be read ({exc}). Render it again from the approved text."
        ) from exc


def signature_fields(pdf: bytes) -> dict[str, bool]:
    """Signature fields of a PDF: field name → already signed."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.fields import enumerate_sig_fields

    reader = PdfFileReader(BytesIO(pdf), strict=False)
    return {name: value is not None for name, value, _ in enumerate_sig_fields(reader)}


def _field_spec(field_name: str, page: int, box: Box) -> SigFieldSpec:
    from pyhanko.sign.fields import SigFieldSpec

    x1, y1, x2, y2 = box
    if x2 <= x1 or y2 <= y1:
        raise SigningError(
            f"The signature box {box} for field {field_name!r} is empty: give (x1, y1, x2, y2) "
            "with x1 < x2 and y1 < y2, in PDF points from the bottom-left corner."
        )
    return SigFieldSpec(
        sig_field_name=field_name,
        on_page=page,
        box=(round(x1), round(y1), round(x2), round(y2)),
    )


def add_empty_field(pdf: bytes, *, field_name: str, page: int, box: Box) -> bytes:
    """Add an unsigned signature field (a slot a signatory fills later) as an update."""
    from pyhanko.sign.fields import append_signature_field

    if field_name in signature_fields(pdf):
        raise SigningError(f"The PDF already has a signature field {field_name!r}.")
    writer = _writer(pdf)
    append_signature_field(writer, _field_spec(field_name, page, box))
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


#: the form field flag Required (bit 2 of /Ff)
REQUIRED_FLAG = 2


def _mark_required(writer: IncrementalPdfFileWriter, name: str) -> None:
    from pyhanko.pdf_utils import generic

    for ref in writer.root["/AcroForm"]["/Fields"]:
        field = ref.get_object()
        if str(field.get("/T")) == name:
            field["/Ff"] = generic.NumberObject(  # type: ignore[no-untyped-call]
                int(field.get("/Ff", 0)) | REQUIRED_FLAG)
            writer.update_container(field)
            return


def _timestamper(timestamp_url: str | None,
                 timestamper: TimeStamper | None) -> TimeStamper | None:
    if timestamper is not None:
        return timestamper
    if timestamp_url:
        from pyhanko.sign.timestamps import HTTPTimeStamper

        return HTTPTimeStamper(timestamp_url)
    return None


def _fields_before(pdf: bytes, field_name: str, certify: bool) -> dict[str, bool]:
    """The file's signature fields (signed or not), refused when ``field_name`` is signed
    already or when ``certify`` is asked of a file that has a signature."""
    existing = signature_fields(pdf)
    if existing.get(field_name):
        raise SigningError(
            f"The signature field {field_name!r} is already signed; each signatory signs "
            "their own field."
        )
    if certify and any(existing.values()):
        raise SigningError(
            "Only the first signature can certify the document, and this PDF is already "
            "signed: sign it with certify=False."
        )
    return existing


def sign_pdf(
    pdf: bytes,
    signer: Signer,
    *,
    field_name: str,
    page: int,
    box: Box,
    stamp_lines: list[str],
    certify: bool = False,
    reason: str = "",
    location: str = "",
    timestamp_url: str | None = None,
    timestamper: TimeStamper | None = None,
    empty_fields: Sequence[FieldSlot] = (),
    font: tuple[Path, str] | None = None,
    font_size: int = 8,
    required: Sequence[str] = (),
) -> bytes:
    """Sign ``pdf`` in a visible field and return the signed file (original + update).

    ``box`` is (x1, y1, x2, y2) in PDF points on page index ``page``; an existing empty
    field of that name is used as it is. ``stamp_lines`` are drawn in the box in the
    embedded stamp font. ``certify`` makes this the document's certification signature
    (only allowed for the first signature). The ``empty_fields`` named in ``required`` carry
    the form field flag *Required* (PDF 32000-1, 12.7.3.1): the certified revision says
    whose signatures the document needs, and a verifier refuses the file while one of
    them is empty. With ``timestamp_url`` or ``timestamper`` the
    signature gets a signature timestamp (PAdES B-T).
    """
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.sign import fields, signers
    from pyhanko.sign.general import SigningError as HankoSigningError

    existing = _fields_before(pdf, field_name, certify)
    meta = signers.PdfSignatureMetadata(
        field_name=field_name, md_algorithm=DIGEST_ALGORITHM, reason=reason or None,
        location=location or None, name=signer.info.common_name or None, certify=certify,
        docmdp_permissions=fields.MDPPerm.FILL_FORMS, subfilter=fields.SigSeedSubFilter.PADES)
    pdf_signer = signers.PdfSigner(
        meta, signer.pyhanko_signer, timestamper=_timestamper(timestamp_url, timestamper),
        stamp_style=stamp_style(stamp_lines, font=font, font_size=font_size),
        new_field_spec=None)
    writer = _writer(pdf)
    slots = [(field_name, page, box)] + [s for s in empty_fields if s[0] != field_name]
    for slot_name, slot_page, slot_box in slots:  # the signer's own field first, if new
        if slot_name in existing:
            continue
        fields.append_signature_field(writer, _field_spec(slot_name, slot_page, slot_box))
        if slot_name in required:
            _mark_required(writer, slot_name)
    try:
        out = pdf_signer.sign_pdf(writer)
    except (HankoSigningError, PdfError, ValueError) as exc:
        raise SigningError(f"Signing field {field_name!r} failed: {exc}") from exc
    except OSError as exc:  # the timestamp authority did not answer (TimestampRequestError)
        raise SigningError(f"Signing field {field_name!r} failed: {exc}; check "
                           "[signatures] timestamp_url or try again later.") from exc
    result: bytes = out.getvalue()
    return result
