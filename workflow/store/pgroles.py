"""PostgreSQL: members are database roles, and the database itself enforces what each may do.

On a PostgreSQL workspace every member connects with a role of their own,
``<database>_<member>`` (the name `member list --json` shows as ``db_role``); the acting
member is ``current_user``, not a flag. Each workspace role is a group role
(``<database>_r_<role>``) holding exactly the table privileges its commands need, and
every member role is in the group ``<database>_members`` (read everything, append audit
events through ``resolutions_append()``). The audit log, versions and signatures are
append-only for everyone — UPDATE, DELETE and TRUNCATE are refused by triggers, whoever
asks — and an approval may change in one way only: ``void`` from false to true (an
objection or a text change voids it). What the database checks of every write beyond the
grants — who appends, who a row names, that each fact has its event — is
:mod:`workflow.store.pgrules`.

Each function takes the administrator's connection as the ORM holds it (a SQLAlchemy
``Connection``) or as the bare write path does (the psycopg connection of
:class:`workflow.store.reads.Reads`), and runs its statements on the driver itself, inside
the caller's transaction: ``member add`` makes the same role, grants and verifier both ways,
and this module imports no ORM."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Union

from workflow.store import pgrules
from workflow.store.factcheck import FACT_TABLES

if TYPE_CHECKING:
    import psycopg
    from psycopg.rows import TupleRow
    from sqlalchemy.engine import Connection as OrmConnection

__all__ = ["role_name", "group_name", "ensure_database_roles", "create_member_role",
           "set_member_roles", "disable_member_role", "member_of_role", "connected_role",
           "can_create_roles", "set_password", "APPEND_ONLY", "ROLE_GRANTS"]

#: tables nobody may UPDATE or DELETE (approvals: see the void-only trigger)
APPEND_ONLY = ("audit_events", "versions", "signatures", "audit_anchors", "receipts",
               "waivers", "blobs")

#: the search index, written with every version (workflow.store.search_index)
_SEARCH = ("search_texts", "search_spans")

#: what each workspace role may write, beyond what every member may (``_BASE``)
ROLE_GRANTS: Mapping[str, Mapping[str, tuple[str, ...]]] = {
    "reviewer": {"INSERT": ("comments", "amendments")},
    "approver": {"INSERT": ("approvals", "translation_state", "waivers"),
                 "UPDATE": ("resolutions", "translation_state")},
    "signatory": {"INSERT": ("signatures", "translation_state"),
                  "UPDATE": ("resolutions", "translation_state")},
    "drafter": {"INSERT": ("resolutions", "versions", "translation_state", *_SEARCH),
                "UPDATE": ("resolutions", "translation_state", "search_spans")},
    "archivist": {"UPDATE": ("resolutions",)},
    "secretary": {"INSERT": ("resolutions", "versions", "review_rounds", "comments",
                             "amendments", "approvals", "translation_state", "signatures",
                             "member_certificates", "messages", "submissions", "receipts",
                             "waivers", *_SEARCH),
                  "UPDATE": ("resolutions", "review_rounds", "comments", "amendments",
                             "translation_state", "member_certificates", "messages",
                             "submissions", "search_spans")},
}
_VOIDERS = ("approver", "drafter", "secretary")  # may set approvals.void (object, edit)
#: column grants: a reviewer's comment bumps the resolution's row version, never its state
_COLUMNS: Mapping[str, Mapping[str, tuple[str, ...]]] = {
    "reviewer": {"resolutions": ("row_version", "updated_at")}}

#: every member: read all, keep the render cache, anchor the chain (appending to the chain
#: itself is ``resolutions_append()``'s: nobody INSERTs into it or UPDATEs its head)
_BASE = {"INSERT": ("artefacts", "audit_anchors"), "UPDATE": ("artefacts",)}
#: what earlier versions granted every member, taken back
_REVOKED = {"INSERT": ("audit_events",), "UPDATE": ("audit_head",)}


#: a connection: SQLAlchemy's, or psycopg's own (the bare path)
Connection = Union["OrmConnection", "psycopg.Connection[TupleRow]"]


def _driver(conn: Connection) -> psycopg.Connection[TupleRow]:
    """The psycopg connection under ``conn`` (SQLAlchemy's holds it as its DB-API one)."""
    if hasattr(conn, "pgconn"):
        return conn  # type: ignore[return-value]
    return conn.connection.dbapi_connection  # type: ignore[return-value]


def _rows(conn: Connection, sql: str, params: Sequence[object] | None = None
          ) -> list[TupleRow]:
    """The rows of ``sql`` (``%s`` placeholders), on the driver, in the caller's transaction."""
    with _driver(conn).cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall()) if cursor.description is not None else []


def _scalar(conn: Connection, sql: str, params: Sequence[object] | None = None) -> object:
    rows = _rows(conn, sql, params)
    return rows[0][0] if rows else None


def _scalars(conn: Connection, sql: str, params: Sequence[object] | None = None
             ) -> list[object]:
    return [row[0] for row in _rows(conn, sql, params)]


def _run(conn: Connection, sql: str) -> None:
    """One or more statements without parameters (DDL), in one round trip."""
    with _driver(conn).cursor() as cursor:
        cursor.execute(sql)


def _database(conn: Connection) -> str:
    return str(_scalar(conn, "SELECT current_database()"))


def _clip(name: str) -> str:
    return name[:63]


def role_name(database: str, member_id: str) -> str:
    return _clip(f"{database}_{member_id}")


def group_name(database: str, role: str) -> str:
    return _clip(f"{database}_r_{role}" if role != "members" else f"{database}_members")


def _q(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def connected_role(conn: Connection) -> str:
    return str(_scalar(conn, "SELECT current_user"))


def can_create_roles(conn: Connection) -> bool:
    return bool(_scalar(
        conn, "SELECT rolsuper OR rolcreaterole FROM pg_roles WHERE rolname = current_user"))


def _role_exists(conn: Connection, name: str) -> bool:
    return bool(_scalar(conn, "SELECT 1 FROM pg_roles WHERE rolname = %s", (name,)))


def _grants(group: str, grants: Mapping[str, Iterable[str]], have: set[str]) -> list[str]:
    return [f"GRANT {privilege} ON {_q(table)} TO {_q(group)}"
            for privilege, tables in grants.items() for table in tables if table in have]


_TRIGGERS = """
CREATE OR REPLACE FUNCTION resolutions_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
    USING ERRCODE = 'insufficient_privilege';
END $$ LANGUAGE plpgsql;
CREATE OR REPLACE FUNCTION resolutions_void_only() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND NEW.void AND NOT OLD.void
     AND (to_jsonb(NEW) - 'void') = (to_jsonb(OLD) - 'void') THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'approvals are append-only (only void may turn true): % refused', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END $$ LANGUAGE plpgsql;
"""

_MARKED = "resolutions_append(timestamptz, text, text, text, integer, text, text, text, text)"


#: each table's primary key columns, in the key's order, as the catalogue holds them
_KEYS = """
SELECT c.relname, a.attname FROM pg_index i
  JOIN pg_class c ON c.oid = i.indrelid
  JOIN unnest(i.indkey) WITH ORDINALITY k(att, n) ON true
  JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.att
 WHERE i.indisprimary AND c.relnamespace = 'public'::regnamespace
 ORDER BY c.relname, k.n
"""


def _keys(conn: Connection) -> dict[str, list[str]]:
    """Each table's primary key (the models' own: the migrations made the tables)."""
    keys: dict[str, list[str]] = {}
    for table, column in _rows(conn, _KEYS):
        keys.setdefault(str(table), []).append(str(column))
    return keys


def _statements(database: str, have: set[str], keys: Mapping[str, list[str]]) -> list[str]:
    """Everything the database's rules are, for the tables that exist now."""
    out = [_TRIGGERS]
    for table in APPEND_ONLY:
        if table in have:
            out += [f"DROP TRIGGER IF EXISTS append_only ON {_q(table)}",
                    f"CREATE TRIGGER append_only BEFORE UPDATE OR DELETE ON {_q(table)} "
                    "FOR EACH ROW EXECUTE FUNCTION resolutions_append_only()",
                    f"DROP TRIGGER IF EXISTS no_truncate ON {_q(table)}",
                    f"CREATE TRIGGER no_truncate BEFORE TRUNCATE ON {_q(table)} "
                    "FOR EACH STATEMENT EXECUTE FUNCTION resolutions_append_only()"]
    out += ['DROP TRIGGER IF EXISTS void_only ON "approvals"',
            'CREATE TRIGGER void_only BEFORE UPDATE OR DELETE ON "approvals" '
            "FOR EACH ROW EXECUTE FUNCTION resolutions_void_only()"]
    members = group_name(database, "members")
    for group in [members, *(group_name(database, r) for r in ROLE_GRANTS)]:
        literal = group.replace("'", "''")
        out.append(f"DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = "
                   f"'{literal}') THEN CREATE ROLE {_q(group)} NOLOGIN; END IF; END $$")
    out += [f"GRANT CONNECT ON DATABASE {_q(database)} TO {_q(members)}",
            f"GRANT USAGE ON SCHEMA public TO {_q(members)}",
            f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {_q(members)}",
            f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {_q(members)}",
            *_grants(members, _BASE, have)]
    out += [f"REVOKE {privilege} ON {_q(table)} FROM {_q(members)}"
            for privilege, tables in _REVOKED.items() for table in tables if table in have]
    out += pgrules.statements(members, [
        (name, keys[name]) for name in FACT_TABLES if name in have], have)
    for role, grants in ROLE_GRANTS.items():
        out += _grants(group_name(database, role), grants, have)
        for table, columns in _COLUMNS.get(role, {}).items():
            if table in have:
                group = _q(group_name(database, role))
                out += [f"REVOKE UPDATE ON {_q(table)} FROM {group}",
                        f"GRANT UPDATE ({', '.join(_q(c) for c in columns)}) ON {_q(table)} "
                        f"TO {group}"]
        if role in _VOIDERS and "approvals" in have:
            out.append(f'GRANT UPDATE ("void") ON "approvals" TO '
                       f"{_q(group_name(database, role))}")
    from workflow.store.blobs import shared_store_statements

    return out + shared_store_statements(lambda role: group_name(database, role), have)


#: what the rules are applied to, as the catalogue has it now: each table's identity and
#: grants, each trigger (enabled or not) and each of our functions' body and grants — a
#: table dropped and made again (a downgrade and upgrade), a trigger dropped or switched
#: off, a function replaced all change it, and the rules are applied again
_APPLIED_TO = r"""
SELECT coalesce(string_agg(x, E'\n' ORDER BY x), '') FROM (
  SELECT 'relation ' || c.relname || ' ' || c.oid::text || ' ' || coalesce(c.relacl::text, '')
    AS x FROM pg_class c
   WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p', 'S')
  UNION ALL
  SELECT 'trigger ' || c.relname || ' ' || t.tgname || ' ' || t.tgenabled::text || ' ' ||
         t.tgfoid::text
    FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
   WHERE c.relnamespace = 'public'::regnamespace AND NOT t.tgisinternal
  UNION ALL
  SELECT 'function ' || p.oid::regprocedure::text || ' ' || md5(p.prosrc) || ' ' ||
         p.prosecdef::text || ' ' || coalesce(p.proacl::text, '') || ' ' ||
         coalesce(array_to_string(p.proconfig, ','), '')
    FROM pg_proc p
   WHERE p.pronamespace = 'public'::regnamespace AND p.proname LIKE 'resolutions\_%'
) s
"""


def _marker(conn: Connection, statements: list[str]) -> str:
    applied_to = str(_scalar(conn, _APPLIED_TO))
    return "rules " + hashlib.sha256("\n;\n".join([*statements, applied_to])
                                     .encode("utf-8")).hexdigest()


def ensure_database_roles(conn: Connection) -> None:
    """Create (or bring up to date) the group roles, grants, functions and triggers of this
    database, for the tables it has. Run by the owner after every migration and before a
    member is added; idempotent, and skipped when the database already holds exactly these
    rules over exactly the objects they were applied to (a SHA-256 of both is the comment on
    ``resolutions_append``: see ``_APPLIED_TO``)."""
    if not can_create_roles(conn):
        return
    database = _database(conn)
    have = {str(t) for t in _scalars(
        conn, "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")}
    statements = _statements(database, have, _keys(conn))
    marked = _scalar(conn, "SELECT obj_description(to_regprocedure(%s), 'pg_proc')",
                     (_MARKED,))
    if marked is not None and marked == _marker(conn, statements):
        return
    _run(conn, ";\n".join(statements))  # one round trip, no parameters parsed
    if "audit_events" in have:
        _run(conn, f"COMMENT ON FUNCTION {_MARKED} IS '{_marker(conn, statements)}'")


def create_member_role(conn: Connection, member_id: str, roles: Iterable[str]) -> str:
    """The member's login role, in the groups of their workspace roles. It has no password:
    the member sets one (``\\password`` in psql) or the cluster authenticates them by
    certificate (docs/SECURITY.md)."""
    database = _database(conn)
    name = role_name(database, member_id)
    if not _role_exists(conn, name):
        _run(conn, f"CREATE ROLE {_q(name)} LOGIN INHERIT NOSUPERUSER NOCREATEDB NOCREATEROLE")
    for group in [group_name(database, "members"),
                  *(group_name(database, r) for r in roles if r in ROLE_GRANTS)]:
        _run(conn, f"GRANT {_q(group)} TO {_q(name)}")
    return name


_VERIFIER = re.compile(r"^SCRAM-SHA-256\$[0-9]+:[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+$")


def set_password(conn: Connection, name: str, password: str) -> None:
    """Give login role ``name`` a password. The SCRAM-SHA-256 verifier is computed here
    (libpq's ``PQencryptPasswordConn``), so the password itself never reaches the server,
    its logs or ``pg_stat_activity``."""
    verifier = _driver(conn).pgconn.encrypt_password(
        password.encode("utf-8"), name.encode("utf-8"), b"scram-sha-256").decode("ascii")
    if not _VERIFIER.match(verifier):
        raise ValueError("libpq did not make a SCRAM-SHA-256 verifier")
    _run(conn, f"ALTER ROLE {_q(name)} PASSWORD '{verifier}'")


def _groups_of(conn: Connection, name: str) -> set[str]:
    return {str(g) for g in _scalars(
        conn, "SELECT g.rolname FROM pg_auth_members a JOIN pg_roles g ON g.oid = a.roleid "
        "JOIN pg_roles m ON m.oid = a.member WHERE m.rolname = %s", (name,))}


def set_member_roles(conn: Connection, member_id: str, roles: Iterable[str]) -> str:
    """Bring the member's login role into exactly the groups of ``roles`` (creating the
    role if it is missing): a role taken away is revoked at once."""
    database = _database(conn)
    name = create_member_role(conn, member_id, roles)
    wanted = {group_name(database, "members"),
              *(group_name(database, r) for r in roles if r in ROLE_GRANTS)}
    ours = {group_name(database, r) for r in ROLE_GRANTS}
    for group in sorted((_groups_of(conn, name) & ours) - wanted):
        _run(conn, f"REVOKE {_q(group)} FROM {_q(name)}")
    return name


def disable_member_role(conn: Connection, member_id: str, *, drop: bool) -> None:
    """A removed member: every workspace group revoked and the login taken away; ``drop``
    (a member with no history) drops the role altogether."""
    database = _database(conn)
    name = role_name(database, member_id)
    if not _role_exists(conn, name):
        return
    ours = {group_name(database, r) for r in (*ROLE_GRANTS, "members")}
    for group in sorted(_groups_of(conn, name) & ours):
        _run(conn, f"REVOKE {_q(group)} FROM {_q(name)}")
    if drop:
        _run(conn, f"DROP ROLE {_q(name)}")
    else:
        _run(conn, f"ALTER ROLE {_q(name)} NOLOGIN")


def member_of_role(conn: Connection, member_ids: Iterable[str]) -> str | None:
    """The member whose login role this connection uses (None: the owner, or a stranger)."""
    database = _database(conn)
    current = connected_role(conn)
    for member_id in member_ids:
        if role_name(database, member_id) == current:
            return member_id
    return None
