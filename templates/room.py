"""The dossier's reading room: static HTML pages an archivist opens in a browser, from the
unzipped bag or a ``file://`` URL, with no network and no script.

``data/index.html`` lists the resolutions of the bag; ``data/<folder>/index.html`` tells one
resolution's life: its authentic texts side by side, every version with its changes
(insertions and deletions marked), the review rounds with each comment and its disposition,
approvals, the signatures as checked at export, submissions and the bodies' answers, the
audit chain in words, and how to verify the bag with open tools. Every link is relative
and points into the bag. The pages are filled from frozen views (:class:`IndexRoom`,
:class:`ResolutionRoom`) built by ``workflow.dossier.room``; a language written right to
left (Arabic, Persian, Hebrew, Urdu) gets ``dir="rtl"``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from templates import jinja
from templates.events import EventRow
from templates.labels import labels_for
from templates.pdf.redline import redline_runs
from templates.view import DocumentView

__all__ = ["RTL", "Link", "VersionRoom", "RoundRoom", "CommentRoom", "AmendmentRoom",
           "ApprovalRoom", "SignatureRoom", "SubmissionRoom", "ResolutionRoom", "IndexEntry",
           "IndexRoom", "VerifyStep", "render_index", "render_resolution", "direction", "WORDS",
           "words"]

#: languages written right to left
RTL = frozenset({"ar", "fa", "he", "ur"})


def direction(lang: str) -> str:
    return "rtl" if lang in RTL else "ltr"


@dataclass(frozen=True)
class Link:
    href: str                # relative to the page
    text: str
    note: str = ""


@dataclass(frozen=True)
class VerifyStep:
    texts: Mapping[str, str]    # lang -> what the step proves
    commands: tuple[str, ...]


@dataclass(frozen=True)
class VersionRoom:
    number: int
    created_at: str
    author: str
    note: str
    content_hash: str
    files: tuple[Link, ...]
    view: DocumentView          # with the changes from the version before, when there is one
    changed: int = 0            # paragraphs changed from the version before


@dataclass(frozen=True)
class CommentRoom:
    number: int
    ref: str
    author: str
    type: str
    text: str
    proposal: str
    disposition: str
    note: str


@dataclass(frozen=True)
class AmendmentRoom:
    number: int
    target: str
    op: str
    author: str
    texts: Mapping[str, str]
    why: str
    status: str
    applied_version: int | None


@dataclass(frozen=True)
class RoundRoom:
    number: int
    version: int
    reviewers: tuple[str, ...]
    opened_at: str
    due: str
    closed_at: str
    outcome: str
    comments: tuple[CommentRoom, ...]
    amendments: tuple[AmendmentRoom, ...]
    file: Link | None


@dataclass(frozen=True)
class ApprovalRoom:
    member: str
    decision: str
    version: int
    at: str
    void: bool
    note: str
    statement: Link | None


@dataclass(frozen=True)
class SignatureRoom:
    member: str
    version: int
    field_name: str
    certificate: str            # SHA-256 of the signer's certificate
    at: str
    valid: bool | None          # as checked at export (None: the file is not in the bag)
    verdict: str
    file: Link | None


@dataclass(frozen=True)
class SubmissionRoom:
    number: int
    body: str
    version: int
    submitted_at: str
    package_sha256: str
    files: tuple[Link, ...]
    receipts: tuple[Mapping[str, str], ...]


@dataclass(frozen=True)
class ResolutionRoom:
    symbol: str
    number: int
    titles: Mapping[str, str]
    languages: tuple[str, ...]
    state: str
    body: str
    current: DocumentView
    versions: tuple[VersionRoom, ...]
    rounds: tuple[RoundRoom, ...]
    approvals: tuple[ApprovalRoom, ...]
    signatures: tuple[SignatureRoom, ...]
    signatures_checked_at: str
    submissions: tuple[SubmissionRoom, ...]
    events: tuple[EventRow, ...]
    files: tuple[Link, ...]
    verify: tuple[VerifyStep, ...]
    working_group: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class IndexEntry:
    symbol: str
    href: str
    titles: Mapping[str, str]
    state: str
    body: str
    versions: int
    languages: tuple[str, ...]


@dataclass(frozen=True)
class IndexRoom:
    working_group: Mapping[str, str]
    languages: tuple[str, ...]
    resolutions: tuple[IndexEntry, ...]
    files: tuple[Link, ...]
    verify: tuple[VerifyStep, ...]
    head: tuple[int, str]


#: the reading room's own words: (en, ru, zh); other languages read the English
WORDS: Mapping[str, tuple[str, str, str]] = {
    "room": ("Reading room", "Читальный зал", "阅览室"),
    "dossier": ("Dossier", "Досье", "档案"),
    "resolutions": ("Resolutions", "Резолюции", "决议"),
    "symbol": ("Symbol", "Условное обозначение", "文号"),
    "title": ("Title", "Название", "标题"),
    "state": ("State", "Состояние", "状态"),
    "body": ("Body", "Орган", "机构"),
    "versions": ("Versions", "Версии", "版本"),
    "texts": ("Authentic texts", "Аутентичные тексты", "作准文本"),
    "version": ("Version", "Версия", "版本"),
    "changes": ("Changes from the version before", "Изменения по сравнению с предыдущей версией",
                "与上一版相比的修改"),
    "nochange": ("No paragraph changed.", "Ни один пункт не изменён.", "无段落修改。"),
    "first": ("The first version.", "Первая версия.", "第一版。"),
    "review": ("Review rounds", "Раунды рассмотрения", "审阅轮次"),
    "round": ("Round", "Раунд", "轮次"),
    "reviewers": ("Reviewers", "Рецензенты", "审阅人"),
    "comments": ("Comments and their dispositions", "Замечания и решения по ним", "意见及处理"),
    "amendments": ("Amendments", "Поправки", "修正案"),
    "approvals": ("Approvals", "Одобрения", "核准"),
    "signatures": ("Signatures, as checked at export", "Подписи (проверены при выгрузке)",
                   "签名（导出时核验）"),
    "submissions": ("Submissions and receipts", "Представления и ответы органов", "提交与回执"),
    "audit": ("The audit chain in words", "Журнал аудита словами", "审计链（文字）"),
    "files": ("Files in this folder", "Файлы этой папки", "本文件夹中的文件"),
    "verify": ("How to verify", "Как проверить", "如何核验"),
    "none": ("None.", "Нет.", "无。"),
    "valid": ("valid", "действительна", "有效"),
    "invalid": ("NOT valid", "НЕ действительна", "无效"),
    "absent": ("not in the bag", "нет в пакете", "不在包中"),
    "void": ("void", "аннулировано", "作废"),
    "back": ("All resolutions", "Все резолюции", "全部决议"),
    "verify_intro": ("Each line below is a bash command (set BAG to the bag's folder first); "
                     "each must succeed. VERIFY.txt at the top of the bag holds the same "
                     "commands with the moment of sealing in place of $SEALED_AT.",
                     "Каждая строка ниже — команда bash (сначала укажите папку пакета в BAG); "
                     "каждая должна завершиться успешно. В VERIFY.txt в корне пакета — те же "
                     "команды с моментом опечатывания вместо $SEALED_AT.",
                     "下面每一行都是 bash 命令（先将 BAG 设为本包文件夹），都必须成功。包根目录的 "
                     "VERIFY.txt 中有相同的命令，其中 $SEALED_AT 已换成盖章时刻。"),
}
_ORDER = {"en": 0, "ru": 1, "zh": 2}


def words(key: str, languages: Sequence[str]) -> str:
    """A word of the room in the languages shown, "Версии / 版本 / Versions" (repeats dropped)."""
    texts = [WORDS[key][_ORDER.get(lang, 0)] for lang in languages] or [WORDS[key][0]]
    return " / ".join(dict.fromkeys(texts))


def _context(languages: Sequence[str]) -> dict[str, object]:
    first = languages[0] if languages else "en"
    shown = tuple(languages) if languages else ("en",)
    return {"css": jinja.read_file("css/room.css").decode("utf-8"),
            "t": {lang: labels_for(lang) for lang in shown}, "first": first,
            "redline_runs": redline_runs, "dir": direction,
            "w": lambda key: words(key, shown), "ui": shown}


def render_resolution(room: ResolutionRoom) -> str:
    """The resolution's page (``data/<folder>/index.html``)."""
    template = jinja.environment(None).get_template("html/room-resolution.html")
    return template.render({"room": room, **_context(room.languages)})


def render_index(room: IndexRoom) -> str:
    """The bag's first page (``data/index.html``)."""
    template = jinja.environment(None).get_template("html/room-index.html")
    return template.render({"room": room, **_context(room.languages)})
