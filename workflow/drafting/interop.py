"""Word drafts in, Akoma Ntoso out (the rules are in ``drafts``; this stores and reads)."""

from __future__ import annotations

from pathlib import Path

from sqlmodel import Session

from drafts.model import Resolution
from workflow.app import App
from workflow.drafting.resolutions import EditResult, Summary, edit_resolution, new_resolution
from workflow.drafting.word_edits import read_docx, word_draft, word_edit
from workflow.errors import InvalidInput, NotFound
from workflow.lifecycle.records import signatories
from workflow.store.models import Amendment, Member, ResolutionRow, Version
from workflow.store.texts import load_version

__all__ = ["new_from_docx", "edit_from_docx", "export_akn", "export_amendment", "build_akn"]

def new_from_docx(app: App, path: Path, *, lang: str | None, body: str | None
                  ) -> tuple[Summary, list[str]]:
    """A resolution from a Word draft (:func:`workflow.drafting.word_edits.word_draft`:
    the body ``--body`` names, else the one whose enacting formula opens the draft, else
    the Higher Council of BRICS, said)."""
    draft = word_draft(app.workspace, read_docx(path), path, lang=lang, body=body)
    return new_resolution(app, draft.text, str(path)), draft.notes


def edit_from_docx(app: App, ref: str, path: Path, *, lang: str, note: str = "") -> EditResult:
    """One language from a Word file (:func:`workflow.drafting.word_edits.word_edit`): a
    DOCX rendered here is placed against the version it names and the edit merges over
    whatever was stored since; any other Word file is placed against the current version."""
    data = read_docx(path)
    with app.read() as session:
        row = app.resolution(session, ref)

        def version_of(number: int) -> tuple[str, Resolution]:
            version = app.version(session, row, number)
            return version.content_hash, load_version(session, version)

        found = word_edit(data, path, lang, row.symbol, row.current_version, version_of)
    result = edit_resolution(app, ref, found.text, str(path),
                             note or f"{lang} text from {path.name}", based_on=found.based_on)
    return EditResult(result.symbol, result.version, result.changed, result.state,
                      result.voided_approvals, result.notes + found.notes, result.merged)


def build_akn(app: App, session: Session, row: ResolutionRow, ver: Version,
              lang: str | None = None, country: str | None = None) -> bytes:
    """The Akoma Ntoso XML of ``ver``: the body's opening line as the formula, each
    paragraph's wId its eId in the version that introduced it, signatories with slugs from
    their Latin names; ``country`` replaces the ``brics`` FRBRcountry."""
    from drafts.akn.export import COUNTRY, Signatory, original_eids
    from drafts.akn.export import export_akn as build

    model = load_version(session, ver)
    history = [load_version(session, app.version(session, row, n))
               for n in range(1, ver.number + 1)]
    people = [Signatory(name=m.name, role="signatory", organisation=m.org, date=None,
                        latin=m.names_by_lang().get("en", ""))
              for m in signatories(session)]
    day = model.date or row.created_at.date().isoformat()
    enacting = app.workspace.body(model.body).enacting
    return build(model, version=ver.number, lang=lang, signatories=people, date=day,
                 enacting=enacting, original=original_eids(history),
                 country_scheme=country or COUNTRY)


def export_akn(app: App, ref: str, version: int | None, lang: str | None,
               country: str | None = None) -> bytes:
    """The Akoma Ntoso XML of a version, validated against the schema (see
    :func:`build_akn`)."""
    from drafts.akn.export import validate

    with app.read() as session:
        row = app.resolution(session, ref)
        xml = build_akn(app, session, row, app.version(session, row, version), lang, country)
    problems = validate(xml)
    if problems:
        raise InvalidInput("the Akoma Ntoso document does not validate: " + "; ".join(problems[:5]))
    return xml


def export_amendment(app: App, ref: str, number: int, country: str | None = None) -> bytes:
    """An amendment record as an Akoma Ntoso ``amendment`` document (validated)."""
    import json

    from sqlmodel import select

    from drafts.akn.amendment import export_amendment_akn
    from drafts.akn.export import COUNTRY, validate

    with app.read() as session:
        row = app.resolution(session, ref)
        amendment = session.exec(select(Amendment).where(Amendment.resolution_id == row.id,
                                                         Amendment.number == number)).first()
        if amendment is None:
            raise NotFound(f"{row.symbol} has no amendment {number}; see 'resolutions "
                           f"amendments {row.symbol}'")
        model = load_version(session, app.version(session, row, amendment.version_number))
        author = session.get(Member, amendment.author)
    xml = export_amendment_akn(
        model, version=amendment.version_number, amendment_id=str(amendment.number),
        target=amendment.target_ref, op=amendment.op, texts=json.loads(amendment.texts_json),
        why=amendment.why, by=author.name if author else amendment.author,
        by_latin=author.names_by_lang().get("en", "") if author else "",
        date=amendment.created_at.date().isoformat(), country_scheme=country or COUNTRY)
    problems = validate(xml)
    if problems:
        raise InvalidInput("the Akoma Ntoso amendment does not validate: " + "; ".join(problems[:5]))
    return xml
