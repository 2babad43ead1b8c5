"""The files a dossier carries so that it verifies with nothing but itself: the working
group's CA and the other trust roots (``data/trust/``), which of them are trusted for
timestamps, the seal's certificate as PEM, and the audit anchors (``data/audit/anchors/``).
Read from the workspace's key folder and the ``audit_anchors`` table when a dossier is
exported (``workflow.dossier.export``).
"""

from __future__ import annotations

from datetime import timezone
from pathlib import Path
from typing import TYPE_CHECKING

from sqlmodel import col, select

from workflow.app import App
from workflow.dossier.plan import dumps
from workflow.dossier.seal import ANCHORS, fingerprint
from workflow.errors import InvalidInput

if TYPE_CHECKING:
    from cryptography import x509

__all__ = ["anchor_files", "ca_sha256", "pem", "timestamp_roots", "trust_files"]


def trust_files(app: App) -> list[tuple[str, Path]]:
    keys = app.workspace.keys_dir
    out = []
    if (keys / "ca" / "ca.pem").is_file():
        out.append(("trust/ca.pem", keys / "ca" / "ca.pem"))
    if (keys / "trust").is_dir():
        out += [(f"trust/{p.name}", p) for p in sorted((keys / "trust").glob("*.pem"))
                if p.name != "ca.pem"]
    return out


def pem(cert: x509.Certificate) -> bytes:
    from cryptography.hazmat.primitives.serialization import Encoding

    return bytes(cert.public_bytes(Encoding.PEM))


def ca_sha256(app: App) -> str:
    from signatures.keys import load_certificates

    ca = app.workspace.keys_dir / "ca" / "ca.pem"
    if not ca.is_file():
        raise InvalidInput("the working group has no CA: create it with 'resolutions keys "
                           "init-ca' and issue the seal with 'resolutions keys seal-issue'")
    return fingerprint(load_certificates(ca.read_bytes())[0])


def timestamp_roots(app: App, trust: list[tuple[str, Path]]) -> list[str]:
    """The bag's trust files trusted for timestamps, as paths in the bag (for VERIFY.txt
    and the reading room)."""
    from workflow.signing.trust import timestamp_files

    directory = app.workspace.keys_dir / "trust"
    names = {p.name for p in timestamp_files(directory)} if directory.is_dir() else set()
    return [f"data/{rel}" for rel, path in trust if path.name in names]


def anchor_files(app: App) -> list[tuple[str, bytes]]:
    """The audit anchors to carry (``resolutions audit anchor``, and those ``circulate``,
    ``submit`` and this export made): for each, ``NAME.tsr`` (the RFC 3161 token) and
    ``NAME.json`` (``seq``, ``hash``, ``at`` and ``data``, the exact line timestamped) in
    ``data/audit/anchors/``; ``dossier verify`` checks each against the bag's chain."""
    from workflow.store.chain import anchor_statement
    from workflow.store.models import AuditAnchor

    out: list[tuple[str, bytes]] = []
    with app.read() as session:
        for row in session.exec(select(AuditAnchor).order_by(col(AuditAnchor.id))):
            name = f"{ANCHORS}/{row.seq:08d}-{row.id}"
            at = row.at if row.at.tzinfo else row.at.replace(tzinfo=timezone.utc)
            meta = {"seq": row.seq, "hash": row.hash, "at": at.isoformat(),
                    "tsa_url": row.tsa_url,
                    "data": anchor_statement(row.seq, row.hash).decode("ascii")}
            from signatures.ltv import timestamp_response

            out += [(f"{name}.tsr", timestamp_response(bytes(row.token))),
                    (f"{name}.json", dumps(meta))]
    return out
