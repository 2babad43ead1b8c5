"""The error boundary: exit codes 0/1/2, one line per error, tracebacks only with
--verbose, honest words about the database, a reader that goes away (| head), logging."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import Cli, fixture_text

ROOT = Path(__file__).resolve().parents[2]


def _new(ws: Cli, tmp_path: Path) -> str:
    path = tmp_path / "res.yaml"
    path.write_text(fixture_text("trilingual.yaml"), encoding="utf-8")
    return ws(["new", str(path)]).stdout.strip().splitlines()[0]


def _total(ws: Cli) -> int:
    return int(json.loads(ws(["list", "--json"]).stdout)["total"])


def _boom(*_args: object, **_kwargs: object) -> None:
    raise ZeroDivisionError("division by zero")


def _error_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]


# -- exit codes ----------------------------------------------------------------------------
def test_ok_refusal_and_usage_exit_0_1_2(ws_sqlite: Cli, tmp_path: Path) -> None:
    ws = ws_sqlite
    _new(ws, tmp_path)
    assert ws(["status", "1"]).exit_code == 0
    refused = ws(["show", "99"], code=1)
    assert _error_lines(refused.stderr) == ["Error: no resolution '99'; see 'resolutions list'"]
    assert refused.stdout == ""
    illegal = ws(["archive", "1"], code=1)
    assert len(_error_lines(illegal.stderr)) == 1 and "Traceback" not in illegal.output
    usage = ws(["show"], code=2)
    assert "Missing argument 'REF'" in usage.stderr
    assert "choose exactly one of --accept, --reject or --partial" in ws(["dispose", "1", "1", "--note", "x"],
                                                          code=2).stderr


@pytest.mark.parametrize("error", ["workflow", "drafts", "signatures"])
def test_every_package_s_refusal_is_exit_1_with_its_sentence(
        ws_sqlite: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, error: str) -> None:
    from drafts.errors import SourceError
    from signatures.errors import PassphraseError
    from workflow.errors import NotFound

    exc = {"workflow": NotFound("no thing 'x'; see 'resolutions list'"),
           "drafts": SourceError("res.yaml: line 3: no title; add title.en"),
           "signatures": PassphraseError("wrong passphrase for li-wei.p12; try again")}[error]

    def refuse(*_args: object, **_kwargs: object) -> None:
        raise exc

    monkeypatch.setattr("workflow.lifecycle.overview.status", refuse)
    result = ws_sqlite(["status", "1"], code=1)
    assert _error_lines(result.stderr) == [f"Error: {exc}"]


def test_a_bug_is_exit_1_in_one_line_and_verbose_shows_where(
        ws_sqlite: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _new(ws_sqlite, tmp_path)
    monkeypatch.setattr("workflow.lifecycle.overview.status", _boom)
    result = ws_sqlite(["status", "1"], code=1)
    lines = _error_lines(result.stderr)
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: unexpected ZeroDivisionError: division by zero (a bug")
    assert "re-run with --verbose" in lines[0] and "Traceback" not in result.output
    assert "rolled back" in lines[0]  # a read: nothing was committed

    verbose = ws_sqlite(["--verbose", "status", "1"], code=1)
    assert "Traceback (most recent call last)" in verbose.stderr
    assert "in _boom" in verbose.stderr and 'raise ZeroDivisionError("division by zero")' in verbose.stderr
    assert verbose.stderr.rstrip().splitlines()[-1].startswith("Error: unexpected ZeroDivisionError")


def test_a_bug_inside_a_write_is_rolled_back_and_says_so(
        ws_sqlite: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "res.yaml"
    path.write_text(fixture_text("trilingual.yaml"), encoding="utf-8")
    monkeypatch.setattr("workflow.store.audit.record", _boom)  # either write path
    monkeypatch.setattr("workflow.store.writes.Writer.record", _boom)
    line = _error_lines(ws_sqlite(["new", str(path)], code=1).stderr)[0]
    assert "the step's database changes were rolled back" in line and "saved" not in line
    monkeypatch.undo()
    assert _total(ws_sqlite) == 0


def test_a_bug_after_the_commit_says_the_change_stays(
        ws_sqlite: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "res.yaml"
    path.write_text(fixture_text("trilingual.yaml"), encoding="utf-8")
    monkeypatch.setattr("workflow.drafting.versioning.opener_hints_of", _boom)
    line = _error_lines(ws_sqlite(["new", str(path)], code=1).stderr)[0]
    assert "the changes committed before it stay saved" in line and "rolled back" not in line
    monkeypatch.undo()
    assert _total(ws_sqlite) == 1


def test_doctor_and_templates_are_inside_the_boundary(
        ws_sqlite: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("workflow.doctor.run_checks", _boom)
    doctor = ws_sqlite(["doctor"], code=1)
    assert _error_lines(doctor.stderr) == [
        "Error: unexpected ZeroDivisionError: division by zero (a bug; re-run with --verbose "
        "to see where it happened)"]  # never opened the database: says nothing about it
    monkeypatch.setattr("templates.admin.check_templates", _boom)
    assert len(_error_lines(ws_sqlite(["templates", "check", str(tmp_path)], code=1).stderr)) == 1
    monkeypatch.setattr("templates.admin.list_templates", _boom)
    assert "ZeroDivisionError" in ws_sqlite(["templates", "list"], code=1).stderr


# -- a reader that goes away ---------------------------------------------------------------
def _env(root: Path) -> dict[str, str]:
    env = dict(os.environ, RESOLUTIONS_WORKSPACE=str(root), PYTHONPATH=str(ROOT))
    env.pop("RESOLUTIONS_LOG", None)
    return env


RESOLUTIONS = f"{sys.executable} -c 'from cli import main; main()'"


def test_log_piped_into_head_ends_quietly(ws_sqlite: Cli, tmp_path: Path) -> None:
    symbol = _new(ws_sqlite, tmp_path)
    run = subprocess.run(["bash", "-c", f"set -o pipefail; {RESOLUTIONS} log 1 | head -1"],
                         capture_output=True, text=True, env=_env(ws_sqlite.root), cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert run.stdout == f"{symbol}\n" and run.stderr == ""


def _closed_reader(root: Path, args: list[str]) -> subprocess.CompletedProcess[str]:
    """Run with stdout a pipe whose reading end is closed before the command starts:
    its first write fails with EPIPE, every time."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        return subprocess.run([sys.executable, "-c", "from cli import main; main()", *args],
                              stdout=write_end, stderr=subprocess.PIPE, text=True,
                              env=_env(root), cwd=root)
    finally:
        os.close(write_end)


@pytest.mark.parametrize("args", [["log", "1"], ["source", "1"], ["list", "--json"]])
def test_a_closed_pipe_is_not_an_error(ws_sqlite: Cli, tmp_path: Path, args: list[str]) -> None:
    _new(ws_sqlite, tmp_path)
    run = _closed_reader(ws_sqlite.root, args)
    assert run.returncode == 0 and run.stderr == "", run.stderr


def test_a_closed_pipe_after_a_write_keeps_what_was_committed(ws_sqlite: Cli,
                                                              tmp_path: Path) -> None:
    _new(ws_sqlite, tmp_path)
    run = _closed_reader(ws_sqlite.root, ["withdraw", "1", "--reason", "merged"])
    assert run.returncode == 0 and "Error" not in run.stderr, run.stderr
    assert json.loads(ws_sqlite(["status", "1", "--json"]).stdout)["state"] == "withdrawn"
    overrides = tmp_path / "overrides"
    overrides.mkdir()
    (overrides / "stray.txt").write_text("x", encoding="utf-8")
    failing = _closed_reader(ws_sqlite.root, ["templates", "check", str(overrides)])
    assert failing.returncode == 1 and failing.stderr == ""  # the verdict outlives the pipe


# -- logging -------------------------------------------------------------------------------
def test_logging_levels_from_flags_and_environment(ws_sqlite: Cli, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    _new(ws_sqlite, tmp_path)
    quiet = ws_sqlite(["list", "--json"])
    assert quiet.stderr == ""
    info = ws_sqlite(["-v", "list", "--json"])
    assert json.loads(info.stdout)["total"] == 1  # logs never mix into the JSON
    assert "INFO cli: resolutions list" in info.stderr and "DEBUG" not in info.stderr
    debug = ws_sqlite(["-vv", "list"])
    assert f"DEBUG cli: workspace {ws_sqlite.root}" in debug.stderr
    monkeypatch.setenv("RESOLUTIONS_LOG", "info")
    assert "INFO cli: resolutions status" in ws_sqlite(["status", "1"]).stderr
    monkeypatch.setenv("RESOLUTIONS_LOG", "loud")
    bad = ws_sqlite(["list"], code=2)
    assert "RESOLUTIONS_LOG=loud: write debug, info or warning" in bad.stderr


def test_a_refusal_is_logged_at_info_and_a_bug_at_debug(
        ws_sqlite: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert "INFO cli: refused: NotFound" in ws_sqlite(["-v", "show", "7"], code=1).stderr
    monkeypatch.setattr("workflow.lifecycle.overview.status", _boom)
    debug = ws_sqlite(["-vv", "status", "1"], code=1).stderr
    assert "DEBUG cli: unexpected ZeroDivisionError" in debug


def test_in_process_callers_see_what_a_shell_sees(ws_sqlite: Cli, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    """Run without click's standalone handling (as the demo and worker pools do): a refusal
    and a bug still end in SystemExit with the shell's exit code and the one line."""
    from cli import cli

    def run(*args: str) -> int:
        try:
            cli.main(args=["--workspace", str(ws_sqlite.root), *args], prog_name="resolutions",
                     standalone_mode=False)
        except SystemExit as exc:
            return int(exc.code or 0)
        return 0

    assert run("show", "5") == 1
    assert capsys.readouterr().err == "Error: no resolution '5'; see 'resolutions list'\n"
    monkeypatch.setattr("workflow.lifecycle.overview.status", _boom)
    assert run("status", "5") == 1
    assert capsys.readouterr().err.startswith("Error: unexpected ZeroDivisionError")
