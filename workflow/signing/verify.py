"""Verifying a signed file, inside a workspace or without one, now or at a given date.

Trust comes from ``--trust`` files when given (for signatures and timestamps), else from
the workspace trust store when run inside a workspace (each root for what it is trusted
for); nothing else is trusted and nothing is fetched. Revocation data: the workspace's
CRL, the ``--crl`` files, and the PDF's own ``/DSS``. A PDF is checked signature by
signature (:func:`signatures.verify.verify_pdf`); any other file (the DOCX) by its
detached signatures: ``FILE.p7s`` and ``FILE.*.p7s`` next to it, or those given. Every
signature is then bound to the member its field or file names
(:mod:`workflow.signing.binding`): by the certificate's member id everywhere, and by the
workspace's registry inside a workspace.
"""

from __future__ import annotations

import hashlib
import os
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from workflow.errors import InvalidInput, WorkspaceError
from workflow.signing.roots import load_trust_roots
from workflow.store.workspace import find

if TYPE_CHECKING:
    from cryptography import x509

    from workflow.signing.binding import FileReport, Registry
    from workflow.store.workspace import Workspace

__all__ = ["verify_file", "companions"]


def _trust(trust: list[Path], workspace: str | os.PathLike[str] | None,
           trust_tsa: list[Path] | None = None
           ) -> tuple[list[x509.Certificate], list[x509.Certificate], str]:
    """(roots for signatures, roots for timestamps, where they came from).

    A root that vouches for signers is never a timestamp authority's: whoever holds the
    working group's CA could otherwise issue a TSA certificate and date tokens back."""
    if trust or trust_tsa:
        if not trust:
            raise InvalidInput("--trust-tsa names timestamp authorities only: give the working "
                               "group's CA certificate with --trust CA.pem too")
        roots = load_trust_roots(list(trust))
        ts_roots = load_trust_roots(list(trust_tsa or []))
        both = {_fp(r) for r in roots} & {_fp(r) for r in ts_roots}
        if both:
            raise InvalidInput(f"the certificate {sorted(both)[0][:16]}… is given with --trust "
                               "and with --trust-tsa: a CA that vouches for signers is never a "
                               "timestamp authority, or its holder could date signatures back")
        from signatures.verify import issued_by

        for tsa in ts_roots:
            ca = next((r for r in roots if issued_by(tsa, r)), None)
            if ca is not None:
                raise InvalidInput(
                    f"--trust-tsa: {tsa.subject.rfc4514_string()} was issued by "
                    f"{ca.subject.rfc4514_string()}, a CA given with --trust: a certificate "
                    "the signers' CA issued is never a timestamp authority, or the CA's "
                    "holder could date signatures back")
        source = ", ".join(str(p) for p in trust)
        if trust_tsa:
            source += "; timestamps: " + ", ".join(str(p) for p in trust_tsa)
        return roots, ts_roots, source
    ws = _workspace(workspace)
    if ws is None:
        raise InvalidInput("no trust roots: give --trust CA.pem (the working group's CA "
                           "certificate), or run inside a workspace")
    directory = ws.keys_dir / "trust"
    if not directory.is_dir() or not any(directory.glob("*.pem")):
        raise InvalidInput(f"the workspace trust store {directory} is empty; give --trust CA.pem")
    from workflow.signing.trust import timestamp_files, trusted_for

    return (load_trust_roots(trusted_for(directory, "signatures")),
            load_trust_roots(timestamp_files(directory)), str(directory))


def _fp(cert: x509.Certificate) -> str:
    from signatures.keys import cert_info

    return str(cert_info(cert).sha256)


def _workspace(workspace: str | os.PathLike[str] | None) -> Workspace | None:

    try:
        return find(workspace)
    except WorkspaceError:
        return None


def _registry(workspace: str | os.PathLike[str] | None,
              database_url: str | None) -> Registry | None:
    """The workspace's signer registry (in its database: ``database_url`` when shared), or
    None outside a workspace."""
    if _workspace(workspace) is None:
        return None
    from workflow.app import App
    from workflow.signing.binding import registry

    app = App.open(str(workspace) if workspace else None, None, database_url=database_url)
    try:
        with app.read() as session:
            return registry(session)
    finally:
        app.db.dispose()


def _crls(crl: list[Path], workspace: str | os.PathLike[str] | None) -> list[bytes]:
    blobs = [Path(p).read_bytes() for p in crl]
    ws = _workspace(workspace)
    if ws is not None and (ws.keys_dir / "ca" / "crl.der").is_file():
        blobs.append((ws.keys_dir / "ca" / "crl.der").read_bytes())
    return blobs


def companions(path: Path) -> list[Path]:
    """The detached signatures next to ``path``: ``NAME.p7s`` and ``NAME.*.p7s``."""
    found = [path.with_name(path.name + ".p7s")]
    found += sorted(path.parent.glob(f"{glob_escape(path.name)}.*.p7s"))
    return [p for p in found if p.is_file()]


def glob_escape(name: str) -> str:
    return "".join(f"[{ch}]" if ch in "*?[]" else ch for ch in name)


def verify_file(path: Path, *, trust: list[Path] | None = None,
                workspace: str | os.PathLike[str] | None = None,
                p7s: list[Path] | None = None, at: datetime | None = None,
                crl: list[Path] | None = None,
                trust_tsa: list[Path] | None = None,
                database_url: str | None = None) -> FileReport:
    """The verification report of ``path`` as JSON-ready data; ``ok`` is the verdict
    (``database_url``: the workspace's shared database, when it has one)."""
    from signatures.cms import verify_detached
    from signatures.verify import verify_pdf
    from workflow.signing.binding import DetachedFileReport, PdfFileReport, bind_signatures

    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InvalidInput(f"{path} does not exist") from None
    roots, ts_roots, source = _trust(list(trust or []), workspace, list(trust_tsa or []))
    crls = _crls(list(crl or []), workspace)
    reg = _registry(workspace, database_url)
    if data[:5] == b"%PDF-" and not p7s:
        checked = verify_pdf(data, roots, timestamp_roots=ts_roots, at=at, crls=crls).to_json()
        report: PdfFileReport = {**checked, "file": str(path), "trust": source,
                                 "workspace": reg is not None}
        bind_signatures(report, reg, data)
        return report
    detached = list(p7s or []) or companions(path)
    if not detached:
        raise InvalidInput(f"{path} is not a PDF and has no detached signature next to it "
                           f"({path.name}.p7s); give --p7s FILE")
    reports = []
    for sig in detached:
        one = verify_detached(data, Path(sig).read_bytes(), roots, timestamp_roots=ts_roots,
                              at=at, crls=crls).to_json()
        one["p7s"] = str(sig)
        reports.append(one)
    files: DetachedFileReport = {
              "schema": "brics-resolutions/verify-detached/1", "file": str(path),
              "sha256": hashlib.sha256(data).hexdigest(), "size": len(data), "trust": source,
              "at": at.isoformat() if at else None, "workspace": reg is not None,
              "ok": bool(reports) and all(r["ok"] for r in reports),
              "signature_count": len(reports), "signatures": reports, "problems": []}
    bind_signatures(files, reg)
    return files


def parse_at(value: str | None) -> datetime | None:
    """``--at``: a date (midnight UTC) or an ISO 8601 date and time (UTC if no zone)."""
    if not value:
        return None
    from datetime import timezone

    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise InvalidInput(f"--at {value!r} is not a date: give YYYY-MM-DD or an ISO 8601 "
                           "date and time, e.g. 2040-01-01 or 2040-01-01T12:00:00Z") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


__all__ += ["parse_at"]
