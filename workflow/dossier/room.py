"""The reading room of a dossier (``templates.room``): the views of its pages, built from
the same database the rest of the bag is written from, and the pages as payload files —
``data/index.html`` and ``data/<folder>/index.html`` — listed in the manifests and so under
the seal like every other file.

Every value is taken from the rows: exporting the same workspace twice gives the same pages.
The signatures are checked at export, offline, as the working group's trust anchors and
revocation lists judge them; the page says what pyHanko concluded (a verdict changes only
when the facts do: a certificate expired or revoked since).
"""

from __future__ import annotations

import datetime as _dt
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

from sqlmodel import Session, col, select

from drafts.markup import plain
from workflow.app import App
from workflow.documents.views import document_view, member_names
from workflow.dossier.howto import SEALED_AT, Howto, steps
from workflow.dossier.plan import ResolutionPlan
from workflow.store.models import (
    Amendment,
    Approval,
    AuditEvent,
    Comment,
    Member,
    ResolutionRow,
    ReviewRound,
    SignatureRecord,
    Submission,
    Version,
)
from workflow.store.texts import load_version

if TYPE_CHECKING:
    from drafts.model import Resolution
    from templates.events import EventRow
    from templates.room import (
        ApprovalRoom,
        IndexEntry,
        Link,
        RoundRoom,
        SignatureRoom,
        SubmissionRoom,
        VerifyStep,
        VersionRoom,
    )
    from templates.view import DocumentView

_Owned = TypeVar("_Owned", Amendment, Approval, AuditEvent, Comment, ReviewRound,
                  SignatureRecord, Submission, Version)

__all__ = ["ROOM_PAGE", "resolution_page", "index_page", "verify_steps"]

ROOM_PAGE = "index.html"


def _when(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, _dt.datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=_dt.timezone.utc)
        return moment.astimezone(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    return str(value)


def verify_steps(howto: Howto) -> tuple[VerifyStep, ...]:
    from templates.room import VerifyStep

    return tuple(VerifyStep(texts=texts, commands=tuple(lines)) for texts, lines in steps(howto))


def _howto(app: App, ca_sha256: str, seal_sha256: str, head: tuple[int, str],
           pdfs: Sequence[str] = (), detached: Sequence[tuple[str, str]] = (),
           tsa_roots: Sequence[str] = (), stamped: bool = False) -> Howto:
    from workflow.dossier.seal import SEAL_CERT

    h = Howto(ca="data/trust/ca.pem", seal_cert=f"data/{SEAL_CERT}", ca_sha256=ca_sha256,
              seal_sha256=seal_sha256, head=head, attime=SEALED_AT,  # type: ignore[arg-type]
              pdfs=list(pdfs), detached=list(detached))
    h.tsa_roots, h.seal_timestamp = list(tsa_roots), stamped
    h.archive_timestamp = stamped
    return h


def _signature_checks(app: App, pdfs: dict[int, bytes], at: _dt.datetime | None
                      ) -> dict[tuple[int, str], tuple[bool, str]]:
    """(version, field) -> (valid, summary) for every signature of the signed PDFs."""
    from signatures.errors import SignatureError
    from signatures.verify import verify_pdf
    from workflow.signing.keys import trust_roots
    from workflow.signing.trust import crl_blobs

    out: dict[tuple[int, str], tuple[bool, str]] = {}
    roots, stamps, crls = trust_roots(app), trust_roots(app, "timestamps"), crl_blobs(app)
    for version, pdf in pdfs.items():
        try:
            report = verify_pdf(pdf, roots, timestamp_roots=stamps, at=at, crls=crls)
        except SignatureError as exc:
            out[(version, "")] = (False, str(exc))
            continue
        for sig in report.signatures:
            out[(version, sig.field_name)] = (sig.ok, sig.summary)
    return out


@dataclass
class _Rows:
    """What one resolution's page is drawn from: its rows, its members' names, the files of
    its folder in the bag."""

    app: App
    session: Session
    row: ResolutionRow
    plan: ResolutionPlan
    members: dict[str, Member]
    files: dict[str, str]

    @property
    def rid(self) -> int:
        return self.row.id or 0

    def name(self, member_id: str) -> str:
        m = self.members.get(member_id)
        return f"{m.name} ({member_id})" if m else member_id

    def link(self, rel: str, text: str | None = None) -> Link | None:
        from templates.room import Link

        return Link(rel, text or rel, self.files[rel]) if rel in self.files else None

    def of(self, model: type[_Owned], *order: object) -> list[_Owned]:
        return list(self.session.exec(select(model).where(model.resolution_id == self.rid)
                                      .order_by(*[col(o) for o in order])))


def resolution_page(app: App, session: Session, row: ResolutionRow, plan: ResolutionPlan,
                    tsa_roots: Sequence[str] = (), stamped: bool = False,
                    ca_sha256: str = "", seal_sha256: str = "") -> tuple[bytes, IndexEntry]:
    """The page of one resolution (UTF-8), and its line on the bag's first page."""
    from templates.room import IndexEntry, Link, ResolutionRoom, render_resolution

    rows = _Rows(app, session, row, plan, {m.id: m for m in session.exec(select(Member))},
                 {e.path.removeprefix(plan.folder + "/"): e.description for e in plan.entries})
    versions = rows.of(Version, Version.number)
    models = [load_version(session, v) for v in versions]
    languages = tuple(models[-1].languages)
    current = document_view(app, session, row, versions[-1].number, models[-1], stage="draft",
                            languages=languages, layout="parallel")
    signatures, pdfs = _signature_rooms(rows)
    howto = _howto(app, ca_sha256, seal_sha256, (0, ""), *_signed_paths(rows, pdfs), tsa_roots,
                   stamped)
    body = app.workspace.body(row.body)
    room = ResolutionRoom(
        symbol=row.symbol, number=row.number, titles=dict(models[-1].title),
        languages=languages, state=str(getattr(row.state, "value", row.state)),
        body=body.names.get(languages[0], body.code) if languages else body.code,
        current=current, versions=_version_rooms(rows, versions, models, current),
        rounds=_round_rooms(rows), approvals=_approval_rooms(rows), signatures=signatures,
        signatures_checked_at=("checked when this dossier was exported, offline (pyHanko), "
                               "against the working group's trust anchors and revocation "
                               "lists; 'dossier verify' and VERIFY.txt check them again"),
        submissions=_submission_rooms(rows), events=_told(rows, languages),
        files=tuple(Link(rel, rel, text) for rel, text in rows.files.items()),
        verify=tuple(s for s in verify_steps(howto)), working_group=app.workspace.group_names)
    entry = IndexEntry(row.symbol, f"{plan.folder}/{ROOM_PAGE}", room.titles, room.state,
                       room.body, len(versions), languages)
    return render_resolution(room).encode("utf-8"), entry


def _version_rooms(rows: _Rows, versions: list[Version], models: list[Resolution],
                   current: DocumentView) -> tuple[VersionRoom, ...]:
    """Each version: its files, and its text marked against the one before."""
    from templates.room import VersionRoom

    rooms = []
    for i, (ver, model) in enumerate(zip(versions, models)):
        previous = (versions[i - 1].number, models[i - 1]) if i else None
        view = document_view(rows.app, rows.session, rows.row, ver.number, model,
                             stage="redline", languages=tuple(model.languages),
                             layout="parallel", previous=previous) if previous else current
        d = f"versions/v{ver.number}"
        links = [x for x in (rows.link(f"{d}/source.yaml", "YAML"),
                             rows.link(f"{d}/text.pdf", "PDF/A"),
                             rows.link(f"{d}/text.docx", "DOCX"),
                             rows.link(f"{d}/redline.pdf", "redline PDF")) if x is not None]
        rooms.append(VersionRoom(ver.number, _when(ver.created_at), rows.name(ver.author),
                                 ver.note, ver.content_hash, tuple(links), view,
                                 sum(1 for p in view.paragraphs() if p.status) if previous else 0))
    return tuple(rooms)


def _round_rooms(rows: _Rows) -> tuple[RoundRoom, ...]:
    """Each review round with its comments and amendments."""
    from templates.room import AmendmentRoom, CommentRoom, RoundRoom

    comments = rows.of(Comment, Comment.number)
    amendments = rows.of(Amendment, Amendment.number)
    name = rows.name
    return tuple(RoundRoom(
        rnd.number, rnd.version_number,
        tuple(name(r) for r in rnd.reviewers.split(",") if r), _when(rnd.opened_at),
        rnd.due.isoformat() if rnd.due else "", _when(rnd.closed_at), rnd.outcome,
        tuple(CommentRoom(c.number, c.ref, name(c.author), c.type, c.text, c.proposal,
                          c.disposition, c.note) for c in comments if c.round_id == rnd.id),
        tuple(AmendmentRoom(a.number, a.target_ref, a.op, name(a.author),
                            {lang: plain(text) for lang, text in
                             json.loads(a.texts_json or "{}").items()}, a.why, a.status,
                            a.applied_version) for a in amendments if a.round_id == rnd.id),
        rows.link(f"review/round-{rnd.number}.json"))
        for rnd in rows.of(ReviewRound, ReviewRound.number))


def _approval_rooms(rows: _Rows) -> tuple[ApprovalRoom, ...]:
    from templates.room import ApprovalRoom
    from workflow.documents.rendering import safe_name

    out = []
    for a in rows.of(Approval, Approval.at, Approval.id):
        stem = f"approvals/{safe_name(a.member_id)}-v{a.version_number}-{a.id}.json"
        out.append(ApprovalRoom(rows.name(a.member_id), a.decision, a.version_number,
                                _when(a.at), a.void, a.note,
                                rows.link(stem, "statement") if a.statement else None))
    return tuple(out)


def _signature_rooms(rows: _Rows) -> tuple[tuple[SignatureRoom, ...], dict[int, bytes]]:
    """Each signature with pyHanko's verdict on the last signed PDF of its version, and
    those PDFs by version."""
    from templates.room import SignatureRoom

    sigs = rows.of(SignatureRecord, SignatureRecord.version_number, SignatureRecord.id)
    pdfs: dict[int, bytes] = {}
    for s in sigs:
        path = rows.app.store_path(s.signed_sha256)
        if f"signed/v{s.version_number}/signed.pdf" in rows.files and path.is_file():
            last = [x for x in sigs if x.version_number == s.version_number][-1]
            if last.signed_sha256 == s.signed_sha256:
                pdfs[s.version_number] = path.read_bytes()
    checks = _signature_checks(rows.app, pdfs, None) if pdfs else {}
    out = []
    for s in sigs:
        found = checks.get((s.version_number, s.field_name)) or checks.get((s.version_number, ""))
        out.append(SignatureRoom(
            rows.name(s.member_id), s.version_number, s.field_name, s.cert_fingerprint,
            _when(s.at), None if found is None else found[0], "" if found is None else found[1],
            rows.link(f"signed/v{s.version_number}/signed.pdf", "signed PDF")))
    return tuple(out), pdfs


def _signed_paths(rows: _Rows, pdfs: dict[int, bytes]
                  ) -> tuple[list[str], list[tuple[str, str]]]:
    """The signed PDFs and the (detached signature, signed file) pairs, as paths in the bag."""
    base = f"data/{rows.plan.folder}"
    files = rows.files
    detached = [(f"{base}/{p}", f"{base}/{p.removesuffix('.p7s')}") for p in files
                if p.endswith(".json.p7s")] + [
        (f"{base}/{p}", f"{base}/{p.rsplit('/', 1)[0]}/text.docx") for p in files
        if p.startswith("signed/") and p.endswith(".p7s")]
    return [f"{base}/signed/v{v}/signed.pdf" for v in sorted(pdfs)], detached


def _submission_rooms(rows: _Rows) -> tuple[SubmissionRoom, ...]:
    from templates.room import Link, SubmissionRoom
    from workflow.delivery.records import receipts_of

    answers = receipts_of(rows.session, rows.rid)
    out = []
    for k, sub in enumerate(rows.of(Submission, Submission.id), 1):
        mine = [Link(rel, rel, rows.files[rel]) for rel in rows.files
                if rel.startswith(f"submissions/{k}/")]
        out.append(SubmissionRoom(
            k, sub.body, sub.version_number, _when(sub.submitted_at), sub.package_sha256,
            tuple(mine), tuple({k2: str(v or "") for k2, v in r.items()}
                               for r in answers.get(sub.id or 0, []))))
    return tuple(out)


def _told(rows: _Rows, languages: tuple[str, ...]) -> tuple[EventRow, ...]:
    """The resolution's audit events, told in its languages."""
    from templates.events import event_rows
    from templates.view import EventView

    people = {m.id: member_names(m) for m in rows.members.values()}
    body = rows.app.workspace.body(rows.row.body)
    people[body.code] = dict(body.names)
    return tuple(event_rows([EventView(seq=e.seq, at=e.at.isoformat(), actor=e.actor,
                                       action=e.action, detail=e.detail, hash=e.hash)
                             for e in rows.of(AuditEvent, AuditEvent.seq)], languages, people))


def index_page(app: App, entries: Sequence[IndexEntry], head: tuple[int, str],
               files: Sequence[tuple[str, str]], ca_sha256: str, seal_sha256: str,
               tsa_roots: Sequence[str] = (), stamped: bool = False) -> bytes:
    """The bag's first page (UTF-8): the resolutions (the entries :func:`resolution_page`
    gave), the top-level files, how to verify."""
    from templates.room import IndexRoom, Link, render_index

    howto = _howto(app, ca_sha256, seal_sha256, head, tsa_roots=tsa_roots, stamped=stamped)
    room = IndexRoom(app.workspace.group_names, tuple(app.workspace.languages), tuple(entries),
                     tuple(Link(rel + ROOM_PAGE if rel.endswith("/") else rel, rel, text)
                           for rel, text in files),
                     verify_steps(howto), head)
    return render_index(room).encode("utf-8")
