"""PostgreSQL: the administrator adds members with the administrator's own password only.

On a deployment the administrator's machine holds the administrator's password and no
member's (docs/SECURITY.md, "Administration"). ``member add`` is administration: it logs
in as the administrator, and needs no other login — not even the secretary's, whom
ordinary work on the administrator's URL logs in as. Checked against the real cluster over
TLS with SCRAM, each login with a passfile holding only its own line, and with ``psql`` as
the new member's own role."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.conftest import Cli
from tests.pg import Cluster
from tests.reliability.helpers import run

pytestmark = pytest.mark.postgres


def _passfile(folder: Path, cluster: Cluster, database: str, role: str, password: str) -> Path:
    path = folder / f"{role}.pgpass"
    path.write_text(f"{cluster.host}:{cluster.port}:{database}:{role}:{password}\n", "utf-8")
    path.chmod(0o600)
    return path


def _psql(cluster: Cluster, database: str, member: str, password: str, folder: Path,
          sql: str) -> str:
    """``psql`` as ``member``'s own role, with their password only."""
    role = f"{database}_{member}"
    conninfo = cluster.conninfo(database, role, passfile=str(_passfile(folder, cluster,
                                                                      database, role, password)))
    done = subprocess.run(["psql", conninfo, "-X", "-At", "-v", "ON_ERROR_STOP=1", "-c", sql],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_member_add_needs_only_the_administrators_password(
        tmp_path: Path, pg_cluster: Cluster, monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    url = pg_cluster.create_database()
    database = url.split("?")[0].rsplit("/", 1)[-1]
    admin = f"{database}_admin"
    only_admin = pg_cluster.role_url(database, admin, _passfile(tmp_path, pg_cluster, database,
                                                                admin, pg_cluster.password))
    monkeypatch.setenv("RESOLUTIONS_DATABASE_URL", only_admin)
    ws = Cli(tmp_path / "ws", CliRunner())
    ws(["init", str(ws.root), "--name", "Working group", "--prefix", "RCWG"])
    first = tmp_path / "sec.password"
    first.write_text("the secretary's own\n", "utf-8")
    ws(["member", "add", "sec", "--name", "Secretary", "--role", "secretary",
        "--password-file", str(first)])
    rev = tmp_path / "rev.password"
    rev.write_text("the reviewer's first\n", "utf-8")
    # the secretary exists now: the administrator still needs no password but their own —
    # each a command of its own, as the administrator runs it
    added = run(ws.root, ["--json", "member", "add", "rev", "--name", "Reviewer", "--role",
                          "reviewer", "--password-file", str(rev)])
    assert added.returncode == 0, added.stderr
    assert json.loads(added.stdout)["db_role"] == f"{database}_rev"
    # with a secretary named as who asks, the same (a secretary of the gate's, not a login)
    added = run(ws.root, ["--as", "sec", "member", "add", "rev2", "--name", "Reviewer 2",
                          "--role", "reviewer"])
    assert added.returncode == 0, added.stderr
    own = pg_cluster.role_url(database, f"{database}_sec", _passfile(
        tmp_path, pg_cluster, database, f"{database}_sec", "the secretary's own"))
    monkeypatch.setenv("RESOLUTIONS_DATABASE_URL", own)
    listed = {m["id"]: m["db_role"] for m in
              json.loads(ws(["--json", "member", "list"]).stdout)["members"]}
    assert listed == {m: f"{database}_{m}" for m in ("sec", "rev", "rev2")}
    added_by = _psql(pg_cluster, database, "sec", "the secretary's own", tmp_path,
                     "SELECT actor, detail::jsonb->>'member' FROM audit_events "
                     "WHERE action = 'member-add' ORDER BY seq")
    assert added_by == "sec|sec\nsec|rev\nsec|rev2"
    assert ws(["audit", "verify"]).output.startswith("audit log intact")
    monkeypatch.setenv("RESOLUTIONS_DATABASE_URL", only_admin)
    # the new member logs in as themselves with the first password they were given
    assert _psql(pg_cluster, database, "rev", "the reviewer's first", tmp_path,
                 "SELECT session_user, resolutions_caller()") == f"{database}_rev|rev"
    # ordinary work on the administrator's URL is still the secretary's login, which needs
    # the secretary's password: not at hand here, and told so in one line
    refused = ws(["circulate", "1", "--reviewer", "rev"], code=1)
    assert f"asks {database}_sec for a password and none was found" in refused.output, \
        refused.output
    # a read command on the bare driver says the same (it used to send one to 'doctor')
    listing = ws(["member", "list"], code=1)
    assert f"asks {database}_sec for a password and none was found" in listing.output, \
        listing.output
    assert "doctor" not in listing.output
