"""Reviewers get their copies, comment forms and mail in their delegation's language, unless
they chose another.

A reviewer of the Russian delegation added without --lang received everything in English
("Reviewer", "Proposed change"); now a member's language defaults to their delegation's
(a language code, or a country's: br → Portuguese), and `member edit --lang` changes it.
What the mail carries is read back: the subject and text, the PDF copy through pdftotext,
the comment form's table headings from its XML.
"""

from __future__ import annotations

import email
import email.policy
import io
import json
import subprocess
import zipfile
from pathlib import Path

from tests.conftest import Cli, make_workspace


def _message(ws: Cli, recipient: str) -> email.message.EmailMessage:
    messages = json.loads(ws(["outbox", "--json"]).output)["messages"]
    path = next(ws.root / m["eml_path"] for m in messages if m["recipient"] == recipient)
    return email.message_from_bytes(path.read_bytes(),  # type: ignore[return-value]
                                    policy=email.policy.default)


def _attachments(message: email.message.EmailMessage) -> dict[str, bytes]:
    return {part.get_content_type(): part.get_payload(decode=True)  # type: ignore[misc]
            for part in message.iter_attachments()}


def _pdf_text(data: bytes, tmp: Path) -> str:
    path = tmp / "copy.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


def _form_xml(data: bytes) -> str:
    return zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml").decode("utf-8")


DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def test_reviewers_read_their_delegations_language(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path / "ws", members=False)
    ws(["member", "add", "sec", "--name", "Secretary", "--delegation", "ru", "--role",
        "secretary", "--lang", "en"])
    ws(["member", "add", "petrov", "--name", "Петров Пётр", "--delegation", "ru",
        "--email", "petrov@wg.example", "--role", "reviewer"])
    ws(["member", "add", "wang", "--name", "王芳", "--delegation", "zh",
        "--email", "wang@wg.example", "--role", "reviewer"])
    ws(["member", "add", "silva", "--name", "Ana Silva", "--delegation", "br",
        "--email", "silva@wg.example", "--role", "reviewer"])
    members = {m["id"]: m for m in json.loads(ws(["member", "list", "--json"]).output)["members"]}
    assert (members["petrov"]["lang"], members["wang"]["lang"], members["silva"]["lang"]) == (
        "ru", "zh", "pt")
    source = tmp_path / "r.yaml"
    from tests.conftest import fixture_text

    text = fixture_text("trilingual.yaml")
    source.write_text(text, encoding="utf-8")
    symbol = ws(["new", str(source)]).output.split()[0]
    ws(["circulate", symbol, "--reviewer", "petrov", "--reviewer", "wang"])

    ru = _message(ws, "petrov@wg.example")
    assert ru["Subject"].startswith("Резолюция") and "раунд 1" in ru["Subject"]
    assert "Направляем Вам" in ru.get_body().get_content()  # type: ignore[union-attr]
    files = _attachments(ru)
    copy = _pdf_text(files["application/pdf"], tmp_path)
    assert "Экземпляр для замечаний" in copy and "Review copy" not in copy
    form = _form_xml(files[DOCX])
    assert "Предлагаемое изменение" in form and "Proposed change" not in form
    assert "Рецензент" in form and ">Reviewer<" not in form

    zh = _attachments(_message(ws, "wang@wg.example"))
    assert "建议修改" in _form_xml(zh[DOCX]) and "Proposed change" not in _form_xml(zh[DOCX])


def test_a_member_may_choose_another_language(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path / "ws", members=False)
    ws(["member", "add", "sec", "--name", "Secretary", "--role", "secretary"])
    ws(["member", "add", "petrov", "--name", "Петров Пётр", "--delegation", "ru",
        "--email", "petrov@wg.example", "--role", "reviewer", "--lang", "en"])
    out = json.loads(ws(["member", "edit", "petrov", "--lang", "fr", "--json"]).output)
    assert out["lang"] == "fr" and out["changed"] == ["lang"]
    refused = ws(["member", "edit", "petrov", "--lang", "xx"], code=1).output
    assert "--lang 'xx'" in refused and "fr (French)" in refused
