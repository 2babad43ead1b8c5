"""Stored texts read back: a version's parsed model (versions are immutable, so each text
is parsed once, and kept on disk for every later process) and the translation records kept
beside a resolution."""

from __future__ import annotations

from pathlib import Path

from sqlmodel import Session

from drafts.model import Resolution
from drafts.staleness import Records
from workflow.errors import InvalidInput
from workflow.store import parsed
from workflow.store.models import ResolutionRow, TranslationState, Version
from workflow.store.records import records_of

__all__ = ["load_version", "records_for", "records_of", "remember"]


def load_version(session: Session, version: Version) -> Resolution:
    """The version's model. Versions are immutable and the model is frozen: a process
    parses each text once (kept for the last :data:`_KEEP`), and with the workspace known
    (``session.info["state_dir"]``, set by ``App``) a text parsed by any process is read back
    from ``.resolutions/parsed/`` (:mod:`workflow.store.parsed`) — trusted only when it
    hashes to the version's content hash and names the resolution's symbol."""
    key = (version.source, version.number)
    model = _MEMO.pop(key, None)
    if model is None:
        state_dir = session.info.get("state_dir")
        model = _from_disk(session, version, state_dir) if state_dir else None
        if model is None:
            model = _parse(version.source, version.number)
            if state_dir:
                parsed.remember(state_dir, version.source, model)
    _MEMO[key] = model  # the most recent last
    while len(_MEMO) > _KEEP:
        del _MEMO[next(iter(_MEMO))]
    return model


def remember(session: Session, source: str, number: int, model: Resolution) -> None:
    """Keep the model of a version just stored, so that reading it back in this process
    (or another, through ``.resolutions/parsed/``) does not parse its text again."""
    _MEMO[(source, number)] = model
    while len(_MEMO) > _KEEP:
        del _MEMO[next(iter(_MEMO))]
    state_dir = session.info.get("state_dir")
    if state_dir:
        parsed.remember(state_dir, source, model)


#: parsed versions kept in memory per process, the least recently used dropped first
_KEEP = 256
_MEMO: dict[tuple[str, int], Resolution] = {}


def _from_disk(session: Session, version: Version, state_dir: Path) -> Resolution | None:
    model = parsed.cached(state_dir, version.source, version.content_hash)
    if model is None or version.resolution_id is None:
        return None
    row = session.get(ResolutionRow, version.resolution_id)
    return model if row is not None and model.symbol == row.symbol else None


def _parse(source: str, number: int) -> Resolution:
    from drafts.errors import DraftError
    from drafts.source import load

    try:
        model, _ = load(source, f"version {number}")
    except DraftError as exc:  # stored texts were valid when stored
        raise InvalidInput(str(exc)) from None
    return model


def records_for(session: Session, row: ResolutionRow) -> Records:
    """The translation records kept beside the resolution (``{unit id: {language:
    {sibling language: sibling text hash}}}``), checked as read."""
    state = session.get(TranslationState, row.id)
    return records_of(state.records_json, row.symbol) if state is not None else {}
