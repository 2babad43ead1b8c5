"""Submitting a signed resolution to a BRICS body.

``submit`` first checks everything the body requires and refuses with the whole list of
what is unmet: the authentic languages it reads (present, no parity errors, nothing stale),
the signatures (complete, the signed PDF intact and valid against the trust store), and
the lead time before the meeting. Then it builds the package in a temporary folder and
renames it into ``.resolutions/submissions/<symbol>/<n>/`` — the files, ``manifest.json``
(SHA-256 and size of each) and a ZIP of them — records the submission with the ZIP's
SHA-256, fires ``submit`` and queues the message to the body. A failure leaves no folder
and no row behind.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, select

from drafts.model import Resolution
from templates.archive import zip_bytes
from workflow import clock, progress
from workflow.app import App
from workflow.crashpoints import crashpoint
from workflow.delivery.outbox import (
    Attachment,
    compose,
    message_id,
    queue,
    send,
    sender,
    smtp_settings,
)
from workflow.documents.rendering import render_bytes, safe_name
from workflow.errors import IllegalTransition, WorkflowError, WorkspaceError
from workflow.lifecycle.gate import Decision
from workflow.lifecycle.machine import leads_to
from workflow.lifecycle.parity import findings
from workflow.lifecycle.records import signatories, signed_members
from workflow.lifecycle.steps import decide, move
from workflow.rows import SubmissionInfo
from workflow.signing.anchors import anchor_note
from workflow.signing.files import (
    find_base,
    latest_certificate_sha,
    latest_pdf_sha,
    read_stored,
    records,
)
from workflow.store.files import write_atomic
from workflow.store.models import Member, Message, ResolutionRow, Submission, Version, key_of
from workflow.store.texts import load_version
from workflow.store.witness import HEADER, WITNESS_LINE, head_text
from workflow.store.workspace import Body

__all__ = ["submit", "list_submissions", "requirements", "SubmissionRefused",
           "SubmitResult", "SubmissionInfo", "PackageFile"]

MANIFEST_SCHEMA = "brics-resolutions/submission-manifest/1"


class SubmissionRefused(WorkflowError):
    """The body's requirements are not met; ``unmet`` lists each one."""

    error_code = "blocked"

    def __init__(self, symbol: str, body: str, unmet: list[str]) -> None:
        self.unmet = unmet
        listing = "\n  - ".join(unmet)
        super().__init__(f"{symbol} cannot be submitted to {body}; {len(unmet)} requirement(s) "
                         f"unmet:\n  - {listing}")


@dataclass(frozen=True)
class PackageFile:
    name: str
    role: str
    data: bytes
    description: str = ""
    signers: tuple[str, ...] = ()  # member ids of who signed the file


@dataclass(frozen=True)
class SubmitResult:
    symbol: str
    body: str
    number: int
    state: str
    folder: Path
    zip_path: Path
    package_sha256: str
    files: list[dict[str, Any]]
    message: int
    message_status: str
    error: str = ""
    anchor: str = ""   # the audit anchor made after it, or why none was



# -- requirements -----------------------------------------------------------------------------
def _signature_problems(app: App, session: Session, row: ResolutionRow, body: Body) -> list[str]:
    done = set(signed_members(session, row))
    required = app.workspace.settings.signatures.required
    unmet = [f"signature of {m} (required in resolutions.toml) is missing"
             for m in required if m not in done]
    by_id = {m.id: m for m in signatories(session)}
    for delegation in (d for d in body.signatures if d != "any"):
        if not any(m in by_id and by_id[m].delegation == delegation for m in done):
            unmet.append(f"a signature of a {delegation} signatory is missing "
                         f"(the {body.name('en')} requires one)")
    if not done and not unmet:
        unmet.append("no signature: the resolution must be signed ('resolutions sign')")
    base = find_base(session, row)
    if done and base is not None and records(session, row):
        try:
            pdf = read_stored(app, latest_pdf_sha(session, row, base))
        except WorkflowError as exc:
            return unmet + [f"the signed PDF cannot be read: {exc}"]
        from workflow.signing.binding import check_signed_pdf

        problems = check_signed_pdf(app, session, pdf)
        if problems:
            unmet.append("the signed PDF does not verify: " + "; ".join(problems))
    elif done:
        unmet.append("the signed files are not recorded (no signing base); sign again")
    return unmet


def requirements(app: App, session: Session, row: ResolutionRow, model: Resolution, body: Body,
                 meeting: _dt.date | None) -> list[str]:
    """Every unmet requirement of ``body`` for submitting ``row`` (empty when ready)."""

    unmet: list[str] = []
    if row.body != body.code:
        unmet.append(f"the resolution is addressed to {row.body} (its enacting formula names "
                     f"it), not {body.code}: submit it --to {row.body}, or change 'body' in "
                     "the text and have it approved again")
    missing = [lang for lang in body.languages if lang not in model.languages]
    if missing:
        unmet.append(f"the {body.name('en')} requires the text in {', '.join(body.languages)}; "
                     f"missing: {', '.join(missing)}")
    wanted = set(body.languages) | set(model.languages)
    for f in findings(session, row, model):
        if f.severity == "error" and (not f.languages or set(f.languages) & wanted):
            unmet.append(f"language parity: {f.ref} [{', '.join(f.languages)}] {f.rule}: "
                         f"{f.message}")
    unmet += _signature_problems(app, session, row, body)
    if meeting is not None:
        days = (meeting - clock.today()).days
        if days < body.lead_days:
            unmet.append(f"the meeting on {meeting.isoformat()} is {days} day(s) away; the "
                         f"{body.name('en')} requires submission at least {body.lead_days} "
                         "days before")
    return unmet


# -- the package ------------------------------------------------------------------------------
def _stored(app: App, digest: str) -> bytes:
    return read_stored(app, digest)


def _signed_files(app: App, session: Session, row: ResolutionRow, stem: str
                  ) -> list[PackageFile]:
    base = find_base(session, row)
    assert base is not None  # checked by requirements()
    done = records(session, row)
    signers = tuple(r.member_id for r in done)
    out = [PackageFile(f"{stem}_signed.pdf", "signed-pdf",
                       _stored(app, latest_pdf_sha(session, row, base)),
                       f"the resolution with its annexes, signed (PAdES) by "
                       f"{', '.join(signers)}", signers),
           PackageFile(f"{stem}.docx", "docx", _stored(app, base.docx_sha256),
                       "the same text as DOCX")]
    for rec in done:
        if rec.docx_p7s_sha256:
            out.append(PackageFile(f"{stem}.docx.{safe_name(rec.member_id)}.p7s", "p7s",
                                   _stored(app, rec.docx_p7s_sha256),
                                   f"detached signature of {rec.member_id} over the DOCX",
                                   (rec.member_id,)))
    cert = latest_certificate_sha(session, row)
    if cert:
        out.append(PackageFile(f"{stem}_certificate.pdf", "certificate", _stored(app, cert),
                               "certificate of completion"))
    return out


def _cover_letters(app: App, session: Session, row: ResolutionRow, body: Body, stem: str,
                   enclosed: list[PackageFile]) -> list[PackageFile]:
    from workflow.documents.views import member_names

    languages = [lang for lang in body.languages][:3]
    members = {m.id: m for m in session.exec(select(Member))}
    rows = [[f.name, f.role, [member_names(members[i]) if i in members else {"en": i}
                              for i in f.signers], f.description] for f in enclosed]
    # dated the day it is sent; enclosures described in each language from their kind
    extra = {"_date": clock.today().isoformat(),
             "_enclosures": json.dumps(rows, ensure_ascii=False, sort_keys=True)}
    out = []
    for fmt in ("docx", "pdf"):
        rendered = render_bytes(app, session, row, stage="cover-letter", fmt=fmt,
                                languages=languages, extra=extra,
                                archival=True)  # the package goes into the dossier: PDF/A-3b
        data = rendered.data if rendered.data is not None else rendered.path.read_bytes()  # type: ignore[union-attr]
        out.append(PackageFile(f"{stem}_cover-letter_{'-'.join(languages)}.{fmt}",
                               "cover-letter", data,
                               f"cover letter to the {body.name('en')} ({fmt.upper()})"))
    return out


def _manifest(row: ResolutionRow, version: Version, body: Body, number: int,
              files: list[PackageFile], meeting: _dt.date | None) -> dict[str, object]:
    return {"schema": MANIFEST_SCHEMA, "resolution": row.symbol, "version": version.number,
            "content_hash": version.content_hash, "body": body.code,
            "body_name": body.names, "submission": number,
            "created": clock.now().isoformat(),
            "meeting": meeting.isoformat() if meeting else None,
            "files": [{"name": f.name, "role": f.role, "size": len(f.data),
                       "sha256": hashlib.sha256(f.data).hexdigest(),
                       "description": f.description} for f in files]}


def _zip(files: list[tuple[str, bytes]]) -> bytes:
    """The package as a reproducible ZIP, in manifest order, stamped with the workflow clock."""
    t = clock.now().astimezone(_dt.timezone.utc)
    return zip_bytes(files, date_time=(t.year, t.month, t.day, t.hour, t.minute, t.second))


def _write_folder(parent: Path, number: int, files: list[tuple[str, bytes]],
                  zip_name: str, zipped: bytes) -> Path:
    """Write ``<parent>/<number>/`` whole or not at all (temp folder + rename)."""
    parent.mkdir(parents=True, exist_ok=True)
    final = parent / str(number)
    # Left by a run that died before its transaction committed: no row names them, and the
    # caller holds the write lock, so nobody else is building them.
    for stale in [final, *parent.glob(f".{number}.*")]:
        if stale.is_dir():
            shutil.rmtree(stale)
    tmp = Path(tempfile.mkdtemp(prefix=f".{number}.", dir=parent))
    try:
        for name, data in files:
            write_atomic(tmp / "package" / name, data)
        write_atomic(tmp / zip_name, zipped)
        os.rename(tmp, final)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return final


def _dative(body: Body, lang: str) -> str:
    """The body after "transmit to" (bodies.toml ``dative.LANG``)."""
    forms = body.forms("dative")
    if forms.get(lang):
        return str(forms[lang])
    return f"the {body.name(lang)}" if lang == "en" else body.name(lang)


def _message(app: App, session: Session, row: ResolutionRow, body: Body, number: int,
             model: Resolution, attachments: list[Attachment]) -> Message:
    """The message to the body: the subject in its first two languages, the text in each."""
    from drafts.languages import REGISTRY
    from templates.labels import quoted, section

    from_addr = sender(app, session)
    langs = [lang for lang in body.languages if lang in REGISTRY] or ["en"]
    subject = " / ".join(section("mail", lang)["submission_subject"].format(
        symbol=row.symbol, body=_dative(body, lang)) for lang in langs[:2])
    groups = app.workspace.group_names
    paragraphs = []
    for lang in langs:
        title = model.title.get(lang) or next(iter(model.title.values()), "")
        paragraphs.append(section("mail", lang)["submission_text"].format(
            wg=groups.get(lang, app.workspace.name), body=_dative(body, lang),
            symbol=row.symbol, title=quoted(title, lang)))
    text = f"{body.name(langs[0])}\n\n" + "\n\n".join(paragraphs) + "\n"
    witness = head_text(session)
    msg = compose(sender_address=from_addr, to_name=body.name(langs[0]), to_addr=body.address,
                  subject=subject, text=text + f"\n{WITNESS_LINE} {witness}\n",
                  attachments=attachments,
                  msg_id=message_id(f"submission|{row.symbol}|{number}", from_addr.domain),
                  headers={"X-Resolutions-Symbol": row.symbol,
                           "X-Resolutions-Submission": str(number), HEADER: witness})
    return queue(app, session, msg, kind="submission", resolution_id=row.id)


def submit(app: App, ref: str, body_code: str, *, meeting: _dt.date | None = None,
           send_now: bool = False) -> SubmitResult:
    """Check, package, record and queue; with ``send_now`` send the message too; then
    anchor the audit head (with a timestamp authority: ``anchor`` says what was done)."""
    if send_now and smtp_settings(app) is None:
        raise WorkspaceError("--send needs an SMTP server: add smtp_host under [delivery] in "
                             "resolutions.toml (or submit without --send; the message stays "
                             "in the outbox)")
    folder: Path | None = None
    try:
        with app.write() as session:
            row = app.resolution(session, ref)
            actor = app.acting_member(session)
            decision, body, version, model = _checked(app, session, row, actor, body_code,
                                                      meeting)
            progress.advance("the body's requirements", 1, 1)
            number = len(list(session.exec(select(Submission.id).where(
                Submission.resolution_id == row.id)))) + 1
            package = _package(app, session, row, body, version, number, meeting)
            folder = package.folder
            message = _message(app, session, row, body, number, model, [
                Attachment(package.letter.name, package.letter.data, "application/pdf"),
                Attachment(package.zip_name, package.zipped, "application/zip")])
            session.add(Submission(
                resolution_id=key_of(row), body=body.code, version_number=version.number,
                package_path=str((folder / package.zip_name).relative_to(app.workspace.root)),
                package_sha256=package.digest,
                manifest_json=json.dumps(package.manifest, ensure_ascii=False, sort_keys=True),
                message_id=message.message_id, submitted_at=clock.now()))
            move(session, row, decision, actor=actor.id,
                 detail={"body": body.code, "submission": number,
                         "package_sha256": package.digest, "message_id": message.message_id,
                         "meeting": meeting.isoformat() if meeting else None})
            progress.advance("the message to the body", 1, 1)
            result = SubmitResult(row.symbol, body.code, number, row.state, folder,
                                  folder / package.zip_name, package.digest,
                                  package.manifest["files"], key_of(message), message.status)
    except BaseException:
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)
        raise
    if send_now:
        for outcome in send(app, ids=[result.message]):
            result = replace(result, message_status=outcome.status, error=outcome.error)
    return replace(result, anchor=anchor_note(app))


def _checked(app: App, session: Session, row: ResolutionRow, actor: Member, body_code: str,
             meeting: _dt.date | None) -> tuple[Decision, Body, Version, Resolution]:
    """The gate's decision and every requirement of the body, refused together: one step
    away from submittable (approved, not signed yet) says everything still missing."""
    decision = decide(app, session, "submit", row=row, actor=actor)
    waiting = leads_to(row.state, "submit") \
        if isinstance(decision.refusal(), IllegalTransition) else None
    if waiting is None:
        decision.require()
    body = app.workspace.body(body_code)
    if not body.address:
        raise WorkflowError(f"the {body.code} body has no submission address; add "
                            f"address = \"…\" under [bodies.{body.code}]")
    version = app.version(session, row)
    model = load_version(session, version)
    unmet = requirements(app, session, row, model, body, meeting)
    if waiting is not None and not unmet:
        unmet.append(f"{row.symbol} is {row.state}, not {waiting.value} yet")
    if unmet:
        raise SubmissionRefused(row.symbol, body.code, unmet)
    return decision, body, version, model


@dataclass(frozen=True)
class _Package:
    folder: Path
    zip_name: str
    zipped: bytes
    digest: str
    manifest: dict[str, Any]
    letter: PackageFile          # the cover letter's PDF, attached to the message


def _package(app: App, session: Session, row: ResolutionRow, body: Body, version: Version,
             number: int, meeting: _dt.date | None) -> _Package:
    """The package: cover letters, the signed files, the manifest; a folder and a ZIP."""
    stem = f"{safe_name(row.symbol)}_v{version.number}"
    enclosed = _signed_files(app, session, row, stem)
    files = _cover_letters(app, session, row, body, stem, enclosed) + enclosed
    progress.advance("cover letters", 1, 1)
    manifest = _manifest(row, version, body, number, files, meeting)
    blob = json.dumps(manifest, ensure_ascii=False, indent=2).encode("utf-8") + b"\n"
    members = [(f.name, f.data) for f in files] + [("manifest.json", blob)]
    zip_name = f"{stem}_submission-{number}.zip"
    zipped = _zip(members)
    folder = _write_folder(app.workspace.state_dir / "submissions" / safe_name(row.symbol),
                           number, members, zip_name, zipped)
    app.workspace.files.publish_tree(folder)  # renamed into place: shared now
    crashpoint("submit.after-package")
    progress.advance("package", 1, 1)
    letter = next(f for f in files if f.role == "cover-letter" and f.name.endswith(".pdf"))
    return _Package(folder, zip_name, zipped, hashlib.sha256(zipped).hexdigest(), manifest,
                    letter)


def list_submissions(app: App, ref: str) -> tuple[str, list[SubmissionInfo]]:
    with app.read() as session:
        row = app.resolution(session, ref)
        rows = session.exec(select(Submission).where(Submission.resolution_id == row.id)
                            .order_by(col(Submission.id)))
        out = []
        for number, sub in enumerate(rows, start=1):
            msg = session.exec(select(Message).where(Message.message_id == sub.message_id)).first()
            out.append(SubmissionInfo(
                number, sub.body, sub.version_number, sub.submitted_at.isoformat(),
                sub.package_path, sub.package_sha256, sub.message_id,
                msg.status if msg else "", sub.receipt_ref, sub.outcome, sub.note,
                sub.received_at.isoformat() if sub.received_at else None))
        return row.symbol, out
