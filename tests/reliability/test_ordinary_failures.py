"""Ordinary failures are told as what happened and what to do — never as a bug.

A wrong password, a connection without TLS that ``pg_hba.conf`` refuses, a server
certificate from another CA, a server that is down or went away in the middle of a step,
and a full disk: each is one line on stderr, exit code 1, the JSON error code scripts read,
and nothing half-written. On a disk with no room left (a small tmpfs, ≤ 16 KB free) the
read commands — ``audit verify`` among them — still answer. All against the real thing: the
suite's PostgreSQL cluster over TLS with SCRAM, a cluster of our own that is stopped, a
tmpfs filled up."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from tests.conftest import FROZEN_NOW, Cli, make_workspace
from tests.pg import Cluster, make_tls
from tests.reliability.helpers import draft, row_counts


def _one_line(out: str) -> str:
    lines = [line for line in out.splitlines() if line.strip()]
    assert len(lines) == 1, out
    assert "a bug" not in out and "unexpected" not in out and "Traceback" not in out, out
    return lines[0]


# -- PostgreSQL: logins and the server ---------------------------------------------------
@pytest.fixture
def pg(tmp_path: Path, pg_cluster: Cluster, monkeypatch: pytest.MonkeyPatch
       ) -> tuple[Cli, Cluster, str, str]:
    url = pg_cluster.create_database()
    monkeypatch.setenv("RESOLUTIONS_DATABASE_URL", url)
    ws = make_workspace(tmp_path / "ws")
    database = url.split("?")[0].rsplit("/", 1)[-1]
    draft(ws, tmp_path)
    return ws, pg_cluster, database, url


def _events(cluster: Cluster, database: str) -> int:
    import psycopg

    with psycopg.connect(host=str(cluster.socket), port=cluster.port, user="postgres",
                         dbname=database) as conn:
        return int(conn.execute("SELECT count(*) FROM audit_events").fetchone()[0])  # type: ignore[index]


def test_a_wrong_password(pg: tuple[Cli, Cluster, str, str], tmp_path: Path,
                          monkeypatch: pytest.MonkeyPatch) -> None:
    ws, cluster, database, _ = pg
    passfile = tmp_path / "wrong.pgpass"
    passfile.write_text(f"*:*:*:{database}_sec:not-the-password\n", "utf-8")
    passfile.chmod(0o600)
    monkeypatch.setenv("RESOLUTIONS_DATABASE_URL",
                       cluster.role_url(database, f"{database}_sec", passfile))
    before = _events(cluster, database)
    for args in (["circulate", "1", "--reviewer", "rev-ru"], ["status", "1"], ["list"]):
        line = _one_line(ws(args, code=1).output)
        assert f"the database refused the password of role {database}_sec" in line, line
        assert "passfile" in line and "'resolutions member password'" in line
    err = json.loads(ws(["--json", "circulate", "1", "--reviewer", "rev-ru"], code=1).stderr)
    assert err["error"] == "database"
    assert _events(cluster, database) == before


def test_a_missing_password_is_asked_for_at_a_terminal(
        pg: tuple[Cli, Cluster, str, str], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """No line for the role in the passfile: told in one line — or, with a person at the
    terminal (the prompt the command line installs), asked, hidden, and used."""
    from workflow.store import logins

    ws, cluster, database, _ = pg
    empty = tmp_path / "empty.pgpass"
    empty.write_text("", "utf-8")
    empty.chmod(0o600)
    monkeypatch.setenv("RESOLUTIONS_DATABASE_URL",
                       cluster.role_url(database, f"{database}_sec", empty))
    line = _one_line(ws(["circulate", "1", "--reviewer", "rev-ru"], code=1).output)
    assert f"asks {database}_sec for a password and none was found" in line
    asked: list[str] = []
    logins.use_prompt(lambda label: asked.append(label) or cluster.password)
    try:
        assert "round 1" in ws(["circulate", "1", "--reviewer", "rev-ru"]).output
        assert "in_review" in ws(["status", "1"]).output
    finally:
        logins.use_prompt(None)
    assert asked and all(f"Database password for {database}_sec" in a for a in asked), asked


def test_a_connection_without_tls_is_refused(pg: tuple[Cli, Cluster, str, str],
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    ws, cluster, database, _ = pg
    url = cluster.role_url(database, f"{database}_sec").replace("sslmode=verify-full",
                                                                "sslmode=disable")
    monkeypatch.setenv("RESOLUTIONS_DATABASE_URL", url)
    line = _one_line(ws(["circulate", "1", "--reviewer", "rev-ru"], code=1).output)
    assert "refused a connection without TLS" in line and "pg_hba.conf" in line, line
    assert "sslmode=verify-full" in line
    # psql agrees: the server itself refuses it
    done = subprocess.run(["psql", cluster.conninfo(database, f"{database}_sec",
                                                    sslmode="disable"), "-c", "SELECT 1"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode != 0 and "no encryption" in done.stderr


def test_a_server_certificate_from_another_ca(pg: tuple[Cli, Cluster, str, str],
                                              tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    ws, cluster, database, _ = pg
    other, _, _ = make_tls(tmp_path / "other-ca", name="impostor")
    url = cluster.role_url(database, f"{database}_sec").replace(str(cluster.ca), str(other))
    assert str(other) in url
    monkeypatch.setenv("RESOLUTIONS_DATABASE_URL", url)
    line = _one_line(ws(["status", "1"], code=1).output)
    assert "TLS certificate does not verify" in line and "sslrootcert=" in line, line


def test_a_server_that_is_down(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    own = Cluster().start()
    try:
        url = own.create_database()
        monkeypatch.setenv("RESOLUTIONS_DATABASE_URL", url)
        ws = make_workspace(tmp_path / "ws")
    finally:
        own.stop()
    for args in (["list"], ["circulate", "1", "--reviewer", "rev-ru"], ["audit", "verify"]):
        line = _one_line(ws(args, code=1).output)
        assert "cannot reach the database server" in line and "is PostgreSQL running" in line
        assert "nothing was changed" in line
    err = json.loads(ws(["--json", "list"], code=1).stderr)
    assert err["error"] == "database"


def test_a_server_that_goes_away_in_the_middle_of_a_step(
        pg: tuple[Cli, Cluster, str, str]) -> None:
    """The server drops the connection while a step's transaction is open (an
    administrator's restart): the step is told as not saved, and nothing of it is."""
    from workflow.app import App
    from workflow.store.failures import DatabaseUnavailable

    ws, cluster, database, _ = pg
    before = _events(cluster, database)
    app = App.open(ws.root, "sec")
    with pytest.raises(DatabaseUnavailable) as caught:
        with app.write() as session:
            session.execute(text("UPDATE resolutions SET title = 'half-done'"))
            pid = session.execute(text("SELECT pg_backend_pid()")).scalar()
            with cluster.superuser() as conn:
                conn.execute("SELECT pg_terminate_backend(%s)", (pid,))
            session.execute(text("SELECT 1"))  # the step goes on, on a dead connection
    assert "closed the connection" in str(caught.value)
    assert "not saved" in str(caught.value) and "\n" not in str(caught.value)
    app.db.dispose()
    assert _events(cluster, database) == before
    shown = json.loads(ws(["show", "1", "--json"]).output)
    assert "half-done" not in json.dumps(shown, ensure_ascii=False)


# -- a full disk -----------------------------------------------------------------------------
def _mount_tmpfs(folder: Path, size: str) -> None:
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
                   check=True, capture_output=True)


def _fill(disk: Path, leave_kb: int = 12) -> int:
    """Fill ``disk`` until ``leave_kb`` KB are free; returns the bytes free."""
    stats = os.statvfs(disk)
    free = stats.f_bavail * stats.f_frsize
    with open(disk / "filler", "wb") as fh:
        fh.write(b"\0" * max(0, free - leave_kb * 1024))
    stats = os.statvfs(disk)
    return int(stats.f_bavail * stats.f_frsize)


def _in_a_namespace_if_not_root(request: pytest.FixtureRequest) -> bool:
    """Not root: run this very test again inside ``unshare --user --map-root-user --mount``
    (true here means it ran there, and passed)."""
    if os.geteuid() == 0:
        return False
    unshare = shutil.which("unshare")
    assert unshare, "the full-disk test needs root or util-linux's unshare"
    done = subprocess.run([unshare, "--user", "--map-root-user", "--mount", sys.executable,
                           "-m", "pytest", "-q", "-p", "no:cacheprovider", request.node.nodeid],
                          capture_output=True, text=True, timeout=900,
                          cwd=request.config.rootpath)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    return True


def test_a_full_disk(request: pytest.FixtureRequest, tmp_path: Path,
                     monkeypatch: pytest.MonkeyPatch) -> None:
    if _in_a_namespace_if_not_root(request):
        return
    disk = tmp_path / "disk"
    disk.mkdir()
    _mount_tmpfs(disk, "8m")
    try:
        _full_disk(disk, tmp_path, monkeypatch)
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False, capture_output=True)


def _full_disk(disk: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RESOLUTIONS_NOW", FROZEN_NOW)
    ws = make_workspace(disk / "ws")
    symbol = draft(ws, tmp_path)
    ws(["circulate", symbol, "--reviewer", "rev-ru"])
    ws(["comment", symbol, "--by", "rev-ru", "--ref", "OP 1", "--type", "te", "--text", "x"])
    before = row_counts(ws.root)
    files = sorted(p.relative_to(ws.root) for p in ws.root.rglob("*") if p.is_file()
                   and not p.name.startswith("resolutions.db"))
    free = _fill(disk)
    assert free <= 16 * 1024, free

    # the read commands answer, audit verify included
    assert "audit log intact" in ws(["audit", "verify"]).output
    assert symbol in ws(["list"]).output
    assert "in_review" in ws(["status", symbol]).output
    assert "circulate" in ws(["log", symbol]).output
    assert "x" in ws(["comments", symbol]).output
    assert json.loads(ws(["audit", "verify", "--json"]).output)["ok"]
    # the writes refuse in one line, and say what to do
    for args in (["comment", symbol, "--by", "rev-ru", "--ref", "OP 2", "--type", "ed",
                  "--text", "y"],
                 ["render", symbol, "--stage", "draft", "--format", "pdf", "-o",
                  str(disk / "out")],
                 ["close-review", symbol, "--changes", "--force", "--reason", "full"]):
        line = _one_line(ws(args, code=1).output)
        assert "full" in line and ("free some space" in line or "free" in line), line
    err = json.loads(ws(["--json", "comment", symbol, "--by", "rev-ru", "--ref", "OP 2",
                         "--type", "ed", "--text", "y"], code=1).stderr)
    assert err["error"] == "disk-full"

    # nothing half-written: no new row, no new or temporary file
    (disk / "filler").unlink()
    assert row_counts(ws.root) == before
    after = sorted(p.relative_to(ws.root) for p in ws.root.rglob("*") if p.is_file()
                   and not p.name.startswith("resolutions.db"))
    caches = ("parsed", "parity")  # caches, never evidence (docs/SECURITY.md)
    assert [p for p in after if p not in files and not set(caches) & set(p.parts)] == [], after
    assert not (disk / "out").exists() or not list((disk / "out").iterdir())
    ws(["audit", "verify"])
    ws(["comment", symbol, "--by", "rev-ru", "--ref", "OP 2", "--type", "ed", "--text", "y"])
