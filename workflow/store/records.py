"""The translation records kept beside a resolution, read back from their JSON text and
checked (no database here: the ORM path and the read path both parse them with this)."""

from __future__ import annotations

import json

from drafts.staleness import Records
from workflow.errors import WorkspaceError

__all__ = ["records_of"]


def records_of(text: str, symbol: str) -> Records:
    """Translation records as stored (JSON text), checked: another shape is refused."""
    records = _records(json.loads(text))
    if records is None:
        raise WorkspaceError(
            f"the translation records of {symbol} in the database are not "
            "{unit id: {language: {sibling language: text hash}}}; restore the database "
            "from a backup")
    return records


def _records(data: object) -> Records | None:
    if not isinstance(data, dict):
        return None
    out: Records = {}
    for unit, langs in data.items():
        if not isinstance(langs, dict):
            return None
        out[str(unit)] = mine = {}
        for lang, against in langs.items():
            if not (isinstance(against, dict)
                    and all(isinstance(v, str) for v in against.values())):
                return None
            mine[str(lang)] = {str(k): str(v) for k, v in against.items()}
    return out
