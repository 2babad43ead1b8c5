"""The facts the guards of the transition table read, looked up in the database.

A :class:`Facts` answers each guard of :data:`workflow.lifecycle.machine.GUARDS` for one
resolution and one *subject* — the member the step is taken for (the approver of
``approve --by X``, the signatory of ``sign``; by default the member who acts). Answers are
looked up once and kept, so the machine may ask the same guard for several rows.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, select

from workflow.app import App
from workflow.lifecycle.approvals import current_approvals, rule_progress
from workflow.lifecycle.machine import Answers
from workflow.lifecycle.parity import findings
from workflow.lifecycle.rules import parity_detail
from workflow.lifecycle.signatures import missing_signatures, signatories, signed_members
from workflow.store.models import (
    Amendment,
    Comment,
    Member,
    MemberCertificate,
    ResolutionRow,
    ReviewRound,
)
from workflow.store.texts import load_version

__all__ = ["Facts", "open_round", "last_round"]


def last_round(session: Session, row: ResolutionRow) -> ReviewRound | None:
    """The resolution's latest review round, open or closed."""
    return session.exec(select(ReviewRound).where(ReviewRound.resolution_id == row.id)
                        .order_by(ReviewRound.number.desc())).first()  # type: ignore[union-attr]


def open_round(session: Session, row: ResolutionRow) -> ReviewRound | None:
    rnd = last_round(session, row)
    return rnd if rnd is not None and rnd.closed_at is None else None


def _numbers(items: list[Any]) -> str:
    return ", ".join(str(i.number) for i in items)


class Facts(Answers):
    """Guard answers for ``row`` and ``subject``; ``detail(guard)`` says why one is false."""

    def __init__(self, app: App, session: Session, row: ResolutionRow,
                 subject: Member | None = None, *, force: bool = False,
                 for_status: bool = False, recorded: bool = False) -> None:
        super().__init__()
        self.app, self.session, self.row = app, session, row
        self._subject = subject
        self.force = force
        self.for_status = for_status
        #: the subject's own act (approval, signature) is already written in this
        #: transaction: the service asked ``check`` before writing it
        self.recorded = recorded

    @property
    def subject(self) -> Member:
        if self._subject is None:
            self._subject = self.app.acting_member(self.session)
        return self._subject

    def _compute(self, guard: str, what: str, roles: tuple[str, ...]) -> tuple[bool, str]:
        answered: tuple[bool, str] = getattr(self, f"_{guard}")(what, roles)
        return answered

    # -- the guards ------------------------------------------------------------------
    def _role_allowed(self, what: str, roles: tuple[str, ...]) -> tuple[bool, str]:
        if self.for_status:
            return True, ""
        member = self.subject
        have = member.role_set()
        if have & set(roles):
            return True, ""
        needed = " or ".join(roles)
        return False, (f"{member.id} may not {what.replace('_', ' ')}: it takes the {needed} "
                       f"role ({member.id} has {', '.join(sorted(have)) or 'none'})")

    def _amendments(self, status: str) -> list[Amendment]:
        rnd = open_round(self.session, self.row)
        if rnd is None:
            return []
        return list(self.session.exec(select(Amendment).where(
            Amendment.resolution_id == self.row.id, Amendment.round_id == rnd.id,
            Amendment.status == status).order_by(Amendment.number)))

    def _amendments_decided(self, *_: Any) -> tuple[bool, str]:
        pending = self._amendments("proposed")
        return not pending, _numbers(pending)

    def _no_accepted_amendments(self, *_: Any) -> tuple[bool, str]:
        accepted = self._amendments("accepted")
        return not accepted, _numbers(accepted)

    def _comments_disposed(self, *_: Any) -> tuple[bool, str]:
        rnd = open_round(self.session, self.row)
        if rnd is None or self.force:
            return True, ""
        open_ = list(self.session.exec(select(Comment).where(
            Comment.resolution_id == self.row.id, Comment.round_id == rnd.id,
            Comment.disposition == "").order_by(Comment.number)))
        return not open_, _numbers(open_)

    def _not_yet_approved(self, *_: Any) -> tuple[bool, str]:
        if self.for_status or self.recorded:
            return True, ""
        done = {a.member_id for a in current_approvals(self.session, self.row)}
        return self.subject.id not in done, self.subject.id

    def parity_errors(self) -> list[Any]:
        """The parity errors of the current version (looked up once)."""
        if not hasattr(self, "_parity"):
            model = load_version(self.session, self.app.version(self.session, self.row))
            self._parity = [f for f in findings(self.session, self.row, model)
                            if f.severity == "error"]
        return self._parity

    def _parity_clean(self, *_: Any) -> tuple[bool, str]:
        return parity_detail(self.parity_errors())

    def _approval_rule_met(self, *_: Any) -> tuple[bool, str]:
        met, progress = rule_progress(self.session, self.row, self.app.workspace.approval_rule)
        return met, progress

    def _not_yet_signed(self, *_: Any) -> tuple[bool, str]:
        if self.for_status or self.recorded:
            return True, ""
        return self.subject.id not in signed_members(self.session, self.row), self.subject.id

    def _signer_has_certificate(self, *_: Any) -> tuple[bool, str]:
        if self.for_status:
            done = set(signed_members(self.session, self.row))
            lacking = [m.id for m in signatories(self.session)
                       if m.id not in done and self.session.get(MemberCertificate, m.id) is None]
            if not lacking:
                return True, ""
            return False, f"no signing certificate for {', '.join(lacking)}"
        if self.session.get(MemberCertificate, self.subject.id) is not None:
            return True, ""
        return False, f"{self.subject.id} has no signing certificate"

    def _signatures_complete(self, *_: Any) -> tuple[bool, str]:
        missing = missing_signatures(self.app, self.session, self.row)
        return not missing, ", ".join(missing)
