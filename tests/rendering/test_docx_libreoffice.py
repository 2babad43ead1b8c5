"""Every rendered DOCX opens in LibreOffice: converted headless to PDF, its text checked.

One ``soffice`` batch converts all documents (a cold start costs about a second; each
document in the batch far less). The profile is private to the test run.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from drafts.comment_form import read_comment_form
from templates.word.render import DOCX_STAGES, render_docx
from tests.rendering.docx_fixtures.helpers import docx_view

pytestmark = pytest.mark.skipif(shutil.which("soffice") is None or
                                shutil.which("pdftotext") is None,
                                reason="LibreOffice (soffice) and pdftotext are not installed")

# Text every document of the stage must show, compared with all whitespace removed
# (pdftotext breaks lines inside table cells; ``-raw`` keeps
# the content stream's order, so table cells and justified lines are not interleaved).
EXPECTED = {
    "draft": ["отмечая растущий спрос российской промышленности", "注意到俄罗斯工业",
              "Noting the growing", "ii)стандартизацию испытаний", "DRAFT", "附件",
              "路线图", "а)совместное обучение инженеров"],
    "review": ["Review copy for Li Wei", "поручает секретариату подготовить доклад",
               "责成秘书处编写报告"],
    "comment-form": ["Observations of the secretariat", "OP 2(b)(ii)", "Annex 1 OP 2",
                     "Форма замечаний", "意见表"],
    "matrix": ["应增加封装环节", "Уточнить формулировку", "accepted", "rejected"],
    "redline": ["и упаковке", "生产和封装芯片", "Noting with concern", "Призывает изучить"],
    "final": ["постановляет продолжать заниматься этим вопросом", "决定继续处理此事项",
              "И. И. Иванов", "李伟", "Signature, date"],
    "approval": ["Approval record", "И. И. Иванов", "approved"],
    "cover-letter": ["Кому: Высший совет БРИКС", "致：金砖国家最高理事会",
                     "To: Higher Council of BRICS", "Roadmap (annex)"],
}


SINGLE = ("ru", "zh", "en")


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="module")
def converted(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[bytes, str]]:
    work = tmp_path_factory.mktemp("docx-lo")
    sources = {}
    views = {stage: docx_view(stage, layout="parallel") for stage in DOCX_STAGES}
    for lang in SINGLE:
        views[f"final-{lang}"] = docx_view("final", layout="single", languages=(lang,))
    for name, view in views.items():
        data = render_docx(view)
        path = work / f"{name}.docx"
        path.write_bytes(data)
        sources[name] = (data, path)
    outdir = work / "pdf"
    profile = (work / "profile").as_uri()
    result = subprocess.run(
        ["soffice", f"-env:UserInstallation={profile}", "--headless", "--norestore",
         "--convert-to", "pdf", "--outdir", str(outdir),
         *[str(path) for _, path in sources.values()]],
        capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    out = {}
    for stage, (data, _) in sources.items():
        pdf = outdir / f"{stage}.pdf"
        assert pdf.stat().st_size > 0, f"{stage}: LibreOffice wrote no PDF ({result.stderr})"
        text = subprocess.run(["pdftotext", "-raw", "-enc", "UTF-8", str(pdf), "-"],
                              capture_output=True, text=True, check=True).stdout
        out[stage] = (data, text)
    return out


@pytest.mark.parametrize("stage", DOCX_STAGES)
def test_libreoffice_converts_and_shows_the_text(converted, stage: str) -> None:
    _, text = converted[stage]
    flat = squash(text)
    for expected in EXPECTED[stage]:
        assert squash(expected) in flat, f"{stage}: {expected!r} not in the PDF text"
    assert "{{" not in text and "{%" not in text
    assert "RCWG-FORM-IDS" not in text  # the identity stays hidden


@pytest.mark.parametrize("lang", SINGLE)
def test_single_language_pdf_has_every_paragraph_as_written(converted, lang: str) -> None:
    view = docx_view("final", layout="single", languages=(lang,))
    flat = squash(converted[f"final-{lang}"][1])
    expected = [view.title[lang], view.body.enacting[lang]]
    expected += [p.labels[lang] + p.texts[lang] for p in view.preamble + view.operative]
    for annex in view.annexes:
        expected += [annex.headings[lang], annex.titles[lang]]
        expected += [p.labels[lang] + p.texts[lang] for p in annex.paragraphs]
    position = 0
    for text in expected:
        found = flat.find(squash(text), position)
        assert found >= 0, f"{lang}: {text!r} missing or out of order in the PDF text"
        position = found


def test_draft_page_fields_are_computed(converted) -> None:
    _, text = converted["draft"]
    pages = text.split("\f")
    pages = [page for page in pages if page.strip()]
    assert len(pages) >= 2
    assert squash(f"1 / {len(pages)}") in squash(pages[0])
    assert squash(f"{len(pages)} / {len(pages)}") in squash(pages[-1])
    assert docx_view("draft").short_hash in squash(pages[0])


def test_comment_form_saved_by_libreoffice_still_reads(converted, tmp_path: Path) -> None:
    data, _ = converted["comment-form"]
    source = tmp_path / "form.docx"
    source.write_bytes(data)
    outdir = tmp_path / "saved"
    result = subprocess.run(
        ["soffice", f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}", "--headless",
         "--norestore", "--convert-to", "docx:MS Word 2007 XML", "--outdir", str(outdir),
         str(source)], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    view = docx_view("comment-form")
    form = read_comment_form((outdir / "form.docx").read_bytes(), expect=view.form_ids)
    assert dict(form.ids) == dict(view.form_ids)
    assert form.rows == ()
