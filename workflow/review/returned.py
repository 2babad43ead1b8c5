"""Where a returned form came from: what makes a comment form (or an annotated review copy)
the reviewer's own word and not a copy in someone else's hands.

The form's token binds it to the reviewer, their mailbox and the round (``store.tokens``);
but a blank form is a bearer token — whoever holds it could fill it in. So a returned file
is imported for its reviewer only with one of:

- **the message it came back in** (``comments import REF reply.eml``): its ``From`` is the
  reviewer's registered address and its ``In-Reply-To``/``References`` name the review copy
  the engine sent that reviewer for this round; with ``[delivery] authserv_id`` set, the
  receiving server's ``Authentication-Results`` must also show DMARC or DKIM passing for
  the sender's domain;
- **the reviewer's signed statement**: their detached CMS signature over the file's exact
  bytes (``--signed-statement FILE.p7s``), by the certificate registered for them;
- **the reviewer's own login** (PostgreSQL): they import their form themselves.

The evidence (the message or the signature) is kept in the content-addressed store and
named in each comment's audit event with who typed the import."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import parseaddr
from pathlib import Path

from sqlmodel import Session, select

from workflow.app import App
from workflow.errors import InvalidInput, SecretWithheld
from workflow.store.files import store_bytes
from workflow.store.models import Member, MemberCertificate, Message, ResolutionRow, ReviewRound

__all__ = ["Reply", "Provenance", "FormRefused", "read_reply", "is_message", "provenance",
           "RETURNED_KINDS"]

#: the attachments a reply may carry back: a filled comment form, an annotated copy
RETURNED_KINDS = {".docx": "form", ".pdf": "pdf"}
_MAX_MESSAGE = 80 * 1024 * 1024
_MSG_ID = re.compile(r"<[^<>\s]+>")


class FormRefused(InvalidInput):
    """A returned comment form or copy that is refused as a whole (nothing is stored)."""


@dataclass(frozen=True)
class Reply:
    """A reviewer's reply message, as read from its RFC 5322 file."""

    name: str
    data: bytes
    sender: str
    answers: tuple[str, ...]                  # Message-IDs in In-Reply-To and References
    attachments: tuple[tuple[str, bytes], ...]  # (file name, bytes) of forms and copies
    auth_results: tuple[str, ...] = ()

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


@dataclass(frozen=True)
class Provenance:
    """Why a returned file is its reviewer's: the kind, and the evidence's hash."""

    kind: str          # reply-message | signed-statement | own-login
    sha256: str = ""
    detail: dict[str, object] = field(default_factory=dict)

    def event_detail(self, reviewer: str, typed_by: str) -> dict[str, object]:
        out: dict[str, object] = {"returned_in": self.kind, "typed_by": typed_by, **self.detail}
        if reviewer != typed_by:
            out["on_behalf_of"] = reviewer
        if self.sha256:
            out.update(evidence=self.kind, evidence_sha256=self.sha256)
        return out


def is_message(path: Path, head: bytes) -> bool:
    """An ``.eml`` file, or a file that starts like a mail message's header."""
    if path.suffix.lower() == ".eml":
        return True
    return bool(re.match(rb"^(Return-Path|Received|From|Message-ID|Date|MIME-Version|"
                         rb"Delivered-To|Authentication-Results|To|Subject): ",
                         head[:200], re.IGNORECASE))


def read_reply(path: Path) -> Reply:
    """The reply message at ``path`` and the forms or copies attached to it."""
    size = path.stat().st_size
    if size > _MAX_MESSAGE:
        raise FormRefused(f"{path.name}: the message is {size // (1024 * 1024)} MB, far larger "
                       "than a reply with a form; nothing was imported")
    data = path.read_bytes()
    try:
        msg = BytesParser(policy=policy.default).parsebytes(data)
    except Exception as exc:  # noqa: BLE001 - any parsing failure is a refusal of the file
        raise FormRefused(f"{path.name} cannot be read as a mail message ({exc}); nothing was "
                       "imported") from None
    assert isinstance(msg, EmailMessage)
    sender = parseaddr(str(msg.get("From", "")))[1].strip().lower()
    answers = tuple(_MSG_ID.findall(" ".join(str(msg.get(h, "")) for h in
                                             ("In-Reply-To", "References"))))
    found: list[tuple[str, bytes]] = []
    for part in msg.iter_attachments():
        name = Path(str(part.get_filename() or "")).name or "attachment"
        payload = part.get_payload(decode=True)
        if isinstance(payload, bytes) and (Path(name).suffix.lower() in RETURNED_KINDS
                                           or payload[:5] in (b"%PDF-", b"PK\x03\x04")):
            found.append((name, payload))
    if not found:
        raise FormRefused(f"{path.name} carries no comment form (.docx) or review copy (.pdf); "
                       "import the reply that has the reviewer's file attached — nothing was "
                       "imported")
    return Reply(path.name, data, sender, answers, tuple(found),
                 tuple(str(v) for v in msg.get_all("Authentication-Results", [])))


def _copy_sent(session: Session, row: ResolutionRow, rnd: ReviewRound, member: Member,
               answers: tuple[str, ...]) -> bool:
    """Whether one of ``answers`` is the review copy sent to ``member`` for ``rnd``: the
    engine's Message-ID for (symbol, round, reviewer) at its own domain, to their address."""
    for msg_id in answers:
        sent = session.exec(select(Message).where(Message.message_id == msg_id,
                                                  Message.kind == "review-copy",
                                                  Message.resolution_id == row.id)).first()
        if sent is None or sent.recipient.lower() != (member.email or "").lower():
            continue
        domain = msg_id.strip("<>").rpartition("@")[2]
        seed = f"review|{row.symbol}|{rnd.number}|{member.id}"
        expected = f"<{hashlib.sha256(seed.encode('utf-8')).hexdigest()[:32]}@{domain}>"
        if expected == msg_id:
            return True
    return False


def _authenticated(reply: Reply, authserv: str) -> bool:
    """The receiving server ``authserv`` says DMARC passed, or DKIM for the sender's domain."""
    domain = reply.sender.rpartition("@")[2]
    for header in reply.auth_results:
        server, _, results = header.partition(";")
        if server.strip().split()[0:1] != [authserv]:
            continue
        text = results.lower()
        if re.search(r"\bdmarc=pass\b", text) and f"header.from={domain}" in text:
            return True
        for dkim in re.findall(r"\bdkim=pass\b[^;]*", text):
            if f"header.d={domain}" in dkim or f"header.i=@{domain}" in dkim:
                return True
    return False


def provenance(app: App, session: Session, row: ResolutionRow, rnd: ReviewRound,
               reviewer: str, file_name: str, data: bytes, *, reply: Reply | None = None,
               statement: bytes | None = None) -> Provenance:
    """Why ``data`` (named ``file_name``) is ``reviewer``'s own, or a refusal that says
    what to bring. Keeps the evidence in the content-addressed store."""
    member = app.member(session, reviewer)
    if statement is not None:
        return _statement(app, session, member, file_name, data, statement)
    if reply is not None:
        return _reply(app, session, row, rnd, member, file_name, reply)
    return own_login(app, session, row, reviewer, file_name)


def issued_or_own_login(app: App, session: Session, row: ResolutionRow, reviewer: str,
                        file_name: str, issued: Callable[[], bool]) -> bool:
    """``issued()``: whether the file's binding token is the one issued to ``reviewer``.
    A login that may not read the binding secret (a member's own PostgreSQL role) cannot
    ask; there the database's authentication of ``reviewer`` themselves stands in for it,
    and anyone else is refused, told what to bring."""
    try:
        return issued()
    except SecretWithheld:
        own_login(app, session, row, reviewer, file_name)
        return True


def own_login(app: App, session: Session, row: ResolutionRow, reviewer: str,
              file_name: str) -> Provenance:
    """``own-login`` when the database authenticated ``reviewer`` themselves (their own
    PostgreSQL role), else the refusal that says what to bring."""
    if app.connected_member(session) == reviewer:
        return Provenance("own-login")
    own = (f", or let {reviewer} import it logged in as themselves"
           if not app.db.is_sqlite else "")
    raise FormRefused(
        f"{file_name} is {reviewer}'s, but nothing shows it came from {reviewer}: import the "
        f"message it came back in ('resolutions comments import {row.symbol} REPLY.eml'), or "
        f"bring {reviewer}'s signature over the file (--signed-statement FILE.p7s){own} — "
        "nothing was imported")


def _reply(app: App, session: Session, row: ResolutionRow, rnd: ReviewRound, member: Member,
           file_name: str, reply: Reply) -> Provenance:
    where = f"{file_name} (in {reply.name})"
    if not member.email or reply.sender != member.email.lower():
        raise FormRefused(f"{where} came back from {reply.sender or 'no sender'}, not from "
                       f"{member.id}'s address {member.email or '(none registered)'}: a form "
                       f"is imported from its own reviewer only — nothing was imported")
    if not _copy_sent(session, row, rnd, member, reply.answers):
        raise FormRefused(f"{where} does not answer the review copy sent to {member.id} for "
                       f"round {rnd.number} of {row.symbol} (its In-Reply-To and References "
                       "name no such message); import the reviewer's reply to that message — "
                       "nothing was imported")
    authserv = app.workspace.settings.delivery.authserv_id
    if authserv and not _authenticated(reply, authserv):
        raise FormRefused(f"{where}: {authserv} did not authenticate the sender {reply.sender} "
                       "(no Authentication-Results with dmarc=pass or dkim=pass for its "
                       "domain) — nothing was imported")
    store_bytes(app.workspace.store_dir, reply.data)
    return Provenance("reply-message", reply.sha256,
                      {"reply_from": reply.sender, **({"authserv": authserv} if authserv else {})})


def _statement(app: App, session: Session, member: Member, file_name: str, data: bytes,
               statement: bytes) -> Provenance:
    from signatures.cms import verify_detached
    from signatures.errors import VerificationError
    from workflow.signing.keys import trust_roots

    try:
        report = verify_detached(data, statement, trust_roots(app))
    except VerificationError as exc:
        raise FormRefused(f"the signed statement over {file_name} cannot be read: {exc} — "
                       "nothing was imported") from None
    cert = session.get(MemberCertificate, member.id)
    if not report.ok:
        raise FormRefused(f"the signed statement is not a valid signature over {file_name}: "
                       + "; ".join(report.problems) + " — nothing was imported")
    if cert is None or cert.fingerprint != report.signer_sha256:
        raise FormRefused(f"the statement over {file_name} is signed by "
                       f"{report.signer_common_name!r}, not by {member.id}'s registered "
                       "certificate — nothing was imported")
    store_bytes(app.workspace.store_dir, statement)
    return Provenance("signed-statement", hashlib.sha256(statement).hexdigest())
