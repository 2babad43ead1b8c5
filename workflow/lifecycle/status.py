"""What a resolution is waiting for: its state, the next steps the machine allows, who takes
them, and what blocks each — all read from the transition table and its guards."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from workflow.app import App
from workflow.lifecycle.approvals import current_approvals
from workflow.lifecycle.facts import Facts, open_round
from workflow.lifecycle.machine import COMPLETIONS, GUARDS, allowed_triggers, steps_for
from workflow.lifecycle.steps import blockers

__all__ = ["status", "Status"]


@dataclass(frozen=True)
class Status:
    symbol: str
    state: str
    version: int
    steps: list[dict[str, str]] = field(default_factory=list)
    facts: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


def status(app: App, ref: str) -> Status:
    with app.read() as session:
        row = app.resolution(session, ref)
        facts = Facts(app, session, row, for_status=True)
        notes: list[str] = []
        rnd = open_round(session, row)
        if rnd is not None:
            notes.append(f"review round {rnd.number} on version {rnd.version_number} with "
                         f"{rnd.reviewers}" + (f", due {rnd.due}" if rnd.due else ""))
        steps = []
        for trigger in allowed_triggers(row.state):
            if trigger == "reopen":
                continue
            rows = steps_for(row.state, trigger)
            _, reasons = blockers(row.state, trigger, facts, row.symbol)
            for guard in dict.fromkeys(g for r in rows for g in r.guards if g in COMPLETIONS):
                met, detail = facts.answer(guard, trigger, rows[0].roles)
                if not met:
                    reasons.append(GUARDS[guard].problem.format(symbol=row.symbol,
                                                                detail=detail))
            if trigger == "approve":
                done = [a.member_id for a in current_approvals(session, row)]
                if done:
                    notes.append("approved by " + ", ".join(done))
            steps.append({"trigger": trigger, "command": rows[0].command,
                          "who": " or ".join(rows[0].roles),
                          "blocked_by": "; ".join(reasons)})
        if row.state in ("approved", "signed"):
            tsa = app.workspace.config.get("signatures", {}).get("timestamp_url")
            notes.append("signatures: PAdES B-T, B-LTA once complete (timestamp authority "
                         f"{tsa})" if tsa else "signatures: PAdES B-B — no timestamp authority "
                         "([signatures] timestamp_url): they cannot be verified after the "
                         "certificates expire")
        errors = facts.parity_errors()
        if errors:
            notes.append(f"{len(errors)} language parity error(s) ('check {row.symbol}')")
        return Status(row.symbol, str(row.state), row.current_version, steps, notes)
