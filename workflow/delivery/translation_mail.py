"""An XLIFF file to a translator, through the outbox: one message with the file attached
and a short note in the translator's language (Russian, Chinese or English).

The recipient is a member (by id) or an e-mail address. The Message-ID is derived from the
file's SHA-256 and the recipient, so sending the same file again finds it queued.
"""

from __future__ import annotations

import hashlib

from sqlmodel import Session, select

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

_SUBJECT = {
    "ru": "Резолюция {symbol}: перевод на {target} (версия {version})",
    "zh": "决议{symbol}：译成{target}（第{version}版）",
    "en": "Resolution {symbol}: translation into {target} (version {version})",
}
_TEXT = {
    "ru": ("{name}!\n\nВо вложении — файл XLIFF резолюции {symbol} (версия {version}) для "
           "перевода с языка «{source}» на язык «{target}». Откройте его в своей программе "
           "перевода (Trados, memoQ, OmegaT и др.). Абзацы в состоянии «needs-translation» "
           "нужно перевести, «needs-review-translation» — проверить: исходный текст изменился, "
           "прежний текст приведён в примечании. Остальные абзацы даны для контекста.\n\n"
           "Сохраните файл в той же программе (не меняя идентификаторы абзацев и "
           "теги) и верните его секретариату.\n\n{group}\n"),
    "zh": ("{name}：\n\n附件为第{symbol}号决议（第{version}版）的XLIFF文件，请从{source}译成{target}。"
           "请用您的翻译工具（Trados、memoQ、OmegaT等）打开。状态为“needs-translation”的段落"
           "需要翻译，“needs-review-translation”的段落需要核对：原文已修改，修改前的原文见备注。"
           "其他段落仅供参考。\n\n请在同一工具中保存（不要改动段落编号和标记），并将文件交回秘书处。"
           "\n\n{group}\n"),
    "en": ("Dear {name},\n\nAttached is the XLIFF file of resolution {symbol} (version "
           "{version}) for translation from {source} into {target}. Open it in your "
           "translation tool (Trados, memoQ, OmegaT, …). Units in state needs-translation are "
           "to be translated; units in state needs-review-translation are to be checked: "
           "their source changed, and the earlier source text is in the note. The other "
           "units are there for context.\n\nSave the file from the same tool (keep the unit "
           "ids and the tags) and return it to the secretariat.\n\n{group}\n"),
}
_LANGUAGE_NAMES = {
    "ru": {"ru": "русский", "zh": "китайский", "en": "английский"},
    "zh": {"ru": "俄文", "zh": "中文", "en": "英文"},
    "en": {"ru": "Russian", "zh": "Chinese", "en": "English"},
}


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
        lang = next(lang for lang in (member_lang, target, "en") if lang in _TEXT)
        names = _LANGUAGE_NAMES[lang]
        facts = {"name": name, "symbol": row.symbol, "version": version,
                 "source": names.get(source, source), "target": names.get(target, target),
                 "group": app.workspace.group_names.get(lang, app.workspace.name)}
        from_addr = sender(app, session)
        digest = hashlib.sha256(data).hexdigest()
        msg_id = message_id(f"xliff|{row.symbol}|{digest}|{addr}", from_addr.domain)
        existing = session.exec(select(Message).where(Message.message_id == msg_id)).first()
        if existing is not None:
            return f"{addr}: {filename} already in the outbox ({existing.status})"
        msg = compose(sender_address=from_addr, to_name=name, to_addr=addr,
                      subject=_SUBJECT[lang].format(**facts), text=_TEXT[lang].format(**facts),
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
