"""Which PostgreSQL role a command logs in as, and with what.

``RESOLUTIONS_DATABASE_URL`` names the server, the database and how to reach them (TLS and
its CA, a libpq passfile or service); the role is chosen per command:

- **administration** (migrations, ``member add|edit|remove|password``) logs in as the URL's
  role, or as ``<database>_admin`` when the URL names a member's role;
- **everything else** logs in as the acting member's own role ``<database>_<member>``: the
  member ``--as``/``RESOLUTIONS_USER`` names, else the member whose role the URL names, else
  (the administrator's URL) the workspace's secretary. The administrator's login never
  records a workflow step.

A password is never on a command line or in the URL the engine shows: libpq reads it from
the passfile (``~/.pgpass``, or ``passfile=…`` in the URL, mode 0600) or a service file
(``service=…``); when it finds none and a person is at the terminal, they are asked
(:func:`use_prompt`). Whoever picks a role with ``--as`` still needs that role's password: the
database, not the flag, decides who acts (docs/SECURITY.md)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING
from urllib.parse import quote, unquote

if TYPE_CHECKING:
    from sqlalchemy.engine import URL

__all__ = ["ADMIN", "is_postgres", "database_name", "url_role", "url_member", "with_role",
           "member_url", "admin_url", "shown", "use_prompt", "ask_password"]

_PROMPT: list[Callable[[str], str]] = []


def make_url(url: str) -> URL:
    from sqlalchemy.engine import make_url as parse

    return parse(url)


#: a database URL's parts, as SQLAlchemy's URL reads them: the login, then the server
#: (kept as written), the database and the query (kept as written: libpq reads them)
_URL = re.compile(r"^(?P<scheme>[\w+]+)://(?:(?P<user>[^:/]*)(?::(?P<password>[^@]*))?@)?"
                  r"(?P<server>(?:\[[^/?]+\]|[^/:?]+)?(?::[^/?]*)?)"
                  r"(?:/(?P<database>[^?]*))?(?:\?(?P<query>.*))?$", re.DOTALL)


def _parts(url: str) -> re.Match[str]:
    """The URL's parts, read without importing SQLAlchemy (a write on the bare driver
    logs in without it); a URL of another shape is refused as SQLAlchemy refuses it."""
    found = _URL.match(url)
    if found is None:
        make_url(url)  # raises SQLAlchemy's own error for it
        raise ValueError(f"cannot read the database URL {shown(url)!r}")
    return found


def use_prompt(ask: Callable[[str], str] | None) -> None:
    """Who answers when libpq finds no password for a login: the command line installs a
    hidden prompt when a person is at a terminal (tests install their own answer)."""
    _PROMPT[:] = [ask] if ask is not None else []


def ask_password(role: str, where: str) -> str | None:
    """The password for ``role`` from the prompt, or None when nobody can be asked."""
    if not _PROMPT:
        return None
    return _PROMPT[0](f"Database password for {role} ({where})")

#: the administrator's role is ``<database>_admin``; no member may be called this
ADMIN = "admin"


def is_postgres(url: str) -> bool:
    return url.startswith(("postgresql", "postgres://"))


def database_name(url: str) -> str:
    return _parts(url)["database"] or ""


def url_role(url: str) -> str:
    return unquote(_parts(url)["user"] or "")


def _clip(name: str) -> str:
    return name[:63]


def url_member(url: str) -> str | None:
    """The member whose own role the URL names (``<database>_<member>``), or None (the
    administrator, the superuser, or no role named)."""
    role, database = url_role(url), database_name(url)
    prefix = f"{database}_"
    if not database or not role.startswith(prefix):
        return None
    member = role[len(prefix):]
    return member if member and member != ADMIN else None


def with_role(url: str, role: str) -> str:
    """The same server, database and options, logged in as ``role`` (whose password libpq
    finds in the passfile or service file: any password of the given URL is dropped)."""
    found = _parts(url)  # (a password the URL gives is kept, as SQLAlchemy's URL.set keeps it)
    database, query, password = found["database"], found["query"], found["password"]
    login = quote(role, safe="") + (f":{password}" if password is not None else "")
    return (f"{found['scheme']}://{login}@{found['server']}"
            + (f"/{database}" if database is not None else "")
            + (f"?{query}" if query else ""))


def member_url(url: str, member: str) -> str:
    return with_role(url, _clip(f"{database_name(url)}_{member}"))


def admin_url(url: str) -> str:
    """The URL administration uses: as given when it names no member, else the
    database's administrator role."""
    if url_member(url) is None and url_role(url):
        return url
    return with_role(url, _clip(f"{database_name(url)}_{ADMIN}"))


def shown(url: str) -> str:
    """The URL as it may be printed: without a password."""
    return make_url(url).render_as_string(hide_password=True)
