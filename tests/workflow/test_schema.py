"""The schema: the revision the engine expects is Alembic's head, migration 0003 moves
each member's comma-separated roles into ``member_roles`` (and back), 0006 gives members
an ``active`` flag (every existing member active), and 0007 keeps every receipt of a
submission in ``receipts``, on both backends."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, text
from sqlmodel import select

import workflow.store.db as db_module
from tests.pg import Cluster
from workflow.store.db import Database, schema_revision
from workflow.store.models import Member, MemberRole, holding

MIGRATIONS = Path(db_module.__file__).parent / "migrations"
MEMBERS = [("sec", "secretary"), ("both", "reviewer,approver"), ("none", ""),
           ("dup", "signatory,signatory,archivist")]


def _config(conn: object) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = conn
    return config


def test_schema_revision_is_alembics_head() -> None:
    head = ScriptDirectory(str(MIGRATIONS)).get_current_head()
    assert head is not None
    assert schema_revision() == head


import workflow.store.reads as reads_module  # noqa: E402


def test_a_second_head_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    versions = tmp_path / "migrations" / "versions"
    versions.mkdir(parents=True)
    for script in (MIGRATIONS / "versions").glob("0*.py"):
        (versions / script.name).write_text(script.read_text("utf-8"), "utf-8")
    (versions / "0099_branch.py").write_text("revision = '0099'\ndown_revision = '0001'\n")
    monkeypatch.setattr(reads_module, "_MIGRATIONS", tmp_path / "migrations")  # where it is read
    db_module.schema_revision.cache_clear()
    try:
        with pytest.raises(db_module.WorkspaceError, match="2 heads"):
            db_module.schema_revision()
    finally:
        monkeypatch.undo()
        db_module.schema_revision.cache_clear()
    assert db_module.schema_revision() == ScriptDirectory(str(MIGRATIONS)).get_current_head()


def _head_of(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, extra: dict[str, str]) -> str:
    versions = tmp_path / "migrations" / "versions"
    versions.mkdir(parents=True)
    for script in (MIGRATIONS / "versions").glob("0*.py"):
        (versions / script.name).write_text(script.read_text("utf-8"), "utf-8")
    for name, script_text in extra.items():
        (versions / name).write_text(script_text, "utf-8")
    monkeypatch.setattr(reads_module, "_MIGRATIONS", tmp_path / "migrations")
    db_module.schema_revision.cache_clear()
    try:
        return db_module.schema_revision()
    finally:
        monkeypatch.undo()
        db_module.schema_revision.cache_clear()


def test_the_head_is_read_as_alembic_reads_it_merges_included(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The scripts' assignments are read without ``ast``: a merge's tuple, either quote,
    an annotation, and lines after the first function (never an assignment) all as
    Alembic's own ScriptDirectory reads them."""
    head = ScriptDirectory(str(MIGRATIONS)).get_current_head()
    found = _head_of(tmp_path, monkeypatch, {
        "0098_side.py": f'revision: str = "0098"\ndown_revision = "{head}"\n',
        "0099_merge.py": (f"revision = '0099'\ndown_revision = ('0098', '{head}')\n\n"
                          "def upgrade() -> None:\n    revision = 'not-this'\n")})
    assert found == "0099"
    alembic = ScriptDirectory(str(tmp_path / "migrations"))
    assert alembic.get_current_head() == "0099"


@pytest.mark.parametrize("value", ["0099", "make('0099')", "'00' + '99'", "['0099'] * 2"])
def test_a_revision_that_is_not_a_name_is_refused(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    with pytest.raises(db_module.WorkspaceError, match="is not a revision name"):
        _head_of(tmp_path, monkeypatch, {"0099_odd.py": f"revision = {value}\n"})


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "postgresql":
        cluster: Cluster = request.getfixturevalue("pg_cluster")
        return cluster.create_database()
    return f"sqlite:///{tmp_path / 'old.db'}"


def test_roles_move_into_their_relation_and_back(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        command.upgrade(_config(conn), "0002")
        for i, (member_id, roles) in enumerate(MEMBERS):
            conn.execute(text("INSERT INTO members (id, name, names_json, org, delegation, "
                              "email, roles, lang, created_at) VALUES (:id, :id, '{}', '', "
                              "'ru', '', :roles, 'en', :at)"),
                         {"id": member_id, "roles": roles, "at": f"2024-09-2{i} 10:00:00"})
    engine.dispose()

    database = Database(url, admin=True)  # the administrator, who migrates
    database.migrate()  # the explicit step
    with database.read() as session:
        assert "roles" not in {c["name"] for c in inspect(session.connection()).get_columns(
            "members")}
        rows = session.exec(select(MemberRole.member_id, MemberRole.role)
                            .order_by(MemberRole.member_id, MemberRole.role)).all()
        assert [tuple(r) for r in rows] == [
            ("both", "approver"), ("both", "reviewer"), ("dup", "archivist"),
            ("dup", "signatory"), ("sec", "secretary")]
        assert session.get(Member, "both").role_set() == {"reviewer", "approver"}
        assert session.get(Member, "none").role_set() == set()
        assert [m.id for m in session.exec(holding("secretary"))] == ["sec"]
        assert [m.id for m in session.exec(holding("signatory"))] == ["dup"]
        version = session.connection().execute(text("SELECT version_num FROM alembic_version"))
        assert version.scalar() == schema_revision()  # the head, past 0003
    database.dispose()

    engine = create_engine(url)
    with engine.begin() as conn:
        command.downgrade(_config(conn), "0002")
    with engine.connect() as conn:
        back = dict(conn.execute(text("SELECT id, roles FROM members")).all())
        assert not inspect(conn).has_table("member_roles")
    engine.dispose()
    assert back == {"sec": "secretary", "both": "approver,reviewer", "none": "",
                    "dup": "archivist,signatory"}


def test_the_receipt_already_recorded_becomes_the_first_of_the_receipts(url: str) -> None:
    """0007: each submission's receipt (kept in its own columns until then) is copied into
    ``receipts``; a submission never answered gets none; downgrading drops the table."""
    engine = create_engine(url)
    at = "2024-10-01 10:00:00"
    with engine.begin() as conn:
        command.upgrade(_config(conn), "0003")
        conn.execute(text("INSERT INTO resolutions (id, number, symbol, body, title, state, "
                          "current_version, row_version, created_at, updated_at) VALUES "
                          "(1, 1, 'RCWG/RES/2024/1', 'hc', '', 'acknowledged', 1, 1, :at, :at)"),
                     {"at": at})
        for sub_id, ref, outcome in ((1, "HC-117", "acknowledged"), (2, "", "")):
            conn.execute(text(
                "INSERT INTO submissions (id, resolution_id, body, version_number, "
                "package_path, package_sha256, manifest_json, message_id, submitted_at, "
                "receipt_ref, outcome, note, received_at) VALUES (:id, 1, 'hc', 1, '', '', "
                "'{}', '', :at, :ref, :outcome, '', :received)"),
                {"id": sub_id, "at": at, "ref": ref, "outcome": outcome,
                 "received": "2024-10-02 09:00:00" if ref else None})
        command.upgrade(_config(conn), "0007")
    with engine.connect() as conn:
        rows = [tuple(r) for r in conn.execute(text(
            "SELECT submission_id, reference, outcome, note, recorded_by FROM receipts"))]
        assert rows == [(1, "HC-117", "acknowledged", "", "")]
        when = conn.execute(text("SELECT received_at FROM receipts")).scalar()
        assert str(when).startswith("2024-10-02 09:00:00")
    with engine.begin() as conn:
        command.downgrade(_config(conn), "0003")
    with engine.connect() as conn:
        assert not inspect(conn).has_table("receipts")
        assert conn.execute(text("SELECT receipt_ref FROM submissions WHERE id = 1")
                            ).scalar() == "HC-117"
    engine.dispose()


def test_state_is_the_enum_and_stored_as_its_text() -> None:
    import datetime as dt

    from sqlmodel import Session, SQLModel

    from workflow.errors import WorkspaceError
    from workflow.lifecycle.machine import State as MachineState
    from workflow.states import State
    from workflow.store.models import ResolutionRow

    assert MachineState is State
    engine = create_engine("sqlite://")
    SQLModel.metadata.create_all(engine)
    now = dt.datetime(2024, 9, 26, tzinfo=dt.timezone.utc)
    with Session(engine) as session:
        row = ResolutionRow(number=1, symbol="RCWG/RES/2024/1", body="b", state="draft",
                            created_at=now, updated_at=now)
        assert row.state is State.draft
        session.add(row)
        session.commit()
        row.state = "in_review"  # type: ignore[assignment]
        assert row.state is State.in_review
        with pytest.raises(ValueError):
            row.state = "nearly_done"  # type: ignore[assignment]
        session.commit()
        raw = session.connection().execute(text("SELECT state FROM resolutions")).scalar()
        assert raw == "in_review" and type(raw) is str
    with Session(engine) as session:
        loaded = session.exec(select(ResolutionRow).where(
            ResolutionRow.state == State.in_review)).one()
        assert loaded.state is State.in_review
        assert f"{loaded.state}" == "in_review"
        session.connection().execute(text("UPDATE resolutions SET state = 'nearly_done'"))
        session.commit()
    with Session(engine) as session, pytest.raises(WorkspaceError, match="audit verify"):
        session.exec(select(ResolutionRow)).all()


def test_members_become_active_and_the_flag_goes_back(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        command.upgrade(_config(conn), "0003")
        for member_id in ("sec", "old"):
            conn.execute(text("INSERT INTO members (id, name, names_json, org, delegation, "
                              "email, lang, created_at) VALUES (:id, :id, '{}', '', 'ru', '', "
                              "'en', '2024-09-20 10:00:00')"), {"id": member_id})
        conn.execute(text("INSERT INTO member_roles (member_id, role) VALUES "
                          "('sec', 'secretary')"))
    engine.dispose()

    database = Database(url, admin=True)  # the administrator, who migrates
    database.migrate()  # the explicit step
    with database.write() as session:
        assert [m.active for m in session.exec(select(Member).order_by(Member.id))] == [
            True, True]
        old = session.get(Member, "old")
        assert old is not None
        old.active = False
        session.add(old)
    with database.read() as session:
        assert session.get(Member, "old").active is False  # type: ignore[union-attr]
        assert [m.id for m in session.exec(holding("secretary"))] == ["sec"]
        version = session.connection().execute(text("SELECT version_num FROM alembic_version"))
        assert version.scalar() == schema_revision()
    database.dispose()

    engine = create_engine(url)
    with engine.begin() as conn:
        command.downgrade(_config(conn), "0003")
    with engine.connect() as conn:
        assert "active" not in {c["name"] for c in inspect(conn).get_columns("members")}
        assert dict(conn.execute(text("SELECT member_id, role FROM member_roles")).all()) == {
            "sec": "secretary"}
    engine.dispose()
