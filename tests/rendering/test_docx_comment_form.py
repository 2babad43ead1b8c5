"""A comment form goes out, a reviewer fills it in Word, it comes back and is read."""

from __future__ import annotations

import copy
import io
import zipfile

import docx
import pytest
from docx.oxml.ns import qn

from drafts.comment_form import (
    CommentForm,
    FormError,
    FormMismatchError,
    FormRowError,
    NotACommentFormError,
    NotADocxError,
    UnsafePackageError,
    read_comment_form,
)
from drafts.errors import DraftError
from templates.word.render import render_docx
from tests.rendering.docx_fixtures.helpers import docx_view


@pytest.fixture(scope="module")
def form_view():
    return docx_view("comment-form")


@pytest.fixture(scope="module")
def blank_form(form_view) -> bytes:
    return render_docx(form_view)


def _row_by_ref(table, ref: str):
    for row in table.rows:
        if row.cells[1].text.strip() == ref:
            return row
    raise AssertionError(ref)


def _fill(cell, text: str) -> None:
    cell.paragraphs[0].add_run(text)


def filled_by_reviewer(blank: bytes) -> bytes:
    """What a reviewer does in Word: two comments, an extra row, a merge, empty rows."""
    document = docx.Document(io.BytesIO(blank))
    table = document.tables[0]
    op = _row_by_ref(table, "OP 2(a)")
    _fill(op.cells[0], " 1 ")
    _fill(op.cells[2], "  TE ")
    _fill(op.cells[3], "Add  the packaging of chips.  ")
    op.cells[3].add_paragraph("Second line of the comment.")
    _fill(op.cells[4], "joint training of engineers and technicians;")
    pp = _row_by_ref(table, "PP 1")
    _fill(pp.cells[2], "ed")
    _fill(pp.cells[3], "Уточнить формулировку «растущий спрос».")
    # an unused row with two cells merged, a row with only a type, an extra row at the end
    spare = _row_by_ref(table, "OP 3")
    spare.cells[3].merge(spare.cells[4])
    _fill(_row_by_ref(table, "OP 4").cells[2], "ge")
    table.add_row()
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_round_trip_reads_exactly_the_two_comments(form_view, blank_form) -> None:
    form = read_comment_form(filled_by_reviewer(blank_form), expect=form_view.form_ids)
    assert isinstance(form, CommentForm)
    assert dict(form.ids) == dict(form_view.form_ids)
    assert (form.symbol, form.version, form.reviewer) == ("RCWG/RES/2024/1", "1", "li")
    assert form.reviewer_name == "Li Wei"
    assert set(form.sources) == {"properties", "hidden text"}
    assert [(r.ref, r.type) for r in form.rows] == [("PP 1", "ed"), ("OP 2(a)", "te")]
    pp, op = form.rows
    assert pp.comment == "Уточнить формулировку «растущий спрос»." and pp.proposal == ""
    assert op.comment == "Add the packaging of chips.\nSecond line of the comment."
    assert op.proposal == "joint training of engineers and technicians;"
    assert op.number == "1" and pp.number == ""
    refs = [p.ref for p in form_view.paragraphs()]
    assert op.row == refs.index("OP 2(a)") + 1


def test_blank_form_has_no_rows(form_view, blank_form) -> None:
    form = read_comment_form(blank_form, expect=form_view.form_ids)
    assert form.rows == ()


def test_ids_survive_without_the_custom_properties(form_view, blank_form) -> None:
    stripped = _rezip(blank_form, drop={"docProps/custom.xml"})
    form = read_comment_form(stripped, expect=form_view.form_ids)
    assert form.sources == ("hidden text",)
    assert dict(form.ids) == dict(form_view.form_ids)


def test_ids_survive_without_the_hidden_run(form_view, blank_form) -> None:
    document = docx.Document(io.BytesIO(blank_form))
    hidden = [p for p in document.paragraphs if p.text.startswith("RCWG-FORM-IDS")]
    assert len(hidden) == 1
    hidden[0]._p.getparent().remove(hidden[0]._p)
    out = io.BytesIO()
    document.save(out)
    form = read_comment_form(out.getvalue(), expect=form_view.form_ids)
    assert form.sources == ("properties",)


def test_unknown_type_names_the_row(form_view, blank_form) -> None:
    number = [p.ref for p in form_view.paragraphs()].index("OP 3") + 1
    document = docx.Document(io.BytesIO(blank_form))
    row = _row_by_ref(document.tables[0], "OP 3")
    _fill(row.cells[2], "xx")
    _fill(row.cells[3], "Something")
    out = io.BytesIO()
    document.save(out)
    with pytest.raises(FormRowError, match=rf"row {number} .*'OP 3'.*type 'xx'") as info:
        read_comment_form(out.getvalue())
    assert info.value.row == number == 10


def test_not_a_zip_is_refused() -> None:
    with pytest.raises(NotADocxError, match="not a DOCX"):
        read_comment_form(b"%PDF-1.7 not a docx at all")
    with pytest.raises(NotADocxError):
        read_comment_form(b"PK\x03\x04 truncated")


def test_a_zip_without_a_document_is_refused() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "hi")
    with pytest.raises(NotADocxError, match="no word/document.xml"):
        read_comment_form(buffer.getvalue())


def test_a_random_docx_is_not_a_form() -> None:
    document = docx.Document()
    document.add_paragraph("Minutes of the meeting")
    table = document.add_table(rows=2, cols=3)
    table.rows[0].cells[0].text = "Ref"
    out = io.BytesIO()
    document.save(out)
    with pytest.raises(NotACommentFormError, match="not a comment form"):
        read_comment_form(out.getvalue())


def test_a_zip_bomb_is_refused_before_reading() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
        with archive.open("word/media/fill.bin", "w", force_zip64=True) as member:
            chunk = b"\0" * (1024 * 1024)
            for _ in range(60):  # 60 MB of zeros, compresses to ~60 kB
                member.write(chunk)
    data = buffer.getvalue()
    assert len(data) < 1024 * 1024
    with pytest.raises(UnsafePackageError, match="ZIP bomb"):
        read_comment_form(data)


def test_a_highly_compressed_part_is_refused() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", b" " * (5 * 1024 * 1024))
    with pytest.raises(UnsafePackageError, match="expands"):
        read_comment_form(buffer.getvalue())


@pytest.mark.parametrize("name", ["../evil.xml", "word/../../evil.xml", "/etc/evil.xml",
                                  "C:/evil.xml", "word\\..\\evil.xml"])
def test_part_names_that_leave_the_package_are_refused(blank_form, name: str) -> None:
    with pytest.raises(UnsafePackageError, match="outside the package"):
        read_comment_form(_rezip(blank_form, add={name: b"<evil/>"}))


def test_a_form_of_another_version_is_refused(form_view, blank_form) -> None:
    expect = dict(form_view.form_ids)
    expect["version"] = "2"
    with pytest.raises(FormMismatchError, match=r"RCWG/RES/2024/1 version 1.*version is 1, "
                                                r"expected 2"):
        read_comment_form(blank_form, expect=expect)
    other = docx_view("comment-form", reviewer_id="ivanov")
    with pytest.raises(FormMismatchError, match="reviewer is li, expected ivanov"):
        read_comment_form(blank_form, expect=other.form_ids)


def test_inconsistent_ids_are_refused(blank_form) -> None:
    custom = _part(blank_form, "docProps/custom.xml").replace(b"RCWG/RES/2024/1",
                                                               b"RCWG/RES/2024/9")
    tampered = _rezip(blank_form, drop={"docProps/custom.xml"},
                      add={"docProps/custom.xml": custom})
    with pytest.raises(NotACommentFormError, match="inconsistent"):
        read_comment_form(tampered)


def test_every_refusal_is_a_draft_error() -> None:
    for cls in (NotADocxError, UnsafePackageError, NotACommentFormError, FormMismatchError,
                FormRowError):
        assert issubclass(cls, FormError) and issubclass(cls, DraftError)


def test_merged_header_and_vertical_merge_are_tolerated(form_view, blank_form) -> None:
    document = docx.Document(io.BytesIO(blank_form))
    table = document.tables[0]
    first, second = _row_by_ref(table, "OP 1"), _row_by_ref(table, "OP 2")
    _fill(first.cells[2], "ge")
    _fill(first.cells[3], "Whole paragraph.")
    first.cells[5].merge(second.cells[5])  # a vertical merge in the observations column
    extra = copy.deepcopy(table.rows[0]._tr)  # the header pasted again further down
    second._tr.addnext(extra)
    assert extra.find(qn("w:tc")) is not None
    out = io.BytesIO()
    document.save(out)
    form = read_comment_form(out.getvalue(), expect=form_view.form_ids)
    assert [(r.ref, r.type, r.comment) for r in form.rows] == [("OP 1", "ge",
                                                                 "Whole paragraph.")]


# -- helpers ----------------------------------------------------------------------------
def _part(data: bytes, name: str) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.read(name)


def _rezip(data: bytes, *, drop: set[str] = frozenset(), add: dict[str, bytes] | None = None
           ) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            if info.filename not in drop:
                dst.writestr(info, src.read(info.filename))
        for name, blob in (add or {}).items():
            dst.writestr(zipfile.ZipInfo(name), blob)
    return out.getvalue()
