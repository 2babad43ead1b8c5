"""The append-only, hash-chained audit log.

Each event's hash covers its own fields and the hash of the event before it, and the
audit head row holds the newest (seq, hash). Editing, deleting or reordering any event
breaks the chain at that event; ``verify()`` names the first break. ``verify()`` also
cross-checks the tables the events describe: every version's text against its recorded
hash and every resolution's state against the last state its events record.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, select

from workflow import clock
from workflow.models import AuditEvent, AuditHead, ResolutionRow, Version

__all__ = ["record", "verify", "Problem", "event_hash", "events_for"]

GENESIS = "0" * 64


def _iso(at: _dt.datetime) -> str:
    if at.tzinfo is None:
        at = at.replace(tzinfo=_dt.timezone.utc)
    return at.astimezone(_dt.timezone.utc).isoformat()


def event_hash(seq: int, at: _dt.datetime, actor: str, action: str, outcome: str,
               resolution_id: int | None, symbol: str, detail: str, prev_hash: str) -> str:
    payload = json.dumps(
        {"seq": seq, "at": _iso(at), "actor": actor, "action": action, "outcome": outcome,
         "resolution_id": resolution_id, "symbol": symbol, "detail": json.loads(detail),
         "prev": prev_hash},
        ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def record(session: Session, *, actor: str, action: str, resolution: ResolutionRow | None = None,
           detail: dict[str, Any] | None = None, outcome: str = "ok") -> AuditEvent:
    """Append one event inside the caller's write transaction (which holds the head lock)."""
    head = session.get(AuditHead, 1)
    assert head is not None, "audit head missing: the database was not migrated"
    at = clock.now()
    detail_text = json.dumps(detail or {}, ensure_ascii=False, sort_keys=True, default=str)
    seq = head.seq + 1
    rid = resolution.id if resolution is not None else None
    symbol = resolution.symbol if resolution is not None else ""
    digest = event_hash(seq, at, actor, action, outcome, rid, symbol, detail_text, head.hash)
    event = AuditEvent(seq=seq, at=at, actor=actor, action=action, outcome=outcome,
                       resolution_id=rid, symbol=symbol, detail=detail_text,
                       prev_hash=head.hash, hash=digest)
    session.add(event)
    head.seq, head.hash = seq, digest
    session.add(head)
    session.flush()
    return event


def events_for(session: Session, resolution_id: int) -> list[AuditEvent]:
    statement = (select(AuditEvent).where(AuditEvent.resolution_id == resolution_id)
                 .order_by(AuditEvent.seq))
    return list(session.exec(statement))


@dataclass(frozen=True)
class Problem:
    where: str     # "audit event 12", "version 3 of RCWG/RES/2024/1", …
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


def _chain_problems(events: Iterable[AuditEvent], head: AuditHead | None) -> list[Problem]:
    problems: list[Problem] = []
    prev, expected_seq = GENESIS, 1
    last: AuditEvent | None = None
    for ev in events:
        where = f"audit event {ev.seq}"
        if ev.seq != expected_seq:
            problems.append(Problem(f"audit event {expected_seq}",
                                    f"missing (next present is {ev.seq}): an event was deleted"))
        if ev.prev_hash != prev:
            problems.append(Problem(where, "does not follow the event before it "
                                    "(its previous-hash differs): the chain was cut or reordered"))
        try:
            digest = event_hash(ev.seq, ev.at, ev.actor, ev.action, ev.outcome, ev.resolution_id,
                                ev.symbol, ev.detail, ev.prev_hash)
        except ValueError:
            digest = ""
        if digest != ev.hash:
            problems.append(Problem(where, f"was edited after it was written "
                                    f"({ev.action} by {ev.actor or '?'})"))
        prev, expected_seq, last = ev.hash, ev.seq + 1, ev
    if head is not None:
        if last is None and head.seq != 0:
            problems.append(Problem("audit log", f"is empty but the head says {head.seq} events"))
        elif last is not None and (head.seq != last.seq or head.hash != last.hash):
            problems.append(Problem("audit log", f"ends at event {last.seq} but the head records "
                                    f"event {head.seq}: events at the end were deleted"))
    return problems


def verify(session: Session) -> list[Problem]:
    """Every problem found: a broken chain, a tampered version text or state."""
    from drafts.errors import DraftError
    from drafts.source import load

    events = list(session.exec(select(AuditEvent).order_by(AuditEvent.seq)))
    problems = _chain_problems(events, session.get(AuditHead, 1))
    recorded_hash: dict[tuple[int, int], str] = {}
    last_state: dict[int, str] = {}
    for ev in events:
        if ev.resolution_id is None or ev.outcome != "ok":
            continue
        try:
            detail = json.loads(ev.detail)
        except ValueError:
            continue
        if "version" in detail and "content_hash" in detail:
            recorded_hash[(ev.resolution_id, int(detail["version"]))] = detail["content_hash"]
        if "state" in detail:
            last_state[ev.resolution_id] = detail["state"]
    symbols = {}
    for row in session.exec(select(ResolutionRow)):
        symbols[row.id] = row.symbol
        if last_state.get(row.id or 0) != row.state:
            problems.append(Problem(f"resolution {row.symbol}",
                                    f"state is {row.state!r} but the audit log records "
                                    f"{last_state.get(row.id or 0)!r}: the state was edited"))
    for version in session.exec(select(Version).order_by(Version.resolution_id, Version.number)):
        where = f"version {version.number} of {symbols.get(version.resolution_id, '?')}"
        try:
            model, _ = load(version.source, where)
            actual = model.content_hash()
        except DraftError as exc:
            problems.append(Problem(where, f"text no longer parses ({exc})"))
            continue
        if actual != version.content_hash:
            problems.append(Problem(where, "text does not match its recorded hash: it was edited"))
        expected = recorded_hash.get((version.resolution_id, version.number))
        if expected is None:
            problems.append(Problem(where, "has no audit event recording it"))
        elif expected != actual:
            problems.append(Problem(where, "text differs from the hash the audit log recorded"))
    return problems
