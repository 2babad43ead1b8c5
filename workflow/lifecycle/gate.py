"""The one gate: every command that changes anything asks :func:`decide` and gets a
:class:`Decision` — allowed, or refused with each blocker's sentence and the command that
resolves it. Only this module makes a Decision (its constructor takes a key nobody else
holds), and :func:`workflow.lifecycle.steps.move` and :func:`~workflow.lifecycle.steps.act`
accept nothing else, so no path reaches the database around the guards.

A question is answered in one order, and refused at the first kind that fails:

1. the role (``role_allowed``: the member the step is taken for holds one of the rule's
   roles) — a member who may never take a step hears that first, whatever the state;
2. the state (the table allows the rule from the resolution's state);
3. the other permissions of the rule (acting for another member, being a reviewer of the
   round);
4. the requirements: for a transition the machine is asked (``may_<trigger>``) and, when it
   says no, every requirement of the row that asks least is listed.

Fail-closed throughout: a rule about a resolution asked without its facts, a guard that
needs a fact not looked up, a guard the registry does not know — each refuses.
"""

from collections.abc import Mapping
from typing import NamedTuple

from workflow.errors import ConcurrencyError, IllegalTransition, PermissionDenied, WorkflowError
from workflow.lifecycle.facts import Person, ResolutionFacts
from workflow.lifecycle.guards import COMPLETION, GUARDS, PERMISSION, Answer, Ask, answer
from workflow.lifecycle.machine import (
    RULES,
    TRANSITIONS,
    Handle,
    Rule,
    allowed_triggers,
    command_of,
    machine,
    steps_for,
)
from workflow.states import State

__all__ = ["Decision", "Blocker", "Blocked", "decide", "Asking", "next_steps", "NextStep",
           "needs_parity", "take"]

_KEY = object()  # only this module holds it: a Decision is made here or not at all


class Blocked(WorkflowError):
    """A step the state allows but a requirement of the table refuses."""

    error_code = "blocked"

    def __init__(self, symbol: str, command: str, reasons: list[str]) -> None:
        self.symbol, self.command, self.reasons = symbol, command, reasons
        super().__init__(f"{symbol}: cannot {command} yet: " + "; ".join(reasons))


class Blocker(NamedTuple):
    """Why a step is refused: the guard (or ``state``), its kind, the sentence."""

    guard: str
    kind: str           # permission | state | requirement
    sentence: str


class Decision:
    """The gate's answer to one question. ``dest``: the state a transition leads to (the
    same state for a partial step), None for an act; ``then``: the transition an act
    fires (an edit that reopens); ``answers``: every guard asked, with its detail.

    Immutable, and made only with the key this module holds (a plain class: every command
    makes one, and a generated frozen class costs its start more than the decision)."""

    __slots__ = ("rule", "resolution_id", "symbol", "source", "dest", "actor", "subject",
                 "blockers", "answers", "facts", "then")
    rule: Rule
    resolution_id: int | None
    symbol: str
    source: State | None
    dest: State | None
    actor: str
    subject: str
    blockers: tuple[Blocker, ...]
    answers: Mapping[str, Answer]
    facts: ResolutionFacts | None
    then: "Decision | None"

    def __init__(self, rule: Rule, resolution_id: int | None, symbol: str,
                 source: State | None, dest: State | None, actor: str, subject: str,
                 blockers: tuple[Blocker, ...], answers: Mapping[str, Answer],
                 facts: ResolutionFacts | None, then: "Decision | None" = None,
                 key: object = None) -> None:
        if key is not _KEY:
            raise TypeError("a Decision is made by workflow.lifecycle.gate.decide only")
        values = (rule, resolution_id, symbol, source, dest, actor, subject, blockers,
                  answers, facts, then)
        for name, value in zip(self.__slots__, values):
            object.__setattr__(self, name, value)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"a Decision is not changed (its {name!r} included)")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"a Decision is not changed (its {name!r} included)")

    def __repr__(self) -> str:
        verdict = "allowed" if self.allowed else "refused"
        return (f"Decision({self.rule.name!r} on {self.symbol or '-'} for "
                f"{self.subject or '-'}: {verdict}, {self.source} → {self.dest})")

    @property
    def allowed(self) -> bool:
        return not self.blockers

    @property
    def moves(self) -> bool:
        """Whether the transition changes the state (the last approval, not another one)."""
        return self.dest is not None and self.dest != self.source

    def refusal(self) -> WorkflowError | None:
        """The error a refused decision raises (None when allowed)."""
        if not self.blockers:
            return None
        first = self.blockers[0]
        if first.kind == PERMISSION:
            return PermissionDenied(first.sentence, resolution_id=self.resolution_id,
                                    command=self.rule.command)
        if first.kind == "state":
            state = self.source.value if self.source else "unknown"
            allowed = list(dict.fromkeys(command_of(t) for t in allowed_triggers(state))) \
                if self.source else []
            return IllegalTransition(self.symbol, state, self.rule.command, allowed)
        return Blocked(self.symbol, self.rule.command, [b.sentence for b in self.blockers])

    def require(self) -> "Decision":
        """This decision when allowed; else its refusal is raised."""
        refused = self.refusal()
        if refused is not None:
            raise refused
        return self


def take(decision: Decision, resolution_id: int | None, state: str | None,
         used: set[int]) -> None:
    """Refuse to act on ``decision`` unless it is the gate's, allowed, about this resolution
    (``resolution_id``, in ``state`` now: the state it was decided in) and not taken
    before (``used``: the ids of the decisions this transaction took; this one is added)."""
    if not isinstance(decision, Decision):
        raise TypeError("move and act take a Decision of the gate")
    decision.require()
    if decision.resolution_id is not None and resolution_id != decision.resolution_id:
        raise WorkflowError(f"the decision on {decision.symbol} is not about this resolution")
    if state is not None and decision.source is not None and State(state) != decision.source:
        raise ConcurrencyError(decision.symbol)
    if id(decision) in used:
        raise WorkflowError(f"the decision to {decision.rule.command} was already taken")
    used.add(id(decision))


class Asking:
    """One question being answered: each guard asked once, the answers kept."""

    def __init__(self, ask: Ask) -> None:
        self.ask = ask
        self.answers: dict[str, Answer] = {}

    def answer(self, guard: str) -> Answer:
        if guard not in self.answers:
            self.answers[guard] = answer(guard, self.ask)
        return self.answers[guard]

    def holds(self, guard: str) -> bool:
        return self.answer(guard)[0]

    def sentence(self, guard: str) -> str:
        """The refusal's sentence: the problem and the command that resolves it."""
        detail = self.answer(guard)[1]
        known = GUARDS.get(guard)
        if known is None:
            return detail
        symbol = self.ask.facts.symbol if self.ask.facts else "REF"
        if detail.endswith("was not looked up"):
            return detail
        text = known.problem.format(symbol=symbol, detail=detail)
        remedy = known.remedy.format(symbol=symbol)
        return f"{text} ({remedy})" if remedy and known.kind != PERMISSION else text


def needs_parity(name: str) -> bool:
    """Whether a guard of the rule reads the parity errors."""
    rule = RULES[name]
    names = [*rule.requires, *(g for s in TRANSITIONS if s.trigger == name for g in s.guards)]
    return any("parity" in GUARDS[g].needs for g in names if g in GUARDS)


def _kind(guard: str) -> str:
    known = GUARDS.get(guard)
    return known.kind if known is not None else "requirement"


def _requirements(asking: Asking, rule: Rule, state: State) -> list[Blocker]:
    """The failing requirements: for a transition those of the row that asks least (the
    partial step's), for an act its own."""
    names: tuple[str, ...] = rule.requires
    if rule.moves:
        rows = steps_for(state, rule.name)
        least = min(rows, key=lambda r: len([g for g in r.guards if _kind(g) != COMPLETION]))
        names = least.guards
    return [Blocker(g, "requirement", asking.sentence(g)) for g in names
            if _kind(g) != COMPLETION and not asking.holds(g)]


def _transition(asking: Asking, rule: Rule, state: State) -> tuple[State | None, list[Blocker]]:
    """(the destination, the blockers) from the machine."""
    handle = Handle(state)
    engine = machine()
    engine.add_model(handle, initial=state)
    try:
        if handle.may(rule.name, asking):
            return handle.fire(rule.name, asking), []
    finally:
        engine.remove_model(handle)
    blockers = _requirements(asking, rule, state)
    if not blockers:  # the machine refused without a requirement failing: name every guard
        failed = [g for r in steps_for(state, rule.name)
                  for g in r.guards if not asking.holds(g)]
        blockers = [Blocker(g, "requirement", asking.sentence(g))
                    for g in dict.fromkeys(failed)] or \
            [Blocker("table", "requirement", "no row of the table allows it")]
    return None, blockers


def decide(name: str, facts: ResolutionFacts | None, actor: Person | None,
           subject: Person | None = None, *, force: bool = False) -> Decision:
    """Decide ``name`` (a rule of :data:`~workflow.lifecycle.machine.RULES`) for
    ``subject`` (default: the actor) on the resolution whose ``facts`` are given."""
    rule = RULES.get(name)
    if rule is None:
        raise LookupError(f"no rule of the table is named {name!r}")
    subject = subject if subject is not None else actor
    asking = Asking(Ask(rule.name, rule.words, rule.roles, facts, actor, subject,
                        force=force))
    source = facts.state if facts is not None else None
    dest: State | None = None
    then: Decision | None = None
    blockers: list[Blocker] = []
    if not asking.holds("role_allowed"):
        blockers = [Blocker("role_allowed", PERMISSION, asking.sentence("role_allowed"))]
    elif rule.about and facts is None:
        blockers = [Blocker("facts", "requirement", f"{rule.command} cannot be decided: the "
                            "resolution's facts were not looked up")]
    elif rule.states is not None and (source is None or source not in rule.states):
        blockers = [Blocker("state", "state", "")]
    else:
        blockers = [Blocker(p, PERMISSION, asking.sentence(p))
                    for p in rule.permissions if not asking.holds(p)][:1]
    if not blockers and source is not None:
        if rule.moves:
            dest, blockers = _transition(asking, rule, source)
            for row in steps_for(source, rule.name):  # every completion answered, for the
                for guard in row.guards:            # caller's progress line
                    if _kind(guard) == COMPLETION:
                        asking.answer(guard)
        else:
            blockers = _requirements(asking, rule, source)
            then = _then(rule, facts, actor, subject, force) if not blockers else None
            if then is not None and not then.allowed:
                blockers = list(then.blockers)
    elif not blockers:
        blockers = _requirements_without_state(asking, rule)
    return Decision(rule, facts.id if facts else None, facts.symbol if facts else "",
                    source, dest, actor.id if actor else "", subject.id if subject else "",
                    tuple(blockers), dict(asking.answers), facts, then, key=_KEY)


def _requirements_without_state(asking: Asking, rule: Rule) -> list[Blocker]:
    if rule.moves:  # a transition needs the state it leaves
        return [Blocker("facts", "requirement", f"{rule.command} cannot be decided: the "
                        "resolution's facts were not looked up")]
    return [Blocker(g, "requirement", asking.sentence(g)) for g in rule.requires
            if not asking.holds(g)]


def _then(rule: Rule, facts: ResolutionFacts | None, actor: Person | None,
          subject: Person | None, force: bool) -> Decision | None:
    if facts is None or not rule.then:
        return None
    allowed = allowed_triggers(facts.state)
    for trigger in rule.then:
        if trigger in allowed:
            return decide(trigger, facts, actor, subject, force=force)
    return None


class NextStep(NamedTuple):
    """A step ``status`` lists: its trigger, command, who takes it, what blocks it."""

    trigger: str
    command: str
    who: str
    blocked_by: str

    def to_json(self) -> dict[str, str]:
        return {"trigger": self.trigger, "command": self.command, "who": self.who,
                "blocked_by": self.blocked_by}


def next_steps(facts: ResolutionFacts) -> list[NextStep]:
    """The steps the table allows from the resolution's state, each with what blocks it
    (asked for nobody in particular: the member guards hold, the others are the facts)."""
    out = []
    for trigger in allowed_triggers(facts.state):
        rule = RULES[trigger]
        if not rule.shown:
            continue
        asking = Asking(Ask(rule.name, rule.words, rule.roles, facts, None, None,
                            anyone=True, own_act=False))
        reasons = [b.sentence for b in _requirements(asking, rule, facts.state)]
        rows = steps_for(facts.state, trigger)
        for guard in dict.fromkeys(g for r in rows for g in r.guards if _kind(g) == COMPLETION):
            met, detail = asking.answer(guard)
            if not met:
                reasons.append(GUARDS[guard].problem.format(symbol=facts.symbol, detail=detail))
        out.append(NextStep(trigger, rule.command, " or ".join(rule.roles), "; ".join(reasons)))
    return out
