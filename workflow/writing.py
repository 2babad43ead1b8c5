"""The frequent write commands on the bare driver: ``comment``, ``amend``, ``dispose`` and
``member add`` through :class:`workflow.store.writes.Writer`, without importing
the ORM, pydantic or the migrations — the write-side twin of :mod:`workflow.reading`.

Each does what its service on the ORM does (:func:`workflow.review.rounds.add_comment`,
:func:`~workflow.review.rounds.dispose`, :func:`workflow.review.amendments.amend`,
:func:`workflow.members.add_member`), in the same order, with the same shared pieces: the
input checks and the event details (:mod:`workflow.review.checks`,
:mod:`workflow.member_checks`), the refusals of who acts (:mod:`workflow.acting`), the
resolution and version lookups of the read path (:class:`workflow.reading.Reader`), and the
gate: the facts loaded by :func:`workflow.lifecycle.facts.load` through the same statements
over this transaction's connection, the :class:`~workflow.lifecycle.gate.Decision` of
:func:`workflow.lifecycle.gate.decide`, taken once (:func:`workflow.lifecycle.gate.take`).
A refusal for lack of a role is rolled back and recorded as ``refused``, as
:meth:`workflow.app.App.write` records it.

:func:`open_writing` returns None when the database cannot be written this way (not at the
schema's head, no file yet); the command then runs its service on the ORM. The services stay
for everything else (comments imported from forms and PDFs, the first member of a new
workspace). ``member add`` on PostgreSQL runs on the administrator's login, which makes the
member's login role in the same transaction (:mod:`workflow.store.pgroles`).
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from workflow import acting, clock
from workflow.errors import ConcurrencyError, PermissionDenied
from workflow.lifecycle.gate import Decision, decide, needs_parity, take
from workflow.lifecycle.machine import illegal
from workflow.reading import Reader
from workflow.rows import AmendmentRow, ApprovalResult, CommentRow, MemberInfo
from workflow.store.reads import Record
from workflow.store.workspace import Workspace, find
from workflow.store.writes import Writer

if TYPE_CHECKING:
    from workflow.lifecycle.facts import Person

__all__ = ["Writing", "open_writing", "add_comment", "dispose", "amend", "add_member",
           "approve"]


class _Member:
    """A member as the gate and the commands read it (the ORM's ``Member`` has the same)."""

    __slots__ = ("id", "delegation", "active", "roles")

    def __init__(self, row: Record, roles: list[str]) -> None:
        self.id, self.delegation = str(row.id), str(row.delegation or "")
        self.active, self.roles = bool(row.active), roles

    def role_set(self) -> set[str]:
        return set(self.roles) if self.active else set()


_CONNECTED = ("SELECT id FROM members WHERE left(current_database() || '_' || id, 63) "
              "= current_user")
_SECRETARY = ("SELECT m.id FROM members m JOIN member_roles r ON r.member_id = m.id "
              "WHERE r.role = 'secretary' AND m.active ORDER BY m.created_at, m.id LIMIT 1")


class Writing:
    """A workspace, a write transaction on its database, and who acts (``--as``)."""

    def __init__(self, workspace: Workspace, writer: Writer, actor_id: str | None = None
                 ) -> None:
        self.workspace, self.writer, self.actor_id = workspace, writer, actor_id
        self.reader = Reader(self.workspace, self.writer.reads)
        self.reads = self.writer.reads

    def close(self) -> None:
        self.writer.close()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Writer]:
        """The command's one transaction: committed when the block ends, else rolled back;
        a refusal for lack of a role then recorded as ``refused`` (as ``App.write``)."""
        try:
            yield self.writer
            self.writer.commit()
        except PermissionDenied as exc:
            self.writer.rollback()
            self.writer.begin()
            try:
                row = (self.reads.one("SELECT id, symbol FROM resolutions WHERE id = ?",
                                      (exc.resolution_id,))
                       if exc.resolution_id is not None else None)
                self.writer.record(actor=self.actor(), action="refused", resolution=row,
                                   detail={"reason": str(exc), "command": exc.command},
                                   outcome="refused")
                self.writer.commit()
            except BaseException:
                self.writer.rollback()
                raise
            raise
        except BaseException:
            self.writer.rollback()
            raise

    # -- who acts (as workflow.app.App) -------------------------------------------------
    def connected_member(self) -> str | None:
        if self.reads.is_sqlite:
            return None
        row = self.reads.one(_CONNECTED)
        return None if row is None else str(row.id)

    def actor(self) -> str:
        connected = self.connected_member()
        if connected is not None:
            if self.actor_id and self.actor_id != connected:
                raise acting.other_login(connected, self.actor_id)
            return connected
        if self.actor_id:
            return self.actor_id
        secretary = self.reads.one(_SECRETARY)
        return str(secretary.id) if secretary else "secretary"

    def _find(self, member_id: str) -> _Member | None:
        row = self.reads.one("SELECT id, delegation, active FROM members WHERE id = ?",
                             (member_id,))
        if row is None:
            return None
        roles = [str(r.role) for r in self.reads.all(
            "SELECT role FROM member_roles WHERE member_id = ? ORDER BY role", (member_id,))]
        return _Member(row, roles)

    def acting_member(self) -> _Member:
        actor = self.actor()
        return _still_active(self._find(actor), lambda: acting.not_acting(actor))

    def operator(self) -> _Member:
        """Who types the command (as ``App.operator``): the login's member on PostgreSQL;
        on SQLite the workspace's secretary, else the acting member."""
        connected = self.connected_member()
        if connected is not None:
            found = self._find(connected)
            if found is None:
                raise acting.no_member(connected)
            return found
        secretary = self.reads.one(_SECRETARY)
        found = self._find(str(secretary.id)) if secretary is not None else None
        return found if found is not None else self.acting_member()

    def member(self, member_id: str) -> _Member:
        """A member who may act (refused once removed)."""
        return _still_active(self._find(member_id), lambda: acting.no_member(member_id))

    # -- the gate (as workflow.lifecycle.steps) -----------------------------------------
    def allow(self, name: str, row: Record, actor: _Member,
              subject: _Member | None = None, *, force: bool = False) -> Decision:
        from workflow.lifecycle.facts import load, person, policy_of

        known = load(self.reads, row, policy_of(self.workspace.settings, str(row.body)),
                     parity=needs_parity(name), state_dir=self.workspace.state_dir)
        return decide(name, known, person(actor),
                      person(subject) if subject is not None else None, force=force).require()

    def own_word(self, name: str, ref: str, by: str | None
                 ) -> tuple[Record, _Member, Decision] | None:
        """The resolution ``ref``, the member an approval or objection is for (``by``, else
        who acts) and the gate's decision on ``name`` for them, when they type it
        themselves; None when it is typed for someone else, whose word the ORM's service
        checks (nothing is written here)."""
        row = self.reader.resolution(ref)
        actor = self.acting_member()
        member = self.member(by) if by else actor
        decision = self.allow(name, row, actor, member)
        typed_by = actor if by and actor.id != member.id else self.operator()
        return (row, member, decision) if typed_by.id == member.id else None

    def act(self, decision: Decision, row: Record) -> None:
        """Take the act ``decision`` allows on ``row``, and move the row's version on."""
        if decision.rule.moves:
            raise TypeError(f"{decision.rule.name} is a transition: move(decision)")
        take(decision, int(row.id), str(row.state), self.writer.decisions)
        self.writer.touch_resolution(row)

    def move(self, decision: Decision, row: Record, *, actor: str,
             detail: dict[str, object]) -> str:
        """Fire the transition ``decision`` allows (as :func:`workflow.lifecycle.steps.move`):
        the state it leads to written under the row-version check, and its event."""
        decision.require()
        if not decision.rule.moves or decision.dest is None:
            raise TypeError(f"{decision.rule.name} changes no state: act(decision)")
        take(decision, int(row.id), str(row.state), self.writer.decisions)
        old, new = str(row.state), decision.dest.value
        expected = int(row.row_version)
        values = {"state": new, "row_version": expected + 1, "updated_at": clock.now()}
        if self.writer.update("resolutions", values, {"id": row.id},
                              {"row_version": expected}) != 1:
            raise ConcurrencyError(str(row.symbol))
        row.update(values)
        self.writer.record(actor=actor, action=decision.rule.name, resolution=row,
                           detail={**detail, "from": old, "state": new})
        return new

    def speaker(self, by: str | None, action: str, row: Record) -> tuple[_Member, Decision]:
        """The member speaking (``--by``, default the actor) and the gate's decision."""
        actor = self.acting_member()
        member = self.member(by) if by else actor
        return member, self.allow(action, row, actor, member)

    def open_round(self, row: Record, what: str) -> Record:
        rnd = self.reads.last_round(int(row.id))
        if rnd is None or rnd.closed_at is not None:
            raise illegal(str(row.symbol), str(row.state), what)
        return rnd

    def next_number(self, table: str, row: Record) -> int:
        found = self.reads.one(f"SELECT max(number) AS n FROM {table} WHERE resolution_id = ?",
                               (row.id,))
        return int(found.n or 0) + 1 if found is not None else 1


def open_writing(workspace: str | os.PathLike[str] | None = None, actor: str | None = None,
                 *, database_url: str | None = None,
                 on_commit: Callable[[], None] | None = None,
                 admin: bool = False) -> Writing | None:
    """The workspace and a write transaction on the bare driver, or None when the database
    cannot be written this way (the command then runs on the ORM, which migrates).
    ``admin``: membership, on PostgreSQL on the administrator's login (as ``App.write``)."""
    ws = find(workspace, database_url=database_url)  # (these commands write no file)
    writer = Writer.open(ws.database_url, actor, on_commit, admin=admin)
    return None if writer is None else Writing(ws, writer, actor)


# -- the commands ---------------------------------------------------------------------------
def add_comment(w: Writing, ref: str, *, by: str | None, target: str, type_: str, text: str,
                proposal: str = "") -> CommentRow:
    """:func:`workflow.review.rounds.add_comment` for a comment typed on the command line."""
    from workflow.review.checks import comment_detail, comment_input, resolve

    type_ = comment_input(type_, text)
    with w.transaction() as writer:
        row = w.reader.resolution(ref)
        member, decision = w.speaker(by, "comment", row)
        rnd = w.open_round(row, "comment")
        model = w.reader.model(row, w.reader.version(row, int(rnd.version_number)))
        pid, resolved = resolve(model, target)
        number = w.next_number("comments", row)
        values: dict[str, object] = {
            "resolution_id": row.id, "number": number, "round_id": rnd.id,
            "version_number": rnd.version_number, "paragraph_id": pid, "ref": resolved,
            "author": member.id, "type": type_, "text": text.strip(),
            "proposal": proposal.strip(), "disposition": "", "note": "", "disposed_by": "",
            "source": "cli", "created_at": clock.now(), "lang": "", "quote": "", "anchor": ""}
        writer.insert("comments", values)
        w.act(decision, row)
        writer.record(actor=w.actor(), action="comment", resolution=row, detail=comment_detail(
            by=member.id, number=number, ref=resolved, paragraph=pid, type_=type_,
            source="cli", text=text.strip(), proposal=proposal.strip()))
        return CommentRow.of(Record(values), {pid: resolved}, int(rnd.number))


def dispose(w: Writing, ref: str, number: int, decision: str, note: str) -> CommentRow:
    """:func:`workflow.review.rounds.dispose`."""
    from workflow.errors import NotFound
    from workflow.review.checks import dispose_detail, disposition_input

    disposition_input(decision)
    with w.transaction() as writer:
        row = w.reader.resolution(ref)
        actor = w.acting_member()
        ruling = w.allow("dispose", row, actor)
        comment = w.reads.one("SELECT * FROM comments WHERE resolution_id = ? AND number = ?",
                              (row.id, number))
        if comment is None:
            raise NotFound(f"{row.symbol} has no comment {number}; see 'resolutions comments "
                           f"{row.symbol}'")
        changed = {"disposition": decision, "note": note.strip(), "disposed_by": actor.id}
        writer.update("comments", changed, {"id": comment.id})
        comment.update(changed)
        w.act(ruling, row)
        writer.record(actor=actor.id, action="dispose", resolution=row,
                      detail=dispose_detail(number, decision, note))
        current = w.reader.current_refs(row)
        rounds = w.reads.round_numbers(int(row.id))
        return CommentRow.of(comment, current, rounds.get(int(comment.round_id), 0))


def amend(w: Writing, ref: str, *, by: str | None, target: str, op: str,
          texts: dict[str, str], why: str) -> AmendmentRow:
    """:func:`workflow.review.amendments.amend`."""
    from workflow.review.checks import amendment_detail, amendment_target, amendment_texts

    texts = amendment_texts(op, texts)
    with w.transaction() as writer:
        row = w.reader.resolution(ref)
        member, decision = w.speaker(by, "amend", row)
        rnd = w.open_round(row, "amend")
        model = w.reader.model(row, w.reader.version(row, int(rnd.version_number)))
        pid, resolved = amendment_target(model, str(row.symbol), target, texts)
        number = w.next_number("amendments", row)
        values: dict[str, object] = {
            "resolution_id": row.id, "number": number, "round_id": rnd.id,
            "version_number": rnd.version_number, "author": member.id, "target_id": pid,
            "target_ref": resolved, "op": op,
            "texts_json": json.dumps(texts, ensure_ascii=False, sort_keys=True),
            "why": why.strip(), "status": "proposed", "decided_by": "",
            "applied_version": None, "created_at": clock.now()}
        writer.insert("amendments", values)
        w.act(decision, row)
        writer.record(actor=w.actor(), action="amend", resolution=row, detail=amendment_detail(
            by=member.id, number=number, target=resolved, paragraph=pid, op=op, texts=texts))
        return AmendmentRow.of(Record(values), {pid: resolved})


def add_member(w: Writing, member_id: str, *, name: str, org: str = "", delegation: str = "",
               email: str = "", roles: tuple[str, ...] = (), names: dict[str, str] | None = None,
               lang: str | None = None, password: str | None = None) -> MemberInfo | None:
    """:func:`workflow.members.add_member` once the workspace has members (None: the first
    member, the service's own rule). On PostgreSQL ``w`` is the administrator's login
    (``open_writing(admin=True)``), which makes the member's login role, its groups and its
    first password's verifier in the same transaction as the row and the event."""
    from workflow.member_checks import already_exists, member_detail, member_input

    lang = member_input(member_id, name=name, org=org, email=email, delegation=delegation,
                        lang=lang, names=names or {}, roles=roles, password=password,
                        sqlite=w.reads.is_sqlite)
    if w.reads.one("SELECT id FROM members LIMIT 1") is None:
        return None  # the first member: the service's own rule
    with w.transaction() as writer:
        take(decide("member add", None, _person(w.acting_member())).require(), None, None,
             writer.decisions)
        if w.reads.one("SELECT id FROM members WHERE id = ?", (member_id,)) is not None:
            raise already_exists(member_id)
        values: dict[str, object] = {
            "id": member_id, "name": name.strip(),
            "names_json": json.dumps(names or {}, ensure_ascii=False), "org": org,
            "delegation": delegation, "email": email, "lang": lang,
            "created_at": clock.now(), "active": True}
        writer.insert("members", values, key=("id",))
        held = sorted(set(roles))
        for role in held:
            writer.insert("member_roles", {"member_id": member_id, "role": role},
                          key=("member_id", "role"))
        db_role = None if w.reads.is_sqlite else _login_role(w, member_id, roles, password)
        writer.record(actor=w.actor_id or w.actor(), action="member-add",
                      detail=member_detail(member_id, roles, delegation, db_role))
        return MemberInfo.of(Record(values), db_role, held)


def _login_role(w: Writing, member_id: str, roles: tuple[str, ...],
                password: str | None) -> str:
    """PostgreSQL: the new member's login role, as the service makes it
    (:mod:`workflow.store.pgroles` on this transaction's connection)."""
    import sqlite3

    from workflow.member_checks import login_role

    conn = w.reads.driver
    assert not w.reads.is_sqlite and not isinstance(conn, sqlite3.Connection)
    return login_role(conn, member_id, roles, password)


def approve(w: Writing, ref: str, by: str | None, note: str = "") -> ApprovalResult | None:
    """:func:`workflow.review.approval.approve` for a member's own approval with no key,
    statement or evidence; None (nothing written) when it is recorded for someone else,
    whose word the ORM's service checks."""
    from workflow.rows import approval_detail

    with w.transaction() as writer:
        own = w.own_word("approve", ref, by)
        if own is None:
            return None  # nothing written yet: the block ends an empty transaction
        row, member, decision = own
        version = w.reader.version(row)
        writer.insert("approvals", {
            "resolution_id": row.id, "version_number": row.current_version,
            "content_hash": version.content_hash, "member_id": member.id,
            "decision": "approved", "note": note, "void": False, "statement": None,
            "at": clock.now()})
        detail = {**approval_detail(member.id, int(row.current_version),
                                    str(version.content_hash), w.workspace.approval_rule, False),
                  "typed_by": member.id}  # (who typed it: the member themselves)
        state = w.move(decision, row, actor=w.actor(), detail=detail)
        progress = decision.answers["approval_rule_met"][1]
        return ApprovalResult(str(row.symbol), member.id, "approved", state, progress, False)


def _still_active(member: _Member | None, missing: Callable[[], Exception]) -> _Member:
    """``member``, refused as ``missing()`` when there is none and once they were removed."""
    if member is None:
        raise missing()
    if not member.active:
        raise acting.removed(member.id)
    return member


def _person(member: _Member) -> Person:
    from workflow.lifecycle.facts import person

    return person(member)
