"""The secretary's day without traps: confirming a translation after an edit of another
language, member edit/remove, the `$EDITOR` buffer kept on a mistake, redlines between any
two versions. Service level and CLI level, asserting on DB rows and printed content."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from tests.conftest import Cli, fixture_text, make_workspace, open_app
from tests.pg import Cluster

pytestmark = pytest.mark.slow  # several workspaces on both backends / PDFs rendered

SOURCE = fixture_text("trilingual.yaml")


def _draft(ws: Cli, tmp_path: Path) -> str:
    path = tmp_path / "r.yaml"
    path.write_text(SOURCE, encoding="utf-8")
    return ws(["new", str(path)]).output.split()[0]


def _edit(ws: Cli, tmp_path: Path, symbol: str, text: str, note: str = "edit") -> None:
    path = tmp_path / f"edit-{abs(hash(text))}.yaml"
    path.write_text(text, encoding="utf-8")
    ws(["edit", symbol, str(path), "--note", note])


def _stale(ws: Cli, symbol: str) -> dict[str, list[str]]:
    """Reference → the stale languages (the findings of one paragraph merged)."""
    report = json.loads(ws(["check", symbol, "--json"], code=None).output)
    out: dict[str, list[str]] = {}
    for finding in report["findings"]:
        if finding["rule"] == "stale":
            out[finding["ref"]] = sorted(out.get(finding["ref"], []) + finding["languages"])
    return out


EN_EDIT = ("to prepare a roadmap until 2030", "to prepare a detailed roadmap until 2030")
ZH_FIX = ("*责成*工作组制定至2030年的路线图", "*责成*工作组制定至2030年的详细路线图")


def test_confirming_one_language_keeps_the_source_fresh(ws: Cli, tmp_path: Path) -> None:
    """edit en OP 2, confirm zh OP 2: only ru is stale (en, the source, is not); fix zh in a
    new version and confirm it: en stays fresh, ru is stale only against en."""
    symbol = _draft(ws, tmp_path)
    text = SOURCE.replace(*EN_EDIT)
    _edit(ws, tmp_path, symbol, text, "en")
    assert _stale(ws, symbol) == {"OP 2": ["ru", "zh"]}
    ws(["translations", "confirm", symbol, "--lang", "zh", "--para", "OP 2"])
    assert _stale(ws, symbol) == {"OP 2": ["ru"]}
    _edit(ws, tmp_path, symbol, text.replace(*ZH_FIX), "zh fixed")
    assert _stale(ws, symbol) == {"OP 2": ["en", "ru"]}
    out = ws(["translations", "confirm", symbol, "--lang", "zh"]).output
    assert "op-roadmap" in out
    assert _stale(ws, symbol) == {"OP 2": ["ru"]}
    report = json.loads(ws(["check", symbol, "--json"], code=None).output)
    [finding] = [f for f in report["findings"] if f["rule"] == "stale"]
    assert "earlier English text" in finding["message"]
    assert "Chinese" not in finding["message"]
    ws(["translations", "confirm", symbol, "--lang", "ru", "--para", "ОП 2"])
    assert _stale(ws, symbol) == {}


def test_confirm_service_records_what_each_language_has_seen(ws_sqlite: Cli, tmp_path: Path
                                                              ) -> None:
    from drafts.staleness import text_hash
    from workflow.drafting.translations import confirm
    from workflow.store.models import TranslationState

    ws = ws_sqlite
    symbol = _draft(ws, tmp_path)
    text = SOURCE.replace(*EN_EDIT).replace(*ZH_FIX)
    _edit(ws, tmp_path, symbol, text, "en and zh")
    app = open_app(ws.root)
    try:
        assert confirm(app, symbol, "zh", ["op-roadmap"]) == ["op-roadmap"]
        with app.read() as session:
            row = app.resolution(session, symbol)
            state = session.get(TranslationState, row.id)
            assert state is not None
            records = json.loads(state.records_json)["op-roadmap"]
        zh_now = text_hash(ZH_FIX[1] + "；")
        assert records["ru"]["zh"] == records["en"]["zh"] == zh_now
        assert records["ru"]["en"] != text_hash(
            "*Instructs* the working group to prepare a detailed roadmap until 2030;")
    finally:
        app.db.dispose()


# -- member edit / member remove ---------------------------------------------------------
def _members(ws: Cli) -> dict[str, dict]:  # type: ignore[type-arg]
    return {m["id"]: m for m in json.loads(ws(["member", "list", "--json"]).output)["members"]}


def _member_events(ws: Cli, member_id: str) -> list[tuple[str, dict]]:  # type: ignore[type-arg]
    from sqlmodel import select

    from workflow.store.models import AuditEvent

    app = open_app(ws.root)
    try:
        with app.read() as session:
            events = session.exec(select(AuditEvent).order_by(AuditEvent.seq))
            out = [(e.action, json.loads(e.detail)) for e in events
                   if e.action.startswith("member-")]
    finally:
        app.db.dispose()
    return [(a, d) for a, d in out if d.get("member") == member_id]


def test_circulate_names_the_command_that_gives_the_role(ws: Cli, tmp_path: Path) -> None:
    symbol = _draft(ws, tmp_path)
    out = ws(["circulate", symbol, "--reviewer", "appr-ru"], code=1).output
    hint = "resolutions member edit appr-ru --roles approver,reviewer,signatory"
    assert f"'{hint}'" in out
    edited = ws(hint.split()[1:]).output
    assert "Changed appr-ru: roles" in edited
    assert _members(ws)["appr-ru"]["roles"] == ["approver", "reviewer", "signatory"]
    ws(["circulate", symbol, "--reviewer", "appr-ru"])
    assert ws(["audit", "verify"]).exit_code == 0


def test_member_edit_is_audited_with_the_new_data(ws: Cli) -> None:
    out = json.loads(ws(["member", "edit", "rev-zh", "--email", "wang.fang@wg.example",
                         "--name-en", "Wang Fang", "--org", "TTF", "--json"]).output)
    assert out["changed"] == ["org", "email", "names"]
    listed = _members(ws)["rev-zh"]
    assert (listed["email"], listed["org"], listed["names"]) == (
        "wang.fang@wg.example", "TTF", {"en": "Wang Fang"})
    assert listed["roles"] == ["reviewer"] and listed["active"] is True
    [(_, added), (action, detail)] = _member_events(ws, "rev-zh")
    assert action == "member-edit"
    assert detail["email"] == "wang.fang@wg.example" and detail["roles"] == ["reviewer"]
    assert detail["changed"] == ["org", "email", "names"]
    assert "nothing to change" in ws(["member", "edit", "rev-zh", "--org", "TTF"]).output
    assert len(_member_events(ws, "rev-zh")) == 2  # no event for no change
    # refused: bad data, an unknown role, the last secretary, a member who is not secretary
    assert "invalid e-mail" in ws(["member", "edit", "rev-zh", "--email", "x@"], code=1).output
    assert "unknown role(s) boss" in ws(["member", "edit", "rev-zh", "--roles", "boss"],
                                        code=1).output
    assert "only secretary" in ws(["member", "edit", "sec", "--roles", "reviewer"],
                                  code=1).output
    assert "U+202E" in ws(["member", "edit", "rev-zh", "--name", "王\u202e芳"], code=1).output
    assert _members(ws)["rev-zh"]["name"] == "王芳"
    ws(["audit", "verify"])


def test_member_edit_needs_the_secretary(ws_sqlite: Cli) -> None:
    out = ws_sqlite(["member", "edit", "rev-zh", "--roles", "reviewer,approver"],
                    actor="rev-ru", code=1).output
    assert "rev-ru may not member edit" in out or "may not" in out
    assert _members(ws_sqlite)["rev-zh"]["roles"] == ["reviewer"]


def test_member_without_history_is_deleted(ws: Cli) -> None:
    assert "Removed appr-ru2" in ws(["member", "remove", "appr-ru2"]).output
    assert "appr-ru2" not in _members(ws)
    assert [a for a, _ in _member_events(ws, "appr-ru2")] == ["member-add", "member-remove"]
    ws(["audit", "verify"])
    assert "no member 'appr-ru2'" in ws(["member", "remove", "appr-ru2"], code=1).output


def test_member_with_history_is_deactivated_and_cannot_act(ws: Cli, tmp_path: Path) -> None:
    symbol = _draft(ws, tmp_path)
    ws(["circulate", symbol, "--reviewer", "rev-ru", "--reviewer", "rev-zh"])
    ws(["comment", symbol, "--by", "rev-ru", "--ref", "OP 1", "--type", "ge", "--text", "ok"])
    out = ws(["member", "remove", "rev-ru"]).output
    assert "deactivated" in out
    listed = _members(ws)["rev-ru"]
    assert listed["active"] is False and listed["roles"] == []
    assert "(removed)" in ws(["member", "list"]).output
    [*_, (action, detail)] = _member_events(ws, "rev-ru")
    assert action == "member-remove"
    assert detail["had_roles"] == ["reviewer"] and detail["outcome"] == "deactivated"
    # their comment still names them; they can no longer act or be chosen
    [comment] = json.loads(ws(["comments", symbol, "--json"]).output)["comments"]
    assert comment["author"] == "rev-ru"
    assert "rev-ru was removed" in ws(["comment", symbol, "--by", "rev-ru", "--ref", "OP 2",
                                       "--type", "ge", "--text", "again"], code=1).output
    assert "was already removed" in ws(["member", "remove", "rev-ru"], code=1).output
    assert "cannot be changed" in ws(["member", "edit", "rev-ru", "--roles", "reviewer"],
                                     code=1).output
    ws(["dispose", symbol, "1", "--accept", "--note", "noted"])
    ws(["close-review", symbol, "--changes"])
    out = ws(["circulate", symbol, "--reviewer", "rev-ru"], code=1).output
    assert "rev-ru was removed from the working group" in out
    ws(["audit", "verify"])


def test_member_changes_behind_the_engines_back_are_found(ws_sqlite: Cli, tmp_path: Path
                                                           ) -> None:
    from tests.reliability.helpers import sql

    ws = ws_sqlite
    symbol = _draft(ws, tmp_path)
    ws(["circulate", symbol, "--reviewer", "rev-ru"])
    ws(["member", "edit", "rev-zh", "--roles", "reviewer,approver"])
    ws(["member", "remove", "rev-ru"])
    ws(["audit", "verify"])
    sql(ws.root, "UPDATE members SET active = 1 WHERE id = 'rev-ru'")
    sql(ws.root, "DELETE FROM member_roles WHERE member_id = 'rev-zh' AND role = 'approver'")
    out = ws(["audit", "verify"], code=1).output
    assert "member rev-ru" in out and "is active although audit event" in out
    assert "member rev-zh" in out and "differ from those recorded (approver, reviewer" in out
    sql(ws.root, "UPDATE members SET active = 0 WHERE id = 'appr-ru'")
    assert "member appr-ru" in ws(["audit", "verify"], code=1).output


def test_deactivated_member_cannot_act_as_themselves(ws_sqlite: Cli, tmp_path: Path) -> None:
    ws = ws_sqlite
    symbol = _draft(ws, tmp_path)
    ws(["circulate", symbol, "--reviewer", "rev-ru", "--reviewer", "rev-zh"])
    ws(["comment", symbol, "--by", "rev-zh", "--ref", "OP 1", "--type", "ge", "--text", "ok"])
    ws(["member", "remove", "rev-zh"])
    out = ws(["comment", symbol, "--ref", "OP 1", "--type", "ge", "--text", "x"],
             actor="rev-zh", code=1).output
    assert "rev-zh was removed from the working group" in out


@pytest.mark.postgres
def test_postgres_login_role_follows_the_member(tmp_path: Path, pg_cluster: Cluster,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """The member's login role is in the groups of their roles after an edit; a removed
    member's role loses every group and its login (or is dropped with no history)."""
    from sqlalchemy import create_engine, text

    url = pg_cluster.create_database()
    monkeypatch.setenv("RESOLUTIONS_DATABASE_URL", url)
    ws = make_workspace(tmp_path / "ws")
    database = url.split("?")[0].rsplit("/", 1)[-1]
    engine = create_engine(url)

    def role(member: str) -> tuple[bool, set[str]] | None:
        name = f"{database}_{member}"
        with engine.connect() as conn:
            login = conn.execute(text("SELECT rolcanlogin FROM pg_roles WHERE rolname = :n"),
                                 {"n": name}).scalar()
            if login is None:
                return None
            groups = conn.execute(text(
                "SELECT g.rolname FROM pg_auth_members a JOIN pg_roles g ON g.oid = a.roleid "
                "JOIN pg_roles m ON m.oid = a.member WHERE m.rolname = :n"), {"n": name})
            return bool(login), {str(g).removeprefix(f"{database}_") for g in groups.scalars()}

    try:
        assert role("appr-ru") == (True, {"members", "r_approver", "r_signatory"})
        ws(["member", "edit", "appr-ru", "--roles", "reviewer,approver"])
        assert role("appr-ru") == (True, {"members", "r_approver", "r_reviewer"})
        symbol = _draft(ws, tmp_path)
        ws(["circulate", symbol, "--reviewer", "appr-ru"])
        ws(["member", "remove", "appr-ru"])
        assert role("appr-ru") == (False, set())
        ws(["member", "remove", "appr-ru2"])
        assert role("appr-ru2") is None
        ws(["audit", "verify"])
    finally:
        engine.dispose()


# -- a rejected $EDITOR buffer is kept ---------------------------------------------------
EDITOR = Path(__file__).resolve().parents[1] / "cli" / "fixing_editor.py"


def _operative_line(text: str) -> int:
    return text.splitlines().index("operative:") + 1


def test_editor_mistake_off_a_terminal_keeps_the_buffer(ws_sqlite: Cli, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch
                                                        ) -> None:
    ws = ws_sqlite
    symbol = _draft(ws, tmp_path)
    monkeypatch.setenv("EDITOR", f"{sys.executable} {EDITOR}")
    monkeypatch.setenv("EDIT_LOG", str(tmp_path / "log"))
    out = ws(["edit", symbol], code=1).output
    [line] = out.strip().splitlines()
    assert f"<editor>:{_operative_line(ws(['source', symbol]).output)}:" in line
    assert "your text is kept in" in line and "Reopen" not in line
    kept = Path(line.split("your text is kept in ")[1].split(" — ")[0])
    assert kept.parent == ws.root / ".resolutions" / "edits"
    assert f"'resolutions edit {symbol} {kept}'" in line
    buffer = kept.read_text(encoding="utf-8")
    assert "until 2031" in buffer and "operative: : oops" in buffer
    assert json.loads(ws(["show", symbol, "--json"]).output)["version"] == 1
    # resume as the message says: fix the file, hand it to edit
    kept.write_text(buffer.replace("operative: : oops", "operative:"), encoding="utf-8")
    assert "version 2 stored" in ws(["edit", symbol, str(kept)]).output
    assert "until 2031" in ws(["show", symbol, "--lang", "en"]).output


def test_editor_mistake_on_a_terminal_reopens_at_the_line(ws_sqlite: Cli, tmp_path: Path
                                                          ) -> None:
    """Played on a real pseudo-terminal: the error and the offer are shown, "y" reopens the
    editor with +LINE on the buffer as it was, and the mended text is stored."""
    import os
    import pty
    import select
    import subprocess

    from tests.conftest import env_for

    ws = ws_sqlite
    symbol = _draft(ws, tmp_path)
    vi = tmp_path / "bin" / "vi"  # named like vi: an editor that takes +LINE
    vi.parent.mkdir()
    vi.write_text(f"#!/bin/sh\nexec {sys.executable} {EDITOR} \"$@\"\n", encoding="utf-8")
    vi.chmod(0o755)
    env = {**env_for(ws.root), "EDITOR": str(vi), "EDIT_LOG": str(tmp_path / "log"),
           "VISUAL": ""}
    leader, follower = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "tests.launch", "edit", symbol],
                            stdin=follower, stdout=follower, stderr=follower, env=env,
                            cwd=Path(__file__).resolve().parents[2])
    os.close(follower)
    seen, answered = b"", False
    while True:
        ready, _, _ = select.select([leader], [], [], 60)
        if not ready:
            break
        try:
            chunk = os.read(leader, 4096)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
        if not answered and b"Reopen the editor" in seen and b"?" in seen.split(b"Reopen")[-1]:
            os.write(leader, b"y\n")
            answered = True
    proc.wait(timeout=60)
    os.close(leader)
    shown = seen.decode("utf-8", "replace")
    line = _operative_line(ws(["source", symbol]).output)
    assert answered, shown
    assert f"<editor>:{line}" in shown and f"Reopen the editor at line {line}?" in shown
    assert proc.returncode == 0, shown
    calls = (tmp_path / "log").read_text(encoding="utf-8").splitlines()
    assert calls == ["", f"+{line}"]
    assert "version 2 stored" in shown
    assert "until 2031" in ws(["show", symbol, "--lang", "en"]).output


def test_editor_at_line_knows_which_editors_take_a_line() -> None:
    from workflow.drafting.editing import editor_at_line

    assert editor_at_line(12, {"EDITOR": "vim"}) == "vim +12"
    assert editor_at_line(3, {"EDITOR": "/usr/bin/nano -w"}) == "/usr/bin/nano -w +3"
    assert editor_at_line(3, {"VISUAL": "emacs", "EDITOR": "code --wait"}) == "emacs +3"
    assert editor_at_line(3, {"EDITOR": "code --wait"}) == "code --wait"
    assert editor_at_line(None, {"EDITOR": "vim"}) == "vim"
    assert editor_at_line(5, {}) is None


def test_member_services(ws: Cli, tmp_path: Path) -> None:
    from workflow.errors import InvalidInput
    from workflow.member_changes import edit_member, has_history, remove_member

    app = open_app(ws.root)
    try:
        info, changed = edit_member(app, "appr-zh", roles=["approver"], lang="zh",
                                    names={"en": "Li Wei"})
        assert changed == ["names", "roles"] and info.roles == ["approver"]
        with app.read() as session:
            assert not has_history(session, "appr-zh")  # edits of one's record are no history
        symbol = _draft(ws, tmp_path)
        ws(["circulate", symbol, "--reviewer", "rev-zh"])
        with app.read() as session:
            assert has_history(session, "rev-zh") and has_history(session, "sec")
            assert not has_history(session, "rev-ru")
        assert remove_member(app, "rev-ru") == ("rev-ru", "deleted")
        assert remove_member(app, "rev-zh") == ("rev-zh", "deactivated")
        with pytest.raises(InvalidInput, match="cannot remove yourself"):
            remove_member(app, "sec")
    finally:
        app.db.dispose()


def test_editor_does_not_open_when_the_edit_would_be_refused(ws_sqlite: Cli, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch
                                                              ) -> None:
    ws = ws_sqlite
    symbol = _draft(ws, tmp_path)
    ws(["circulate", symbol, "--reviewer", "rev-ru"])
    monkeypatch.setenv("EDITOR", f"{sys.executable} {EDITOR}")
    monkeypatch.setenv("EDIT_LOG", str(tmp_path / "log"))
    out = ws(["edit", symbol], code=1).output
    assert "in_review" in out
    assert not (tmp_path / "log").exists()  # nothing typed, nothing lost
