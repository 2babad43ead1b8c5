"""Opening the database: one engine per workspace, migrations applied by an explicit step
(:meth:`Database.migrate`: ``init``, and ``App.open``, which says when it migrated), and
write transactions that serialise on the audit head.

SQLite runs in WAL mode with a busy timeout; a write transaction starts with
``BEGIN IMMEDIATE`` so two writers never interleave. PostgreSQL serialises writers by
locking the audit head row (``resolutions_lock_head()``, the database's own function: a
member may not lock it for update directly). The same code serves both.

On PostgreSQL the engine logs in as the acting member's own role and administration as the
administrator's (:mod:`workflow.store.logins`); a schema older than the code is migrated by
the administrator's login, never by a member's. The listeners that bind the rows the ORM
writes to the chain (:func:`workflow.store.facts.listen`) are installed when the first
engine is made.
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import event, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError, ProgrammingError
from sqlmodel import Session, create_engine, select

from workflow.errors import WorkspaceError
from workflow.store import audit, facts, failures, logins
from workflow.store.models import AuditHead
from workflow.store.pgroles import ensure_database_roles
from workflow.store.reads import private as _private
from workflow.store.reads import schema_revision

if TYPE_CHECKING:
    import sqlite3

    from sqlalchemy.engine import Connection, Dialect
    from sqlalchemy.engine.interfaces import DBAPIConnection
    from sqlalchemy.pool import ConnectionPoolEntry

__all__ = ["Database", "schema_revision"]

logger = logging.getLogger(__name__)
_MIGRATIONS = Path(__file__).parent / "migrations"
_WRITING: contextvars.ContextVar[bool] = contextvars.ContextVar("writing", default=False)


def _actor(session: Session) -> str:
    """Who the transaction's facts are recorded for: the last actor it recorded, else the
    one the application named for this session."""
    named = session.info.get("actor")
    if named:
        return str(named)
    of = session.info.get("actor_of")
    try:
        return str(of()) if callable(of) else "engine"
    except Exception:  # noqa: BLE001 - whoever acts, the facts are still recorded
        return "engine"


_SECRETARY = ("SELECT m.id FROM members m JOIN member_roles r ON r.member_id = m.id "
              "WHERE r.role = 'secretary' AND m.active ORDER BY m.created_at, m.id LIMIT 1")


def _postgres_engine(url: str) -> Engine:
    engine = create_engine(url, pool_pre_ping=True)

    @event.listens_for(engine, "do_connect")
    def _connect(dialect: Dialect, _record: ConnectionPoolEntry, cargs: list[object],
                 cparams: dict[str, object]) -> DBAPIConnection:
        driver = dialect.loaded_dbapi  # psycopg, which SQLAlchemy holds as a module
        try:
            first: DBAPIConnection = driver.connect(*cargs, **cparams)
            return first
        except driver.OperationalError as exc:
            if "no password supplied" not in str(exc):
                raise
            role = logins.url_role(url) or "this role"
            answer = logins.ask_password(role, failures.where(url))
            if answer is None:
                raise
            cparams["password"] = answer  # kept for the pool's next connection
            again: DBAPIConnection = driver.connect(*cargs, **cparams)
            return again

    return failures.watch(engine)


def _immutable_engine(url: str, cause: Exception) -> Engine:
    """The SQLite file read as it is, without the shared-memory file WAL readers make — what
    a full disk leaves possible. Only when no committed change waits in the ``-wal`` file
    (it would be missed); else the disk-full refusal stands."""
    path = Path(url.removeprefix("sqlite:///"))
    wal = path.with_name(path.name + "-wal")
    if not path.is_file() or (wal.exists() and wal.stat().st_size > 0):
        if isinstance(cause, failures.DiskFull):
            raise cause
        raise failures.DiskFull(
            "the disk holding the workspace is full and its database has changes not yet "
            f"folded in ({wal.name}): free some space, then run the command again") from None
    engine = create_engine(f"sqlite:///file:{path}?mode=ro&immutable=1&uri=true")

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: sqlite3.Connection, _record: ConnectionPoolEntry) -> None:
        dbapi_conn.execute("PRAGMA query_only=1")

    logger.info("the disk is full: reading %s as it is (read-only)", path)
    return failures.watch(engine)


class Database:
    """The workspace's database: engine, migrations, read and write sessions.

    ``member``: who acts (``--as``/``RESOLUTIONS_USER``); on PostgreSQL the login role.
    ``admin``: the whole session is administration (``init``), on the administrator's
    login."""

    def __init__(self, url: str, member: str | None = None, *, admin: bool = False) -> None:
        self.url = url
        self.member = member
        self.admin = admin
        self.is_sqlite = url.startswith("sqlite")
        self._engine: Engine | None = None
        self._admin_engine: Engine | None = None
        self._readonly: Engine | None = None

    @property
    def engine(self) -> Engine:
        """The engine ordinary work uses: on PostgreSQL, the acting member's login."""
        if self._engine is None:
            facts.listen()  # every row the ORM writes is bound to the chain
            if self.is_sqlite:
                self._engine = self._create_engine()
            elif self.admin:
                self._engine = self.admin_engine
            else:
                self._engine = self._member_engine()
        return self._engine

    @property
    def admin_engine(self) -> Engine:
        """The administrator's login (PostgreSQL; on SQLite the one engine): migrations and
        membership. Opening it changes nothing: :meth:`migrate` is the step that does."""
        if self.is_sqlite:
            return self.engine
        if self._admin_engine is None:
            facts.listen()  # membership's rows are bound to the chain too
            self._admin_engine = _postgres_engine(logins.admin_url(self.url))
        return self._admin_engine

    def _member_engine(self) -> Engine:
        member = self.member or logins.url_member(self.url)
        if member is None:
            if not logins.url_role(self.url):
                raise WorkspaceError(
                    "say who you are on PostgreSQL: name your own role in "
                    "RESOLUTIONS_DATABASE_URL (postgresql+psycopg://DATABASE_MEMBER@HOST/"
                    "DATABASE) or pass --as MEMBER (docs/SECURITY.md)")
            # the administrator's URL: ordinary work logs in as the secretary
            try:
                with self.admin_engine.connect() as conn:
                    member = conn.execute(text(_SECRETARY)).scalar()
            except ProgrammingError:  # no tables yet: a database 'init' has still to make
                member = None
            if member is None:  # nobody to act for yet (a new workspace)
                return self.admin_engine
        return _postgres_engine(logins.member_url(self.url, str(member)))

    def _upgrade_for_member(self, engine: Engine) -> None:
        """The acting login found the schema older than the code: the administrator's login
        migrates it (its password must be at hand), or the member is told who can."""
        try:
            self._migrate(self.admin_engine)
        except (OperationalError, failures.DatabaseUnavailable) as exc:
            if self.admin or engine is self._admin_engine:
                raise
            found = self._current_revision(engine)
            raise WorkspaceError(
                f"the database is at schema revision {found or 'none'} and this resolutions "
                f"needs {schema_revision()}: only the administrator may migrate it — run any "
                "command once with the administrator's URL (docs/SECURITY.md, "
                f"'Administration'); the administrator's login failed: {exc}") from None

    def migrate(self) -> str | None:
        """Bring the schema to the code's head revision; what it did (None: current), for
        the caller to say. SQLite: on the file; a full disk leaves it readable as it is
        when it is current. PostgreSQL: the administrator's login migrates when the
        acting member's finds the schema older (:meth:`_member_engine`)."""
        head = schema_revision()
        if not self.is_sqlite:
            # the administrator's URL: the schema is checked on that login, so that
            # administration (``member add``) needs no member's password; ordinary work
            # still logs in as the member when it opens a session (:meth:`_member_engine`)
            engine = self.admin_engine if self.admin or (
                logins.url_member(self.url) is None and logins.url_role(self.url)) \
                else self.engine
            before = self._current_revision(engine)
            if before == head:
                return None
            self._upgrade_for_member(engine)
            return (f"database created at schema revision {head}" if before is None else
                    f"database migrated from schema revision {before} to {head}")
        try:
            before = self._current_revision(self.engine)
        except (failures.DiskFull, OperationalError) as exc:
            self._readonly = _immutable_engine(self.url, exc)
            if self._current_revision(self._readonly) != head:
                raise
            return None
        if before == head:
            return None
        self._migrate(self.engine)
        return (f"database created at schema revision {head}" if before is None else
                f"database migrated from schema revision {before} to {head}")

    def _create_engine(self) -> Engine:
        if self.is_sqlite:
            path = self.url.removeprefix("sqlite:///")
            if path and not Path(path).parent.is_dir():
                raise WorkspaceError(f"database folder {Path(path).parent} is missing; "
                                     "is this a workspace? ('resolutions init')")
            if path and path != ":memory:":
                _private(Path(path))
            engine = create_engine(self.url, connect_args={"timeout": 30})

            @event.listens_for(engine, "connect")
            def _on_connect(dbapi_conn: sqlite3.Connection,
                            _record: ConnectionPoolEntry) -> None:
                dbapi_conn.isolation_level = None
                cur = dbapi_conn.cursor()
                cur.execute("PRAGMA journal_mode=WAL")
                cur.execute("PRAGMA busy_timeout=30000")
                cur.execute("PRAGMA foreign_keys=ON")
                cur.execute("PRAGMA synchronous=NORMAL")
                cur.close()

            @event.listens_for(engine, "begin")
            def _on_begin(conn: Connection) -> None:
                conn.exec_driver_sql("BEGIN IMMEDIATE" if _WRITING.get() else "BEGIN")

            return failures.watch(engine)
        return _postgres_engine(self.url)

    def _current_revision(self, engine: Engine) -> str | None:
        """The schema's revision (None: never migrated). A failure to connect is raised."""
        with engine.connect() as conn:
            try:
                return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
            except Exception as exc:  # sqlite's OperationalError, psycopg's UndefinedTable
                if "alembic_version" in str(exc):
                    return None
                raise

    def _migrate(self, engine: Engine) -> None:
        if self._current_revision(engine) == schema_revision():
            return
        from alembic import command
        from alembic.config import Config

        config = Config()
        config.set_main_option("script_location",
                               str(_MIGRATIONS))
        token = _WRITING.set(True)
        try:
            with engine.begin() as conn:
                if not self.is_sqlite:
                    conn.execute(text("SELECT pg_advisory_xact_lock(424242)"))
                    # the rows a migration writes are the administrator's (see pgroles)
                    conn.execute(text("SELECT set_config('resolutions.migrating', 'on', true)"))
                config.attributes["connection"] = conn
                command.upgrade(config, "head")
                if not self.is_sqlite:  # members' roles, grants and append-only triggers
                    ensure_database_roles(conn)
                # the audit head is part of the schema: created in the same transaction
                conn.execute(text("INSERT INTO audit_head (id, seq, hash) SELECT 1, 0, :h "
                                  "WHERE NOT EXISTS (SELECT 1 FROM audit_head WHERE id = 1)"),
                             {"h": "0" * 64})
        finally:
            _WRITING.reset(token)

    @contextlib.contextmanager
    def read(self) -> Iterator[Session]:
        """A read session; nothing added to it is ever flushed (see ``rendering``). On a
        full disk a SQLite workspace is still read (:meth:`_read_engine`)."""
        with Session(self._read_engine(), expire_on_commit=False, autoflush=False) as session:
            yield session

    def _read_engine(self) -> Engine:
        if not self.is_sqlite:
            return self.engine
        if self._readonly is not None:
            return self._readonly
        try:
            return self.engine
        except (failures.DiskFull, OperationalError) as exc:
            self._readonly = _immutable_engine(self.url, exc)
            if self._current_revision(self._readonly) != schema_revision():
                raise
            return self._readonly

    @contextlib.contextmanager
    def write(self, *, admin: bool = False) -> Iterator[Session]:
        """A write transaction: holds the audit head lock until commit or rollback.
        ``admin``: on the administrator's login (membership)."""
        engine = self.admin_engine if admin else self.engine
        token = _WRITING.set(True)
        try:
            with Session(engine, expire_on_commit=False) as session:
                with session.begin():
                    if self.is_sqlite:
                        session.exec(select(AuditHead).where(AuditHead.id == 1)).one()
                    else:
                        session.execute(text("SELECT resolutions_lock_head()")).one()
                    facts.install(session)
                    yield session
                    if facts.pending(session):  # no write escapes the chain
                        audit.record(session, actor=_actor(session), action="facts")
        finally:
            _WRITING.reset(token)

    def dispose(self) -> None:
        for engine in {id(e): e for e in (self._engine, self._admin_engine, self._readonly)
                       if e}.values():
            engine.dispose()
        self._engine = self._admin_engine = self._readonly = None
