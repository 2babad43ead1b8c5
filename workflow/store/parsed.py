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

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from drafts.model import Annex, Paragraph, Resolution

__all__ = ["cached", "remember", "cached_parity", "remember_parity", "FORMAT"]

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


def cached_parity(state_dir: Path, source: str, records: str) -> list[dict[str, Any]] | None:
    """The parity errors stored for this text and these records (ref, languages, rule,
    message of each), or None."""
    try:
        data = json.loads(_parity_path(state_dir, source, records).read_text("utf-8"))
        return [{k: e[k] for k in ("ref", "languages", "rule", "message", "id", "paragraph_id",
                                   "unit_hash")} for e in data]
    except (OSError, ValueError, KeyError, TypeError):
        return None


def remember_parity(state_dir: Path, source: str, records: str, errors: list[Any],
                    hashes: dict[str, str] | None = None) -> None:
    """Keep the parity errors of a text; ``hashes`` (paragraph id → hash of its texts) lets
    a waiver be matched without parsing the text again."""
    _write(_parity_path(state_dir, source, records),
           [{"ref": f.ref, "languages": list(f.languages), "rule": f.rule,
             "message": f.message, "id": f.id, "paragraph_id": f.paragraph_id,
             "unit_hash": (hashes or {}).get(f.paragraph_id, "")} for f in errors])


def _path(state_dir: Path, source: str) -> Path:
    digest = hashlib.sha256(source.encode("utf-8")).hexdigest()
    return state_dir / "parsed" / digest[:2] / f"{digest}.v{FORMAT}.json"


def _paragraph(p: Paragraph) -> dict[str, Any]:
    return {"id": p.id, "texts": dict(p.texts), "items": [_paragraph(i) for i in p.items],
            "label": p.label}


def _to_data(model: Resolution) -> dict[str, Any]:
    return {"body": model.body, "languages": list(model.languages), "title": dict(model.title),
            "preamble": [_paragraph(p) for p in model.preamble],
            "operative": [_paragraph(p) for p in model.operative],
            "annexes": [{"id": a.id, "title": dict(a.title),
                         "preamble": [_paragraph(p) for p in a.preamble],
                         "operative": [_paragraph(p) for p in a.operative]}
                        for a in model.annexes],
            "symbol": model.symbol, "date": model.date, "distribution": model.distribution}


def _from_paragraph(data: Mapping[str, Any]) -> Paragraph:
    return Paragraph(str(data["id"]), dict(data["texts"]),
                     tuple(_from_paragraph(i) for i in data["items"]), str(data.get("label", "")))


def _from_data(data: Mapping[str, Any]) -> Resolution:
    return Resolution(
        body=data["body"], languages=tuple(data["languages"]), title=dict(data["title"]),
        preamble=tuple(_from_paragraph(p) for p in data["preamble"]),
        operative=tuple(_from_paragraph(p) for p in data["operative"]),
        annexes=tuple(Annex(str(a["id"]), dict(a["title"]),
                            tuple(_from_paragraph(p) for p in a["preamble"]),
                            tuple(_from_paragraph(p) for p in a["operative"]))
                      for a in data["annexes"]),
        symbol=data["symbol"], date=data["date"], distribution=data["distribution"])


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
    _write(_path(state_dir, source), _to_data(model))


def _write(path: Path, data: Any) -> None:
    with contextlib.suppress(OSError):
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = str(path.parent / f".{os.getpid()}-{os.urandom(6).hex()}.tmp")  # (as mkstemp,
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)  # without its import)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(json.dumps(data, ensure_ascii=False, separators=(",", ":")))  # (the
                # C encoder: json.dump writes through the pure-Python one, chunk by chunk)
            os.replace(tmp, path)
        except OSError:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
