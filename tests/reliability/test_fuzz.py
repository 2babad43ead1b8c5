"""Hypothesis fuzzes the three readers of untrusted input: the YAML source loader and the
two DOCX readers. Whatever the bytes, only DraftError subclasses escape (the CLI turns those
into a one-line refusal); never a parser's own exception, a RecursionError or a crash."""

from __future__ import annotations

import io
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from drafts.comment_form import read_comment_form
from drafts.errors import DraftError
from drafts.source import load
from drafts.word.placing import import_docx
from tests.conftest import fixture_text

pytestmark = pytest.mark.slow

BASE = fixture_text("trilingual.yaml")
SETTINGS = settings(max_examples=1000, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

# YAML-ish alphabet: structure characters, quotes, tags, anchors, controls, bidi, CJK
yaml_chars = st.sampled_from(list(":-[]{}#&*!|>'\"%@`,? \n\t") + ["\x00", "\x07", "\u202e",
                             "\u200b", "\ufeff", "ru", "zh", "en", "id", "операт", "决议",
                             "items", "- ", "  ", "title", "symbol", "\\", "&a", "*a", "!!"])


def _only_draft_errors(call) -> None:  # type: ignore[no-untyped-def]
    try:
        call()
    except DraftError as exc:
        assert str(exc).strip(), "an error without a message"
        assert "\n" not in str(exc), f"a multi-line error: {exc!r}"


@SETTINGS
@given(st.text(max_size=400))
def test_loader_any_text(text: str) -> None:
    _only_draft_errors(lambda: load(text, "fuzz.yaml"))


@SETTINGS
@given(st.lists(yaml_chars, max_size=200).map("".join))
def test_loader_yaml_shaped_text(text: str) -> None:
    _only_draft_errors(lambda: load(text, "fuzz.yaml"))


@SETTINGS
@given(st.integers(0, len(BASE) - 1), st.integers(0, 40), st.text(max_size=30))
def test_loader_mutated_source(at: int, cut: int, insert: str) -> None:
    """A real source with a slice replaced by arbitrary text."""
    _only_draft_errors(lambda: load(BASE[:at] + insert + BASE[at + cut:], "fuzz.yaml"))


def _valid_docx() -> bytes:
    import docx

    document = docx.Document()
    document.add_paragraph("On the transition from market to production")
    document.add_paragraph("Noting the growing demand of Russian industry,")
    document.add_paragraph("1. Recommends the establishment of joint ventures;")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


DOCX = _valid_docx()


def _readers(data: bytes) -> None:
    _only_draft_errors(lambda: import_docx(data, lang="en", filename="fuzz.docx"))
    _only_draft_errors(lambda: read_comment_form(data))


@SETTINGS
@given(st.binary(max_size=2000))
def test_docx_readers_any_bytes(data: bytes) -> None:
    _readers(data)


@SETTINGS
@given(st.lists(st.tuples(st.integers(0, len(DOCX) - 1), st.integers(0, 255)),
                min_size=1, max_size=8))
def test_docx_readers_flipped_bytes(flips: list[tuple[int, int]]) -> None:
    data = bytearray(DOCX)
    for at, value in flips:
        data[at] = value
    _readers(bytes(data))


@SETTINGS
@given(st.sampled_from(["word/document.xml", "[Content_Types].xml", "word/styles.xml",
                        "word/numbering.xml", "docProps/custom.xml", "_rels/.rels"]),
       st.one_of(st.binary(max_size=300), st.text(max_size=300).map(str.encode),
                 st.sampled_from([b"<w:document/>", b"<?xml version='1.0'?><a><b></a>",
                                  b"<!DOCTYPE x [<!ENTITY e SYSTEM 'file:///etc/passwd'>]><x>&e;</x>"])))
def test_docx_readers_replaced_part(part: str, content: bytes) -> None:
    """A genuine package with one part replaced by junk."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(DOCX)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            dst.writestr(info.filename, content if info.filename == part else src.read(info))
        if part not in src.namelist():
            dst.writestr(part, content)
    _readers(out.getvalue())


def test_damaged_deflate_stream_is_a_form_error() -> None:
    """Regression: a damaged deflate stream raised zlib.error out of read_comment_form."""
    import sys
    from pathlib import Path

    import pytest

    from drafts.comment_form import NotADocxError

    sys.path.insert(0, str(Path(__file__).parent.parent / "corpus"))
    import make_corpus

    data = make_corpus._docx_cases()["corrupt-deflate"]
    with pytest.raises(NotADocxError, match="cannot read word/document.xml"):
        read_comment_form(data)
    with pytest.raises(DraftError):
        import_docx(data, lang="en", filename="corrupt.docx")
