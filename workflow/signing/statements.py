"""Signed statements: an approver's decision as a detached CMS signature over a canonical
JSON text (resolution, version, content hash, member, decision)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from workflow.app import App
from workflow.errors import InvalidInput
from workflow.passphrases import read_passphrase  # (re-exported: one rule for all)
from workflow.signing.keys import trust_roots
from workflow.store.models import Approval, MemberCertificate, ResolutionRow

if TYPE_CHECKING:
    from sqlmodel import Session

    from signatures.signer import Signer

__all__ = ["statement_bytes", "sign_statement", "statement_signer_for", "read_passphrase",
           "statement_for",
           "statement_problems"]


def statement_bytes(symbol: str, version: int, content_hash: str, member: str,
                    decision: str) -> bytes:
    return json.dumps({"resolution": symbol, "version": version, "content_hash": content_hash,
                       "member": member, "decision": decision},
                      ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def sign_statement(signer: Signer, symbol: str, version: int, content_hash: str, member: str,
                   decision: str, crls: list[bytes] | None = None) -> bytes:
    """The statement signed in place; ``crls`` (the CA's current CRL) travel inside it."""
    from signatures.cms import sign_detached

    return sign_detached(statement_bytes(symbol, version, content_hash, member, decision), signer,
                         crls=crls or ())


def statement_signer_for(app: App, by: str | None, p12: str | None, passphrase_file: str | None,
                         prompt: Callable[[str], bytes] | None) -> Signer | None:
    """The approver's signer when a key is given (or registered and a passphrase file is)."""

    path = p12
    if path is None:
        if passphrase_file is None:
            return None
        with app.read() as session:
            member = by or app.actor(session)
            cert = session.get(MemberCertificate, member)
            if cert is None or not cert.p12_path:
                return None
            path = str(app.workspace.root / cert.p12_path)  # relative: inside the workspace
    from signatures.keys import load_p12
    from signatures.signer import Signer
    from workflow.signing.sign import timestamper_for

    passphrase = read_passphrase(passphrase_file, prompt, f"Passphrase for {Path(path).name}")
    signer = Signer.from_loaded(load_p12(Path(path), passphrase))
    signer.timestamper = timestamper_for(app)  # statements are CAdES-T with a TSA
    return signer


def statement_problems(app: App, session: Session) -> list[str]:
    """Every stored approval statement that does not verify against the trust store, or
    whose signer is not the approving member's registered certificate."""
    from sqlmodel import col, select


    rows = [a for a in session.exec(select(Approval).order_by(col(Approval.id))) if a.statement]
    if not rows:
        return []
    from signatures.cms import verify_detached
    from signatures.errors import VerificationError

    roots = trust_roots(app)
    problems = []
    for a in rows:
        res = session.get(ResolutionRow, a.resolution_id)
        symbol = res.symbol if res is not None else f"#{a.resolution_id}"
        where = f"approval by {a.member_id} of {symbol} v{a.version_number}"
        data = statement_bytes(symbol, a.version_number, a.content_hash, a.member_id, a.decision)
        try:
            report = verify_detached(data, bytes(a.statement or b""), roots,
                                     timestamp_roots=trust_roots(app, "timestamps"))
        except VerificationError as exc:
            problems.append(f"{where}: the signed statement cannot be read ({exc})")
            continue
        if not report.ok:
            problems.append(f"{where}: the signed statement does not verify: "
                            + "; ".join(report.problems))
            continue
        cert = session.get(MemberCertificate, a.member_id)
        if cert is None or cert.fingerprint != report.signer_sha256:
            problems.append(f"{where}: the statement is signed by {report.signer_common_name!r}, "
                            f"not by {a.member_id}'s registered certificate")
    return problems


def statement_for(app: App, ref: str, member_id: str, what: str) -> bytes:
    """The bytes ``member_id`` signs to ``what`` (approve | object) the current version."""
    decision = {"approve": "approved", "object": "objected"}.get(what)
    if decision is None:
        raise InvalidInput(f"--for is approve or object, not {what!r}")
    with app.read() as session:
        row = app.resolution(session, ref)
        member = app.member(session, member_id)
        version = app.version(session, row)
        return statement_bytes(row.symbol, version.number, version.content_hash, member.id,
                               decision)
