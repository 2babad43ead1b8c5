"""The state machine owns the rules: tested on the services and the table, not on CLI text.

Every (role, step) pair of the table is tried on the engine; the guards refuse with the
guard's own sentence and remedy; `status` lists next steps and blockers from the same
guards; docs/WORKFLOW.md is the table drawn."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlmodel import select

from tests.conftest import LETTER, Cli, fixture_text, open_app
from workflow.app import ROLES
from workflow.errors import IllegalTransition, PermissionDenied
from workflow.lifecycle.diagram import workflow_markdown
from workflow.lifecycle.machine import ACTIONS, TRANSITIONS, State, allowed_triggers
from workflow.lifecycle.status import status
from workflow.lifecycle.steps import Blocked, decide
from workflow.review.amendments import close_review
from workflow.review.rounds import add_comment, circulate, dispose
from workflow.store.models import AuditEvent, Member

ROOT = Path(__file__).resolve().parents[2]


def _draft(ws: Cli, tmp_path: Path) -> str:
    path = tmp_path / "r.yaml"
    path.write_text(fixture_text("trilingual.yaml"), encoding="utf-8")
    return ws(["new", str(path)]).output.split()[0]


def _one_role_members(ws: Cli) -> None:
    for role in ROLES:
        ws(["member", "add", f"only-{role}", "--name", f"Only {role}", "--role", role])


def test_workflow_doc_is_the_table() -> None:
    assert (ROOT / "docs" / "WORKFLOW.md").read_text(encoding="utf-8") == workflow_markdown(), \
        "regenerate: python -m workflow.lifecycle.diagram > docs/WORKFLOW.md"


def test_allowed_triggers_come_from_the_machine() -> None:
    for state in State:
        expected = list(dict.fromkeys(s.trigger for s in TRANSITIONS if state in s.source))
        assert allowed_triggers(state.value) == expected
        from workflow.lifecycle.machine import machine

        assert set(expected) == set(machine().get_triggers(state.name))  # the machine agrees


def test_every_role_and_step_pair(ws: Cli, tmp_path: Path) -> None:
    """For each role and each step of the table, a member holding only that role is refused
    by the role guard exactly when the table does not name the role."""
    _one_role_members(ws)
    symbol = _draft(ws, tmp_path)
    app = open_app(ws.root)
    tried = 0
    try:
        with app.read() as session:
            row = app.resolution(session, symbol)
            for role in ROLES:
                member = session.get(Member, f"only-{role}")
                assert member is not None
                for trigger in dict.fromkeys(s.trigger for s in TRANSITIONS):
                    allowed = role in next(s for s in TRANSITIONS if s.trigger == trigger).roles
                    try:
                        decide(app, session, trigger, row=row, actor=member).require()
                    except PermissionDenied as exc:
                        assert not allowed, (role, trigger, str(exc))
                        assert f"only-{role} may not" in str(exc)
                    except (IllegalTransition, Blocked):
                        assert allowed, (role, trigger)  # the role passed; the state refused
                    else:
                        assert allowed, (role, trigger)
                    tried += 1
                for action, rule in ACTIONS.items():
                    roles = rule.roles
                    try:
                        decide(app, session, action, row=row if rule.about else None,
                               actor=member).require()
                    except PermissionDenied:
                        assert role not in roles, (role, action)
                    except (IllegalTransition, Blocked):
                        assert role in roles, (role, action)  # the role passed; the state refused
                    else:
                        assert role in roles, (role, action)
                    tried += 1
    finally:
        app.db.dispose()
    assert tried == len(ROLES) * (len({s.trigger for s in TRANSITIONS}) + len(ACTIONS))


def test_round_closes_only_when_every_comment_is_decided(ws: Cli, tmp_path: Path) -> None:
    symbol = _draft(ws, tmp_path)
    app = open_app(ws.root)
    try:
        circulate(app, symbol, ["rev-ru", "rev-zh"])
        add_comment(app, symbol, by="rev-ru", target="OP 1", type_="te", text="Name them")
        add_comment(app, symbol, by="rev-zh", target="general", type_="ge", text="同意")
        with pytest.raises(Blocked) as refused:
            close_review(app, symbol, changes=False)
        assert "comment(s) 1, 2 have no disposition" in str(refused.value)
        assert f"resolutions dispose {symbol} N" in str(refused.value)
        # status reads the same guard
        step = next(s for s in status(app, symbol).steps
                    if s["command"] == "close-review --no-objection")
        assert "comment(s) 1, 2 have no disposition" in step["blocked_by"]
        dispose(app, symbol, 1, "accepted", "done")
        with pytest.raises(Blocked, match="comment\\(s\\) 2 have"):
            close_review(app, symbol, changes=False)
        # forcing needs a reason, and the reason is in the log
        with pytest.raises(Exception, match="--reason"):
            close_review(app, symbol, changes=False, force=True)
        close_review(app, symbol, changes=False, force=True, reason="late comment, next round")
        with app.read() as session:
            event = session.exec(select(AuditEvent).where(
                AuditEvent.action == "close_review_no_objection")).one()
            detail = json.loads(event.detail)
            assert detail["forced"] is True and detail["reason"] == "late comment, next round"
        assert status(app, symbol).state == "for_approval"
    finally:
        app.db.dispose()


def test_comments_only_from_the_rounds_reviewers(ws: Cli, tmp_path: Path) -> None:
    symbol = _draft(ws, tmp_path)
    app = open_app(ws.root)
    try:
        circulate(app, symbol, ["rev-ru"])
        with pytest.raises(PermissionDenied, match="rev-zh is not a reviewer of round 1"):
            add_comment(app, symbol, by="rev-zh", target="OP 1", type_="ge", text="x")
        with pytest.raises(PermissionDenied, match="appr-ru may not comment"):
            add_comment(app, symbol, by="appr-ru", target="OP 1", type_="ge", text="x")
        assert add_comment(app, symbol, by="rev-ru", target="OP 1", type_="ge",
                           text="ok").number == 1
    finally:
        app.db.dispose()


def test_status_names_missing_certificates_and_who_signs(ws: Cli, tmp_path: Path) -> None:
    symbol = _draft(ws, tmp_path)
    ws(["circulate", symbol, "--reviewer", "rev-ru"])
    ws(["close-review", symbol, "--no-objection"])
    ws(["approve", symbol, "--by", "appr-ru", "--evidence", LETTER])
    ws(["approve", symbol, "--by", "appr-zh", "--evidence", LETTER])
    app = open_app(ws.root)
    try:
        result = status(app, symbol)
        sign = next(s for s in result.steps if s["trigger"] == "sign")
        assert sign["who"] == "signatory"
        assert "no signing certificate for appr-ru, appr-zh" in sign["blocked_by"]
        archive = [s for s in result.steps if s["trigger"] == "archive"]
        assert archive == []  # not from approved
    finally:
        app.db.dispose()


def test_close_review_options_exclude_each_other(ws: Cli, tmp_path: Path) -> None:
    symbol = _draft(ws, tmp_path)
    ws(["circulate", symbol, "--reviewer", "rev-ru"])
    assert ws(["close-review", symbol, "--changes", "--no-objection"], code=2)
    assert ws(["close-review", symbol], code=2)
    assert ws(["close-review", symbol, "--no-objection", "--reason", "x"], code=2)


def test_references_as_typed_in_comment_and_confirm(ws: Cli, tmp_path: Path) -> None:
    """`comment --ref` and `translations confirm --para` take what the Russian and Chinese
    copies print."""
    symbol = _draft(ws, tmp_path)
    ws(["circulate", symbol, "--reviewer", "rev-ru"])
    ws(["comment", symbol, "--by", "rev-ru", "--ref", "ОП 1(б)", "--type", "ed",
        "--text", "Запятая"])
    [comment] = json.loads(ws(["comments", symbol, "--json"]).output)["comments"]
    assert comment["ref"] == "OP 1(b)"
    out = ws(["translations", "confirm", symbol, "--lang", "zh", "--para", "执行段落 1"]).output
    assert "op-" in out or "confirmed" in out.lower() or out.strip()
    assert "no paragraph" not in out
    bad = ws(["translations", "confirm", symbol, "--lang", "zh", "--para", "OP 99"],
             code=1).output
    assert "--para 'OP 99'" in bad


def test_a_disposition_is_one_decision(ws: Cli, tmp_path: Path) -> None:
    symbol = _draft(ws, tmp_path)
    ws(["circulate", symbol, "--reviewer", "rev-ru"])
    ws(["comment", symbol, "--by", "rev-ru", "--ref", "OP 1", "--type", "ge", "--text", "x"])
    ws(["dispose", symbol, "1", "--accept", "--reject", "--note", "both"], code=2)
    ws(["dispose", symbol, "1", "--note", "none"], code=2)
    [row] = json.loads(ws(["comments", symbol, "--json"]).output)["comments"]
    assert row["disposition"] == ""
    ws(["dispose", symbol, "1", "--partial", "--note", "in part"])


def test_diff_names_a_version_that_does_not_exist(ws: Cli, tmp_path: Path) -> None:
    symbol = _draft(ws, tmp_path)
    out = ws(["diff", symbol, "--from", "9", "--to", "1"], code=1).output
    assert "has no version 9 (versions 1–1)" in out
    assert "is after" not in out


def test_documents_naming_members_follow_their_names(ws_sqlite: Cli, tmp_path: Path) -> None:
    """The certificate and the audit report name members in their events: a changed name
    is a new document, not a cache hit."""
    from tests.reliability.helpers import sql
    from workflow.documents.rendering import cache_key
    from workflow.store.texts import load_version
    symbol = _draft(ws_sqlite, tmp_path)

    def keys() -> list[str]:
        app = open_app(ws_sqlite.root)
        try:
            with app.read() as session:
                row = app.resolution(session, symbol)
                ver = app.version(session, row)
                model = load_version(session, ver)
                return [cache_key(app, session, row, ver, model, stage=stage, fmt="pdf",
                                  langs=["ru"], layout="single", reviewer=None, extra=None,
                                  variant=None, attachment_hashes=[])[0]
                        for stage in ("certificate", "audit-report", "draft")]
        finally:
            app.db.dispose()
    before = keys()
    sql(ws_sqlite.root, "UPDATE members SET name = 'Сидоров Пётр' WHERE id = 'rev-ru'")
    after = keys()
    assert before[0] != after[0] and before[1] != after[1]
    assert before[2] == after[2]  # the draft names no member


def test_sign_refuses_before_it_asks_for_the_passphrase(ws: Cli, tmp_path: Path) -> None:
    """A step that cannot happen is refused before anyone types a passphrase."""
    symbol = _draft(ws, tmp_path)
    out = ws(["sign", symbol, "--by", "appr-ru"], input="", code=1).output
    assert "is draft" in out and "Passphrase" not in out
    ws(["circulate", symbol, "--reviewer", "rev-ru"])
    ws(["close-review", symbol, "--no-objection"])
    ws(["approve", symbol, "--by", "appr-ru", "--evidence", LETTER])
    ws(["approve", symbol, "--by", "appr-zh", "--evidence", LETTER])
    out = ws(["sign", symbol, "--by", "appr-ru"], input="", code=1).output
    assert "appr-ru has no signing certificate" in out and "Passphrase" not in out
    out = ws(["sign", symbol, "--by", "rev-ru"], input="", code=1).output
    assert "rev-ru may not sign" in out and "Passphrase" not in out
