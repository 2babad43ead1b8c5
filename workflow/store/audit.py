"""The append-only, hash-chained audit log.

Each event's hash covers its own fields and the hash of the event before it, and the
audit head row holds the newest (seq, hash). Editing, deleting or reordering any event
breaks the chain at that event; ``verify()`` names the first break. ``verify()`` also
cross-checks the tables the events describe: every version's text against its recorded
hash and every resolution's state against the last state its events record, and
(``workflow.store.crosscheck``) comments, approvals and members against their events.
The rules live in ``workflow.store.crosscheck.verify_rows``; here they read the ORM's rows.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
from collections.abc import Iterator, Mapping

from sqlalchemy import String, text, type_coerce
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, col, select

from workflow import clock
from workflow.errors import WorkflowError
from workflow.store import facts
from workflow.store.chain import GENESIS, Problem, backdated, detail_text, event_hash, event_payload
from workflow.store.crosscheck import verify_rows
from workflow.store.models import (
    Approval,
    AuditEvent,
    AuditHead,
    Comment,
    Member,
    MemberRole,
    ResolutionRow,
    Version,
)

__all__ = ["record", "verify", "Problem", "event_hash", "events_for", "GENESIS"]


def record(session: Session, *, actor: str, action: str, resolution: ResolutionRow | None = None,
           detail: Mapping[str, object] | None = None, outcome: str = "ok") -> AuditEvent:
    """Append one event inside the caller's write transaction (which holds the head lock)."""
    head = session.get(AuditHead, 1)
    assert head is not None, "audit head missing: the database was not migrated"
    at = clock.now()
    if head.seq:
        before = session.get(AuditEvent, head.seq)
        refused = backdated(before.at, at) if before is not None else None
        if refused:
            raise WorkflowError(refused)
    bound = facts.take(session)
    recorded = {**(detail or {}), **({"facts": bound} if bound else {})}
    session.info["actor"] = actor
    text_ = detail_text(recorded)
    seq = head.seq + 1
    rid = resolution.id if resolution is not None else None
    symbol = resolution.symbol if resolution is not None else ""
    payload = event_payload(seq, at, actor, action, outcome, rid, symbol, text_, head.hash)
    digest = hashlib.sha256(payload.encode("utf-8")).hexdigest()
    event = AuditEvent(seq=seq, at=at, actor=actor, action=action, outcome=outcome,
                       resolution_id=rid, symbol=symbol, detail=text_,
                       prev_hash=head.hash, hash=digest)
    if session.get_bind().dialect.name == "postgresql":
        # the one way into the chain: the database's own append function, which checks
        # who this login is, the event's links and its hash (workflow.store.pgroles)
        session.execute(_APPEND, {"at": at, "actor": actor, "action": action,
                                  "outcome": outcome, "rid": rid, "symbol": symbol,
                                  "detail": text_, "payload": payload, "hash": digest})
        set_committed_value(head, "seq", seq)
        set_committed_value(head, "hash", digest)
        return event
    session.add(event)
    head.seq, head.hash = seq, digest
    session.add(head)
    session.flush()
    return event


_APPEND = text("SELECT resolutions_append(:at, :actor, :action, :outcome, :rid, :symbol, "
               ":detail, :payload, :hash)")


def _utc(value: _dt.datetime) -> _dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=_dt.timezone.utc)


def events_for(session: Session, resolution_id: int) -> list[AuditEvent]:
    statement = (select(AuditEvent).where(AuditEvent.resolution_id == resolution_id)
                 .order_by(col(AuditEvent.seq)))
    return list(session.exec(statement))


def verify(session: Session) -> list[Problem]:
    """Every problem found: a broken chain, a tampered row, version text or state
    (``workflow.store.crosscheck.verify_rows`` over the rows the ORM reads)."""
    return verify_rows(_OrmRows(session))


class _OrmRows:
    """The rows ``verify_rows`` checks, read through the ORM session."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def events(self) -> list[AuditEvent]:
        return list(self.session.exec(select(AuditEvent).order_by(col(AuditEvent.seq))))

    def head(self) -> tuple[int, str] | None:
        head = self.session.get(AuditHead, 1)
        return (head.seq, head.hash) if head is not None else None

    def resolutions(self) -> list[tuple[int | None, str, str]]:  # (id, symbol, stored state)
        # the stored text, not the enum: a state edited into a word that is no state is named
        return list(self.session.exec(select(ResolutionRow.id, ResolutionRow.symbol,
                                             type_coerce(ResolutionRow.state, String))))

    def versions(self) -> list[tuple[int | None, int, int, str]]:  # (id, resolution, no., hash)
        return list(self.session.exec(
            select(Version.id, Version.resolution_id, Version.number, Version.content_hash)
            .order_by(col(Version.resolution_id), col(Version.number))))

    def version_source(self, vid: int) -> str:
        version = self.session.get(Version, vid)
        assert version is not None
        return version.source

    def comments(self) -> list[Comment]:
        return list(self.session.exec(select(Comment).order_by(col(Comment.resolution_id),
                                                               col(Comment.number))))

    def approvals(self) -> list[Approval]:
        return list(self.session.exec(select(Approval).order_by(col(Approval.id))))

    def members(self) -> list[Member]:
        return list(self.session.exec(select(Member).order_by(Member.id)))

    def member_roles(self) -> dict[str, list[str]]:
        held: dict[str, list[str]] = {}
        for member_id, role in self.session.exec(select(MemberRole.member_id, MemberRole.role)):
            held.setdefault(member_id, []).append(role)
        return held

    def orphan_roles(self) -> list[tuple[str, str]]:
        orphans = select(MemberRole.member_id, MemberRole.role).where(
            col(MemberRole.member_id).not_in(select(Member.id)))
        return list(self.session.exec(orphans.order_by(MemberRole.member_id, MemberRole.role)))

    def fact_rows(self, name: str) -> Iterator[tuple[str, dict[str, object]]]:
        return facts.rows(self.session, name)
