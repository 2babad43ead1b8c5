"""Stored texts read back: a version's parsed model (versions are immutable, so each text
is parsed once per process) and the translation records kept beside a resolution."""

from __future__ import annotations

import functools
import json
from typing import Any

from sqlmodel import Session

from drafts.model import Resolution
from workflow.errors import InvalidInput
from workflow.store.models import ResolutionRow, TranslationState, Version

__all__ = ["load_version", "records_for"]


def load_version(session: Session, version: Version) -> Resolution:
    return _parsed(version.source, version.number)


@functools.lru_cache(maxsize=64)
def _parsed(source: str, number: int) -> Resolution:
    """Versions are immutable and the model is frozen: a process parses each text once
    (a service reads the same version several times, and a long-lived process such as a
    dossier export or a busy client reads it again and again)."""
    from drafts.errors import DraftError
    from drafts.source import load

    try:
        model, _ = load(source, f"version {number}")
    except DraftError as exc:  # stored texts were valid when stored
        raise InvalidInput(str(exc)) from None
    return model


def records_for(session: Session, row: ResolutionRow) -> dict[str, Any]:
    state = session.get(TranslationState, row.id)
    return json.loads(state.records_json) if state else {}
