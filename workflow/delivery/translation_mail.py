"""An XLIFF file to a translator, through the outbox: one message with the file attached
and a short note in the translator's language (Russian, Chinese or English).

The recipient is a member (by id) or an e-mail address. The Message-ID is derived from the
file's SHA-256 and the recipient, so sending the same file again finds it queued.
"""

from __future__ import annotations

import hashlib

from sqlmodel import Session, select

from drafts.languages import REGISTRY
from templates.labels import language_name, section
from workflow.app import App
from workflow.delivery.outbox import (
    Attachment,
    compose,
    message_id,
    queue,
    send,
    sender,
    smtp_settings,
)
from workflow.errors import InvalidInput
from workflow.lifecycle.steps import act, allow
from workflow.store.models import Member, Message

__all__ = ["send_xliff", "XLIFF_MIME"]

XLIFF_MIME = "application/xliff+xml"

def _recipient(session: Session, to: str) -> tuple[str, str, str]:
    """(name, address, language) of a member id or an e-mail address."""
    member = session.get(Member, to) if "@" not in to else None
    if member is not None:
        if not member.email:
            raise InvalidInput(f"{member.id} has no e-mail address; add one with 'resolutions "
                               f"member add {member.id} … --email' or pass an address")
        return member.name, member.email, member.lang
    return to, to, ""


def send_xliff(app: App, *, symbol: str, version: int, source: str, target: str,
               data: bytes, filename: str, to: str) -> str:
    """Queue (and, with SMTP configured, send) the file to ``to``; one line on what
    happened."""
    with app.write() as session:
        row = app.resolution(session, symbol)
        act(session, allow(app, session, "translations send", row=row), row)
        name, addr, member_lang = _recipient(session, to.strip())
        lang = next(lang for lang in (member_lang, target, "en") if lang in REGISTRY)
        mail = section("mail", lang)
        facts = {"name": name, "symbol": row.symbol, "version": version,
                 "source": language_name(source, lang), "target": language_name(target, lang),
                 "group": app.workspace.group_names.get(lang, app.workspace.name)}
        from_addr = sender(app, session)
        digest = hashlib.sha256(data).hexdigest()
        msg_id = message_id(f"xliff|{row.symbol}|{digest}|{addr}", from_addr.domain)
        existing = session.exec(select(Message).where(Message.message_id == msg_id)).first()
        if existing is not None:
            return f"{addr}: {filename} already in the outbox ({existing.status})"
        msg = compose(sender_address=from_addr, to_name=name, to_addr=addr,
                      subject=mail["translation_subject"].format(**facts),
                      text=mail["translation_text"].format(**facts),
                      attachments=[Attachment(filename, data, XLIFF_MIME)], msg_id=msg_id,
                      headers={"X-Resolutions-Symbol": row.symbol,
                               "X-Resolutions-Version": str(version)})
        stored = queue(app, session, msg, kind="translation", resolution_id=row.id)
        pk, recipient = stored.id, stored.recipient
    if smtp_settings(app) is None:
        return f"{recipient}: {filename} queued in {app.workspace.outbox_dir} (no SMTP configured)"
    outcome = send(app, ids=[pk])
    if outcome and outcome[0].error:
        return (f"{recipient}: {filename} not sent ({outcome[0].error}); 'resolutions outbox "
                "retry' sends it again")
    return f"{recipient}: {filename} sent"
