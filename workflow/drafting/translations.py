"""Translation status kept per resolution: which sibling texts each paragraph's language
was last reconciled with (the rules are in ``drafts.staleness``; this stores them)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import TYPE_CHECKING

from sqlmodel import Session

from drafts.model import Resolution
from workflow.app import App
from workflow.errors import InvalidInput
from workflow.lifecycle.steps import act, allow
from workflow.store import audit
from workflow.store.models import ResolutionRow, TranslationState, key_of
from workflow.store.texts import load_version, records_for

if TYPE_CHECKING:
    from drafts.staleness import Records

__all__ = ["on_new_version", "stale_map", "confirm", "confirm_units"]


def on_new_version(session: Session, row: ResolutionRow, old: Resolution | None,
                   new: Resolution) -> None:
    from drafts.staleness import carry_forward

    records = carry_forward(old, records_for(session, row) if old else None, new)
    _save(session, row, records)


def _save(session: Session, row: ResolutionRow, records: Records) -> None:
    state = session.get(TranslationState, row.id)
    blob = json.dumps(records, ensure_ascii=False, sort_keys=True)
    if state is None:
        state = TranslationState(resolution_id=key_of(row), version_number=row.current_version,
                                 records_json=blob)
    else:
        state.version_number, state.records_json = row.current_version, blob
    session.add(state)
    session.flush()


def confirm_units(session: Session, row: ResolutionRow, model: Resolution, lang: str,
                  unit_ids: Iterable[str]) -> None:
    """Record ``lang`` of ``unit_ids`` as reconciled with the current text of its siblings
    (in the caller's transaction; the caller checks the role and writes the audit event)."""
    from drafts.staleness import merge, reconcile

    updates = reconcile(model, langs=[lang], paragraph_ids=list(unit_ids))
    _save(session, row, merge(records_for(session, row), updates))


def stale_map(session: Session, row: ResolutionRow, model: Resolution) -> dict[str, frozenset[str]]:
    """Paragraph id → languages whose text is stale (for rendering markers)."""
    from drafts.staleness import stale_against

    return {pid: frozenset(langs) for pid, langs in
            stale_against(model, records_for(session, row)).items()}


def confirm(app: App, ref: str, lang: str, paragraph_ids: Iterable[str] = ()) -> list[str]:
    """Confirm ``lang`` of the given paragraphs (all when none) as matching its siblings."""
    from drafts.staleness import confirm as confirmed
    from drafts.staleness import stale_against

    wanted = list(paragraph_ids)
    with app.write() as session:
        row = app.resolution(session, ref)
        member = app.acting_member(session)
        decision = allow(app, session, "translations confirm", row=row, actor=member)
        model = load_version(session, app.version(session, row))
        if lang not in model.languages:
            raise InvalidInput(f"{row.symbol} has no {lang} text (languages: "
                               f"{', '.join(model.languages)})")
        records = records_for(session, row)
        before = stale_against(model, records)
        from drafts.staleness import units

        known = units(model)
        wanted = [_paragraph_id(model, p, known) for p in wanted]
        targets = wanted or [pid for pid, against in before.items()
                             if lang in against or any(lang in s for s in against.values())]
        if not targets:
            return []
        records = confirmed(model, records, lang, targets)
        act(session, decision, row)
        _save(session, row, records)
        audit.record(session, actor=member.id, action="translations-confirm", resolution=row,
                     detail={"lang": lang, "paragraphs": sorted(targets),
                             "version": row.current_version,
                             "content_hash": app.version(session, row).content_hash})
        return sorted(targets)


def _paragraph_id(model: Resolution, name: str, known: Iterable[str]) -> str:
    """A paragraph named by its id (``op-funding``) or as people write it (``OP 4``,
    ``ОП 2(а)``, ``执行段落 2``)."""
    from drafts.errors import RefError
    from drafts.numbering import resolve

    if name in known:
        return name
    try:
        return resolve(model, name).paragraph.id
    except RefError as exc:
        raise InvalidInput(f"--para {name!r}: {exc}") from None
