"""Members of the working group: who they are, their delegation and their roles."""

from __future__ import annotations

import json
import re

from sqlalchemy import text
from sqlmodel import select

from workflow import clock
from workflow.app import ROLES, App
from workflow.errors import InvalidInput, WorkflowError
from workflow.lifecycle.steps import act, allow
from workflow.rows import MemberInfo
from workflow.store import audit, pgroles
from workflow.store.models import Member, MemberRole

__all__ = ["add_member", "list_members", "validate", "refuse_hostile", "MemberInfo"]

_ID = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")



#: characters no name, organisation or address may hold: controls (CR, LF, ESC, …), bidi
#: overrides and isolates, zero-width characters and the byte-order mark — each can forge a
#: header line, reorder a name on screen or hide one name inside another
_FORBIDDEN = re.compile("[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2064"
                        "\u2066-\u2069\ufeff]")


def refuse_hostile(field: str, value: str) -> None:
    """Refuse ``value`` when it holds a character that hides or forges text."""
    found = _FORBIDDEN.search(value)
    if found:
        raise InvalidInput(f"{field} holds the invisible or control character "
                           f"U+{ord(found.group()):04X} at position {found.start() + 1}; "
                           "type it again without it")


def validate(*, name: str, org: str, email: str, delegation: str, lang: str,
             names: dict[str, str], roles: list[str] | tuple[str, ...]) -> None:
    """Refuse a member's data that is unknown, malformed or hostile (add and edit)."""
    unknown = [r for r in roles if r not in ROLES]
    if unknown:
        raise InvalidInput(f"unknown role(s) {', '.join(unknown)}; roles are {', '.join(ROLES)}")
    if not name.strip():
        raise InvalidInput("a member needs a name (--name)")
    for field, value in [("--name", name), ("--org", org), ("--email", email),
                         *((f"--name-{lang_}", value_) for lang_, value_ in (names or {}).items())]:
        refuse_hostile(field, value)
    if email and not _EMAIL.match(email):
        raise InvalidInput(f"invalid e-mail address {email!r}")
    if delegation and not re.match(r"^[a-z]{2,8}$", delegation):
        raise InvalidInput(f"invalid delegation {delegation!r}: use a short code such as ru or zh")
    from drafts.model import LANGUAGES

    if lang not in LANGUAGES:
        raise InvalidInput(f"--lang {lang!r} is not a language code; use one of "
                           f"{', '.join(LANGUAGES)}")
    if len(name) > 200 or len(org) > 300 or len(email) > 254:
        raise InvalidInput("name, organisation or e-mail is too long")


def add_member(app: App, member_id: str, *, name: str, org: str = "", delegation: str = "",
               email: str = "", roles: list[str] | tuple[str, ...] = (),
               names: dict[str, str] | None = None, lang: str = "en") -> MemberInfo:
    """Add a member. The first member needs no role to add; after that, the secretary."""
    if not _ID.match(member_id) or ".." in member_id:
        raise InvalidInput(f"invalid member id {member_id!r}: use lower-case letters, digits, "
                           "'-', '_' or '.' (e.g. ivanov)")
    validate(name=name, org=org, email=email, delegation=delegation, lang=lang,
             names=names or {}, roles=roles)
    with app.write() as session:
        existing = session.exec(select(Member)).first()
        if existing is not None:
            act(session, allow(app, session, "member add"))
        elif "secretary" not in roles:
            raise InvalidInput("the first member of a workspace adds the others, so it must be "
                               "the secretary: add --role secretary")
        if session.get(Member, member_id) is not None:
            raise InvalidInput(f"member {member_id!r} already exists; change them with "
                               f"'resolutions member edit {member_id} …'")
        member = Member(id=member_id, name=name.strip(), names_json=json.dumps(names or {},
                        ensure_ascii=False), org=org, delegation=delegation, email=email,
                        roles=[MemberRole(member_id=member_id, role=r) for r in sorted(set(roles))],
                        lang=lang, created_at=clock.now())
        session.add(member)
        session.flush()
        db_role = None
        if not app.db.is_sqlite:
            conn = session.connection()
            if not pgroles.can_create_roles(conn):
                raise WorkflowError("member add creates the member's own database role: run it "
                                    "with a connection allowed to create roles (the workspace "
                                    "owner's), not a member's")
            pgroles.ensure_database_roles(conn)
            db_role = pgroles.create_member_role(conn, member_id, roles)
        actor = app.actor_id or (member_id if existing is None else app.actor(session))
        audit.record(session, actor=actor, action="member-add",
                     detail={"member": member_id, "roles": sorted(set(roles)),
                             "delegation": delegation, "db_role": db_role})
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
