"""Long-term validation: turn a timestamped PDF (PAdES B-T) into PAdES B-LTA.

:func:`add_lta` appends, as incremental updates, the validation data of every signature
and timestamp in the file to its Document Security Store (``/DSS``: the certificates of
signers and timestamp authorities and the CRLs that say they were not revoked), then a
document timestamp over the whole file with the timestamp authority's own validation
data. The document timestamp proves that the signatures and their validation data
existed at that moment, so the file can be judged long after the certificates expire.
Calling it again on a B-LTA file adds a fresh document timestamp (archive renewal).

CRLs are taken from the ones given (the working group's own CA) and, where a certificate
names an ``http`` distribution point (a timestamp authority), fetched from there.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine, Sequence
from datetime import datetime
from io import BytesIO
from typing import TYPE_CHECKING, TypeVar

from cryptography import x509

from signatures.errors import SigningError
from signatures.signer import DIGEST_ALGORITHM, to_asn1_cert

if TYPE_CHECKING:
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign.timestamps import TimeStamper
    from pyhanko_certvalidator import ValidationContext
    from pyhanko_certvalidator.path import ValidationPath

_T = TypeVar("_T")

__all__ = ["add_lta", "validation_context", "timestamp_token", "check_token",
           "timestamp_response", "token_of"]


def validation_context(trust_roots: Sequence[x509.Certificate], *, crls: Sequence[bytes] = (),
                       certs: Sequence[x509.Certificate] = (), fetch: bool = False,
                       moment: datetime | None = None) -> ValidationContext:
    """A pyHanko validation context over our roots, CRLs and extra certificates."""
    from pyhanko_certvalidator import ValidationContext

    return ValidationContext(
        trust_roots=[to_asn1_cert(c) for c in trust_roots],
        other_certs=[to_asn1_cert(c) for c in certs],
        crls=list(crls), allow_fetching=fetch, moment=moment, retroactive_revinfo=True,
        revocation_mode="soft-fail")


def add_lta(pdf: bytes, timestamper: TimeStamper, trust_roots: Sequence[x509.Certificate], *,
            crls: Sequence[bytes] = (), certs: Sequence[x509.Certificate] = ()) -> bytes:
    """``pdf`` with a ``/DSS`` for all its signatures and a document timestamp (B-LTA)."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign import signers
    from pyhanko.sign.signers.pdf_signer import TimestampDSSContentSettings
    from pyhanko.sign.validation.dss import DocumentSecurityStore, collect_validation_info

    try:
        reader = PdfFileReader(BytesIO(pdf), strict=False)
        embedded = list(reader.embedded_signatures)
        if not embedded:
            raise SigningError("The PDF carries no signature to keep valid; sign it first.")
        context = validation_context(trust_roots, crls=crls, certs=certs, fetch=True)
        writer = _writer(pdf)

        async def collect() -> list[list[ValidationPath]]:
            try:  # the signers' chains and their timestamp authorities', one by one
                return [await collect_validation_info(emb, context) for emb in embedded]
            finally:
                await context.aclose()  # the HTTP session that fetched CRLs

        for emb, paths in zip(embedded, _run(collect()), strict=True):
            DocumentSecurityStore.supply_dss_in_writer(
                writer, emb.pkcs7_content.hex().encode("ascii"), paths=paths,
                validation_context=context)
        staged = BytesIO()
        writer.write(staged)
        context = validation_context(trust_roots, crls=crls, certs=certs, fetch=True)
        # the authority's own chain and CRL go into the DSS before the timestamp, in the
        # same update, so the timestamp covers them too (and nothing is written after it)
        out = signers.PdfTimeStamper(timestamper).timestamp_pdf(
            _writer(staged.getvalue()), DIGEST_ALGORITHM, validation_context=context,
            dss_settings=TimestampDSSContentSettings(update_before_ts=True, include_vri=False))
    except SigningError:
        raise
    except OSError as exc:  # the timestamp authority did not answer
        raise SigningError(f"The document timestamp could not be made: {exc}; check "
                           "[signatures] timestamp_url or try again later.") from exc
    except Exception as exc:  # path building, revocation: pyHanko raises assorted errors
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise SigningError(f"The validation data for long-term verification could not be "
                           f"collected ({first}). Trust the timestamp authority's root with "
                           "'resolutions keys trust FILE.pem'.") from exc
    result: bytes = out.getvalue()
    return result


def _writer(pdf: bytes) -> IncrementalPdfFileWriter:
    """An incremental writer that leaves ``/Info`` and the XMP metadata as they are: after
    the last signature only validation data and document timestamps may be added
    (pyHanko's writer would otherwise stamp a new modification date into both)."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    class _ValidationDataOnly(IncrementalPdfFileWriter):
        def _update_meta(self) -> None:
            return

    return _ValidationDataOnly(BytesIO(pdf), strict=False)


def _run(coro: Coroutine[object, None, _T]) -> _T:
    return asyncio.run(coro)


def timestamp_token(data: bytes, timestamper: TimeStamper) -> bytes:
    """An RFC 3161 timestamp token (DER ContentInfo) over the SHA-256 of ``data``."""
    import hashlib

    try:
        token = _run(timestamper.async_timestamp(hashlib.sha256(data).digest(), "sha256"))
    except OSError as exc:
        raise SigningError(f"The archive timestamp could not be made: {exc}; check "
                           "[signatures] timestamp_url or try again later.") from exc
    der: bytes = token.dump()
    return der


def timestamp_response(token: bytes) -> bytes:
    """The token as an RFC 3161 ``TimeStampResp`` (status granted): what a ``.tsr`` file
    holds, so that ``openssl ts -verify -in FILE.tsr`` reads it without ``-token_in``."""
    from asn1crypto import cms, tsp

    response = tsp.TimeStampResp({"status": {"status": "granted"},
                                  "time_stamp_token": cms.ContentInfo.load(token_of(token))})
    der: bytes = response.dump()
    return der


def token_of(blob: bytes) -> bytes:
    """The TimeStampToken (DER ContentInfo) in ``blob``: a ``TimeStampResp`` or a token."""
    from asn1crypto import tsp

    try:
        response = tsp.TimeStampResp.load(blob)
        if response["status"]["status"].native in ("granted", "granted_with_mods"):
            token = response["time_stamp_token"]
            if token.native is not None:
                der: bytes = token.dump()
                return der
    except (ValueError, TypeError, KeyError):
        pass
    return blob


def check_token(token: bytes, data: bytes, roots: Sequence[x509.Certificate],
                at: datetime | None = None) -> tuple[datetime | None, str | None]:
    """(the token's time, None) when ``token`` is a valid timestamp over ``data`` by an
    authority trusted in ``roots`` and valid at ``at`` (default now); else (None, why)."""
    import hashlib
    from datetime import timezone

    from asn1crypto import cms
    from pyhanko.sign.validation.generic_cms import validate_tst_signed_data

    from signatures.revocation import context_at

    moment = at or datetime.now(timezone.utc)
    try:
        signed = cms.ContentInfo.load(token_of(token))["content"]
        status = _run(validate_tst_signed_data(
            signed, context_at(roots, [], [], moment),
            lambda alg: hashlib.new(alg, data).digest()))
    except Exception as exc:  # a damaged token is a verdict, not a crash
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return None, f"the archive timestamp cannot be read ({first[:200]})"
    if not status.get("intact"):
        return None, "the archive timestamp is not over these manifests: they were changed"
    trusted = status.get("validation_path") is not None and not status.get("trust_problem_indic")
    if not (status.get("valid") and trusted):
        return None, ("the archive timestamp's authority is not trusted, or its certificate "
                      "was not valid at the time judged")
    return status.get("timestamp"), None
