"""The append-only, hash-chained audit log.

Each event's hash covers its own fields and the hash of the event before it, and the
audit head row holds the newest (seq, hash). Editing, deleting or reordering any event
breaks the chain at that event; ``verify()`` names the first break. ``verify()`` also
cross-checks the tables the events describe: every version's text against its recorded
hash and every resolution's state against the last state its events record, and
(``workflow.store.crosscheck``) comments, approvals and members against their events.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
from collections.abc import Iterable
from typing import Any

from sqlalchemy import String, text, type_coerce
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, select

from workflow import clock
from workflow.errors import WorkflowError
from workflow.store import facts
from workflow.store.chain import GENESIS, Problem, chain_problems, event_hash, event_payload
from workflow.store.crosscheck import row_problems
from workflow.store.models import AuditEvent, AuditHead, ResolutionRow, Version

__all__ = ["record", "verify", "Problem", "event_hash", "events_for", "GENESIS"]


def record(session: Session, *, actor: str, action: str, resolution: ResolutionRow | None = None,
           detail: dict[str, Any] | None = None, outcome: str = "ok") -> AuditEvent:
    """Append one event inside the caller's write transaction (which holds the head lock)."""
    head = session.get(AuditHead, 1)
    assert head is not None, "audit head missing: the database was not migrated"
    at = clock.now()
    if head.seq:
        before = session.get(AuditEvent, head.seq)
        if before is not None and _utc(before.at) > _utc(at):
            raise WorkflowError(f"the clock reads {at.isoformat()}, before the last audit event "
                                f"({_utc(before.at).isoformat()}): events are never dated "
                                "back; set this machine's clock right and re-run")
    detail = dict(detail or {})
    bound = facts.take(session)
    if bound:
        detail["facts"] = bound
    session.info["actor"] = actor
    detail_text = json.dumps(detail, ensure_ascii=False, sort_keys=True, default=str)
    seq = head.seq + 1
    rid = resolution.id if resolution is not None else None
    symbol = resolution.symbol if resolution is not None else ""
    payload = event_payload(seq, at, actor, action, outcome, rid, symbol, detail_text,
                            head.hash)
    digest = hashlib.sha256(payload.encode("utf-8")).hexdigest()
    event = AuditEvent(seq=seq, at=at, actor=actor, action=action, outcome=outcome,
                       resolution_id=rid, symbol=symbol, detail=detail_text,
                       prev_hash=head.hash, hash=digest)
    if session.get_bind().dialect.name == "postgresql":
        # the one way into the chain: the database's own append function, which checks
        # who this login is, the event's links and its hash (workflow.store.pgroles)
        session.execute(_APPEND, {"at": at, "actor": actor, "action": action,
                                  "outcome": outcome, "rid": rid, "symbol": symbol,
                                  "detail": detail_text, "payload": payload, "hash": digest})
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
                 .order_by(AuditEvent.seq))
    return list(session.exec(statement))


def _chain_problems(events: Iterable[AuditEvent], head: AuditHead | None) -> list[Problem]:
    return chain_problems(events, (head.seq, head.hash) if head is not None else None)


def verify(session: Session) -> list[Problem]:
    """Every problem found: a broken chain, a tampered row, version text or state."""
    events = list(session.exec(select(AuditEvent).order_by(AuditEvent.seq)))
    problems = _chain_problems(events, session.get(AuditHead, 1))
    recorded_hash: dict[tuple[int, int], str] = {}
    last_state: dict[int, str] = {}
    details: list[tuple[int, dict[str, Any]]] = []
    for ev in events:
        try:
            detail = json.loads(ev.detail)
        except ValueError:
            continue
        if not isinstance(detail, dict):
            continue
        details.append((ev.seq, detail))
        if ev.resolution_id is None or ev.outcome != "ok":
            continue
        if "version" in detail and "content_hash" in detail:
            recorded_hash[(ev.resolution_id, int(detail["version"]))] = detail["content_hash"]
        if "state" in detail:
            last_state[ev.resolution_id] = detail["state"]
    bound = facts.recorded_rows(details)
    symbols: dict[int | None, str] = {}
    # the stored text, not the enum: a state edited into a word that is no state is named too
    stored = select(ResolutionRow.id, ResolutionRow.symbol,
                    type_coerce(ResolutionRow.state, String))
    for rid, symbol, state in session.exec(stored):
        symbols[rid] = symbol
        if last_state.get(rid or 0) != state:
            problems.append(Problem(f"resolution {symbol}",
                                    f"state is {state!r} but the audit log records "
                                    f"{last_state.get(rid or 0)!r}: the state was edited"))
    versions = select(Version.id, Version.resolution_id, Version.number, Version.content_hash)
    for vid, rid, number, content_hash in session.exec(versions.order_by(
            Version.resolution_id, Version.number)):
        where = f"version {number} of {symbols.get(rid, '?')}"
        expected = recorded_hash.get((rid, number))
        if expected is None:
            problems.append(Problem(where, "has no audit event recording it"))
        elif expected != content_hash:
            problems.append(Problem(where, "text differs from the hash the audit log recorded"))
        if ("versions", facts.key_text([vid])) not in bound:
            problems += _parsed_problems(session, vid, where, content_hash)
    return problems + row_problems(session, events) + facts.fact_problems(session, details)


def _parsed_problems(session: Session, vid: int, where: str, content_hash: str) -> list[Problem]:
    """A version no event bound byte for byte (written before rows were bound to the
    chain): its text is parsed and its content hash recomputed."""
    from drafts.errors import DraftError
    from drafts.source import load

    version = session.get(Version, vid)
    assert version is not None
    try:
        model, _ = load(version.source, where)
    except DraftError as exc:
        return [Problem(where, f"text no longer parses ({exc})")]
    if model.content_hash() != content_hash:
        return [Problem(where, "text does not match its recorded hash: it was edited")]
    return []
