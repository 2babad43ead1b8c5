"""Shared fixtures: a fresh workspace (SQLite or PostgreSQL), a CLI runner, a frozen clock.

Tests that take the ``backend`` fixture run twice, on SQLite and on a throwaway
PostgreSQL cluster started once per session (never skipped: CI installs PostgreSQL).
"""

from __future__ import annotations

import contextlib
import os
import shlex
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from tests.launch import env_clock
from tests.pg import Cluster

FROZEN_NOW = "2024-09-26T10:00:00+00:00"


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[Cluster]:
    cluster = Cluster().start()
    try:
        yield cluster
    finally:
        cluster.stop()


def pytest_configure(config: pytest.Config) -> None:
    """The test hooks, for the whole session: the clock follows ``RESOLUTIONS_NOW`` (set per
    test below, or by a fixture), read by tests/launch.py — never by the product."""
    from workflow import clock

    clock.use(env_clock)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Modules with a long test (``@pytest.mark.slow``) first; the order inside a module and
    among the others is kept. `make test` hands whole modules to its two workers in this
    order (``--dist loadscope --no-loadscope-reorder``), so the long ones start at once and
    the short ones fill in at the end. The first module that needs the played demo
    (tests/played_demo.py) goes before all: its worker plays it at once, so the other
    modules that need it find it played rather than wait for it."""
    def module(item: pytest.Item) -> str:
        return item.nodeid.split("::", 1)[0]

    slow = {module(item) for item in items if item.get_closest_marker("slow")}
    demo = next((module(item) for item in items
                 if "demo" in getattr(item, "fixturenames", ())), None)
    items.sort(key=lambda item: (module(item) != demo, module(item) not in slow))


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """A frozen clock and no workspace, database or member from the outer environment."""
    for name in ("RESOLUTIONS_WORKSPACE", "RESOLUTIONS_DATABASE_URL", "RESOLUTIONS_USER",
                 "RESOLUTIONS_CRASH_AT", "RESOLUTIONS_CRASH_LOG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("RESOLUTIONS_NOW", FROZEN_NOW)


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    if request.param != "postgresql":
        yield str(request.param)
        return
    cluster: Cluster = request.getfixturevalue("pg_cluster")
    url = cluster.create_database()
    monkeypatch.setenv("RESOLUTIONS_DATABASE_URL", url)
    yield str(request.param)
    cluster.drop_database(url)


@dataclass
class Cli:
    """Runs `resolutions` in-process against one workspace."""

    root: Path
    runner: CliRunner

    def __call__(self, args: str | list[str], *, input: str | None = None,
                 code: int | None = 0, actor: str | None = None) -> Result:
        from cli import cli

        argv = shlex.split(args) if isinstance(args, str) else list(args)
        argv = _with_password(argv)
        prefix = ["--workspace", str(self.root)]
        if actor:
            prefix += ["--as", actor]
        result = self.runner.invoke(cli, prefix + argv, input=input, catch_exceptions=False)
        if code is not None:
            assert result.exit_code == code, (
                f"resolutions {' '.join(argv)} exited {result.exit_code}, expected {code}:\n"
                f"{result.output}")
        return result


def _with_password(argv: list[str]) -> list[str]:
    """On PostgreSQL a new member's role gets the cluster's password (the suite plays every
    member, each logging in with their own role: tests/pg.py)."""
    from tests import pg

    cluster = pg.current()
    url = os.environ.get("RESOLUTIONS_DATABASE_URL", "")
    adding = any(argv[i:i + 2] == ["member", "add"] for i in range(min(len(argv), 4)))
    if cluster is None or not url.startswith("postgresql") or not adding \
            or "--password-file" in argv:
        return argv
    return [*argv, "--password-file", str(cluster.password_file)]


MEMBERS = [
    ("sec", "Секретарь Рабочей группы", "ru", ["secretary"]),
    ("rev-ru", "Петров Пётр", "ru", ["reviewer"]),
    ("rev-zh", "王芳", "zh", ["reviewer"]),
    ("appr-ru", "Смирнова Анна", "ru", ["approver", "signatory"]),
    ("appr-zh", "李伟", "zh", ["approver", "signatory"]),
    ("appr-ru2", "Кузнецов Олег", "ru", ["approver"]),
]


def make_workspace(root: Path, members: bool = True) -> Cli:
    cli = Cli(root, CliRunner())
    runner_root = root.parent
    from cli import cli as group

    result = CliRunner().invoke(group, ["init", str(root), "--name", "Russian–Chinese working "
                                "group on microelectronics", "--prefix", "RCWG"],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    del runner_root
    if members:
        for member_id, name, delegation, roles in MEMBERS:
            args = ["member", "add", member_id, "--name", name, "--delegation", delegation,
                    "--email", f"{member_id}@wg.example", "--lang", delegation]
            for role in roles:
                args += ["--role", role]
            cli(args)
        _as_the_secretary()
    return cli


def _as_the_secretary() -> None:
    """On PostgreSQL, from now on the workspace is used as on the secretary's machine: the
    URL names the secretary's own role (``--as`` still logs in as another member, and
    administration as the administrator, each with their own password). The variable goes
    back with the test's (or the module's) environment."""
    url = os.environ.get("RESOLUTIONS_DATABASE_URL", "")
    if url.startswith("postgresql"):
        from workflow.store.logins import member_url, url_member

        if url_member(url) is None:
            os.environ["RESOLUTIONS_DATABASE_URL"] = member_url(url, "sec")


@contextlib.contextmanager
def module_workspace(root: Path) -> Iterator[Cli]:
    """For a module-scoped fixture (the function-scoped environment fixtures do not reach
    it): a workspace at ``root`` made with no workspace settings from the caller's
    environment and the clock frozen at :data:`FROZEN_NOW`, both kept while it is used."""
    with pytest.MonkeyPatch.context() as mp:
        for name in ("RESOLUTIONS_WORKSPACE", "RESOLUTIONS_DATABASE_URL", "RESOLUTIONS_USER"):
            mp.delenv(name, raising=False)
        mp.setenv("RESOLUTIONS_NOW", FROZEN_NOW)
        yield make_workspace(root)


@pytest.fixture
def ws(tmp_path: Path, backend: str) -> Cli:
    """A fresh workspace with a secretary, two reviewers and three approvers."""
    return make_workspace(tmp_path / "ws")


@pytest.fixture
def ws_sqlite(tmp_path: Path) -> Cli:
    return make_workspace(tmp_path / "ws")


FIXTURES = Path(__file__).parent / "fixtures"
#: a delegation's letter: the evidence with which the secretary records an approval
LETTER = str(FIXTURES / "approval-letter.txt")


def fixture_text(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def in_a_fresh_interpreter(script: str) -> str:
    """What ``script`` prints when run by a new Python from the checkout's root: what a
    command's first use of a module costs (what it imports, compiles or caches) is seen
    only there."""
    import subprocess
    import sys

    return subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          check=True, cwd=Path(__file__).resolve().parents[1]).stdout


def open_app(root: Path | str, actor: str | None = None) -> Any:
    """The workspace as a command here would open it: with the database this test's
    environment names (the command line reads ``RESOLUTIONS_DATABASE_URL``; the library
    reads no environment)."""
    from workflow.app import App

    return App.open(root, actor, database_url=os.environ.get("RESOLUTIONS_DATABASE_URL"))


def open_reader_at(root: Path | str) -> Any:
    """The read path of the workspace at ``root``, on this test's database."""
    from workflow.reading import open_reader

    return open_reader(root, database_url=os.environ.get("RESOLUTIONS_DATABASE_URL"))


def env_for(root: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["RESOLUTIONS_WORKSPACE"] = str(root)
    return env
