"""Every row that states a fact is bound to the audit chain.

Each write transaction collects the rows it inserted, changed or deleted (the ORM's
insert/update/delete events, relations' orphans included, plus ``touched()`` for the few
bulk ``UPDATE`` statements); the next audit event
recorded in that transaction carries each row's content hash and a short digest per field
(``"facts": [[table, key, row_digest, {field: digest}], …]``, a deleted row with a null
digest). A transaction that changed facts but recorded no event after the change gets a
``facts`` event of its own before it commits, so no write escapes the chain.

``fact_problems()`` recomputes the hash of every row of every fact table and compares it
with the last one the chain recorded for that row, naming table, row and field. The tables
that are *not* facts are listed in ``NOT_FACTS`` with the reason; a test keeps the two lists
covering the whole schema, so a table added later must choose.

The writes on the bare driver (:class:`workflow.store.writes.Writer`) bind their rows the
same way, with the same digests (``tests/workflow/test_writes_bare.py`` checks each against
:func:`fact_entry`).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING

from sqlalchemy import Table, TypeDecorator, event, select, type_coerce
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.orm import object_session
from sqlmodel import Session, SQLModel

from workflow.store import factcheck
from workflow.store import models as m
from workflow.store.chain import Problem
from workflow.store.factcheck import FACT_TABLES, NOT_FACTS
from workflow.store.rowhash import field_digests, key_text, recorded_rows, row_digest

if TYPE_CHECKING:
    from sqlalchemy import Connection, Select

__all__ = ["FactEntry", "FACT_TABLES", "NOT_FACTS", "listen", "install", "touched", "take", "pending",
           "fact_problems", "recorded_rows", "key_text", "fact_entry", "rows"]

#: ``[table, key texts, row digest (None: deleted), {field: digest}]`` as an event records it
FactEntry = list[str | list[str] | dict[str, str] | None]
#: (table, primary key) of a row the transaction touched
_Touched = tuple[str, tuple[object, ...]]

_KEY = "resolutions.facts"
_ON = "resolutions.facts.tracked"


def _table(obj: object) -> Table | None:
    table = getattr(type(obj), "__table__", None)
    return table if isinstance(table, Table) and table.name in FACT_TABLES else None


def _select(table: Table) -> Select[tuple[object, ...]]:
    """Every column as stored: a decorated type (the state) read as its plain text, so a
    value the application would refuse to load is still hashed and named."""
    columns = [type_coerce(c, c.type.impl_instance).label(c.name)
               if isinstance(c.type, TypeDecorator) else c for c in table.columns]
    return select(*columns)


def _key(table: Table, values: Mapping[str, object]) -> tuple[object, ...]:
    return tuple(values[c.name] for c in table.primary_key.columns)


def _pending(session: OrmSession) -> dict[_Touched, bool]:
    # (table, primary key) -> deleted?
    touched: dict[_Touched, bool] = session.info.setdefault(_KEY, {})
    return touched


def _mark(target: object, deleted: bool) -> None:
    """A row the flush inserted, updated or deleted (orphans of a relation included)."""
    session = object_session(target)
    if session is None or not session.info.get(_ON):
        return
    table = _table(target)
    if table is not None:
        _pending(session)[(table.name, _obj_key(table, target))] = deleted


def _inserted(_mapper: object, _conn: object, target: object) -> None:
    _mark(target, False)


def _deleted(_mapper: object, _conn: object, target: object) -> None:
    _mark(target, True)


def listen() -> None:
    """Have the ORM report every row it inserts, updates or deletes (installed once per
    process, by :class:`workflow.store.db.Database` when it makes its engine)."""
    if event.contains(SQLModel, "after_insert", _inserted):
        return
    event.listen(SQLModel, "after_insert", _inserted, propagate=True)
    event.listen(SQLModel, "after_update", _inserted, propagate=True)
    event.listen(SQLModel, "after_delete", _deleted, propagate=True)


def _obj_key(table: Table, obj: object) -> tuple[object, ...]:
    from sqlalchemy import inspect
    mapper = inspect(type(obj))
    return tuple(mapper.primary_key_from_instance(obj))


def install(session: Session) -> None:
    """Track the fact rows this write session touches."""
    session.info[_ON] = True


def touched(session: Session, obj: SQLModel) -> None:
    """A row changed by a bulk ``UPDATE`` the flush listener cannot see."""
    table = _table(obj)
    if table is not None:
        _pending(session)[(table.name, _obj_key(table, obj))] = False


def pending(session: Session) -> bool:
    session.flush()
    return bool(session.info.get(_KEY))


def take(session: Session) -> list[FactEntry]:
    """The touched rows' hashes as the next audit event records them (and forget them)."""
    session.flush()
    found: dict[_Touched, bool] = session.info.pop(_KEY, {})
    conn = session.connection()
    return [fact_entry(conn, name, key, deleted) for (name, key), deleted
            in sorted(found.items(), key=lambda kv: (kv[0][0], str(kv[0][1])))]


def fact_entry(conn: Connection, name: str, key: Sequence[object],
               deleted: bool = False) -> FactEntry:
    """``[table, key, row digest, field digests]`` of one row as stored now (through
    ``conn``, a SQLAlchemy connection); a row that is gone gives a null digest."""
    table = SQLModel.metadata.tables[name]
    row = None
    if not deleted:
        where = [c == v for c, v in zip(table.primary_key.columns, key)]
        row = conn.execute(_select(table).where(*where)).mappings().first()
    if row is None:
        return [name, [str(k) for k in key], None, {}]
    values = dict(row)
    return [name, [str(k) for k in key], row_digest(name, values), field_digests(values)]


def rows(session: Session, name: str) -> Iterator[tuple[str, dict[str, object]]]:
    """Every row of table ``name`` as stored, in key order: (key text, {column: value})."""
    table = SQLModel.metadata.tables[name]
    order = list(table.primary_key.columns)
    for row in session.connection().execute(_select(table).order_by(*order)).mappings():
        values = dict(row)
        yield key_text(_key(table, values)), values


def fact_problems(session: Session, details: list[tuple[int, Mapping[str, object]]]
                  ) -> list[Problem]:
    """Every fact row compared with the hash the chain recorded last for it."""
    table = SQLModel.metadata.tables[m.ResolutionRow.__tablename__]
    symbols: dict[object, str] = {
        rid: str(sym) for rid, sym in session.connection().execute(
            select(table.c.id, table.c.symbol)).all()}
    return factcheck.fact_problems(lambda name: rows(session, name), symbols, details)
