"""The outbox: every message is an RFC 5322 ``.eml`` file first, a row in ``messages``
second, and an SMTP transaction only when ``[delivery]`` names a server.

A message is written once (atomically) and never rebuilt: sending reads the file back and
checks it against its recorded SHA-256. Sending claims a message in its own transaction
(``queued``/``failed`` → ``sending``) before the SMTP conversation, so two senders never
send the same message, and a sent message is never sent again. A refused or unreachable
server leaves the message ``failed`` with the error; ``outbox retry`` tries again.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import smtplib
import ssl
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

from sqlalchemy import update
from sqlmodel import Session, col, select

from workflow import clock
from workflow.app import App
from workflow.errors import InvalidInput, WorkspaceError
from workflow.lifecycle.steps import act, allow
from workflow.rows import MessageInfo
from workflow.store import facts
from workflow.store.config import SmtpSettings
from workflow.store.files import write_atomic
from workflow.store.models import Message, holding

__all__ = ["SmtpSettings", "smtp_settings", "Attachment", "compose", "queue", "send",
           "list_messages", "MessageInfo", "SendResult", "sender", "PASSWORD_ENV", "message_id"]

#: where the command line finds the SMTP password (it hands it to ``App.smtp_password``)
PASSWORD_ENV = "RESOLUTIONS_SMTP_PASSWORD"
PENDING = ("queued", "failed")


def _describe_server(settings: SmtpSettings) -> str:
    return f"{settings.host}:{settings.port} ({settings.security})"


@dataclass(frozen=True)
class Attachment:
    filename: str
    data: bytes
    mime: str  # "application/pdf"



@dataclass(frozen=True)
class SendResult:
    id: int
    recipient: str
    status: str
    error: str = ""


def smtp_settings(app: App) -> SmtpSettings | None:
    """The SMTP server of ``[delivery]``, or None when messages stay in the outbox."""
    return app.workspace.settings.delivery.smtp


def sender(app: App, session: Session) -> Address:
    """The From address: ``[delivery] from``, else the secretary's e-mail."""
    addr = app.workspace.settings.delivery.sender
    if not addr:
        secretary = session.exec(holding("secretary")).first()
        addr = secretary.email if secretary and secretary.email else "secretariat@resolutions.invalid"
    return _address(app.workspace.name, addr)


def _address(display: str, addr: str) -> Address:
    addr = addr.strip()
    user, at, domain = addr.rpartition("@")
    if not at or not user or not domain or any(c.isspace() for c in addr):
        raise InvalidInput(f"{addr!r} is not an e-mail address")
    return Address(display_name=display, username=user, domain=domain)


def message_id(seed: str, domain: str) -> str:
    """A Message-ID derived from ``seed``: composing the same message again gives the same
    id, so the unique column refuses a second copy."""
    from workflow.store.outbox_ids import derived_id

    return derived_id(seed, domain)


def compose(*, sender_address: Address, to_name: str, to_addr: str, subject: str, text: str,
            attachments: Sequence[Attachment], msg_id: str,
            headers: dict[str, str] | None = None) -> EmailMessage:
    """A multipart/mixed message; non-ASCII names and subject become RFC 2047 words,
    folded without losing a space (:mod:`workflow.delivery.headers`)."""
    from workflow.delivery.headers import set_address_header, set_text_header

    msg = EmailMessage()
    set_address_header(msg, "From", sender_address)
    set_address_header(msg, "To", _address(to_name, to_addr))
    set_text_header(msg, "Subject", subject)
    msg["Date"] = format_datetime(clock.now())
    msg["Message-ID"] = msg_id
    for key, value in (headers or {}).items():
        msg[key] = value
    msg.set_content(text, charset="utf-8", cte="quoted-printable")
    for item in attachments:
        maintype, _, subtype = item.mime.partition("/")
        msg.add_attachment(item.data, maintype=maintype, subtype=subtype,
                           filename=item.filename)
    return msg


def _file_name(msg_id: str, kind: str) -> str:
    """Named by the Message-ID: a message re-queued after an interrupted run overwrites the
    file that run left behind instead of leaving an orphan."""
    local = hashlib.sha256(msg_id.encode("utf-8")).hexdigest()[:20]
    return f"{kind}-{local}.eml"


def queue(app: App, session: Session, msg: EmailMessage, *, kind: str,
          resolution_id: int | None) -> Message:
    """Write ``msg`` to the outbox and record it (in the caller's transaction). A message
    with the same Message-ID already recorded is returned as it is, not written again."""
    msg_id = str(msg["Message-ID"])
    existing = session.exec(select(Message).where(Message.message_id == msg_id)).first()
    if existing is not None:
        return existing
    data = msg.as_bytes(policy=msg.policy.clone(linesep="\r\n"))  # RFC 5322: CRLF
    # a message holds a reviewer's personal copy and form: the owner's only (0600 in 0700)
    path = app.workspace.private_dir(app.workspace.outbox_dir) / _file_name(msg_id, kind)
    write_atomic(path, data, mode=0o600)
    to = msg["To"].addresses[0]
    row = Message(message_id=msg_id, resolution_id=resolution_id, kind=kind,
                  recipient=to.addr_spec, subject=str(msg["Subject"]),
                  eml_path=str(path.relative_to(app.workspace.root)),
                  eml_sha256=hashlib.sha256(data).hexdigest(), status="queued",
                  created_at=clock.now())
    session.add(row)
    session.flush()
    return row


# -- listing -------------------------------------------------------------------------------
def _iso(value: _dt.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def list_messages(app: App, status: str | None = None) -> list[MessageInfo]:
    with app.read() as session:
        statement = select(Message).order_by(col(Message.id))
        if status:
            statement = statement.where(Message.status == status)
        return [MessageInfo(m.id, m.message_id, m.kind, m.recipient, m.subject, m.status,  # type: ignore[arg-type]
                            m.attempts, m.error, m.eml_path, m.created_at.isoformat(),
                            _iso(m.sent_at)) for m in session.exec(statement)]


# -- sending -------------------------------------------------------------------------------
def _claim(app: App, message_pk: int, statuses: Iterable[str]) -> Message | None:
    """Mark one message ``sending`` unless someone else has it (or it is sent)."""
    with app.write() as session:
        result = session.exec(
            update(Message).where(col(Message.id) == message_pk,
                                  col(Message.status).in_(tuple(statuses)))
            .values(status="sending", attempts=col(Message.attempts) + 1))
        if result.rowcount != 1:
            return None
        claimed = session.get(Message, message_pk)
        if claimed is not None:
            facts.touched(session, claimed)
        return claimed


def _finish(app: App, message_pk: int, error: str) -> None:
    with app.write() as session:
        row = session.get(Message, message_pk)
        assert row is not None
        if error:
            row.status, row.error = "failed", error
        else:
            row.status, row.error, row.sent_at = "sent", "", clock.now()
        session.add(row)


def _connect(settings: SmtpSettings, password: str | None) -> smtplib.SMTP:
    context = ssl.create_default_context()
    if settings.security == "ssl":
        conn: smtplib.SMTP = smtplib.SMTP_SSL(settings.host, settings.port,
                                              timeout=settings.timeout, context=context)
    else:
        conn = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
        if settings.security == "starttls":
            conn.starttls(context=context)
    if settings.user:
        if password is None:
            conn.close()
            raise smtplib.SMTPAuthenticationError(
                0, f"[delivery] smtp_user is set but {PASSWORD_ENV} is not".encode())
        conn.login(settings.user, password)
    return conn


def _envelope(app: App, row: Message) -> tuple[str, bytes]:
    path = eml_path(app, row)
    data = path.read_bytes()
    if hashlib.sha256(data).hexdigest() != row.eml_sha256:
        raise InvalidInput(f"{row.eml_path} was changed after it was queued "
                           "(its SHA-256 differs); not sending it")
    from email import message_from_bytes, policy

    parsed = message_from_bytes(data, policy=policy.default)
    return parsed["From"].addresses[0].addr_spec, data


def _describe(exc: BaseException) -> str:
    if isinstance(exc, smtplib.SMTPResponseException):
        text = exc.smtp_error.decode("utf-8", "replace") if isinstance(exc.smtp_error, bytes) \
            else str(exc.smtp_error)
        return f"SMTP {exc.smtp_code}: {text}".strip()
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return "recipient refused: " + "; ".join(
            f"{addr} ({code} {msg.decode('utf-8', 'replace')})"
            for addr, (code, msg) in exc.recipients.items())
    return f"{type(exc).__name__}: {exc}"


def send(app: App, *, retry: bool = False, ids: Sequence[int] | None = None) -> list[SendResult]:
    """Send queued messages (and failed ones with ``retry``); ``ids`` limits the batch.

    Each message is claimed before it is sent and marked sent or failed after, in its
    own transaction: a delivered message is never sent twice."""
    settings = smtp_settings(app)
    if settings is None:
        raise WorkspaceError(f"no SMTP server configured: the messages stay as .eml files in "
                             f"{app.workspace.outbox_dir}; add smtp_host under [delivery] in "
                             "resolutions.toml to send them")
    statuses = PENDING if retry else ("queued",)
    with app.write() as session:  # who may send: the gate (a refusal is audited)
        act(session, allow(app, session, "outbox send"))
    with app.read() as session:
        statement = select(Message.id).where(Message.status.in_(statuses))  # type: ignore[attr-defined]
        if ids is not None:
            statement = statement.where(Message.id.in_(list(ids)))  # type: ignore[union-attr]
        candidates = [int(pk) for pk in session.exec(statement.order_by(col(Message.id)))
                      if pk is not None]
    results: list[SendResult] = []
    conn: smtplib.SMTP | None = None
    connect_error = ""
    try:
        for pk in candidates:
            row = _claim(app, pk, statuses)
            if row is None:
                continue
            error = connect_error
            if not error:
                try:
                    from_addr, data = _envelope(app, row)
                    if conn is None:
                        conn = _connect(settings, app.smtp_password)
                    conn.sendmail(from_addr, [row.recipient], data)
                except (smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError,
                        smtplib.SMTPAuthenticationError, ssl.SSLError, OSError) as exc:
                    error = _describe(exc)
                    if conn is None:
                        connect_error = f"cannot reach {_describe_server(settings)}: {error}"
                        error = connect_error
                    else:
                        _close(conn)
                        conn = None
                except (smtplib.SMTPException, InvalidInput) as exc:
                    error = _describe(exc) if isinstance(exc, smtplib.SMTPException) else str(exc)
            _finish(app, pk, error)
            results.append(SendResult(pk, row.recipient, "failed" if error else "sent", error))
    finally:
        if conn is not None:
            _close(conn)
    return results


def _close(conn: smtplib.SMTP) -> None:
    try:
        conn.quit()
    except (smtplib.SMTPException, OSError):
        conn.close()


def eml_path(app: App, row: Message) -> Path:
    """The message's file in this workspace folder (fetched from the shared store when this
    machine does not have it)."""
    return app.workspace.files.ensure(row.eml_path, row.eml_sha256 or None)
