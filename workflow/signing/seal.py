"""The secretariat's seal: a certificate the working group's CA issues for sealing dossiers.

A seal is not a member's signature: its certificate has no member id (``UID``), its common
name is "<working group> — secretariat seal", and it signs one thing only, the tag manifest
of an exported dossier (see :mod:`workflow.dossier.seal`). The key lives in
``.resolutions/keys/seal/seal.p12``, passphrase-protected like a member's bundle (0600);
the certificate is also kept as ``seal.pem`` so an export can name it without the key.
Issuing it writes a ``keys-seal-issue`` audit event with its SHA-256 fingerprint, which
``dossier verify`` requires the bag's seal certificate to match.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from workflow.app import App
from workflow.errors import InvalidInput, NotFound
from workflow.lifecycle.steps import act, allow
from workflow.signing.keys import IssuedCertificate, ca_dir, relative_to_workspace
from workflow.store import audit
from workflow.store.files import write_atomic

if TYPE_CHECKING:
    from cryptography import x509

    from signatures.signer import Signer

__all__ = ["SEAL_ACTION", "seal_dir", "issue_seal", "seal_certificate", "seal_signer",
           "ensure_sealable"]

SEAL_ACTION = "keys-seal-issue"   # detail: fingerprint, subject, not_after, p12


def seal_dir(app: App) -> Path:
    return app.workspace.keys_dir / "seal"


def _p12(app: App) -> Path:
    return seal_dir(app) / "seal.p12"


def _pem_path(app: App) -> Path:
    return seal_dir(app) / "seal.pem"


def issue_seal(app: App, *, ca_passphrase: bytes, seal_passphrase: bytes,
               replace: bool = False) -> IssuedCertificate:
    """Issue the secretariat's seal certificate. A second one is refused unless ``replace``
    (a seal about to expire, or a compromised one): the old files are kept as
    ``seal-<fingerprint>.p12``/``.pem``, and bags sealed with it still verify."""
    from cryptography.hazmat.primitives.serialization import Encoding

    from signatures.keys import issue_certificate, load_p12
    from workflow.signing.trust import crl_location

    if not (ca_dir(app) / "ca.pem").is_file():
        raise NotFound("the working group has no CA yet: create it with "
                       "'resolutions keys init-ca' first")
    if _p12(app).exists() and not replace:
        raise InvalidInput(f"the secretariat's seal already exists ({_p12(app)}); give "
                           "--replace to issue a new one (bags sealed with the old one "
                           "still verify)")
    with app.write() as session:
        act(session, allow(app, session, "keys seal-issue"))
        fresh = seal_dir(app) / "seal.new.p12"
        fresh.unlink(missing_ok=True)  # left by an issue that failed half-way
        name = f"{app.workspace.prefix} secretariat seal"[:64]
        info = issue_certificate(ca_dir(app), ca_passphrase, member_id=None, name=name,
                                 organisation=app.workspace.name, email=None, out_p12=fresh,
                                 p12_passphrase=seal_passphrase,
                                 crl_location=crl_location(app))
        old = seal_certificate(app)
        if old is not None:  # kept: it identifies the bags sealed with it
            from signatures.keys import cert_info

            keep = cert_info(old).sha256[:16]
            for path in (_p12(app), _pem_path(app)):
                path.rename(path.with_name(f"seal-{keep}{path.suffix}"))
        fresh.rename(_p12(app))
        cert = load_p12(_p12(app), seal_passphrase).cert
        write_atomic(_pem_path(app), cert.public_bytes(Encoding.PEM), 0o644)
        stored = relative_to_workspace(app, _p12(app))
        audit.record(session, actor=app.actor(session), action=SEAL_ACTION,
                     detail={"fingerprint": info.sha256, "subject": info.subject,
                             "serial": info.serial, "not_after": info.not_after.isoformat(),
                             "p12": stored})
        return IssuedCertificate((("p12", stored),
                                  ("certificate", relative_to_workspace(app, _pem_path(app)))),
                                 info)


def seal_certificate(app: App) -> x509.Certificate | None:
    """The seal's certificate, or None when no seal was issued."""
    from signatures.keys import load_certificates

    path = _pem_path(app)
    return load_certificates(path.read_bytes())[0] if path.is_file() else None


def ensure_sealable(app: App) -> None:
    """Refuse early (before any work or prompt) when the workspace cannot seal a dossier."""
    if not _p12(app).is_file():
        raise NotFound("the secretariat has no seal to seal the dossier with: issue it once "
                       "with 'resolutions keys seal-issue' (needs the CA passphrase)")


def seal_signer(app: App, passphrase: bytes) -> Signer:
    """The seal's signer (key and certificate), opened with its passphrase."""
    from signatures.signer import Signer

    ensure_sealable(app)
    return Signer.from_p12(_p12(app), passphrase)
