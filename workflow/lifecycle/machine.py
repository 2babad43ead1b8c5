"""The resolution life cycle as data: states, the transition table, and the machine.

The ``transitions`` Machine is bound to a plain :class:`Handle` (never to the database
row). Guards are facts the services compute before firing (``approval_rule_met``,
``signatures_complete``); a trigger whose guard fails leaves the state where it is, and
a trigger the state does not allow raises :class:`IllegalTransition`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from workflow.errors import IllegalTransition
from workflow.states import State

__all__ = ["State", "TRANSITIONS", "Handle", "fire", "allowed_triggers", "TEXT_EDITABLE",
           "REOPENS_ON_EDIT", "COMMANDS"]


S = State
_BEFORE_SUBMISSION = [S.draft, S.in_review, S.revision, S.for_approval, S.approved, S.signed]

#: trigger, sources, destination, guard (a fact that must be true, or None)
TRANSITIONS: list[dict[str, Any]] = [
    {"trigger": "circulate", "source": [S.draft, S.revision], "dest": S.in_review},
    {"trigger": "close_review_changes", "source": S.in_review, "dest": S.revision},
    {"trigger": "close_review_no_objection", "source": S.in_review, "dest": S.for_approval},
    {"trigger": "approve", "source": S.for_approval, "dest": S.approved,
     "conditions": "approval_rule_met"},
    {"trigger": "approve", "source": S.for_approval, "dest": None},
    {"trigger": "object", "source": S.for_approval, "dest": S.revision},
    {"trigger": "reopen", "source": [S.for_approval, S.approved], "dest": S.revision},
    {"trigger": "sign", "source": S.approved, "dest": S.signed,
     "conditions": "signatures_complete"},
    {"trigger": "sign", "source": S.approved, "dest": None},
    {"trigger": "submit", "source": S.signed, "dest": S.submitted},
    {"trigger": "acknowledge", "source": S.submitted, "dest": S.acknowledged},
    {"trigger": "adopt", "source": [S.submitted, S.acknowledged], "dest": S.adopted},
    {"trigger": "return", "source": [S.submitted, S.acknowledged], "dest": S.returned},
    {"trigger": "reject", "source": [S.submitted, S.acknowledged], "dest": S.rejected},
    {"trigger": "revise", "source": S.returned, "dest": S.revision},
    {"trigger": "withdraw", "source": _BEFORE_SUBMISSION, "dest": S.withdrawn},
    {"trigger": "archive", "source": [S.adopted, S.rejected, S.withdrawn], "dest": S.archived},
]

#: states in which the text may be edited in place, and those an edit reopens
TEXT_EDITABLE = frozenset({S.draft, S.revision})
REOPENS_ON_EDIT = frozenset({S.for_approval, S.approved})

#: what a user types for each trigger (used in messages and in `status`)
COMMANDS: Mapping[str, str] = {
    "circulate": "circulate", "close_review_changes": "close-review --changes",
    "close_review_no_objection": "close-review --no-objection", "approve": "approve",
    "object": "object", "reopen": "edit", "sign": "sign", "submit": "submit",
    "acknowledge": "receipt --outcome acknowledged", "adopt": "receipt --outcome adopted",
    "return": "receipt --outcome returned", "reject": "receipt --outcome rejected",
    "revise": "edit", "withdraw": "withdraw", "archive": "archive",
}


class Handle:
    """What the machine moves: a state and the facts its guards read."""

    def __init__(self, state: str, facts: Mapping[str, bool] | None = None) -> None:
        self.state = State(state)
        self.facts = dict(facts or {})

    def approval_rule_met(self, *_: Any) -> bool:
        return bool(self.facts.get("approval_rule_met"))

    def signatures_complete(self, *_: Any) -> bool:
        return bool(self.facts.get("signatures_complete"))


def _machine(handle: Handle) -> Any:
    from transitions import Machine

    return Machine(model=handle, states=State, transitions=TRANSITIONS, initial=handle.state,
                   auto_transitions=False, ignore_invalid_triggers=False)


def allowed_triggers(state: str) -> list[str]:
    """Triggers the table allows from a state, in table order, without duplicates."""
    current = State(state)
    out: list[str] = []
    for row in TRANSITIONS:
        sources = row["source"] if isinstance(row["source"], list) else [row["source"]]
        if current in sources and row["trigger"] not in out:
            out.append(row["trigger"])
    return out


def fire(symbol: str, state: str, trigger: str, facts: Mapping[str, bool] | None = None) -> str:
    """The state after ``trigger``; raises IllegalTransition when the state forbids it."""
    from transitions.core import MachineError

    if trigger not in allowed_triggers(state):
        raise IllegalTransition(symbol, state, COMMANDS.get(trigger, trigger),
                                [COMMANDS.get(t, t) for t in allowed_triggers(state)])
    handle = Handle(state, facts)
    _machine(handle)
    try:
        handle.trigger(trigger)  # type: ignore[attr-defined]
    except MachineError:
        raise IllegalTransition(symbol, state, COMMANDS.get(trigger, trigger),
                                [COMMANDS.get(t, t) for t in allowed_triggers(state)]) from None
    return State(handle.state).value
