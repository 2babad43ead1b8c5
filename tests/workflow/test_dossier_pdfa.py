"""Every PDF in a dossier is PDF/A-3b, as the README promises: the matrix and the redline
as much as the final text, the certificate and the index. Each one carries the PDF/A
identification in its XMP metadata and an sRGB output intent."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from tests.workflow.test_dossier import exported

pytestmark = pytest.mark.slow

__all__ = ["exported"]


def _pdfa(path: Path) -> tuple[str, str, list[str]]:
    reader = PdfReader(path)
    root = reader.trailer["/Root"]
    xmp = root.get("/Metadata")
    data = xmp.get_object().get_data().decode("utf-8") if xmp is not None else ""
    part = re.search(r"pdfaid:part(?:>|=\")(\d)", data)
    conformance = re.search(r"pdfaid:conformance(?:>|=\")([A-Za-z])", data)
    intents = [str(i.get_object().get("/S")) for i in root.get("/OutputIntents", [])]
    return (part.group(1) if part else "", conformance.group(1) if conformance else "",
            intents)


def test_every_pdf_in_the_dossier_is_pdfa_3b(exported) -> None:
    _, bag = exported
    pdfs = sorted(bag.rglob("*.pdf"))
    names = {p.name for p in pdfs}
    assert {"matrix.pdf", "redline.pdf", "certificate.pdf", "signed.pdf"} <= names
    wrong = {str(p.relative_to(bag)): _pdfa(p) for p in pdfs
             if _pdfa(p)[:2] != ("3", "B") or "/GTS_PDFA1" not in _pdfa(p)[2]}
    assert wrong == {}
