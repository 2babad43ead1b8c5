"""Ask last: every command refuses what it can before it asks for a passphrase, and with
no terminal and no passphrase file one line says what to pass (no GetPassWarning)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import LETTER, Cli, fixture_text

ROOT = Path(__file__).resolve().parents[2]


def _passfile(tmp_path: Path, name: str, value: str) -> str:
    path = tmp_path / f"{name}.pass"
    path.write_text(value + "\n", encoding="utf-8")
    return str(path)


def _run(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The command as a script runs it: stdin from /dev/null, output to pipes."""
    env = dict(os.environ, RESOLUTIONS_WORKSPACE=str(root), PYTHONPATH=str(ROOT))
    env.pop("RESOLUTIONS_LOG", None)
    return subprocess.run([sys.executable, "-c", "from cli import main; main()", *args],
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, env=env,
                          cwd=root)


def test_without_a_terminal_one_line_says_what_to_pass(ws_sqlite: Cli, tmp_path: Path) -> None:
    ws = ws_sqlite
    run = _run(ws.root, "keys", "init-ca")
    assert run.returncode == 2 and run.stdout == ""
    assert run.stderr.strip().splitlines() == [
        "Error: no terminal to ask for the new CA passphrase: give --passphrase-file FILE "
        "(its first line is the passphrase)"]
    assert "Warning" not in run.stderr
    as_json = _run(ws.root, "--json", "keys", "init-ca")
    assert json.loads(as_json.stderr)["error"] == "usage" and as_json.returncode == 2
    ws(["keys", "init-ca", "--passphrase-file", _passfile(tmp_path, "ca", "ca-Pass-1")])
    issue = _run(ws.root, "keys", "issue", "appr-ru")
    assert issue.returncode == 2 and "give --ca-passphrase-file FILE" in issue.stderr
    second = _run(ws.root, "keys", "issue", "appr-ru", "--ca-passphrase-file",
                  str(tmp_path / "ca.pass"))
    assert second.returncode == 2 and "give --passphrase-file FILE" in second.stderr
    assert "appr-ru" not in json.loads(ws(["keys", "list", "--json"]).stdout)["certificates"]


def test_refusals_come_before_the_passphrase(ws_sqlite: Cli, tmp_path: Path) -> None:
    ws = ws_sqlite

    def refused(args: list[str], code: int, words: str, actor: str | None = None) -> None:
        result = ws(args, input="", code=code, actor=actor)
        assert words in result.stderr and "assphrase:" not in result.output, result.output

    refused(["keys", "init-ca"], 1, "may not", actor="rev-ru")
    refused(["keys", "issue", "appr-ru"], 1, "no CA yet")
    refused(["keys", "issue", "nobody"], 1, "nobody")
    refused(["keys", "revoke", "appr-ru"], 1, "no registered certificate")
    ca = _passfile(tmp_path, "ca", "ca-Pass-1")
    ws(["keys", "init-ca", "--passphrase-file", ca])
    refused(["keys", "init-ca"], 1, "a CA already exists")
    ws(["keys", "issue", "appr-ru", "--ca-passphrase-file", ca, "--passphrase-file",
        _passfile(tmp_path, "ru", "ru-Pass-2")])
    refused(["keys", "issue", "appr-ru"], 1, "already exists")
    refused(["keys", "import", "nobody", str(tmp_path / "ru.pass")], 1, "nobody")
    # approving with a key: the state is checked first
    src = tmp_path / "res.yaml"
    src.write_text(fixture_text("trilingual.yaml"), encoding="utf-8")
    ws(["new", str(src)])
    p12 = str(ws.root / ".resolutions" / "keys" / "appr-ru.p12")
    refused(["approve", "1", "--by", "appr-ru", "--p12", p12], 1, "is draft")
    # and signing, as before
    refused(["sign", "1", "--by", "appr-ru"], 1, "is draft")


def test_with_a_terminal_the_passphrase_is_asked(ws_sqlite: Cli, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("cli._has_terminal", lambda: True)
    result = ws_sqlite(["keys", "init-ca"], input="ca-Pass-1\nca-Pass-1\n")
    assert "CA created" in result.stdout
    src = tmp_path / "res.yaml"
    src.write_text(fixture_text("trilingual.yaml"), encoding="utf-8")
    ws_sqlite(["new", str(src)])
    ws_sqlite(["circulate", "1", "--reviewer", "rev-ru"])
    ws_sqlite(["close-review", "1", "--no-objection"])
    ws_sqlite(["approve", "1", "--by", "appr-zh", "--evidence", LETTER])
    assert json.loads(ws_sqlite(["status", "1", "--json"]).stdout)["state"] == "for_approval"
