"""Changing and removing members: `member edit` and `member remove`.

Each change is one audit event carrying the member's data as it now is (``member-edit``,
``member-remove``), like ``member-add``; the cross-check of the audit log reads the last of
these events for each member. A member who has done or been named in anything (events,
comments, approvals, signatures, review rounds, a certificate) is *deactivated*, not
deleted: the row stays so that their history keeps naming them, their roles are taken away
and they can no longer act. On PostgreSQL the member's login role follows: its group
grants are those of the new roles, and a removed member's role loses them and its login.
"""

from __future__ import annotations

import json

from sqlmodel import Session, col, select

from workflow.app import App
from workflow.errors import InvalidInput, WorkflowError
from workflow.lifecycle.steps import act, allow
from workflow.members import MemberInfo, validate
from workflow.store import audit, pgroles
from workflow.store.models import (
    Approval,
    AuditEvent,
    Comment,
    Member,
    MemberCertificate,
    MemberRole,
    ReviewRound,
    SignatureRecord,
)

__all__ = ["edit_member", "remove_member", "has_history"]

#: events about the member record itself (not history of acts)
_OWN_EVENTS = ("member-add", "member-edit", "member-remove")


def _owner_connection(app: App, session: Session, what: str) -> None:
    if not pgroles.can_create_roles(session.connection()):
        raise WorkflowError(f"{what} changes the member's database role: run it with a "
                            "connection allowed to manage roles (the workspace owner's), not "
                            "a member's")


def edit_member(app: App, member_id: str, *, name: str | None = None, org: str | None = None,
                email: str | None = None, delegation: str | None = None,
                lang: str | None = None, names: dict[str, str] | None = None,
                roles: list[str] | None = None) -> tuple[MemberInfo, list[str]]:
    """Change what is given (None: keep); ``roles`` replaces the member's roles. Returns the
    member as it now is and the fields that changed."""
    with app.write(admin=True) as session:
        actor = app.acting_member(session)
        act(session, allow(app, session, "member edit", actor=actor))
        member = app.member(session, member_id)
        if member.active is False:
            raise InvalidInput(f"{member_id} was removed from the working group; a removed "
                               "member is kept for the record and cannot be changed")
        before = _data(member)
        after = dict(before)
        given = {"name": name, "org": org, "email": email, "delegation": delegation,
                 "lang": lang}
        after.update({k: (v.strip() if k == "name" else v) for k, v in given.items()
                      if v is not None})
        if names:
            after["names"] = {**before["names"], **names}
        if roles is not None:
            after["roles"] = sorted(set(roles))
        validate(name=after["name"], org=after["org"], email=after["email"],
                 delegation=after["delegation"], lang=after["lang"], names=after["names"],
                 roles=after["roles"])
        changed = [k for k in after if after[k] != before[k]]
        if not changed:
            return MemberInfo.of(member), []
        if "roles" in changed and "secretary" in before["roles"] and \
                "secretary" not in after["roles"] and not _other_secretary(session, member_id):
            raise InvalidInput(f"{member_id} is the only secretary: give another member the "
                               "secretary role first")
        member.name, member.org, member.email = after["name"], after["org"], after["email"]
        member.delegation, member.lang = after["delegation"], after["lang"]
        member.names_json = json.dumps(after["names"], ensure_ascii=False)
        if "roles" in changed:  # the relation's delete-orphan cascade drops the rest
            kept = [r for r in member.roles if r.role in after["roles"]]
            have = {r.role for r in kept}
            member.roles = kept + [MemberRole(member_id=member_id, role=r)
                                   for r in after["roles"] if r not in have]
        session.add(member)
        session.flush()
        db_role = None
        if not app.db.is_sqlite:
            _owner_connection(app, session, "member edit")
            db_role = pgroles.set_member_roles(session.connection(), member_id, after["roles"])
        audit.record(session, actor=app.actor(session), action="member-edit",
                     detail={"member": member_id, **after, "changed": changed,
                             "db_role": db_role})
        return MemberInfo.of(member, db_role), changed


def has_history(session: Session, member_id: str) -> bool:
    """Whether anything but the member's own record names them."""
    for model, column in ((Comment, Comment.author), (Approval, Approval.member_id),
                          (SignatureRecord, SignatureRecord.member_id),
                          (MemberCertificate, MemberCertificate.member_id)):
        if session.exec(select(model).where(column == member_id)).first() is not None:
            return True
    for rnd in session.exec(select(ReviewRound)):
        if member_id in rnd.reviewers.split(","):
            return True
    quoted = json.dumps(member_id)
    for ev in session.exec(select(AuditEvent).where(
            (AuditEvent.actor == member_id) | col(AuditEvent.detail).contains(quoted))):
        if ev.action in _OWN_EVENTS and _about(ev) == member_id:
            continue  # their own record (the first member even adds themselves)
        return True
    return False


def _about(ev: AuditEvent) -> str | None:
    try:
        detail = json.loads(ev.detail)
    except ValueError:
        return None
    return str(detail.get("member")) if isinstance(detail, dict) else None


def remove_member(app: App, member_id: str) -> tuple[str, str]:
    """Remove a member: deleted when nothing names them, else deactivated. Returns
    (member id, "deleted" | "deactivated")."""
    with app.write(admin=True) as session:
        actor = app.acting_member(session)
        act(session, allow(app, session, "member remove", actor=actor))
        member = app.member(session, member_id)
        if member.active is False:
            raise InvalidInput(f"{member_id} was already removed")
        if member_id == actor.id:
            raise InvalidInput("you cannot remove yourself; another secretary can")
        roles = sorted(member.role_set())
        if "secretary" in roles and not _other_secretary(session, member_id):
            raise InvalidInput(f"{member_id} is the only secretary: give another member the "
                               "secretary role first")
        keep = has_history(session, member_id)
        member.roles = []
        if keep:
            member.active = False
            session.add(member)
        else:
            session.flush()
            session.delete(member)
        session.flush()
        if not app.db.is_sqlite:
            _owner_connection(app, session, "member remove")
            pgroles.disable_member_role(session.connection(), member_id, drop=not keep)
        outcome = "deactivated" if keep else "deleted"
        audit.record(session, actor=app.actor(session), action="member-remove",
                     detail={"member": member_id, "roles": [], "had_roles": roles,
                             "active": False, "outcome": outcome})
        return member_id, outcome


def _data(member: Member) -> dict:  # type: ignore[type-arg]
    return {"name": member.name, "org": member.org, "email": member.email,
            "delegation": member.delegation, "lang": member.lang,
            "names": json.loads(member.names_json or "{}"),
            "roles": sorted(member.role_set())}


def _other_secretary(session: Session, member_id: str) -> bool:
    from workflow.store.models import holding

    return any(m.id != member_id for m in session.exec(holding("secretary")))
