"""The resolution life cycle as data: states, the transition table with its guards and
roles, and the machine that fires it.

Every rule of a step is a row or a condition here. A row names the trigger, the states it
leaves and enters, the roles that may fire it, and its guards — names from
:mod:`workflow.lifecycle.guards`, each a fact the :class:`Handle` looks up, with the message
and the command that resolves it. Two kinds of guard:

- a *requirement* (role, parity clean, amendments decided, …) refuses the step when false;
- a *completion* (``approval_rule_met``, ``signatures_complete``) only chooses the
  destination: the last approval moves ``for_approval`` to ``approved``, the others are
  recorded and the state stays.

The ``transitions`` Machine is bound to a plain :class:`Handle` (never to the database row).
``status`` asks the same machine (``get_triggers``) and the same guards, so a new rule is one
row or one condition and the refusal, the next steps and docs/WORKFLOW.md follow from it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from workflow.errors import IllegalTransition
from workflow.states import State

__all__ = ["State", "Step", "TRANSITIONS", "ACTIONS", "Handle", "FactSource", "Answers", "machine_for",
           "allowed_triggers", "steps_for", "command_of", "Guard", "GUARDS", "illegal",
           "TEXT_EDITABLE", "REOPENS_ON_EDIT", "COMMANDS", "COMPLETIONS", "blockers", "explain"]


S = State
_BEFORE_SUBMISSION = (S.draft, S.in_review, S.revision, S.for_approval, S.approved, S.signed)
SECRETARY = ("secretary",)


@dataclass(frozen=True)
class Step:
    """One row of the table: ``dest`` None means the state stays (a partial step)."""

    trigger: str
    source: tuple[State, ...]
    dest: State | None
    roles: tuple[str, ...]
    guards: tuple[str, ...] = ()
    command: str = ""

    def as_transition(self, index: int) -> dict[str, Any]:
        """The row for ``transitions``: its first condition marks which row is asked."""
        return {"trigger": self.trigger, "source": list(self.source), "dest": self.dest,
                "conditions": [f"row_{index}", "role_allowed", *self.guards]}


def _step(trigger: str, source: State | tuple[State, ...], dest: State | None,
          roles: tuple[str, ...] = SECRETARY, guards: tuple[str, ...] = (),
          command: str = "") -> Step:
    src = source if isinstance(source, tuple) else (source,)
    return Step(trigger, src, dest, roles, guards, command or trigger.replace("_", "-"))


@dataclass(frozen=True)
class Guard:
    """A condition of the table: what is wrong when it is false, and what resolves it."""

    name: str
    problem: str
    remedy: str


#: every guard the table names; ``{symbol}`` and ``{detail}`` are filled in when it fails
GUARDS: Mapping[str, Guard] = {g.name: g for g in (
    Guard("role_allowed", "{detail}",
          "ask a member with that role, or 'resolutions member edit' to give it"),
    Guard("amendments_decided", "amendment(s) {detail} not decided yet",
          "'resolutions amendment accept|reject {symbol} N' first"),
    Guard("comments_disposed", "comment(s) {detail} have no disposition",
          "'resolutions dispose {symbol} N --accept|--reject|--partial --note …', or close "
          "with --force --reason …"),
    Guard("no_accepted_amendments", "accepted amendment(s) {detail} change the text",
          "close with --changes"),
    Guard("not_yet_approved", "{detail} has already approved this version", ""),
    Guard("parity_clean", "{detail}", "see 'resolutions check {symbol}'"),
    Guard("approval_rule_met", "{detail}", "more approvals"),
    Guard("not_yet_signed", "{detail} has already signed this version", ""),
    Guard("signer_has_certificate", "{detail}",
          "'resolutions keys issue MEMBER' (or 'keys import MEMBER FILE.p12')"),
    Guard("signatures_complete", "waiting for signatures of {detail}", "more signatures"),
)}

#: completions choose a destination; every other guard is a requirement
COMPLETIONS = frozenset({"approval_rule_met", "signatures_complete"})

TRANSITIONS: tuple[Step, ...] = (
    _step("circulate", (S.draft, S.revision), S.in_review),
    _step("close_review_changes", S.in_review, S.revision,
          guards=("amendments_decided", "comments_disposed"),
          command="close-review --changes"),
    _step("close_review_no_objection", S.in_review, S.for_approval,
          guards=("amendments_decided", "comments_disposed", "no_accepted_amendments"),
          command="close-review --no-objection"),
    _step("approve", S.for_approval, S.approved, ("approver",),
          ("not_yet_approved", "parity_clean", "approval_rule_met")),
    _step("approve", S.for_approval, None, ("approver",), ("not_yet_approved", "parity_clean")),
    _step("object", S.for_approval, S.revision, ("approver",)),
    _step("reopen", (S.for_approval, S.approved), S.revision, ("secretary", "drafter"),
          command="edit"),
    _step("sign", S.approved, S.signed, ("signatory",),
          ("not_yet_signed", "signer_has_certificate", "signatures_complete")),
    _step("sign", S.approved, None, ("signatory",), ("not_yet_signed", "signer_has_certificate")),
    _step("submit", S.signed, S.submitted, guards=("parity_clean",)),
    _step("acknowledge", S.submitted, S.acknowledged,
          command="receipt --outcome acknowledged"),
    _step("adopt", (S.submitted, S.acknowledged), S.adopted, command="receipt --outcome adopted"),
    _step("return", (S.submitted, S.acknowledged), S.returned,
          command="receipt --outcome returned"),
    _step("reject", (S.submitted, S.acknowledged), S.rejected,
          command="receipt --outcome rejected"),
    _step("revise", S.returned, S.revision, ("secretary", "drafter"), command="edit"),
    _step("withdraw", _BEFORE_SUBMISSION, S.withdrawn),
    _step("archive", (S.adopted, S.rejected, S.withdrawn), S.archived,
          ("archivist", "secretary")),
)

#: steps that change no state but are ruled the same way: the states they are allowed in
#: (None: any) and who may take them. One table for every command that needs a role.
ACTIONS: Mapping[str, tuple[tuple[State, ...] | None, tuple[str, ...]]] = {
    "new": (None, ("secretary", "drafter")),
    "edit": ((S.draft, S.revision, S.for_approval, S.approved, S.returned),
             ("secretary", "drafter")),
    "comment": ((S.in_review,), ("reviewer",)),
    "comments import": ((S.in_review,), ("reviewer",)),
    "amend": ((S.in_review,), ("reviewer", "secretary")),
    "dispose": ((S.in_review, S.revision), SECRETARY),
    "circulate --resume": ((S.in_review,), SECRETARY),
    "amendment accept": ((S.in_review,), SECRETARY),
    "amendment reject": ((S.in_review,), SECRETARY),
    "translations confirm": (None, ("secretary", "drafter", "approver", "signatory")),
    "member add": (None, SECRETARY),
    "member edit": (None, SECRETARY),
    "member remove": (None, SECRETARY),
    "keys init-ca": (None, SECRETARY),
    "keys issue": (None, SECRETARY),
    "keys import": (None, SECRETARY),
}

#: states in which the text may be edited in place, and those an edit reopens
TEXT_EDITABLE = frozenset({S.draft, S.revision})
REOPENS_ON_EDIT = frozenset({S.for_approval, S.approved})

#: what a user types for each trigger (used in messages and in `status`)
COMMANDS: Mapping[str, str] = {s.trigger: s.command for s in TRANSITIONS}


def command_of(trigger: str) -> str:
    return COMMANDS.get(trigger, trigger)


class FactSource(Protocol):
    """What the guards read: one answer per guard name, and why it is false."""

    def holds(self, guard: str, step: Step) -> bool: ...


class Answers:
    """A :class:`FactSource` that answers each guard once per step (``what``) and says why
    one is false; a subclass computes the answer in ``_compute``."""

    def __init__(self) -> None:
        self._answers: dict[tuple[str, str], tuple[bool, str]] = {}

    def holds(self, guard: str, step: Step) -> bool:
        return self.answer(guard, step.trigger, step.roles)[0]

    def detail(self, guard: str, step: Step) -> str:
        return self.answer(guard, step.trigger, step.roles)[1]

    def answer(self, guard: str, what: str, roles: tuple[str, ...]) -> tuple[bool, str]:
        key = (guard, what)
        if key not in self._answers:
            self._answers[key] = self._compute(guard, what, roles)
        return self._answers[key]

    def _compute(self, guard: str, what: str, roles: tuple[str, ...]) -> tuple[bool, str]:
        raise NotImplementedError


class Handle:
    """What the machine moves: a state, and the facts its guards read."""

    def __init__(self, state: str, facts: FactSource | Mapping[str, bool] | None = None) -> None:
        self.state = State(state)
        self.facts = facts
        self.step: Step | None = None
        self.failed: list[str] = []

    def check(self, guard: str) -> bool:
        assert self.step is not None
        facts = self.facts
        if facts is None:
            ok = True
        elif isinstance(facts, Mapping):
            ok = bool(facts.get(guard, guard not in COMPLETIONS))
        else:
            ok = facts.holds(guard, self.step)
        if not ok and guard not in COMPLETIONS and guard not in self.failed:
            self.failed.append(guard)
        return ok

    def __getattr__(self, name: str) -> Any:
        if name in GUARDS:
            return lambda *_a, **_k: self.check(name)
        if name.startswith("row_") and name[4:].isdigit():
            return lambda *_a, **_k: self._ask(TRANSITIONS[int(name[4:])])
        raise AttributeError(name)

    def _ask(self, step: Step) -> bool:
        self.step = step
        return True


def steps_for(state: str, trigger: str) -> list[Step]:
    return [s for s in TRANSITIONS if s.trigger == trigger and State(state) in s.source]


def machine_for(handle: Handle) -> Any:
    from transitions import Machine

    return Machine(model=handle, states=State, initial=handle.state,
                   transitions=[s.as_transition(i) for i, s in enumerate(TRANSITIONS)],
                   auto_transitions=False, ignore_invalid_triggers=False)


def allowed_triggers(state: str) -> list[str]:
    """Triggers the table allows from a state, in table order (the machine's own answer)."""
    from transitions import Machine

    machine = Machine(states=State, initial=State(state),
                      transitions=[{k: v for k, v in s.as_transition(i).items()
                                    if k != "conditions"} for i, s in enumerate(TRANSITIONS)],
                      auto_transitions=False)
    ordered = list(dict.fromkeys(s.trigger for s in TRANSITIONS))
    known = set(machine.get_triggers(State(state).name))
    return [t for t in ordered if t in known]


def illegal(symbol: str, state: str, what: str) -> IllegalTransition:
    return IllegalTransition(symbol, str(State(state).value), what,
                             list(dict.fromkeys(command_of(t) for t in allowed_triggers(state))))


def explain(facts: FactSource | Mapping[str, bool] | None, guard: str, step: Step,
            symbol: str) -> str:
    """The sentence for a failed guard: the problem and the command that resolves it."""
    describe = getattr(facts, "detail", None)  # a FactSource may say why; a mapping cannot
    detail = str(describe(guard, step)) if callable(describe) else ""
    g = GUARDS[guard]
    text = g.problem.format(symbol=symbol, detail=detail)
    remedy = g.remedy.format(symbol=symbol)
    return f"{text} ({remedy})" if remedy and guard != "role_allowed" else text


def blockers(state: str, trigger: str, facts: FactSource | Mapping[str, bool] | None,
             symbol: str) -> tuple[list[str], list[str]]:
    """(failed requirement guards, their sentences) for ``trigger`` from ``state``."""
    rows = steps_for(state, trigger)
    if not rows:
        return [], []
    handle = Handle(state, facts)
    # the requirements are the guards of the row that asks least (the partial step's)
    least = min(rows, key=lambda r: len([g for g in r.guards if g not in COMPLETIONS]))
    failed: list[str] = []
    for guard in ("role_allowed", *least.guards):
        if guard in COMPLETIONS:
            continue
        handle.step = least
        if not handle.check(guard):
            failed.append(guard)
    return failed, [explain(facts, g, least, symbol) for g in failed]
