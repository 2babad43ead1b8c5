"""What a reviewer has already seen: the version of the last round they were sent, and what
became of the comments they made in earlier rounds.

A round 2+ review copy is a redline against that version (not against the version just
before, which the reviewer may never have seen), followed by the disposition of each of
their comments — the comments-resolution matrix filtered to their own rows. The mail that
carries the copy says the same in a few words (:func:`summary`).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select

from workflow.store.models import Comment, ResolutionRow, ReviewRound

__all__ = ["Seen", "last_seen", "their_comments", "summary"]


@dataclass(frozen=True)
class Seen:
    """The round and version a reviewer last reviewed before round ``current``."""

    round: int
    version: int


def _rounds(session: Session, row: ResolutionRow) -> list[ReviewRound]:
    return list(session.exec(select(ReviewRound).where(ReviewRound.resolution_id == row.id)
                             .order_by(col(ReviewRound.number))))


def last_seen(session: Session, row: ResolutionRow, reviewer_id: str,
              current: ReviewRound) -> Seen | None:
    """The latest round before ``current`` that ``reviewer_id`` was sent (or commented in);
    None for a reviewer new to the resolution, or when they saw this very version."""
    authored = {c.round_id for c in session.exec(
        select(Comment).where(Comment.resolution_id == row.id, Comment.author == reviewer_id))}
    for rnd in reversed(_rounds(session, row)):
        if rnd.number >= current.number:
            continue
        if reviewer_id in rnd.reviewers.split(",") or rnd.id in authored:
            if rnd.version_number == current.version_number:
                return None
            return Seen(rnd.number, rnd.version_number)
    return None


def their_comments(session: Session, row: ResolutionRow, reviewer_id: str,
                   current: ReviewRound) -> list[tuple[int, Comment]]:
    """(round number, comment) for every comment ``reviewer_id`` made before ``current``."""
    numbers = {r.id: r.number for r in _rounds(session, row)}
    return [(numbers.get(c.round_id, 0), c) for c in session.exec(
        select(Comment).where(Comment.resolution_id == row.id, Comment.author == reviewer_id)
        .order_by(col(Comment.number))) if numbers.get(c.round_id, 0) < current.number]


#: the mail's sentence, per language (the decisions worded as the copy's table words them): {old} version, {round} round, {count} changed
#: paragraphs, {comments} the dispositions in words
_CHANGES = {
    "en": ("Changes since version {old}, which you reviewed in round {round}, are marked in "
           "your copy ({count} paragraph(s) changed).{comments}"),
    "ru": ("Изменения по сравнению с версией {old}, которую Вы рассматривали в раунде {round}, "
           "отмечены в Вашем экземпляре (изменено пунктов: {count}).{comments}"),
    "zh": "您的审阅本中标出了自您在第{round}轮审阅的第{old}版以来的修改（共{count}处段落）。{comments}",
}
_COMMENTS = {
    "en": " Your {n} comment(s): {parts}; the decision on each is on the last page.",
    "ru": " Ваши замечания ({n}): {parts}; решение по каждому — на последней странице.",
    "zh": "您的{n}条意见：{parts}；每条意见的处理结果见最后一页。",
}
_DECISIONS = {
    "en": {"accepted": "{k} accepted", "partial": "{k} partially accepted",
           "rejected": "{k} rejected", "": "{k} pending"},
    "ru": {"accepted": "принято — {k}", "partial": "принято частично — {k}",
           "rejected": "отклонено — {k}", "": "не рассмотрено — {k}"},
    "zh": {"accepted": "接受{k}条", "partial": "部分接受{k}条", "rejected": "不接受{k}条",
           "": "待处理{k}条"},
}


def summary(lang: str, seen: Seen | None, changed: int,
            comments: list[tuple[int, Comment]]) -> str:
    """One paragraph for the review mail: what changed since the reviewer's version and how
    their comments were decided ("" for a reviewer new to the resolution)."""
    if seen is None and not comments:
        return ""
    lang = lang if lang in _CHANGES else "en"
    comments_part = ""
    if comments:
        counts: dict[str, int] = {}
        for _, c in comments:
            counts[c.disposition] = counts.get(c.disposition, 0) + 1
        sep = "，" if lang == "zh" else ", "
        parts = sep.join(_DECISIONS[lang][d].format(k=counts[d])
                         for d in ("accepted", "partial", "rejected", "") if d in counts)
        comments_part = _COMMENTS[lang].format(n=len(comments), parts=parts)
    if seen is None:
        return comments_part.strip()
    return _CHANGES[lang].format(old=seen.version, round=seen.round, count=changed,
                                 comments=comments_part)
