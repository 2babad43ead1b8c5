"""What a reviewer has already seen: the version of the last round they were sent, and what
became of the comments they made in earlier rounds.

A round 2+ review copy is a redline against that version (not against the version just
before, which the reviewer may never have seen), followed by the disposition of each of
their comments — the comments-resolution matrix filtered to their own rows. The mail that
carries the copy says the same in a few words (:func:`summary`).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, select

from workflow.store.models import Comment, ResolutionRow, ReviewRound

__all__ = ["Seen", "last_seen", "their_comments", "summary"]


@dataclass(frozen=True)
class Seen:
    """The round and version a reviewer last reviewed before round ``current``."""

    round: int
    version: int


def _rounds(session: Session, row: ResolutionRow) -> list[ReviewRound]:
    return list(session.exec(select(ReviewRound).where(ReviewRound.resolution_id == row.id)
                             .order_by(ReviewRound.number)))


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
        .order_by(Comment.number)) if numbers.get(c.round_id, 0) < current.number]


def summary(lang: str, seen: Seen | None, changed: int,
            comments: list[tuple[int, Comment]]) -> str:
    """One paragraph for the review mail: what changed since the reviewer's version and how
    their comments were decided ("" for a reviewer new to the resolution)."""
    from templates.labels import section

    if seen is None and not comments:
        return ""
    mail = section("mail", lang)
    comments_part = ""
    if comments:
        counts: dict[str, int] = {}
        for _, c in comments:
            counts[c.disposition] = counts.get(c.disposition, 0) + 1
        sep = "，" if lang == "zh" else ", "
        parts = sep.join(mail[f"decision_{d or 'pending'}"].format(k=counts[d])
                         for d in ("accepted", "partial", "rejected", "") if d in counts)
        comments_part = mail["history_comments"].format(n=len(comments), parts=parts)
    if seen is None:
        return comments_part.strip()
    return mail["history_changes"].format(old=seen.version, round=seen.round, count=changed,
                                          comments=comments_part)
