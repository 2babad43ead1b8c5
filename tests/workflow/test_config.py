"""resolutions.toml is parsed once into typed settings; a value that cannot be used is
refused naming the file, the line and the key; nothing below cli.py reads the environment;
the schema migrates only by an explicit step, and says so."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.conftest import Cli
from workflow.store.config import ConfigError, Settings, parse
from workflow.store.workspace import _shipped_bodies

ROOT = Path(__file__).resolve().parents[2]
GOOD = """[working_group]
name = "Russian–Chinese working group"
name_ru = "Российско-китайская рабочая группа"
prefix = "RCWG"
languages = ["ru", "zh", "en"]
approval_rule = "majority"

[numbering]
pattern = "{prefix}/RES/{year}/{number}"

[signatures]
required = ["chair"]
timestamp_url = "http://tsa.example/tsr"

[delivery]
smtp_host = "smtp.example.org"
smtp_port = 2525
smtp_security = "none"
from = "sec@wg.example"

[bodies.my-body]
name.en = "My body"
signatures = ["ru"]
"""


def _parse(text: str) -> Settings:
    return parse(Path("/ws/resolutions.toml"), text, _shipped_bodies())


def test_the_file_is_one_typed_object() -> None:
    s = _parse(GOOD)
    assert (s.group.name, s.group.prefix, s.group.approval_rule) == \
        ("Russian–Chinese working group", "RCWG", "majority")
    assert s.group.names["ru"] == "Российско-китайская рабочая группа"
    assert s.group.languages == ("ru", "zh", "en")
    assert s.signatures.required == ("chair",)
    assert s.signatures.timestamp_url == "http://tsa.example/tsr"
    assert s.delivery.smtp is not None and (s.delivery.smtp.port, s.delivery.smtp.security) == \
        (2525, "none")
    assert s.delivery.sender == "sec@wg.example"
    assert s.bodies["my-body"].signatures == ("ru",)
    assert "brics-higher-council" in s.bodies  # the shipped registry, extended
    assert s.symbol_for(3, 2025) == "RCWG/RES/2025/3"
    empty = _parse("")
    assert (empty.group.approval_rule, empty.signatures.timestamp_url, empty.delivery.smtp) == \
        ("each-delegation", "", None)


@pytest.mark.parametrize(("old", "new", "line", "key", "words"), [
    ('approval_rule = "majority"', 'approval_rule = "most"', 6, "[working_group] approval_rule",
     "'most' is not one of all, majority, each-delegation"),
    ('required = ["chair"]', 'required = "chair"', 12, "[signatures] required",
     "must be a list of text"),
    ('timestamp_url = "http://tsa.example/tsr"', 'timestamp_url = "tsa.example"', 13,
     "[signatures] timestamp_url", "is not an http(s) address"),
    ('smtp_port = 2525', 'smtp_port = "many"', 17, "[delivery] smtp_port",
     "is not a port number"),
    ('smtp_security = "none"', 'smtp_security = "tls"', 18, "[delivery] smtp_security",
     "'tls' is not one of starttls, ssl, none"),
    ('from = "sec@wg.example"', 'from = "sec@wg.example"\nsmtp_password = "x"', 20,
     "[delivery] smtp_password", "a password is never kept"),
    ('pattern = "{prefix}/RES/{year}/{number}"', 'pattern = "{prefix}/{month}"', 9,
     "[numbering] pattern", "cannot be filled"),
    ('signatures = ["ru"]', 'signatures = ["ru"]\nlead_days = -3', 24,
     "[bodies.my-body] lead_days", "is not a number of days"),
])
def test_a_bad_value_names_file_line_and_key(old: str, new: str, line: int, key: str,
                                             words: str) -> None:
    assert old in GOOD
    with pytest.raises(ConfigError) as refused:
        _parse(GOOD.replace(old, new))
    error = refused.value
    assert (error.line, error.key) == (line, key), str(error)
    assert str(error).startswith(f"/ws/resolutions.toml:{line}: {key}: ")
    assert words in str(error)


def test_broken_toml_names_the_file() -> None:
    with pytest.raises(ConfigError, match=r"^/ws/resolutions.toml.*it is TOML"):
        _parse("[working_group\nname = 1")


def test_a_command_names_the_line_of_a_bad_value(ws_sqlite: Cli) -> None:
    path = ws_sqlite.root / "resolutions.toml"
    text = path.read_text("utf-8").replace('approval_rule = "each-delegation"',
                                           'approval_rule = "everyone"')
    path.write_text(text, "utf-8")
    line = next(i for i, x in enumerate(text.splitlines(), 1) if "everyone" in x)
    out = ws_sqlite(["list"], code=1).output
    assert f"resolutions.toml:{line}: [working_group] approval_rule: 'everyone' is not one" in out


_ENV_ALLOWED = {"signatures/stamp.py"}  # the per-user font cache ($XDG_CACHE_HOME)


def test_nothing_below_the_command_line_reads_the_environment() -> None:
    offenders = []
    for package in ("workflow", "drafts", "templates", "signatures"):
        for path in sorted((ROOT / package).rglob("*.py")):
            rel = path.relative_to(ROOT).as_posix()
            if "/migrations/" in rel or rel in _ENV_ALLOWED:
                continue
            for node in ast.walk(ast.parse(path.read_text("utf-8"))):
                if isinstance(node, ast.Attribute) and node.attr in ("environ", "getenv") and \
                        isinstance(node.value, ast.Name) and node.value.id == "os":
                    offenders.append(f"{rel}:{node.lineno}")
    assert offenders == []


def test_the_schema_migrates_by_an_explicit_step_and_says_so(tmp_path: Path) -> None:
    from workflow.store.db import Database
    from workflow.store.reads import schema_revision

    db = Database(f"sqlite:///{tmp_path / 'x.db'}")
    try:
        db.engine  # noqa: B018 -- an engine alone creates no schema
        with db.engine.connect() as conn:
            tables = conn.exec_driver_sql("SELECT name FROM sqlite_master").fetchall()
        assert tables == []
        assert db.migrate() == f"database created at schema revision {schema_revision()}"
        assert db.migrate() is None
    finally:
        db.dispose()
