"""PostgreSQL: members are database roles. Played on a real cluster, each member connecting
with their own role over TLS with their own password: the acting member is the connection's
role, not a flag; each role may do its commands and no other; and raw UPDATE/DELETE through
psql on the append-only tables is refused by PostgreSQL itself — also for the owner.
(The attacks of a member who knows the chain's format: test_pg_attacks.py.)"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.conftest import LETTER, Cli, make_workspace
from tests.pg import Cluster
from tests.reliability.helpers import draft

pytestmark = pytest.mark.postgres


def _psql(cluster: Cluster, database: str, role: str, sql: str) -> subprocess.CompletedProcess[str]:
    """``psql`` as ``role``: the superuser on the private socket, anyone else over TLS with
    the password from the passfile (never on the command line)."""
    target = (["-h", str(cluster.socket), "-p", str(cluster.port), "-U", role, "-d", database]
              if role == "postgres" else [cluster.conninfo(database, role)])
    return subprocess.run(["psql", *target, "-v", "ON_ERROR_STOP=1", "-X", "-q", "-c", sql],
                          capture_output=True, text=True, timeout=60)


@pytest.fixture
def pg_ws(tmp_path: Path, pg_cluster: Cluster,
          monkeypatch: pytest.MonkeyPatch) -> tuple[Cli, Cluster, str, str]:
    url = pg_cluster.create_database()
    monkeypatch.setenv("RESOLUTIONS_DATABASE_URL", url)
    ws = make_workspace(tmp_path / "ws")
    database = url.split("?")[0].rsplit("/", 1)[-1]
    return ws, pg_cluster, url, database


def test_each_member_acts_as_their_own_role(pg_ws: tuple[Cli, Cluster, str, str],
                                            tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    ws, cluster, owner, database = pg_ws
    listed = {m["id"]: m["db_role"] for m in
              json.loads(ws(["member", "list", "--json"]).output)["members"]}
    assert listed["appr-ru"] == f"{database}_appr-ru"
    assert all(role == f"{database}_{mid}" for mid, role in listed.items())
    symbol = draft(ws, tmp_path)

    def as_member(member: str, args: list[str], code: int | None = 0) -> str:
        monkeypatch.setenv("RESOLUTIONS_DATABASE_URL", cluster.role_url(database,
                                                                         listed[member]))
        try:
            return ws(args, code=code).output
        finally:
            monkeypatch.setenv("RESOLUTIONS_DATABASE_URL", owner)

    # a reviewer reads, but may not circulate; the refusal is audited under their name
    assert symbol in as_member("rev-ru", ["status", symbol])
    out = as_member("rev-ru", ["circulate", symbol, "--reviewer", "rev-ru"], code=1)
    assert "rev-ru may not circulate" in out
    # and no flag makes them someone else: on rev-ru's own machine the passfile holds
    # rev-ru's password only, so --as sec is a login as sec that the database refuses
    own = tmp_path / "rev-ru-password"
    own.write_text("a password of rev-ru's own\n", "utf-8")
    ws(["member", "password", "rev-ru", "--password-file", str(own)])
    passfile = tmp_path / "rev-ru.pgpass"
    passfile.write_text(f"*:*:*:{listed['rev-ru']}:a password of rev-ru's own\n", "utf-8")
    passfile.chmod(0o600)
    monkeypatch.setenv("RESOLUTIONS_DATABASE_URL",
                       cluster.role_url(database, listed["rev-ru"], passfile))
    assert symbol in ws(["status", symbol]).output  # rev-ru's own login works
    result = ws(["--as", "sec", "circulate", symbol, "--reviewer", "rev-ru"], code=1)
    assert result.output.count("\n") == 1, result.output
    assert f"asks {listed['sec']} for a password and none was found" in result.output
    assert "~/.pgpass" in result.output and "nothing was changed" in result.output
    monkeypatch.setenv("RESOLUTIONS_DATABASE_URL", owner)
    ws(["member", "password", "rev-ru", "--password-file", str(cluster.password_file)])
    # the secretary's own role circulates; the reviewer comments as themselves
    as_member("sec", ["circulate", symbol, "--reviewer", "rev-ru"])
    as_member("rev-ru", ["comment", symbol, "--ref", "OP 1", "--type", "ge", "--text", "ok"])
    as_member("sec", ["dispose", symbol, "1", "--accept", "--note", "noted"])
    as_member("sec", ["close-review", symbol, "--no-objection"])
    # an approver approves as themselves: authenticated, so no evidence is asked
    out = as_member("appr-ru", ["approve", symbol])
    assert "approved by appr-ru" in out
    # the secretary's role still needs the other delegation's word
    assert "bring their word" in as_member("sec", ["approve", symbol, "--by", "appr-zh"],
                                           code=1)
    as_member("sec", ["approve", symbol, "--by", "appr-zh", "--evidence", LETTER])
    log = json.loads(ws(["log", symbol, "--json"]).output)["events"]
    refused = [e for e in log if e["action"] == "refused"]
    assert refused and refused[0]["actor"] == "rev-ru"
    approvals = [e["detail"] for e in log if e["action"] == "approve"]
    assert approvals[0]["typed_by"] == "appr-ru" and "on_behalf_of" not in approvals[0]
    assert approvals[1]["typed_by"] == "sec" and approvals[1]["on_behalf_of"] == "appr-zh"
    ws(["audit", "verify"])


def test_the_database_refuses_rewriting_history(pg_ws: tuple[Cli, Cluster, str, str],
                                                tmp_path: Path) -> None:
    ws, cluster, _, database = pg_ws
    symbol = draft(ws, tmp_path)
    ws(["circulate", symbol, "--reviewer", "rev-ru"])
    ws(["close-review", symbol, "--no-objection"])
    ws(["approve", symbol, "--by", "appr-ru", "--evidence", LETTER])
    role = {m: f"{database}_{m}" for m in ("sec", "rev-ru", "appr-ru")}
    attempts = [
        (role["sec"], "UPDATE audit_events SET actor = 'someone' WHERE seq = 1",
         "permission denied"),
        (role["sec"], "DELETE FROM audit_events WHERE seq = 1", "permission denied"),
        (role["appr-ru"], "UPDATE versions SET source = 'x'", "permission denied"),
        (role["sec"], "DELETE FROM versions", "permission denied"),
        (role["appr-ru"], "UPDATE approvals SET member_id = 'appr-zh'", "permission denied"),
        (role["appr-ru"], "DELETE FROM approvals", "permission denied"),
        (role["rev-ru"], "INSERT INTO approvals (resolution_id, version_number, content_hash,"
                         " member_id, decision, note, void, at) SELECT resolution_id, "
                         "version_number, content_hash, 'rev-ru', 'approved', '', false, at "
                         "FROM approvals", "permission denied"),
        (role["rev-ru"], "INSERT INTO member_roles (member_id, role) "
                         "VALUES ('rev-ru', 'secretary')", "permission denied"),
        (role["sec"], "INSERT INTO member_roles (member_id, role) VALUES ('sec', 'approver')",
         "permission denied"),
        (role["sec"], "UPDATE members SET email = 'sec@elsewhere.example' WHERE id = 'sec'",
         "permission denied"),
        (role["sec"], "UPDATE signatures SET member_id = 'x'", "permission denied"),
        # the owner too, who holds every grant: the triggers refuse whoever asks
        ("postgres", "UPDATE audit_events SET actor = 'someone' WHERE seq = 1", "append-only"),
        ("postgres", "DELETE FROM versions", "append-only"),
        ("postgres", "UPDATE approvals SET member_id = 'appr-zh'", "refused"),
    ]
    # members are refused by the grants; the owner, who holds them all, by the triggers
    for who, sql, reason in attempts:
        done = _psql(cluster, database, who, sql)
        assert done.returncode != 0, f"{who}: {sql} was allowed"
        assert reason in done.stderr, (who, sql, done.stderr)
    # voiding is the one change an approval may take, one way only — and, like every fact,
    # only together with the audit event that records it (the engine's `object` or `edit`)
    void = _psql(cluster, database, role["appr-ru"], "UPDATE approvals SET void = true")
    assert void.returncode != 0 and "without an audit event recording it" in void.stderr
    undo = _psql(cluster, database, f"{database}_admin", "UPDATE approvals SET void = false")
    assert undo.returncode != 0 and "refused" in undo.stderr, undo.stderr
    # reading is allowed to every member
    assert _psql(cluster, database, role["rev-ru"],
                 "SELECT count(*) FROM audit_events").returncode == 0
