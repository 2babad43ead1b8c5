"""Who acts, in words: the refusals both write paths give when the acting member is unknown,
removed, or not the member the database login belongs to (:class:`workflow.app.App` on the
ORM, :class:`workflow.writing.Writing` on the bare driver). Nothing here imports the ORM."""

from __future__ import annotations

from workflow.errors import NotFound, PermissionDenied

__all__ = ["not_acting", "no_member", "removed", "other_login"]


def not_acting(actor: str) -> NotFound:
    return NotFound(f"no member {actor!r} acts here; add one with 'resolutions member add "
                    f"{actor} …' or pass --as MEMBER")


def no_member(member_id: str) -> NotFound:
    return NotFound(f"no member {member_id!r}; see 'resolutions member list'")


def removed(member_id: str) -> PermissionDenied:
    return PermissionDenied(f"{member_id} was removed from the working group and can no "
                            "longer act; see 'resolutions member list'")


def other_login(connected: str, actor: str) -> PermissionDenied:
    return PermissionDenied(
        f"you are connected as {connected}'s database role; --as "
        f"{actor} (or RESOLUTIONS_USER) is refused on PostgreSQL — "
        f"connect with {actor}'s own credentials")
