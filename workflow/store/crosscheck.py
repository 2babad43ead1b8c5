"""Cross-checks of the rows the audit log describes: comments, approvals and members.

The hash chain proves the log itself is untouched; these checks prove the tables agree
with it. Each comment must match its ``comment`` event (author, type, SHA-256 of the text
and proposal) and its last ``dispose`` event; each approval or objection must match its
``approve``/``object`` event, and its ``void`` flag must agree with the events that void
approvals (an objection, a text change); each member's roles (rows of ``member_roles``)
and active flag must be those recorded by the last ``member-add``/``member-edit``/
``member-remove`` event about them, and no role may belong to no member. A row with no event, or an event whose row is gone, is a problem.

``verify_rows()`` is the whole check of ``audit verify`` over the database: the chain, each
resolution's state and each version's hash against the events, these cross-checks and
every fact row's hash (``workflow.store.factcheck``). It reads through a :class:`Rows`:
the ORM session (``workflow.store.audit.verify``) or the bare driver
(``workflow.store.verify_reads``), so both readers apply the same rules.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Protocol

from workflow.store.chain import EventLike, Problem

__all__ = ["verify_rows", "row_problems", "text_sha256", "Rows", "Detail"]

#: an event's detail as parsed from its JSON text (the chain proves the text; each value is
#: narrowed where it is read)
Detail = Mapping[str, object]


class CommentLike(Protocol):
    """A comment row: the ORM's ``Comment`` or a read-path record (what the audit's
    cross-checks and ``workflow.rows.CommentRow`` read of it)."""

    @property
    def resolution_id(self) -> int: ...
    @property
    def number(self) -> int: ...
    @property
    def version_number(self) -> int: ...
    @property
    def ref(self) -> str: ...
    @property
    def paragraph_id(self) -> str: ...
    @property
    def lang(self) -> str | None: ...
    @property
    def quote(self) -> str | None: ...
    @property
    def author(self) -> str: ...
    @property
    def type(self) -> str: ...
    @property
    def text(self) -> str: ...
    @property
    def proposal(self) -> str: ...
    @property
    def disposition(self) -> str: ...
    @property
    def note(self) -> str: ...
    @property
    def disposed_by(self) -> str: ...


class ApprovalLike(Protocol):
    """An approval or objection row."""

    @property
    def resolution_id(self) -> int: ...
    @property
    def version_number(self) -> int: ...
    @property
    def member_id(self) -> str: ...
    @property
    def decision(self) -> str: ...
    @property
    def void(self) -> bool: ...


class MemberLike(Protocol):
    """A member row: its id and active flag."""

    @property
    def id(self) -> str: ...
    @property
    def active(self) -> bool: ...


def _int(value: object) -> int:
    """A number recorded in an event's detail, as ``int()`` takes it (TypeError else)."""
    if isinstance(value, (int, float, str)):
        return int(value)
    raise TypeError(f"not a number: {value!r}")


def _texts(value: object) -> list[str]:
    """A list of texts recorded in an event's detail (anything else: none)."""
    return [str(v) for v in value] if isinstance(value, list) else []


class Rows(Protocol):
    """The rows the checks read, in a fixed order: from the ORM
    (``workflow.store.audit``) or from the bare driver (``workflow.store.verify_reads``).
    Each row has its columns as attributes, in the types the models give them back."""

    def comments(self) -> Iterable[CommentLike]: ...    # by resolution, number
    def approvals(self) -> Iterable[ApprovalLike]: ...  # by id
    def members(self) -> Iterable[MemberLike]: ...      # (id, active) by id
    def member_roles(self) -> dict[str, list[str]]: ...
    def orphan_roles(self) -> Iterable[tuple[str, str]]: ...  # by member, role
    def events(self) -> Sequence[EventLike]: ...        # by seq
    def head(self) -> tuple[int, str] | None: ...       # (seq, hash) of the head row
    def resolutions(self) -> Iterable[tuple[int | None, str, str]]: ...  # id, symbol, state
    #: (id, resolution id, number, content hash) by resolution, number
    def versions(self) -> Iterable[tuple[int | None, int, int, str]]: ...
    def version_source(self, vid: int) -> str: ...
    def fact_rows(self, name: str) -> Iterable[tuple[str, Mapping[str, object]]]: ...  # by key


def verify_rows(rows: Rows) -> list[Problem]:
    """Every problem found: a broken chain, a tampered row, version text or state."""
    from workflow.store import factcheck
    from workflow.store.chain import UNPARSED, chain_problems

    def _loads(text: str) -> object:
        try:
            return json.loads(text)
        except ValueError:
            return UNPARSED
    from workflow.store.rowhash import key_text, recorded_rows

    events = rows.events()
    parsed = [_loads(ev.detail) for ev in events]  # each detail parsed once, for every check
    problems = chain_problems(events, rows.head(), parsed=parsed)
    recorded_hash: dict[tuple[int, int], str] = {}
    last_state: dict[int, str] = {}
    details: list[tuple[int, Detail]] = []
    ok: list[tuple[EventLike, Detail]] = []
    for ev, detail in zip(events, parsed):
        if not isinstance(detail, dict):
            continue
        details.append((ev.seq, detail))
        if ev.outcome == "ok":
            ok.append((ev, detail))
        if ev.resolution_id is None or ev.outcome != "ok":
            continue
        if "version" in detail and "content_hash" in detail:
            recorded_hash[(ev.resolution_id, _int(detail["version"]))] = \
                str(detail["content_hash"])
        if "state" in detail:
            last_state[ev.resolution_id] = str(detail["state"])
    bound = recorded_rows(details)
    symbols: dict[int | None, str] = {}
    for rid, symbol, state in rows.resolutions():
        symbols[rid] = symbol
        if last_state.get(rid or 0) != state:
            problems.append(Problem(f"resolution {symbol}",
                                    f"state is {state!r} but the audit log records "
                                    f"{last_state.get(rid or 0)!r}: the state was edited"))
    for vid, rid, number, content_hash in rows.versions():
        where = f"version {number} of {symbols.get(rid, '?')}"
        expected = recorded_hash.get((rid, number))
        if expected is None:
            problems.append(Problem(where, "has no audit event recording it"))
        elif expected != content_hash:
            problems.append(Problem(where, "text differs from the hash the audit log recorded"))
        if vid is not None and ("versions", key_text([vid])) not in bound:
            problems += _parsed_problems(rows.version_source(vid), where, content_hash)
    return (problems + row_problems(rows, ok, symbols)
            + factcheck.fact_problems(rows.fact_rows, {k: str(v) for k, v in symbols.items()},
                                      details))


def _parsed_problems(source: str, where: str, content_hash: str) -> list[Problem]:
    """A version no event bound byte for byte (written before rows were bound to the
    chain): its text is parsed and its content hash recomputed."""
    from drafts.errors import DraftError
    from drafts.source import load

    try:
        model, _ = load(source, where)
    except DraftError as exc:
        return [Problem(where, f"text no longer parses ({exc})")]
    if model.content_hash() != content_hash:
        return [Problem(where, "text does not match its recorded hash: it was edited")]
    return []

#: events after which no earlier approval of the resolution stays valid
_VOIDING = ("object", "edit", "reopen", "revise")


def text_sha256(text: str) -> str:
    """The hash an audit event records for a stored text (exactly as stored)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def row_problems(rows: Rows, recorded: list[tuple[EventLike, Detail]],
                 symbols: dict[int | None, str]) -> list[Problem]:
    """``recorded``: the events whose outcome is ok, each with its detail (an object)."""
    return (_comment_problems(rows, recorded, symbols)
            + _approval_problems(rows, recorded, symbols)
            + _member_problems(rows, recorded))


def _comment_problems(rows: Rows, recorded: list[tuple[EventLike, Detail]],
                      symbols: dict[int | None, str]) -> list[Problem]:
    made: dict[tuple[int, int], tuple[EventLike, Detail]] = {}
    disposed: dict[tuple[int, int], tuple[EventLike, Detail]] = {}
    for ev, d in recorded:
        if ev.resolution_id is not None and "comment" in d:
            if ev.action == "comment":
                made[(ev.resolution_id, _int(d["comment"]))] = (ev, d)
            elif ev.action == "dispose":
                disposed[(ev.resolution_id, _int(d["comment"]))] = (ev, d)
    problems = []
    seen = set()
    for c in rows.comments():
        key = (c.resolution_id, c.number)
        seen.add(key)
        where = f"comment {c.number} of {symbols.get(c.resolution_id, '?')}"
        if key not in made:
            problems.append(Problem(where, "has no audit event recording it"))
            continue
        ev, d = made[key]
        if c.author != d.get("by", ev.actor) or c.type != d.get("type"):
            problems.append(Problem(where, f"author or type differs from audit event {ev.seq}"))
        if text_sha256(c.text) != d.get("text_sha256"):
            problems.append(Problem(where, f"text differs from the hash audit event {ev.seq} "
                                           "recorded: it was edited"))
        if "proposal_sha256" in d and text_sha256(c.proposal) != d["proposal_sha256"]:
            problems.append(Problem(where, f"proposal differs from the hash audit event {ev.seq} "
                                           "recorded: it was edited"))
        if key in disposed:
            dev, dd = disposed[key]
            if (c.disposition, c.note, c.disposed_by) != (dd.get("disposition"), dd.get("note"),
                                                          dev.actor):
                problems.append(Problem(where, f"disposition differs from audit event {dev.seq}"))
        elif c.disposition or c.note or c.disposed_by:
            problems.append(Problem(where, "has a disposition no audit event records"))
    for key, (ev, _) in made.items():
        if key not in seen:
            problems.append(Problem(f"comment {key[1]} of {symbols.get(key[0], '?')}",
                                    f"recorded by audit event {ev.seq} is missing: it was deleted"))
    return problems


def _approval_problems(rows: Rows, recorded: list[tuple[EventLike, Detail]],
                       symbols: dict[int | None, str]) -> list[Problem]:
    decided: dict[tuple[int, int, str, str], list[EventLike]] = defaultdict(list)
    voided_after: dict[int, list[int]] = defaultdict(list)
    for ev, d in recorded:
        if ev.resolution_id is None:
            continue
        if ev.action in ("approve", "object") and "member" in d and "version" in d:
            decision = "approved" if ev.action == "approve" else "objected"
            decided[(ev.resolution_id, _int(d["version"]), str(d["member"]), decision)].append(ev)
        if ev.action in _VOIDING:
            voided_after[ev.resolution_id].append(ev.seq)
    problems = []
    for a in rows.approvals():
        key = (a.resolution_id, a.version_number, a.member_id, a.decision)
        where = (f"{'approval' if a.decision == 'approved' else 'objection'} by {a.member_id} "
                 f"of {symbols.get(a.resolution_id, '?')} v{a.version_number}")
        if not decided.get(key):
            problems.append(Problem(where, "has no audit event recording it: it was forged "
                                           "or edited"))
            continue
        ev = decided[key].pop(0)
        if a.decision != "approved":
            continue
        should_be_void = any(seq > ev.seq for seq in voided_after[a.resolution_id])
        if bool(a.void) != should_be_void:
            problems.append(Problem(where, ("is marked valid although a later audit event voided "
                                            "it" if should_be_void else
                                            "is marked void although no audit event voided it")))
    for (rid, version, member, decision), left in decided.items():
        for ev in left:
            problems.append(Problem(f"{'approval' if decision == 'approved' else 'objection'} by "
                                    f"{member} of {symbols.get(rid, '?')} v{version}",
                                    f"recorded by audit event {ev.seq} is missing: it was deleted"))
    return problems


def _member_problems(rows: Rows, recorded: list[tuple[EventLike, Detail]]
                     ) -> list[Problem]:
    """Each member's roles and active flag are those of the last event about them
    (``member-add``, then any ``member-edit`` or ``member-remove``)."""
    latest: dict[str, tuple[EventLike, Detail]] = {}
    for ev, d in recorded:
        if ev.action in ("member-add", "member-edit", "member-remove") and "member" in d:
            if ev.action == "member-add" or str(d["member"]) in latest:
                latest[str(d["member"])] = (ev, d)
    problems = []
    roles = rows.member_roles()
    for m in rows.members():
        if m.id not in latest:
            problems.append(Problem(f"member {m.id}", "has no audit event recording it"))
            continue
        ev, d = latest[m.id]
        held = sorted(roles.get(m.id, ()))
        recorded_roles = _texts(d.get("roles", []))
        if held != sorted(recorded_roles):
            problems.append(Problem(f"member {m.id}", f"roles {', '.join(held)} "
                                    f"differ from those recorded ({', '.join(recorded_roles)})"
                                    f" in audit event {ev.seq}"))
        removed = ev.action == "member-remove"
        if (m.active is False) != removed:
            problems.append(Problem(f"member {m.id}", "is active although audit event "
                                    f"{ev.seq} removed them" if removed else "is marked removed "
                                    "but no audit event removed them"))
    for member_id, role in rows.orphan_roles():
        problems.append(Problem(f"member {member_id}", f"holds the {role} role but no such "
                                "member exists: the role was added behind the engine's back"))
    return problems
