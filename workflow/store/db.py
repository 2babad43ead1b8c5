"""Opening the database: one engine per workspace, migrations applied by an explicit step
(:meth:`Database.migrate`: ``init``, and ``App.open``, which says when it migrated), and
write transactions that serialise on the audit head.

SQLite runs in WAL mode with a busy timeout; a write transaction starts with
``BEGIN IMMEDIATE`` so two writers never interleave. PostgreSQL serialises writers with
``SELECT … FOR UPDATE`` on the audit head row. The same code serves both.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import event, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, create_engine, select

from workflow.errors import WorkspaceError
from workflow.store import audit, facts
from workflow.store.models import AuditHead
from workflow.store.pgroles import ensure_database_roles
from workflow.store.reads import schema_revision

__all__ = ["Database", "schema_revision"]

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


class Database:
    """The workspace's database: engine, migrations, read and write sessions."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        self._engine: Engine | None = None

    @property
    def engine(self) -> Engine:
        """The engine (made on first use; the schema is :meth:`migrate`'s business)."""
        if self._engine is None:
            facts.listen()  # every row the ORM writes is bound to the chain
            self._engine = self._create_engine()
        return self._engine

    def migrate(self) -> str | None:
        """Bring the schema to the code's head revision; returns what it did (``None``
        when it was current), for the caller to say."""
        before = self._current_revision(self.engine)
        head = schema_revision()
        if before == head:
            return None
        self._migrate()
        return (f"database created at schema revision {head}" if before is None else
                f"database migrated from schema revision {before} to {head}")

    def _create_engine(self) -> Engine:
        if self.is_sqlite:
            path = self.url.removeprefix("sqlite:///")
            if path and not Path(path).parent.is_dir():
                raise WorkspaceError(f"database folder {Path(path).parent} is missing; "
                                     "is this a workspace? ('resolutions init')")
            engine = create_engine(self.url, connect_args={"timeout": 30})

            @event.listens_for(engine, "connect")
            def _on_connect(dbapi_conn, _record):  # type: ignore[no-untyped-def]
                dbapi_conn.isolation_level = None
                cur = dbapi_conn.cursor()
                cur.execute("PRAGMA journal_mode=WAL")
                cur.execute("PRAGMA busy_timeout=30000")
                cur.execute("PRAGMA foreign_keys=ON")
                cur.execute("PRAGMA synchronous=NORMAL")
                cur.close()

            @event.listens_for(engine, "begin")
            def _on_begin(conn):  # type: ignore[no-untyped-def]
                conn.exec_driver_sql("BEGIN IMMEDIATE" if _WRITING.get() else "BEGIN")

            return engine
        return create_engine(self.url, pool_pre_ping=True)

    def _current_revision(self, engine: Engine) -> str | None:
        try:
            with engine.connect() as conn:
                return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        except OperationalError:
            return None
        except Exception as exc:  # psycopg's UndefinedTable and friends
            if "alembic_version" in str(exc):
                return None
            raise

    def _migrate(self) -> None:
        assert self._engine is not None
        from alembic import command
        from alembic.config import Config

        config = Config()
        config.set_main_option("script_location",
                               str(_MIGRATIONS))
        token = _WRITING.set(True)
        try:
            with self._engine.begin() as conn:
                if not self.is_sqlite:
                    conn.execute(text("SELECT pg_advisory_xact_lock(424242)"))
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
        """A read session; nothing added to it is ever flushed (see ``rendering``)."""
        with Session(self.engine, expire_on_commit=False, autoflush=False) as session:
            yield session

    @contextlib.contextmanager
    def write(self) -> Iterator[Session]:
        """A write transaction: holds the audit head lock until commit or rollback."""
        engine = self.engine
        token = _WRITING.set(True)
        try:
            with Session(engine, expire_on_commit=False) as session:
                with session.begin():
                    statement = select(AuditHead).where(AuditHead.id == 1)
                    if not self.is_sqlite:
                        statement = statement.with_for_update()
                    session.exec(statement).one()
                    facts.install(session)
                    yield session
                    if facts.pending(session):  # no write escapes the chain
                        audit.record(session, actor=_actor(session), action="facts")
        finally:
            _WRITING.reset(token)

    def dispose(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None
