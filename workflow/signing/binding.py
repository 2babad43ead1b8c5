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
from typing import TYPE_CHECKING, Literal, TypedDict

from signatures.verdict import DetachedJSON, PdfJSON

if TYPE_CHECKING:  # ``verify`` outside a workspace binds without opening any database
    from sqlmodel import Session

    from signatures.verdict import PdfSignatureJSON, SignatureJSON
    from workflow.app import App

__all__ = ["Registry", "expected_member", "bind_signatures", "registry", "member_from_p7s_name",
           "check_signed_pdf", "PdfFileReport", "DetachedFileReport", "FileReport"]


class PdfFileReport(PdfJSON):
    """What ``resolutions verify --json`` prints for a PDF (docs/VERIFY_JSON.md): the
    file's report, the file, where the trust roots came from, and whether the workspace's
    registry bound the signatures."""

    file: str
    trust: str
    workspace: bool


class DetachedFileReport(TypedDict):
    """What ``resolutions verify --json`` prints for a file with detached signatures."""

    schema: Literal["brics-resolutions/verify-detached/1"]
    file: str
    sha256: str
    size: int
    trust: str
    at: str | None
    workspace: bool
    ok: bool
    signature_count: int
    signatures: list[DetachedJSON]
    problems: list[str]


FileReport = PdfFileReport | DetachedFileReport


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
    by_version: dict[tuple[int, int], list[SignatureRecord]] = {}
    for rec in session.exec(select(SignatureRecord).order_by(col(SignatureRecord.id))):
        by_version.setdefault((rec.resolution_id, rec.version_number), []).append(rec)
    for recs in by_version.values():
        for rec in recs:
            reg.recorded[rec.signed_sha256] = {r.member_id: r.cert_fingerprint for r in recs}
    return reg


def _signer(sig: SignatureJSON) -> str:
    s = sig["signer"]
    who = s["common_name"] or s["subject"] or "an unknown signer"
    fp = s["sha256"] or ""
    return f"{who} ({s['member_id'] or 'no member id'}, {fp[:16]}…)"


def _fail(sig: SignatureJSON, text: str) -> None:
    sig["ok"] = False
    if "wrong-signer" not in sig["reasons"]:
        sig["reasons"].append("wrong-signer")
    sig["reason"] = sig["reasons"][0]
    sig["problems"].append(text)


def _bind_one(sig: SignatureJSON, where: str, expected: str | None,
              reg: Registry | None) -> None:
    actual = sig["signer"]["member_id"]
    if expected is None:
        if reg is not None:
            _fail(sig, f"{where}: names no member; signed by {_signer(sig)}.")
        return
    if actual is not None and actual != expected:
        _fail(sig, f"{where}: expected {expected}, signed by {_signer(sig)}.")
        return
    if reg is None:
        return
    fp = sig["signer"]["sha256"] or ""
    if expected not in reg.members:
        _fail(sig, f"{where}: expected {expected}, who is not a member of this working group; "
              f"signed by {_signer(sig)}.")
    elif expected not in reg.signatories:
        _fail(sig, f"{where}: expected {expected}, who does not hold the signatory role; "
              f"signed by {_signer(sig)}.")
    elif fp not in reg.fingerprints.get(expected, set()):
        _fail(sig, f"{where}: expected {expected}'s registered certificate, signed by "
              f"{_signer(sig)}, a certificate never registered for them.")


def _places(report: PdfJSON | DetachedFileReport
            ) -> list[tuple[SignatureJSON, str, str | None]]:
    """Each signature, where it is (its field or file) and the member that place names."""
    if report["schema"] == "brics-resolutions/verify-pdf/1":
        return [(sig, f"field {sig['field_name']}", expected_member(sig["field_name"]))
                for sig in report["signatures"]]
    return [(sig, sig.get("p7s", "detached signature"),
             member_from_p7s_name(sig.get("p7s", "").rsplit("/", 1)[-1]))
            for sig in report["signatures"]]


def bind_signatures(report: PdfJSON | DetachedFileReport, reg: Registry | None,
                    pdf: bytes | None = None) -> None:
    """Add wrong-signer problems to a verification report (PDF or detached), in place."""
    places = _places(report)
    seen: dict[str, str] = {}
    for sig, where, expected in places:
        _bind_one(sig, where, expected, reg)
        actual = sig["signer"]["member_id"]
        if actual and actual in seen and reg is not None:
            _fail(sig, f"{where}: {actual} already signed in {seen[actual]}; each member signs "
                  "once.")
        elif actual:
            seen[actual] = where
    if report["schema"] == "brics-resolutions/verify-pdf/1" and reg is not None \
            and pdf is not None and report["signatures"]:
        _bind_set(report, reg, pdf)
    report["ok"] = bool(places) and all(s["ok"] for s, _, _ in places) \
        and not report["problems"]


def _bind_set(report: PdfJSON, reg: Registry, pdf: bytes) -> None:
    """A recorded signed PDF carries exactly the signers recorded for its version."""
    candidates = [hashlib.sha256(pdf).hexdigest()]
    candidates += [hashlib.sha256(pdf[: s["signed_revision_end"]]).hexdigest()
                   for s in report["signatures"]]
    recorded = next((reg.recorded[c] for c in candidates if c in reg.recorded), None)
    if recorded is None:
        return
    present = {expected_member(s["field_name"]) for s in report["signatures"]}
    for member in sorted(set(recorded) - present):
        text = (f"{member}'s signature (field sig-{member}) is missing: the workspace "
                "recorded it for this version.")
        if text not in report["problems"]:
            report["problems"].append(text)
    for sig in report["signatures"]:
        _bind_recorded(sig, recorded)


def _bind_recorded(sig: PdfSignatureJSON, recorded: dict[str, str]) -> None:
    member = expected_member(sig["field_name"])
    if member is None:
        return
    if member not in recorded:
        _fail(sig, f"field sig-{member}: {member} has no recorded signature on this "
              "version; the set of signers differs from the one recorded.")
    elif sig["signer"]["sha256"] != recorded[member] and sig["ok"]:
        _fail(sig, f"field sig-{member}: expected the certificate recorded when {member} "
              f"signed ({recorded[member][:16]}…), signed by {_signer(sig)}.")


def check_signed_pdf(app: App, session: Session, pdf: bytes) -> list[str]:
    """Problems of a signed PDF of this workspace: verification and binding."""
    from signatures.verify import verify_pdf
    from workflow.signing.keys import trust_roots
    from workflow.signing.trust import crl_blobs

    report = verify_pdf(
        pdf, trust_roots(app), timestamp_roots=trust_roots(app, "timestamps"),
        crls=crl_blobs(app), complete=False).to_json()
    bind_signatures(report, registry(session), pdf)
    return [p for s in report["signatures"] for p in s["problems"]] + list(report["problems"])
