"""Submitting to a BRICS body: refused with every unmet requirement listed; when complete,
a package whose manifest matches its files, recorded with its hash, and one message to
the body however often the outbox is sent; the body's receipt lands on the submission."""

from __future__ import annotations

import hashlib
import io
import json
import re
import zipfile
from pathlib import Path

import pytest
from pypdf import PdfReader

from tests.conftest import LETTER, Cli, fixture_text
from tests.workflow.test_delivery_smtp import SmtpServer, configure_smtp, outbox, smtp

pytestmark = pytest.mark.slow

__all__ = ["smtp"]

CA_PASS = "ca-Пароль-91b7"
KEY_PASS = {"appr-ru": "ru-Key-2d41", "appr-zh": "zh-Key-c07e"}
BODY = "brics-higher-council"


def _passfile(tmp_path: Path, name: str, value: str) -> str:
    path = tmp_path / f"{name}.pass"
    path.write_text(value + "\n", encoding="utf-8")
    return str(path)


def keys(ws: Cli, tmp_path: Path) -> None:
    ca = _passfile(tmp_path, "ca", CA_PASS)
    ws(["keys", "init-ca", "--passphrase-file", ca])
    for member, secret in KEY_PASS.items():
        ws(["keys", "issue", member, "--ca-passphrase-file", ca,
            "--passphrase-file", _passfile(tmp_path, member, secret)])


def sign(ws: Cli, tmp_path: Path, symbol: str, member: str) -> None:
    ws(["sign", symbol, "--by", member, "--passphrase-file", str(tmp_path / f"{member}.pass")])


def approved(ws: Cli, tmp_path: Path, source: str | None = None) -> str:
    path = tmp_path / "res.yaml"
    path.write_text(source or fixture_text("trilingual.yaml"), encoding="utf-8")
    symbol = ws(["new", str(path)]).output.strip()
    ws(["circulate", symbol, "--reviewer", "rev-ru"])
    ws(["close-review", symbol, "--no-objection"])
    for member in ("appr-ru", "appr-zh"):
        ws(["approve", symbol, "--by", member, "--evidence", LETTER])
    assert json.loads(ws(["status", symbol, "--json"]).output)["state"] == "approved"
    return symbol


def submissions(ws: Cli, symbol: str) -> list[dict]:
    return json.loads(ws(["submissions", symbol, "--json"]).output)["submissions"]


def test_submit_refused_until_signed_then_packaged_sent_once_and_receipted(
        ws: Cli, tmp_path: Path, smtp: SmtpServer) -> None:
    keys(ws, tmp_path)
    s = approved(ws, tmp_path)
    sign(ws, tmp_path, s, "appr-ru")

    out = ws(["submit", s, "--to", BODY, "--meeting", "2024-10-01"], code=1).output
    assert f"{s} cannot be submitted to {BODY}; 2 requirement(s) unmet" in out
    assert "a signature of a zh signatory is missing" in out
    assert "the meeting on 2024-10-01 is 5 day(s) away" in out and "at least 14 days" in out
    assert submissions(ws, s) == []
    assert not (ws.root / ".resolutions" / "submissions").exists()
    assert json.loads(ws(["status", s, "--json"]).output)["state"] == "approved"

    sign(ws, tmp_path, s, "appr-zh")
    assert json.loads(ws(["status", s, "--json"]).output)["state"] == "signed"
    configure_smtp(ws, smtp.port)
    smtp.start()
    # the review copy queued while no SMTP was configured goes out first
    assert "1 sent, 0 failed" in ws(["outbox", "send"]).output
    result = json.loads(ws(["submit", s, "--to", BODY, "--meeting", "2024-11-20", "--send",
                            "--json"]).output)
    assert result["state"] == "submitted" and result["message_status"] == "sent"

    # the package: folder and ZIP under .resolutions/submissions/<symbol>/1/
    folder = Path(result["folder"])
    assert folder == ws.root / ".resolutions" / "submissions" / "RCWG-RES-2024-1" / "1"
    manifest = json.loads((folder / "package" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["resolution"] == s and manifest["body"] == BODY and manifest["version"] == 1
    names = [f["name"] for f in manifest["files"]]
    roles = sorted(f["role"] for f in manifest["files"])
    assert roles == ["certificate", "cover-letter", "cover-letter", "docx", "p7s", "p7s",
                     "signed-pdf"]
    assert sorted(p.name for p in (folder / "package").iterdir()) == sorted(
        names + ["manifest.json"])
    for entry in manifest["files"]:
        data = (folder / "package" / entry["name"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == entry["sha256"]
        assert len(data) == entry["size"]
    zip_bytes = Path(result["zip"]).read_bytes()
    with zipfile.ZipFile(io.BytesIO(zip_bytes)) as archive:
        assert sorted(archive.namelist()) == sorted(names + ["manifest.json"])
        for entry in manifest["files"]:
            assert hashlib.sha256(archive.read(entry["name"])).hexdigest() == entry["sha256"]
    [row] = submissions(ws, s)
    assert row["package_sha256"] == hashlib.sha256(zip_bytes).hexdigest() \
        == result["package_sha256"]
    assert row["body"] == BODY and row["message_status"] == "sent"

    # the cover letter names the body in its three languages and lists the enclosures
    letter = next(n for n in names if n.endswith(".pdf") and "cover-letter" in n)
    text = "".join(p.extract_text() for p in PdfReader(folder / "package" / letter).pages)
    flat = re.sub(r"\s+", "", text)
    for name in ("Высшийсовет", "金砖国家最高理事会", "HigherCouncilofBRICS"):
        assert name in flat
    assert "RCWG-RES-2024-1_v1_signed.pdf" in flat

    # the signatures in the package verify against the workspace trust store
    from signatures.cms import verify_detached
    from signatures.verify import verify_pdf
    from workflow.app import App
    from workflow.signing.keys import trust_roots

    roots = trust_roots(App.open(ws.root))
    signed = (folder / "package" / "RCWG-RES-2024-1_v1_signed.pdf").read_bytes()
    report = verify_pdf(signed, roots)
    assert report.ok and len(report.signatures) == 2
    docx_bytes = (folder / "package" / "RCWG-RES-2024-1_v1.docx").read_bytes()
    for member in ("appr-ru", "appr-zh"):
        p7s = (folder / "package" / f"RCWG-RES-2024-1_v1.docx.{member}.p7s").read_bytes()
        assert verify_detached(docx_bytes, p7s, roots).ok

    # one message to the body, carrying the same ZIP; sending again sends nothing
    [msg] = smtp.inbox.to("secretariat@higher-council.brics.example")
    [attached] = [p for p in msg.iter_attachments() if p.get_filename().endswith(".zip")]
    assert hashlib.sha256(attached.get_content()).hexdigest() == row["package_sha256"]
    assert msg["Message-ID"] == row["message_id"]
    assert "nothing to send" in ws(["outbox", "send"]).output
    assert "nothing to send" in ws(["outbox", "retry"]).output
    assert len(smtp.inbox.to("secretariat@higher-council.brics.example")) == 1
    assert [m["kind"] for m in outbox(ws)].count("submission") == 1

    # a second submit is refused by the state machine; the receipt lands on the submission
    assert "'submit' is not allowed" in ws(["submit", s, "--to", BODY], code=1).output
    ws(["receipt", s, "--ref", "HC-2024-117", "--outcome", "acknowledged"])
    [row] = submissions(ws, s)
    assert (row["receipt_ref"], row["outcome"]) == ("HC-2024-117", "acknowledged")
    assert row["received_at"]
    # a second answer (the outcome) is kept next to the first, not over it
    ws(["receipt", s, "--ref", "HC-2024-121", "--outcome", "adopted", "--note", "session 3"])
    [row] = submissions(ws, s)
    assert (row["receipt_ref"], row["outcome"]) == ("HC-2024-121", "adopted")  # the latest
    assert [(r["reference"], r["outcome"], r["note"], r["recorded_by"]) for r in row["receipts"]
            ] == [("HC-2024-117", "acknowledged", "", "sec"),
                  ("HC-2024-121", "adopted", "session 3", "sec")]
    text = ws(["submissions", s]).output
    assert "acknowledged (HC-2024-117); " in text and "adopted (HC-2024-121)" in text
    from workflow.app import App
    from workflow.delivery.outcomes import receipts
    kept = receipts(App.open(str(ws.root), None), s)
    assert [[r["outcome"] for r in one] for one in kept] == [["acknowledged", "adopted"]]
    assert "audit log intact" in ws("audit verify").output


def _without_english(source: str) -> str:
    source = source.replace("languages: [ru, zh, en]", "languages: [ru, zh]")
    source = source.replace(", en: Roadmap}", "}")
    return "\n".join(line for line in source.splitlines()
                     if not re.match(r"^\s*en: ", line)) + "\n"


def test_submit_lists_every_unmet_requirement(ws_sqlite: Cli, tmp_path: Path) -> None:
    ws = ws_sqlite
    s = approved(ws, tmp_path, _without_english(fixture_text("trilingual.yaml")))
    out = ws(["submit", s, "--to", BODY, "--meeting", "2024-09-30"], code=1).output
    assert "requires the text in ru, zh, en; missing: en" in out
    assert "a signature of a ru signatory is missing" in out
    assert "a signature of a zh signatory is missing" in out
    assert "the meeting on 2024-09-30 is 4 day(s) away" in out
    out = ws(["submit", s, "--to", "brics-business-council"], code=1).output
    assert "addressed to brics-higher-council" in out and "missing: en" in out
    assert "unknown body 'nowhere'" in ws(["submit", s, "--to", "nowhere"], code=1).output
    assert submissions(ws, s) == []
    assert outbox(ws) == [m for m in outbox(ws) if m["kind"] == "review-copy"]


def test_send_without_smtp_is_refused_before_anything_happens(
        ws_sqlite: Cli, tmp_path: Path) -> None:
    ws = ws_sqlite
    keys(ws, tmp_path)
    s = approved(ws, tmp_path)
    for member in KEY_PASS:
        sign(ws, tmp_path, s, member)
    assert "--send needs an SMTP server" in ws(["submit", s, "--to", BODY, "--send"],
                                               code=1).output
    assert submissions(ws, s) == []
    # what a run killed after building its package leaves: replaced, not trusted
    leftover = ws.root / ".resolutions" / "submissions" / "RCWG-RES-2024-1" / "1"
    (leftover / "package").mkdir(parents=True)
    (leftover / "package" / "half-written.pdf").write_bytes(b"%PDF-")
    submitted = ws(["submit", s, "--to", BODY])
    out = submitted.output
    assert "submission 1 to brics-higher-council → submitted" in out and "queued" in out
    assert submitted.stderr.splitlines() == [
        "done: the body's requirements", "done: cover letters", "done: package",
        "done: the message to the body"]
    [msg] = [m for m in outbox(ws) if m["kind"] == "submission"]
    assert msg["status"] == "queued"
    assert msg["recipient"] == "secretariat@higher-council.brics.example"
    assert not (leftover / "package" / "half-written.pdf").exists()
    manifest = json.loads((leftover / "package" / "manifest.json").read_text(encoding="utf-8"))
    assert sorted(p.name for p in (leftover / "package").iterdir()) == sorted(
        [f["name"] for f in manifest["files"]] + ["manifest.json"])
