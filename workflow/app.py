"""The application object every use case runs against: a workspace, its database, and
the member who acts. ``App.write()`` is the one write transaction; a refusal for lack of a
role is rolled back and then recorded in the audit log as refused."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from sqlmodel import Session, select

from workflow import acting
from workflow.errors import NotFound, PermissionDenied
from workflow.states import ROLES
from workflow.store import audit, pgroles
from workflow.store.db import Database
from workflow.store.models import Member, ResolutionRow, Version, holding
from workflow.store.workspace import Workspace, find

__all__ = ["App", "ROLES"]


@dataclass
class App:
    workspace: Workspace
    db: Database
    actor_id: str | None = None

    #: the SMTP password (from the environment, which the command line reads)
    smtp_password: str | None = field(default=None, repr=False)
    #: what opening did to the schema (``None``: it was current), for the caller to say
    migrated: str | None = None

    def __post_init__(self) -> None:
        if self.workspace.files.shared:  # the shared store logs in as the database does
            self.workspace.files.log_in_as(self._login_url)

    def _login_url(self) -> str:
        return str(self.db.engine.url.render_as_string(hide_password=False))

    @classmethod
    def open(cls, workspace: str | os.PathLike[str] | None = None,
             actor: str | None = None, *, database_url: str | None = None,
             smtp_password: str | None = None) -> App:
        """The workspace named (or the nearest above the current folder), acting as
        ``actor``; ``database_url``: a shared database instead of its own SQLite file (on
        PostgreSQL the engine logs in as the actor's own role)."""
        ws = find(workspace, database_url=database_url)
        app = cls(ws, Database(ws.database_url, actor), actor, smtp_password)
        app.migrated = app.db.migrate()
        return app

    # -- transactions -------------------------------------------------------------
    @contextlib.contextmanager
    def write(self, *, admin: bool = False) -> Iterator[Session]:
        """The use case's one transaction; ``admin``: membership, which on PostgreSQL runs
        on the administrator's login (it creates and changes login roles)."""
        try:
            with self.db.write(admin=admin) as session:
                session.info["actor_of"] = lambda: self.actor(session)
                session.info["write"] = True
                session.info["state_dir"] = self.workspace.state_dir  # the parsed-text cache
                yield session
        except PermissionDenied as exc:
            rid = exc.resolution_id
            with self.db.write() as session:
                row = session.get(ResolutionRow, rid) if rid is not None else None
                audit.record(session, actor=self.actor(session), action="refused",
                             resolution=row, detail={"reason": str(exc), "command": exc.command},
                             outcome="refused")
            raise

    @contextlib.contextmanager
    def read(self) -> Iterator[Session]:
        with self.db.read() as session:
            session.info["state_dir"] = self.workspace.state_dir  # the parsed-text cache
            yield session

    # -- who acts -------------------------------------------------------------------
    def connected_member(self, session: Session) -> str | None:
        """PostgreSQL: the member whose own login role this connection uses (None on SQLite,
        and for the owner's connection)."""
        if self.db.is_sqlite:
            return None
        ids = [str(i) for i in session.exec(select(Member.id))]
        return pgroles.member_of_role(session.connection(), ids)

    def actor(self, session: Session) -> str:
        connected = self.connected_member(session)
        if connected is not None:  # authenticated by the database: no flag can change it
            if self.actor_id and self.actor_id != connected:
                raise acting.other_login(connected, self.actor_id)
            return connected
        if self.actor_id:
            return self.actor_id
        secretary = session.exec(holding("secretary")).first()
        return secretary.id if secretary else "secretary"

    def operator(self, session: Session) -> Member:
        """Who types the command. On SQLite nothing authenticates a member: the operator of
        the workspace is its secretary, and ``--as``/``RESOLUTIONS_USER`` only say for whom
        (acts for another member then need their evidence; see docs/SECURITY.md)."""
        connected = self.connected_member(session)
        if connected is not None:
            return self.member(session, connected)
        secretary = session.exec(holding("secretary")).first()
        return secretary if secretary is not None else self.acting_member(session)

    def acting_member(self, session: Session) -> Member:
        actor = self.actor(session)
        member = session.get(Member, actor)
        if member is None:
            raise acting.not_acting(actor)
        return _active(member)

    def member(self, session: Session, member_id: str, *, active: bool = False) -> Member:
        """A member by id; ``active``: one who may act (refused once removed)."""
        member = session.get(Member, member_id)
        if member is None:
            raise acting.no_member(member_id)
        return _active(member) if active else member

    # -- resolutions ----------------------------------------------------------------
    def resolution(self, session: Session, ref: str) -> ResolutionRow:
        """A resolution by symbol (``RCWG/RES/2024/1``) or number (``1``)."""
        ref = str(ref).strip()
        row = None
        if ref.isascii() and ref.isdigit() and len(ref) <= 18:  # an INTEGER, not a huge one
            row = session.exec(select(ResolutionRow).where(ResolutionRow.number == int(ref))).first()
        if row is None:
            row = session.exec(select(ResolutionRow).where(ResolutionRow.symbol == ref)).first()
        if row is None:
            raise NotFound(f"no resolution {ref!r}; see 'resolutions list'")
        return row

    def version(self, session: Session, row: ResolutionRow, number: int | None = None) -> Version:
        wanted = number or row.current_version
        version = session.exec(select(Version).where(Version.resolution_id == row.id,
                                                     Version.number == wanted)).first()
        if version is None:
            raise NotFound(f"{row.symbol} has no version {wanted} "
                           f"(versions 1–{row.current_version})")
        return version

    def store_path(self, digest: str) -> Path:
        """The content-addressed file ``digest`` (fetched from the shared store when this
        machine does not have it yet)."""
        return self.workspace.files.store_path(digest)


def _active(member: Member) -> Member:
    if member.active is False:
        raise acting.removed(member.id)
    return member
