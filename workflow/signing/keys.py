"""The workspace's keys: its CA, members' signing certificates, and the trust store.

Layout under ``.resolutions/keys/``: ``ca/`` holds the working group's CA (``ca.pem`` and
the passphrase-encrypted ``ca.key.pem``); ``MEMBER.p12`` are the bundles issued to
signatories (0600); ``trust/*.pem`` is the trust store — every CA certificate a signature
may chain to (our CA, and the CAs of certificates imported from elsewhere). The database
records, per member, the certificate's fingerprint and where its bundle lives.

Passphrases pass through these functions as bytes and go nowhere else: not into the
database, the audit log, or any message.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlmodel import Session, col, select

from workflow.app import App
from workflow.errors import InvalidInput, NotFound, WorkflowError
from workflow.lifecycle.steps import act, allow
from workflow.signing.roots import load_trust_roots
from workflow.store import audit
from workflow.store.files import write_atomic
from workflow.store.models import MemberCertificate

if TYPE_CHECKING:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes

    from signatures.signer import Signer

if TYPE_CHECKING:  # signatures.keys is imported where certificates are made
    from signatures.keys import CertInfo

__all__ = ["KeyInfo", "ca_dir", "trust_dir", "trust_roots", "load_trust_roots", "init_ca",
           "issue", "import_p12", "list_keys", "registered_certificate",
           "chains_to", "relative_to_workspace", "KeyRequest", "IssuedCertificate", "KeysListing"]


@dataclass(frozen=True)
class KeyInfo:
    member: str
    common_name: str
    subject: str
    issuer: str
    fingerprint: str
    not_after: str
    p12_path: str
    imported: bool

    def to_json(self) -> dict[str, object]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class IssuedCertificate:
    """A certificate made here (the CA's own, the secretariat's seal) and its files:
    ``files`` as (name, path) pairs — ``ca``; or ``p12`` and ``certificate``."""

    files: tuple[tuple[str, str], ...]
    certificate: CertInfo

    def file(self, name: str) -> str:
        return dict(self.files)[name]

    def to_json(self) -> dict[str, object]:
        return {**dict(self.files), **self.certificate.as_dict()}


@dataclass(frozen=True)
class KeysListing:
    """``keys list``: the CA, the trust store's roots, the registered certificates."""

    ca: str | None
    trust: list[dict[str, Any]]
    certificates: list[dict[str, Any]]
    crl: str | None

    def to_json(self) -> dict[str, object]:
        return {"ca": self.ca, "trust": self.trust, "certificates": self.certificates,
                "crl": self.crl}


def ca_dir(app: App) -> Path:
    return app.workspace.keys_dir / "ca"


def trust_dir(app: App) -> Path:
    return app.workspace.keys_dir / "trust"


def trust_roots(app: App, purpose: str = "signatures") -> list[x509.Certificate]:
    """The workspace trust store (``.resolutions/keys/trust/*.pem``) for ``purpose``
    (``signatures`` or ``timestamps``; see :mod:`workflow.signing.trust`)."""
    from workflow.signing.trust import timestamp_files, trusted_for

    directory = trust_dir(app)
    if not directory.is_dir():
        return []
    if purpose == "timestamps":
        return load_trust_roots(timestamp_files(directory))
    return load_trust_roots(trusted_for(directory, purpose))


def chains_to(cert: x509.Certificate, chain: list[x509.Certificate], roots: list[x509.Certificate]) -> bool:
    """Whether ``cert`` leads to one of ``roots`` through the certificates in ``chain``.

    A structural check (issuer names and signatures); full path validation happens when
    the signature is verified after signing.
    """
    pool = list(chain) + list(roots)
    root_fps = {r.fingerprint(_sha256()) for r in roots}
    current, steps = cert, 0
    while steps < 8:
        if current.fingerprint(_sha256()) in root_fps:
            return True
        issuer = next((c for c in pool if c.subject == current.issuer and _issued(current, c)),
                      None)
        if issuer is None or issuer is current:
            return False
        current, steps = issuer, steps + 1
    return False


def _sha256() -> hashes.SHA256:
    from cryptography.hazmat.primitives import hashes

    return hashes.SHA256()


def _issued(cert: x509.Certificate, issuer: x509.Certificate) -> bool:
    try:
        cert.verify_directly_issued_by(issuer)
        return True
    except Exception:  # InvalidSignature, ValueError, TypeError: not its issuer
        return False


def relative_to_workspace(app: App, path: Path) -> str:
    """A path stored in the database: relative to the workspace root when inside it."""
    path = Path(path).resolve()
    try:
        return str(path.relative_to(app.workspace.root))
    except ValueError:
        return str(path)


def _pem(cert: x509.Certificate) -> bytes:
    from cryptography.hazmat.primitives.serialization import Encoding

    return bytes(cert.public_bytes(Encoding.PEM))


def _add_to_trust(app: App, certs: list[x509.Certificate]) -> list[str]:
    from signatures.keys import cert_info

    added = []
    for cert in certs:
        fp = cert_info(cert).sha256
        path = trust_dir(app) / f"{fp[:16]}.pem"
        if not path.exists():
            write_atomic(path, _pem(cert), 0o644)
            added.append(fp)
            from workflow.signing.trust import note_purposes

            note_purposes(trust_dir(app), cert, path.name, ["signatures"])
    return added


def init_ca(app: App, passphrase: bytes, *, common_name: str | None = None,
            organisation: str | None = None) -> IssuedCertificate:
    """Create the working group's CA and put its certificate in the trust store."""
    from signatures.keys import create_ca, load_certificates

    with app.write() as session:
        act(session, allow(app, session, "keys init-ca"))
        cn = common_name or f"{app.workspace.name} CA"
        info = create_ca(ca_dir(app), common_name=cn,
                         organisation=organisation or app.workspace.name, passphrase=passphrase)
        cert = load_certificates((ca_dir(app) / "ca.pem").read_bytes())[0]
        app.workspace.files.share(ca_dir(app) / "ca.pem")  # the certificate, never the key
        _add_to_trust(app, [cert])
        audit.record(session, actor=app.actor(session), action="keys-init-ca",
                     detail={"fingerprint": info.sha256, "subject": info.subject,
                             "not_after": info.not_after.isoformat()})
        from workflow.signing.trust import _make_crl

        session.flush()
        _make_crl(app, session, passphrase)  # an empty CRL, published from the start
        return IssuedCertificate((("ca", str(ca_dir(app) / "ca.pem")),), info)


def _register(session: Session, member_id: str, cert: x509.Certificate, p12_path: str,
              imported: bool) -> None:
    from signatures.keys import cert_info

    info = cert_info(cert)
    row = session.get(MemberCertificate, member_id) or MemberCertificate(member_id=member_id,
                                                                         fingerprint="")
    row.fingerprint, row.subject, row.issuer = info.sha256, info.subject, info.issuer
    row.not_after, row.p12_path, row.imported = info.not_after, p12_path, imported
    row.cert_pem = _pem(cert).decode("ascii")
    session.add(row)


def issue(app: App, member_id: str, *, ca_passphrase: bytes, p12_passphrase: bytes,
          out: Path | None = None) -> KeyInfo:
    """Issue ``member_id`` a signing certificate as a PKCS#12 bundle and register it."""
    from signatures.keys import issue_certificate, load_p12
    from workflow.signing.trust import crl_location

    with app.write() as session:
        act(session, allow(app, session, "keys issue"))
        member = app.member(session, member_id)
        target = Path(out) if out else app.workspace.keys_dir / f"{member_id}.p12"
        info = issue_certificate(ca_dir(app), ca_passphrase, member_id=member.id,
                                 name=member.name, organisation=member.org or app.workspace.name,
                                 email=member.email or None, out_p12=target,
                                 p12_passphrase=p12_passphrase,
                                 crl_location=crl_location(app))
        cert = load_p12(target, p12_passphrase).cert
        stored = relative_to_workspace(app, target)
        _register(session, member.id, cert, stored, imported=False)
        audit.record(session, actor=app.actor(session), action="keys-issue",
                     detail={"member": member.id, "fingerprint": info.sha256,
                             "serial": info.serial, "not_after": info.not_after.isoformat(),
                             "p12": stored})
        return KeyInfo(member.id, info.common_name, info.subject, info.issuer, info.sha256,
                       info.not_after.isoformat(), stored, False)


def import_p12(app: App, member_id: str, path: Path, passphrase: bytes,
               chain_pem: Path | None = None) -> KeyInfo:
    """Register a certificate issued elsewhere; its CA chain joins the trust store."""
    from signatures.keys import cert_info, load_certificates, load_p12

    loaded = load_p12(Path(path), passphrase)
    chain = list(loaded.chain)
    if chain_pem is not None:
        chain += load_certificates(Path(chain_pem).read_bytes())
    info = cert_info(loaded.cert)
    if not chain:
        raise InvalidInput(f"{path} carries no CA certificate: give the issuing CA's "
                           "certificates with --chain CA.pem")
    if info.member_id and info.member_id != member_id:
        raise InvalidInput(f"the certificate in {path} names member {info.member_id!r}, "
                           f"not {member_id!r}")
    if not chains_to(loaded.cert, chain, [c for c in chain if c.subject == c.issuer] or chain):
        raise InvalidInput(f"the certificate in {path} is not issued by the CA certificates "
                           "that came with it; give the right chain with --chain CA.pem")
    with app.write() as session:
        act(session, allow(app, session, "keys import"))
        member = app.member(session, member_id)
        stored = relative_to_workspace(app, Path(path))
        added = _add_to_trust(app, chain)
        _register(session, member.id, loaded.cert, stored, imported=True)
        audit.record(session, actor=app.actor(session), action="keys-import",
                     detail={"member": member.id, "fingerprint": info.sha256,
                             "issuer": info.issuer, "trust_added": added})
        return KeyInfo(member.id, info.common_name, info.subject, info.issuer, info.sha256,
                       info.not_after.isoformat(), stored, True)


def list_keys(app: App) -> KeysListing:
    """Registered certificates (with revocation), and the trust store: each root's SHA-256
    fingerprint, subject, expiry and what it is trusted for."""
    from signatures.keys import cert_info
    from workflow.signing.trust import crl_blobs, purposes_of, revocations

    ca = ca_dir(app) / "ca.pem"
    with app.read() as session:
        revoked = {r.fingerprint: r for r in revocations(session)}
        rows = list(session.exec(select(MemberCertificate)
                                 .order_by(col(MemberCertificate.member_id))))
        keys = []
        for r in rows:
            entry = KeyInfo(r.member_id, _cn(r.subject), r.subject, r.issuer, r.fingerprint,
                            r.not_after.isoformat() if r.not_after else "", r.p12_path,
                            bool(r.imported)).to_json()
            gone = revoked.get(r.fingerprint)
            entry["revoked"] = ({"at": gone.when.isoformat(), "reason": gone.reason}
                                if gone else None)
            keys.append(entry)
    trust = []
    directory = trust_dir(app)
    for name, fors in (purposes_of(directory).items() if directory.is_dir() else []):
        for cert in load_trust_roots([directory / name]):
            info = cert_info(cert)
            trust.append({"file": name, "sha256": info.sha256, "subject": info.subject,
                          "not_after": info.not_after.isoformat(), "for": fors})
    return KeysListing(str(ca) if ca.is_file() else None, trust, keys,
                       str(ca_dir(app) / "crl.der") if crl_blobs(app) else None)


def _cn(subject: str) -> str:
    for part in subject.split(","):
        if part.startswith("CN="):
            return part[3:]
    return subject


def registered_certificate(session: Session, member_id: str) -> MemberCertificate:
    row = session.get(MemberCertificate, member_id)
    if row is None:
        raise NotFound(f"{member_id} has no registered certificate: issue one with "
                       f"'resolutions keys issue {member_id}' or import it with "
                       f"'resolutions keys import {member_id} FILE.p12'")
    return row


@dataclass(frozen=True)
class KeyRequest:
    """A signatory's key to open once the step is allowed: a bundle path (or the member's
    registered one) and its passphrase, which never shows in a repr or traceback."""

    p12: str | None
    passphrase: bytes = field(repr=False)

    def open(self, app: App, session: Session, member_id: str) -> Signer:
        from signatures.signer import Signer

        if self.p12:
            return Signer.from_p12(Path(self.p12), self.passphrase)
        row = registered_certificate(session, member_id)
        if not row.p12_path:
            raise WorkflowError(f"no key file is known for {member_id}; give --p12 FILE")
        return Signer.from_p12(app.workspace.root / row.p12_path, self.passphrase)
