"""The read SQL: every statement the read commands issue, on the bare DB-API driver
(``sqlite3``; ``psycopg`` on PostgreSQL), with no ORM in between.

A read command needs a few indexed statements; building the ORM classes and compiling
their queries costs ten times what the statements do. So ``list``, ``show``, ``status``,
``log``, ``comments``, ``amendments``, ``member list``, ``submissions`` and ``outbox`` read through a
:class:`Reads` connection; the frequent writes (``comment``, ``amend``, ``dispose``, an own
``approve``, ``member add`` on SQLite) write through one too, opened with ``write=True``
(:class:`workflow.store.writes.Writer`), and every other write stays on the ORM models
(:mod:`workflow.store.models`), which own the schema and its migrations. The statements
name the models' tables and columns; ``tests/workflow/test_reads.py`` runs each of them
on both backends against the schema the models create, so the two cannot drift apart.

A connection opens only when the database is at the schema's head revision; otherwise
:meth:`Reads.open` returns None and the caller opens the database the usual way (which
migrates it). A command's statements run in one read transaction, so a count and the page
it counts see the same rows.
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import sqlite3

    import psycopg
    from psycopg.rows import TupleRow

__all__ = ["Reads", "Record", "schema_revision", "private"]

_MIGRATIONS = Path(__file__).parent / "migrations"
_ASSIGNMENT = re.compile(r"^(revision|down_revision)\s*(?::[^=]*)?=\s*(.+?)\s*$", re.MULTILINE)
_QUOTED = re.compile(r"'([\w.-]+)'|\"([\w.-]+)\"")


@functools.cache
def schema_revision() -> str:
    """Alembic's head: the one revision no migration script names as its ``down_revision``.

    Read from the scripts' ``revision = …`` lines, because importing Alembic's script
    machinery costs more than opening the database does.
    """
    from workflow.errors import WorkspaceError

    revisions: set[str] = set()
    parents: set[str] = set()
    for script in sorted((_MIGRATIONS / "versions").glob("*.py")):
        text = script.read_text("utf-8")
        head = text[:text.find("\ndef ")]  # (the assignments open the script)
        found: dict[str, str] = {m[1]: m[2] for m in _ASSIGNMENT.finditer(head)}
        if "revision" not in found:
            continue
        named = _names(script, found["revision"])
        if len(named) != 1:
            raise WorkspaceError(f"{script}: 'revision' names {len(named)} revisions; "
                                 "reinstall the package")
        revisions.update(named)
        parents.update(_names(script, found.get("down_revision", "None")))
    heads = revisions - parents
    if len(heads) != 1:
        raise WorkspaceError(f"the migration scripts have {len(heads)} heads "
                             f"({', '.join(sorted(heads)) or 'none'}); reinstall the package")
    return heads.pop()


def _names(script: Path, value: str) -> list[str]:
    """The revisions an assignment's value names: ``None``, a quoted name, or a tuple of
    them (a merge); anything else is refused (read without ``ast``: a command's start)."""
    names = [a or b for a, b in _QUOTED.findall(value)]
    if value.strip() != "None" and _QUOTED.sub("", value).strip("(), \t") != "":
        from workflow.errors import WorkspaceError

        raise WorkspaceError(f"{script}: {value!r} is not a revision name; reinstall the "
                             "package")
    return names


def private(path: Path) -> None:
    """The SQLite file readable by its owner only (0600), made so before SQLite creates it;
    its WAL and shared-memory files take the same mode (both write paths, before they
    write: an older workspace's 0644 file is made private)."""
    try:
        if path.parent.stat().st_mode & 0o077:  # .resolutions: the owner's only (0700)
            path.parent.chmod(0o700)
        if not path.exists():
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
        elif path.stat().st_mode & 0o077:
            for each in (path, path.with_name(path.name + "-wal"),
                         path.with_name(path.name + "-shm")):
                if each.exists():
                    each.chmod(0o600)
    except PermissionError:  # another user's workspace, read-only to us: reading still works
        pass


def _immutable(path: Path) -> sqlite3.Connection | None:
    """The file read as it is, without WAL's shared-memory file (a full disk cannot make
    one): only when no committed change waits in ``-wal``; else None."""
    import sqlite3

    wal = path.with_name(path.name + "-wal")
    if wal.exists() and wal.stat().st_size > 0:
        return None
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True,
                               isolation_level=None)
        conn.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchall()
    except sqlite3.Error:
        return None
    return conn


class Record(dict[str, Any]):
    """One result row: its columns by name, as keys and as attributes. The values are what
    the DB-API driver returns (``sqlite3`` and ``psycopg`` type them ``Any``); each reader
    takes a column as the schema declares it."""

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None


_RESOLUTION = ("SELECT id, number, symbol, body, title, state, current_version, row_version, "
               "updated_at "
               "FROM resolutions")
_SECRETARY = ("SELECT m.id FROM members m JOIN member_roles r ON r.member_id = m.id "
              "WHERE r.role = 'secretary' AND m.active ORDER BY m.created_at, m.id LIMIT 1")
_MESSAGE = ("SELECT id, message_id, kind, recipient, subject, status, attempts, error, "
            "eml_path, eml_sha256, created_at, sent_at FROM messages")


class Reads:
    """A read-only connection and the statements of the read commands."""

    def __init__(self, conn: Any, is_sqlite: bool) -> None:
        """``conn``: a ``sqlite3`` or ``psycopg`` connection, or the one SQLAlchemy's pool
        holds (``workflow.lifecycle.steps``); their drivers share no typed interface."""
        self._conn = conn
        self.is_sqlite = is_sqlite

    @classmethod
    def open(cls, url: str, member: str | None = None, *, write: bool = False,
             admin: bool = False) -> Reads | None:
        """A connection to the database at ``url``, or None when it cannot be read this way
        (a missing SQLite file, a schema older than the code). On PostgreSQL it logs in as
        ``member`` (else the member the URL names, else the secretary: see
        :mod:`workflow.store.logins`). ``write``: for :class:`workflow.store.writes.Writer`,
        which begins its own transaction (None on SQLite when the file takes no writes);
        ``admin``: PostgreSQL's administrator's login instead (``member add``)."""
        if url.startswith(("postgresql+psycopg://", "postgresql://")):
            from workflow.store import logins

            if admin:
                return cls._open(logins.admin_url(url), write)

            member = member or logins.url_member(url)
            if member is None and logins.url_role(url):  # the administrator's URL
                first = cls._open(url, False)
                if first is None:
                    return None
                found = first.one(_SECRETARY)
                if found is None:
                    return first
                first.close()
                member = str(found.id)
            if member is not None:
                url = logins.member_url(url, member)
        return cls._open(url, write)

    @classmethod
    def _open(cls, url: str, write: bool = False) -> Reads | None:
        if url.startswith("sqlite:///"):
            import sqlite3

            path = url.removeprefix("sqlite:///")
            if not path or not Path(path).is_file():
                return None
            if write:
                private(Path(path))
            try:
                conn = sqlite3.connect(f"file:{path}?mode=rw", uri=True, timeout=30,
                                       isolation_level=None)
                conn.execute("PRAGMA busy_timeout=30000")
                if write:  # as the ORM's engine connects (workflow.store.db)
                    for pragma in ("journal_mode=WAL", "foreign_keys=ON", "synchronous=NORMAL"):
                        conn.execute(f"PRAGMA {pragma}").fetchall()
                conn.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchall()
            except sqlite3.Error:
                if write:
                    return None
                fallback = _immutable(Path(path))
                if fallback is None:
                    return None
                conn = fallback
            reads = cls(conn, True)
        elif url.startswith(("postgresql+psycopg://", "postgresql://")):
            import psycopg

            target = url.replace("postgresql+psycopg://", "postgresql://", 1)
            try:
                pg = psycopg.connect(target)
            except psycopg.Error as exc:
                from workflow.store import failures, logins

                answer = (logins.ask_password(logins.url_role(url), failures.where(url))
                          if "no password supplied" in str(exc) else None)
                try:
                    if answer is None:
                        raise
                    pg = psycopg.connect(target, password=answer)
                except psycopg.Error as failed:
                    # a read tells an ordinary failure as one; a write falls back to the
                    # ORM's path, which may log in otherwise (the administrator's member add)
                    explained = None if write else failures.explain(failed, url)
                    if explained is not None:
                        raise explained from None
                    return None
            reads = cls(pg, False)
        else:
            return None
        if reads.revision() != schema_revision():
            reads.close()
            return None
        if reads.is_sqlite and not write:  # one snapshot for all the command's statements
            reads._conn.execute("BEGIN")  # (psycopg opens its transaction with the first one)
        return reads

    def close(self) -> None:
        self._conn.close()

    @property
    def driver(self) -> sqlite3.Connection | psycopg.Connection[TupleRow]:
        """The DB-API connection itself (``sqlite3``'s or psycopg's)."""
        return self._conn  # type: ignore[no-any-return]

    # -- plumbing ------------------------------------------------------------------
    def all(self, sql: str, params: Sequence[object] = ()) -> list[Record]:
        """Rows of ``sql``, written with ``?`` placeholders for either driver."""
        if not self.is_sqlite:
            sql = sql.replace("?", "%s")
        cur = self._conn.cursor()
        try:
            cur.execute(sql, tuple(params))
            names = [d[0] for d in cur.description]
            return [Record(zip(names, row)) for row in cur.fetchall()]
        finally:
            cur.close()

    def one(self, sql: str, params: Sequence[object] = ()) -> Record | None:
        rows = self.all(sql, params)
        return rows[0] if rows else None

    def execute(self, sql: str, params: Sequence[object] = ()) -> int:
        """Run a statement that returns no rows; how many rows it changed."""
        if not self.is_sqlite:
            sql = sql.replace("?", "%s")
        cur = self._conn.cursor()
        try:
            cur.execute(sql, tuple(params))
            return int(cur.rowcount)
        finally:
            cur.close()

    def execute_many(self, sql: str, rows: Sequence[Sequence[object]]) -> None:
        """Run one statement for each parameter row (the search index's rows)."""
        if not self.is_sqlite:
            sql = sql.replace("?", "%s")
        cur = self._conn.cursor()
        try:
            cur.executemany(sql, [tuple(r) for r in rows])
        finally:
            cur.close()

    def begin_immediate(self) -> None:
        """SQLite: a write transaction, the database's write lock taken now."""
        self._conn.execute("BEGIN IMMEDIATE")

    def commit(self) -> None:
        if self.is_sqlite:
            self._conn.execute("COMMIT")
        else:
            self._conn.commit()

    def rollback(self) -> None:
        if self.is_sqlite:
            if self._conn.in_transaction:
                self._conn.execute("ROLLBACK")
        else:
            self._conn.rollback()

    def column_types(self, table: str) -> list[tuple[str, str, int]]:
        """(column, declared type, position in the primary key or 0) of ``table``."""
        if self.is_sqlite:
            return [(r.name, str(r.type).split("(")[0].upper(), int(r.pk)) for r in
                    self.all(f"SELECT name, type, pk FROM pragma_table_info('{table}')")]
        return [(r.name, str(r.type).upper(), int(r.pk or 0)) for r in self.all(
            "SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type, "
            "(SELECT k.n FROM unnest(i.indkey) WITH ORDINALITY k(att, n) "
            " WHERE k.att = a.attnum) AS pk FROM pg_attribute a "
            "LEFT JOIN pg_index i ON i.indrelid = a.attrelid AND i.indisprimary "
            "WHERE a.attrelid = ?::regclass AND a.attnum > 0 AND NOT a.attisdropped "
            "ORDER BY a.attnum", (f'public."{table}"',))]

    def revision(self) -> str | None:
        try:
            row = self.one("SELECT version_num FROM alembic_version")
        except Exception:  # no such table: a database never migrated
            if not self.is_sqlite:
                self._conn.rollback()
            return None
        return None if row is None else str(row["version_num"])

    # -- resolutions ---------------------------------------------------------------
    def resolution_by_number(self, number: int) -> Record | None:
        return self.one(f"{_RESOLUTION} WHERE number = ?", (number,))

    def resolution_by_symbol(self, symbol: str) -> Record | None:
        return self.one(f"{_RESOLUTION} WHERE symbol = ?", (symbol,))

    def count_resolutions(self, state: str | None) -> int:
        if state:
            row = self.one("SELECT count(*) AS n FROM resolutions WHERE state = ?", (state,))
        else:
            row = self.one("SELECT count(*) AS n FROM resolutions")
        return int(row["n"]) if row else 0

    def resolutions(self, state: str | None, limit: int, offset: int) -> list[Record]:
        where, params = ("WHERE state = ? ", [state]) if state else ("", [])
        return self.all(f"{_RESOLUTION} {where}ORDER BY number LIMIT ? OFFSET ?",
                        [*params, limit, offset])

    def version(self, resolution_id: int, number: int) -> Record | None:
        return self.one("SELECT id, resolution_id, number, source, content_hash, author, note, "
                        "created_at FROM versions WHERE resolution_id = ? AND number = ?",
                        (resolution_id, number))

    def events(self, resolution_id: int) -> list[Record]:
        return self.all("SELECT seq, at, actor, action, outcome, detail, hash "
                        "FROM audit_events WHERE resolution_id = ? ORDER BY seq",
                        (resolution_id,))

    # -- review --------------------------------------------------------------------
    def round_numbers(self, resolution_id: int) -> dict[int, int]:
        return {int(r["id"]): int(r["number"]) for r in self.all(
            "SELECT id, number FROM review_rounds WHERE resolution_id = ?", (resolution_id,))}

    def comments(self, resolution_id: int) -> list[Record]:
        return self.all("SELECT number, round_id, version_number, paragraph_id, ref, author, "
                        "type, text, proposal, disposition, note, lang, quote FROM comments "
                        "WHERE resolution_id = ? ORDER BY number", (resolution_id,))

    def amendments(self, resolution_id: int) -> list[Record]:
        return self.all("SELECT number, version_number, author, target_ref, target_id, op, "
                        "texts_json, why, status, applied_version FROM amendments "
                        "WHERE resolution_id = ? ORDER BY number", (resolution_id,))

    def last_round(self, resolution_id: int) -> Record | None:
        return self.one("SELECT id, number, version_number, reviewers, due, closed_at "
                        "FROM review_rounds WHERE resolution_id = ? ORDER BY number DESC "
                        "LIMIT 1", (resolution_id,))

    def open_comment_numbers(self, resolution_id: int, round_id: int) -> list[int]:
        return [int(r["number"]) for r in self.all(
            "SELECT number FROM comments WHERE resolution_id = ? AND round_id = ? "
            "AND disposition = '' ORDER BY number", (resolution_id, round_id))]

    def amendment_numbers(self, resolution_id: int, round_id: int, status: str) -> list[int]:
        return [int(r["number"]) for r in self.all(
            "SELECT number FROM amendments WHERE resolution_id = ? AND round_id = ? "
            "AND status = ? ORDER BY number", (resolution_id, round_id, status))]

    # -- approvals, signatures, translations ----------------------------------------
    def approved_by(self, resolution_id: int, version: int) -> list[str]:
        """Who approved ``version`` (approvals neither void nor objections), in order."""
        return [str(r["member_id"]) for r in self.all(
            "SELECT member_id FROM approvals WHERE resolution_id = ? AND version_number = ? "
            "AND NOT void AND decision = 'approved' ORDER BY at", (resolution_id, version))]

    def signed_by(self, resolution_id: int, version: int) -> list[str]:
        return [str(r["member_id"]) for r in self.all(
            "SELECT member_id FROM signatures WHERE resolution_id = ? AND version_number = ? "
            "ORDER BY id", (resolution_id, version))]

    def holders(self, role: str) -> list[tuple[str, str]]:
        """(member id, delegation) of every member holding ``role``, by id."""
        return [(str(r["id"]), str(r["delegation"])) for r in self.all(
            "SELECT m.id, m.delegation FROM members m JOIN member_roles r "
            "ON r.member_id = m.id WHERE r.role = ? ORDER BY m.id", (role,))]

    def certified_members(self) -> set[str]:
        return {str(r["member_id"]) for r in self.all("SELECT member_id FROM member_certificates")}

    def translation_records(self, resolution_id: int) -> str | None:
        row = self.one("SELECT records_json FROM translation_state WHERE resolution_id = ?",
                       (resolution_id,))
        return None if row is None else str(row["records_json"])

    def waivers(self, resolution_id: int) -> list[Record]:
        """The parity findings set aside for a resolution, oldest first."""
        return self.all("SELECT id, version_number, finding, paragraph_id, ref, rule, languages,"
                        " severity, message, texts_hash, reason, member_id, at FROM waivers "
                        "WHERE resolution_id = ? ORDER BY id", (resolution_id,))

    # -- members -------------------------------------------------------------------
    def members(self) -> list[Record]:
        return self.all("SELECT id, name, names_json, org, delegation, email, lang, active "
                        "FROM members ORDER BY id")

    def member_roles(self) -> dict[str, list[str]]:
        roles: dict[str, list[str]] = {}
        for r in self.all("SELECT member_id, role FROM member_roles ORDER BY member_id, role"):
            roles.setdefault(str(r["member_id"]), []).append(str(r["role"]))
        return roles

    def database_roles(self) -> tuple[str, set[str]]:
        """PostgreSQL: the database's name and the login roles that exist."""
        name = self.one("SELECT current_database() AS name")
        return (str(name["name"]) if name else "",
                {str(r["rolname"]) for r in self.all("SELECT rolname FROM pg_roles")})

    # -- delivery ------------------------------------------------------------------
    def submissions(self, resolution_id: int) -> list[Record]:
        """A resolution's submissions, each with the status of its message ('' if none)."""
        return self.all(
            "SELECT s.id, s.body, s.version_number, s.submitted_at, s.package_path, "
            "s.package_sha256, s.message_id, s.receipt_ref, s.outcome, s.note, s.received_at, "
            "(SELECT m.status FROM messages m WHERE m.message_id = s.message_id "
            " ORDER BY m.id LIMIT 1) AS message_status "
            "FROM submissions s WHERE s.resolution_id = ? ORDER BY s.id", (resolution_id,))

    def receipts(self, resolution_id: int) -> list[Record]:
        """Every answer to the resolution's submissions, oldest first."""
        return self.all(
            "SELECT r.submission_id, r.reference, r.outcome, r.note, r.recorded_by, "
            "r.received_at FROM receipts r JOIN submissions s ON s.id = r.submission_id "
            "WHERE s.resolution_id = ? ORDER BY r.id", (resolution_id,))

    def message_ids(self, resolution_id: int, kind: str) -> list[str]:
        """The Message-IDs of a resolution's messages of one kind (``review-copy``, …)."""
        return [str(r["message_id"]) for r in self.all(
            "SELECT message_id FROM messages WHERE resolution_id = ? AND kind = ? ORDER BY id",
            (resolution_id, kind))]

    def messages(self, status: str | None) -> list[Record]:
        if status:
            return self.all(f"{_MESSAGE} WHERE status = ? ORDER BY id", (status,))
        return self.all(f"{_MESSAGE} ORDER BY id")
