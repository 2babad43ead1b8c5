"""The write transaction on the bare DB-API driver (``sqlite3``; ``psycopg`` on PostgreSQL),
for the frequent write commands (:mod:`workflow.writing`), with no ORM in between.

It keeps every promise the ORM's write path (:class:`workflow.store.db.Database`,
:mod:`workflow.store.facts`, :func:`workflow.store.audit.record`) keeps:

- **one transaction that serialises on the audit head**: SQLite ``BEGIN IMMEDIATE``;
  PostgreSQL ``resolutions_lock_head()`` on the acting member's own login
  (:meth:`workflow.store.reads.Reads.open`), whose identity the database checks in every
  row and event it is given (:mod:`workflow.store.pgrules`);
- **every changed row bound to the next event**: each row inserted or updated is read back
  as stored, each column in the type the schema declares (SQLite keeps a datetime as text
  and a boolean as an integer: :data:`workflow.store.verify_reads._LOADS` turns them back,
  as the models' column types do), and the event records its ``row_digest`` and
  ``field_digests`` (:mod:`workflow.store.rowhash`) exactly as the ORM path does;
- **the event appended through the chain's code** (:mod:`workflow.store.chain`): SQLite
  hashes it, inserts it and moves ``audit_head``; PostgreSQL hands it to
  ``resolutions_append()``, which checks who this login is, the links and the hash;
- **all or nothing**: :meth:`Writer.commit`, else :meth:`Writer.rollback` leaves nothing.

A writer opens only at the schema's head revision (else :meth:`Writer.open` returns None
and the command runs on the ORM, which migrates). Values are written as the models write
them: a datetime as SQLAlchemy's SQLite text (``YYYY-MM-DD HH:MM:SS.ffffff``), as itself
to psycopg. ``tests/workflow/test_writes_bare.py`` writes the same commands both ways and
compares the rows and the events.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
from collections.abc import Callable, Mapping, Sequence

from workflow import clock
from workflow.errors import ConcurrencyError, WorkflowError
from workflow.store.chain import backdated, detail_text, event_payload
from workflow.store.reads import Reads, Record
from workflow.store.rowhash import field_digests, row_digest

__all__ = ["Writer", "stored_time"]

_APPEND = "SELECT resolutions_append(?, ?, ?, ?, ?, ?, ?, ?, ?)"


def stored_time(value: _dt.datetime) -> str:
    """A datetime as SQLAlchemy's SQLite dialect stores it (its fields as given)."""
    return f"{value:%Y-%m-%d %H:%M:%S.%f}"


class Writer:
    """One write transaction and the rows it changed, bound to the event it appends."""

    def __init__(self, reads: Reads, on_commit: Callable[[], None] | None = None) -> None:
        self.reads = reads
        self.is_sqlite = reads.is_sqlite
        self._changed: dict[tuple[str, tuple[object, ...]], bool] = {}
        self._types: dict[str, list[tuple[str, str, int]]] = {}
        self._on_commit = on_commit
        self._recorded = False
        self.decisions: set[int] = set()

    @classmethod
    def open(cls, url: str, member: str | None = None,
             on_commit: Callable[[], None] | None = None, *, admin: bool = False
             ) -> Writer | None:
        """A write transaction on the database at ``url`` (PostgreSQL: on ``member``'s own
        login, as :meth:`Reads.open` chooses it; ``admin``: on the administrator's, for
        membership), or None when this path cannot write it (a missing file, a schema older
        than the code, a disk that takes no write lock, a login that fails)."""
        reads = Reads.open(url, member, write=True, admin=admin)
        if reads is None:
            return None
        writer = cls(reads, on_commit)
        writer.begin()
        return writer

    # -- the transaction -------------------------------------------------------------
    def begin(self) -> None:
        """Take the audit head's lock (the transaction's first statement)."""
        if self.is_sqlite:
            self.reads.begin_immediate()
        else:
            self.reads.all("SELECT resolutions_lock_head() AS locked")

    def commit(self) -> None:
        """Commit; ``on_commit`` is told when the transaction appended an event."""
        self.reads.commit()
        self.decisions.clear()
        recorded, self._recorded = self._recorded, False
        if recorded and self._on_commit is not None:
            self._on_commit()

    def rollback(self) -> None:
        self._changed.clear()
        self._recorded = False
        self.decisions.clear()
        self.reads.rollback()

    def close(self) -> None:
        self.reads.close()

    # -- rows --------------------------------------------------------------------------
    def _bind(self, value: object) -> object:
        if self.is_sqlite and isinstance(value, _dt.datetime):
            return stored_time(value)
        return value

    def execute(self, sql: str, params: Sequence[object] = ()) -> int:
        """Run one statement (``?`` placeholders); the number of rows it changed."""
        return self.reads.execute(sql, [self._bind(v) for v in params])

    def insert(self, table: str, values: Mapping[str, object], key: Sequence[str] = ("id",)
               ) -> tuple[object, ...]:
        """Insert one row; its primary key (an ``id`` the database assigns when not given).
        The row is bound to the next event."""
        names = list(values)
        sql = (f'INSERT INTO "{table}" ({", ".join(names)}) '
               f'VALUES ({", ".join("?" for _ in names)})')
        if all(k in values for k in key):
            self.execute(sql, [values[n] for n in names])
            found = tuple(values[k] for k in key)
        else:
            row = self.reads.one(f"{sql} RETURNING {', '.join(key)}",
                                 [self._bind(values[n]) for n in names])
            assert row is not None
            found = tuple(row[k] for k in key)
        self._changed[(table, found)] = False
        return found

    def update(self, table: str, values: Mapping[str, object], key: Mapping[str, object],
               where: Mapping[str, object] | None = None) -> int:
        """Update the row ``key`` (and only while ``where`` still holds); the rows changed.
        The row is bound to the next event."""
        sets = ", ".join(f"{n} = ?" for n in values)
        conditions = {**key, **(where or {})}
        clause = " AND ".join(f"{n} = ?" for n in conditions)
        count = self.execute(f'UPDATE "{table}" SET {sets} WHERE {clause}',
                             [*values.values(), *conditions.values()])
        if count:
            self._changed[(table, tuple(key.values()))] = False
        return count

    def touch_resolution(self, row: Record) -> None:
        """What :func:`workflow.lifecycle.steps.act` does with ``touch``: the resolution's
        row version moved on (refused when someone changed it since it was read)."""
        expected = int(row.row_version)
        values = {"row_version": expected + 1, "updated_at": clock.now()}
        if self.update("resolutions", values, {"id": row.id}, {"row_version": expected}) != 1:
            raise ConcurrencyError(str(row.symbol))
        row.update(values)

    def _columns(self, table: str) -> list[tuple[str, str, int]]:
        if table not in self._types:
            self._types[table] = self.reads.column_types(table)
        return self._types[table]

    def stored(self, table: str, key: tuple[object, ...]) -> dict[str, object] | None:
        """The row as stored now, each column in the type the schema declares."""
        from workflow.store.verify_reads import typed_values

        columns = self._columns(table)
        names = [c for c, _, pk in sorted((c for c in columns if c[2]), key=lambda c: c[2])]
        clause = " AND ".join(f'"{n}" = ?' for n in names)
        row = self.reads.one(f'SELECT * FROM "{table}" WHERE {clause}', key)
        if row is None:
            return None
        return typed_values(dict(row), columns) if self.is_sqlite else dict(row)

    def facts(self) -> list[list[object]]:
        """The changed rows' hashes as the next event records them (and forget them): the
        entries :func:`workflow.store.facts.take` makes, in its order."""
        found, self._changed = self._changed, {}
        out: list[list[object]] = []
        for (table, key), _deleted in sorted(found.items(),
                                             key=lambda kv: (kv[0][0], str(kv[0][1]))):
            values = self.stored(table, key)
            text_key = [str(k) for k in key]
            out.append([table, text_key, None, {}] if values is None else
                       [table, text_key, row_digest(table, values), field_digests(values)])
        return out

    # -- the chain ---------------------------------------------------------------------
    def record(self, *, actor: str, action: str, resolution: Record | None = None,
               detail: Mapping[str, object] | None = None, outcome: str = "ok") -> int:
        """Append one event (what :func:`workflow.store.audit.record` appends), carrying
        the facts of every row changed since the last one; its ``seq``."""
        head = self.reads.one("SELECT seq, hash FROM audit_head WHERE id = 1")
        assert head is not None, "audit head missing: the database was not migrated"
        at = clock.now()
        if head.seq:
            before = self.reads.one("SELECT at FROM audit_events WHERE seq = ?", (head.seq,))
            if before is not None:
                when = before.at
                refused = backdated(_dt.datetime.fromisoformat(when)
                                    if isinstance(when, str) else when, at)
                if refused:
                    raise WorkflowError(refused)
        full = dict(detail or {})
        bound = self.facts()
        if bound:
            full["facts"] = bound
        text = detail_text(full)
        seq, prev = int(head.seq) + 1, str(head.hash)
        rid = int(resolution.id) if resolution is not None else None
        symbol = str(resolution.symbol) if resolution is not None else ""
        payload = event_payload(seq, at, actor, action, outcome, rid, symbol, text, prev)
        digest = hashlib.sha256(payload.encode("utf-8")).hexdigest()
        if self.is_sqlite:
            self.execute("INSERT INTO audit_events (seq, at, actor, action, outcome, "
                         "resolution_id, symbol, detail, prev_hash, hash) "
                         "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                         (seq, at, actor, action, outcome, rid, symbol, text, prev, digest))
            self.execute("UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1", (seq, digest))
        else:
            self.reads.all(_APPEND, (at, actor, action, outcome, rid, symbol, text, payload,
                                     digest))
        self._recorded = True
        return seq
