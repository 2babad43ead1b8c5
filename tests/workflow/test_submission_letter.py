"""What the body receives reads right in each of its languages: the cover letter is dated
the day it is sent, names the body in the dative where Russian needs it, describes every
enclosure in the page's language and names the signatories as they wrote their names
(with the Latin form the Higher Council asks for), never by member id; the e-mail's
subject comes back from the .eml exactly as composed."""

from __future__ import annotations

import io
import re
import subprocess
import zipfile
from email import message_from_bytes, policy
from pathlib import Path

import pytest

from tests.conftest import Cli, make_workspace
from tests.workflow.test_submission import BODY, approved, keys, sign

pytestmark = pytest.mark.slow

SIGNATORY_NAMES = {
    "appr-ru": ["--name", "Смирнова Анна Сергеевна", "--name-en", "Anna Smirnova",
                "--name-zh", "安娜·斯米尔诺娃"],
    "appr-zh": ["--name", "李伟", "--name-en", "Li Wei", "--name-ru", "Ли Вэй"],
}


def _workspace(tmp_path: Path) -> Cli:
    ws = make_workspace(tmp_path / "ws", members=False)
    for member_id, lang, roles, names in [
            ("sec", "ru", ["secretary"], ["--name", "Иванова Мария"]),
            ("rev-ru", "ru", ["reviewer"], ["--name", "Петров Пётр"]),
            ("appr-ru", "ru", ["approver", "signatory"], SIGNATORY_NAMES["appr-ru"]),
            ("appr-zh", "zh", ["approver", "signatory"], SIGNATORY_NAMES["appr-zh"])]:
        args = ["member", "add", member_id, *names, "--delegation", lang, "--lang", lang,
                "--email", f"{member_id}@wg.example"]
        for role in roles:
            args += ["--role", role]
        ws(args)
    return ws


def _pages(pdf: Path) -> list[str]:
    out = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True,
                         capture_output=True).stdout.decode("utf-8")
    return [_squeeze(page) for page in out.split("\f") if page.strip()]


def _squeeze(text: str) -> str:
    """Whitespace as single spaces, none left where a line broke between two Han characters."""
    text = re.sub(r"\u2010\s+", "", text)  # a word hyphenated at the line end
    text = re.sub(r"\s+", " ", text)
    return re.sub(r"(?<=[\u3000-\u9fff\uff00-\uffef]) (?=[\u3000-\u9fff\uff00-\uffef])", "",
                  text)


@pytest.fixture
def submitted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Cli, Path]:
    ws = _workspace(tmp_path)
    keys(ws, tmp_path)
    symbol = approved(ws, tmp_path)
    sign(ws, tmp_path, symbol, "appr-ru")
    sign(ws, tmp_path, symbol, "appr-zh")
    monkeypatch.setenv("RESOLUTIONS_NOW", "2024-10-14T09:30:00+00:00")
    ws(["submit", symbol, "--to", BODY])
    folder = ws.root / ".resolutions" / "submissions" / "RCWG-RES-2024-1" / "1" / "package"
    return ws, folder


def test_cover_letter_in_each_language_dated_on_submission(submitted) -> None:
    _, folder = submitted
    [letter] = folder.glob("*cover-letter*.pdf")
    ru, zh, en = _pages(letter)
    assert "имеет честь препроводить Высшему совету БРИКС для рассмотрения" in ru
    assert "Кому: Высший совет БРИКС" in ru
    assert "14 октября 2024 г." in ru and "26 сентября" not in ru
    assert "подписанты: Смирнова Анна Сергеевна (Anna Smirnova), 李伟 (Li Wei)" not in ru
    assert "подписанты: Смирнова Анна Сергеевна (Anna Smirnova), Ли Вэй (Li Wei)" in ru
    assert "открепленная электронная подпись к файлу DOCX; подписант: Ли Вэй (Li Wei)" in ru
    assert "свидетельство о завершении подписания" in ru
    assert "2024年10月14日" in zh
    assert "签字人：安娜·斯米尔诺娃 (Anna Smirnova)、李伟 (Li Wei)" in zh
    assert "同一文本的DOCX格式文件" in zh
    assert "14 October 2024" in en
    assert "to the Higher Council of BRICS the following documents" in en
    assert "signed (PAdES) by Anna Smirnova, Li Wei" in en
    for page in (ru, zh, en):  # file names aside, no member id
        words = re.sub(r"RCWG-RES-\S+", "", page)
        assert "appr-ru" not in words and "appr-zh" not in words
    for page in (ru, zh):
        assert "the same text" not in page and "signed (PAdES) by" not in page


def test_docx_letter_and_message_subject(submitted) -> None:
    ws, folder = submitted
    [docx] = folder.glob("*cover-letter*.docx")
    with zipfile.ZipFile(io.BytesIO(docx.read_bytes())) as package:
        xml = package.read("word/document.xml").decode("utf-8")
    text = re.sub(r"<[^>]+>", "", xml)
    assert "имеет честь препроводить Высшему совету БРИКС резолюцию" in text
    assert "14 октября 2024 г." in text and "2024年10月14日" in text
    assert "Ли Вэй (Li Wei)" in text and "appr-zh" not in re.sub(r"RCWG-RES-\S+", "", text)
    assert "Distr.: General" in text and "Распространение" not in text
    [eml] = (ws.root / ".resolutions" / "outbox").glob("submission-*.eml")
    raw = eml.read_bytes()
    message = message_from_bytes(raw, policy=policy.default)
    assert str(message["Subject"]) == ("Препровождение резолюции RCWG/RES/2024/1 Высшему "
                                       "совету БРИКС / 向金砖国家最高理事会转交第"
                                       "RCWG/RES/2024/1号决议")
    assert message["To"].addresses[0].display_name == "Высший совет БРИКС"
    headers = raw.split(b"\r\n\r\n", 1)[0].split(b"\r\n")
    assert all(len(line) <= 78 for line in headers)
    body = message.get_body(("plain",)).get_content()
    assert "имеет честь препроводить Высшему совету БРИКС резолюцию RCWG/RES/2024/1" in body
    assert "谨向金砖国家最高理事会转交第RCWG/RES/2024/1号决议" in body


def test_certificate_tells_the_events_in_words_on_at_most_three_pages(submitted) -> None:
    _, folder = submitted
    [certificate] = folder.glob("*_certificate.pdf")
    pages = _pages(certificate)
    assert len(pages) <= 3
    text = " ".join(pages)
    assert "Свидетельство о завершении / 完成证明 / Certificate of completion" in text
    for words in ("Подпись", "签署", "Signature", "Одобрение", "核准", "Approval",
                  "Рассылка на рассмотрение", "分发审阅", "Circulated for review"):
        assert words in text
    # who signed, by name in each language (the Latin form too), with their role in words
    assert "Смирнова Анна Сергеевна" in text and "安娜·斯米尔诺娃" in text
    assert "Anna Smirnova" in text and "Ли Вэй" in text and "李伟" in text
    assert "Подписант / 签字人 / Signatory" in text
    # no raw detail: no JSON, no 64-digit hashes in the event table, no role code
    assert '{"' not in text and "cert_fingerprint" not in text
    events = text[text.index("События / 事件 / Events"):]
    assert not re.search(r"[0-9a-f]{64}", events)
    assert " signatory " not in text
    assert "14.10.2024" not in events  # the events happened before the submission
    assert re.search(r"26\.09\.2024, 10:00", events)
