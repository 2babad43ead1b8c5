"""Audit events told in words, for the certificate of completion and the audit report.

An event is stored as an action code and a JSON detail (hashes, ids, numbers): exact, but
not for a reader. ``describe_event`` tells what happened in one language: the event
("Подпись", "签署", "Signature") and what it concerned ("№ 2 к OP 4: принято"), with people
named as they wrote their names. Hashes are cut to 12 characters: the full values and
the chain are in the machine-readable copy the certificate carries.
"""

from __future__ import annotations

import datetime as _dt
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from templates.labels import labels_for
from templates.people import person_name

__all__ = ["describe_event", "event_time", "event_rows", "EventRow", "EVENT_WORDS"]

#: action → (ru, zh, en) words for the event
EVENT_WORDS: Mapping[str, tuple[str, str, str]] = {
    "new": ("Создание проекта", "创建草案", "Draft created"),
    "edit": ("Изменение текста", "修改文本", "Text edited"),
    "circulate": ("Рассылка на рассмотрение", "分发审阅", "Circulated for review"),
    "comment": ("Замечание", "意见", "Comment"),
    "amend": ("Поправка", "修正案", "Amendment"),
    "dispose": ("Решение по замечанию", "意见处理", "Comment disposed of"),
    "amendment-decide": ("Решение по поправке", "修正案决定", "Amendment decided"),
    "close_review_changes": ("Рассмотрение завершено: требуются изменения", "审阅结束：需修改",
                             "Review closed: changes needed"),
    "close_review_no_objection": ("Рассмотрение завершено: возражений нет", "审阅结束：无异议",
                                  "Review closed: no objection"),
    "apply-amendments": ("Поправки внесены", "纳入修正案", "Amendments applied"),
    "translations-confirm": ("Перевод подтверждён", "译文确认", "Translation confirmed"),
    "approve": ("Одобрение", "核准", "Approval"),
    "object": ("Возражение", "反对", "Objection"),
    "reopen": ("Возврат на доработку", "重新修改", "Reopened for revision"),
    "signing-base": ("Подготовка текста к подписанию", "准备签署文本", "Text prepared for signing"),
    "sign": ("Подпись", "签署", "Signature"),
    "completion-certificate": ("Свидетельство о завершении", "完成证明",
                               "Certificate of completion"),
    "submit": ("Представление органу", "提交", "Submission"),
    "receipt": ("Ответ органа", "收到回执", "Receipt from the body"),
    "acknowledge": ("Получение подтверждено", "确认收到", "Acknowledged"),
    "adopt": ("Принята", "通过", "Adopted"),
    "return": ("Возвращена", "退回", "Returned"),
    "reject": ("Отклонена", "否决", "Rejected"),
    "revise": ("Доработка", "修改", "Revision"),
    "withdraw": ("Отозвана", "撤回", "Withdrawn"),
    "archive": ("Передана в архив", "归档", "Archived"),
    "refused": ("Отказ", "拒绝", "Refused"),
}
_INDEX = {"ru": 0, "zh": 1, "en": 2}
_OUTCOME = {"acknowledged": "acknowledge", "adopted": "adopt", "returned": "return",
            "rejected": "reject"}

#: small words inside the "what" column, (ru, zh, en)
_SMALL: Mapping[str, tuple[str, str, str]] = {
    "version": ("версия", "版本", "version"),
    "round": ("раунд", "第{n}轮", "round"),
    "reviewers": ("рецензенты", "审阅人", "reviewers"),
    "by": ("автор", "提出人", "by"),
    "to": ("к", "针对", "on"),
    "certificate": ("сертификат", "证书", "certificate"),
    "package": ("пакет", "文件包", "package"),
    "paragraphs": ("пункт(ов)", "段", "paragraph(s)"),
}
_LANG_WORDS = {"ru": ("русский", "俄文", "Russian"), "zh": ("китайский", "中文", "Chinese"),
               "en": ("английский", "英文", "English")}
_OPS = {"replace": ("замена", "替换", "replace"), "insert-after": ("вставка", "插入", "insert"),
        "delete": ("исключение", "删除", "delete")}


def _pick(words: tuple[str, str, str], lang: str) -> str:
    return words[_INDEX.get(lang, 2)]


def event_time(at: str, lang: str) -> str:
    """An ISO timestamp as a reader of ``lang`` writes date and time, in UTC (the column
    heading says so)."""
    from babel.dates import format_datetime

    moment = _dt.datetime.fromisoformat(at).astimezone(_dt.timezone.utc)
    locale = {"ru": "ru", "zh": "zh_Hans_CN", "en": "en_GB"}.get(lang, "en_GB")
    return format_datetime(moment, format="short", locale=locale, tzinfo=_dt.timezone.utc)


def _who(ids: Any, lang: str, people: Mapping[str, Mapping[str, str]]) -> str:
    items = ids if isinstance(ids, list) else [ids]
    sep = "、" if lang == "zh" else ", "
    return sep.join(person_name(people.get(str(i), {"en": str(i)}), lang) for i in items if i)


def _what(action: str, d: Mapping[str, Any], lang: str,
          people: Mapping[str, Mapping[str, str]]) -> str:
    w = labels_for(lang)
    small = {k: _pick(v, lang) for k, v in _SMALL.items()}
    colon = "：" if lang == "zh" else ": "
    parts: list[str] = []
    if action in ("new", "edit", "apply-amendments") and d.get("version"):
        parts.append(f"{small['version']} {d['version']}")
    if action == "apply-amendments" and d.get("amendments"):
        parts.append("№ " + ", ".join(str(a) for a in d["amendments"]))
    if action in ("circulate", "close_review_changes", "close_review_no_objection") \
            and d.get("round"):
        rnd = small["round"]
        parts.append(rnd.replace("{n}", str(d["round"])) if "{n}" in rnd
                     else f"{rnd} {d['round']}")
        if d.get("reviewers"):
            parts.append(small["reviewers"] + colon + _who(d["reviewers"], lang, people))
    if action == "comment":
        parts.append(f"№ {d.get('comment', '')} {small['to']} {d.get('ref', '')} "
                     f"({d.get('type', '')})")
        parts.append(small["by"] + colon + _who(d.get("by"), lang, people))
    if action == "amend":
        op = _pick(_OPS.get(str(d.get("op")), (str(d.get("op")),) * 3), lang)
        parts.append(f"№ {d.get('amendment', '')} {small['to']} {d.get('target', '')} ({op})")
        parts.append(small["by"] + colon + _who(d.get("by"), lang, people))
    if action == "dispose":
        parts.append(f"№ {d.get('comment', '')}{colon}"
                     f"{w.get(str(d.get('disposition')), str(d.get('disposition')))}")
    if action == "amendment-decide":
        parts.append(f"№ {d.get('amendment', '')}{colon}"
                     f"{w.get(str(d.get('status')), str(d.get('status')))}")
    if action == "translations-confirm":
        language = _pick(_LANG_WORDS.get(str(d.get("lang")), (str(d.get("lang")),) * 3), lang)
        parts.append(f"{language}, {len(d.get('paragraphs', []))} {small['paragraphs']}")
    if action in ("approve", "object", "sign") and d.get("member"):
        parts.append(_who(d["member"], lang, people))
    if action == "sign" and d.get("cert_fingerprint"):
        parts.append(f"{small['certificate']} {str(d['cert_fingerprint'])[:12]}")
    if action == "submit":
        parts.append(f"{_who(d.get('body'), lang, people)}, {small['package']} "
                     f"{str(d.get('package_sha256', ''))[:12]}")
    if action == "receipt":
        outcome = str(d.get("outcome", ""))
        said = EVENT_WORDS.get(_OUTCOME.get(outcome, ""))
        parts.append(f"{d.get('reference', '')}{colon}{_pick(said, lang) if said else outcome}")
    if action == "completion-certificate" and d.get("sha256"):
        parts.append(f"SHA-256 {str(d['sha256'])[:12]}")
    if action == "signing-base" and d.get("pdf"):
        parts.append(f"PDF {str(d['pdf'])[:12]}")
    sep = "；" if lang == "zh" else "; "
    return sep.join(p for p in parts if p.strip())


def describe_event(action: str, detail: str, lang: str,
                   people: Mapping[str, Mapping[str, str]]) -> tuple[str, str]:
    """(event, what) in ``lang``; an unknown action is shown by its code."""
    words = EVENT_WORDS.get(action)
    event = _pick(words, lang) if words else action.replace("_", " ").replace("-", " ")
    try:
        facts = json.loads(detail) if detail else {}
    except ValueError:
        facts = {}
    if not isinstance(facts, dict):
        facts = {}
    return event, _what(action, facts, lang, people)


@dataclass(frozen=True)
class EventRow:
    """One row of the event table: every cell as (language, text) lines."""

    seq: int
    time: str
    who: tuple[tuple[str, str], ...]
    event: tuple[tuple[str, str], ...]
    what: tuple[tuple[str, str], ...]
    hash: str


def _lines(pairs: list[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    seen: list[tuple[str, str]] = []
    for lang, text in pairs:
        if text and text not in (t for _, t in seen):
            seen.append((lang, text))
    return tuple(seen)


def event_rows(events: Sequence[Any], languages: Sequence[str],
               people: Mapping[str, Mapping[str, str]], *,
               latin: bool = False) -> list[EventRow]:
    """The event table of a document shown in ``languages`` (each text once)."""
    rows = []
    first = languages[0] if languages else "en"
    for e in events:
        told = {lang: describe_event(e.action, e.detail, lang, people) for lang in languages}
        names = people.get(e.actor, {"en": e.actor})
        rows.append(EventRow(
            seq=e.seq, time=event_time(e.at, first),
            who=((first, person_name(names, first, latin=latin)),),
            event=_lines([(lang, told[lang][0]) for lang in languages]),
            what=_lines([(lang, told[lang][1]) for lang in languages]),
            hash=e.hash[:12]))
    return rows
