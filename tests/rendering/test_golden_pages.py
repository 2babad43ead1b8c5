"""Golden pages: what leaves the working group reads in the reader's language.

The cover letter, the signature page, the certificate of completion (PDF) and the comment
form (DOCX, converted by LibreOffice) are rendered in Russian, Chinese and English alone
and read back with pdftotext: labels, dates, body names in the right case, names as the
people write them, roles in words, and no word of another language where none belongs.
The PDF pages are also compared with golden text (``tests/rendering/golden/*.txt``).
``UPDATE_GOLDEN=1 pytest tests/rendering -k golden`` rewrites the golden text and the
pictures of the cover letters in ``docs/images/`` (``cover-letter-{lang}.png``).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from templates.people import EnclosureView
from templates.view import EventView, SignatoryView
from templates.word.render import render_docx
from tests.rendering.conftest import GOLDEN
from tests.rendering.docx_fixtures.helpers import docx_view

UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"
IMAGES = Path(__file__).resolve().parents[2] / "docs" / "images"
LANGS = ("ru", "zh", "en")
SENT = dt.date(2024, 10, 14)

SMIRNOVA = {"ru": "Смирнова Анна Сергеевна", "zh": "安娜·斯米尔诺娃", "en": "Anna Smirnova"}
LI_WEI = {"zh": "李伟", "en": "Li Wei"}  # no Russian form written: his own is shown
PEOPLE = {"appr-ru": SMIRNOVA, "appr-zh": LI_WEI,
          "sec": {"ru": "Иванова Мария", "en": "Maria Ivanova"},
          "brics-higher-council": {"ru": "Высший совет БРИКС", "zh": "金砖国家最高理事会",
                                   "en": "Higher Council of BRICS"}}
SIGNERS = (SignatoryView("appr-ru", SMIRNOVA, "Минпромторг России", "ru", "signatory"),
           SignatoryView("appr-zh", LI_WEI, "工业和信息化部", "zh", "signatory"))
ENCLOSURES = (
    EnclosureView("RCWG-RES-2024-1_v2_signed.pdf", "signed-pdf", (SMIRNOVA, LI_WEI)),
    EnclosureView("RCWG-RES-2024-1_v2.docx", "docx"),
    EnclosureView("RCWG-RES-2024-1_v2.docx.appr-zh.p7s", "p7s", (LI_WEI,)),
    EnclosureView("RCWG-RES-2024-1_v2_certificate.pdf", "certificate"),
)


def _event(seq: int, at: str, actor: str, action: str, **detail: object) -> EventView:
    return EventView(seq=seq, at=at, actor=actor, action=action,
                     detail=json.dumps(detail), hash=f"{seq:x}" * 64)


EVENTS = (
    _event(1, "2024-09-26T10:00:00+00:00", "sec", "new", version=1, content_hash="a" * 64),
    _event(2, "2024-09-26T10:05:00+00:00", "sec", "circulate", round=1,
           reviewers=["appr-zh"], version=1),
    _event(3, "2024-09-30T08:00:00+00:00", "sec", "comment", comment=1, ref="OP 1(b)",
           type="te", by="appr-zh"),
    _event(4, "2024-10-01T09:00:00+00:00", "sec", "dispose", comment=1,
           disposition="accepted"),
    _event(5, "2024-10-02T09:00:00+00:00", "sec", "approve", member="appr-ru"),
    _event(6, "2024-10-03T12:00:00+00:00", "appr-ru", "sign", member="appr-ru",
           cert_fingerprint="c" * 64),
    _event(7, "2024-10-03T12:30:00+00:00", "appr-zh", "sign", member="appr-zh",
           cert_fingerprint="d" * 64),
)

#: Latin words that belong on a Russian or Chinese page: identifiers, file names, formats,
#: the names' Latin forms the body asks for, the UN distribution line.
LATIN_ALLOWED = {"RCWG", "RES", "Distr", "General", "PAdES", "DOCX", "PDF", "SHA", "UTC",
                 "OP", "te", "ge", "ed", "docx", "pdf", "p7s", "signed", "certificate", "v2",
                 "appr", "zh", "ru", "secretariat", "higher", "council", "brics", "example",
                 "Anna", "Smirnova", "Li", "Wei", "Maria", "Ivanova", "completion", "json"}


def _pdftotext(path: Path) -> list[str]:
    # -raw: the content stream's order, a table cell's lines together
    out = subprocess.run(["pdftotext", "-raw", "-enc", "UTF-8", str(path), "-"],
                         check=True, capture_output=True).stdout.decode("utf-8")
    return [_flat(page) for page in out.split("\f") if page.strip()]


def _flat(text: str) -> str:
    text = re.sub("\u2010\\s+", "", text)  # words hyphenated at a line end
    text = " ".join(text.split())
    return re.sub(r"(?<=[\u3000-\u9fff\uff00-\uffef]) (?=[\u3000-\u9fff\uff00-\uffef])", "",
                  text)


def _foreign_latin(text: str) -> set[str]:
    """Latin words of ``text`` that are neither allowed nor pieces of a hexadecimal hash."""
    words = set(re.findall(r"[A-Za-z]+", text)) - LATIN_ALLOWED - set("psv")
    return {w for w in words if not re.fullmatch(r"[a-f]+", w)}


@pytest.fixture(scope="module")
def pages(make_view, render) -> dict[tuple[str, str], list[str]]:
    out: dict[tuple[str, str], list[str]] = {}
    for lang in LANGS:
        views = {
            "cover-letter": make_view("cover-letter", [lang], enclosures=ENCLOSURES,
                                      date=SENT),
            "signature-page": make_view("final", [lang], signatories=SIGNERS),
            "certificate": make_view("certificate", [lang], signatories=SIGNERS,
                                     events=EVENTS, people=PEOPLE),
        }
        for doc, view in views.items():
            pdf = render(view)
            text = _pdftotext(pdf.path)
            out[doc, lang] = text[-1:] if doc == "signature-page" else text
            if UPDATE and doc == "cover-letter":
                IMAGES.mkdir(parents=True, exist_ok=True)
                subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1",
                                "-singlefile", str(pdf.path),
                                str(IMAGES / f"cover-letter-{lang}")], check=True)
    return out


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("doc", ["cover-letter", "signature-page", "certificate"])
def test_page_matches_golden(pages, doc: str, lang: str) -> None:
    text = "".join(page + "\n" for page in pages[doc, lang])
    golden = GOLDEN / f"{doc}-{lang}.txt"
    if UPDATE:
        golden.write_text(text, encoding="utf-8")
    assert golden.exists(), f"{golden.name} missing: run with UPDATE_GOLDEN=1"
    assert text == golden.read_text(encoding="utf-8")


def test_cover_letters(pages) -> None:
    ru, zh, en = (" ".join(pages["cover-letter", lang]) for lang in LANGS)
    assert "имеет честь препроводить Высшему совету БРИКС для рассмотрения" in ru
    assert "14 октября 2024 г." in ru and "26 сентября" not in ru
    assert "подписанты: Смирнова Анна Сергеевна (Anna Smirnova), 李伟 (Li Wei)" in ru
    assert "тот же текст в формате DOCX" in ru and "Приложения" not in ru.split("1.")[0]
    assert "谨向金砖国家最高理事会转交下列文件" in zh and "2024年10月14日" in zh
    assert "签字人：安娜·斯米尔诺娃 (Anna Smirnova)、李伟 (Li Wei)" in zh
    assert "to the Higher Council of BRICS the following documents" in en
    assert "14 October 2024" in en and "signed (PAdES) by Anna Smirnova, Li Wei" in en
    for text in (ru, zh):
        assert _foreign_latin(text) == set()


def test_signature_pages(pages) -> None:
    ru, zh, en = (" ".join(pages["signature-page", lang]) for lang in LANGS)
    assert "Подписи" in ru and "Подписант" in ru
    # each name in its own script, with the Latin form the body asks for
    assert "Смирнова Анна Сергеевна Anna Smirnova" in ru and "李伟 Li Wei" in ru
    assert "签字" in zh and "签字人" in zh and "安娜·斯米尔诺娃 Anna Smirnova" in zh
    assert "Signatures" in en and "Signatory" in en
    for text in (ru, zh, en):
        assert "signatory" not in text and "(zh)" not in text and "(ru)" not in text
    for text in (ru, zh):
        assert _foreign_latin(text) == set()


def test_certificates(pages) -> None:
    ru, zh, en = (" ".join(pages["certificate", lang]) for lang in LANGS)
    for text, words in ((ru, ["Свидетельство о завершении", "Подпись", "Одобрение",
                              "Рассылка на рассмотрение", "№ 1: принято", "Замечание",
                              "03.10.2024, 12:30", "Иванова Мария (Maria Ivanova)"]),
                        (zh, ["完成证明", "签署", "核准", "分发审阅", "№ 1：接受",
                              "2024/10/3 12:30"]),
                        (en, ["Certificate of completion", "Signature", "Approval",
                              "Circulated for review", "№ 1: accepted", "03/10/2024, 12:30"])):
        for word in words:
            assert word in text, word
    for text, heading in ((ru, "События"), (zh, "事件"), (en, "Events")):
        events = text.split(heading)[-1]  # the event table: words, no JSON, no long hashes
        assert '{"' not in events and not re.search(r"[0-9a-f]{40}", events)
        assert "cert_fingerprint" not in events and "circulate" not in events
    for text in (ru, zh):
        assert _foreign_latin(text) == set()
    assert all(len(pages["certificate", lang]) == 1 for lang in LANGS)


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_comment_forms_in_the_reviewers_language(tmp_path: Path) -> None:
    paths = []
    for lang in LANGS:
        path = tmp_path / f"form-{lang}.docx"
        path.write_bytes(render_docx(docx_view("comment-form", layout="single",
                                               languages=(lang,))))
        paths.append(str(path))
    profile = (tmp_path / "profile").as_uri()
    subprocess.run(["soffice", f"-env:UserInstallation={profile}", "--headless",
                    "--norestore", "--convert-to", "pdf", "--outdir", str(tmp_path), *paths],
                   check=True, capture_output=True, timeout=300)
    texts = {lang: _pdftotext(tmp_path / f"form-{lang}.pdf") for lang in LANGS}
    ru, zh, en = (" ".join(texts[lang]) for lang in LANGS)
    for word in ("Форма замечаний", "Рецензент: Li Wei", "Замечание", "Предлагаемое изменение",
                 "Замечания секретариата", "ge — общее, te — по существу"):
        assert word in ru, word
    for word in ("意见表", "审阅人: Li Wei", "建议修改", "秘书处意见", "类型（ge/te/ed）"):
        assert word in zh, word
    for word in ("Comment form", "Reviewer: Li Wei", "Proposed change", "Type (ge/te/ed)"):
        assert word in en, word
    for text in (ru, zh):
        assert "Comment" not in text and "Reviewer" not in text and "Proposed" not in text
    raw = "\n".join(subprocess.run(["pdftotext", "-layout", str(tmp_path / f"form-{lang}.pdf"),
                                    "-"], check=True, capture_output=True,
                                   text=True).stdout for lang in LANGS)
    assert not re.search(r"\(ge/te/ed\s*$", raw, re.M)  # the code list is not broken
