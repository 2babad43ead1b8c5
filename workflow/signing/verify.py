"""Verifying a signed file, inside a workspace or without one.

Trust comes from ``--trust`` files when given, else from the workspace trust store when
run inside a workspace; nothing else is trusted and nothing is fetched. A PDF is checked
signature by signature (:func:`signatures.verify.verify_pdf`); any other file (the DOCX)
by its detached signatures: ``FILE.p7s`` and ``FILE.*.p7s`` next to it, or those given.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

from workflow.errors import InvalidInput, WorkspaceError
from workflow.signing.keys import load_trust_roots
from workflow.store.workspace import find

__all__ = ["verify_file", "companions", "trust_for"]


def trust_for(trust: list[Path], workspace: str | os.PathLike[str] | None) -> tuple[list[Any], str]:
    """(trust roots, where they came from)."""

    if trust:
        return load_trust_roots(list(trust)), ", ".join(str(p) for p in trust)

    try:
        ws = find(workspace)
    except WorkspaceError:
        raise InvalidInput("no trust roots: give --trust CA.pem (the working group's CA "
                           "certificate), or run inside a workspace") from None
    directory = ws.keys_dir / "trust"
    paths = sorted(directory.glob("*.pem")) if directory.is_dir() else []
    if not paths:
        raise InvalidInput(f"the workspace trust store {directory} is empty; give --trust CA.pem")
    return load_trust_roots(paths), str(directory)


def companions(path: Path) -> list[Path]:
    """The detached signatures next to ``path``: ``NAME.p7s`` and ``NAME.*.p7s``."""
    found = [path.with_name(path.name + ".p7s")]
    found += sorted(path.parent.glob(f"{glob_escape(path.name)}.*.p7s"))
    return [p for p in found if p.is_file()]


def glob_escape(name: str) -> str:
    return "".join(f"[{ch}]" if ch in "*?[]" else ch for ch in name)


def verify_file(path: Path, *, trust: list[Path] | None = None,
                workspace: str | os.PathLike[str] | None = None,
                p7s: list[Path] | None = None) -> dict[str, Any]:
    """The verification report of ``path`` as JSON-ready data; ``ok`` is the verdict."""
    from signatures.cms import verify_detached
    from signatures.verify import verify_pdf

    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InvalidInput(f"{path} does not exist") from None
    roots, source = trust_for(list(trust or []), workspace)
    if data[:5] == b"%PDF-" and not p7s:
        report = verify_pdf(data, roots).to_json()
        report.update({"file": str(path), "trust": source})
        return report
    detached = list(p7s or []) or companions(path)
    if not detached:
        raise InvalidInput(f"{path} is not a PDF and has no detached signature next to it "
                           f"({path.name}.p7s); give --p7s FILE")
    reports = []
    for sig in detached:
        one = verify_detached(data, Path(sig).read_bytes(), roots).to_json()
        one["p7s"] = str(sig)
        reports.append(one)
    return {"schema": "brics-resolutions/verify-detached/1", "file": str(path),
            "sha256": hashlib.sha256(data).hexdigest(), "size": len(data), "trust": source,
            "ok": bool(reports) and all(r["ok"] for r in reports),
            "signature_count": len(reports), "signatures": reports}
