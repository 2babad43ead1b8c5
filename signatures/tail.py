"""What may follow the last signature of a PDF: validation data and document timestamps.

pyHanko's modification analysis lets ``/Info`` and XMP metadata change after a signature
(writers touch them on every save), and judges a ``/DSS`` that was replaced by an empty
one as harmless. For a signed record nothing of the kind is harmless: after the last
signature only the Document Security Store may grow (certificates, CRLs, OCSP responses,
VRI) and document timestamps may be added. :func:`tail_problems` compares the revision the
last signature signed with the file as it is and names every other change.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.pdf_utils.rw_common import PdfHandler
    from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature

__all__ = ["tail_problems", "fields_of"]


def _info(handler: PdfHandler) -> dict[str, str]:
    from pyhanko.pdf_utils import generic

    try:  # resolved in the handler's own revision (a reference alone reads the newest)
        raw = handler.trailer_view.raw_get("/Info")
        info = handler.get_object(raw.reference) if isinstance(
            raw, generic.IndirectObject) else raw
    except KeyError:
        return {}
    except Exception:  # an unreadable /Info is a change of its own
        return {"?": "unreadable"}
    if info is None:
        return {}
    return {str(k): repr(v.get_object() if hasattr(v, "get_object") else v)
            for k, v in info.items()}


def _metadata(handler: PdfHandler) -> str | None:
    try:
        stream = handler.root.get("/Metadata")
        if stream is None:
            return None
        return hashlib.sha256(stream.get_object().data).hexdigest()
    except Exception:
        return "unreadable"


def _dss_items(handler: PdfHandler) -> set[str] | None:
    """SHA-256 of every certificate, CRL and OCSP response in the revision's DSS."""
    try:
        dss = handler.root.get("/DSS")
        if dss is None:
            return None
        dss = dss.get_object()
        found: set[str] = set()
        for key in ("/Certs", "/CRLs", "/OCSPs"):
            for ref in dss.get(key, ()):
                found.add(hashlib.sha256(ref.get_object().data).hexdigest())
        return found
    except Exception:
        return {"unreadable"}


def _pages(handler: PdfHandler) -> list[str]:
    """Per page: its content and its annotations other than signature widgets."""
    out = []
    try:
        pages = handler.root["/Pages"].get_object()
        stack = [pages]
        while stack:
            node = stack.pop(0)
            if node.get("/Type") == "/Pages":
                stack[:0] = [kid.get_object() for kid in node["/Kids"]]
                continue
            contents = node.get("/Contents")
            digest = hashlib.sha256()
            if contents is not None:
                contents = contents.get_object()
                for part in (contents if isinstance(contents, list) else [contents]):
                    digest.update(part.get_object().data)
            annots = []
            for ref in node.get("/Annots", ()) or ():
                annot = ref.get_object()
                parent = annot.get("/Parent")
                kind = annot.get("/FT") or (parent.get_object().get("/FT") if parent else None)
                if annot.get("/Subtype") == "/Widget" and kind == "/Sig":
                    continue  # a signature's or a document timestamp's widget
                annots.append(str(annot.get("/Subtype")) + ":" + hashlib.sha256(
                    repr(sorted((str(k), repr(v)) for k, v in annot.items())).encode()
                ).hexdigest()[:16])
            out.append(digest.hexdigest() + ":" + ",".join(sorted(annots)))
    except Exception:
        return ["unreadable"]
    return out


def fields_of(reader: PdfFileReader) -> list[tuple[str, bool, bool]]:
    """Every signature field of the file as it is: (name, signed, required), document
    timestamps left out. When no field carries the Required flag (a file prepared
    elsewhere), every field counts as required."""
    from pyhanko.sign.fields import enumerate_sig_fields

    out = []
    for name, value, ref in enumerate_sig_fields(reader):
        if value is not None and value.get_object().get("/Type") == "/DocTimeStamp":
            continue
        flags = int(ref.get_object().get("/Ff", 0)) if ref is not None else 0
        out.append((str(name), value is not None, bool(flags & 2)))
    if not any(required for _, _, required in out):
        out = [(name, signed, True) for name, signed, _ in out]
    return out


def tail_problems(reader: PdfFileReader, last: EmbeddedPdfSignature) -> list[str]:
    """Sentences naming what changed after the last signature ``last`` (pyHanko's embedded
    signature) other than validation data and document timestamps."""
    name = str(last.field_name)
    signed = reader.get_historical_resolver(last.signed_revision)
    where = f"after the last signature ({name})"
    problems = []
    if _info(signed) != _info(reader):
        problems.append(f"{where} the document information (/Info: title, author, dates) was "
                        "changed; only validation data and document timestamps may follow it.")
    if _metadata(signed) != _metadata(reader):
        problems.append(f"{where} the XMP metadata (/Metadata) was changed; only validation "
                        "data and document timestamps may follow it.")
    before, after = _dss_items(signed), _dss_items(reader)
    dss_later = [reader.get_historical_resolver(r)
                 for r in range(last.signed_revision + 1, reader.xrefs.total_revisions)]
    kept: set[str] = set()
    for handler in dss_later:
        items = _dss_items(handler)
        if items:
            kept |= items
    if (before and not before <= (after or set())) or (kept and not kept <= (after or set())):
        problems.append(f"{where} the document security store (/DSS) was replaced: "
                        "validation data it held is gone; it may only grow.")
    if _pages(signed) != _pages(reader):
        problems.append(f"{where} a page or an annotation was changed or added; only "
                        "validation data and document timestamps may follow it.")
    return problems
