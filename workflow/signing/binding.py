"""Signatures bound to the people named for them.

A valid signature by a trusted certificate is not enough: the signature field
``sig-MEMBER`` (and the detached ``….MEMBER.p7s``) must be signed by *that* member.

- Everywhere, also without a workspace: the certificate's member id (the ``UID`` in its
  subject, set by the working group's CA) must be the member the field or file names.
  (A certificate from another CA may carry no member id; only the workspace can bind it.)
- Inside a workspace, also: the member exists and holds the signatory role; the
  certificate's SHA-256 fingerprint is one registered for that member (issued or
  imported, per the audit log); each member signs once; and when the file is a recorded
  signed PDF of a resolution, the set of signers equals the signatures recorded for
  that version.

A failure adds the reason ``wrong-signer`` and one sentence naming the field, the
expected member and the actual signer to the signature's entry in the report.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # ``verify`` outside a workspace binds without opening any database
    from sqlmodel import Session

    from workflow.app import App

__all__ = ["Registry", "expected_member", "bind_signatures", "registry", "member_from_p7s_name",
           "check_signed_pdf"]


def expected_member(field_name: str) -> str | None:
    """The member a signature field is for (``sig-MEMBER``), or None."""
    return field_name[4:] if field_name.startswith("sig-") and len(field_name) > 4 else None


def member_from_p7s_name(name: str) -> str | None:
    """``X_final.docx.MEMBER.p7s`` → MEMBER (None for ``X.p7s``)."""
    if not name.endswith(".p7s"):
        return None
    parts = name[: -len(".p7s")].rsplit(".", 1)
    if len(parts) != 2 or parts[1].lower() in ("docx", "pdf", "json", "xml"):
        return None
    return parts[1]


@dataclass
class Registry:
    """What the workspace knows about who may sign, read once."""

    signatories: set[str] = field(default_factory=set)
    members: set[str] = field(default_factory=set)
    fingerprints: dict[str, set[str]] = field(default_factory=dict)
    #: sha256 of a recorded signed revision → {member id: certificate fingerprint} of the
    #: signatures recorded for that version
    recorded: dict[str, dict[str, str]] = field(default_factory=dict)


def registry(session: Session) -> Registry:
    from sqlmodel import col, select

    from workflow.signing.trust import registered_fingerprints
    from workflow.store.models import Member, SignatureRecord

    reg = Registry()
    for m in session.exec(select(Member)):
        reg.members.add(m.id)
        if "signatory" in m.role_set():
            reg.signatories.add(m.id)
        reg.fingerprints[m.id] = registered_fingerprints(session, m.id)
    by_version: dict[tuple[int, int], list[Any]] = {}
    for rec in session.exec(select(SignatureRecord).order_by(col(SignatureRecord.id))):
        by_version.setdefault((rec.resolution_id, rec.version_number), []).append(rec)
    for recs in by_version.values():
        for rec in recs:
            reg.recorded[rec.signed_sha256] = {r.member_id: r.cert_fingerprint for r in recs}
    return reg


def _signer(sig: dict[str, Any]) -> str:
    s = sig.get("signer", {})
    who = s.get("common_name") or s.get("subject") or "an unknown signer"
    mid = s.get("member_id")
    fp = str(s.get("sha256") or "")
    return f"{who} ({mid or 'no member id'}, {fp[:16]}…)"


def _fail(sig: dict[str, Any], text: str) -> None:
    sig["ok"] = False
    sig.setdefault("reasons", [])
    if "wrong-signer" not in sig["reasons"]:
        sig["reasons"].append("wrong-signer")
    sig["reason"] = sig["reasons"][0]
    sig.setdefault("problems", []).append(text)


def _bind_one(sig: dict[str, Any], where: str, expected: str | None,
              reg: Registry | None) -> None:
    actual = sig.get("signer", {}).get("member_id")
    if expected is None:
        if reg is not None:
            _fail(sig, f"{where}: names no member; signed by {_signer(sig)}.")
        return
    if actual is not None and actual != expected:
        _fail(sig, f"{where}: expected {expected}, signed by {_signer(sig)}.")
        return
    if reg is None:
        return
    fp = str(sig.get("signer", {}).get("sha256") or "")
    if expected not in reg.members:
        _fail(sig, f"{where}: expected {expected}, who is not a member of this working group; "
              f"signed by {_signer(sig)}.")
    elif expected not in reg.signatories:
        _fail(sig, f"{where}: expected {expected}, who does not hold the signatory role; "
              f"signed by {_signer(sig)}.")
    elif fp not in reg.fingerprints.get(expected, set()):
        _fail(sig, f"{where}: expected {expected}'s registered certificate, signed by "
              f"{_signer(sig)}, a certificate never registered for them.")


def bind_signatures(report: dict[str, Any], reg: Registry | None,
                    pdf: bytes | None = None) -> dict[str, Any]:
    """Add wrong-signer problems to a verification report (PDF or detached), in place."""
    sigs = report.get("signatures", [])
    seen: dict[str, str] = {}
    for sig in sigs:
        if "field_name" in sig:
            where = f"field {sig['field_name']}"
            expected = expected_member(str(sig["field_name"]))
        else:
            where = f"{sig.get('p7s', 'detached signature')}"
            expected = member_from_p7s_name(str(sig.get("p7s", "")).rsplit("/", 1)[-1])
        _bind_one(sig, where, expected, reg)
        actual = sig.get("signer", {}).get("member_id")
        if actual and actual in seen and reg is not None:
            _fail(sig, f"{where}: {actual} already signed in {seen[actual]}; each member signs "
                  "once.")
        elif actual:
            seen[actual] = where
    if reg is not None and pdf is not None and sigs and "field_name" in sigs[0]:
        _bind_set(report, reg, pdf)
    report["ok"] = bool(sigs) and all(s.get("ok") for s in sigs) and not report.get("problems")
    return report


def _bind_set(report: dict[str, Any], reg: Registry, pdf: bytes) -> None:
    """A recorded signed PDF carries exactly the signers recorded for its version."""
    candidates = [hashlib.sha256(pdf).hexdigest()]
    candidates += [hashlib.sha256(pdf[: int(s.get("signed_revision_end", 0))]).hexdigest()
                   for s in report["signatures"]]
    recorded = next((reg.recorded[c] for c in candidates if c in reg.recorded), None)
    if recorded is None:
        return
    present = {expected_member(str(s["field_name"])) for s in report["signatures"]}
    for member in sorted(set(recorded) - present):
        text = (f"{member}'s signature (field sig-{member}) is missing: the workspace "
                "recorded it for this version.")
        if text not in report.setdefault("problems", []):
            report["problems"].append(text)
    for sig in report["signatures"]:
        found = expected_member(str(sig["field_name"]))
        if found is None:
            continue
        member = found
        if member not in recorded:
            _fail(sig, f"field sig-{member}: {member} has no recorded signature on this "
                  "version; the set of signers differs from the one recorded.")
        elif sig.get("signer", {}).get("sha256") != recorded[member] and sig.get("ok"):
            _fail(sig, f"field sig-{member}: expected the certificate recorded when {member} "
                  f"signed ({recorded[member][:16]}…), signed by {_signer(sig)}.")


def check_signed_pdf(app: App, session: Session, pdf: bytes) -> list[str]:
    """Problems of a signed PDF of this workspace: verification and binding."""
    from signatures.verify import verify_pdf
    from workflow.signing.keys import trust_roots
    from workflow.signing.trust import crl_blobs

    report: dict[str, Any] = verify_pdf(
        pdf, trust_roots(app), timestamp_roots=trust_roots(app, "timestamps"),
        crls=crl_blobs(app), complete=False).to_json()
    bind_signatures(report, registry(session), pdf)
    return [p for s in report["signatures"] for p in s["problems"]] + list(report["problems"])
