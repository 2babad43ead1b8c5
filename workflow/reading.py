"""The read commands on the bare driver: ``list``, ``show``, ``log``, ``comments``,
``amendments``, ``member list``, ``submissions`` and ``outbox`` answered through
:class:`workflow.store.reads.Reads`, with the same rows (:mod:`workflow.rows`) and the same
refusals as the services on the ORM, and without importing the ORM, pydantic or the
YAML parser (a version's model comes from :mod:`workflow.store.parsed`).

:func:`open_reader` opens the workspace; when its database cannot be read this way (not
created yet, a schema older than the code) it opens it the usual way once, which
migrates it, and tries again.
"""

from __future__ import annotations

import datetime as _dt
import os
from typing import TYPE_CHECKING

from workflow.errors import InvalidInput, NotFound, WorkspaceError
from workflow.rows import (
    AmendmentRow,
    CommentRow,
    MemberInfo,
    MessageInfo,
    Page,
    SubmissionInfo,
    Summary,
)
from workflow.states import State
from workflow.store.reads import Reads, Record
from workflow.store.workspace import Workspace, find

if TYPE_CHECKING:  # a version's model is read by show and status only, not by list or log
    from drafts.model import Resolution
    from workflow.search.query import Filters, SearchPage

__all__ = ["Reader", "open_reader"]


def _when(value: str | _dt.datetime) -> _dt.datetime:
    """A stored timestamp as the models give it back: in UTC (SQLite keeps naive UTC text,
    PostgreSQL an aware datetime)."""
    if isinstance(value, str):
        value = _dt.datetime.fromisoformat(value)
    if value.utcoffset() is None:
        return value.replace(tzinfo=_dt.timezone.utc)
    return value.astimezone(_dt.timezone.utc)


def _iso(value: str | _dt.datetime | None) -> str | None:
    return None if value is None else _when(value).isoformat()


def _summary(row: Record) -> Summary:
    try:
        state = State(row.state)
    except ValueError:
        raise WorkspaceError(f"a resolution's stored state {row.state!r} is not a state; "
                             "'resolutions audit verify' names what was edited") from None
    return Summary(row.number, row.symbol, row.title, row.body, state,
                   row.current_version, _iso(row.updated_at) or "")


class Reader:
    """A workspace and a read connection to its database (``migrated``: what opening it
    brought up to date, if anything)."""

    def __init__(self, workspace: Workspace, reads: Reads, migrated: str | None = None) -> None:
        self.workspace, self.reads, self.migrated = workspace, reads, migrated

    def close(self) -> None:
        self.reads.close()

    # -- lookups, with the services' refusals ------------------------------------------
    def summary(self, row: Record) -> Summary:
        return _summary(row)

    def resolution(self, ref: str) -> Record:
        """A resolution by symbol (``RCWG/RES/2024/1``) or number (``1``)."""
        ref = str(ref).strip()
        row = None
        if ref.isascii() and ref.isdigit() and len(ref) <= 18:
            row = self.reads.resolution_by_number(int(ref))
        if row is None:
            row = self.reads.resolution_by_symbol(ref)
        if row is None:
            raise NotFound(f"no resolution {ref!r}; see 'resolutions list'")
        return row

    def version(self, row: Record, number: int | None = None) -> Record:
        wanted = number or row.current_version
        version = self.reads.version(row.id, wanted)
        if version is None:
            raise NotFound(f"{row.symbol} has no version {wanted} "
                           f"(versions 1–{row.current_version})")
        return version

    def model(self, row: Record, version: Record) -> Resolution:
        """The version's model: from the parsed cache, else parsed (and then cached)."""
        from workflow.store import parsed

        model = parsed.cached(self.workspace.state_dir, version.source, version.content_hash)
        if model is not None and model.symbol == row.symbol:
            return model
        from drafts.errors import DraftError
        from drafts.source import load

        try:
            model, _ = load(version.source, f"version {version.number}")
        except DraftError as exc:  # stored texts were valid when stored
            raise InvalidInput(str(exc)) from None
        parsed.remember(self.workspace.state_dir, version.source, model)
        return model

    def current_refs(self, row: Record) -> dict[str, str]:
        from drafts.numbering import refs

        return refs(self.model(row, self.version(row)))

    # -- the read commands ---------------------------------------------------------------
    def list_resolutions(self, state: str | None = None, limit: int = 50,
                         offset: int = 0) -> Page:
        if state is not None and state not in {s.value for s in State}:
            raise InvalidInput(f"unknown state {state!r}; states are "
                               f"{', '.join(s.value for s in State)}")
        total = self.reads.count_resolutions(state)
        rows = self.reads.resolutions(state, limit, offset)
        return Page([_summary(r) for r in rows], total, offset, limit)

    def get_version(self, ref: str, number: int | None = None
                    ) -> tuple[Summary, Record, Resolution]:
        row = self.resolution(ref)
        version = self.version(row, number)
        return _summary(row), version, self.model(row, version)

    def log(self, ref: str) -> tuple[Summary, list[Record]]:
        row = self.resolution(ref)
        events = self.reads.events(row.id)
        for event in events:
            event["at"] = _when(event.at)
        return _summary(row), events

    def comment_matrix(self, ref: str) -> tuple[str, int, list[CommentRow]]:
        row = self.resolution(ref)
        current = self.current_refs(row)
        rounds = self.reads.round_numbers(row.id)
        return row.symbol, row.current_version, [
            CommentRow.of(c, current, rounds.get(c.round_id, 0))
            for c in self.reads.comments(row.id)]

    def list_amendments(self, ref: str) -> tuple[str, list[AmendmentRow]]:
        row = self.resolution(ref)
        current = self.current_refs(row)
        return row.symbol, [AmendmentRow.of(a, current) for a in self.reads.amendments(row.id)]

    def list_members(self) -> list[MemberInfo]:
        members = self.reads.members()
        roles = self.reads.member_roles()
        db_roles: dict[str, str] = {}
        if not self.reads.is_sqlite:
            from workflow.store.pgroles import role_name

            database, existing = self.reads.database_roles()
            db_roles = {m.id: role_name(database, m.id) for m in members
                        if role_name(database, m.id) in existing}
        return [MemberInfo.of(m, db_roles.get(m.id), roles.get(m.id, [])) for m in members]

    def list_submissions(self, ref: str) -> tuple[str, list[SubmissionInfo]]:
        row = self.resolution(ref)
        return row.symbol, [SubmissionInfo(
            number, s.body, s.version_number, _iso(s.submitted_at) or "", s.package_path,
            s.package_sha256, s.message_id, s.message_status or "", s.receipt_ref, s.outcome,
            s.note, _iso(s.received_at))
            for number, s in enumerate(self.reads.submissions(row.id), start=1)]

    def receipts(self, ref: str) -> list[list[dict[str, object]]]:
        """Every answer to each submission of ``ref``, oldest first; one list per
        submission in the order they were made (as ``outcomes.receipts``)."""
        row = self.resolution(ref)
        found: dict[int, list[dict[str, object]]] = {}
        for r in self.reads.receipts(row.id):
            found.setdefault(int(r.submission_id), []).append({
                "reference": r.reference, "outcome": r.outcome, "note": r.note,
                "recorded_by": r.recorded_by, "received_at": _iso(r.received_at)})
        return [found.get(int(s.id), []) for s in self.reads.submissions(row.id)]

    def list_messages(self, status: str | None = None) -> list[MessageInfo]:
        """The outbox; on a shared deployment each listed file this folder lacks is fetched
        from the shared store, so the file the listing names is there to open."""
        rows = self.reads.messages(status)
        files = self.workspace.files
        if files.shared:
            for m in rows:
                if m.eml_path and not (self.workspace.root / m.eml_path).is_file():
                    files.ensure(str(m.eml_path), str(m["eml_sha256"]) or None)
        return [MessageInfo(m.id, m.message_id, m.kind, m.recipient, m.subject, m.status,
                            m.attempts, m.error, m.eml_path, _iso(m.created_at) or "",
                            _iso(m.sent_at)) for m in rows]

    def search(self, query: str, filters: Filters, limit: int = 20,
               offset: int = 0) -> SearchPage:
        """``resolutions search``: hits best first, the aligned texts in the workspace's
        language order."""
        from drafts.languages import REGISTRY  # the model's languages, without the model
        from workflow.search.query import search

        if filters.body is not None:
            self.workspace.body(filters.body)
        known = [*self.workspace.languages, *REGISTRY]
        if filters.lang is not None and filters.lang not in known:
            raise InvalidInput(f"unknown language {filters.lang!r}; the workspace's are "
                               f"{', '.join(self.workspace.languages)}")
        page = search(self.reads, query, filters, limit, offset)
        for hit in page.hits:
            hit.aligned = dict(sorted(hit.aligned.items(), key=lambda kv: (
                known.index(kv[0]) if kv[0] in known else len(known), kv[0])))
        return page


def open_reader(workspace: str | os.PathLike[str] | None = None, actor: str | None = None,
                *, database_url: str | None = None) -> Reader:
    """The workspace's reader; a database not yet at the schema's head is migrated first
    (``reader.migrated`` says so). On PostgreSQL it logs in as ``actor`` (``--as`` or
    RESOLUTIONS_USER, which the command line reads; else the member the URL names, else
    the secretary)."""
    ws = find(workspace, database_url=database_url)
    reads = Reads.open(ws.database_url, actor)
    migrated = None
    if reads is None:
        from workflow.store.db import Database

        db = Database(ws.database_url, actor)
        migrated = db.migrate()
        db.dispose()
        reads = Reads.open(ws.database_url, actor)
        if reads is None:
            raise WorkspaceError(f"cannot read the database of {ws.root}; run 'resolutions "
                                 "doctor'")
    return Reader(ws, reads, migrated)
