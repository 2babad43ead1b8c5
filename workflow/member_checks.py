"""What a member's data is held to (``member add``, ``member edit``) and the ``member-add``
event's detail — one copy for the service on the ORM (:mod:`workflow.members`) and the
command on the bare driver (:mod:`workflow.writing`). Nothing here imports the ORM."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from workflow.errors import InvalidInput, WorkflowError
from workflow.states import ROLES
from workflow.store import logins

if TYPE_CHECKING:
    from collections.abc import Iterable

    from workflow.store.pgroles import Connection

__all__ = ["validate", "refuse_hostile", "delegation_language", "member_input",
           "member_detail", "already_exists", "not_admin", "login_role", "NO_PASSWORDS"]

NO_PASSWORDS = ("database passwords are PostgreSQL's: on SQLite nothing authenticates a "
                "member (docs/SECURITY.md)")

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
    from drafts.languages import REGISTRY, supported

    if lang not in REGISTRY:
        raise InvalidInput(f"--lang {lang!r} is not a language the documents can be written "
                           f"in; use one of {supported()}")
    for written in names:
        if written not in REGISTRY:
            raise InvalidInput(f"a name in {written!r}: not a language code; use one of "
                               f"{supported()}")
    if len(name) > 200 or len(org) > 300 or len(email) > 254:
        raise InvalidInput("name, organisation or e-mail is too long")


#: Delegations named by country code, and the language their members read.
_DELEGATION_LANGUAGE = {"br": "pt", "cn": "zh", "in": "hi", "za": "en", "eg": "ar", "et": "am",
                        "ir": "fa", "ae": "ar", "sa": "ar", "id": "id", "ru": "ru"}


def delegation_language(delegation: str) -> str:
    """The language documents go to a delegation's members in: the delegation's code when
    it is a language (``ru``, ``zh``, ``ar``), its country's language (``br`` → ``pt``),
    else English."""
    from drafts.languages import REGISTRY

    code = (delegation or "").strip().lower()
    if code in REGISTRY:
        return code
    return _DELEGATION_LANGUAGE.get(code, "en")


def member_input(member_id: str, *, name: str, org: str, email: str, delegation: str,
                 lang: str | None, names: dict[str, str], roles: list[str] | tuple[str, ...],
                 password: str | None, sqlite: bool) -> str:
    """Refuse a new member's id and data as ``member add`` does; the language their
    documents go in (given, else their delegation's)."""
    lang = lang or delegation_language(delegation)
    if not _ID.match(member_id) or ".." in member_id:
        raise InvalidInput(f"invalid member id {member_id!r}: use lower-case letters, digits, "
                           "'-', '_' or '.' (e.g. ivanov)")
    if member_id == logins.ADMIN:
        raise InvalidInput(f"{member_id!r} is the name of the database administrator's role; "
                           "choose another member id")
    if password is not None and sqlite:
        raise InvalidInput(NO_PASSWORDS)
    validate(name=name, org=org, email=email, delegation=delegation, lang=lang,
             names=names, roles=roles)
    return lang


def already_exists(member_id: str) -> InvalidInput:
    return InvalidInput(f"member {member_id!r} already exists; change them with "
                        f"'resolutions member edit {member_id} …'")


def member_detail(member_id: str, roles: list[str] | tuple[str, ...], delegation: str,
                  db_role: str | None) -> dict[str, object]:
    return {"member": member_id, "roles": sorted(set(roles)), "delegation": delegation,
            "db_role": db_role}


def not_admin(what: str) -> WorkflowError:
    """``what`` (``member add``, ``member password`` …) on a login that cannot create roles."""
    return WorkflowError(f"{what} changes a member's database role, which only the "
                         "administrator's login may do: the URL names a role that cannot "
                         "create roles (log in as the database's administrator, "
                         "docs/SECURITY.md)")


def login_role(conn: Connection, member_id: str, roles: Iterable[str],
               password: str | None) -> str:
    """PostgreSQL: the new member's login role, in the groups of their roles, with its first
    password when one is given, on the transaction's own connection (refused on a login
    that cannot create roles)."""
    from workflow.store import pgroles

    if not pgroles.can_create_roles(conn):
        raise not_admin("member add")
    pgroles.ensure_database_roles(conn)
    db_role = pgroles.create_member_role(conn, member_id, roles)
    if password:
        pgroles.set_password(conn, db_role, password)
    return db_role
