"""No back doors: the environment of a normal run moves neither the clock nor a crash point.

The test hooks live in tests/launch.py only. Here the installed `resolutions` command is run
as a user would, with the variables a member might set to back-date an approval or to kill
a colleague's command: the events carry the real time and the command completes. And the
audit log refuses an event dated before the one it follows, whatever the clock says."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.conftest import Cli, env_for, open_app
from tests.launch import env_clock
from tests.reliability.helpers import BIN, draft, sql
from workflow import clock
from workflow.errors import WorkflowError
from workflow.review.rounds import circulate


def _real_run(root: Path, args: list[str], **env: str) -> subprocess.CompletedProcess[str]:
    full = {**env_for(root), **env}
    return subprocess.run([str(BIN), "--workspace", str(root), *args], env=full,
                          capture_output=True, text=True, timeout=300)


def test_environment_cannot_backdate_events_or_kill_commands(ws_sqlite: Cli,
                                                             tmp_path: Path) -> None:
    ws = ws_sqlite
    symbol = draft(ws, tmp_path)
    log = tmp_path / "crash.log"
    before = dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=1)
    done = _real_run(ws.root, ["circulate", symbol, "--reviewer", "rev-ru"],
                     RESOLUTIONS_NOW="2001-01-01T00:00:00+00:00",
                     RESOLUTIONS_CRASH_AT="write.before-rename,render.after-write",
                     RESOLUTIONS_CRASH_LOG=str(log))
    assert done.returncode == 0, done.stderr
    at = sql(ws.root, "SELECT at FROM audit_events WHERE action = 'circulate'")[0][0]
    when = dt.datetime.fromisoformat(str(at))
    when = when if when.tzinfo else when.replace(tzinfo=dt.timezone.utc)
    assert when >= before, f"the event is dated {when}: the environment moved the clock"
    assert not log.exists(), "a crash point was armed from the environment"
    assert json.loads(ws(["status", symbol, "--json"]).output)["state"] == "in_review"


def test_an_event_is_never_dated_before_its_predecessor(ws_sqlite: Cli,
                                                        tmp_path: Path) -> None:
    ws = ws_sqlite
    symbol = draft(ws, tmp_path)
    count = sql(ws.root, "SELECT count(*) FROM audit_events")[0][0]
    app = open_app(ws.root)
    clock.use(lambda: dt.datetime(2020, 1, 1, tzinfo=dt.timezone.utc))
    try:
        with pytest.raises(WorkflowError, match="never dated back"):
            circulate(app, symbol, ["rev-ru"])
    finally:
        clock.use(env_clock)
        app.db.dispose()
    assert sql(ws.root, "SELECT count(*) FROM audit_events")[0][0] == count
    assert json.loads(ws(["status", symbol, "--json"]).output)["state"] == "draft"


def test_the_installed_command_reads_no_test_variable() -> None:
    """A guard on the code itself: only tests/ names the hook variables."""
    root = Path(__file__).resolve().parents[2]
    for folder in ("workflow", "drafts", "templates", "signatures"):
        for path in (root / folder).rglob("*.py"):
            text = path.read_text(encoding="utf-8")
            for name in ("RESOLUTIONS_NOW", "RESOLUTIONS_CRASH_AT", "RESOLUTIONS_CRASH_LOG"):
                assert name not in text, f"{path.relative_to(root)} reads {name}"
    assert "RESOLUTIONS_NOW" not in (root / "cli.py").read_text(encoding="utf-8")
    assert os.environ.get("RESOLUTIONS_NOW")  # the suite itself runs on the frozen clock
