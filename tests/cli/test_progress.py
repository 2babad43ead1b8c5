"""Progress of long steps: a bar on a terminal, one line per finished step on stderr
otherwise, nothing under --json; the services report through workflow.progress."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest

from tests.conftest import Cli, fixture_text, open_app


def _new(ws: Cli, tmp_path: Path) -> None:
    path = tmp_path / "res.yaml"
    path.write_text(fixture_text("trilingual.yaml"), encoding="utf-8")
    ws(["new", str(path)])


def test_off_a_terminal_one_line_per_finished_step_and_none_under_json(
        ws_sqlite: Cli, tmp_path: Path) -> None:
    ws = ws_sqlite
    _new(ws, tmp_path)
    out = tmp_path / "out"
    rendered = ws(["render", "1", "--stage", "draft", "--format", "all", "--lang", "en",
                   "--layout", "single", "-o", str(out)])
    assert rendered.stderr.splitlines() == ["done: render (2)"]
    assert [Path(p).suffix for p in rendered.stdout.split()] == [".pdf", ".docx"]
    quiet = ws(["render", "1", "--stage", "draft", "--lang", "en", "--layout", "single",
                "-o", str(out), "--json"])
    assert quiet.stderr == "" and json.loads(quiet.stdout)["files"][0]["cached"]
    circulated = ws(["circulate", "1", "--reviewer", "rev-ru", "--reviewer", "rev-zh"])
    assert "done: review copies (2)" in circulated.stderr.splitlines()
    assert "done:" not in circulated.stdout


def test_the_services_report_their_steps(ws_sqlite: Cli, tmp_path: Path) -> None:
    from workflow import progress
    from workflow.documents.rendering import render

    _new(ws_sqlite, tmp_path)
    seen: list[tuple[str, int, int]] = []
    app = open_app(str(ws_sqlite.root), None)
    try:
        with progress.reporting(lambda *step: seen.append(step)):
            render(app, "1", stage="draft", formats=["pdf", "docx"], languages=["en"],
                   layout="single", out_dir=tmp_path / "o")
        render(app, "1", stage="draft", formats=["pdf"], languages=["ru"], layout="single",
               out_dir=tmp_path / "o")  # no reporter: nothing is told
    finally:
        app.db.dispose()
    assert seen == [("render", 0, 2), ("render", 1, 2), ("render", 2, 2)]


def test_on_a_terminal_a_bar_on_stderr(monkeypatch: pytest.MonkeyPatch) -> None:
    from workflow import progress
    from workflow.presenting import terminal

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    screen = Tty()
    monkeypatch.setattr(sys, "stderr", screen)
    with terminal.progress_bar(True):
        progress.advance("render", 0, 3)
        progress.advance("render", 3, 3)
    drawn = screen.getvalue()
    assert "render" in drawn and "3/3" in drawn and "\x1b[" in drawn  # drawn, then erased
    assert "done:" not in drawn
    lines: list[str] = []
    monkeypatch.setattr(sys, "stderr", io.StringIO())
    with terminal.progress_bar(True, say=lines.append):
        with progress.stage("package"):
            pass
        progress.advance("render", 1, 2)
    assert lines == ["done: package"]
