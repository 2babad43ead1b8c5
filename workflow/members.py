"""Members of the working group: who they are, their delegation and their roles."""

from __future__ import annotations

import json

from sqlalchemy import text
from sqlmodel import select

from workflow import clock
from workflow.app import App
from workflow.errors import InvalidInput
from workflow.lifecycle.steps import act, allow
from workflow.member_checks import (
    NO_PASSWORDS,
    already_exists,
    delegation_language,
    login_role,
    member_detail,
    member_input,
    not_admin,
    refuse_hostile,
    validate,
)
from workflow.rows import MemberInfo
from workflow.store import audit, logins, pgroles
from workflow.store.models import Member, MemberRole

__all__ = ["add_member", "list_members", "validate", "refuse_hostile", "set_password",
           "MemberInfo", "delegation_language"]

_NO_PASSWORDS = NO_PASSWORDS


def add_member(app: App, member_id: str, *, name: str, org: str = "", delegation: str = "",
               email: str = "", roles: list[str] | tuple[str, ...] = (),
               names: dict[str, str] | None = None, lang: str | None = None,
               password: str | None = None) -> MemberInfo:
    """Add a member. The first member needs no role to add; after that, the secretary.
    On PostgreSQL the member's own login role is made (by the administrator's login), with
    ``password`` as its first password when one is given.

    Documents sent to the member are in ``lang``; by default the language of their
    delegation (``ru`` → Russian, ``br`` → Portuguese, ``eg`` → Arabic), else English."""
    lang = member_input(member_id, name=name, org=org, email=email, delegation=delegation,
                        lang=lang, names=names or {}, roles=roles, password=password,
                        sqlite=app.db.is_sqlite)
    with app.write(admin=True) as session:
        existing = session.exec(select(Member)).first()
        if existing is not None:
            act(session, allow(app, session, "member add"))
        elif "secretary" not in roles:
            raise InvalidInput("the first member of a workspace adds the others, so it must be "
                               "the secretary: add --role secretary")
        if session.get(Member, member_id) is not None:
            raise already_exists(member_id)
        member = Member(id=member_id, name=name.strip(), names_json=json.dumps(names or {},
                        ensure_ascii=False), org=org, delegation=delegation, email=email,
                        roles=[MemberRole(member_id=member_id, role=r) for r in sorted(set(roles))],
                        lang=lang, created_at=clock.now())
        session.add(member)
        session.flush()
        db_role = None
        if not app.db.is_sqlite:
            db_role = login_role(session.connection(), member_id, roles, password)
        actor = app.actor_id or (member_id if existing is None else app.actor(session))
        audit.record(session, actor=actor, action="member-add",
                     detail=member_detail(member_id, roles, delegation, db_role))
        return MemberInfo.of(member, db_role)


def list_members(app: App) -> list[MemberInfo]:
    with app.read() as session:
        members = list(session.exec(select(Member).order_by(Member.id)))
        roles: dict[str, str] = {}
        if not app.db.is_sqlite:
            conn = session.connection()
            database = str(conn.execute(text("SELECT current_database()")).scalar())
            existing = {str(r) for r in conn.execute(text("SELECT rolname FROM pg_roles"))
                        .scalars()}
            roles = {m.id: pgroles.role_name(database, m.id) for m in members
                     if pgroles.role_name(database, m.id) in existing}
        return [MemberInfo.of(m, roles.get(m.id)) for m in members]


def set_password(app: App, member_id: str | None, password: str) -> str:
    """Set a member's database password (PostgreSQL): the administrator's login sets
    anyone's; a member sets their own (``member_id`` None or theirs). Returns the role."""
    if app.db.is_sqlite:
        raise InvalidInput(_NO_PASSWORDS)
    if len(password) < 12:
        raise InvalidInput("the password is too short: use 12 characters or more")
    me = app.actor_id or logins.url_member(app.db.url)
    if member_id is None and me is None:
        raise InvalidInput("name the member whose password to set: resolutions member "
                           "password ID (or --as ID for your own)")
    engine = app.db.engine if member_id in (None, me) else app.db.admin_engine
    with engine.begin() as conn:
        database = str(conn.execute(text("SELECT current_database()")).scalar())
        if member_id is None:
            role = pgroles.connected_role(conn)
        else:
            if conn.execute(text("SELECT 1 FROM members WHERE id = :m"),
                            {"m": member_id}).scalar() is None:
                raise InvalidInput(f"no member {member_id!r}; see 'resolutions member list'")
            role = pgroles.role_name(database, member_id)
            if role != pgroles.connected_role(conn) and not pgroles.can_create_roles(conn):
                raise not_admin("member password")
        pgroles.set_password(conn, role, password)
    return role
