"""The hot path (``cli_main`` → ``cli_hot``): a hot command line is read as click reads it,
answered as the full command line answers it (output, exit code, errors), and a one-hit
search imports neither click nor the command table nor the ORM."""

from __future__ import annotations

import os
import subprocess
import sys
import warnings
from pathlib import Path
from typing import Any

import click
import pytest

import cli_hot
from cli import cli
from tests.conftest import fixture_text

ROOT = Path(__file__).resolve().parents[2]

#: command lines the hot parser reads in full; click must read each the same way
READ_IN_FULL = [
    ["search", "cooperation"],
    ["search", '"no. 4711 ("'],
    ["search", "合作", "--lang", "zh"],
    ["search", "--lang=zh", "合作"],
    ["search", "joint ventures", "--state", "draft", "--year", "2024", "--current"],
    ["search", "x", "--year", "+2024"],
    ["search", "x", "--limit", "5", "--page", "2", "--limit", "7"],  # the last one counts
    ["search", "x", "--current", "--current"],
    ["search", "--json", "x"],
    ["--json", "search", "x"],
    ["-w", "ws", "--as", "sec", "search", "x"],
    ["--workspace=ws", "--as=rev-ru", "search", "x", "--body", "brics-higher-council"],
    ["search", "--", "--lang"],
    ["search", "-"],
    ["search"],  # no QUERY: the command itself says so (through click)
    ["search", "x", "--limit", "0"],
]

#: command lines the hot parser leaves to click (help, version, verbose, usage errors,
#: the index upkeep, other commands)
LEFT_TO_CLICK = [
    ["search", "--help"], ["search", "-h"], ["--help"], ["--version"], ["-v", "search", "x"],
    ["search", "x", "--verbose"], ["search", "x", "--check"], ["search", "--rebuild"],
    ["search", "x", "--year", "soon"], ["search", "x", "--limit"], ["search", "x", "--nope"],
    ["search", "x", "y"], ["search", "x", "--current=1"], ["search", "x", "-l", "zh"],
    ["--workspace"], ["list"], ["show", "1"], ["searc", "x"], [],
]


def _click_reads(argv: list[str]) -> tuple[dict[str, Any], dict[str, Any]]:
    """What click hands the root group and the command: their keyword arguments, and the
    --json the command line asked for anywhere."""
    root = cli.make_context("resolutions", list(argv), resilient_parsing=False)
    with warnings.catch_warnings():  # click 8.2 deprecates the name, not what it holds
        warnings.simplefilter("ignore", DeprecationWarning)
        words = [*root.protected_args, *root.args]
    name, command, rest = cli.resolve_command(root, words)
    assert command is not None and name is not None
    sub = command.make_context(name, rest, parent=root)
    obj = sub.find_object(cli_hot.Context)
    as_json = bool(root.params["as_json"] or (obj is not None and obj.json))
    return dict(root.params, as_json=as_json), dict(sub.params)


@pytest.mark.parametrize("argv", READ_IN_FULL, ids=" ".join)
def test_the_hot_parser_reads_what_click_reads(argv: list[str]) -> None:
    parsed = cli_hot.parse(argv)
    assert parsed is not None, argv
    root, params = _click_reads(argv)
    assert (parsed.workspace, parsed.actor, parsed.json) == (
        root["workspace"], root["actor"], root["as_json"])
    for flag in cli_hot.HEAVY[parsed.words]:
        assert params.pop(flag) is False
    assert parsed.kwargs == params


@pytest.mark.parametrize("argv", LEFT_TO_CLICK, ids=" ".join)
def test_what_the_hot_parser_does_not_read_goes_to_click(argv: list[str]) -> None:
    assert cli_hot.parse(argv) is None


def test_every_hot_parameter_is_declared_to_click_from_the_same_source() -> None:
    for words, params in cli_hot.HOT.items():
        command: click.Command = cli
        for word in words:
            assert isinstance(command, click.Group)
            command = command.commands[word]
        declared = [(p.name, p.param_type_name, tuple(o for o in p.opts if o[:1] == "-"))
                    for p in command.params if p.name != "json"]
        assert declared == [(p.dest, p.kind, p.flags) for p in params]


# -- the same answers, through the console script and through the full command line --------
def _run(module: str, args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RESOLUTIONS_")}
    code = f"import sys; from {module} import main; main()"
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                          cwd=cwd, env={**env, "PYTHONPATH": str(ROOT)}, check=False)


@pytest.fixture(scope="module")
def searched(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from tests.conftest import module_workspace

    root = tmp_path_factory.mktemp("hot") / "ws"
    with module_workspace(root) as ws:
        source = root.parent / "r.yaml"
        source.write_text(fixture_text("trilingual.yaml"), encoding="utf-8")
        ws(["new", str(source)])
    return root


ANSWERS = [
    ["search", "microelectronics"], ["search", "microelectronics", "--json"],
    ["--json", "search", "电子", "--lang", "zh"], ["search", "совместных предприятий"],
    ["search", "nothing-of-the-kind"], ["search", "microelectronics", "--page", "9"],
    ["search", "x"],  # a term too short: a refusal by the domain
    ["search", "microelectronics", "--lang", "xx"], ["search", "a", "--json"],
    ["search", "microelectronics", "--body", "no-such-body"],
    ["search"], ["search", "--json"], ["search", "x", "--limit", "0"],
    ["search", "x", "--year", "soon"], ["search", "x", "--nope", "--json"],
    ["search", "--help"],
]


@pytest.mark.parametrize("args", ANSWERS, ids=" ".join)
def test_the_console_script_answers_as_the_full_command_line(searched: Path,
                                                             args: list[str]) -> None:
    hot = _run("cli_main", ["-w", str(searched), *args], searched.parent)
    full = _run("cli", ["-w", str(searched), *args], searched.parent)
    assert (hot.returncode, hot.stdout, hot.stderr) == (full.returncode, full.stdout,
                                                        full.stderr)
    assert hot.returncode in (0, 1, 2) and "Traceback" not in hot.stderr


def test_outside_a_workspace_the_refusal_is_the_same(tmp_path: Path) -> None:
    for args in (["search", "microelectronics"], ["search", "microelectronics", "--json"]):
        hot, full = (_run(m, args, tmp_path) for m in ("cli_main", "cli"))
        assert hot.returncode == full.returncode == 1
        assert hot.stderr == full.stderr and "no workspace here" in hot.stderr


LOADED = ("import sys\nfrom cli_main import main\ntry:\n    main()\nfinally:\n"
          "    print('LOADED', *sorted({m.split('.')[0] for m in sys.modules}), file=sys.stderr)\n")


def test_a_one_hit_search_imports_no_click_no_table_no_orm(searched: Path) -> None:
    done = subprocess.run([sys.executable, "-c", LOADED, "-w", str(searched), "search",
                           "microelectronics"], capture_output=True, text=True, cwd=ROOT,
                          check=False)
    assert done.returncode == 0, done.stderr
    assert "microelectronics" in done.stdout.lower() and "found" in done.stdout
    loaded = set(next(line for line in done.stderr.splitlines()
                      if line.startswith("LOADED")).split()[1:])
    assert "cli_hot" in loaded
    # the table and click, the ORM and its validation, the progress bar; and the modules
    # a command line's start would pay for without needing them here
    assert not loaded & {"cli", "click", "sqlalchemy", "sqlmodel", "pydantic", "alembic",
                         "rich", "ruamel", "dataclasses", "inspect", "logging"}, loaded
