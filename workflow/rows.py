"""The rows the read commands answer with (a resolution's summary, its comments,
amendments, submissions; members; outbox messages): plain frozen dataclasses, importing
nothing heavy, filled alike by the services on the ORM and by the read path on the bare
driver (:mod:`workflow.reading`). Named tuples, not dataclasses: a read command builds these
classes on every start, and a frozen dataclass costs about ten times as much to define."""

import json
from collections.abc import Iterable
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:  # what a stored row offers, an ORM object or a bare driver's record alike
    import datetime as _dt
    from typing import Protocol

    from workflow.store.crosscheck import CommentLike

    class _ResolutionSource(Protocol):
        @property
        def number(self) -> int: ...
        @property
        def symbol(self) -> str: ...
        @property
        def title(self) -> str: ...
        @property
        def body(self) -> str: ...
        @property
        def state(self) -> str: ...
        @property
        def current_version(self) -> int: ...
        @property
        def updated_at(self) -> _dt.datetime: ...

    class _AmendmentSource(Protocol):
        @property
        def number(self) -> int: ...
        @property
        def version_number(self) -> int: ...
        @property
        def author(self) -> str: ...
        @property
        def target_ref(self) -> str: ...
        @property
        def target_id(self) -> str: ...
        @property
        def op(self) -> str: ...
        @property
        def texts_json(self) -> str: ...
        @property
        def why(self) -> str: ...
        @property
        def status(self) -> str: ...
        @property
        def applied_version(self) -> int | None: ...

    class MemberSource(Protocol):
        @property
        def id(self) -> str: ...
        @property
        def name(self) -> str: ...
        @property
        def names_json(self) -> str: ...
        @property
        def org(self) -> str: ...
        @property
        def delegation(self) -> str: ...
        @property
        def email(self) -> str: ...
        @property
        def lang(self) -> str: ...
        def role_set(self) -> set[str]: ...

    class VersionSource(Protocol):
        @property
        def number(self) -> int: ...
        @property
        def source(self) -> str: ...
        @property
        def content_hash(self) -> str: ...

    class _EventSource(Protocol):
        @property
        def seq(self) -> int: ...
        @property
        def detail(self) -> str: ...

__all__ = ["Summary", "Page", "CommentRow", "AmendmentRow", "MemberInfo", "SubmissionInfo",
           "MessageInfo", "event_detail", "ApprovalResult", "approval_detail", "ClosedRound",
           "StepResult"]


class Summary(NamedTuple):
    number: int
    symbol: str
    title: str
    body: str
    state: str
    version: int
    updated_at: str

    @classmethod
    def of(cls, row: "_ResolutionSource") -> "Summary":
        return cls(row.number, row.symbol, row.title, row.body, row.state, row.current_version,
                   row.updated_at.isoformat())

    def to_json(self) -> dict[str, object]:
        return self._asdict()


class Page(NamedTuple):
    items: list[Summary]
    total: int
    offset: int
    limit: int


class CommentRow(NamedTuple):
    number: int
    round: int
    version: int
    ref: str              # ref in the current version ("" when orphaned)
    original_ref: str     # ref in the circulated version
    paragraph_id: str
    author: str
    type: str
    text: str
    proposal: str
    disposition: str
    note: str
    orphaned: bool
    lang: str = ""        # the language column an annotation sat in (from an annotated PDF)
    quote: str = ""       # the text the reviewer marked

    @classmethod
    def of(cls, c: "CommentLike", current_refs: dict[str, str], round_no: int
           ) -> "CommentRow":
        """A stored comment, its ref looked up in the current version's refs."""
        orphaned = bool(c.paragraph_id) and c.paragraph_id not in current_refs
        current = "General" if not c.paragraph_id else current_refs.get(c.paragraph_id, "")
        return cls(c.number, round_no, c.version_number, current, c.ref, c.paragraph_id,
                   c.author, c.type, c.text, c.proposal, c.disposition, c.note, orphaned,
                   c.lang or "", c.quote or "")

    def to_json(self) -> dict[str, object]:
        return self._asdict()


class AmendmentRow(NamedTuple):
    number: int
    version: int
    author: str
    target_ref: str
    current_ref: str
    target_id: str
    op: str
    texts: dict[str, str]
    why: str
    status: str
    applied_version: int | None

    @classmethod
    def of(cls, a: "_AmendmentSource", current_refs: dict[str, str]) -> "AmendmentRow":
        """A stored amendment, its target looked up in the current version's refs."""
        return cls(a.number, a.version_number, a.author, a.target_ref,
                   current_refs.get(a.target_id, ""), a.target_id, a.op,
                   json.loads(a.texts_json), a.why, a.status, a.applied_version)

    def to_json(self) -> dict[str, object]:
        return self._asdict()


class MemberInfo(NamedTuple):
    id: str
    name: str
    names: dict[str, str]
    org: str
    delegation: str
    email: str
    roles: list[str]
    lang: str
    db_role: str | None = None  # PostgreSQL: the member's own login role
    active: bool = True         # False once removed (kept for their history)

    @classmethod
    def of(cls, m: "MemberSource", db_role: str | None = None,
           roles: Iterable[str] | None = None) -> "MemberInfo":
        """A stored member; ``roles`` when they were read apart (else ``m.role_set()``);
        a deactivated member holds none."""
        active = getattr(m, "active", True) not in (False, 0)
        held = (m.role_set() if roles is None else roles) if active else ()
        return cls(m.id, m.name, json.loads(m.names_json or "{}"), m.org, m.delegation,
                   m.email, sorted(held), m.lang, db_role, active)

    def to_json(self) -> dict[str, object]:
        return self._asdict()


class SubmissionInfo(NamedTuple):
    number: int
    body: str
    version: int
    submitted_at: str
    package_path: str
    package_sha256: str
    message_id: str
    message_status: str
    receipt_ref: str
    outcome: str
    note: str
    received_at: str | None

    def to_json(self) -> dict[str, object]:
        return self._asdict()


class MessageInfo(NamedTuple):
    id: int
    message_id: str
    kind: str
    recipient: str
    subject: str
    status: str
    attempts: int
    error: str
    eml_path: str
    created_at: str
    sent_at: str | None

    def to_json(self) -> dict[str, object]:
        return self._asdict()


def event_detail(event: "_EventSource") -> dict[str, object]:
    """An audit event's detail (stored as JSON text)."""
    from workflow.errors import WorkflowError

    try:
        return dict(json.loads(event.detail))
    except ValueError as exc:
        raise WorkflowError(f"audit event {event.seq} has unreadable detail") from exc


class ApprovalResult(NamedTuple):
    """What ``approve`` and ``object`` report (either write path)."""

    symbol: str
    member: str
    decision: str
    state: str
    progress: str
    signed_statement: bool = False


def approval_detail(member: str, version: int, content_hash: str, rule: str,
                    signed_statement: bool) -> dict[str, object]:
    """The ``approve`` event's detail, before who typed it and the evidence."""
    return {"member": member, "version": version, "content_hash": content_hash, "rule": rule,
            "signed_statement": signed_statement}


class ClosedRound(NamedTuple):
    """What ``close-review`` reports on the bare driver: the fields, in their order, of
    :class:`workflow.review.rounds.RoundResult` (what the ORM's service reports)."""

    symbol: str
    round: int
    version: int
    state: str
    reviewers: list[str]
    warnings: list[str]
    new_version: int | None
    deliveries: list[str]


class StepResult(NamedTuple):
    """What a step on a resolution reports (``withdraw``, ``archive``, a receipt; either
    write path): the resolution, the state it is in now, and a word on it."""

    symbol: str
    state: str
    message: str = ""
