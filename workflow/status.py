"""What a resolution is waiting for: its state, the next steps the machine allows, and
what blocks each of them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlmodel import select

from workflow.app import App
from workflow.machine import COMMANDS, allowed_triggers
from workflow.models import Amendment, ReviewRound

__all__ = ["status", "Status"]

_WHO = {"circulate": "secretary", "close_review_changes": "secretary",
        "close_review_no_objection": "secretary", "approve": "approver", "object": "approver",
        "reopen": "secretary", "sign": "signatory", "submit": "secretary",
        "acknowledge": "secretary", "adopt": "secretary", "return": "secretary",
        "reject": "secretary", "revise": "secretary", "withdraw": "secretary",
        "archive": "archivist"}


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
    from workflow.approval import current_approvals, rule_progress
    from workflow.parity import findings
    from workflow.resolutions import load_version

    with app.read() as session:
        row = app.resolution(session, ref)
        model = load_version(session, app.version(session, row))
        errors = [f for f in findings(session, row, model) if f.severity == "error"]
        facts: list[str] = []
        steps = []
        rnd = session.exec(select(ReviewRound).where(ReviewRound.resolution_id == row.id)
                           .order_by(ReviewRound.number.desc())).first()  # type: ignore[union-attr]
        if rnd is not None and rnd.closed_at is None:
            facts.append(f"review round {rnd.number} on version {rnd.version_number} with "
                         f"{rnd.reviewers}" + (f", due {rnd.due}" if rnd.due else ""))
        if errors:
            facts.append(f"{len(errors)} language parity error(s) ('check {row.symbol}')")
        if row.state in ("approved", "signed"):
            tsa = app.workspace.config.get("signatures", {}).get("timestamp_url")
            facts.append("signatures: PAdES B-T, B-LTA once complete (timestamp authority "
                         f"{tsa})" if tsa else "signatures: PAdES B-B — no timestamp authority "
                         "([signatures] timestamp_url): they cannot be verified after the "
                         "certificates expire")
        for trigger in allowed_triggers(row.state):
            if trigger == "reopen":
                continue
            blocked = ""
            if trigger in ("close_review_changes", "close_review_no_objection") and rnd:
                pending = session.exec(select(Amendment).where(
                    Amendment.round_id == rnd.id, Amendment.status == "proposed")).all()
                accepted = session.exec(select(Amendment).where(
                    Amendment.round_id == rnd.id, Amendment.status == "accepted")).all()
                if pending:
                    blocked = f"amendment(s) {', '.join(str(a.number) for a in pending)} undecided"
                elif accepted and trigger == "close_review_no_objection":
                    blocked = (f"accepted amendment(s) {', '.join(str(a.number) for a in accepted)}"
                               " change the text: close with --changes")
            if trigger == "approve":
                met, progress = rule_progress(session, row, app.workspace.approval_rule)
                blocked = ("; ".join(filter(None, [
                    progress if not met else "",
                    f"{len(errors)} parity error(s)" if errors else ""])))
                done = [a.member_id for a in current_approvals(session, row)]
                if done:
                    facts.append("approved by " + ", ".join(done))
            if trigger == "sign":
                from workflow.signing_state import missing_signatures

                missing = missing_signatures(app, session, row)
                blocked = ("waiting for signatures of " + ", ".join(missing)) if missing else ""
            if trigger == "submit" and errors:
                blocked = f"{len(errors)} parity error(s)"
            steps.append({"trigger": trigger, "command": COMMANDS.get(trigger, trigger),
                          "who": _WHO.get(trigger, "secretary"), "blocked_by": blocked})
        return Status(row.symbol, row.state, row.current_version, steps, facts)
