"""What the workspace trusts, and what its CA has revoked.

**Trust store.** ``.resolutions/keys/trust/*.pem`` holds every root a signature or a
timestamp may chain to; ``trust/index.json`` says what each is trusted *for*
(``signatures``, ``timestamps``), one purpose per root. A root trusted for signatures is
never a timestamp root (:func:`timestamp_files`): whoever holds the working group's CA
could otherwise issue a TSA certificate and date tokens back. A root without an entry (an
older workspace, or files copied by hand) counts as trusted for signatures only.
``keys trust FILE.pem --for timestamps`` adds a timestamp root with an audited event
(``keys-trust``).

**Revocation.** ``keys revoke MEMBER`` records a ``keys-revoke`` event (fingerprint,
serial, time, reason), moves the member's bundle aside and publishes a new CRL signed by
the CA in ``.resolutions/keys/ca/crl.der``; every certificate the CA issues names where
that CRL is published (``[signatures] crl_url``, default the file's own path). The audit
log is the list of revocations: the CRL is rebuilt from it. Revocation times are the
machine's real clock, like certificate validity and timestamps.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlmodel import Session, col, select

from workflow import clock
from workflow.app import App
from workflow.errors import InvalidInput, NotFound, WorkflowError
from workflow.lifecycle.steps import act, allow
from workflow.store import audit

if TYPE_CHECKING:
    from cryptography import x509

    from workflow.store.models import Member, MemberCertificate

__all__ = ["PURPOSES", "Revocation", "trust_anchor", "trusted_for", "purposes_of",
           "revocations", "revoke", "publish_crl", "crl_location", "crl_blobs",
           "registered_fingerprints", "refuse_revoked", "CRL_FILE", "note_purposes",
           "stale_crl", "timestamp_files"]

PURPOSES = ("signatures", "timestamps")
CRL_FILE = "crl.der"
INDEX = "index.json"


def _trust_dir(app: App) -> Path:
    return app.workspace.keys_dir / "trust"


def _ca_dir(app: App) -> Path:
    return app.workspace.keys_dir / "ca"


def _index(directory: Path) -> dict[str, dict[str, Any]]:
    try:
        data = json.loads((directory / INDEX).read_text("utf-8"))
    except (FileNotFoundError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def purposes_of(directory: Path) -> dict[str, list[str]]:
    """trust-store file name → what it is trusted for."""
    entries = {str(v.get("file")): list(v.get("for", PURPOSES)) for v in _index(directory).values()}
    return {p.name: entries.get(p.name, list(PURPOSES)) for p in sorted(directory.glob("*.pem"))}


def trusted_for(directory: Path, purpose: str) -> list[Path]:
    """The trust-store files trusted for ``purpose``."""
    return [directory / name for name, fors in purposes_of(directory).items() if purpose in fors]


def timestamp_files(directory: Path) -> list[Path]:
    """The trust-store files a timestamp may chain to: those trusted for timestamps and
    not for signatures (a CA that vouches for signers never vouches for times)."""
    signing = set(trusted_for(directory, "signatures"))
    return [p for p in trusted_for(directory, "timestamps") if p not in signing]


def note_purposes(directory: Path, cert: x509.Certificate, name: str, purposes: list[str]) -> None:
    """Record in the index what the trust-store file ``name`` is trusted for."""
    from signatures.keys import cert_info
    from workflow.store.files import write_atomic

    info = cert_info(cert)
    index = _index(directory)
    index[info.sha256] = {"file": name, "for": sorted(purposes), "subject": info.subject,
                          "not_after": info.not_after.isoformat()}
    write_atomic(directory / INDEX, json.dumps(index, ensure_ascii=False, indent=1,
                                               sort_keys=True).encode("utf-8"), 0o644)


@dataclass(frozen=True)
class TrustAdded:
    """``keys trust``: the roots added, each with its fingerprint, subject, what it is
    trusted for, its file and expiry."""

    added: list[dict[str, Any]]

    def to_json(self) -> dict[str, object]:
        return {"added": self.added}


@dataclass(frozen=True)
class CrlPublished:
    """``keys crl``: the file written and what the CRL says."""

    file: str
    format: str
    this_update: str
    next_update: str | None
    revoked: int

    def to_json(self) -> dict[str, object]:
        return dict(self.__dict__)


def trust_anchor(app: App, path: Path, purposes: list[str]) -> TrustAdded:
    """Add the root certificate(s) in ``path`` to the trust store for ``purposes``."""
    from cryptography.hazmat.primitives.serialization import Encoding

    from signatures.keys import cert_info, load_certificates
    from workflow.store.files import write_atomic

    wanted = sorted(set(purposes or ["signatures"]))
    unknown = [p for p in wanted if p not in PURPOSES]
    if unknown:
        raise InvalidInput(f"cannot trust a root for {unknown[0]!r}: use "
                           + " or ".join(PURPOSES))
    try:
        certs = load_certificates(Path(path).read_bytes())
    except FileNotFoundError:
        raise InvalidInput(f"{path} does not exist") from None
    added = []
    with app.write() as session:
        act(session, allow(app, session, "keys trust"))
        directory = _trust_dir(app)
        index = _index(directory)
        signing = {str(k) for k, v in index.items() if "signatures" in v.get("for", PURPOSES)}
        for cert in certs:
            info = cert_info(cert)
            if "timestamps" in wanted and (info.sha256 in signing or len(wanted) > 1):
                raise InvalidInput(f"{path}: {info.subject} would vouch for signers and for "
                                   "timestamps; a root is trusted for one of them only (a CA "
                                   "that issues signing certificates must never be a "
                                   "timestamp authority): trust it --for signatures or "
                                   "--for timestamps")
            if cert.subject != cert.issuer:
                raise InvalidInput(f"{path}: {info.subject} is not a root certificate (its "
                                   "issuer is another); give the root of its chain")
            name = f"{info.sha256[:16]}.pem"
            write_atomic(directory / name, cert.public_bytes(Encoding.PEM), 0o644)
            index[info.sha256] = {"file": name, "for": wanted, "subject": info.subject,
                                  "not_after": info.not_after.isoformat()}
            added.append({"sha256": info.sha256, "subject": info.subject, "for": wanted,
                          "file": name, "not_after": info.not_after.isoformat()})
            audit.record(session, actor=app.actor(session), action="keys-trust",
                         detail={"fingerprint": info.sha256, "subject": info.subject,
                                 "for": wanted})
        write_atomic(directory / INDEX, json.dumps(index, ensure_ascii=False, indent=1,
                                                   sort_keys=True).encode("utf-8"), 0o644)
    return TrustAdded(added)


@dataclass(frozen=True)
class Revocation:
    member: str
    fingerprint: str
    serial: str
    when: datetime
    reason: str

    def to_json(self) -> dict[str, object]:
        return {"member": self.member, "fingerprint": self.fingerprint, "serial": self.serial,
                "revoked_at": self.when.isoformat(), "reason": self.reason}


def revocations(session: Session) -> list[Revocation]:
    """Every revocation, from the audit log (the one record of them)."""
    from workflow.store.models import AuditEvent

    found = []
    for ev in session.exec(select(AuditEvent).where(AuditEvent.action == "keys-revoke",
                                                    AuditEvent.outcome == "ok")
                           .order_by(col(AuditEvent.seq))):
        d = json.loads(ev.detail)
        found.append(Revocation(str(d["member"]), str(d["fingerprint"]), str(d["serial"]),
                                datetime.fromisoformat(str(d["revoked_at"])),
                                str(d.get("reason", "unspecified"))))
    return found


def registered_fingerprints(session: Session, member_id: str) -> set[str]:
    """Every certificate fingerprint ever registered for ``member_id`` (issued or imported)."""
    from workflow.store.models import AuditEvent, MemberCertificate

    found = set()
    for ev in session.exec(select(AuditEvent).where(
            col(AuditEvent.action).in_(["keys-issue", "keys-import"]),
            AuditEvent.outcome == "ok")):
        d = json.loads(ev.detail)
        if d.get("member") == member_id and d.get("fingerprint"):
            found.add(str(d["fingerprint"]))
    row = session.get(MemberCertificate, member_id)
    if row is not None and row.fingerprint:
        found.add(row.fingerprint)
    return found


def refuse_revoked(session: Session, member_id: str, fingerprint: str) -> None:
    for r in revocations(session):
        if r.fingerprint == fingerprint:
            raise WorkflowError(
                f"the certificate of {member_id} ({fingerprint[:16]}…) was revoked on "
                f"{r.when:%Y-%m-%d %H:%M} UTC ({r.reason}); it can no longer sign. Issue a "
                f"new one with 'resolutions keys issue {member_id}'")


def crl_location(app: App) -> str:
    """Where issued certificates say the CRL is published: ``[signatures] crl_url``, or
    the workspace's own CRL file."""
    configured = app.workspace.settings.signatures.crl_url
    return configured or str((_ca_dir(app) / CRL_FILE).resolve())


def stale_crl(app: App, now: datetime | None = None) -> str | None:
    """Why the CA's published CRL cannot vouch for its certificates now (None when it can).

    The last signature's long-term data carries this CRL; a validator years later accepts
    it only as revocation data that was current when the document timestamp was made."""
    from signatures.crl import load_crl

    if not (_ca_dir(app) / "ca.pem").is_file():
        return None
    blobs = crl_blobs(app)
    fix = ("publish a fresh one with 'resolutions keys crl -o FILE --ca-passphrase-file F' "
           "(and put it at the crl_url), then sign again")
    if not blobs:
        return f"the working group's CA has published no CRL yet; {fix}"
    crl = load_crl(blobs[0])
    moment = now or clock.real_now()
    if crl.next_update_utc is not None and crl.next_update_utc < moment:
        return (f"the working group's CRL expired on {crl.next_update_utc:%Y-%m-%d %H:%M} UTC, "
                f"so it cannot show that the signers' certificates are not revoked; {fix}")
    return None


def crl_blobs(app: App) -> list[bytes]:
    """The CA's published CRL, if there is one."""
    path = _ca_dir(app) / CRL_FILE
    return [path.read_bytes()] if path.is_file() else []


def _make_crl(app: App, session: Session, ca_passphrase: bytes) -> bytes:
    from signatures.crl import Revoked, make_crl
    from workflow.store.files import write_atomic
    from workflow.store.models import AuditEvent

    done = revocations(session)
    number = len(list(session.exec(select(AuditEvent.seq).where(
        col(AuditEvent.action).in_(["keys-revoke", "keys-crl", "keys-init-ca"]))))) + 1
    der = make_crl(_ca_dir(app), ca_passphrase,
                   [Revoked(r.serial, r.when, r.reason) for r in done], number=number)
    write_atomic(_ca_dir(app) / CRL_FILE, der, 0o644)
    return der


def revocable(app: App, session: Session, member_id: str
              ) -> tuple[Member, MemberCertificate]:
    """(the member, their registered certificate row) for the secretary to revoke."""
    from workflow.store.models import MemberCertificate

    allow(app, session, "keys revoke")
    member = app.member(session, member_id)
    row = session.get(MemberCertificate, member.id)
    if row is None or not row.cert_pem:
        raise NotFound(f"{member.id} has no registered certificate to revoke")
    return member, row


def revoke(app: App, member_id: str, *, reason: str, ca_passphrase: bytes) -> Revocation:
    """Revoke the member's current certificate and publish a new CRL."""
    from signatures.crl import REASONS
    from signatures.keys import load_certificates

    if reason not in REASONS:
        raise InvalidInput(f"unknown reason {reason!r}; use one of " + ", ".join(REASONS))
    with app.write() as session:
        member, row = revocable(app, session, member_id)
        act(session, allow(app, session, "keys revoke"))
        cert = load_certificates(row.cert_pem.encode("ascii"))[0]
        ca_cert = load_certificates((_ca_dir(app) / "ca.pem").read_bytes())[0]
        if cert.issuer != ca_cert.subject:
            raise InvalidInput(f"{member.id}'s certificate was issued by {row.issuer}, not by "
                               "the working group's CA: ask that CA to revoke it")
        if any(r.fingerprint == row.fingerprint for r in revocations(session)):
            raise InvalidInput(f"{member.id}'s certificate is already revoked")
        done = Revocation(member.id, row.fingerprint, format(cert.serial_number, "x"),
                          clock.real_now(), reason)
        audit.record(session, actor=app.actor(session), action="keys-revoke",
                     detail={"member": done.member, "fingerprint": done.fingerprint,
                             "serial": done.serial, "revoked_at": done.when.isoformat(),
                             "reason": reason})
        session.flush()
        _make_crl(app, session, ca_passphrase)
        _set_aside(app, row, done.serial)
        session.add(row)
    return done


def _set_aside(app: App, row: MemberCertificate, serial: str) -> None:
    """Move a revoked bundle away so that a new one can be issued under the same name."""
    if not row.p12_path or row.imported:
        return
    path = app.workspace.root / row.p12_path
    if path.is_file():
        target = path.with_name(f"{path.stem}.revoked-{serial[:12]}{path.suffix}")
        path.rename(target)
        row.p12_path = str(target.relative_to(app.workspace.root)) \
            if target.is_relative_to(app.workspace.root) else str(target)


def publish_crl(app: App, out: Path, *, pem: bool, ca_passphrase: bytes | None) -> CrlPublished:
    """Write the CA's CRL to ``out``: freshly signed with the CA passphrase, else the one
    last published."""
    from signatures.crl import crl_pem, load_crl
    from workflow.store.files import write_atomic

    if ca_passphrase is not None:
        with app.write() as session:
            act(session, allow(app, session, "keys crl"))
            audit.record(session, actor=app.actor(session), action="keys-crl", detail={})
            session.flush()
            der = _make_crl(app, session, ca_passphrase)
    else:
        blobs = crl_blobs(app)
        if not blobs:
            raise WorkflowError("no CRL has been published yet: give --ca-passphrase-file to "
                                "sign one")
        der = blobs[0]
    crl = load_crl(der)
    write_atomic(Path(out), crl_pem(der) if pem else der, 0o644)
    return CrlPublished(str(out), "PEM" if pem else "DER", crl.last_update_utc.isoformat(),
                        crl.next_update_utc.isoformat() if crl.next_update_utc else None,
                        len(list(crl)))
