"""The fixed words a rendered document prints around the user's text, per language.

Column headings, stage titles, the stale-translation marker. Languages without an entry
fall back to English. Templates get them as ``t[lang].key`` (and ``tt(key)`` for the
"Русский / 中文 / English" form used in headings of multilingual tables).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

__all__ = ["LABELS", "labels_for", "joined", "quoted"]

_EN: dict[str, str] = {
    "version": "Version",
    "page": "Page",
    "stale": "⚠ translation not confirmed",
    "missing": "⚠ translation missing",
    "draft": "Draft",
    "review_copy": "Review copy for",
    "matrix": "Comments resolution matrix",
    "redline": "Changes from version {old} to version {new}",
    "redline_plain": "Changes",
    "since_seen": "Changes since version {old}, the version you reviewed in round {round}",
    "your_comments": "Your comments and their disposition",
    "round": "Round",
    "added": "new",
    "moved": "renumbered",
    "changed": "amended",
    "removed": "deleted",
    "signatures": "Signatures",
    "approval": "Approval record",
    "certificate": "Certificate of completion",
    "audit": "Audit report",
    "index": "Dossier index",
    "ref": "Ref.",
    "author": "Author",
    "type": "Type",
    "comment": "Comment",
    "proposal": "Proposed change",
    "disposition": "Disposition",
    "note": "Note",
    "orphaned": "paragraph no longer exists",
    "accepted": "accepted",
    "rejected": "rejected",
    "partial": "partially accepted",
    "member": "Member",
    "delegation": "Delegation",
    "decision": "Decision",
    "approved": "approved",
    "objected": "objected",
    "at": "Date and time",
    "statement": "Signed statement",
    "seq": "No.",
    "actor": "Actor",
    "action": "Action",
    "detail": "Detail",
    "hash": "Hash",
    "document": "Document",
    "description": "Description",
    "signatory": "Signatory",
    "organisation": "Organisation",
    "role": "Role",
    "content_hash": "Content hash (SHA-256)",
    "symbol": "Symbol",
    "no_entries": "None.",
    "to": "To",
    "from": "From",
    "enclosures": "Enclosures",
    "transmit": "The {wg} has the honour to transmit to {body} the following documents "
                "for its consideration:",
    "closing": "Accept the assurances of our highest consideration.",
    "enc_signed-pdf": "the resolution with its annexes, signed (PAdES) by {people}",
    "enc_docx": "the same text in DOCX format",
    "enc_p7s": "detached signature over the DOCX file by {people}",
    "enc_certificate": "certificate of completion of the signing",
    "role_secretary": "Secretary",
    "role_reviewer": "Reviewer",
    "role_approver": "Approving member",
    "role_signatory": "Signatory",
    "role_archivist": "Archivist",
    "reviewer": "Reviewer",
    "form_title": "Comment form",
    "form_types": "Type (ge/te/ed)",
    "form_help": "ge = general, te = technical, ed = editorial",
    "signature_date": "Signature, date",
    "distr": "Distr.: {value}",
    "watermark_draft": "DRAFT",
    "resolution": "Resolution",
    "observations": "Observations of the secretariat",
    "form_instructions": "Write one comment per row; add rows as needed; keep the Ref column "
                         "in the form “OP 3(b)”.",
    "no_comments": "No comments were received.",
    "pending": "pending",
    "title": "Title",
    "event": "Event",
    "what": "Details",
    "who": "By",
    "when": "Date and time (UTC)",
    "events": "Events",
    "cert_note": "Every event is recorded in a hash-chained audit log; the full record "
                 "(completion.json) is attached to this PDF.",
}

_RU: dict[str, str] = {
    "version": "Версия",
    "page": "Стр.",
    "stale": "⚠ перевод не подтверждён",
    "missing": "⚠ перевод отсутствует",
    "draft": "Проект",
    "review_copy": "Экземпляр для замечаний:",
    "matrix": "Таблица рассмотрения замечаний",
    "redline": "Изменения от версии {old} к версии {new}",
    "redline_plain": "Изменения",
    "since_seen": "Изменения по сравнению с версией {old}, рассмотренной Вами в раунде {round}",
    "your_comments": "Ваши замечания и решения по ним",
    "round": "Раунд",
    "added": "новый",
    "moved": "перенумерован",
    "changed": "изменён",
    "removed": "исключён",
    "signatures": "Подписи",
    "approval": "Протокол одобрения",
    "certificate": "Свидетельство о завершении",
    "audit": "Отчёт журнала аудита",
    "index": "Опись дела",
    "ref": "Ссылка",
    "author": "Автор",
    "type": "Тип",
    "comment": "Замечание",
    "proposal": "Предлагаемое изменение",
    "disposition": "Решение",
    "note": "Примечание",
    "orphaned": "пункт больше не существует",
    "accepted": "принято",
    "rejected": "отклонено",
    "partial": "принято частично",
    "member": "Участник",
    "delegation": "Делегация",
    "decision": "Решение",
    "approved": "одобрено",
    "objected": "возражение",
    "at": "Дата и время",
    "statement": "Подписанное заявление",
    "seq": "№",
    "actor": "Исполнитель",
    "action": "Действие",
    "detail": "Подробности",
    "hash": "Хеш",
    "document": "Документ",
    "description": "Описание",
    "signatory": "Подписант",
    "organisation": "Организация",
    "role": "Роль",
    "content_hash": "Хеш содержания (SHA-256)",
    "symbol": "Условное обозначение",
    "no_entries": "Нет.",
    "to": "Кому",
    "from": "От",
    "enclosures": "Приложения",
    "transmit": "{wg} имеет честь препроводить {body} для рассмотрения следующие документы:",
    "closing": "Примите уверения в нашем самом высоком уважении.",
    "enc_signed-pdf": "резолюция с приложениями, подписанная электронными подписями (PAdES); "
                      "подписанты: {people}",
    "enc_docx": "тот же текст в формате DOCX",
    "enc_p7s": "открепленная электронная подпись к файлу DOCX; подписант: {people}",
    "enc_certificate": "свидетельство о завершении подписания",
    "role_secretary": "Секретарь",
    "role_reviewer": "Рецензент",
    "role_approver": "Утверждающий член группы",
    "role_signatory": "Подписант",
    "role_archivist": "Архивист",
    "reviewer": "Рецензент",
    "form_title": "Форма замечаний",
    "form_types": "Тип (ge/te/ed)",
    "form_help": "ge — общее, te — по существу, ed — редакционное",
    "signature_date": "Подпись, дата",
    "watermark_draft": "ПРОЕКТ",
    "resolution": "Резолюция",
    "observations": "Замечания секретариата",
    "form_instructions": "Одно замечание в строке; при необходимости добавьте строки; "
                         "ссылку указывайте в форме «OP 3(b)».",
    "no_comments": "Замечаний не поступило.",
    "pending": "не рассмотрено",
    "title": "Название",
    "event": "Событие",
    "what": "Содержание",
    "who": "Кто",
    "when": "Дата и время (UTC)",
    "events": "События",
    "cert_note": "Каждое событие записано в журнал аудита, связанный цепочкой хешей; полная "
                 "запись (completion.json) вложена в этот PDF.",
}

_ZH: dict[str, str] = {
    "version": "版本",
    "page": "页",
    "stale": "⚠ 译文未经确认",
    "missing": "⚠ 缺少译文",
    "draft": "草案",
    "review_copy": "审阅本：",
    "matrix": "意见处理表",
    "redline": "第{old}版至第{new}版的修改",
    "redline_plain": "修改",
    "since_seen": "自您在第{round}轮审阅的第{old}版以来的修改",
    "your_comments": "您的意见及其处理结果",
    "round": "轮次",
    "added": "新增",
    "moved": "重新编号",
    "changed": "已修改",
    "removed": "已删除",
    "signatures": "签字",
    "approval": "核准记录",
    "certificate": "完成证明",
    "audit": "审计报告",
    "index": "案卷目录",
    "ref": "编号",
    "author": "提出人",
    "type": "类型",
    "comment": "意见",
    "proposal": "建议修改",
    "disposition": "处理结果",
    "note": "说明",
    "orphaned": "该段已不存在",
    "accepted": "接受",
    "rejected": "不接受",
    "partial": "部分接受",
    "member": "成员",
    "delegation": "代表团",
    "decision": "决定",
    "approved": "核准",
    "objected": "反对",
    "at": "日期和时间",
    "statement": "签署声明",
    "seq": "序号",
    "actor": "操作人",
    "action": "操作",
    "detail": "详情",
    "hash": "哈希值",
    "document": "文件",
    "description": "说明",
    "signatory": "签字人",
    "organisation": "机构",
    "role": "职务",
    "content_hash": "内容哈希值（SHA-256）",
    "symbol": "文号",
    "no_entries": "无。",
    "to": "致",
    "from": "发件人",
    "enclosures": "附件",
    "transmit": "{wg}谨向{body}转交下列文件，供其审议：",
    "closing": "顺致最崇高的敬意。",
    "enc_signed-pdf": "决议及其附件，附电子签名（PAdES）；签字人：{people}",
    "enc_docx": "同一文本的DOCX格式文件",
    "enc_p7s": "DOCX文件的分离式电子签名；签字人：{people}",
    "enc_certificate": "签署完成证明",
    "role_secretary": "秘书",
    "role_reviewer": "审阅人",
    "role_approver": "核准成员",
    "role_signatory": "签字人",
    "role_archivist": "档案管理员",
    "reviewer": "审阅人",
    "form_title": "意见表",
    "form_types": "类型（ge/te/ed）",
    "form_help": "ge＝一般性，te＝技术性，ed＝编辑性",
    "signature_date": "签名、日期",
    "watermark_draft": "草案",
    "resolution": "决议",
    "observations": "秘书处意见",
    "form_instructions": "每行填写一条意见；如需要可增加行；编号栏请按“OP 3(b)”格式填写。",
    "no_comments": "未收到意见。",
    "pending": "待处理",
    "title": "标题",
    "event": "事项",
    "what": "内容",
    "who": "操作人",
    "when": "日期和时间（UTC）",
    "events": "事件",
    "cert_note": "每一事件均记入以哈希链相连的审计日志；完整记录（completion.json）附于本PDF。",
}

LABELS: Mapping[str, Mapping[str, str]] = {"en": _EN, "ru": _RU, "zh": _ZH}


def labels_for(lang: str) -> Mapping[str, str]:
    """The labels of one language, English for any word it lacks."""
    own = LABELS.get(lang, {})
    return {key: own.get(key, value) for key, value in _EN.items()}


def joined(key: str, languages: Sequence[str]) -> str:
    """One label in every language shown, "Замечание / 意见" (repeats dropped).

    An unknown key is printed as it is (a disposition the labels do not know).
    """
    if not key:
        return ""
    words = list(dict.fromkeys(labels_for(lang).get(key, key) for lang in languages))
    return " / ".join(words)


def quoted(text: str, lang: str) -> str:
    """A title in quotation marks as the language nests them: «… „рынка“ …» in Russian,
    “… ‘market’ …” in English, 《…》 in Chinese."""
    if lang == "ru":
        inner = text.replace("«", "„").replace("»", "“")
        return f"«{inner}»"
    if lang == "zh":
        return f"《{text}》"
    inner = text.replace("“", "‘").replace("”", "’")
    inner = _straight_pairs(inner, "‘", "’")
    return f"“{inner}”"


def _straight_pairs(text: str, opening: str, closing: str) -> str:
    """Straight double quotes of a source text as alternating curly inner quotes."""
    out, open_next = [], True
    for ch in text:
        if ch == '"':
            out.append(opening if open_next else closing)
            open_next = not open_next
        else:
            out.append(ch)
    return "".join(out)
