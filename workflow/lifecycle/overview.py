"""What a resolution is waiting for: its state, the next steps the machine allows, who takes
them, and what blocks each — all read from the transition table and its guards.

:func:`assemble` builds the answer from any source of guard facts: the ORM's
:class:`workflow.lifecycle.facts.Facts` (:func:`workflow.lifecycle.status.status`) or
:class:`StoredFacts`, which reads the same facts through the bare driver
(:mod:`workflow.store.reads`) for the ``status`` command, so it imports no ORM and no YAML
parser. The rules themselves are shared (:mod:`workflow.lifecycle.rules`).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from workflow.lifecycle.machine import (
    COMPLETIONS,
    GUARDS,
    Answers,
    allowed_triggers,
    blockers,
    steps_for,
)
from workflow.lifecycle.rules import approval_outcome, parity_detail, signatures_missing

__all__ = ["Status", "StoredFacts", "assemble", "status"]


@dataclass(frozen=True)
class Status:
    symbol: str
    state: str
    version: int
    steps: list[dict[str, str]] = field(default_factory=list)
    facts: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


def assemble(symbol: str, state: str, version: int, facts: Any, rnd: Any,
             approved: Callable[[], list[str]], tsa: str | None,
             unqueued: list[str] | None = None) -> Status:
    """The status of a resolution in ``state`` from its guard ``facts`` (answered for the
    status, not for one member), its open review round ``rnd``, who approved, and the
    round's reviewers whose copy is not queued yet (``unqueued``)."""
    notes: list[str] = []
    if rnd is not None:
        notes.append(f"review round {rnd.number} on version {rnd.version_number} with "
                     f"{rnd.reviewers}" + (f", due {rnd.due}" if rnd.due else ""))
    if rnd is not None and unqueued:
        notes.append(f"circulation of round {rnd.number} unfinished: no review copy queued "
                     f"for {', '.join(unqueued)}; 'resolutions circulate {symbol} --resume' "
                     "queues them")
    steps = []
    for trigger in allowed_triggers(state):
        if trigger == "reopen":
            continue
        rows = steps_for(state, trigger)
        _, reasons = blockers(state, trigger, facts, symbol)
        for guard in dict.fromkeys(g for r in rows for g in r.guards if g in COMPLETIONS):
            met, detail = facts.answer(guard, trigger, rows[0].roles)
            if not met:
                reasons.append(GUARDS[guard].problem.format(symbol=symbol, detail=detail))
        if trigger == "approve":
            done = approved()
            if done:
                notes.append("approved by " + ", ".join(done))
        steps.append({"trigger": trigger, "command": rows[0].command,
                      "who": " or ".join(rows[0].roles), "blocked_by": "; ".join(reasons)})
    if state in ("approved", "signed"):
        notes.append("signatures: PAdES B-T, B-LTA once complete (timestamp authority "
                     f"{tsa})" if tsa else "signatures: PAdES B-B — no timestamp authority "
                     "([signatures] timestamp_url): they cannot be verified after the "
                     "certificates expire")
    errors = facts.parity_errors()
    if errors:
        notes.append(f"{len(errors)} language parity error(s) ('check {symbol}')")
    return Status(symbol, str(state), version, steps, notes)


def _numbers(numbers: list[int]) -> str:
    return ", ".join(str(n) for n in numbers)


class StoredFacts(Answers):
    """The guards of the table answered for ``status`` from the stored rows (the member
    guards — role, not yet approved, not yet signed — hold: status asks for nobody)."""

    def __init__(self, reader: Any, row: Any) -> None:
        super().__init__()
        self.reader, self.reads, self.row = reader, reader.reads, row
        last = self.reads.last_round(row.id)
        self.open_round = last if last is not None and last.closed_at is None else None

    def _compute(self, guard: str, what: str, roles: tuple[str, ...]) -> tuple[bool, str]:
        row, reads, rnd = self.row, self.reads, self.open_round
        if guard in ("role_allowed", "not_yet_approved", "not_yet_signed"):
            return True, ""
        if guard in ("amendments_decided", "no_accepted_amendments"):
            status = "proposed" if guard == "amendments_decided" else "accepted"
            found = [] if rnd is None else reads.amendment_numbers(row.id, rnd.id, status)
            return not found, _numbers(found)
        if guard == "comments_disposed":
            found = [] if rnd is None else reads.open_comment_numbers(row.id, rnd.id)
            return not found, _numbers(found)
        if guard == "parity_clean":
            return parity_detail(self.parity_errors())
        if guard == "approval_rule_met":
            done = set(reads.approved_by(row.id, row.current_version))
            return approval_outcome(reads.holders("approver"), done,
                                    self.reader.workspace.approval_rule)
        done = set(reads.signed_by(row.id, row.current_version))
        if guard == "signer_has_certificate":
            certified = reads.certified_members()
            lacking = [m for m, _ in reads.holders("signatory")
                       if m not in done and m not in certified]
            return not lacking, (f"no signing certificate for {', '.join(lacking)}"
                                 if lacking else "")
        if guard == "signatures_complete":
            workspace = self.reader.workspace
            missing = signatures_missing(done, workspace.config.get("signatures", {}).get(
                "required", []), dict(reads.holders("signatory")),
                workspace.bodies().get(row.body))
            return not missing, ", ".join(missing)
        raise KeyError(f"no stored fact answers the guard {guard!r}")

    def parity_errors(self) -> list[Any]:
        """The parity errors of the current version (looked up once; kept in the parity
        cache by text and translation records, so a second status runs no rule)."""
        if not hasattr(self, "_parity"):
            from workflow.store import parsed
            from workflow.store.reads import Record

            version = self.reader.version(self.row)
            stored = self.reads.translation_records(self.row.id) or ""
            state_dir = self.reader.workspace.state_dir
            found = parsed.cached_parity(state_dir, version.source, stored)
            if found is None:
                from drafts.parity.rules import check

                model = self.reader.model(self.row, version)
                records = json.loads(stored) if stored else {}
                errors = [f for f in check(model, records=records) if f.severity == "error"]
                parsed.remember_parity(state_dir, version.source, stored, errors)
                self._parity: list[Any] = errors
            else:
                self._parity = [Record(e) for e in found]
        return self._parity


def status(reader: Any, ref: str) -> Status:
    """The status of ``ref`` read through ``reader`` (:class:`workflow.reading.Reader`)."""
    row = reader.resolution(ref)
    state = reader.summary(row).state  # a stored state that is no state is refused here
    facts = StoredFacts(reader, row)
    tsa = reader.workspace.config.get("signatures", {}).get("timestamp_url")
    rnd, unqueued = facts.open_round, None
    if rnd is not None and state == "in_review":
        from workflow.store.outbox_ids import copies_not_queued

        mailed = {str(m["id"]) for m in reader.reads.members() if m["email"]}
        unqueued = copies_not_queued(row.symbol, rnd.number,
                                     [r for r in rnd.reviewers.split(",") if r in mailed],
                                     reader.reads.message_ids(row.id, "review-copy"))
    return assemble(row.symbol, state, row.current_version, facts, rnd,
                    lambda: reader.reads.approved_by(row.id, row.current_version), tsa,
                    unqueued)
