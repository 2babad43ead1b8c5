"""The facts the gate decides on: one frozen :class:`ResolutionFacts` per resolution, loaded
by :func:`load` through the read statements of :mod:`workflow.store.reads` — on the write
path over the write transaction's own connection, on the read path (``status``) over the
bare driver. Both paths therefore see the same rows through the same statements, and the
guards (:mod:`workflow.lifecycle.guards`), ``status`` and the allowed next steps read the
same object.

Facts that cost more than a few indexed statements are loaded only when a guard needs
them: the parity errors of the current version (``parity`` is None when not loaded, and a
guard that needs them then refuses). The write path always runs the parity rules itself
(those that can err: ``check(errors_only=True)``); only ``status`` may answer from the
parity cache (:mod:`workflow.store.parsed`), which is never evidence.
"""

from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple, Protocol

from workflow.states import State

if TYPE_CHECKING:
    from collections.abc import Sequence

    from drafts.model import Resolution
    from workflow.rows import VersionSource
    from workflow.store.config import Settings

__all__ = ["ResolutionFacts", "RoundFacts", "ParityError", "WaiverFact", "Person", "Policy",
           "Resolved", "load", "person", "parity_of", "policy_of"]


class Person(NamedTuple):
    """A member as the gate sees them: who, which roles, which delegation."""

    id: str
    roles: frozenset[str]
    delegation: str = ""


class _Acting(Protocol):
    """What a member row offers the gate (an ORM row, a read record, the bare writer's)."""

    @property
    def id(self) -> str: ...
    @property
    def delegation(self) -> str: ...
    def role_set(self) -> set[str]: ...


def person(member: _Acting) -> Person:
    """The :class:`Person` of a member row (ORM or read path)."""
    return Person(str(member.id), frozenset(member.role_set()), str(member.delegation or ""))


class Policy(NamedTuple):
    """What the workspace's configuration rules for a resolution: the approval rule, the
    members whose signatures are required, the delegations its body needs signatures of."""

    approval_rule: str
    required_signatures: tuple[str, ...] = ()
    body_signatures: tuple[str, ...] = ("any",)


def policy_of(settings: "Settings", body: str) -> Policy:
    """The workspace's rules for a resolution addressed to ``body``."""
    known = settings.bodies.get(body)
    return Policy(settings.group.approval_rule, settings.signatures.required,
                  known.signatures if known is not None else ())


class RoundFacts(NamedTuple):
    """The open review round."""

    id: int
    number: int
    version: int
    reviewers: tuple[str, ...]
    due: str | None


class ParityError(NamedTuple):
    ref: str
    languages: tuple[str, ...]
    rule: str
    message: str


class WaiverFact(NamedTuple):
    """A finding set aside (``check --accept``), and whether it still holds: it lapses when
    its paragraph's texts change."""

    finding: str
    ref: str
    rule: str
    languages: tuple[str, ...]
    by: str
    reason: str
    at: str
    version: int
    holds: bool

    def to_json(self) -> dict[str, object]:
        return {"finding": self.finding, "ref": self.ref, "rule": self.rule,
                "languages": list(self.languages), "by": self.by, "reason": self.reason,
                "at": self.at, "version": self.version, "holds": self.holds}


class ResolutionFacts(NamedTuple):
    """Everything a guard of the table may ask about one resolution, read at one moment."""

    id: int
    symbol: str
    state: State
    version: int
    body: str
    policy: Policy
    open_round: RoundFacts | None
    proposed_amendments: tuple[int, ...]
    accepted_amendments: tuple[int, ...]
    undisposed_comments: tuple[int, ...]
    approved_by: tuple[str, ...]
    signed_by: tuple[str, ...]
    approvers: tuple[tuple[str, str], ...]     # (member id, delegation), by id
    signatories: tuple[tuple[str, str], ...]
    certified: frozenset[str]
    #: the open round's reviewers (with an e-mail address) whose review copy is not
    #: queued: what an interrupted ``circulate`` left to do (in review only)
    unqueued_copies: tuple[str, ...] = ()
    parity: tuple[ParityError, ...] | None = None  # None: not loaded
    #: every waiver of the resolution (loaded with the parity errors, which leave out the
    #: findings a waiver that holds sets aside)
    waivers: tuple[WaiverFact, ...] = ()


class Resolved(Protocol):
    """A resolution row as both paths hold it (an ORM row or a read-path record)."""

    @property
    def id(self) -> int | None: ...
    @property
    def symbol(self) -> str: ...
    @property
    def state(self) -> str: ...
    @property
    def current_version(self) -> int: ...
    @property
    def body(self) -> str: ...


def _id(row: Resolved) -> int:
    """The id of a stored resolution (a row not yet flushed has none)."""
    if row.id is None:
        raise LookupError(f"{row.symbol} is not stored yet")
    return row.id


class _RoundRow(Protocol):
    @property
    def id(self) -> int: ...
    @property
    def number(self) -> int: ...
    @property
    def version_number(self) -> int: ...
    @property
    def reviewers(self) -> str: ...  # comma-separated member ids
    @property
    def due(self) -> object: ...
    @property
    def closed_at(self) -> object: ...


class _WaiverRow(Protocol):
    @property
    def finding(self) -> str: ...
    @property
    def ref(self) -> str: ...
    @property
    def rule(self) -> str: ...
    @property
    def languages(self) -> str: ...  # comma-separated
    @property
    def member_id(self) -> str: ...
    @property
    def reason(self) -> str: ...
    @property
    def at(self) -> object: ...
    @property
    def version_number(self) -> int: ...
    @property
    def paragraph_id(self) -> str: ...
    @property
    def texts_hash(self) -> str: ...


class _Mailbox(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def email(self) -> str: ...


class Statements(Protocol):
    """The read statements :func:`load` runs (:class:`workflow.store.reads.Reads`)."""

    def last_round(self, resolution_id: int) -> _RoundRow | None: ...
    def amendment_numbers(self, resolution_id: int, round_id: int, status: str) -> list[int]: ...
    def open_comment_numbers(self, resolution_id: int, round_id: int) -> list[int]: ...
    def approved_by(self, resolution_id: int, version: int) -> list[str]: ...
    def signed_by(self, resolution_id: int, version: int) -> list[str]: ...
    def holders(self, role: str) -> list[tuple[str, str]]: ...
    def certified_members(self) -> set[str]: ...
    def translation_records(self, resolution_id: int) -> str | None: ...
    def version(self, resolution_id: int, number: int) -> "VersionSource | None": ...
    def members(self) -> "Sequence[_Mailbox]": ...
    def message_ids(self, resolution_id: int, kind: str) -> list[str]: ...
    def waivers(self, resolution_id: int) -> "Sequence[_WaiverRow]": ...


def _round(reads: Statements, resolution_id: int) -> RoundFacts | None:
    last = reads.last_round(resolution_id)
    if last is None or last.closed_at is not None:
        return None
    due = last.due
    return RoundFacts(int(last.id), int(last.number), int(last.version_number),
                      tuple(r for r in str(last.reviewers).split(",") if r),
                      None if due is None else str(due))


def load(reads: Statements, row: Resolved, policy: Policy, *, parity: bool = False,
         state_dir: Path | None = None, cached_parity: bool = False) -> ResolutionFacts:
    """The facts of ``row`` now. ``parity``: also run the parity rules on the current
    version (``cached_parity``: ``status`` may answer from the cache under ``state_dir``)."""
    rid = _id(row)
    rnd = _round(reads, rid)
    proposed: tuple[int, ...] = ()
    accepted: tuple[int, ...] = ()
    comments: tuple[int, ...] = ()
    if rnd is not None:
        proposed = tuple(reads.amendment_numbers(rid, rnd.id, "proposed"))
        accepted = tuple(reads.amendment_numbers(rid, rnd.id, "accepted"))
        comments = tuple(reads.open_comment_numbers(rid, rnd.id))
    version = int(row.current_version)
    waivers = _waivers(reads, row, state_dir) if parity else ()
    held = {(w.finding, h) for w, h in waivers if w.holds}
    return ResolutionFacts(
        id=rid, symbol=str(row.symbol), state=State(row.state), version=version,
        body=str(row.body), policy=policy, open_round=rnd,
        proposed_amendments=proposed, accepted_amendments=accepted,
        undisposed_comments=comments,
        approved_by=tuple(reads.approved_by(rid, version)),
        signed_by=tuple(reads.signed_by(rid, version)),
        approvers=tuple(reads.holders("approver")),
        signatories=tuple(reads.holders("signatory")),
        certified=frozenset(reads.certified_members()),
        unqueued_copies=_unqueued(reads, row, rnd),
        parity=parity_of(reads, row, state_dir, cached=cached_parity, waived=held)
        if parity else None, waivers=tuple(w for w, _ in waivers))


def _waivers(reads: Statements, row: Resolved, state_dir: Path | None
             ) -> tuple[tuple[WaiverFact, str], ...]:
    """Each waiver with the hash it holds for, marked as holding when the paragraph's texts
    in the current version still hash to it."""
    found = reads.waivers(_id(row))
    if not found:
        return ()
    from drafts.parity.waivers import unit_hashes

    version = reads.version(_id(row), int(row.current_version))
    hashes = unit_hashes(_model(row, version, state_dir)) if version is not None else {}
    return tuple((WaiverFact(str(w.finding), str(w.ref), str(w.rule),
                             tuple(x for x in str(w.languages).split(",") if x),
                             str(w.member_id), str(w.reason), str(w.at),
                             int(w.version_number),
                             hashes.get(str(w.paragraph_id)) == str(w.texts_hash)),
                  str(w.texts_hash)) for w in found)


def _unqueued(reads: Statements, row: Resolved, rnd: RoundFacts | None) -> tuple[str, ...]:
    if rnd is None or State(row.state) != State.in_review:
        return ()
    from workflow.store.outbox_ids import copies_not_queued

    mailed = {str(m.id) for m in reads.members() if m.email}
    return tuple(copies_not_queued(str(row.symbol), rnd.number,
                                   [r for r in rnd.reviewers if r in mailed],
                                   reads.message_ids(_id(row), "review-copy")))


def parity_of(reads: Statements, row: Resolved, state_dir: Path | None, *,
              cached: bool, waived: set[tuple[str, str]] | None = None
              ) -> tuple[ParityError, ...]:
    """The parity errors of the current version, with its translation records, less those
    a waiver sets aside (``waived``: (finding id, the hash of its paragraph's texts))."""
    waived = waived or set()
    version = reads.version(_id(row), int(row.current_version))
    if version is None:
        raise LookupError(f"{row.symbol} has no version {row.current_version}")
    stored = reads.translation_records(_id(row)) or ""
    from workflow.store import parsed

    if cached and state_dir is not None:
        found = parsed.cached_parity(state_dir, version.source, stored)
        if found is not None:
            return tuple(ParityError(str(e["ref"]), tuple(e["languages"]), str(e["rule"]),
                                     str(e["message"])) for e in found
                         if (str(e["id"]), str(e["unit_hash"])) not in waived)
    from drafts.parity.rules import check

    model = _model(row, version, state_dir)
    from workflow.store.records import records_of

    errors = check(model, records=records_of(stored, row.symbol) if stored else {},
                   errors_only=True)
    hashes: dict[str, str] = {}
    if errors:  # each error's paragraph hash: what a waiver and the cache match it by
        from drafts.parity.waivers import unit_hashes

        hashes = unit_hashes(model)
    if state_dir is not None:
        parsed.remember_parity(state_dir, version.source, stored, errors, hashes)
    return tuple(ParityError(f.ref, tuple(f.languages), f.rule, f.message) for f in errors
                 if (f.id, hashes.get(f.paragraph_id, "")) not in waived)


def _model(row: Resolved, version: "VersionSource", state_dir: Path | None
           ) -> "Resolution":
    """The version's model: from the parsed cache when it still hashes to the version's
    content hash and names this resolution, else parsed."""
    from workflow.store import parsed

    if state_dir is not None:
        model = parsed.cached(state_dir, version.source, version.content_hash)
        if model is not None and model.symbol == row.symbol:
            return model
    from drafts.errors import DraftError
    from drafts.source import load as parse

    try:
        model, _ = parse(version.source, f"version {version.number}")
    except DraftError as exc:  # stored texts were valid when stored
        from workflow.errors import InvalidInput

        raise InvalidInput(str(exc)) from None
    if state_dir is not None:
        parsed.remember(state_dir, version.source, model)
    return model
