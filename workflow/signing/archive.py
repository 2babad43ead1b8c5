"""The dossier's archive timestamp: one RFC 3161 token over the whole bag.

When the workspace has a timestamp authority (``[signatures] timestamp_url``), ``dossier
export`` asks it for a timestamp over ``manifest-sha512.txt`` — the SHA-512 of every file
in the bag — and writes it as the tag file ``archive-timestamp.tsr``: an RFC 3161
``TimeStampResp`` (``openssl ts -verify -in archive-timestamp.tsr -data manifest-sha512.txt
-CAfile TSA-ROOT.pem``), written before the tag manifests so that they, and the seal,
cover it. The signed PDFs are archived byte for byte as they were signed (their hashes are in the records and the audit
log); the token proves that all of them, the ``.p7s`` files and the signed statements
existed at its time. ``dossier verify --at DATE`` judges every signature in the bag no
later than that time when the token holds on ``DATE``: a B-B signature made while its
certificate was valid is still provable as long as the archive timestamp is.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cryptography import x509

    from workflow.app import App

__all__ = ["TOKEN_NAME", "COVERED", "archive_timestamp", "archive_proof"]

TOKEN_NAME = "archive-timestamp.tsr"
COVERED = "manifest-sha512.txt"


def archive_timestamp(app: App, bag: Path) -> bool:
    """Write the bag's archive timestamp when a timestamp authority is configured."""
    from signatures.ltv import timestamp_token
    from workflow.signing.sign import timestamper_for

    stamper = timestamper_for(app)
    if stamper is None:
        return False
    from signatures.ltv import timestamp_response

    token = timestamp_token((Path(bag) / COVERED).read_bytes(), stamper)
    (Path(bag) / TOKEN_NAME).write_bytes(timestamp_response(token))
    return True


def archive_proof(root: Path, roots: list[x509.Certificate], at: datetime | None
                  ) -> tuple[datetime | None, str | None]:
    """(time the bag is proven to have existed, problem) from its archive timestamp;
    (None, None) when the bag has none."""
    token = Path(root) / TOKEN_NAME
    if not token.is_file():
        return None, None
    from signatures.ltv import check_token

    try:
        manifest = (Path(root) / COVERED).read_bytes()
    except FileNotFoundError:
        return None, f"{COVERED} is missing, so the archive timestamp proves nothing"
    return check_token(token.read_bytes(), manifest, roots, at)
