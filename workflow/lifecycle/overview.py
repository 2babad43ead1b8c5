"""What a resolution is waiting for: its state, the next steps the machine allows, who takes
them, and what blocks each — the gate's own answer (:func:`workflow.lifecycle.gate.next_steps`)
over the resolution's :class:`~workflow.lifecycle.facts.ResolutionFacts`.

:func:`status` reads the facts through the bare driver (:class:`workflow.reading.Reader`),
so the ``status`` command imports no ORM and no YAML parser;
:func:`workflow.lifecycle.status.status` reads the same facts, through the same statements,
in an ORM session. Both end in :func:`assemble`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from workflow.lifecycle.facts import ResolutionFacts, load, policy_of
from workflow.lifecycle.gate import next_steps
from workflow.lifecycle.machine import allowed_triggers, states_of

if TYPE_CHECKING:
    from workflow.reading import Reader

__all__ = ["Status", "assemble", "status"]


@dataclass(frozen=True)
class Status:
    symbol: str
    state: str
    version: int
    steps: list[dict[str, str]] = field(default_factory=list)
    facts: list[str] = field(default_factory=list)
    #: findings set aside (``check --accept``): finding, ref, rule, languages, by, reason,
    #: at, version, and whether it still holds (false once the paragraph changed)
    waivers: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> dict[str, object]:
        return dict(self.__dict__)


def assemble(facts: ResolutionFacts, tsa: str | None) -> Status:
    """The status of a resolution from its facts (parity errors looked up)."""
    notes: list[str] = []
    rnd = facts.open_round
    if rnd is not None:
        notes.append(f"review round {rnd.number} on version {rnd.version} with "
                     f"{','.join(rnd.reviewers)}" + (f", due {rnd.due}" if rnd.due else ""))
    if rnd is not None and facts.unqueued_copies:
        notes.append(f"circulation of round {rnd.number} unfinished: no review copy queued "
                     f"for {', '.join(facts.unqueued_copies)}; 'resolutions circulate "
                     f"{facts.symbol} --resume' queues them")
    if "approve" in allowed_triggers(facts.state) and facts.approved_by:
        notes.append("approved by " + ", ".join(facts.approved_by))
    if facts.state in states_of("sign"):
        notes.append("signatures: PAdES B-T, B-LTA once complete (timestamp authority "
                     f"{tsa})" if tsa else "signatures: PAdES B-B — no timestamp authority "
                     "([signatures] timestamp_url): they cannot be verified after the "
                     "certificates expire")
    errors = facts.parity or ()
    if errors:
        notes.append(f"{len(errors)} language parity error(s) ('check {facts.symbol}')")
    return Status(facts.symbol, facts.state.value, facts.version,
                  [s.to_json() for s in next_steps(facts)], notes,
                  [w.to_json() for w in facts.waivers])


def status(reader: Reader, ref: str) -> Status:
    """The status of ``ref`` read through ``reader`` (:class:`workflow.reading.Reader`)."""
    row = reader.resolution(ref)
    reader.summary(row)  # a stored state that is no state is refused here
    workspace = reader.workspace
    facts = load(reader.reads, row, policy_of(workspace.settings, row.body), parity=True,
                 state_dir=workspace.state_dir, cached_parity=True)
    return assemble(facts, workspace.settings.signatures.timestamp_url)
