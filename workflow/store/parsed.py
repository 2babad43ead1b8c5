"""Parsed versions kept on disk: a version's model as JSON under ``.resolutions/parsed/``,
named by the SHA-256 of the source text it was parsed from.

Versions are immutable, so a text once parsed never needs the YAML parser again: the
read commands and the services (``workflow.store.texts.load_version``: a dossier export, a
render) load the model from here (plain ``json``, no ruamel) and parse only on a miss,
storing the result for the next reader. An entry is trusted only when the model it
holds hashes to the content hash the database records for the version; anything else (a
truncated file, an edited one, an older format) is a miss. Nothing that verifies the
workspace reads this cache: ``audit verify`` parses every text itself.

The parity errors ``status`` lists are kept the same way, under ``.resolutions/parity/``,
named by the SHA-256 of the source text, the translation records and the parity rules'
own code (a changed rule misses). Only ``status`` reads them, to report; every step that
parity can refuse checks the text itself.
"""

import hashlib
import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, TypedDict

from drafts.model import Annex, Paragraph, Resolution
from workflow.store.keep import keep_json

if TYPE_CHECKING:
    from drafts.parity.core import Finding

__all__ = ["cached", "remember", "cached_parity", "remember_parity", "FORMAT", "CachedError"]


class CachedError(TypedDict):
    """A parity error as the cache keeps it."""

    ref: str
    languages: list[str]
    rule: str
    message: str
    id: str
    paragraph_id: str
    unit_hash: str

#: bump when the model's shape changes: older entries then miss
FORMAT = "2"  # 2: items keep their label style


def _rules_digest() -> str:
    """SHA-256 over the parity rules' source files (read once per process)."""
    global _RULES
    if _RULES is None:
        import drafts

        digest = hashlib.sha256()
        for path in sorted((Path(drafts.__file__).parent / "parity").glob("*.py")):
            digest.update(path.read_bytes())
        _RULES = digest.hexdigest()
    return _RULES


_RULES: str | None = None


def _parity_path(state_dir: Path, source: str, records: str) -> Path:
    key = "\0".join([FORMAT, _rules_digest(), source, records])
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()
    return state_dir / "parity" / digest[:2] / f"{digest}.json"


def cached_parity(state_dir: Path, source: str, records: str) -> list[CachedError] | None:
    """The parity errors stored for this text and these records (ref, languages, rule,
    message of each), or None (none kept, or an entry that is not what this module wrote)."""
    try:
        data: object = json.loads(_parity_path(state_dir, source, records).read_text("utf-8"))
        return [_cached_error(e) for e in _list(data)]
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _cached_error(entry: object) -> CachedError:
    if not isinstance(entry, Mapping):
        raise TypeError("not an entry")
    return {"ref": _str(entry["ref"]), "languages": [_str(v) for v in _list(entry["languages"])],
            "rule": _str(entry["rule"]), "message": _str(entry["message"]),
            "id": _str(entry["id"]), "paragraph_id": _str(entry["paragraph_id"]),
            "unit_hash": _str(entry["unit_hash"])}


def remember_parity(state_dir: Path, source: str, records: str, errors: "Iterable[Finding]",
                    hashes: dict[str, str] | None = None) -> None:
    """Keep the parity errors of a text; ``hashes`` (paragraph id → hash of its texts) lets
    a waiver be matched without parsing the text again."""
    kept: list[CachedError] = [
        {"ref": f.ref, "languages": list(f.languages), "rule": f.rule, "message": f.message,
         "id": f.id, "paragraph_id": f.paragraph_id,
         "unit_hash": (hashes or {}).get(f.paragraph_id, "")} for f in errors]
    keep_json(_parity_path(state_dir, source, records), kept)


def _path(state_dir: Path, source: str) -> Path:
    digest = hashlib.sha256(source.encode("utf-8")).hexdigest()
    return state_dir / "parsed" / digest[:2] / f"{digest}.v{FORMAT}.json"


def _paragraph(p: Paragraph) -> dict[str, object]:
    return {"id": p.id, "texts": dict(p.texts), "items": [_paragraph(i) for i in p.items],
            "label": p.label}


def _to_data(model: Resolution) -> dict[str, object]:
    return {"body": model.body, "languages": list(model.languages), "title": dict(model.title),
            "preamble": [_paragraph(p) for p in model.preamble],
            "operative": [_paragraph(p) for p in model.operative],
            "annexes": [{"id": a.id, "title": dict(a.title),
                         "preamble": [_paragraph(p) for p in a.preamble],
                         "operative": [_paragraph(p) for p in a.operative]}
                        for a in model.annexes],
            "symbol": model.symbol, "date": model.date, "distribution": model.distribution}


# what the cache holds is read back checked: a value of another type is a TypeError (the
# entry then misses)
def _str(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError(f"not text: {value!r}")
    return value


def _optional(value: object) -> str | None:
    return None if value is None else _str(value)


def _list(value: object) -> list[object]:
    if not isinstance(value, list):
        raise TypeError(f"not a list: {value!r}")
    return value


def _map(value: object) -> Mapping[str, object]:
    if not isinstance(value, Mapping):
        raise TypeError(f"not a table: {value!r}")
    return value


def _texts(value: object) -> dict[str, str]:
    return {_str(k): _str(v) for k, v in _map(value).items()}


def _from_paragraph(value: object) -> Paragraph:
    data = _map(value)
    return Paragraph(_str(data["id"]), _texts(data["texts"]),
                     tuple(_from_paragraph(i) for i in _list(data["items"])),
                     str(data.get("label", "")))


def _paragraphs(value: object) -> tuple[Paragraph, ...]:
    return tuple(_from_paragraph(p) for p in _list(value))


def _from_data(value: object) -> Resolution:
    data = _map(value)
    return Resolution(
        body=_str(data["body"]), languages=tuple(_str(v) for v in _list(data["languages"])),
        title=_texts(data["title"]), preamble=_paragraphs(data["preamble"]),
        operative=_paragraphs(data["operative"]),
        annexes=tuple(Annex(_str(a["id"]), _texts(a["title"]), _paragraphs(a["preamble"]),
                            _paragraphs(a["operative"]))
                      for a in map(_map, _list(data["annexes"]))),
        symbol=_optional(data["symbol"]), date=_optional(data["date"]),
        distribution=_optional(data["distribution"]))


def cached(state_dir: Path, source: str, content_hash: str) -> Resolution | None:
    """The model of ``source`` if it was stored and still hashes to ``content_hash``."""
    try:
        data = json.loads(_path(state_dir, source).read_text("utf-8"))
        model = _from_data(data)
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
    return model if model.content_hash() == content_hash else None


def remember(state_dir: Path, source: str, model: Resolution) -> None:
    """Store the model of ``source``, replacing a stale or damaged entry (best effort: a
    read-only workspace just misses)."""
    keep_json(_path(state_dir, source), _to_data(model))


