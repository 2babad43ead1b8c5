"""The audit hash chain as pure data: hashing an event and checking a sequence of events.

Nothing here needs a database or a workspace, so the same rules check the live log
(``workflow.store.audit``) and the JSON Lines copy inside an exported dossier
(``workflow.dossier.verify``). An event's hash covers its own fields and the hash of the
event before it. A *redacted* event (one about a resolution that was not exported) keeps
only ``seq``, ``prev_hash`` and ``hash``: the links around it can still be checked, its own
hash cannot be recomputed.
"""

import datetime as _dt
import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Final, NamedTuple, Protocol

__all__ = ["GENESIS", "Problem", "event_hash", "event_payload", "event_record", "redacted_record",
           "chain_problems", "record_problems", "iso", "anchor_statement", "detail_text",
           "backdated"]

GENESIS = "0" * 64


class Problem(NamedTuple):
    where: str     # "audit event 12", "data/RCWG-RES-2024-1/audit/audit.jsonl line 3", …
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


class EventLike(Protocol):
    seq: int
    at: _dt.datetime
    actor: str
    action: str
    outcome: str
    resolution_id: int | None
    symbol: str
    detail: str
    prev_hash: str
    hash: str


def anchor_statement(seq: int, digest: str) -> bytes:
    """The bytes an audit anchor's timestamp token is over: event ``seq`` has ``digest``."""
    return f"brics-resolutions audit head {seq} {digest}\n".encode("ascii")


def iso(at: _dt.datetime) -> str:
    if at.tzinfo is None:
        at = at.replace(tzinfo=_dt.timezone.utc)
    return at.astimezone(_dt.timezone.utc).isoformat()


def detail_text(detail: Mapping[str, object]) -> str:
    """An event's detail as stored and hashed. A NUL character (only ever inside a quoted
    refusal) becomes U+FFFD: PostgreSQL's jsonb, which its append function reads the event
    with, holds none."""
    return json.dumps(detail, ensure_ascii=False, sort_keys=True,
                      default=str).replace("\\u0000", "\\ufffd")


def backdated(before: _dt.datetime, at: _dt.datetime) -> str | None:
    """Why an event dated ``at`` may not follow one dated ``before`` (None: it may)."""
    if _utc(before) <= _utc(at):
        return None
    return (f"the clock reads {at.isoformat()}, before the last audit event "
            f"({_utc(before).isoformat()}): events are never dated back; set this machine's "
            "clock right and re-run")


def _utc(value: _dt.datetime) -> _dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=_dt.timezone.utc)


#: ``parsed`` not given: the detail text is parsed here
UNPARSED: Final = object()


def event_payload(seq: int, at: _dt.datetime, actor: str, action: str, outcome: str,
                  resolution_id: int | None, symbol: str, detail: str, prev_hash: str,
                  parsed: object = UNPARSED) -> str:
    """The canonical JSON an event's hash is over (PostgreSQL's append function checks
    that it names the fields it is appended with); ``parsed``: ``detail`` already parsed."""
    return json.dumps(
        {"seq": seq, "at": iso(at), "actor": actor, "action": action, "outcome": outcome,
         "resolution_id": resolution_id, "symbol": symbol,
         "detail": json.loads(detail) if parsed is UNPARSED else parsed, "prev": prev_hash},
        ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def event_hash(seq: int, at: _dt.datetime, actor: str, action: str, outcome: str,
               resolution_id: int | None, symbol: str, detail: str, prev_hash: str,
               parsed: object = UNPARSED) -> str:
    payload = event_payload(seq, at, actor, action, outcome, resolution_id, symbol, detail,
                            prev_hash, parsed)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def event_record(ev: EventLike) -> dict[str, object]:
    """One event as a JSON object (``detail`` parsed), as written to an audit JSONL file."""
    return {"seq": ev.seq, "at": iso(ev.at), "actor": ev.actor, "action": ev.action,
            "outcome": ev.outcome, "resolution_id": ev.resolution_id, "symbol": ev.symbol,
            "detail": json.loads(ev.detail), "prev_hash": ev.prev_hash, "hash": ev.hash}


def redacted_record(ev: EventLike) -> dict[str, object]:
    return {"seq": ev.seq, "redacted": True, "prev_hash": ev.prev_hash, "hash": ev.hash}


def _int(value: object) -> int:
    """A number read from a JSONL record as ``int()`` takes it (TypeError otherwise)."""
    if isinstance(value, (int, float, str)):
        return int(value)
    raise TypeError(f"not a number: {value!r}")


def _record_hash(record: Mapping[str, object]) -> str:
    """The hash a full JSONL record should carry ("" when the record is malformed)."""
    try:
        at = _dt.datetime.fromisoformat(str(record["at"]))
        detail = json.dumps(record["detail"], ensure_ascii=False, sort_keys=True)
        resolution_id = record["resolution_id"]
        if resolution_id is not None and not isinstance(resolution_id, int):
            return ""   # hashed as it is written, it cannot match
        return event_hash(_int(record["seq"]), at, str(record["actor"]),
                          str(record["action"]), str(record["outcome"]), resolution_id,
                          str(record["symbol"]), detail, str(record["prev_hash"]))
    except (KeyError, TypeError, ValueError):
        return ""


def record_problems(record: Mapping[str, object], where: str) -> list[Problem]:
    """Problems of one full record on its own: its hash must be recomputable."""
    if record.get("redacted"):
        return []
    if _record_hash(record) != record.get("hash"):
        return [Problem(where, f"was edited after it was written "
                        f"({record.get('action', '?')} by {record.get('actor') or '?'})")]
    return []


def chain_problems(events: Iterable[EventLike | Mapping[str, object]],
                   head: tuple[int, str] | None = None, where: str = "",
                   parsed: Sequence[object] | None = None) -> list[Problem]:
    """Every break in a chain given in ``seq`` order: deleted, reordered or edited events,
    and (with ``head`` = (seq, hash)) events cut from the end. Events are table rows or
    JSONL records; ``where`` prefixes each problem's place (a file name); ``parsed``: each
    row's detail already parsed (``UNPARSED`` where it would not parse), in the same order."""
    problems: list[Problem] = []
    prev, expected_seq = GENESIS, 1
    last: tuple[int, str] | None = None
    prefix = f"{where} " if where else ""
    for i, ev in enumerate(events):
        if isinstance(ev, Mapping):
            seq, prev_hash = _int(ev.get("seq", 0)), str(ev.get("prev_hash", ""))
            own = str(ev.get("hash", ""))
        else:
            seq, prev_hash, own = ev.seq, ev.prev_hash, ev.hash
        place = f"{prefix}audit event {seq}"
        if seq != expected_seq:
            problems.append(Problem(f"{prefix}audit event {expected_seq}",
                                    f"missing (next present is {seq}): an event was deleted"))
        if prev_hash != prev:
            problems.append(Problem(place, "does not follow the event before it "
                                    "(its previous-hash differs): the chain was cut or reordered"))
        if isinstance(ev, Mapping):
            problems += record_problems(ev, place)
        else:
            try:
                digest = event_hash(ev.seq, ev.at, ev.actor, ev.action, ev.outcome,
                                    ev.resolution_id, ev.symbol, ev.detail, ev.prev_hash,
                                    UNPARSED if parsed is None else parsed[i])
            except ValueError:
                digest = ""
            if digest != own:
                problems.append(Problem(place, f"was edited after it was written "
                                        f"({ev.action} by {ev.actor or '?'})"))
        prev, expected_seq, last = own, seq + 1, (seq, own)
    if head is not None:
        head_seq, head_hash = head
        if last is None and head_seq != 0:
            problems.append(Problem(f"{prefix}audit log".strip(),
                                    f"is empty but the head says {head_seq} events"))
        elif last is not None and (head_seq != last[0] or head_hash != last[1]):
            problems.append(Problem(f"{prefix}audit log".strip(),
                                    f"ends at event {last[0]} but the head records event "
                                    f"{head_seq}: events at the end were deleted"))
    return problems
