"""The hot path (``cli_main`` → ``cli_hot``): a hot command line is read as click reads it,
answered as the full command line answers it (output, exit code, errors), and a one-hit
search imports neither click nor the command table nor the ORM."""

from __future__ import annotations

import json
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
from cli_hot.params import option
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
    ["comment", "1", "--ref", "OP 1", "--type", "te", "--text", "t"],
    ["--as", "rev-ru", "comment", "RCWG/RES/2024/1", "--by", "rev-ru", "--ref=general",
     "--type=ed", "--text", "a", "--text", "b", "--proposal", "p", "--json"],
    ["comment", "1", "--ref", "OP 1", "--type", "ge", "--text", "--json"],  # a value
    ["dispose", "1", "2", "--accept", "--note", "ok"],
    ["dispose", "--note", "n", "1", "2", "--reject", "--partial"],  # the command refuses
    ["dispose", "1", "+3", "--partial", "--note", ""],
    ["amend", "1", "--target", "OP 2", "--op", "replace", "--text", "en=a", "--text", "ru=б",
     "--why", "w"],
    ["amend", "1", "--target", "OP 2", "--op", "delete"],
    ["amend", "1", "--target", "OP 2", "--op", "insert-after", "--text", "no-equals-sign"],
    ["approve", "1"], ["approve", "1", "--by", "appr-ru", "--note", "agreed", "--json"],
    ["approve", "1", "--evidence", __file__],  # read; answered by the full command line
    ["member", "add", "x", "--name", "X"],
    ["member", "add", "li", "--name", "李伟", "--name-en", "Li Wei", "--name-in", "ar=لي",
     "--name-in", "pt=Li", "--role", "approver", "--role", "reviewer,signatory", "--org", "O",
     "--delegation=zh", "--email", "li@x.example", "--lang", "zh", "--json"],
    ["member", "add", "p", "--name", "P", "--password-file", __file__, "--name-in", "bad"],
    ["new", __file__], ["new", "--json", __file__], ["new"],  # no FILE: the command refuses
    ["new", "--title", "On ventures", "--body", "brics-higher-council", "--lang", "en"],
    ["new", "--from-docx", __file__, "--lang", "ru", "--body", "b", __file__],
    ["edit", "1", __file__], ["edit", "RCWG/RES/2024/1", __file__, "--note", "OP 3 reworded"],
    ["edit", "1"],  # $EDITOR: read, answered by the full command line
    ["edit", "1", "--from-docx", __file__, "--lang", "zh", "--note=n"],
    ["edit", "1", "--", __file__],
    ["amendment", "accept", "1", "2"], ["--json", "amendment", "reject", "RCWG/RES/2024/1", "+3"],
    ["amendment", "reject", "1", "2", "--json"],
    ["object", "1", "--note", "OP 4 needs 2030"],
    ["object", "1", "--by", "appr-ru", "--note=n", "--json"],
    ["object", "1", "--note", "n", "--evidence", __file__],  # read; the full command line's
    ["object", "1", "--note", "", "--signed-statement", __file__],
    ["withdraw", "1", "--reason", "merged"], ["withdraw", "--reason=", "1", "--json"],
    ["close-review", "1", "--no-objection"], ["close-review", "--changes", "RCWG/RES/2024/1"],
    ["close-review", "1", "--no-objection", "--force", "--reason", "late", "--json"],
    ["close-review", "1", "--force", "--reason=late", "--changes", "--changes"],
    ["close-review", "1"], ["close-review", "1", "--changes", "--no-objection"],  # refused
    ["close-review", "1", "--changes", "--reason", "r"],  # by the command itself
]

#: command lines the hot parser leaves to click (help, version, verbose, usage errors,
#: the index upkeep, other commands)
LEFT_TO_CLICK = [
    ["search", "--help"], ["search", "-h"], ["--help"], ["--version"], ["-v", "search", "x"],
    ["search", "x", "--verbose"], ["search", "x", "--check"], ["search", "--rebuild"],
    ["search", "x", "--year", "soon"], ["search", "x", "--limit"], ["search", "x", "--nope"],
    ["search", "x", "y"], ["search", "x", "--current=1"], ["search", "x", "-l", "zh"],
    ["--workspace"], ["list"], ["show", "1"], ["searc", "x"], [],
    ["comment", "1", "--ref", "OP 1", "--type", "xx", "--text", "t"],  # not a choice
    ["comment", "1", "--type", "ge", "--text", "t"],  # --ref is required
    ["comment", "--ref", "OP 1", "--type", "ge", "--text", "t"],  # REF is required
    ["comment", "1", "--ref", "OP 1", "--type", "ge", "--text", "t", "--help"],
    ["dispose", "1", "two", "--accept", "--note", "n"], ["dispose", "1", "2", "--accept"],
    ["amend", "1", "--target", "OP 2", "--op", "move"],
    ["approve", "1", "--p12", "key.p12"], ["approve", "1", "--evidence", "letter.pdf"],
    ["approve", "1", "--signed-statement", "s.p7s"], ["approve", "1", "--passphrase-file=f"],
    ["comments", "1"], ["edit", "1", "f.yaml"], ["edit", "1", str(ROOT)],  # not a file
    ["edit"], ["edit", "1", __file__, __file__], ["edit", "1", "--from-docx", "no.docx"],
    ["new", "no-such.yaml"], ["new", "--title"], ["new", "--help"],
    ["member", "add", "x"], ["member", "add", "--help"], ["member", "--help"],
    ["member", "add", "x", "--name", "X", "--password-file", "no-such-file"],
    ["member", "edit", "x", "--name", "X"], ["member", "add", "x", "--name", "X", "--nope"],
    ["amendment", "accept", "1"], ["amendment", "accept", "1", "x"], ["amendment", "1", "2"],
    ["amendment", "accept", "1", "2", "3"], ["amendment", "--help"], ["amendments", "1"],
    ["object", "1"], ["object", "1", "--note"], ["object", "1", "--note", "n", "--evidence",
                                                 "no-such.pdf"],
    ["object", "1", "--note", "n", "--help"], ["withdraw", "1"], ["withdraw", "--reason", "r"],
    ["withdraw", "1", "--reason", "r", "--force"],
    ["close-review"], ["close-review", "1", "--changes=1"], ["close-review", "1", "--reason"],
    ["close-review", "1", "--help"], ["close-review", "1", "2", "--changes"],
    ["close-review", "1", "--no-objection", "--nope"],
]


def _click_reads(argv: list[str]) -> tuple[dict[str, Any], dict[str, Any]]:
    """What click hands the root group and the command: their keyword arguments, and the
    --json the command line asked for anywhere."""
    root = cli.make_context("resolutions", list(argv), resilient_parsing=False)
    with warnings.catch_warnings():  # click 8.2 deprecates the name, not what it holds
        warnings.simplefilter("ignore", DeprecationWarning)
        words = [*root.protected_args, *root.args]
    sub: click.Context = root
    while True:  # down through the groups (``member add``) to the command
        group = sub.command
        assert isinstance(group, click.Group)
        name, command, rest = group.resolve_command(sub, words)
        assert command is not None and name is not None
        sub = command.make_context(name, rest, parent=sub)
        if not isinstance(command, click.Group):
            break
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            words = [*sub.protected_args, *sub.args]
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
    for flag in cli_hot.HEAVY.get(parsed.words, ()):
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


# -- the writes: the same answers and the same rows, through either ------------------------
@pytest.fixture(scope="module")
def in_review(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A resolution in review by both reviewers (1) and one in approval (2), ``sec`` an
    approver too."""
    from tests.conftest import module_workspace

    root = tmp_path_factory.mktemp("hot-writes") / "ws"
    with module_workspace(root) as ws:
        source = root.parent / "r.yaml"
        source.write_text(fixture_text("trilingual.yaml"), encoding="utf-8")
        ws(["member", "edit", "sec", "--roles", "secretary,approver"])
        for _ in range(2):
            ws(["new", str(source)])
        ws(["circulate", "1", "--reviewer", "rev-ru", "--reviewer", "rev-zh"])
        ws(["circulate", "2", "--reviewer", "rev-ru"])
        ws(["close-review", "2", "--no-objection"])
    return root


WRITES = [
    ["--as", "rev-ru", "comment", "1", "--ref", "OP 1", "--type", "te", "--text", "Year?"],
    ["--as", "rev-zh", "--json", "comment", "1", "--ref", "general", "--type", "ge",
     "--text", "请", "--proposal", "…"],
    ["--as", "rev-ru", "comment", "1", "--ref", "OP 99", "--type", "te", "--text", "x"],
    ["--as", "rev-ru", "comment", "2", "--ref", "OP 1", "--type", "te", "--text", "late"],
    ["dispose", "1", "1", "--accept", "--note", "Year added"],
    ["dispose", "1", "2", "--reject", "--partial", "--note", "n"],
    ["dispose", "1", "99", "--reject", "--note", "n", "--json"],
    ["--as", "rev-ru", "amend", "1", "--target", "OP 1", "--op", "replace", "--text",
     "en=*Recommends* a thing;", "--why", "clearer"],
    ["--as", "rev-ru", "amend", "1", "--target", "OP 1", "--op", "replace", "--text", "bad"],
    ["--as", "rev-zh", "amend", "1", "--target", "OP 1", "--op", "delete", "--json"],
    ["approve", "1"],  # in review: not now
    ["approve", "2", "--note", "agreed", "--json"],
    ["approve", "2", "--by", "appr-ru"],  # another member's word is needed
    ["comment", "1", "--ref", "OP 1", "--type", "xx", "--text", "t"],
    ["dispose", "1", "1", "--help"],
    ["member", "add", "li-wei", "--name", "李伟", "--name-en", "Li Wei", "--name-in", "ar=لي",
     "--role", "approver", "--role", "reviewer,signatory", "--delegation", "zh"],
    ["member", "add", "li-wei", "--name", "again"],  # there already
    ["member", "add", "pt", "--name", "P", "--name-in", "no-equals", "--json"],
    ["--as", "rev-ru", "member", "add", "x", "--name", "X"],  # not the secretary
    ["new", "{source}"],  # 3, a draft
    ["new", "--title", "On joint ventures", "--body", "brics-higher-council", "--lang", "en"],
    ["new", "--title", "No body"], ["new"], ["new", "{latin1}"], ["new", "{broken}"],
    ["new", "{latin1}", "--json"],
    ["edit", "3", "{edited}", "--note", "OP 1 reworded"],
    ["edit", "3", "{edited}", "--json"],  # unchanged: no new version
    ["edit", "1", "{edited}"],  # in review: not now
    ["edit", "3", "{latin1}"], ["edit", "3", "{broken}"], ["edit", "99", "{edited}"],
    ["edit", "3", "--from-docx", "{source}"],  # needs --lang
    ["--as", "rev-ru", "amend", "1", "--target", "OP 2", "--op", "delete"],  # 3
    ["amendment", "accept", "1", "1"], ["amendment", "reject", "1", "3", "--json"],
    ["amendment", "accept", "1", "1"],  # again: the same
    ["amendment", "accept", "1", "9"],  # no such amendment
    ["--as", "rev-ru", "amendment", "reject", "1", "2"],  # not the secretariat
    ["amendment", "accept", "2", "1"],  # in approval: not now
    ["amendment", "accept", "1", "x"],  # a usage error
    ["--as", "appr-ru", "object", "1", "--note", "in review"],  # not now
    ["object", "2", "--note", "  "],  # says why
    ["object", "2", "--by", "appr-ru", "--note", "theirs"],  # another member's word is needed
    ["object", "2", "--by", "nobody", "--note", "who"],
    ["object", "2", "--note", "OP 4 needs the 2030 date", "--json"],  # 2 back to revision
    ["object", "2", "--note", "again"],  # in revision: not now
    ["withdraw", "3", "--reason", " "], ["--as", "rev-ru", "withdraw", "3", "--reason", "r"],
    ["withdraw", "99", "--reason", "r"],
    ["withdraw", "3", "--reason", "merged into 4", "--json"],
    ["withdraw", "3", "--reason", "again"],  # withdrawn already
    ["close-review", "1"], ["close-review", "1", "--changes", "--no-objection"],  # usage
    ["close-review", "1", "--changes", "--reason", "r"],  # --reason without --force
    ["close-review", "1", "--changes", "--force"],  # says why
    ["close-review", "1", "--changes"],  # comment 2 has no disposition
    ["--as", "rev-ru", "close-review", "1", "--changes", "--force", "--reason", "r"],
    ["close-review", "1", "--changes", "--force", "--reason", "late comments"],  # amendment 2
    ["amendment", "reject", "1", "2"],
    ["close-review", "1", "--changes", "--force", "--reason", "late comments", "--json"],
    ["close-review", "1", "--no-objection"],  # in revision: no round open
    ["close-review", "3", "--no-objection"], ["close-review", "99", "--no-objection"],
    ["circulate", "2", "--reviewer", "rev-ru"],  # (the full command line's)
    ["close-review", "2", "--no-objection"],  # 2 for approval
]


def test_the_writes_answer_and_write_as_the_full_command_line(in_review: Path,
                                                              tmp_path: Path) -> None:
    """The same command lines, one after the other, on two copies of a workspace: one
    through the console script, one through the full command line. Each answers the same
    (stdout, stderr, exit code) and both end with the same rows and an intact chain."""
    import shutil

    hot, full = tmp_path / "hot", tmp_path / "full"
    for root in (hot, full):
        shutil.copytree(in_review, root)
    files = {"source": tmp_path / "r.yaml", "edited": tmp_path / "edited.yaml",
             "latin1": tmp_path / "latin1.yaml", "broken": tmp_path / "broken.yaml"}
    text = fixture_text("trilingual.yaml")
    files["source"].write_text(text, encoding="utf-8")
    files["edited"].write_text(text.replace("*Recommends* the", "*Recommends* strongly the"),
                               encoding="utf-8")
    files["latin1"].write_bytes("title: café\n".encode("latin-1"))
    files["broken"].write_text(text.replace("operative:", "operative: [", 1), encoding="utf-8")
    for given in WRITES:
        args = [a.format(**files) for a in given]
        a = _run("cli_main", ["-w", str(hot), *args], tmp_path)
        b = _run("cli", ["-w", str(full), *args], tmp_path)
        assert (a.returncode, a.stdout.replace(str(hot), "WS"), a.stderr.replace(
            str(hot), "WS")) == (b.returncode, b.stdout.replace(str(full), "WS"),
                                 b.stderr.replace(str(full), "WS")), args
        assert "Traceback" not in a.stderr
    for args in (["comments", "1", "--json"], ["amendments", "1", "--json"],
                 ["status", "1", "--json"], ["status", "2", "--json"], ["member", "list", "--json"],
                 ["source", "3"],
                 ["source", "4"], ["status", "3", "--json"], ["source", "1"],
                 ["diff", "3", "--from", "1", "--to", "2"]):
        a = _run("cli", ["-w", str(hot), *args], tmp_path)
        b = _run("cli", ["-w", str(full), *args], tmp_path)
        assert a.returncode == 0 and a.stdout == b.stdout, args
    matrix = _run("cli", ["-w", str(hot), "comments", "1", "--json"], tmp_path).stdout
    assert "Year?" in matrix and "Year added" in matrix
    listed = _run("cli", ["-w", str(hot), "amendments", "1", "--json"], tmp_path).stdout
    assert [a["status"] for a in json.loads(listed)["amendments"]] == \
        ["applied", "rejected", "rejected"]
    for ref, state in (("1", "revision"), ("2", "for_approval"), ("3", "withdrawn")):
        shown = _run("cli", ["-w", str(hot), "status", ref, "--json"], tmp_path).stdout
        assert json.loads(shown)["state"] == state, shown
    for root in (hot, full):
        verify = _run("cli", ["-w", str(root), "audit", "verify"], tmp_path)
        assert verify.returncode == 0, verify.stdout + verify.stderr


COLD_WRITES = [
    (["--as", "rev-ru", "comment", "1", "--ref", "OP 1", "--type", "ed", "--text", "cold"],
     "comment 1 on OP 1 by rev-ru"),
    (["approve", "2"], "RCWG/RES/2024/2: approved by sec"),
    (["member", "add", "li-wei", "--name", "李伟", "--role", "approver"],
     "Added li-wei (李伟; approver)"),
    (["new", "{source}"], "RCWG/RES/"),
    (["new", "--title", "On joint ventures", "--body", "brics-higher-council"], "RCWG/RES/"),
    (["edit", "3", "{edited}"], "RCWG/RES/"),  # the draft ``new`` made first
    (["amendment", "accept", "1", "1"], "amendment 1: accepted"),  # the one made first
    (["amendment", "reject", "1", "1"], "amendment 1: rejected"),
    (["object", "2", "--note", "OP 4 needs the 2030 date"],
     "RCWG/RES/2024/2: objection by sec → revision"),
    (["withdraw", "1", "--reason", "merged"], "RCWG/RES/2024/1: withdrawn"),
    (["close-review", "1", "--no-objection"], "RCWG/RES/2024/1: round 1 closed → for_approval"),
    (["close-review", "1", "--changes", "--json"], '{\n  "symbol": "RCWG/RES/2024/1",'),
]


@pytest.mark.parametrize(("args", "said"), COLD_WRITES, ids=[" ".join(a[:3]) for a, _ in
                                                               COLD_WRITES])
def test_a_write_through_the_console_script_imports_no_click_and_no_orm(
        in_review: Path, tmp_path: Path, args: list[str], said: str) -> None:
    import shutil

    root = tmp_path / "ws"
    shutil.copytree(in_review, root)
    source, edited = tmp_path / "r.yaml", tmp_path / "edited.yaml"
    text = fixture_text("trilingual.yaml")
    source.write_text(text, encoding="utf-8")
    edited.write_text(text.replace("*Noting*", "*Noting* now"), encoding="utf-8")
    if args[0] == "edit":
        assert _run("cli", ["-w", str(root), "new", str(source)], tmp_path).returncode == 0
    if args[0] == "amendment" or "--changes" in args:
        made = _run("cli", ["-w", str(root), "--as", "rev-ru", "amend", "1", "--target", "OP 1",
                            "--op", "delete"], tmp_path)
        assert made.returncode == 0, made.stderr
    if "--changes" in args:  # applied: a new version made of it
        accepted = _run("cli", ["-w", str(root), "amendment", "accept", "1", "1"], tmp_path)
        assert accepted.returncode == 0, accepted.stderr
    done = subprocess.run([sys.executable, "-c", LOADED, "-w", str(root),
                           *[a.format(source=source, edited=edited) for a in args]],
                          capture_output=True, text=True, cwd=ROOT, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(said), done.stdout
    assert args[0] != "edit" or "version 2 stored (draft)" in done.stdout
    if "--changes" in args:
        assert json.loads(done.stdout)["new_version"] == 2, done.stdout
    loaded = set(next(line for line in done.stderr.splitlines()
                      if line.startswith("LOADED")).split()[1:])
    assert not loaded & {"cli", "click", "sqlalchemy", "sqlmodel", "pydantic", "alembic"}


@pytest.mark.parametrize("attrs", [{"nargs": 2}, {"count": True}, {"envvar": "X"},
                                   {"type": float}, {"callback": print}])
def test_a_parameter_the_hot_parser_cannot_read_is_refused_where_it_is_declared(
        attrs: dict[str, Any]) -> None:
    """A keyword the hot parser does not read as click does cannot be declared for a hot
    command (the module would not import): the two parsers never silently differ."""
    with pytest.raises(TypeError, match="cli_hot parses none of"):
        option("--x", **attrs)
