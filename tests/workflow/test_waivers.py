"""Findings set aside, accountably: `check --accept FINDING --reason TEXT`.

A finding the secretary (or an approving member) judges wrong for this text is waived in
their name, with the reason, in the audit chain; it then blocks nothing — the approval
goes through — and is shown set aside by `check`, `status`, the comments matrix (PDF and
DOCX) and the dossier. When the paragraph changes the waiver lapses and the finding
blocks again. Attacks: a member without the role, a reason left out or made of control
characters, a finding that does not exist, and the waiver row edited in the database
(audit verify names it).
"""

from __future__ import annotations

import json
import sqlite3
import zipfile
from pathlib import Path

import pytest

from tests.conftest import LETTER, Cli, fixture_text, make_workspace

#: the Chinese states 2035 where the others say 2030: a numbers error that blocks approval
SOURCE = fixture_text("trilingual.yaml").replace("制定至2030年的路线图", "制定至2035年的路线图")


def _draft(ws: Cli, tmp_path: Path, text: str = SOURCE) -> str:
    path = tmp_path / "r.yaml"
    path.write_text(text, encoding="utf-8")
    return ws(["new", str(path)]).output.split()[0]


def _report(ws: Cli, symbol: str) -> dict:  # type: ignore[type-arg]
    return json.loads(ws(["check", symbol, "--json"], code=None).output)


def _to_approval(ws: Cli, symbol: str) -> None:
    ws(["circulate", symbol, "--reviewer", "rev-ru"])
    ws(["close-review", symbol, "--no-objection"])


@pytest.fixture
def waived(ws_sqlite: Cli, tmp_path: Path) -> tuple[Cli, str, str]:
    ws = ws_sqlite
    symbol = _draft(ws, tmp_path)
    report = _report(ws, symbol)
    assert report["ok"] is False
    (finding,) = [f for f in report["findings"] if f["rule"] == "numbers"]
    assert finding["ref"] == "OP 2" and finding["id"].startswith("f-")
    _to_approval(ws, symbol)
    blocked = ws(["approve", symbol, "--by", "appr-ru", "--evidence", LETTER], code=1).output
    assert "parity error" in blocked and "OP 2" in blocked
    out = ws(["check", symbol, "--accept", finding["id"], "--reason",
              "the Chinese plan runs to 2035 by the partners' own decision"]).output
    assert f"set aside {finding['id']} OP 2 numbers [zh] (error) by sec" in out
    return ws, symbol, finding["id"]


def test_a_waived_finding_blocks_nothing_and_is_shown_everywhere(waived, tmp_path) -> None:
    ws, symbol, fid = waived
    report = _report(ws, symbol)
    assert report["ok"] is True
    assert all(f["severity"] == "warning" for f in report["findings"])
    (shown,) = report["waived"]
    assert (shown["id"], shown["ref"], shown["rule"]) == (fid, "OP 2", "numbers")
    assert shown["waiver"]["by"] == "sec" and "2035" in shown["waiver"]["reason"]
    assert report["summary"]["waived"] == 1
    status = json.loads(ws(["status", symbol, "--json"]).output)
    (line,) = status["waivers"]
    assert line["finding"] == fid and line["holds"] is True and line["by"] == "sec"
    assert "set aside: " + fid in ws(["status", symbol]).output
    assert not any("parity" in s["blocked_by"] for s in status["steps"])
    ws(["approve", symbol, "--by", "appr-ru", "--evidence", LETTER])
    ws(["approve", symbol, "--by", "appr-zh", "--evidence", LETTER])
    assert json.loads(ws(["status", symbol, "--json"]).output)["state"] == "approved"
    # the audit chain has the waiver, by name, with the reason
    log = json.loads(ws(["log", symbol, "--json"]).output)["events"]
    (event,) = [e for e in log if e["action"] == "waive"]
    assert event["actor"] == "sec"
    detail = event["detail"] if isinstance(event["detail"], dict) else json.loads(event["detail"])
    assert detail["finding"] == fid and "2035" in detail["reason"]
    assert ws(["audit", "verify"]).exit_code == 0
    # the comments matrix, PDF and DOCX, lists it
    out = tmp_path / "m"
    ws(["render", symbol, "--stage", "matrix", "--format", "all", "-o", str(out)])
    pdf = next(out.glob("*.pdf"))
    import subprocess

    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    assert fid in text and "2035" in text and "Set aside by" in text
    docx = next(out.glob("*.docx"))
    body = zipfile.ZipFile(docx).read("word/document.xml").decode("utf-8")
    assert fid in body and "partners" in body
    # the dossier carries it
    bag = tmp_path / "bag"
    ca, seal = tmp_path / "ca.pass", tmp_path / "seal.pass"
    ca.write_text("ca-Passphrase-4e1b\n", encoding="utf-8")
    seal.write_text("seal-Passphrase-4e1b\n", encoding="utf-8")
    ws(["keys", "init-ca", "--passphrase-file", str(ca)])
    ws(["keys", "seal-issue", "--ca-passphrase-file", str(ca), "--passphrase-file", str(seal)])
    ws(["dossier", "export", symbol, "-o", str(bag), "--seal-passphrase-file", str(seal)])
    found = list(bag.rglob("waivers.json"))
    assert len(found) == 1
    (entry,) = json.loads(found[0].read_text("utf-8"))
    assert entry["finding"] == fid and entry["member"] == "sec" and "2035" in entry["reason"]
    rows = [json.loads(line) for line in next(bag.rglob("rows.jsonl")).read_text().splitlines()]
    assert any(r["table"] == "waivers" and r["row"]["finding"] == fid for r in rows)
    assert ws(["dossier", "verify", str(bag)]).exit_code == 0


def test_the_finding_comes_back_when_the_paragraph_changes(waived, tmp_path) -> None:
    ws, symbol, fid = waived
    ws(["object", symbol, "--by", "appr-ru", "--note", "reword OP 2", "--evidence", LETTER])
    edited = SOURCE.replace("制定至2035年的路线图", "尽快制定至2035年的路线图")
    path = tmp_path / "e.yaml"
    path.write_text(edited, encoding="utf-8")
    ws(["edit", symbol, str(path), "--note", "zh reworded"])
    report = _report(ws, symbol)
    assert report["ok"] is False and report["waived"] == []
    assert fid in [f["id"] for f in report["findings"]]
    status = json.loads(ws(["status", symbol, "--json"]).output)
    assert status["waivers"][0]["holds"] is False
    assert "lapsed: " + fid in ws(["status", symbol]).output


def test_who_may_waive_and_what_is_refused(waived) -> None:
    ws, symbol, fid = waived
    out = ws(["check", symbol, "--accept", fid, "--reason", "again"], code=1).output
    assert "already set aside by sec" in out
    out = ws(["check", symbol, "--accept", "f-00000000", "--reason", "x"], code=1).output
    assert "no finding 'f-00000000'" in out
    out = ws(["check", symbol, "--accept", "OP 1:length-ratio", "--reason", "x"], code=1).output
    assert "no finding" in out
    out = ws(["check", symbol, "--accept", fid], code=1).output
    assert "--reason" in out
    out = ws(["check", symbol, "--accept", fid, "--reason", "ok\u202eevil"], code=1).output
    assert "U+202E" in out
    assert ws(["check", symbol, "--reason", "why"], code=2).exit_code == 2


def test_a_reviewer_cannot_waive_and_the_refusal_is_audited(ws_sqlite: Cli, tmp_path) -> None:
    ws = ws_sqlite
    symbol = _draft(ws, tmp_path)
    fid = next(f["id"] for f in _report(ws, symbol)["findings"] if f["rule"] == "numbers")
    out = ws(["check", symbol, "--accept", fid, "--reason", "mine"], actor="rev-ru", code=1)
    assert "rev-ru may not set parity findings aside" in out.output
    assert "secretary or approver role" in out.output
    assert _report(ws, symbol)["waived"] == []
    log = json.loads(ws(["log", symbol, "--json"]).output)["events"]
    assert [e["actor"] for e in log if e["action"] == "refused"] == ["rev-ru"]
    ok = ws(["check", symbol, "--accept", "OP 2:numbers", "--reason", "2035 is right"],
            actor="appr-zh")
    assert "by appr-zh" in ok.output


def test_a_waiver_edited_in_the_database_is_named_by_audit_verify(waived) -> None:
    ws, symbol, fid = waived
    db = ws.root / ".resolutions" / "resolutions.db"
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE waivers SET reason = 'nobody objected', member_id = 'appr-zh'")
    out = ws(["audit", "verify"], code=1).output
    assert "waiver of " + fid in out and "member_id" in out and "reason" in out


def test_a_second_workspace_language_set_can_waive_too(tmp_path: Path) -> None:
    """The same on a workspace whose text is Arabic and English (ids are per paragraph,
    rule and languages, so they do not depend on the script)."""
    ws = make_workspace(tmp_path / "ar")
    text = ("body: brics-higher-council\nlanguages: [ar, en]\n"
            "title: {ar: القرار 2231 (2015), en: Resolution 2231 (2015)}\n"
            "operative:\n  - id: op-1\n"
            "    ar: \"*يقرر* أن يبقي المسألة قيد نظره في غضون 60 يوما.\"\n"
            "    en: \"*Decides* to remain seized of the matter within 90 days.\"\n")
    symbol = _draft(ws, tmp_path, text)
    (finding,) = _report(ws, symbol)["findings"]
    assert finding["languages"] == ["ar", "en"]
    ws(["check", symbol, "--accept", finding["id"], "--reason", "فترة مختلفة متفق عليها"])
    assert _report(ws, symbol)["ok"] is True
