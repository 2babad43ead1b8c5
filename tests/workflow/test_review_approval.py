"""The workflow end to end through the CLI: draft → circulate → comments and amendments →
dispositions → close-review --changes → revision with amendments applied → circulate →
no objection → approvals under each-delegation → approved."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import LETTER, Cli, fixture_text


def _draft(ws: Cli, tmp_path: Path) -> str:
    path = tmp_path / "res.yaml"
    path.write_text(fixture_text("trilingual.yaml"), encoding="utf-8")
    return ws(["new", str(path)]).output.strip()


def test_full_review_and_approval_scenario(ws: Cli, tmp_path: Path) -> None:
    s = _draft(ws, tmp_path)
    out = ws(["circulate", s, "--reviewer", "rev-ru", "--reviewer", "rev-zh",
              "--due", "2024-10-15"]).output
    assert "round 1 on version 1" in out

    ws(["comment", s, "--by", "rev-ru", "--ref", "OP 1(b)", "--type", "te",
        "--text", "Name the components", "--proposal", "microcircuits and sensors"])
    ws(["comment", s, "--by", "rev-zh", "--ref", "PP 2", "--type", "ed", "--text", "日期格式"])
    ws(["comment", s, "--by", "rev-zh", "--ref", "general", "--type", "ge",
        "--text", "Support the draft"])
    ws(["amend", s, "--by", "rev-zh", "--target", "OP 2", "--op", "replace",
        "--text", "en=*Instructs* the working group to prepare a roadmap until 2035;",
        "--text", "ru=*Поручает* рабочей группе подготовить дорожную карту до 2035 года;",
        "--text", "zh=*责成*工作组制定至2035年的路线图；", "--why", "Longer horizon"])
    ws(["amend", s, "--by", "rev-ru", "--target", "OP 1(b)", "--op", "insert-after",
        "--text", "en=to train engineers;", "--text", "ru=в целях подготовки инженеров;",
        "--text", "zh=以培养工程师；", "--why", "Skills"])

    matrix = json.loads(ws(["comments", s, "--json"]).output)["comments"]
    assert [(c["number"], c["original_ref"], c["author"], c["type"]) for c in matrix] == [
        (1, "OP 1(b)", "rev-ru", "te"), (2, "PP 2", "rev-zh", "ed"),
        (3, "General", "rev-zh", "ge")]

    ws(["dispose", s, "1", "--partial", "--note", "Covered by amendment 2"])
    ws(["dispose", s, "2", "--reject", "--note", "Date format follows the convention"])
    ws(["dispose", s, "3", "--accept", "--note", "Noted"])
    # undecided amendments block closing
    assert "not decided" in ws(["close-review", s, "--changes"], code=1).output
    ws(["amendment", "accept", s, "1"])
    ws(["amendment", "accept", s, "2"])

    out = ws(["close-review", s, "--changes"]).output
    assert "→ revision" in out and "version 2" in out
    shown = ws(["show", s, "--lang", "en"]).output
    assert "2. Instructs the working group to prepare a roadmap until 2035;" in shown
    assert "(c) to train engineers;" in shown
    amendments = json.loads(ws(["amendments", s, "--json"]).output)["amendments"]
    assert [a["status"] for a in amendments] == ["applied", "applied"]
    assert all(a["applied_version"] == 2 for a in amendments)
    # the comment on OP 1(b) still points at OP 1(b) in version 2
    matrix = json.loads(ws(["comments", s, "--json"]).output)["comments"]
    assert matrix[0]["ref"] == "OP 1(b)" and not matrix[0]["orphaned"]

    ws(["circulate", s, "--reviewer", "rev-ru"])
    ws(["close-review", s, "--no-objection"])
    assert json.loads(ws(["status", s, "--json"]).output)["state"] == "for_approval"

    out = ws(["approve", s, "--by", "appr-ru", "--evidence", LETTER]).output
    assert "→ for_approval" in out and "waiting for the zh delegation" in out
    st = json.loads(ws(["status", s, "--json"]).output)
    approve_step = next(x for x in st["steps"] if x["trigger"] == "approve")
    assert "zh delegation" in approve_step["blocked_by"]
    out = ws(["approve", s, "--by", "appr-zh", "--evidence", LETTER]).output
    assert "→ approved" in out
    assert "audit log intact" in ws("audit verify").output
    actions = [e["action"] for e in json.loads(ws(["log", s, "--json"]).output)["events"]]
    assert actions == ["new", "circulate", "comment", "comment", "comment", "amend", "amend",
                       "dispose", "dispose", "dispose", "amendment-decide", "amendment-decide",
                       "close_review_changes", "apply-amendments", "circulate",
                       "close_review_no_objection", "approve", "approve"]


def test_illegal_trigger_changes_nothing(ws: Cli, tmp_path: Path) -> None:
    s = _draft(ws, tmp_path)
    before = ws(["log", s, "--json"]).output
    out = ws(["approve", s, "--by", "appr-ru", "--evidence", LETTER], code=1).output
    assert "is draft" in out and "'approve' is not allowed" in out and "circulate" in out
    assert ws(["log", s, "--json"]).output == before
    assert json.loads(ws(["status", s, "--json"]).output)["state"] == "draft"


def test_roles_are_enforced_and_refusals_audited(ws: Cli, tmp_path: Path) -> None:
    s = _draft(ws, tmp_path)
    out = ws(["circulate", s, "--reviewer", "rev-ru"], actor="rev-zh", code=1).output
    assert "rev-zh may not circulate" in out
    assert "is not a reviewer" in ws(["circulate", s, "--reviewer", "appr-ru"], code=1).output
    ws(["circulate", s, "--reviewer", "rev-ru"])
    ws(["close-review", s, "--no-objection"])
    out = ws(["approve", s, "--by", "rev-ru"], code=1).output
    assert "approver role" in out
    events = json.loads(ws(["log", s, "--json"]).output)["events"]
    refused = [e for e in events if e["outcome"] == "refused"]
    assert len(refused) == 2 and refused[0]["actor"] == "rev-zh"
    assert "audit log intact" in ws("audit verify").output


def test_text_change_voids_approvals_and_returns_to_revision(ws: Cli, tmp_path: Path) -> None:
    s = _draft(ws, tmp_path)
    ws(["circulate", s, "--reviewer", "rev-ru"])
    ws(["close-review", s, "--no-objection"])
    ws(["approve", s, "--by", "appr-ru", "--evidence", LETTER])
    source = ws(["source", s]).output.replace("до 2030 года", "до 2031 года")
    path = tmp_path / "edit.yaml"
    path.write_text(source, encoding="utf-8")
    out = ws(["edit", s, str(path)]).output
    assert "1 approval(s) voided" in out and "(revision)" in out


def test_amendment_marks_siblings_stale_and_confirm_clears(ws: Cli, tmp_path: Path) -> None:
    s = _draft(ws, tmp_path)
    ws(["circulate", s, "--reviewer", "rev-ru"])
    ws(["amend", s, "--by", "rev-ru", "--target", "OP 2", "--op", "replace",
        "--text", "en=*Instructs* the working group to prepare a roadmap until 2030 and beyond;"])
    ws(["amendment", "accept", s, "1"])
    ws(["close-review", s, "--changes"])
    report = json.loads(ws(["check", s, "--json"], code=1).output)
    stale = {(f["ref"], tuple(f["languages"])) for f in report["findings"] if f["rule"] == "stale"}
    assert stale == {("OP 2", ("ru",)), ("OP 2", ("zh",))} or stale == {("OP 2", ("ru", "zh"))}
    ws(["circulate", s, "--reviewer", "rev-ru"])
    ws(["close-review", s, "--no-objection"])
    out = ws(["approve", s, "--by", "appr-ru", "--evidence", LETTER], code=1).output
    assert "OP 2" in out and "stale" in out
    ws(["translations", "confirm", s, "--lang", "ru"])
    ws(["translations", "confirm", s, "--lang", "zh"])
    assert "→" in ws(["approve", s, "--by", "appr-ru", "--evidence", LETTER]).output


def test_conflicting_amendments_are_reported(ws: Cli, tmp_path: Path) -> None:
    s = _draft(ws, tmp_path)
    ws(["circulate", s, "--reviewer", "rev-ru", "--reviewer", "rev-zh"])
    ws(["amend", s, "--by", "rev-ru", "--target", "OP 1", "--op", "delete"])
    ws(["amend", s, "--by", "rev-zh", "--target", "OP 1(a)", "--op", "replace",
        "--text", "en=to localise production;"])
    ws(["amendment", "accept", s, "1"])
    ws(["amendment", "accept", s, "2"])
    out = ws(["close-review", s, "--changes"], code=1).output
    assert "amendment 1 (delete OP 1) conflicts with amendment(s) 2" in out
    assert json.loads(ws(["status", s, "--json"]).output)["state"] == "in_review"
