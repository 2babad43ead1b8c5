"""Output for scripts: --json on every command (before or after its name), one object with
the declared keys, errors as {"error", "message"} on stderr with stable codes, exit codes
exactly 0/1/2, a missing file on the command line is a usage error everywhere."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click
import pytest

from tests.conftest import Cli, fixture_text


def _new(ws: Cli, tmp_path: Path) -> str:
    path = tmp_path / "res.yaml"
    path.write_text(fixture_text("trilingual.yaml"), encoding="utf-8")
    return json.loads(ws(["new", str(path), "--json"]).stdout)["symbol"]


def _declared(path: list[str]) -> list[list[str]]:
    from cli import cli

    command: Any = cli
    for word in path:
        command = command.commands[word]
    return [shape.split() for shape in " ".join(command.json_keys).split("|")]


def _error(result: Any) -> dict[str, str]:
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert result.stdout == ""
    data = json.loads(lines[0])
    assert set(data) == {"error", "message"} and data["message"], data
    return data


# -- every command's object has the keys it declares ---------------------------------------
READS = [
    ["member", "list"], ["body", "list"], ["list"], ["show", "1"], ["source", "1"],
    ["status", "1"], ["check", "1"], ["log", "1"], ["diff", "1", "--from", "1", "--to", "2"],
    ["comments", "1"], ["amendments", "1"], ["submissions", "1"], ["outbox"],
    ["audit", "head"], ["audit", "verify"], ["templates", "list"], ["keys", "list"],
    ["statement", "1", "--by", "appr-ru", "--for", "approve"],
]


def test_global_and_per_command_json_give_the_declared_object(ws_sqlite: Cli,
                                                              tmp_path: Path) -> None:
    ws = ws_sqlite
    _new(ws, tmp_path)
    edited = tmp_path / "v2.yaml"
    edited.write_text(fixture_text("trilingual.yaml").replace("2030", "2035"), encoding="utf-8")
    out = json.loads(ws(["--json", "edit", "1", str(edited), "--note", "year"]).stdout)
    assert set(out) == set(_declared(["edit"])[0]) and out["version"] == 2 and out["changed"]
    for args in READS:
        words = [w for w in args if not w[0].isdigit() and not w.startswith("-")]
        path = words[:2] if words[:1] in (["member"], ["body"], ["audit"], ["templates"],
                                           ["keys"]) else words[:1]
        for argv in (["--json", *args], [*args, "--json"]):
            result = ws(argv, code=None)
            assert result.exit_code in (0, 1), (argv, result.output)
            data = json.loads(result.stdout)
            assert isinstance(data, dict), argv
            assert sorted(data) in [sorted(s) for s in _declared(path)], (argv, sorted(data))
    assert "symbol: RCWG/RES/2024/1" in json.loads(ws(["--json", "source", "1"]).stdout)["source"]


def test_write_commands_answer_in_json_when_asked_globally(ws_sqlite: Cli,
                                                           tmp_path: Path) -> None:
    ws = ws_sqlite
    symbol = _new(ws, tmp_path)
    added = json.loads(ws(["--json", "member", "add", "obs", "--name", "Observer"]).stdout)
    assert added["id"] == "obs" and set(added) == set(_declared(["member", "add"])[0])
    circ = json.loads(ws(["--json", "circulate", "1", "--reviewer", "rev-ru"]).stdout)
    assert circ["state"] == "in_review" and set(circ) == set(_declared(["circulate"])[0])
    note = json.loads(ws(["--json", "comment", "1", "--by", "rev-ru", "--ref", "OP 1",
                          "--type", "ed", "--text", "comma"]).stdout)
    assert note["number"] == 1 and set(note) == set(_declared(["comment"])[0])
    done = json.loads(ws(["dispose", "1", "1", "--accept", "--note", "ok", "--json"]).stdout)
    assert done["disposition"] == "accepted"
    closed = json.loads(ws(["--json", "close-review", "1", "--no-objection"]).stdout)
    assert closed["state"] == "for_approval" and set(closed) == set(_declared(["close-review"])[0])
    gone = json.loads(ws(["withdraw", "1", "--reason", "merged", "--json"]).stdout)
    assert gone == {"symbol": symbol, "state": "withdrawn", "message": ""}
    members = json.loads(ws(["member", "list", "--json"]).stdout)
    assert isinstance(members, dict) and "obs" in {m["id"] for m in members["members"]}
    events = json.loads(ws(["log", "1", "--json"]).stdout)
    assert events["symbol"] == symbol and events["events"][-1]["action"] == "withdraw"


# -- errors ----------------------------------------------------------------------------------
def test_errors_are_objects_on_stderr_with_stable_codes(ws_sqlite: Cli, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    ws = ws_sqlite
    _new(ws, tmp_path)
    missing = _error(ws(["show", "99", "--json"], code=1))
    assert missing == {"error": "not-found",
                       "message": "no resolution '99'; see 'resolutions list'"}
    assert _error(ws(["--json", "archive", "1"], code=1))["error"] == "illegal-transition"
    assert _error(ws(["--json", "show"], code=2))["error"] == "usage"  # missing argument
    assert _error(ws(["--json", "--nope", "list"], code=2))["error"] == "usage"  # before it
    assert _error(ws(["list", "--bogus", "--json"], code=2))["error"] == "usage"
    excl = _error(ws(["--json", "dispose", "1", "1", "--accept", "--reject", "--note", "x"],
                     code=2))
    assert excl["error"] == "usage" and "--accept" in excl["message"]
    nofile = _error(ws(["new", str(tmp_path / "absent.yaml"), "--json"], code=2))
    assert nofile["error"] == "usage" and "absent.yaml" in nofile["message"]
    role = _error(ws(["--json", "comment", "1", "--by", "appr-ru", "--ref", "OP 1", "--type",
                      "ed", "--text", "x"], code=1))
    assert role["error"] in ("illegal-transition", "permission-denied")

    def boom(*_a: object, **_k: object) -> None:
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr("workflow.lifecycle.overview.status", boom)
    bug = _error(ws(["--json", "status", "1"], code=1))
    assert bug["error"] == "bug" and "ZeroDivisionError" in bug["message"]
    plain = ws(["status", "1"], code=1)  # without --json: the sentence, as before
    assert plain.stderr.startswith("Error: unexpected ZeroDivisionError")


def test_a_source_error_and_a_domain_error_keep_their_sentence(ws_sqlite: Cli,
                                                               tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("symbol: X\nlanguages: [en]\n", encoding="utf-8")
    err = _error(ws_sqlite(["--json", "new", str(bad)], code=1))
    assert err["error"] == "invalid-input" and "bad.yaml" in err["message"]
    plain = ws_sqlite(["new", str(bad)], code=1)
    assert plain.stderr.startswith("Error: ") and "bad.yaml" in plain.stderr


# -- files named on the command line ---------------------------------------------------------
def _input_paths() -> list[tuple[str, str]]:
    """Every click.Path parameter of every command that is read rather than written."""
    from cli import cli

    writes = {"directory", "out_dir", "output", "out"}
    found: list[tuple[str, str]] = []

    def walk(group: click.Group, prefix: str) -> None:
        for name, command in group.commands.items():
            if isinstance(command, click.Group):
                walk(command, f"{prefix}{name} ")
            for param in command.params:
                if isinstance(param.type, click.Path) and param.name not in writes:
                    found.append((f"{prefix}{name} {param.name}", str(param.type.exists)))
    walk(cli, "")
    return found


def test_every_input_file_parameter_must_exist() -> None:
    inputs = _input_paths()
    assert len(inputs) > 15
    assert [name for name, exists in inputs if exists != "True"] == []


@pytest.mark.parametrize("args", [
    ["new", "{x}"], ["new", "--from-docx", "{x}"], ["edit", "1", "{x}"],
    ["comments", "import", "1", "{x}"], ["approve", "1", "--evidence", "{x}"],
    ["approve", "1", "--passphrase-file", "{x}"], ["object", "1", "--note", "n",
                                                   "--signed-statement", "{x}"],
    ["sign", "1", "--passphrase-file", "{x}"], ["keys", "import", "m", "{x}"],
    ["keys", "trust", "{x}"], ["keys", "init-ca", "--passphrase-file", "{x}"],
    ["signatures", "import", "1", "{x}"], ["verify", "{x}"], ["dossier", "verify", "{x}"],
    ["templates", "check", "{x}"]])
def test_a_missing_file_is_a_usage_error(ws_sqlite: Cli, tmp_path: Path,
                                         args: list[str]) -> None:
    absent = str(tmp_path / "absent.file")
    argv = [absent if a == "{x}" else a for a in args]
    result = ws_sqlite(argv, code=2)
    assert "absent.file" in result.stderr and "Traceback" not in result.output
    assert _error(ws_sqlite([*argv, "--json"], code=2))["error"] == "usage"


# -- a reader that goes away -----------------------------------------------------------------
def test_a_long_log_into_head_and_a_write_into_a_closed_pipe(ws_sqlite: Cli,
                                                             tmp_path: Path) -> None:
    """`log 1 | head -1` with a log longer than the pipe holds ends quietly with exit 0;
    a write whose output nobody reads keeps what it committed, in JSON as in text."""
    import subprocess

    from tests.cli.test_boundary import RESOLUTIONS, _closed_reader, _env

    ws = ws_sqlite
    symbol = _new(ws, tmp_path)
    source = fixture_text("trilingual.yaml")
    for year in range(2031, 2061):  # 30 versions: each a line in the log, and a diff
        version = tmp_path / f"v{year}.yaml"
        version.write_text(source.replace("2030", str(year)), encoding="utf-8")
        ws(["edit", "1", str(version), "--note", "x" * 2000])
    size = len(ws(["log", "1", "--json"]).stdout)
    assert size > 70_000  # more than a pipe buffers: the writer meets the closed pipe
    for args in ("log 1", "log 1 --json", "--json diff 1 --from 1 --to 31"):
        run = subprocess.run(["bash", "-c", f"set -o pipefail; {RESOLUTIONS} {args} | head -1"],
                             capture_output=True, text=True, env=_env(ws.root), cwd=tmp_path)
        assert run.returncode == 0 and run.stderr == "", (args, run.stderr)
        assert run.stdout in (f"{symbol}\n", "{\n"), run.stdout
    written = _closed_reader(ws.root, ["--json", "withdraw", "1", "--reason", "merged"])
    assert written.returncode == 0 and written.stderr == "", written.stderr
    assert json.loads(ws(["status", "1", "--json"]).stdout)["state"] == "withdrawn"
