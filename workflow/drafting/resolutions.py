"""Drafting use cases: create a resolution, edit it into new versions, read it back.

Versions are immutable: an edit that changes the text (by content hash) adds a version;
one that does not is reported as unchanged and stores nothing.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func
from sqlmodel import Session, col, select

from drafts.model import Resolution
from workflow import clock
from workflow.app import App
from workflow.drafting import bases, translations, versioning
from workflow.drafting.versioning import EditResult, parse_source
from workflow.errors import InvalidInput
from workflow.lifecycle.gate import Decision
from workflow.lifecycle.steps import act, allow, move, touch
from workflow.rows import Page, Summary
from workflow.states import State
from workflow.store import audit, search_rows, texts
from workflow.store.models import Approval, AuditEvent, ResolutionRow, Version, key_of
from workflow.store.reads import Reads
from workflow.store.texts import load_version

__all__ = ["new_resolution", "new_from_title", "edit_resolution", "editable_source",
           "keep_unsaved_edit", "list_resolutions", "source_text",
           "get_version", "log", "Summary", "EditResult", "Page",
           "parse_source"]


def _symbol_taken(session: Session, symbol: str) -> ResolutionRow | None:
    return session.exec(select(ResolutionRow).where(ResolutionRow.symbol == symbol)).first()


def _next_number(session: Session) -> int:
    return int(session.exec(select(func.max(ResolutionRow.number))).one() or 0) + 1


def new_resolution(app: App, text: str, filename: str = "<source>") -> Summary:
    """Store a new resolution from its YAML source (symbol assigned when absent)."""
    _, text = bases.split_header(text)  # the line 'source' starts with names no base here
    parsed = versioning.read_source(text, filename)  # fail fast, before the write lock
    with app.write() as session:
        member = app.acting_member(session)
        decision = allow(app, session, "new", actor=member)

        def taken(symbol: str) -> int | None:
            found = _symbol_taken(session, symbol)
            return None if found is None else found.number

        number, symbol, model, source = versioning.assign_symbol(
            app.workspace, parsed, filename, _next_number(session), taken, clock.today().year)
        now = clock.now()
        row = ResolutionRow(number=number, symbol=symbol, body=model.body,
                            title=versioning.title_of(model), state=State.draft,
                            current_version=1, row_version=1, created_at=now, updated_at=now)
        act(session, decision)
        session.add(row)
        session.flush()
        session.add(Version(resolution_id=key_of(row), number=1, source=source,
                            content_hash=model.content_hash(), author=member.id,
                            note="first draft", created_at=now))
        texts.remember(session, source, 1, model)
        audit.record(session, actor=member.id, action="new", resolution=row,
                     detail=versioning.new_detail(model.content_hash(), filename))
        _after_version(session, row, None, model)
        return Summary.of(row)


def new_from_title(app: App, title: str, body: str, lang: str | None = None) -> Summary:
    """A new, empty resolution with a title in one language, to be filled with 'edit'."""
    return new_resolution(app, versioning.title_source(app.workspace, title, body, lang),
                          "<new>")


def _after_version(session: Session, row: ResolutionRow, old: Resolution | None,
                   new: Resolution) -> None:
    """What follows a new version (numbered ``row.current_version``), in its
    transaction: the translation records, and the search index (on the session's
    connection, by the statements the bare path runs too)."""
    translations.on_new_version(session, row, old, new)
    assert row.id is not None
    conn = session.connection()
    reads = Reads(conn.connection.dbapi_connection, conn.dialect.name == "sqlite")
    search_rows.record_version(reads, row.id, row.current_version, new,
                               search_rows.year_of(new, clock.now().year))


def edit_resolution(app: App, ref: str, text: str, filename: str = "<edit>",
                    note: str = "", based_on: int | None = None) -> EditResult:
    """A new version from edited source, when the text changed.

    ``based_on`` is the version number the edit started from (an editor session, a Word
    round trip), else the version the text's first line names (``resolutions source``
    writes it; :mod:`workflow.drafting.bases`). If someone stored another version
    meanwhile, this text's changes are merged over it by paragraph id; changes to the same
    paragraph are refused, naming it, rather than silently overwriting theirs."""
    given = text
    base, text = bases.split_header(text)
    with app.read() as session:
        row = app.resolution(session, ref)
    bases.check_base(row.symbol, base, filename)
    if based_on is None and base is not None:
        based_on = base.version
    checked = versioning.read_source(given, filename)  # the base line is a YAML comment:
    # checked with it, a mistake is named at its line in the file as the person sees it
    with app.write() as session:
        row = app.resolution(session, ref)
        member = app.acting_member(session)
        decision = allow(app, session, "edit", row=row, actor=member)
        current = app.version(session, row)
        old_model = load_version(session, current)
        model, source = versioning.edited_source(checked, given, text, filename, row.symbol)
        versioning.check_symbol(model, row.symbol, filename)
        merged = None
        if based_on is not None and based_on != row.current_version:
            model, source, merged = _merged(app, session, row, based_on, base, model,
                                            old_model, filename)
        app.workspace.body(model.body).must_cover(model.languages, filename)
        if model.content_hash() == current.content_hash:
            return EditResult(row.symbol, row.current_version, False, row.state,
                              notes=[merged.note()] if merged else [],
                              merged=merged.to_json() if merged else None)
        notes = ([merged.note()] if merged else [])
        act(session, decision, row)
        notes += _reopened(session, row, decision, member.id)
        voided = _void_approvals(session, row)
        notes += versioning.voided_note(voided)
        number = row.current_version + 1
        touch(session, row, current_version=number, title=versioning.title_of(model),
              body=model.body)
        session.add(Version(resolution_id=key_of(row), number=number, source=source,
                            content_hash=model.content_hash(), author=member.id, note=note,
                            created_at=clock.now()))
        audit.record(session, actor=member.id, action="edit", resolution=row,
                     detail=versioning.edit_detail(number, model.content_hash(), note,
                                                   row.state, voided))
        _after_version(session, row, old_model, model)
        return EditResult(row.symbol, number, True, row.state, voided, notes,
                          merged.to_json() if merged else None)


def _reopened(session: Session, row: ResolutionRow, decision: Decision, actor: str) -> list[str]:
    """Fire the transition the gate decided the edit makes (a returned text revised, an
    approved one reopened); the note it leaves for the editor."""
    moves = decision.then
    if moves is None:
        return []
    if moves.rule.name == "reopen":
        move(session, row, moves, actor=actor, detail=dict(versioning.REOPEN_DETAIL))
        return [versioning.REOPENED]
    move(session, row, moves, actor=actor)
    return []


def _void_approvals(session: Session, row: ResolutionRow) -> int:
    """Void every approval standing (a changed text is not what was approved)."""
    voided = 0
    for approval in session.exec(select(Approval).where(Approval.resolution_id == row.id,
                                                        col(Approval.void) == False)):  # noqa: E712
        approval.void = True
        session.add(approval)
        voided += 1
    return voided


def _merged(app: App, session: Session, row: ResolutionRow, based_on: int,
            base: bases.Base | None, ours: Resolution, current: Resolution,
            filename: str) -> tuple[Resolution, str, bases.Merge]:
    """``ours``, taken from version ``based_on``, merged over the current version."""
    def older(number: int) -> tuple[str, Resolution]:
        version = app.version(session, row, number)
        return version.content_hash, load_version(session, version)

    return versioning.merged_over(row.symbol, row.current_version, based_on, base, ours,
                                  current, filename, older)


def list_resolutions(app: App, state: str | None = None, limit: int = 50,
                     offset: int = 0) -> Page:
    if state is not None and state not in {s.value for s in State}:
        raise InvalidInput(f"unknown state {state!r}; states are "
                           f"{', '.join(s.value for s in State)}")
    with app.read() as session:
        query = select(ResolutionRow)
        count = select(func.count()).select_from(ResolutionRow)
        if state:
            query = query.where(ResolutionRow.state == state)
            count = count.where(ResolutionRow.state == state)
        total = int(session.exec(count).one())
        rows = session.exec(query.order_by(col(ResolutionRow.number)).offset(offset).limit(limit))
        return Page([Summary.of(r) for r in rows], total, offset, limit)


def get_version(app: App, ref: str, number: int | None = None) -> tuple[Summary, Version, Resolution]:
    with app.read() as session:
        row = app.resolution(session, ref)
        version = app.version(session, row, number)
        return Summary.of(row), version, load_version(session, version)


def log(app: App, ref: str) -> tuple[Summary, list[AuditEvent]]:
    with app.read() as session:
        row = app.resolution(session, ref)
        return Summary.of(row), audit.events_for(session, row.id or 0)


def editable_source(app: App, ref: str) -> tuple[str, int]:
    """The current source and its version number, to edit and hand back to ``edit``.
    Refused before any editor opens when the acting member may not edit it now."""
    with app.read() as session:
        row = app.resolution(session, ref)
        member = app.acting_member(session)
        allow(app, session, "edit", row=row, actor=member)
        version = app.version(session, row)
        return (bases.with_header(row.symbol, version.number, version.content_hash,
                                  version.source), row.current_version)


def source_text(app: App, ref: str, number: int | None = None) -> tuple[Summary, Version, str]:
    """A version's source as ``resolutions source`` prints it: first the line naming the
    version (so that ``edit`` knows what the text was taken from), then the text."""
    summary, version, _ = get_version(app, ref, number)
    return summary, version, bases.with_header(summary.symbol, version.number,
                                               version.content_hash, version.source)


def keep_unsaved_edit(app: App, ref: str, text: str, based_on: int) -> Path:
    """Keep an edit that lost a race in the workspace (``.resolutions/edits/``), so that
    nothing typed is lost; returns the file."""
    return versioning.keep_text(app.workspace.state_dir, ref, text, based_on)
