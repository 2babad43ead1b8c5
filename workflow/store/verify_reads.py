"""``audit verify`` on the bare driver: the chain and the rows it describes read through
:class:`workflow.store.reads.Reads` (SQLite), without the ORM.

The checks are the ones the ORM path runs (``workflow.store.crosscheck.verify_rows``, the
witnesses, ``resolutions.toml``); only the reading differs. Each column comes back in the
type the models give it: SQLite keeps a datetime or a date as ISO text and a boolean as an
integer, and the models' column types turn them back (``datetime.fromisoformat``,
``bool``), so a row hashes to the same digest either way (``workflow.store.rowhash``).
The column types are the declared types of the schema the migrations wrote;
``tests/workflow/test_verify_reads.py`` checks they are the models' types and that both
paths name the same problems on a tampered workspace.

The files on disk are checked here too, as there (``workflow.store.files``): stored
artefacts against their SHA-256 names, submission packages and queued mail against the
hashes their rows record. A workspace with anything this path does not check — signed
PDFs, signed statements, timestamped anchors — or on PostgreSQL is checked the usual way
(``workflow.verification``, which imports the ORM, pyHanko and the trust store):
:func:`verify_bare` returns None.
"""

from __future__ import annotations

import datetime as _dt
import json
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING

from workflow.store.chain import Problem
from workflow.store.reads import Reads, Record
from workflow.store.rowhash import key_text

if TYPE_CHECKING:
    from workflow.store.workspace import Workspace

__all__ = ["verify_bare", "BareRows", "column_types", "typed_values"]

#: what the models' column types make of a stored SQLite value, by declared type
_LOADS: dict[str, Callable[[object], object]] = {
    "DATETIME": lambda value: _dt.datetime.fromisoformat(value)
    if isinstance(value, str) else value,
    "DATE": lambda value: _dt.date.fromisoformat(value) if isinstance(value, str) else value,
    "BOOLEAN": lambda value: True if value else False,
}

#: rows this path cannot check: when any exists, the ORM path (and its machinery) runs
_HEAVY = (
    "SELECT 1 FROM signatures LIMIT 1",
    "SELECT 1 FROM approvals WHERE statement IS NOT NULL LIMIT 1",
    "SELECT 1 FROM audit_anchors LIMIT 1",
    "SELECT 1 FROM audit_events WHERE action = 'anchor' LIMIT 1",
)

#: files the engine wrote and recorded by hash, in the order the ORM path checks them
_RECORDED = (
    ("SELECT package_path AS path, package_sha256 AS sha FROM submissions ORDER BY id",
     "submission package"),
    ("SELECT eml_path AS path, eml_sha256 AS sha FROM messages ORDER BY id", "message file"),
)


def _load(loads: Callable[[object], object] | None, value: object) -> object:
    if loads is None or value is None:
        return value
    try:
        return loads(value)
    except (TypeError, ValueError):  # not what the column holds: hashed as it is stored
        return value


def column_types(reads: Reads, table: str) -> list[tuple[str, str, int]]:
    """(column, declared type, position in the primary key or 0) of ``table``."""
    return reads.column_types(table)


def typed_values(row: dict[str, object], columns: Sequence[tuple[str, str, int]]
                 ) -> dict[str, object]:
    """A SQLite row's values in the types the schema declares (``_LOADS``), as the models'
    column types give them back."""
    for name, kind, _ in columns:
        fn = _LOADS.get(kind)
        if fn is not None and name in row:
            row[name] = _load(fn, row[name])
    return row


class _Event:
    """An audit event's columns as attributes (not a mapping: ``chain_problems`` takes a
    mapping for a record of an exported dossier's JSON Lines)."""

    __slots__ = ("seq", "at", "actor", "action", "outcome", "resolution_id", "symbol",
                 "detail", "prev_hash", "hash")
    seq: int
    at: _dt.datetime
    actor: str
    action: str
    outcome: str
    resolution_id: int | None
    symbol: str
    detail: str
    prev_hash: str
    hash: str

    def __init__(self, row: Record) -> None:
        for name in self.__slots__:
            setattr(self, name, row[name])


class BareRows:
    """The rows ``verify_rows`` checks, read on the bare SQLite driver."""

    def __init__(self, reads: Reads) -> None:
        self.reads = reads

    def _typed(self, table: str, sql: str, params: Sequence[object] = ()) -> list[Record]:
        loads = {name: _LOADS[kind] for name, kind, _ in column_types(self.reads, table)
                 if kind in _LOADS}
        rows = self.reads.all(sql, params)
        for row in rows:
            for name, fn in loads.items():
                if name in row:
                    row[name] = _load(fn, row[name])
        return rows

    def events(self) -> list[_Event]:
        return [_Event(r) for r in self._typed(
            "audit_events", "SELECT seq, at, actor, action, outcome, resolution_id, symbol, "
            "detail, prev_hash, hash FROM audit_events ORDER BY seq")]

    def head(self) -> tuple[int, str] | None:
        row = self.reads.one("SELECT seq, hash FROM audit_head WHERE id = 1")
        return (row.seq, row.hash) if row is not None else None

    def resolutions(self) -> list[tuple[int, str, str]]:
        return [(r.id, r.symbol, r.state)
                for r in self.reads.all("SELECT id, symbol, state FROM resolutions")]

    def versions(self) -> list[tuple[int, int, int, str]]:
        return [(r.id, r.resolution_id, r.number, r.content_hash) for r in self.reads.all(
            "SELECT id, resolution_id, number, content_hash FROM versions "
            "ORDER BY resolution_id, number")]

    def version_source(self, vid: int) -> str:
        row = self.reads.one("SELECT source FROM versions WHERE id = ?", (vid,))
        assert row is not None
        return str(row.source)

    def comments(self) -> list[Record]:
        return self._typed("comments", "SELECT * FROM comments ORDER BY resolution_id, number")

    def approvals(self) -> list[Record]:
        return self._typed("approvals", "SELECT * FROM approvals ORDER BY id")

    def members(self) -> list[Record]:
        return self._typed("members", "SELECT id, active FROM members ORDER BY id")

    def member_roles(self) -> dict[str, list[str]]:
        held: dict[str, list[str]] = {}
        for r in self.reads.all("SELECT member_id, role FROM member_roles"):
            held.setdefault(r.member_id, []).append(r.role)
        return held

    def orphan_roles(self) -> list[tuple[str, str]]:
        return [(r.member_id, r.role) for r in self.reads.all(
            "SELECT member_id, role FROM member_roles WHERE member_id NOT IN "
            "(SELECT id FROM members) ORDER BY member_id, role")]

    def fact_rows(self, name: str) -> Iterator[tuple[str, dict[str, object]]]:
        columns = column_types(self.reads, name)
        key = [c for c, _, pk in sorted((c for c in columns if c[2]), key=lambda c: c[2])]
        loads = [(c, _LOADS[kind]) for c, kind, _ in columns if kind in _LOADS]
        order = ", ".join(f'"{c}"' for c in key)
        for row in self.reads.all(f'SELECT * FROM "{name}" ORDER BY {order}'):
            for column, fn in loads:
                row[column] = _load(fn, row[column])
            values = dict(row)
            yield key_text([values[c] for c in key]), values


def verify_bare(workspace: Workspace, witnesses: Sequence[tuple[int, str]] = ()
                ) -> tuple[list[Problem], int] | None:
    """(problems, events checked) of ``workspace`` — the verdict
    ``workflow.verification.verify_workspace`` gives — or None when this path cannot give it
    (PostgreSQL, a schema older than the code, signatures, signed statements or anchors to
    check)."""
    root, url, store, files = (workspace.root, workspace.database_url, workspace.store_dir,
                               workspace.files)
    from workflow.store.crosscheck import verify_rows
    from workflow.store.files import recorded_file_problems, store_problems
    from workflow.store.settings import config_problems
    from workflow.store.witness import witness_check

    if not url.startswith("sqlite:///"):
        return None
    reads = Reads.open(url)
    if reads is None:
        return None
    try:
        if not all(reads.one(sql) is None for sql in _HEAVY):
            return None
        count = int(reads.all("SELECT count(*) AS n FROM audit_events")[0].n)
        problems = witness_check(lambda seq: _event_hash(reads, seq), witnesses)
        problems += verify_rows(BareRows(reads))
        config = [(r.seq, r.action, json.loads(r.detail)) for r in reads.all(
            "SELECT seq, action, detail FROM audit_events WHERE action = 'config' ORDER BY seq")]
        problems += config_problems(root, config)
        problems += store_problems(root, store)
        recorded = [(r.path, r.sha, what) for sql, what in _RECORDED for r in reads.all(sql)
                    if r.path and r.sha]
        return problems + recorded_file_problems(files, recorded), count
    finally:
        reads.close()


def _event_hash(reads: Reads, seq: int) -> str | None:
    row = reads.one("SELECT hash FROM audit_events WHERE seq = ?", (seq,))
    return None if row is None else str(row.hash)
