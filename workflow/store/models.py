"""The database tables (SQLModel). Versions are immutable rows; the audit log is
append-only and hash-chained through ``audit_head``, the one row every writer locks."""

import datetime as _dt
import json
from typing import Optional, Protocol

from sqlalchemy import (
    Boolean,
    Column,
    Dialect,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    true,
)
from sqlmodel import Field, Relationship, SQLModel, col, select
from sqlmodel.sql.expression import SelectOfScalar

from workflow.errors import WorkspaceError
from workflow.states import State

__all__ = [
    "key_of",
    "Member",
    "MemberRole",
    "holding",
    "ResolutionRow",
    "StateText",
    "Version",
    "AuditEvent",
    "AuditHead",
    "ReviewRound",
    "Comment",
    "Amendment",
    "Approval",
    "TranslationState",
    "Artefact",
    "SignatureRecord",
    "MemberCertificate",
    "Message",
    "Submission",
    "AuditAnchor",
    "Receipt",
    "Blob",
    "SharedFile",
    "WorkspaceSecret",
    "Waiver",
    "SearchText",
    "SearchSpan",
]


class Member(SQLModel, table=True):
    __tablename__ = "members"

    id: str = Field(primary_key=True, max_length=64)
    name: str
    names_json: str = Field(default="{}", sa_column=Column(Text, nullable=False, default="{}"))
    org: str = ""
    delegation: str = Field(default="", max_length=16)
    email: str = ""
    lang: str = Field(default="en", max_length=8)
    created_at: _dt.datetime
    #: False once removed from the working group (a member with a history is kept, inactive)
    active: bool = Field(default=True, sa_column=Column(Boolean, nullable=False, default=True,
                                                        server_default=true()))
    #: loaded with the member (one more SELECT … IN per query), so a member read in one
    #: session still knows its roles after the session closes
    roles: list["MemberRole"] = Relationship(sa_relationship_kwargs={
        "lazy": "selectin", "cascade": "all, delete-orphan", "order_by": "MemberRole.role"})

    def role_set(self) -> set[str]:
        """The member's roles: secretary, drafter, reviewer, approver, signatory, archivist
        (none once the member is deactivated)."""
        return {r.role for r in self.roles} if self.active is not False else set()

    def names_by_lang(self) -> dict[str, str]:
        """The member's name in each language they gave, their own language included."""
        names: dict[str, str] = json.loads(self.names_json or "{}")
        names.setdefault(self.lang or "en", self.name)
        return names


class MemberRole(SQLModel, table=True):
    """One role a member holds (queries by role join this relation)."""

    __tablename__ = "member_roles"

    member_id: str = Field(sa_column=Column(String(64), ForeignKey("members.id"),
                                            primary_key=True))
    role: str = Field(sa_column=Column(String(16), primary_key=True, index=True))


class _Stored(Protocol):
    @property
    def id(self) -> int | None: ...


def key_of(row: _Stored) -> int:
    """The primary key of a stored row (a row not flushed yet has none: refused)."""
    if row.id is None:
        raise RuntimeError(f"{type(row).__name__} has no primary key yet; flush it first")
    return row.id


def holding(role: str) -> SelectOfScalar[Member]:
    """The members who hold ``role``, oldest first (a join of the relation, not a LIKE)."""
    return (select(Member).join(MemberRole).where(MemberRole.role == role,
                                                  col(Member.active).is_(True))
            .order_by(col(Member.created_at), col(Member.id)))


class StateText(TypeDecorator[State]):
    """A :class:`State` stored as its value in a text column (``draft``, ``in_review``…)."""

    impl = String(16)
    cache_ok = True

    def process_bind_param(self, value: State | str | None, dialect: Dialect) -> str | None:
        return None if value is None else State(value).value

    def process_result_value(self, value: object, dialect: Dialect) -> State | None:
        if value is None:
            return None
        try:
            return State(str(value))
        except ValueError:
            raise WorkspaceError(f"a resolution's stored state {value!r} is not a state; "
                                 "'resolutions audit verify' names what was edited") from None


class ResolutionRow(SQLModel, table=True):
    __tablename__ = "resolutions"
    __table_args__ = (Index("ix_resolutions_state", "state"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    number: int = Field(unique=True)
    symbol: str = Field(unique=True, max_length=64)
    body: str = Field(max_length=64)
    title: str = ""
    state: State = Field(sa_column=Column(StateText(), nullable=False))
    current_version: int = 1
    row_version: int = 1
    created_at: _dt.datetime
    updated_at: _dt.datetime

    def __setattr__(self, name: str, value: object) -> None:
        # a state given as its text (``state="draft"``) is kept as the enum member
        if name == "state" and value is not None:
            value = State(str(value))  # a StrEnum's str() is its value
        super().__setattr__(name, value)


class Version(SQLModel, table=True):
    __tablename__ = "versions"
    __table_args__ = (UniqueConstraint("resolution_id", "number"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    resolution_id: int = Field(foreign_key="resolutions.id", index=True)
    number: int
    source: str = Field(sa_column=Column(Text, nullable=False))
    content_hash: str = Field(max_length=64)
    author: str = ""
    note: str = ""
    created_at: _dt.datetime


class AuditEvent(SQLModel, table=True):
    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_resolution", "resolution_id", "seq"),)

    seq: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    at: _dt.datetime
    actor: str = ""
    action: str
    outcome: str = "ok"  # ok | refused
    resolution_id: Optional[int] = None
    symbol: str = ""
    detail: str = Field(default="{}", sa_column=Column(Text, nullable=False, default="{}"))
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64)


class AuditHead(SQLModel, table=True):
    __tablename__ = "audit_head"

    id: int = Field(default=1, primary_key=True)
    seq: int = 0
    hash: str = Field(default="0" * 64, max_length=64)


class AuditAnchor(SQLModel, table=True):
    """An RFC 3161 timestamp on the chain's head: the event ``seq`` with ``hash`` existed at
    ``at`` (the token's time), whoever rewrites the database later."""

    __tablename__ = "audit_anchors"

    id: Optional[int] = Field(default=None, primary_key=True)
    seq: int
    hash: str = Field(max_length=64)
    at: _dt.datetime
    tsa_url: str = ""
    token: bytes = Field(sa_column=Column(LargeBinary, nullable=False))


class ReviewRound(SQLModel, table=True):
    __tablename__ = "review_rounds"

    id: Optional[int] = Field(default=None, primary_key=True)
    resolution_id: int = Field(foreign_key="resolutions.id", index=True)
    number: int
    version_number: int
    reviewers: str = ""  # comma-separated member ids
    due: Optional[_dt.date] = None
    opened_at: _dt.datetime
    closed_at: Optional[_dt.datetime] = None
    outcome: str = ""  # changes | no-objection


class Comment(SQLModel, table=True):
    __tablename__ = "comments"
    __table_args__ = (UniqueConstraint("resolution_id", "number"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    resolution_id: int = Field(foreign_key="resolutions.id", index=True)
    number: int
    round_id: int = Field(foreign_key="review_rounds.id")
    version_number: int
    paragraph_id: str = ""
    ref: str = ""          # as resolved in the circulated version
    author: str
    type: str              # ge | te | ed
    text: str = Field(sa_column=Column(Text, nullable=False))
    proposal: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    disposition: str = ""  # accepted | rejected | partial
    note: str = ""
    disposed_by: str = ""
    source: str = "cli"    # cli | form | pdf
    created_at: _dt.datetime
    lang: str = ""         # the language column an annotation sits in (source "pdf")
    quote: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    anchor: str = ""       # hash of the annotation it was read from (source "pdf")


class Amendment(SQLModel, table=True):
    __tablename__ = "amendments"
    __table_args__ = (UniqueConstraint("resolution_id", "number"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    resolution_id: int = Field(foreign_key="resolutions.id", index=True)
    number: int
    round_id: Optional[int] = None
    version_number: int
    author: str
    target_id: str
    target_ref: str
    op: str                # replace | insert-after | delete
    texts_json: str = Field(default="{}", sa_column=Column(Text, nullable=False, default="{}"))
    why: str = ""
    status: str = "proposed"  # proposed | accepted | rejected | applied
    decided_by: str = ""
    applied_version: Optional[int] = None
    created_at: _dt.datetime


class Approval(SQLModel, table=True):
    __tablename__ = "approvals"

    id: Optional[int] = Field(default=None, primary_key=True)
    resolution_id: int = Field(foreign_key="resolutions.id", index=True)
    version_number: int
    content_hash: str
    member_id: str
    decision: str          # approved | objected
    note: str = ""
    void: bool = False
    statement: Optional[bytes] = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    at: _dt.datetime


class TranslationState(SQLModel, table=True):
    """Per resolution: which sibling texts each paragraph language was reconciled with."""

    __tablename__ = "translation_state"

    resolution_id: int = Field(foreign_key="resolutions.id", primary_key=True)
    version_number: int
    records_json: str = Field(default="{}", sa_column=Column(Text, nullable=False, default="{}"))


class Artefact(SQLModel, table=True):
    """A rendered file in the content-addressed store, keyed by what produced it."""

    __tablename__ = "artefacts"

    id: Optional[int] = Field(default=None, primary_key=True)
    cache_key: str = Field(unique=True, max_length=64)
    sha256: str = Field(index=True, max_length=64)
    resolution_id: int = Field(foreign_key="resolutions.id", index=True)
    version_number: int
    stage: str
    format: str
    languages: str = ""
    layout: str = ""
    template_hash: str = ""
    options: str = ""
    size: int = 0
    pages: int = 0
    created_at: _dt.datetime


class SignatureRecord(SQLModel, table=True):
    __tablename__ = "signatures"

    id: Optional[int] = Field(default=None, primary_key=True)
    resolution_id: int = Field(foreign_key="resolutions.id", index=True)
    version_number: int
    member_id: str
    field_name: str
    cert_fingerprint: str = Field(max_length=64)
    base_sha256: str = Field(max_length=64)     # the approved PDF that was signed
    signed_sha256: str = Field(max_length=64)   # the PDF after this signature
    docx_p7s_sha256: str = ""
    source: str = "local"                       # local | imported
    at: _dt.datetime


class MemberCertificate(SQLModel, table=True):
    __tablename__ = "member_certificates"

    member_id: str = Field(primary_key=True, max_length=64)
    fingerprint: str = Field(max_length=64)
    subject: str = ""
    issuer: str = ""
    not_after: Optional[_dt.datetime] = None
    p12_path: str = ""
    imported: bool = False
    cert_pem: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))


class Message(SQLModel, table=True):
    __tablename__ = "messages"

    id: Optional[int] = Field(default=None, primary_key=True)
    message_id: str = Field(unique=True)
    resolution_id: Optional[int] = Field(default=None, index=True)
    kind: str = ""              # review-copy | submission | …
    recipient: str = ""
    subject: str = ""
    eml_path: str = ""
    eml_sha256: str = ""
    status: str = "queued"      # queued | sent | failed
    error: str = ""
    attempts: int = 0
    created_at: _dt.datetime
    sent_at: Optional[_dt.datetime] = None


class Submission(SQLModel, table=True):
    __tablename__ = "submissions"

    id: Optional[int] = Field(default=None, primary_key=True)
    resolution_id: int = Field(foreign_key="resolutions.id", index=True)
    body: str
    version_number: int
    package_path: str = ""
    package_sha256: str = ""
    manifest_json: str = Field(default="{}", sa_column=Column(Text, nullable=False, default="{}"))
    message_id: str = ""
    submitted_at: _dt.datetime
    receipt_ref: str = ""
    outcome: str = ""
    note: str = ""
    received_at: Optional[_dt.datetime] = None


class Receipt(SQLModel, table=True):
    """One answer of a body to a submission, in the order received: an acknowledgement,
    then the outcome. The submission's own receipt columns hold the latest."""

    __tablename__ = "receipts"

    id: Optional[int] = Field(default=None, primary_key=True)
    submission_id: int = Field(foreign_key="submissions.id", index=True)
    reference: str
    outcome: str
    note: str = ""
    recorded_by: str = ""
    received_at: _dt.datetime


class Blob(SQLModel, table=True):
    """A file of the shared store (PostgreSQL deployments), named by its SHA-256: what every
    machine attached to the working group reads (``workflow.store.blobs``)."""

    __tablename__ = "blobs"

    sha256: str = Field(primary_key=True, max_length=64)
    size: int = 0
    data: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    stored_at: _dt.datetime


class SharedFile(SQLModel, table=True):
    """A named file under the workspace folder on a shared deployment (the trust store, the
    CA's certificate and CRL, the seal's certificate, the outbox, submission packages,
    dossier export records, ``resolutions.toml``): its path and the blob that holds it."""

    __tablename__ = "shared_files"

    path: str = Field(primary_key=True, max_length=512)
    sha256: str = Field(max_length=64)
    mode: int = 0o644
    updated_at: _dt.datetime


class WorkspaceSecret(SQLModel, table=True):
    """A secret of the working group's secretariat on a shared deployment (the key of the
    binding tokens, the seal of dossier export records); PostgreSQL shows each row only to
    the roles that need it (row-level security)."""

    __tablename__ = "workspace_secrets"

    name: str = Field(primary_key=True, max_length=32)
    value: bytes = Field(sa_column=Column(LargeBinary, nullable=False))


class Waiver(SQLModel, table=True):
    """A parity finding set aside by a named member, with the reason (``check --accept``).

    ``finding`` is the finding's id (``f-…``: paragraph, rule and languages); the waiver
    holds while the paragraph's texts hash to ``texts_hash`` (drafts.parity.waivers).
    Append-only: a waiver is never changed or removed; a changed text makes it lapse."""

    __tablename__ = "waivers"

    id: Optional[int] = Field(default=None, primary_key=True)
    resolution_id: int = Field(foreign_key="resolutions.id", index=True)
    version_number: int
    finding: str
    paragraph_id: str
    ref: str
    rule: str
    languages: str          # comma-separated, as the finding names them
    severity: str
    message: str = Field(sa_column=Column(Text, nullable=False))
    texts_hash: str
    reason: str = Field(sa_column=Column(Text, nullable=False))
    member_id: str
    at: _dt.datetime


class SearchText(SQLModel, table=True):
    """A distinct paragraph text of the search index (``workflow.store.search_index``): as
    printed, folded for matching, and its Chinese character pairs. Derived from the
    versions; the full-text indexes over it are made by migration 0011."""

    __tablename__ = "search_texts"

    id: Optional[int] = Field(default=None, primary_key=True)
    lang: str = Field(max_length=16)
    digest: str = Field(max_length=64, unique=True)
    text: str = Field(sa_column=Column(Text, nullable=False))
    folded: str = Field(sa_column=Column(Text, nullable=False))
    grams: str = Field(sa_column=Column(Text, nullable=False))


class SearchSpan(SQLModel, table=True):
    """Where a text of the index stands: one paragraph of one language of a resolution,
    with that text and reference from ``first_version`` to ``last_version``."""

    __tablename__ = "search_spans"
    __table_args__ = (Index("ix_search_spans_place", "resolution_id", "para_id", "last_version"),
                      Index("ix_search_spans_last", "resolution_id", "last_version"))

    id: Optional[int] = Field(default=None, primary_key=True)
    resolution_id: int = Field(foreign_key="resolutions.id")
    para_id: str = Field(max_length=160)
    lang: str = Field(max_length=16)
    ref: str = Field(max_length=64)
    position: int
    text_id: int = Field(sa_column=Column(ForeignKey("search_texts.id"), nullable=False,
                                          index=True))
    first_version: int
    last_version: int
    year: int
