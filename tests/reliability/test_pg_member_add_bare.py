"""PostgreSQL: ``member add`` on the bare driver (``workflow.writing.add_member`` on the
administrator's login) makes what the ORM's service makes — the member's row, roles and
event, a login role in the same groups with the same attributes, a SCRAM-SHA-256 verifier
for its first password — in one transaction, without importing the ORM. Judged by the
catalogue and by ``psql`` as the new member: they log in with their own password, and are
refused writing as another member; ``audit verify`` is clean; a failure after the role was
made leaves no role, no row and no event."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Cli, open_app
from tests.pg import Cluster
from tests.reliability.helpers import ROOT

pytestmark = pytest.mark.postgres

_COLD = ("import sys\nfrom tests.launch import install\ninstall()\nfrom cli import cli\n"
         "try:\n    cli.main(sys.argv[1:], prog_name='resolutions', standalone_mode=False)\n"
         "finally:\n    print('@@' + ','.join(sorted(m for m in ('sqlalchemy', 'sqlmodel', "
         "'pydantic', 'alembic') if m in sys.modules)))\n")


def _database() -> str:
    return os.environ["RESOLUTIONS_DATABASE_URL"].split("?")[0].rsplit("/", 1)[-1]


def _cold(ws: Cli, *args: str) -> subprocess.CompletedProcess[str]:
    """``resolutions ARGS`` in a fresh interpreter, printing which ORM modules it imported."""
    env = {**os.environ, "RESOLUTIONS_WORKSPACE": str(ws.root),
           "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    return subprocess.run([sys.executable, "-c", _COLD, *args], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=120)


def _superuser(cluster: Cluster, sql: str, params: tuple[object, ...] = ()) -> list[Any]:
    import psycopg

    with psycopg.connect(host=str(cluster.socket), port=cluster.port, user="postgres",
                         dbname=_database(), autocommit=True) as conn:
        cur = conn.execute(sql, params)
        return list(cur.fetchall()) if cur.description is not None else []


def _login(cluster: Cluster, role: str) -> dict[str, Any]:
    """What the catalogue holds of login role ``role``: its attributes, its groups (named
    without the database's prefix) and the kind of verifier its password is."""
    database = _database()
    rows = _superuser(cluster, "SELECT rolcanlogin, rolinherit, rolsuper, rolcreatedb, "
                      "rolcreaterole, rolbypassrls, split_part(rolpassword, '$', 1) "
                      "FROM pg_authid WHERE rolname = %s", (role,))
    if not rows:
        return {}
    groups = sorted(str(g).removeprefix(f"{database}_") for (g,) in _superuser(
        cluster, "SELECT g.rolname FROM pg_auth_members a JOIN pg_roles g ON g.oid = a.roleid "
        "JOIN pg_roles m ON m.oid = a.member WHERE m.rolname = %s", (role,)))
    return {"attributes": rows[0][:6], "verifier": rows[0][6], "groups": groups}


def _table(cluster: Cluster, sql: str) -> list[tuple[Any, ...]]:
    return [tuple(r) for r in _superuser(cluster, sql)]


def _psql(cluster: Cluster, folder: Path, member: str, password: str,
          sql: str) -> subprocess.CompletedProcess[str]:
    """``psql`` as ``member``'s own role, with a passfile holding their password only."""
    database = _database()
    role = f"{database}_{member}"
    passfile = folder / f"{member}.pgpass"
    passfile.write_text(f"{cluster.host}:{cluster.port}:{database}:{role}:{password}\n", "utf-8")
    passfile.chmod(0o600)
    return subprocess.run(["psql", cluster.conninfo(database, role, passfile=str(passfile)),
                           "-X", "-At", "-v", "ON_ERROR_STOP=1", "-c", sql],
                          capture_output=True, text=True, timeout=60)


def _verify(ws: Cli) -> list[str]:
    return list(json.loads(ws(["audit", "verify", "--json"], code=None).stdout)["problems"])


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_member_add_on_the_bare_path_makes_what_the_service_makes(
        ws: Cli, pg_cluster: Cluster, tmp_path: Path) -> None:
    first = tmp_path / "li-a.password"
    first.write_text("Li Wei's own first one\n", "utf-8")
    done = _cold(ws, "--json", "member", "add", "li-a", "--name", "Li Wei", "--org", "TTF",
                 "--delegation", "zh", "--email", "li@wg.example", "--role", "approver",
                 "--role", "signatory", "--password-file", str(first))
    assert done.returncode == 0, done.stderr
    out, _, imported = done.stdout.rpartition("@@")
    assert imported.strip() == "", f"the ORM was imported: {imported}"  # the bare path ran
    bare = json.loads(out)
    assert bare["db_role"] == f"{_database()}_li-a"

    from workflow.members import add_member

    app = open_app(ws.root)
    try:
        orm = add_member(app, "li-b", name="Li Wei", org="TTF", delegation="zh",
                         email="li@wg.example", roles=("approver", "signatory"),
                         password="Li Wei's other first one")
    finally:
        app.db.dispose()
    assert {**bare, "id": "", "db_role": ""} == {**orm.to_json(), "id": "", "db_role": ""}
    # the same rows but the id and the time
    rows = _table(pg_cluster, "SELECT id, name, names_json, org, delegation, email, lang, "
                  "active FROM members WHERE id IN ('li-a', 'li-b') ORDER BY id")
    assert [r[1:] for r in rows] == [rows[0][1:]] * 2 and [r[0] for r in rows] == ["li-a", "li-b"]
    roles = _table(pg_cluster, "SELECT member_id, role FROM member_roles "
                   "WHERE member_id IN ('li-a', 'li-b') ORDER BY member_id, role")
    assert roles == [(m, r) for m in ("li-a", "li-b") for r in ("approver", "signatory")]
    # the same event (its facts: the same tables and fields) and the same login role
    events = _table(pg_cluster, "SELECT actor, detail FROM audit_events "
                    "WHERE action = 'member-add' ORDER BY seq")[-2:]
    details = [json.loads(d) for _, d in events]
    assert [a for a, _ in events] == ["sec", "sec"]
    assert [(d["member"], d["db_role"]) for d in details] == [
        ("li-a", f"{_database()}_li-a"), ("li-b", f"{_database()}_li-b")]
    shape = [({k: v for k, v in d.items() if k not in ("member", "db_role", "facts")},
              [(t, sorted(f)) for t, _k, _h, f in d["facts"]]) for d in details]
    assert shape[0] == shape[1]
    assert [t for t, _f in shape[0][1]] == ["member_roles", "member_roles", "members"]
    a, b = _login(pg_cluster, f"{_database()}_li-a"), _login(pg_cluster, f"{_database()}_li-b")
    assert a == b == {"attributes": (True, True, False, False, False, False),
                      "verifier": "SCRAM-SHA-256",
                      "groups": ["members", "r_approver", "r_signatory"]}
    assert _verify(ws) == []
    # the new member logs in with their own password, as themselves …
    me = _psql(pg_cluster, tmp_path, "li-a", "Li Wei's own first one",
               "SELECT session_user, resolutions_caller()")
    assert me.returncode == 0, me.stderr
    assert me.stdout.strip() == f"{_database()}_li-a|li-a"
    wrong = _psql(pg_cluster, tmp_path, "li-a", "Li Wei's other first one", "SELECT 1")
    assert wrong.returncode != 0 and "password authentication failed" in wrong.stderr
    # … and cannot write as another member: no member of their own making, no event in
    # the secretary's name, no approval credited to someone else
    made = _psql(pg_cluster, tmp_path, "li-a", "Li Wei's own first one",
                 "INSERT INTO members (id, name, names_json, org, delegation, email, lang, "
                 "created_at, active) VALUES ('mole', 'Mole', '{}', '', '', '', 'en', now(), "
                 "true)")
    assert made.returncode != 0 and "permission denied for table members" in made.stderr
    forged = _psql(pg_cluster, tmp_path, "li-a", "Li Wei's own first one",
                   "SELECT resolutions_append(now(), 'sec', 'member-add', 'ok', NULL, '', "
                   "'{}', '{}', '')")
    assert forged.returncode != 0
    assert "may append events in your own name only, not as sec" in forged.stderr
    assert _verify(ws) == []


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_member_add_refusals_on_postgresql_are_the_services(
        ws: Cli, pg_cluster: Cluster) -> None:
    """A reviewer adding a member, an existing id, a bad address: the same message on the
    bare path as from the service, the same events (the reviewer's ``refused``, else
    none), no row and no role."""
    from workflow import writing
    from workflow.errors import WorkflowError
    from workflow.members import add_member

    def events() -> list[tuple[Any, ...]]:
        return _table(pg_cluster, "SELECT actor, action, outcome, detail FROM audit_events "
                      "ORDER BY seq")

    url = os.environ["RESOLUTIONS_DATABASE_URL"]
    cases = [("rev-ru", "new-one", {}), (None, "rev-ru", {}),
             (None, "new-two", {"email": "not an address"})]
    for actor, member_id, extra in cases:
        fields: dict[str, Any] = {"name": "Someone", **extra}
        before = events()
        w = writing.open_writing(ws.root, actor, database_url=url, admin=True)
        assert w is not None
        try:
            with pytest.raises(WorkflowError) as bare:
                writing.add_member(w, member_id, **fields)
        finally:
            w.close()
        middle = events()
        app = open_app(ws.root, actor)
        try:
            with pytest.raises(WorkflowError) as orm:
                add_member(app, member_id, **fields)
        finally:
            app.db.dispose()
        after = events()
        assert str(bare.value) == str(orm.value), member_id
        assert middle[len(before):] == after[len(middle):]
        assert [e[:3] for e in middle[len(before):]] == (
            [("rev-ru", "refused", "refused")] if actor else [])
    assert _table(pg_cluster, "SELECT id FROM members WHERE id IN ('new-one', 'new-two')") == []
    assert _login(pg_cluster, f"{_database()}_new-one") == {}


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_a_failure_after_the_role_was_made_leaves_nothing(
        ws: Cli, pg_cluster: Cluster, tmp_path: Path) -> None:
    """The event is refused after the row, the login role and its verifier were made (a
    trigger of the test's on the audit log): nothing of it stays — no role, no row, no
    event — and the same member can be added afterwards."""
    database = _database()
    _superuser(pg_cluster, """
        CREATE FUNCTION test_refuse_doomed() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF NEW.detail::jsonb->>'member' = 'doomed' THEN
            RAISE EXCEPTION 'the test refuses this event';
          END IF;
          RETURN NEW;
        END $$;
        CREATE TRIGGER test_refuse_doomed BEFORE INSERT ON audit_events
          FOR EACH ROW EXECUTE FUNCTION test_refuse_doomed()""")
    before = _table(pg_cluster, "SELECT seq, hash FROM audit_head")
    password = tmp_path / "doomed.password"
    password.write_text("the doomed member's first\n", "utf-8")
    done = _cold(ws, "member", "add", "doomed", "--name", "Doomed", "--role", "reviewer",
                 "--password-file", str(password))
    assert done.returncode == 1, done.stdout + done.stderr
    assert "the test refuses this event" in done.stderr
    assert _login(pg_cluster, f"{database}_doomed") == {}
    assert _table(pg_cluster, "SELECT id FROM members WHERE id = 'doomed'") == []
    assert _table(pg_cluster, "SELECT role FROM member_roles WHERE member_id = 'doomed'") == []
    assert _table(pg_cluster, "SELECT seq, hash FROM audit_head") == before
    _superuser(pg_cluster, "DROP TRIGGER test_refuse_doomed ON audit_events")
    again = _cold(ws, "member", "add", "doomed", "--name", "Doomed", "--role", "reviewer",
                  "--password-file", str(password))
    assert again.returncode == 0, again.stderr
    assert _login(pg_cluster, f"{database}_doomed")["groups"] == ["members", "r_reviewer"]
    assert _verify(ws) == []


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_the_rules_read_each_tables_key_as_the_models_declare_it(ws: Cli) -> None:
    """The database's rules bind each fact table by its primary key, which
    :mod:`workflow.store.pgroles` now reads from the catalogue (the bare path imports no
    models): the catalogue's keys are the models' own, column for column, in order."""
    from sqlmodel import SQLModel

    import workflow.store.models  # noqa: F401  (the tables)
    from workflow.store import pgroles
    from workflow.store.factcheck import FACT_TABLES

    app = open_app(ws.root)
    try:
        with app.db.admin_engine.connect() as conn:
            keys = pgroles._keys(conn)
    finally:
        app.db.dispose()
    tables = SQLModel.metadata.tables
    assert {t: keys[t] for t in FACT_TABLES if t in keys} == {
        t: [c.name for c in tables[t].primary_key.columns] for t in FACT_TABLES if t in keys}
    assert set(FACT_TABLES) <= set(keys)
