"""``new`` and ``edit`` on the bare driver (:class:`workflow.writing.Writing`), without the
ORM: the version row, its translation records and its search index rows written in one
transaction, each row bound to the chain as :func:`workflow.drafting.resolutions.new_resolution`
and :func:`~workflow.drafting.resolutions.edit_resolution` bind theirs.

Every decision is the shared one: the source parsed and checked, the symbol assigned, an
edit on an older version merged by paragraph id or refused naming the paragraphs
(:mod:`workflow.drafting.versioning`, :mod:`workflow.drafting.bases`), the gate's
decision and the transition an edit fires (:func:`workflow.lifecycle.gate.decide` through
:meth:`Writing.allow`), the index rows (:mod:`workflow.store.search_rows`). The events are
the ORM's, in its order: ``new`` or (``revise``/``reopen``, then) ``edit``, then the
``facts`` event binding the translation records written after it.

The text is parsed before the write transaction opens (:func:`prepare`), so a long source
does not hold the lock while the YAML reader runs (``new --title`` makes its short source
in the transaction). ``$EDITOR`` reads the source, gives the lock back while the editor
is open, and stores the buffer in a transaction of its own (:func:`editable_source`,
:func:`edit_again`); ``edit --from-docx`` reads the Word file the same way
(:func:`edit_from_docx`), and ``new --from-docx`` its Word draft (:func:`from_docx`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from workflow import clock
from workflow.drafting import bases, versioning
from workflow.drafting.versioning import EditResult
from workflow.errors import ConcurrencyError, InvalidInput
from workflow.lifecycle.gate import Decision, decide, take
from workflow.rows import Summary
from workflow.store.reads import Record

if TYPE_CHECKING:
    from drafts.model import Resolution
    from drafts.source import Source
    from workflow.lifecycle.facts import Person
    from workflow.writing import Writing, _Member

__all__ = ["Prepared", "prepare", "from_title", "new_resolution", "edit_resolution",
           "editable_source", "edit_again", "edit_from_docx", "from_docx"]


@dataclass(frozen=True)
class Prepared:
    """A text parsed before the transaction: as given, without its base line, the base it
    names, the parsed source (None with ``error``, raised where the ORM's service raises
    it: after the resolution is found)."""

    given: str
    text: str
    base: bases.Base | None
    filename: str
    checked: Source | None
    error: InvalidInput | None = None


def prepare(given: str, filename: str) -> Prepared:
    """Split the base line off and parse the text (as ``given``: its lines as the person
    sees them)."""
    base, text = bases.split_header(given)
    try:
        return Prepared(given, text, base, filename, versioning.read_source(given, filename))
    except InvalidInput as exc:
        return Prepared(given, text, base, filename, None, exc)


def from_title(w: Writing, title: str, body: str, lang: str | None) -> Prepared:
    """``new --title``: the source of a new, empty resolution, parsed."""
    return prepare(versioning.title_source(w.workspace, title, body, lang), "<new>")


def new_resolution(w: Writing, prepared: Prepared) -> tuple[Summary, list[str]]:
    """:func:`workflow.drafting.resolutions.new_resolution`; also the opener hints
    ``new`` shows (of the model just stored)."""
    from workflow.store import parsed

    if prepared.base is not None:  # the line 'source' starts with names no base here
        prepared = _without_base(prepared)
    if prepared.error is not None:
        raise prepared.error
    assert prepared.checked is not None
    filename = prepared.filename
    with w.transaction() as writer:
        member = w.acting_member()
        take(decide("new", None, _person(member)).require(), None, None, writer.decisions)
        found = w.reads.one("SELECT max(number) AS n FROM resolutions")
        first_free = int(found.n or 0) + 1 if found is not None else 1

        def taken(symbol: str) -> int | None:
            holder = w.reads.resolution_by_symbol(symbol)
            return None if holder is None else int(holder.number)

        number, symbol, model, source = versioning.assign_symbol(
            w.workspace, prepared.checked, filename, first_free, taken, clock.today().year)
        now = clock.now()
        values: dict[str, object] = {
            "number": number, "symbol": symbol, "body": model.body,
            "title": versioning.title_of(model), "state": "draft", "current_version": 1,
            "row_version": 1, "created_at": now, "updated_at": now}
        (rid,) = writer.insert("resolutions", values)
        row = Record(values, id=rid)
        writer.insert("versions", {
            "resolution_id": rid, "number": 1, "source": source,
            "content_hash": model.content_hash(), "author": member.id, "note": "first draft",
            "created_at": now})
        parsed.remember(w.workspace.state_dir, source, model)
        writer.record(actor=member.id, action="new", resolution=row,
                      detail=versioning.new_detail(model.content_hash(), filename))
        _after_version(w, row, None, model, member.id)
    return Summary.of(row), versioning.opener_hints_of(model)  # (after the commit, as
    # the command's hints after the ORM's service)


def edit_resolution(w: Writing, ref: str, prepared: Prepared, note: str = "",
                    based_on: int | None = None) -> EditResult:
    """:func:`workflow.drafting.resolutions.edit_resolution` of a text parsed by
    :func:`prepare`: a new version when the text changed, merged over versions stored since
    the one it was taken from; the same refusals, rows and events."""
    filename = prepared.filename
    with w.transaction() as writer:
        row = w.reader.resolution(ref)
        bases.check_base(str(row.symbol), prepared.base, filename)
        if prepared.error is not None:
            raise prepared.error
        assert prepared.checked is not None
        if based_on is None and prepared.base is not None:
            based_on = prepared.base.version
        member = w.acting_member()
        decision = w.allow("edit", row, member)
        current = w.reader.version(row)
        old_model = w.reader.model(row, current)
        symbol = str(row.symbol)
        model, source = versioning.edited_source(prepared.checked, prepared.given,
                                                 prepared.text, filename, symbol)
        versioning.check_symbol(model, symbol, filename)
        merged = None
        if based_on is not None and based_on != row.current_version:
            def older(number: int) -> tuple[str, Resolution]:
                version = w.reader.version(row, number)
                return str(version.content_hash), w.reader.model(row, version)

            model, source, merged = versioning.merged_over(
                symbol, int(row.current_version), based_on, prepared.base, model, old_model,
                filename, older)
        w.workspace.body(model.body).must_cover(model.languages, filename)
        notes = [merged.note()] if merged else []
        report = merged.to_json() if merged else None
        if model.content_hash() == current.content_hash:
            return EditResult(symbol, int(row.current_version), False, str(row.state),
                              notes=notes, merged=report)
        take(decision, int(row.id), str(row.state), writer.decisions)
        notes += _reopened(w, row, decision, member.id)
        voided = _void_approvals(w, row)
        notes += versioning.voided_note(voided)
        number = int(row.current_version) + 1
        _touch(w, row, {"current_version": number, "title": versioning.title_of(model),
                        "body": model.body})
        writer.insert("versions", {
            "resolution_id": row.id, "number": number, "source": source,
            "content_hash": model.content_hash(), "author": member.id, "note": note,
            "created_at": clock.now()})
        writer.record(actor=member.id, action="edit", resolution=row,
                      detail=versioning.edit_detail(number, model.content_hash(), note,
                                                    str(row.state), voided))
        _after_version(w, row, old_model, model, member.id)
        from workflow.store import parsed

        parsed.remember(w.workspace.state_dir, source, model)
        return EditResult(symbol, number, True, str(row.state), voided, notes, report)


def editable_source(w: Writing, ref: str) -> tuple[str, int]:
    """:func:`workflow.drafting.resolutions.editable_source`: the current source with its
    base line, and its version number, refused before any editor opens when the acting
    member may not edit it now. Read in the writer's transaction, which is then given
    back, so that no lock is held while the editor is open (:func:`edit_again` takes it
    again)."""
    try:
        row = w.reader.resolution(ref)
        w.allow("edit", row, w.acting_member())
        version = w.reader.version(row)
        return (bases.with_header(str(row.symbol), int(version.number),
                                  str(version.content_hash), str(version.source)),
                int(row.current_version))
    finally:
        w.writer.rollback()


def edit_again(w: Writing, ref: str, edited: str, note: str, based_on: int) -> EditResult:
    """An editor's buffer stored as :func:`edit_resolution` stores a file (parsed before
    the transaction begins again)."""
    prepared = prepare(edited, "<editor>")
    w.writer.begin()
    return edit_resolution(w, ref, prepared, note, based_on=based_on)


def edit_from_docx(w: Writing, ref: str, path: Path, *, lang: str,
                   note: str = "") -> EditResult:
    """:func:`workflow.drafting.interop.edit_from_docx`: one language from a Word file
    (:func:`workflow.drafting.word_edits.word_edit`), read with the lock given back, then
    stored as an edit based on the version the file was placed against."""
    from workflow.drafting.word_edits import read_docx, word_edit

    data = read_docx(path)
    try:
        row = w.reader.resolution(ref)

        def version_of(number: int) -> tuple[str, Resolution]:
            version = w.reader.version(row, number)
            return str(version.content_hash), w.reader.model(row, version)

        found = word_edit(data, path, lang, str(row.symbol), int(row.current_version),
                          version_of)
    finally:
        w.writer.rollback()
    prepared = prepare(found.text, str(path))
    w.writer.begin()
    result = edit_resolution(w, ref, prepared, note or f"{lang} text from {path.name}",
                             based_on=found.based_on)
    return EditResult(result.symbol, result.version, result.changed, result.state,
                      result.voided_approvals, result.notes + found.notes, result.merged)


def from_docx(w: Writing, path: Path, *, lang: str | None, body: str | None
              ) -> tuple[Prepared, list[str]]:
    """``new --from-docx``: a Word draft as a source (``word_edits.word_draft``), parsed,
    and what to tell about it; read with the lock given back."""
    from workflow.drafting.word_edits import read_docx, word_draft

    w.writer.rollback()
    draft = word_draft(w.workspace, read_docx(path), path, lang=lang, body=body)
    prepared = prepare(draft.text, str(path))
    w.writer.begin()
    return prepared, draft.notes


def _without_base(prepared: Prepared) -> Prepared:
    """``new`` stores the text without the base line (parsed so: its ids and lines)."""
    return prepare(prepared.text, prepared.filename)


def _reopened(w: Writing, row: Record, decision: Decision, actor: str) -> list[str]:
    """The transition the gate decided the edit makes (as the ORM's ``_reopened``)."""
    moves = decision.then
    if moves is None:
        return []
    if moves.rule.name == "reopen":
        w.move(moves, row, actor=actor, detail=dict(versioning.REOPEN_DETAIL))
        return [versioning.REOPENED]
    w.move(moves, row, actor=actor, detail={})
    return []


def _void_approvals(w: Writing, row: Record) -> int:
    """Void every approval standing (a changed text is not what was approved)."""
    standing = w.reads.all("SELECT id FROM approvals WHERE resolution_id = ? AND NOT void",
                           (row.id,))
    for approval in standing:
        w.writer.update("approvals", {"void": True}, {"id": approval.id})
    return len(standing)


def _touch(w: Writing, row: Record, values: dict[str, object]) -> None:
    """What :func:`workflow.lifecycle.steps.touch` does: the columns and the row's version
    moved on, refused when someone changed the row since it was read."""
    expected = int(row.row_version)
    values = {**values, "row_version": expected + 1, "updated_at": clock.now()}
    if w.writer.update("resolutions", values, {"id": row.id},
                       {"row_version": expected}) != 1:
        raise ConcurrencyError(str(row.symbol))
    row.update(values)


def _after_version(w: Writing, row: Record, old: Resolution | None, new: Resolution,
                   actor: str) -> None:
    """What follows a new version, in its transaction (as the ORM's ``_after_version``):
    the translation records, the search index, and the ``facts`` event binding the
    records (the ORM's write transaction appends it before it commits)."""
    from workflow.store import search_rows

    rid, number = int(row.id), int(row.current_version)
    records = w.reads.translation_records(rid)
    blob = versioning.carried_records(old, records, new)
    if records is None:
        w.writer.insert("translation_state", {"resolution_id": rid, "version_number": number,
                                              "records_json": blob}, key=("resolution_id",))
    else:
        w.writer.update("translation_state", {"version_number": number, "records_json": blob},
                        {"resolution_id": rid})
    search_rows.record_version(w.reads, rid, number, new,
                               search_rows.year_of(new, clock.now().year))
    w.writer.record(actor=actor, action="facts")


def _person(member: _Member) -> Person:
    from workflow.lifecycle.facts import person

    return person(member)
