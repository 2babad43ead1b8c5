"""Word drafts in, Akoma Ntoso out (the rules are in ``drafts``; this stores and reads)."""

from __future__ import annotations

from pathlib import Path

from sqlmodel import Session

from workflow.app import App
from workflow.drafting.resolutions import EditResult, Summary, edit_resolution, new_resolution
from workflow.errors import InvalidInput, NotFound
from workflow.lifecycle.records import signatories
from workflow.store.models import Amendment, Member, ResolutionRow, Version
from workflow.store.texts import load_version

__all__ = ["new_from_docx", "edit_from_docx", "export_akn", "export_amendment", "build_akn"]

MAX_DOCX_BYTES = 20 * 1024 * 1024


def _read(path: Path) -> bytes:
    try:
        if path.stat().st_size > MAX_DOCX_BYTES:
            raise InvalidInput(f"{path}: larger than {MAX_DOCX_BYTES // 1024 // 1024} MiB")
        return path.read_bytes()
    except OSError as exc:
        raise InvalidInput(f"{path}: {exc.strerror}") from None


def new_from_docx(app: App, path: Path, *, lang: str | None, body: str | None
                  ) -> tuple[Summary, list[str]]:
    from drafts.word.placing import import_docx

    lang = lang or app.workspace.languages[0]
    result = import_docx(_read(path), lang=lang, body=body or "brics-higher-council",
                         filename=str(path))
    notes = [f"{path}: block {index}: {text[:120]}" for index, text in result.unrecognised]
    return new_resolution(app, result.source, str(path)), notes


def edit_from_docx(app: App, ref: str, path: Path, *, lang: str, note: str = "") -> EditResult:
    from drafts.source import dump
    from drafts.word.placing import import_docx, merge_language

    with app.read() as session:
        row = app.resolution(session, ref)
        version = app.version(session, row)
        model = load_version(session, version)
        based_on = row.current_version
    imported = import_docx(_read(path), lang=lang, body=model.body, filename=str(path))
    merged = merge_language(model, imported.resolution, lang)
    result = edit_resolution(app, ref, dump(merged), str(path),
                             note or f"{lang} text from {path.name}", based_on=based_on)
    notes = [f"not understood: block {i}: {t[:120]}" for i, t in imported.unrecognised]
    return EditResult(result.symbol, result.version, result.changed, result.state,
                      result.voided_approvals, result.notes + notes)


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
