"""Jinja and XML injection in every text field renders literally — in the PDF (WeasyPrint
from Jinja HTML) and the DOCX (docxtpl, Jinja inside WordprocessingML) — and emoji, being
legitimate Unicode, are accepted, stored and rendered (decision: accept, see RELIABILITY.md).
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest

from tests.conftest import Cli
from tests.reliability.helpers import draft

PAYLOADS = ["{{ 7*7 }}", "{% if true %}IFTRUE{% endif %}", "{{ config.items() }}",
            "<script>alert(1)</script>", "]]><injected/>", "&amp;lt;", "${7*7}",
            "</w:t></w:r><w:r><w:t>WINJ", "<b>bold?</b>"]
PAYLOAD = " ".join(PAYLOADS)


def _hostile_source() -> str:
    def texts(indent: str, lead: str = "") -> str:
        return "".join(f'{indent}{lang}: "{lead}{lang} {PAYLOAD.replace(chr(34), chr(92) + chr(34))}"\n'
                       for lang in ("ru", "zh", "en"))

    return ("body: brics-higher-council\nlanguages: [ru, zh, en]\ntitle:\n" + texts("  ")
            + "preamble:\n  - id: pp-1\n" + texts("    ", "*Noting* ")
            + "operative:\n  - id: op-1\n" + texts("    ", "*Decides* ")
            + "    items:\n      - id: op-1-a\n" + texts("        ")
            + "annexes:\n  - title:\n" + texts("      ")
            + "    operative:\n      - id: an-1\n" + texts("        ", "*Invites* "))


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _pdf_text(path: Path) -> str:
    from pypdf import PdfReader

    return "".join(page.extract_text() or "" for page in PdfReader(str(path)).pages)


def _docx_text(path: Path) -> str:
    with zipfile.ZipFile(path) as zf:
        xml = zf.read("word/document.xml").decode("utf-8")
    from lxml import etree

    root = etree.fromstring(xml.encode())  # well-formed: the payload did not break out
    return "".join(root.itertext())


@pytest.mark.slow
def test_injection_in_every_text_field_renders_literally(ws_sqlite: Cli, tmp_path: Path) -> None:
    symbol = draft(ws_sqlite, tmp_path, _hostile_source())
    shown = ws_sqlite(["show", symbol, "--lang", "en"]).output
    assert _squash(PAYLOAD) in _squash(shown)
    out = tmp_path / "out"
    ws_sqlite(["render", symbol, "--stage", "draft", "--format", "all", "--lang", "en",
               "-o", str(out)])
    pdf = next(out.glob("*.pdf"))
    docx = next(out.glob("*.docx"))
    for name, text in (("PDF", _pdf_text(pdf)), ("DOCX", _docx_text(docx))):
        flat = _squash(text)
        for payload in PAYLOADS:
            # title, preamble, operative, item, annex title, annex paragraph: 6 fields
            assert flat.count(_squash(payload)) >= 6, f"{name}: {payload!r} not rendered literally"
        assert "IFTRUE" not in flat.replace(_squash("{% if true %}IFTRUE{% endif %}"), "")
        assert "49" not in flat, f"{name}: a template expression was evaluated"
    with zipfile.ZipFile(docx) as zf:
        assert b"<injected/>" not in zf.read("word/document.xml")
        assert b"<w:t>WINJ" not in zf.read("word/document.xml")
    ws_sqlite(["export-akn", symbol, "-o", str(tmp_path / "akn.xml")])
    from lxml import etree

    akn = etree.parse(str(tmp_path / "akn.xml"))
    assert _squash("<script>alert(1)</script>") in _squash("".join(akn.getroot().itertext()))
    assert not akn.getroot().findall(".//injected") and not akn.getroot().findall(".//script")


@pytest.mark.slow
def test_emoji_are_accepted_stored_and_rendered(ws_sqlite: Cli, tmp_path: Path) -> None:
    from tests.conftest import fixture_text

    text = fixture_text("trilingual.yaml").replace(
        "*Noting* the growing demand", "*Noting* the growing 🌍 demand ✅", 1)
    symbol = draft(ws_sqlite, tmp_path, text)
    assert "🌍" in ws_sqlite(["source", symbol]).output
    out = tmp_path / "out"
    ws_sqlite(["render", symbol, "--stage", "draft", "--format", "all", "--lang", "en",
               "-o", str(out)])
    assert "🌍" in _docx_text(next(out.glob("*.docx")))
    pdf = next(out.glob("*.pdf"))
    assert pdf.read_bytes().startswith(b"%PDF")
    io.BytesIO(pdf.read_bytes())
