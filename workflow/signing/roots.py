"""Trust roots read from certificate files: all ``verify`` needs outside a workspace,
so it imports nothing of the database."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cryptography import x509

__all__ = ["load_trust_roots"]


def load_trust_roots(paths: list[Path]) -> list[x509.Certificate]:
    """Every certificate in the given PEM/DER files, without duplicates."""
    from signatures.keys import cert_info, load_certificates

    seen: set[str] = set()
    roots = []
    for path in paths:
        for cert in load_certificates(Path(path).read_bytes()):
            fp = cert_info(cert).sha256
            if fp not in seen:
                seen.add(fp)
                roots.append(cert)
    return roots
