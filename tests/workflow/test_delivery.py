"""Review copies by e-mail and comment forms coming back.

Circulating to two reviewers through a local SMTP server delivers exactly one message to
each, with their own review copy (their name in the PDF) and their comment form; a form
filled in as a reviewer would (python-docx) is imported back as their comments. Forms that
are not ours, ZIP bombs and packages with ``../`` part names are refused and store nothing.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from email.message import EmailMessage
from pathlib import Path

import docx
import pytest
from pypdf import PdfReader

from tests.conftest import Cli
from tests.workflow.test_delivery_smtp import SmtpServer, configure_smtp, draft, outbox, smtp

__all__ = ["smtp", "attachment", "fill_form", "circulated"]

DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def attachment(msg: EmailMessage, suffix: str) -> tuple[str, bytes]:
    [part] = [p for p in msg.iter_attachments() if (p.get_filename() or "").endswith(suffix)]
    return part.get_filename() or "", part.get_content()


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)


def fill_form(blank: bytes, rows: dict[str, tuple[str, str, str]]) -> bytes:
    """What a reviewer does in Word: fill Type, Comment, Proposal on the rows of some refs,
    and add a row of their own at the end."""
    document = docx.Document(io.BytesIO(blank))
    table = document.tables[0]
    header = [c.text.strip().lower() for c in table.rows[0].cells]
    # headers are in the reviewer's language(s) ("编号", "Ссылка / 编号 / Ref."): found
    # as the form reader finds them
    from drafts.comment_form import column_kind

    kinds = [column_kind(h) for h in header]
    col = {name: kinds.index(kind) for name, kind in
           (("ref", "ref"), ("type", "type"), ("comment", "comment"), ("propos", "proposal"))}
    pending = dict(rows)
    for row in table.rows[1:]:
        ref = row.cells[col["ref"]].text.strip()
        if ref in pending:
            type_, comment, proposal = pending.pop(ref)
            row.cells[col["type"]].paragraphs[0].add_run(type_)
            row.cells[col["comment"]].paragraphs[0].add_run(comment)
            row.cells[col["propos"]].paragraphs[0].add_run(proposal)
    for ref, (type_, comment, proposal) in pending.items():   # refs without a row: new rows
        cells = table.add_row().cells
        for key, value in (("ref", ref), ("type", type_), ("comment", comment),
                           ("propos", proposal)):
            cells[col[key]].text = value
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def circulated(ws: Cli, tmp_path: Path, smtp: SmtpServer) -> str:
    configure_smtp(ws, smtp.port)
    smtp.start()
    s = draft(ws, tmp_path)
    out = ws(["circulate", s, "--reviewer", "rev-ru", "--reviewer", "rev-zh",
              "--due", "2024-10-15"]).output
    assert "rev-ru <rev-ru@wg.example>: review copy (ru) sent" in out
    assert "rev-zh <rev-zh@wg.example>: review copy (zh) sent" in out
    return s


def test_each_reviewer_gets_one_message_with_their_own_copy_and_form(
        ws: Cli, tmp_path: Path, smtp: SmtpServer) -> None:
    s = circulated(ws, tmp_path, smtp)
    assert len(smtp.inbox.received) == 2
    for member, name, lang, subject_word in (("rev-ru", "Петров Пётр", "ru", "рассмотрения"),
                                             ("rev-zh", "王芳", "zh", "审阅本")):
        [msg] = smtp.inbox.to(f"{member}@wg.example")
        assert msg["To"].addresses[0].display_name == name
        assert subject_word in msg["Subject"] and s in msg["Subject"]
        assert msg["X-Resolutions-Reviewer"] == member
        pdf_name, pdf = attachment(msg, ".pdf")
        assert member in pdf_name and f"_{lang}_" in pdf_name
        text = pdf_text(pdf)
        assert name in text                       # their own watermark/footer
        other = "王芳" if member == "rev-ru" else "Петров Пётр"
        assert other not in text
        form_name, form = attachment(msg, ".docx")
        from drafts.comment_form import read_comment_form

        ids = read_comment_form(form).ids
        assert (ids["symbol"], ids["version"], ids["reviewer"]) == (s, "1", member)
        assert msg.get_body(("plain",)).get_content().startswith(name)  # type: ignore[union-attr]

    messages = outbox(ws)
    assert [(m["kind"], m["status"], m["attempts"]) for m in messages] == [
        ("review-copy", "sent", 1), ("review-copy", "sent", 1)]
    received_ids = sorted(m["Message-ID"] for m in smtp.inbox.messages())
    assert received_ids == sorted(m["message_id"] for m in messages)

    # delivering the round again sends nothing new, and sending again sends nothing
    from workflow.app import App
    from workflow.delivery.review_copies import deliver_review_copies

    lines = deliver_review_copies(App.open(ws.root), s, 1)
    assert all("already in the outbox" in line for line in lines)
    assert "nothing to send" in ws(["outbox", "retry"]).output
    assert len(smtp.inbox.received) == 2 and len(outbox(ws)) == 2


def test_filled_comment_form_is_imported_as_the_reviewers_comments(
        ws: Cli, tmp_path: Path, smtp: SmtpServer) -> None:
    s = circulated(ws, tmp_path, smtp)
    [msg] = smtp.inbox.to("rev-zh@wg.example")
    _, blank = attachment(msg, ".docx")
    filled = fill_form(blank, {
        "OP 1(b)": ("te", "明确元器件类别", "微电路和传感器"),
        "PP 2": ("ED", "日期格式", ""),
        "General": ("ge", "支持该草案", ""),
    })
    path = _reply(tmp_path, msg, filled)  # what rev-zh's mail program sends back
    out = json.loads(ws(["comments", "import", s, str(path), "--json"]).output)
    assert [(c["original_ref"], c["author"], c["type"]) for c in out["imported"]] == [
        ("PP 2", "rev-zh", "ed"), ("OP 1(b)", "rev-zh", "te"), ("General", "rev-zh", "ge")]
    matrix = json.loads(ws(["comments", s, "--json"]).output)["comments"]
    by_ref = {c["original_ref"]: c for c in matrix}
    assert by_ref["OP 1(b)"]["text"] == "明确元器件类别"
    assert by_ref["OP 1(b)"]["proposal"] == "微电路和传感器"
    assert by_ref["General"]["text"] == "支持该草案"
    events = [e for e in json.loads(ws(["log", s, "--json"]).output)["events"] if e["action"] == "comment"]
    assert len(events) == 3 and all(json.loads(e["detail"])["source"] == "form"
                                    if isinstance(e["detail"], str) else
                                    e["detail"]["source"] == "form" for e in events)
    # the same form again adds nothing
    again = json.loads(ws(["comments", "import", s, str(path), "--json"]).output)
    assert again["imported"] == []
    assert len(json.loads(ws(["comments", s, "--json"]).output)["comments"]) == 3


def _reply(tmp_path: Path, msg: EmailMessage, form: bytes) -> Path:
    """The reviewer's answer to ``msg`` with their form attached, as their mail program
    writes it: the form is imported from that message (workflow.review.returned)."""
    from workflow.demo_mail import reply

    return reply(msg, [("returned.docx", form)], tmp_path / "reply.eml")


# -- refusals -------------------------------------------------------------------------------
def _plain_docx() -> bytes:
    document = docx.Document()
    document.add_paragraph("Dear secretariat, here are my comments.")
    table = document.add_table(rows=2, cols=3)
    for cell, text in zip(table.rows[0].cells, ("Ref", "Type", "Comment"), strict=True):
        cell.text = text
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _zip_bomb(form: bytes) -> bytes:
    """The real form plus one part that inflates 10 000-fold."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(form)) as src, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info, src.read(info))
        dst.writestr("word/media/padding.bin", b"\0" * (30 * 1024 * 1024))
    return out.getvalue()


def _traversal(form: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(form)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            dst.writestr(info, src.read(info))
        dst.writestr("word/../../../../tmp/evil.xml", b"<x/>")
    return out.getvalue()


@pytest.mark.parametrize("kind, message", [
    ("plain", "not a comment form"),
    ("bomb", "ZIP bomb"),
    ("traversal", "points outside the package"),
    ("other-version", "not the one expected"),
    ("not-docx", "not a DOCX"),
])
def test_refused_forms_store_nothing(ws_sqlite: Cli, tmp_path: Path, smtp: SmtpServer,
                                     kind: str, message: str) -> None:
    ws = ws_sqlite
    s = circulated(ws, tmp_path, smtp)
    [msg] = smtp.inbox.to("rev-ru@wg.example")
    _, blank = attachment(msg, ".docx")
    form = fill_form(blank, {"OP 2": ("te", "Уточнить срок", "до 2035 года")})
    if kind == "plain":
        data = _plain_docx()
    elif kind == "bomb":
        data = _zip_bomb(form)
    elif kind == "traversal":
        data = _traversal(form)
    elif kind == "other-version":
        tampered = io.BytesIO()
        with zipfile.ZipFile(io.BytesIO(form)) as src, zipfile.ZipFile(tampered, "w") as dst:
            for info in src.infolist():
                blob = src.read(info)
                if info.filename in ("docProps/custom.xml", "word/document.xml"):
                    blob = re.sub(rb'(name="rcwg\.version"[^>]*>\s*<vt:lpwstr>)1<', rb"\g<1>7<",
                                  blob.replace(b'"version": "1"', b'"version": "7"'))
                dst.writestr(info, blob)
        data = tampered.getvalue()
    else:
        data = b"%PDF-1.7 this is not a form"
    path = _reply(tmp_path, msg, data)
    log_before = ws(["log", s, "--json"]).output
    out = ws(["comments", "import", s, str(path)], code=1).output
    assert message in out and "nothing was imported" in out
    assert json.loads(ws(["comments", s, "--json"]).output)["comments"] == []
    assert ws(["log", s, "--json"]).output == log_before
    # the genuine form is still accepted afterwards
    path = _reply(tmp_path, msg, form)
    assert "imported 1 comment(s): 1 (OP 2)" in ws(["comments", "import", s, str(path)]).output


def test_a_row_with_an_unknown_ref_refuses_the_whole_form(
        ws_sqlite: Cli, tmp_path: Path, smtp: SmtpServer) -> None:
    ws = ws_sqlite
    s = circulated(ws, tmp_path, smtp)
    [msg] = smtp.inbox.to("rev-ru@wg.example")
    _, blank = attachment(msg, ".docx")
    form = fill_form(blank, {"OP 2": ("te", "Срок", ""), "OP 9": ("ed", "Нет такого", "")})
    path = _reply(tmp_path, msg, form)
    out = ws(["comments", "import", s, str(path)], code=1).output
    assert "OP 9" in out and "nothing was imported" in out
    assert json.loads(ws(["comments", s, "--json"]).output)["comments"] == []


def test_form_problems_all_at_once_and_a_repeat_is_already_imported(
        ws_sqlite: Cli, tmp_path: Path, smtp: SmtpServer) -> None:
    ws = ws_sqlite
    s = circulated(ws, tmp_path, smtp)
    [msg] = smtp.inbox.to("rev-ru@wg.example")
    _, blank = attachment(msg, ".docx")
    path = _reply(tmp_path, msg, fill_form(blank, {"OP 9": ("ed", "Нет такого", ""),
                                                   "PP 99": ("ge", "И такого нет", "")}))
    out = ws(["comments", "import", s, str(path)], code=1).output
    assert "2 problem(s)" in out and "  1. row" in out and "  2. row" in out, out
    assert "OP 9" in out and "PP 99" in out and "nothing was imported" in out
    path = _reply(tmp_path, msg, fill_form(blank, {"OP 2": ("te", "Уточнить срок",
                                                            "до 2035 года")}))
    assert "imported 1 comment(s)" in ws(["comments", "import", s, str(path)]).output
    again = ws(["comments", "import", s, str(path)]).output
    assert "already imported" in again
    assert len(json.loads(ws(["comments", s, "--json"]).output)["comments"]) == 1
