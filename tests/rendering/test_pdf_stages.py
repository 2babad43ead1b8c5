"""Every PDF stage renders from the one view; the stage documents show their facts."""

from __future__ import annotations

import re

import pytest

from templates.view import ApprovalView, CommentView, EventView
from tests.rendering.conftest import FIXTURES, SIGNATORIES, fold, source_resolution, squeeze

COMMENTS = (
    CommentView(id="c1", ref="OP 2", original_ref="OP 2", author="Ли Вэй", delegation="zh",
                type="te", text="The deadline is too short.",
                proposal="by 1 June 2025", disposition="partial",
                note="Moved to 1 April 2025."),
    CommentView(id="c2", ref="OP 3(a)", original_ref="OP 3(a)", author="Petrov",
                delegation="ru", type="ed", text="Typo <here> & there", disposition="accepted"),
    CommentView(id="c3", ref="PP 9", original_ref="PP 9", author="Petrov", delegation="ru",
                type="ge", text="Delete the paragraph", disposition="", orphaned=True),
)
APPROVALS = (
    ApprovalView(member_id="ivanov", name="I. I. Ivanov", delegation="ru",
                 decision="approved", at="2024-10-02T10:00:00+00:00",
                 signed_statement="3f1a9c" * 8),
    ApprovalView(member_id="li-wei", name="Li Wei", delegation="zh", decision="objected",
                 at="2024-10-02T11:30:00+00:00", note="Annex dates"),
)
EVENTS = (
    EventView(seq=1, at="2024-09-26T09:00:00+00:00", actor="secretary", action="create",
              detail="version 1", hash="a" * 64),
    EventView(seq=2, at="2024-10-03T12:00:00+00:00", actor="ivanov", action="sign",
              detail="PAdES signature", hash="b" * 64),
)


def _previous():
    text = (FIXTURES / "microelectronics.yaml").read_text(encoding="utf-8")
    text = text.replace("подготовить перечень приоритетных проектов до 1 марта 2025 года",
                        "подготовить список проектов до 1 февраля 2025 года")
    text = text.replace("to prepare a list of priority projects by 1 March 2025",
                        "to draw up a list of projects by 1 February 2025")
    text = text.replace("*Recommends*", "*Suggests*")
    # Version 1 had no closing paragraph.
    text = re.sub(r"  - id: op-seized\n(    .*\n)+", "", text)
    return source_resolution(text)


def test_every_pdf_stage_renders_with_masthead(make_view, render):
    from templates.pdf.render import PDF_STAGES

    assert "comment-form" not in PDF_STAGES and len(PDF_STAGES) == 10
    for stage in PDF_STAGES:
        for languages in (["en"], ["ru", "zh"]):
            view = make_view(stage, languages, reviewer="Li Wei", comments=COMMENTS,
                             approvals=APPROVALS, events=EVENTS, signatories=SIGNATORIES,
                             extra={"RCWG-RES-2024-1.pdf": "signed resolution"})
            text = fold(render(view).text())
            assert "RCWG/RES/2024/1" in text, stage
            assert "1 / " in text, stage


def test_comments_matrix(make_view, render):
    pdf = render(make_view("matrix", ["en"], comments=COMMENTS))
    text = fold(pdf.text())
    assert "Comments resolution matrix" in text
    for header in ("Ref.", "Author", "Type", "Comment", "Proposed change", "Disposition",
                   "Note"):
        assert header in text
    assert "OP 2 Ли Вэй zh te The deadline is too short. by 1 June 2025 partially accepted" \
           in text
    assert "Moved to 1 April 2025." in text
    assert "Typo <here> & there" in text and "accepted" in text
    assert "paragraph no longer exists" in text
    page = pdf.reader.pages[0]
    assert float(page.mediabox.width) > float(page.mediabox.height)   # landscape


def test_bilingual_matrix_headings(make_view, render):
    text = fold(render(make_view("matrix", ["ru", "zh"], comments=COMMENTS)).text())
    assert "Замечание / 意见" in text
    assert "приняточастично/部分接受" in squeeze(text)


def test_redline_underlines_insertions_and_strikes_deletions(make_view, render):
    from templates.pdf.render import render_html

    view = make_view("redline", ["en"], previous=_previous(), previous_version=1)
    html = render_html(view)
    assert "<ins>draw up</ins>" not in html
    assert "<del>draw up</del>" in html and "<ins>prepare</ins>" in html
    assert "<del>February</del>" in html and "<ins>March</ins>" in html
    # The opener markers of the source are not printed, the opener stays emphasised.
    assert '<del class="opener">Suggests</del><ins class="opener">Recommends</ins>' in html
    assert "*" not in re.sub(r"<style>.*?</style>", "", html, flags=re.S)
    text = fold(render(view).text())
    assert "Changes from version 1 to version 2" in text
    assert "[new]" in text and "Decides to remain seized" in text
    assert "[amended]" in text
    # A paragraph changed in English only is not marked as changed in Chinese.
    bilingual = fold(render(make_view("redline", ["en", "zh"], previous=_previous(),
                                      previous_version=1)).text())
    assert "[new]" in bilingual and "[新增]" in bilingual
    assert "[已修改]" not in bilingual


def test_redline_draws_the_lines(make_view, render):
    """Underline and strike-through are real lines in the PDF (line-to operators)."""
    view = make_view("redline", ["en"], previous=_previous(), previous_version=1)
    plain = make_view("final", ["en"])
    def rects(pdf):
        content = b"".join(p.get_contents().get_data() for p in pdf.reader.pages)
        return content.count(b" l\n")
    assert rects(render(view)) > rects(render(plain)) + 4


def test_approval_record(make_view, render):
    text = fold(render(make_view("approval", ["en"], approvals=APPROVALS)).text())
    assert "Approval record" in text
    assert "I. I. Ivanov ru approved" in text
    assert "Li Wei zh objected" in text and "Annex dates" in text
    assert "3f1a9c3f1a9c" in squeeze(text)


def test_cover_letter_in_each_language_lists_enclosures(make_view, render):
    extra = {"RCWG-RES-2024-1.signed.pdf": "Resolution, signed",
             "RCWG-RES-2024-1.annex.pdf": "Annex: roadmap", "_ref": "not listed"}
    pdf = render(make_view("cover-letter", ["ru", "zh"], extra=extra))
    pages = [fold(p) for p in pdf.pages()]
    assert len(pages) == 2
    assert "Кому: Высший совет БРИКС" in pages[0]
    assert "имеет честь препроводить Высшему совету БРИКС" in pages[0]
    assert "致: 金砖国家最高理事会" in pages[1]
    for page in pages:
        assert "RCWG-RES-2024-1.signed.pdf" in page and "RCWG-RES-2024-1.annex.pdf" in page
        assert "not listed" not in page


def test_certificate_and_audit_report(make_view, render):
    view = make_view("audit-report", ["en"], events=EVENTS, signatories=SIGNATORIES,
                     approvals=APPROVALS)
    text = fold(render(view).text())
    assert view.content_hash in squeeze(text)
    assert "a" * 64 in squeeze(text) and "b" * 64 in squeeze(text)
    assert "PAdES signature" in text
    view = make_view("certificate", ["en"], events=EVENTS, signatories=SIGNATORIES,
                     approvals=APPROVALS)
    text = fold(render(view).text())
    assert view.content_hash in squeeze(text)
    assert "Certificate of completion" in text
    assert "I. I. Ivanov" in text and "Li Wei" in text and "Co-Chair" in text
    # the events in words, not codes and raw details; hashes cut short
    assert "Signature" in text and "26/09/2024, 09:00" in text
    assert "b" * 12 not in squeeze(text) and "PAdES signature" not in text


def test_dossier_index(make_view, render):
    extra = {"data/versions/1/source.yaml": "version 1 source",
             "data/signed/RCWG-RES-2024-1.pdf": "signed PDF/A-3b"}
    text = fold(render(make_view("index", ["en"], extra=extra)).text())
    assert "Dossier index" in text
    assert "1 data/versions/1/source.yaml version 1 source" in text
    assert "2 data/signed/RCWG-RES-2024-1.pdf signed PDF/A-3b" in text


def test_unknown_stage_and_variant_are_refused(make_view):
    from templates.pdf.render import render_html, render_pdf

    with pytest.raises(ValueError, match="comment-form"):
        render_html(make_view("comment-form", ["en"]))
    with pytest.raises(ValueError, match="pdf/a-3b"):
        render_pdf(make_view("draft", ["en"]), pdf_variant="pdf/a-9")
