"""Signing an approved resolution, in the workspace or elsewhere (import).

``sign``: the signatory's key signs the latest PDF of the approved version in their slot
on the signature page (``sig-MEMBER``), as an incremental update; the first signature
certifies the document and creates every other signatory's empty field in the same
update. The pinned DOCX gets a detached ``.p7s``. The result is verified against the
trust store before anything is recorded. ``import_signed``: a PDF signed elsewhere is
accepted only when the revision it signed is byte-for-byte our latest PDF and each new
signer is a registered signatory whose certificate chains to the trust store.

Either way the ``sign`` trigger fires with the fact ``signatures_complete``; when it
holds, the resolution becomes ``signed`` and the certificate of completion is produced.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlmodel import Session, select

from workflow import clock, progress
from workflow.app import App
from workflow.crashpoints import crashpoint
from workflow.documents.views import member_names
from workflow.errors import InvalidInput, WorkflowError
from workflow.lifecycle.gate import Decision
from workflow.lifecycle.rules import signatures_missing
from workflow.lifecycle.steps import act, allow, move
from workflow.signing.completion import produce_certificate
from workflow.signing.files import (
    SigningBase,
    latest_pdf_sha,
    pin_base,
    read_stored,
    records,
    store,
)
from workflow.signing.keys import KeyRequest, chains_to, registered_certificate, trust_roots
from workflow.store.models import Member, MemberCertificate, ResolutionRow, SignatureRecord, key_of
from workflow.store.texts import load_version

if TYPE_CHECKING:
    from cryptography import x509

    from signatures.signer import Signer
    from signatures.tsa import TimeStamper
    from signatures.verify import PdfReport

__all__ = ["may_sign", "SignResult", "sign", "import_signed", "stamp_lines", "SLOT_PT",
           "timestamper_for"]

#: the signature slot of the final template (templates.pdf.render.SIGNATURE_SLOT_PT), in points
SLOT_PT = (180.0, 60.0)
#: Scripts the stamp font (Noto Sans CJK, signatures/stamp.py) draws; a stamp says the name
#: and "Signed" in the document's languages of these scripts (the signature page around
#: the stamp is printed in every language by the renderer).
STAMP_SCRIPTS = ("Latn", "Cyrl", "Hans")


@dataclass(frozen=True)
class SignResult:
    symbol: str
    member: str
    field_name: str
    state: str
    signed_sha256: str
    p7s_sha256: str
    certification: bool
    missing: list[str] = field(default_factory=list)
    certificate_sha256: str | None = None
    level: str = "B-B"

    def to_json(self) -> dict[str, object]:
        return dict(self.__dict__)


def stamp_lines(member: Member, languages: list[str], when: str) -> list[str]:
    """The text of a visible signature: the name in each document language the stamp font
    draws, then "Signed" in those languages and the date."""
    from drafts.languages import REGISTRY
    from templates.labels import section

    languages = [lang for lang in languages
                 if lang in REGISTRY and REGISTRY[lang].script in STAMP_SCRIPTS] or ["en"]
    names = member_names(member)
    lines: list[str] = []
    for lang in languages:
        name = names.get(lang)
        if name and name not in lines:
            lines.append(name)
    if not lines:
        drawable = [n for n in (member.name, *names.values()) if _drawable(n)]
        lines.append(drawable[0] if drawable else member.id)
    label = " · ".join(dict.fromkeys(section("mail", lang)["signed"] for lang in languages))
    return lines + [f"{label}: {when}"]


def _drawable(text: str) -> bool:
    """Whether the stamp font draws every letter of ``text`` (no Arabic, Devanagari or
    Ethiopic letters)."""
    return not any("\u0590" <= ch <= "\u1fff" and not ("\u1e00" <= ch <= "\u1eff")
                   for ch in text)


def _signatory(app: App, session: Session, row: ResolutionRow,
               by: str | None) -> tuple[Member, Decision]:
    """The member signing (``--by``, default who acts) and the gate's decision."""
    actor = app.acting_member(session)
    member = app.member(session, by, active=True) if by else actor
    return member, allow(app, session, "sign", row=row, actor=actor, subject=member)


def _missing_after(decision: Decision, member: Member) -> list[str]:
    """What is still missing once ``member``'s signature is recorded."""
    facts = decision.facts
    assert facts is not None
    return signatures_missing(set(facts.signed_by) | {member.id},
                              facts.policy.required_signatures, dict(facts.signatories),
                              facts.policy.body_signatures)


def _check_certificate(app: App, session: Session, member: Member, cert: x509.Certificate,
                       chain: list[x509.Certificate]) -> str:
    """The certificate's fingerprint, refused unless registered and trusted."""
    from signatures.keys import cert_info
    from workflow.signing.trust import refuse_revoked

    fp = cert_info(cert).sha256
    refuse_revoked(session, member.id, fp)
    registered = registered_certificate(session, member.id)
    if registered.fingerprint != fp:
        raise WorkflowError(f"the certificate used ({fp[:16]}…) is not the one registered for "
                            f"{member.id} ({registered.fingerprint[:16]}…); sign with the key "
                            "issued to them, or register it with 'resolutions keys import'")
    roots = trust_roots(app)
    if not roots:
        raise WorkflowError("the workspace trust store is empty: create the CA with "
                            "'resolutions keys init-ca' or import a certificate's chain")
    if not chains_to(cert, chain, roots):
        raise WorkflowError(f"{member.id}'s certificate does not chain to the workspace trust "
                            "store; import its CA with 'resolutions keys import'")
    return fp


def timestamper_for(app: App, given: TimeStamper | None = None) -> TimeStamper | None:
    """The timestamp client: ``given``, else one for ``[signatures] timestamp_url``, else
    None (signatures are then PAdES B-B)."""
    if given is not None:
        return given
    url = app.workspace.settings.signatures.timestamp_url
    if not url:
        return None
    from signatures.tsa import UrlTimeStamper

    return UrlTimeStamper(url)


def _verified(app: App, pdf: bytes, what: str, complete: bool = False) -> PdfReport:
    from signatures.verify import verify_pdf
    from workflow.signing.trust import crl_blobs

    report = verify_pdf(pdf, trust_roots(app), timestamp_roots=trust_roots(app, "timestamps"),
                        crls=crl_blobs(app), complete=complete)
    if not report.ok:
        problems = [p for s in report.signatures for p in s.problems] + report.problems
        raise WorkflowError(f"{what} does not verify, nothing was recorded: "
                            + "; ".join(problems))
    return report


def _record(app: App, session: Session, row: ResolutionRow, member: Member,
            decision: Decision, *, field_name: str, fingerprint: str, base_sha: str, signed_sha: str,
            p7s_sha: str, source: str, certification: bool,
            timestamper: TimeStamper | None = None, timestamped: bool = False) -> SignResult:
    # the record is written once, final: signatures are append-only (PostgreSQL enforces it)
    missing = _missing_after(decision, member)
    level = "B-T" if timestamped else "B-B"
    if not missing and timestamper is not None:
        signed_sha = _long_term(app, signed_sha, timestamper)
        level = "B-LTA"
    session.add(SignatureRecord(
        resolution_id=key_of(row), version_number=row.current_version, member_id=member.id,
        field_name=field_name, cert_fingerprint=fingerprint, base_sha256=base_sha,
        signed_sha256=signed_sha, docx_p7s_sha256=p7s_sha, source=source, at=clock.now()))
    session.flush()
    move(session, row, decision, actor=member.id,
         detail={"member": member.id, "version": row.current_version, "field": field_name,
                 "cert_fingerprint": fingerprint, "base_sha256": base_sha,
                 "signed_sha256": signed_sha, "p7s_sha256": p7s_sha, "source": source,
                 "certification": certification, "missing": missing, "level": level})
    certificate = None
    if decision.moves:
        certificate = produce_certificate(app, session, row)
    return SignResult(row.symbol, member.id, field_name, row.state, signed_sha, p7s_sha,
                      certification, missing, certificate, level)


def _long_term(app: App, signed_sha: str, timestamper: TimeStamper) -> str:
    """The complete PDF made B-LTA (validation data and a document timestamp), stored."""
    from signatures.ltv import add_lta
    from workflow.signing.trust import crl_blobs

    roots = trust_roots(app) + trust_roots(app, "timestamps")
    lta = add_lta(read_stored(app, signed_sha), timestamper, roots, crls=crl_blobs(app))
    _verified(app, lta, "the PDF with its long-term validation data", complete=True)
    return store(app, lta)


def required_fields(decision: Decision) -> list[str]:
    """The signature fields the certifying signature marks Required: the members
    ``[signatures] required`` names, and the one signatory of a delegation the body
    requires when that delegation has one only (with several, any one of them signs)."""
    facts = decision.facts
    assert facts is not None
    required = [str(m) for m in facts.policy.required_signatures]
    people = {str(m): str(d) for m, d in dict(facts.signatories).items()}
    for delegation in [d for d in facts.policy.body_signatures if d != "any"]:
        members = [m for m, d in people.items() if d == delegation]
        if len(members) == 1 and not any(people.get(r) == delegation for r in required):
            required.append(members[0])
    return [f"sig-{m}" for m in required]


def _slots(pdf: bytes, own: str) -> list[tuple[str, int, tuple[float, float, float, float]]]:
    from signatures.places import list_destinations

    width, height = SLOT_PT
    return [(name, page, (x, y - height, x + width, y))
            for name, (page, x, y) in sorted(list_destinations(pdf).items())
            if name.startswith("sig-") and name != own]


def may_sign(app: App, ref: str, by: str | None) -> None:
    """Refuse now what ``sign`` would refuse before it needs the key: the state, the role,
    a signature already made, a missing certificate — so nobody types a passphrase for a
    step that cannot happen (a refusal for a role is audited, as always)."""
    with app.write() as session:
        row = app.resolution(session, ref)
        member, decision = _signatory(app, session, row, by)
        _long_term_possible(app, row, member, decision)


def _long_term_possible(app: App, row: ResolutionRow, member: Member,
                        decision: Decision) -> None:
    """The last signature makes the file B-LTA: refuse it before any work when the CA's CRL
    it must carry is stale (a validator in 2040 could not judge the signers)."""
    from workflow.signing.trust import stale_crl

    if timestamper_for(app) is None or _missing_after(decision, member):
        return
    problem = stale_crl(app)
    if problem:
        raise WorkflowError(f"the last signature makes {row.symbol} verifiable for the long "
                            f"term, but {problem}")


def sign(app: App, ref: str, by: str | None, signer: Signer | KeyRequest, *,
         timestamper: TimeStamper | None = None) -> SignResult:
    """Sign the approved version as ``by`` (default: who acts) with ``signer``'s key
    (a :class:`signatures.Signer`, or a :class:`workflow.signing.keys.KeyRequest` to open)."""
    from signatures.cms import sign_detached
    from signatures.pades import sign_pdf
    from signatures.places import signature_box

    with app.write() as session:
        row = app.resolution(session, ref)
        member, decision = _signatory(app, session, row, by)
        _long_term_possible(app, row, member, decision)
        if isinstance(signer, KeyRequest):  # open the key only once allowed to sign
            signer = signer.open(app, session, member.id)
        fingerprint = _check_certificate(app, session, member, signer.cert, signer.chain)
        base: SigningBase = pin_base(app, session, row, decision)
        progress.advance("the approved text's PDF and DOCX", 1, 1)
        latest_sha = latest_pdf_sha(session, row, base)
        latest = read_stored(app, latest_sha)
        field_name = f"sig-{member.id}"
        page, box = signature_box(latest, field_name, width=SLOT_PT[0], height=SLOT_PT[1])
        certify = not records(session, row)
        languages = list(load_version(session, app.version(session, row)).languages)
        when = clock.now().strftime("%Y-%m-%d %H:%M UTC")
        timestamper = timestamper_for(app, timestamper)
        signed = sign_pdf(latest, signer, field_name=field_name, page=page, box=box,
                          stamp_lines=stamp_lines(member, languages, when), certify=certify,
                          reason=f"{row.symbol} v{row.current_version}",
                          location=app.workspace.settings.signatures.location,
                          timestamper=timestamper,
                          empty_fields=_slots(latest, field_name) if certify else (),
                          required=required_fields(decision))
        _verified(app, signed, f"the PDF signed by {member.id}")
        progress.advance("sign and check the PDF", 1, 1)
        from workflow.signing.trust import crl_blobs

        p7s = sign_detached(read_stored(app, base.docx_sha256), signer, timestamper=timestamper,
                            crls=crl_blobs(app))
        progress.advance("sign the DOCX (.p7s)", 1, 1)
        crashpoint("sign.before-record")
        return _record(app, session, row, member, decision, field_name=field_name,
                       fingerprint=fingerprint, base_sha=latest_sha, signed_sha=store(app, signed),
                       p7s_sha=store(app, p7s), source="local", certification=certify,
                       timestamper=timestamper, timestamped=timestamper is not None)


def import_signed(app: App, ref: str, pdf: bytes, *,
                  timestamper: TimeStamper | None = None) -> list[SignResult]:
    """Record the signatures a PDF signed elsewhere adds over our latest PDF."""
    from signatures.keys import load_certificates
    from signatures.verify import signed_revision

    with app.write() as session:
        row = app.resolution(session, ref)
        importing = allow(app, session, "signatures import", row=row)
        act(session, importing, row)
        base = pin_base(app, session, row, importing)
        done = records(session, row)
        latest_sha = latest_pdf_sha(session, row, base)
        latest = read_stored(app, latest_sha)
        if not pdf.startswith(latest) or len(pdf) == len(latest):
            raise InvalidInput(
                f"this PDF is not our latest PDF of {row.symbol} with signatures added: the "
                "bytes before the new signature differ. Sign the file from 'resolutions "
                "signed-files' without saving it in between.")
        report = _verified(app, pdf, "the imported PDF")
        if len(report.signatures) <= len(done):
            raise InvalidInput("the imported PDF carries no new signature")
        if report.signatures[-1].signed_revision_end != len(pdf):
            raise InvalidInput("the imported PDF was changed after its last signature")
        by_fp = {c.fingerprint: c for c in session.exec(select(MemberCertificate))}
        results, previous = [], latest_sha
        for sig in report.signatures[len(done):]:
            first_new = signed_revision(pdf, sig.index)
            if sig.index == len(done) and not first_new.startswith(latest):
                raise InvalidInput("the new signature does not cover our latest PDF")
            registered = by_fp.get(sig.signer_sha256)
            if registered is None:
                raise InvalidInput(f"the signer {sig.signer_common_name!r} "
                                   f"({sig.signer_sha256[:16]}…) has no registered certificate; "
                                   "register it with 'resolutions keys import' first")
            member, decision = _signatory_for_import(app, session, row,
                                                     registered.member_id)
            if sig.field_name != f"sig-{member.id}":
                raise InvalidInput(
                    f"field {sig.field_name}: signed by {member.id} "
                    f"({sig.signer_common_name}), but that field is for "
                    f"{sig.field_name.removeprefix('sig-')}; each signatory signs their own field")
            cert = load_certificates(registered.cert_pem.encode("ascii"))[0]
            _check_certificate(app, session, member, cert, [])
            revision_sha = store(app, first_new)
            results.append(_record(
                app, session, row, member, decision, field_name=sig.field_name,
                fingerprint=sig.signer_sha256, base_sha=previous, signed_sha=revision_sha,
                p7s_sha="", source="imported", certification=sig.certification,
                timestamper=timestamper_for(app, timestamper),
                timestamped=sig.timestamp_time is not None))
            previous = revision_sha
        return results


def _signatory_for_import(app: App, session: Session, row: ResolutionRow,
                          member_id: str) -> tuple[Member, Decision]:
    """The registered signer of an imported signature: they signed it themselves."""
    member = app.member(session, member_id)
    return member, allow(app, session, "sign", row=row, actor=member, subject=member)
