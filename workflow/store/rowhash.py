"""The content hash of one table row, as the audit chain records it.

Pure data, no database: the live check (``workflow.store.facts``) hashes rows read from the
tables, and a dossier can hash the same values from its payload records. A row is hashed as
canonical JSON of ``{column: value}`` with every value in one text form (datetimes in UTC
ISO 8601, bytes as their SHA-256, enums as their text); the digest of each field is kept
beside the row's so that a mismatch can name the field that changed.
"""

from __future__ import annotations

import datetime as _dt
import enum
import hashlib
import json
import re
from collections.abc import Iterable, Mapping

__all__ = ["canonical", "row_digest", "field_digests", "FIELD_DIGEST_LEN", "key_text",
           "recorded_rows"]

#: hex digits kept per field: enough to name the changed field; the row digest is the proof
FIELD_DIGEST_LEN = 16


#: a column value in its one text form
Canonical = str | int | bool | None


def canonical(value: object) -> Canonical:
    """One JSON-able text form for a column value, the same however it was loaded."""
    if value is None or isinstance(value, (bool, int, str)) and not isinstance(value, enum.Enum):
        return value
    if isinstance(value, enum.Enum):
        return str(value.value)
    if isinstance(value, _dt.datetime):
        at = value if value.tzinfo else value.replace(tzinfo=_dt.timezone.utc)
        return at.astimezone(_dt.timezone.utc).isoformat()
    if isinstance(value, _dt.date):
        return value.isoformat()
    if isinstance(value, (bytes, bytearray, memoryview)):
        return "sha256:" + hashlib.sha256(bytes(value)).hexdigest()
    if isinstance(value, float):
        return repr(value)
    return str(value)


def _dumps(value: object) -> bytes:
    return json.dumps(value, ensure_ascii=False, sort_keys=True,
                      separators=(",", ":")).encode("utf-8")


def row_digest(table: str, values: Mapping[str, object]) -> str:
    """SHA-256 over the table's name and every column's canonical value."""
    return hashlib.sha256(_dumps({"table": table,
                                  "row": {k: canonical(v) for k, v in values.items()}})).hexdigest()


def field_digests(values: Mapping[str, object]) -> dict[str, str]:
    """A short digest per column, to name which field differs."""
    return {k: hashlib.sha256(_dumps(canonical(v))).hexdigest()[:FIELD_DIGEST_LEN]
            for k, v in values.items()}


def recorded_rows(details: Iterable[tuple[int, Mapping[str, object]]]
                  ) -> dict[tuple[str, str], tuple[int, str | None, dict[str, str]]]:
    """(table, key) -> (event seq, last recorded digest or None if deleted, field digests).
    An entry that is not ``[table, key, digest, fields]`` is passed over (the row it would
    name is then reported as not recorded)."""
    latest: dict[tuple[str, str], tuple[int, str | None, dict[str, str]]] = {}
    for seq, detail in details:
        items = detail.get("facts", ())
        for item in items if isinstance(items, (list, tuple)) else ():
            if not (isinstance(item, (list, tuple)) and len(item) == 4):
                continue
            name, key, digest, fields = item
            if not isinstance(key, (list, tuple)):
                continue
            named = {str(k): str(v) for k, v in fields.items()} \
                if isinstance(fields, dict) else {}
            latest[(str(name), key_text(key))] = (
                seq, None if digest is None else str(digest), named)
    return latest


#: what ``json.dumps`` escapes (with ``ensure_ascii=False``)
_ESCAPED = re.compile(r'[\x00-\x1f\\"]')


def key_text(key: Iterable[object]) -> str:
    """A row's primary key as text: the JSON list of its values as strings."""
    parts = [str(k) for k in key]
    if any(_ESCAPED.search(p) for p in parts):
        return json.dumps(parts, ensure_ascii=False)
    return '["' + '", "'.join(parts) + '"]' if parts else "[]"
