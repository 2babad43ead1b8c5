"""Every DOCX the renderer writes is valid against the ECMA-376 schema, as checked by an
OOXML validator (openxml-audit, the Open XML SDK's schema rules in Python): element order
in table, paragraph and run properties, allowed children, attribute values. The validator
is shown to catch the mistakes this renderer could make (an element out of order)."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import openxml_audit  # a test dependency (pip install -e ".[test]")
import pytest

from templates.word.render import DOCX_STAGES, render_docx
from tests.rendering.docx_fixtures.helpers import docx_view


def _errors(data: bytes, tmp_path: Path, name: str) -> list[str]:
    path = tmp_path / name
    path.write_bytes(data)
    result = openxml_audit.OpenXmlValidator().validate(path)
    return [f"{e.part_uri if hasattr(e, 'part_uri') else ''} {e}" for e in result.errors]


@pytest.mark.parametrize("layout", ["single", "parallel"])
@pytest.mark.parametrize("stage", DOCX_STAGES)
def test_rendered_docx_is_schema_valid(stage: str, layout: str, tmp_path: Path) -> None:
    data = render_docx(docx_view(stage, layout=layout))
    assert _errors(data, tmp_path, f"{stage}-{layout}.docx") == []


def _rewrite(data: bytes, old: bytes, new: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            content = src.read(info.filename)
            if info.filename == "word/document.xml":
                assert old in content
                content = content.replace(old, new, 1)
            dst.writestr(info, content)
    return out.getvalue()


def test_the_validator_catches_properties_out_of_schema_order(tmp_path: Path) -> None:
    data = render_docx(docx_view("final", layout="single"))
    # w:tblBorders after w:tblLayout, as the templates once had it
    doc = zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml")
    start = doc.index(b"<w:tblBorders>")
    borders = doc[start:doc.index(b"</w:tblBorders>", start) + len(b"</w:tblBorders>")]
    moved = _rewrite(data, borders, b"")
    moved = _rewrite(moved, b"<w:tblLook", borders + b"<w:tblLook")
    assert any("tblBorders" in e for e in _errors(moved, tmp_path, "moved.docx"))
    # a run's language before its bold flag
    bad = _rewrite(data, b"<w:b/><w:bCs/>", b"<w:lang w:val=\"en-GB\"/><w:b/><w:bCs/>")
    assert _errors(bad, tmp_path, "bad-run.docx") != []


@pytest.mark.parametrize("stage", DOCX_STAGES)
def test_russian_and_english_hyphenate_in_word(stage: str) -> None:
    data = render_docx(docx_view(stage, layout="single", languages=("ru",)))
    settings = zipfile.ZipFile(io.BytesIO(data)).read("word/settings.xml")
    assert b'<w:defaultTabStop w:val="720"/><w:autoHyphenation/>' in settings
    document = zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml")
    assert b'w:lang w:val="ru-RU"' in document  # the dictionary Word hyphenates with
