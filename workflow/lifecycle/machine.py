"""The resolution life cycle as data: one table of every command that changes anything,
and the ``transitions`` machine built from it once per process.

:data:`RULES` holds one :class:`Rule` per command — the steps that move a resolution
(:data:`TRANSITIONS`, fired through the machine) and the acts that change something else
(comments, amendments, members, keys, the trust store, the seal, translation mail). A rule
names the roles that may take it, its permission predicates (acting for another member,
being a reviewer of the round), the states it may be taken in, and — for a transition —
the guards of each row: names from :mod:`workflow.lifecycle.guards`, each a fact of the
resolution with the sentence for when it is false and the command that resolves it.

The machine is bound to a plain :class:`Handle` (never to the database row) and asked with
``may_<trigger>``; every row's conditions are the rule's permissions and the row's guards,
each answered by the one question (:class:`workflow.lifecycle.gate.Asking`) the gate puts.
The gate (:mod:`workflow.lifecycle.gate`) is the only caller. ``status``, the refusals and
docs/WORKFLOW.md read the same table, so a new rule is one row, or one guard.
"""

import functools
from collections.abc import Mapping
from typing import TYPE_CHECKING, NamedTuple, Protocol

from workflow.errors import IllegalTransition
from workflow.lifecycle.guards import COMPLETION, GUARDS, PERMISSION
from workflow.states import ROLES, State

if TYPE_CHECKING:
    from transitions import Machine

__all__ = ["State", "Step", "Rule", "TRANSITIONS", "ACTIONS", "RULES", "Handle", "machine",
           "allowed_triggers", "steps_for", "command_of", "illegal", "COMMANDS",
           "COMPLETIONS", "leads_to", "states_of", "FINAL_TEXT", "text_is_final"]


S = State
_BEFORE_SUBMISSION = (S.draft, S.in_review, S.revision, S.for_approval, S.approved, S.signed)
SECRETARY = ("secretary",)


class Step(NamedTuple):
    """One row of the transition table: ``dest`` None means the state stays (a partial
    step: an approval that is not the last one)."""

    trigger: str
    source: tuple[State, ...]
    dest: State | None
    roles: tuple[str, ...]
    guards: tuple[str, ...] = ()
    command: str = ""


def _step(trigger: str, source: State | tuple[State, ...], dest: State | None,
          roles: tuple[str, ...] = SECRETARY, guards: tuple[str, ...] = (),
          command: str = "") -> Step:
    src = source if isinstance(source, tuple) else (source,)
    return Step(trigger, src, dest, roles, guards, command or trigger.replace("_", "-"))


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


class Rule(NamedTuple):
    """One command that changes anything: who may take it and where.

    ``states``: where it may be taken (None: in any state, or about no resolution);
    ``about``: whether it acts on a resolution (its facts are then needed);
    ``permissions``: predicates beyond the role (:data:`~workflow.lifecycle.guards.GUARDS`
    of the permission kind); ``requires``: requirement guards of an act;
    ``what``: the words of a refusal (``x may not <what>``); ``then``: the transitions an
    act fires when the table allows one from the state (an edit of a returned text
    revises it, of an approved one reopens it); ``shown``: listed by ``status``."""

    name: str
    command: str
    roles: tuple[str, ...]
    states: tuple[State, ...] | None = None
    about: bool = True
    permissions: tuple[str, ...] = ()
    requires: tuple[str, ...] = ()
    what: str = ""
    then: tuple[str, ...] = ()
    moves: bool = False
    shown: bool = True

    @property
    def words(self) -> str:
        return self.what or self.command


def _act(name: str, states: tuple[State, ...] | None, roles: tuple[str, ...], *,
         about: bool = True, what: str = "", permissions: tuple[str, ...] = (),
         then: tuple[str, ...] = ()) -> Rule:
    return Rule(name, name, roles, states, about, permissions, (), what, then)


_ON_BEHALF = ("acts_for_self",)
_ANY = None

#: the acts: commands that change no state, ruled the same way
ACTIONS: Mapping[str, Rule] = {r.name: r for r in (
    _act("new", _ANY, ("secretary", "drafter"), about=False),
    _act("edit", (S.draft, S.revision, S.for_approval, S.approved, S.returned),
         ("secretary", "drafter"), then=("revise", "reopen")),
    _act("comment", (S.in_review,), ("reviewer",), permissions=("round_reviewer", *_ON_BEHALF)),
    _act("comments import", (S.in_review,), ("reviewer",),
         permissions=("round_reviewer", *_ON_BEHALF)),
    _act("amend", (S.in_review,), ("reviewer", "secretary"), permissions=_ON_BEHALF),
    _act("dispose", (S.in_review, S.revision), SECRETARY),
    _act("circulate --resume", (S.in_review,), SECRETARY),
    _act("amendment accept", (S.in_review,), SECRETARY),
    _act("amendment reject", (S.in_review,), SECRETARY),
    _act("signatures import", (S.approved,), ("secretary", "signatory"),
         what="import signatures"),
    _act("signed-files", (S.approved,), ROLES, what="prepare the signed files"),
    _act("translations confirm", _ANY, ("secretary", "drafter", "approver", "signatory")),
    _act("check --accept", _BEFORE_SUBMISSION, ("secretary", "approver"),
         what="set parity findings aside"),
    _act("translations send", _ANY, SECRETARY, what="send translation files"),
    _act("member add", _ANY, SECRETARY, about=False),
    _act("member edit", _ANY, SECRETARY, about=False),
    _act("member remove", _ANY, SECRETARY, about=False),
    _act("keys init-ca", _ANY, SECRETARY, about=False, what="create the working group's CA"),
    _act("keys issue", _ANY, SECRETARY, about=False, what="issue certificates"),
    _act("keys import", _ANY, SECRETARY, about=False, what="import certificates"),
    _act("keys trust", _ANY, SECRETARY, about=False, what="change the trust store"),
    _act("keys revoke", _ANY, SECRETARY, about=False, what="revoke certificates"),
    _act("keys crl", _ANY, SECRETARY, about=False, what="publish the CRL"),
    _act("keys seal-issue", _ANY, SECRETARY, about=False,
         what="issue the secretariat's seal"),
    _act("outbox send", _ANY, SECRETARY, about=False, what="send the outbox"),
    _act("audit anchor", _ANY, ("secretary", "archivist"), about=False,
         what="anchor the audit head"),
    _act("audit config", _ANY, SECRETARY, about=False, what="record the rules file"),
    _act("dossier export", _ANY, ("secretary", "archivist"), about=False,
         what="export a dossier"),
)}

#: the permissions of the transitions, beyond the role
_TRANSITION_PERMISSIONS: Mapping[str, tuple[str, ...]] = {
    "approve": _ON_BEHALF, "object": _ON_BEHALF, "sign": _ON_BEHALF}


def _transition_rules() -> dict[str, Rule]:
    rules: dict[str, Rule] = {}
    for step in TRANSITIONS:
        seen = rules.get(step.trigger)
        sources = tuple(dict.fromkeys((*(seen.states or ()), *step.source))) if seen else \
            step.source
        if seen is not None and seen.roles != step.roles:
            raise ValueError(f"the rows of {step.trigger!r} name different roles")
        rules[step.trigger] = Rule(step.trigger, step.command, step.roles, sources, True,
                                   _TRANSITION_PERMISSIONS.get(step.trigger, ()), (),
                                   step.trigger.replace("_", " "), (), True,
                                   step.trigger != "reopen")
    return rules


#: every command that changes anything, by name: the transitions, then the acts
RULES: Mapping[str, Rule] = {**_transition_rules(), **ACTIONS}

#: completions choose a destination; every other guard is a requirement or a permission
COMPLETIONS = frozenset(g.name for g in GUARDS.values() if g.kind == COMPLETION)

#: what a user types for each trigger (used in messages and in `status`)
COMMANDS: Mapping[str, str] = {s.trigger: s.command for s in TRANSITIONS}


def command_of(trigger: str) -> str:
    return COMMANDS.get(trigger, trigger)


def _check_table() -> None:
    """Every guard and permission the table names exists, with the right kind."""
    for step in TRANSITIONS:
        for name in step.guards:
            if name not in GUARDS or GUARDS[name].kind == PERMISSION:
                raise ValueError(f"{step.trigger}: {name!r} is not a requirement or completion")
    for rule in RULES.values():
        for name in rule.permissions:
            if name not in GUARDS or GUARDS[name].kind != PERMISSION:
                raise ValueError(f"{rule.name}: {name!r} is not a permission")
        for name in rule.then:
            if name not in COMMANDS:
                raise ValueError(f"{rule.name}: then {name!r} is not a transition")


_check_table()


class Question(Protocol):
    """What the machine's conditions ask (:class:`workflow.lifecycle.gate.Asking`)."""

    def holds(self, guard: str) -> bool: ...


class _Condition:
    """A row's condition: one guard, answered by the question the trigger carries."""

    def __init__(self, guard: str) -> None:
        self.guard = guard

    def __call__(self, question: Question) -> bool:
        return question.holds(self.guard)

    def __repr__(self) -> str:
        return self.guard


class Handle:
    """What the machine moves: a state. The machine binds ``may_<trigger>`` and the
    triggers to it while the gate asks."""

    def __init__(self, state: State) -> None:
        self.state = state

    def may(self, trigger: str, question: Question) -> bool:
        asked: bool = getattr(self, f"may_{trigger}")(question)
        return asked

    def fire(self, trigger: str, question: Question) -> State:
        getattr(self, trigger)(question)
        return State(self.state)


def _conditions(step: Step) -> list[_Condition]:
    rule = RULES[step.trigger]
    return [_Condition(g) for g in ("role_allowed", *rule.permissions, *step.guards)]


@functools.cache
def machine() -> "Machine":
    """The ``transitions`` machine of the table, built once per process (no model: the gate
    adds a :class:`Handle` while it asks, and removes it)."""
    from transitions import Machine

    return Machine(model=None, states=State, initial=None, auto_transitions=False,
                   ignore_invalid_triggers=False,
                   transitions=[{"trigger": s.trigger, "source": list(s.source),
                                 "dest": s.dest, "conditions": _conditions(s)}
                                for s in TRANSITIONS])


def steps_for(state: State | str, trigger: str) -> list[Step]:
    return [s for s in TRANSITIONS if s.trigger == trigger and State(state) in s.source]


_ORDER = tuple(dict.fromkeys(s.trigger for s in TRANSITIONS))


def allowed_triggers(state: State | str) -> list[str]:
    """Triggers the table allows from a state, in table order: what the machine built from
    the table answers (``machine().get_triggers``; ``tests/workflow/test_rules.py`` holds
    the two equal), read from the table itself so that a step asking it (an edit: does it
    reopen?) need not build the machine."""
    return list(_TRIGGERS_FROM[State(state)])


#: each state's triggers, in table order
_TRIGGERS_FROM: Mapping[State, tuple[str, ...]] = {
    state: tuple(t for t in _ORDER if any(s.trigger == t and state in s.source
                                          for s in TRANSITIONS)) for state in State}


def states_of(trigger: str) -> frozenset[State]:
    """The states a trigger leaves or enters."""
    return frozenset(st for s in TRANSITIONS if s.trigger == trigger
                     for st in (*s.source, *((s.dest,) if s.dest else ())))


def leads_to(state: State | str, trigger: str) -> State | None:
    """The state one step on from ``state`` in which ``trigger`` is allowed (an approved
    text is one signature away from being submitted), or None."""
    for step in TRANSITIONS:
        if State(state) in step.source and step.dest is not None \
                and steps_for(step.dest, trigger):
            return step.dest
    return None


#: the states in which the text is signed and stands (the states signing leads through)
FINAL_TEXT = frozenset({S.signed, S.submitted, S.acknowledged, S.adopted, S.archived})


def text_is_final(state: State | str) -> bool:
    """Whether the text in this state is the signed, standing one (an XLIFF of it is final)."""
    return State(state) in FINAL_TEXT


def illegal(symbol: str, state: State | str, what: str) -> IllegalTransition:
    return IllegalTransition(symbol, str(State(state).value), what,
                             list(dict.fromkeys(command_of(t) for t in allowed_triggers(state))))
