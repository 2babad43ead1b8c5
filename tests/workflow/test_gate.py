"""The one gate, on its own: every rule of the table × every role × every blocking fact is
decided and the refusal checked (its class, its sentence); the gate refuses what it cannot
decide (a fact not looked up, a guard nobody answers); a Decision is made by the gate
only; and no service changes a resolution's state without a Decision — checked on the
statements the database receives while the services walk a resolution through its life."""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import event

from tests.conftest import LETTER, Cli, fixture_text, open_app
from workflow.errors import IllegalTransition, PermissionDenied, WorkflowError
from workflow.lifecycle import gate, guards, machine, steps
from workflow.lifecycle.facts import ParityError, Person, Policy, ResolutionFacts, RoundFacts
from workflow.lifecycle.gate import Blocked, Decision, decide
from workflow.lifecycle.guards import COMPLETION, GUARDS, PERMISSION, REQUIREMENT
from workflow.lifecycle.machine import RULES, Rule, steps_for
from workflow.states import ROLES, State

ROOT = Path(__file__).resolve().parents[2]
PEOPLE = {role: Person(f"only-{role}", frozenset({role}), "ru") for role in ROLES}


def clean(state: State) -> ResolutionFacts:
    """A resolution in ``state`` where every requirement of the table holds for anyone."""
    ids = tuple(p.id for p in PEOPLE.values())
    return ResolutionFacts(
        id=7, symbol="WG/RES/2024/7", state=state, version=2, body="brics-higher-council",
        policy=Policy("each-delegation", (), ("any",)),
        open_round=RoundFacts(3, 1, 2, ids, None), proposed_amendments=(),
        accepted_amendments=(), undisposed_comments=(), approved_by=(), signed_by=(),
        approvers=(("only-approver", "ru"),), signatories=(("only-signatory", "ru"),),
        certified=frozenset(ids), parity=())


Blocking = Callable[[ResolutionFacts, Person], tuple[ResolutionFacts, Person | None]]

#: for each guard, a fact that makes it false for ``who`` (and, for acting on behalf, the
#: other member who acts); the test below fails when a guard has none
BLOCKING: dict[str, Blocking] = {
    "role_allowed": lambda f, who: (f, None),  # walked as the roles themselves
    "acts_for_self": lambda f, who: (f, Person("other", frozenset({"reviewer"}))),
    "round_reviewer": lambda f, who: (f._replace(
        open_round=RoundFacts(3, 1, 2, ("someone-else",), None)), None),
    "amendments_decided": lambda f, who: (f._replace(proposed_amendments=(3,)), None),
    "comments_disposed": lambda f, who: (f._replace(undisposed_comments=(2, 5)), None),
    "no_accepted_amendments": lambda f, who: (f._replace(accepted_amendments=(4,)), None),
    "not_yet_approved": lambda f, who: (f._replace(approved_by=(who.id,)), None),
    "parity_clean": lambda f, who: (f._replace(parity=(ParityError(
        "OP 1", ("ru", "en"), "numbers", "3 in ru, 4 in en"),)), None),
    "not_yet_signed": lambda f, who: (f._replace(signed_by=(who.id,)), None),
    "signer_has_certificate": lambda f, who: (f._replace(certified=frozenset()), None),
    "approval_rule_met": lambda f, who: (f._replace(
        approvers=(*f.approvers, ("zh-approver", "zh"))), None),
    "signatures_complete": lambda f, who: (f._replace(
        policy=Policy("each-delegation", ("chair",), ("any",))), None),
}


def _where(rule: Rule) -> list[State]:
    return list(rule.states) if rule.states is not None else [State.draft]


def _guards_of(rule: Rule, state: State) -> set[str]:
    """The requirement guards the row that asks least names (what refuses the step)."""
    if not rule.moves:
        return set(rule.requires)
    rows = steps_for(state, rule.name)
    least = min(rows, key=lambda r: len([g for g in r.guards if g not in machine.COMPLETIONS]))
    return {g for g in least.guards if g not in machine.COMPLETIONS}


def _completions_of(rule: Rule, state: State) -> set[str]:
    if not rule.moves:
        return set()
    return {g for r in steps_for(state, rule.name) for g in r.guards
            if g in machine.COMPLETIONS}


def test_every_guard_has_a_blocking_fact_and_a_kind() -> None:
    assert set(BLOCKING) == set(GUARDS)
    assert {g.kind for g in GUARDS.values()} == {PERMISSION, REQUIREMENT, COMPLETION}
    named = {g for s in machine.TRANSITIONS for g in s.guards} | \
        {p for r in RULES.values() for p in (*r.permissions, *r.requires)}
    assert named <= set(GUARDS), named - set(GUARDS)


def test_every_rule_role_and_blocking_fact() -> None:
    """Each rule × role × blocking fact, in every state the rule is allowed in: a role the
    rule does not name is refused first (PermissionDenied, naming the role); a blocking
    fact of one of its permissions refuses as permission, of a requirement as Blocked with
    the guard's sentence; a completion's fact only keeps the state; anything else is
    allowed, and a transition leads where its row says."""
    tried = refused = 0
    for rule in RULES.values():
        for state in _where(rule):
            requirements = _guards_of(rule, state)
            completions = _completions_of(rule, state)
            for role, who in PEOPLE.items():
                for blocking, make in BLOCKING.items():
                    facts, actor = make(clean(state), who)
                    decision = decide(rule.name, facts, actor or who, who)
                    tried += 1
                    error = decision.refusal()
                    if role not in rule.roles:
                        assert isinstance(error, PermissionDenied), (rule.name, role)
                        assert f"{who.id} may not {rule.words}: it takes the " in str(error)
                        refused += 1
                    elif blocking in rule.permissions:
                        assert isinstance(error, PermissionDenied), (rule.name, blocking)
                        assert error.command == rule.command
                        refused += 1
                    elif blocking in requirements:
                        assert isinstance(error, Blocked), (rule.name, state, blocking)
                        sentence = GUARDS[blocking].problem.split("{detail}")[-1].strip()
                        assert sentence in str(error), (rule.name, blocking, str(error))
                        assert decision.blockers[0].guard == blocking
                        refused += 1
                    else:
                        assert error is None, (rule.name, state, role, blocking, str(error))
                        if blocking in completions:
                            assert not decision.moves, (rule.name, blocking)
                        elif rule.moves:
                            assert decision.dest is not None
                            expected = {s.dest for s in steps_for(state, rule.name)
                                        if s.dest is not None}
                            assert decision.dest in expected | {state}
    assert refused > 0 and tried == sum(
        len(_where(r)) for r in RULES.values()) * len(PEOPLE) * len(BLOCKING)


def test_every_rule_refuses_outside_its_states() -> None:
    for rule in RULES.values():
        if rule.states is None:
            continue
        who = PEOPLE[rule.roles[0]]
        for state in State:
            if state in rule.states:
                continue
            error = decide(rule.name, clean(state), who).refusal()
            assert isinstance(error, IllegalTransition), (rule.name, state)
            assert f"is {state.value}: '{rule.command}' is not allowed now" in str(error)


def test_missing_facts_refuse() -> None:
    secretary = PEOPLE["secretary"]
    for rule in RULES.values():
        if not rule.about:
            continue
        who = PEOPLE[rule.roles[0]]
        assert not decide(rule.name, None, who).allowed, rule.name
    # a guard that reads the parity errors refuses when they were not looked up
    unlooked = clean(State.signed)._replace(parity=None)
    refusal = decide("submit", unlooked, secretary).refusal()
    assert isinstance(refusal, Blocked) and "parity errors was not looked up" in str(refusal)
    assert decide("submit", clean(State.signed), secretary).allowed
    # nobody acting: refused
    assert not decide("withdraw", clean(State.draft), None).allowed
    assert not decide("member add", None, None).allowed


def test_an_unknown_guard_refuses(monkeypatch: pytest.MonkeyPatch) -> None:
    strange = RULES["dispose"]._replace(requires=("moon_is_full",))
    monkeypatch.setitem(machine.RULES, "dispose", strange)  # type: ignore[index]
    refusal = decide("dispose", clean(State.revision), PEOPLE["secretary"]).refusal()
    assert isinstance(refusal, Blocked)
    assert "'moon_is_full' that nothing answers" in str(refusal)
    ask = guards.Ask("x", "x", ("secretary",), clean(State.draft), None, None)
    assert guards.answer("moon_is_full", ask)[0] is False


def test_only_the_gate_makes_a_decision() -> None:
    made = decide("withdraw", clean(State.draft), PEOPLE["secretary"])
    assert made.allowed and made.dest == State.withdrawn
    fields = {name: getattr(made, name) for name in Decision.__slots__}
    with pytest.raises(TypeError, match="made by workflow.lifecycle.gate.decide only"):
        Decision(**fields)
    with pytest.raises(TypeError, match="made by workflow.lifecycle.gate.decide only"):
        Decision(**{**fields, "key": object()})
    # nor changed once made: no field is set or deleted, and no changed copy is derived
    with pytest.raises(AttributeError, match="a Decision is not changed"):
        made.dest = State.archived
    with pytest.raises(AttributeError, match="a Decision is not changed"):
        del made.blockers
    assert not hasattr(made, "_replace") and not hasattr(made, "__dict__")
    assert made.dest == State.withdrawn and made.allowed
    # the key itself is no public name
    assert not [n for n in vars(gate) if not n.startswith("_") and vars(gate)[n] is gate._KEY]


def test_move_and_act_take_only_an_allowed_decision() -> None:
    refused = decide("withdraw", clean(State.draft), PEOPLE["reviewer"])
    with pytest.raises(PermissionDenied):
        steps.move(None, None, refused, actor="x")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="a resolution's state changes only by move"):
        steps.touch(None, None, state="archived")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="is a transition"):
        steps.act(None, decide("withdraw", clean(State.draft),  # type: ignore[arg-type]
                               PEOPLE["secretary"]))


# -- no state change without a decision, on the database's own statements --------------
_STATE_UPDATE = re.compile(r"^\s*UPDATE\s+resolutions\s+SET\b.*\bstate\s*=", re.I | re.S)


def _watch(app: object, seen: list[tuple[str, bool]]) -> None:
    engine = app.db.engine  # type: ignore[attr-defined]

    @event.listens_for(engine, "before_cursor_execute")
    def _statement(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        if _STATE_UPDATE.match(statement):
            moving = steps.MOVING.get()
            seen.append((statement, isinstance(moving, Decision) and moving.allowed))


def test_no_service_changes_a_state_without_a_decision(ws_sqlite: Cli, tmp_path: Path) -> None:
    from workflow.delivery.outcomes import archive, withdraw
    from workflow.drafting.resolutions import edit_resolution, get_version, new_resolution
    from workflow.review.amendments import close_review
    from workflow.review.approval import approve
    from workflow.review.rounds import circulate
    from workflow.store.models import ResolutionRow

    app = open_app(ws_sqlite.root)
    seen: list[tuple[str, bool]] = []
    try:
        _watch(app, seen)
        symbol = new_resolution(app, fixture_text("trilingual.yaml"), "r.yaml").symbol
        circulate(app, symbol, ["rev-ru"])
        close_review(app, symbol, changes=False)
        approve(app, symbol, "appr-ru", evidence=Path(LETTER))
        approve(app, symbol, "appr-zh", evidence=Path(LETTER))
        source = get_version(app, symbol)[1].source
        edit_resolution(app, symbol, source.replace("Recommends", "Strongly recommends", 1),
                        note="reopens")
        circulate(app, symbol, ["rev-zh"])
        close_review(app, symbol, changes=True)
        withdraw(app, symbol, "merged")
        archive(app, symbol)
        assert len(seen) == 9 and all(ok for _, ok in seen), seen
        # the check can fail: a state written around the gate is seen, and named
        with pytest.raises(LookupError), app.write() as session:
            row = app.resolution(session, symbol)
            assert isinstance(row, ResolutionRow)
            row.state = State.draft
            session.add(row)
            session.flush()
            raise LookupError("undo")  # rolled back
        assert len(seen) == 10 and seen[-1][1] is False
    finally:
        app.db.dispose()


def test_no_module_writes_a_state_but_move() -> None:
    """Outside workflow/lifecycle/steps.py nothing assigns a resolution's state, passes
    ``state=`` to an update, or writes it in SQL (migrations aside)."""
    offenders = []
    for path in sorted((ROOT / "workflow").rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        if "/migrations/" in rel or rel == "workflow/lifecycle/steps.py":
            continue
        text = path.read_text("utf-8")
        tree = ast.parse(text)
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign):
                for target in node.targets:
                    if isinstance(target, ast.Attribute) and target.attr == "state" and not (
                            isinstance(target.value, ast.Name) and target.value.id == "self"):
                        offenders.append(f"{rel}:{node.lineno} assigns .state")
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and \
                    node.func.attr in ("values", "touch", "_update") and \
                    any(k.arg == "state" for k in node.keywords):
                offenders.append(f"{rel}:{node.lineno} passes state=")
        if re.search(r"UPDATE\s+resolutions\s+SET[^\"']*\bstate\b", text, re.I):
            offenders.append(f"{rel}: SQL writes resolutions.state")
    assert offenders == []


def test_services_never_require_a_role_or_compare_a_state() -> None:
    """The rules live in the table: no service asks for a role by hand or compares the
    state with a name (the gate and the table's own modules aside)."""
    own = {"workflow/lifecycle/machine.py", "workflow/lifecycle/gate.py",
           "workflow/lifecycle/guards.py", "workflow/lifecycle/facts.py",
           "workflow/lifecycle/steps.py", "workflow/lifecycle/overview.py",
           "workflow/lifecycle/diagram.py", "workflow/states.py"}
    offenders = []
    for path in sorted((ROOT / "workflow").rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        if "/migrations/" in rel or rel in own:
            continue
        tree = ast.parse(path.read_text("utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and (
                    node.func.attr == "check_action" or
                    (node.func.attr == "require" and (node.args or node.keywords))):
                offenders.append(f"{rel}:{node.lineno} calls {node.func.attr}")
            if isinstance(node, ast.Compare):
                sides = [node.left, *node.comparators]
                if any(isinstance(s, ast.Attribute) and s.attr == "state" and
                       isinstance(s.value, ast.Name) and s.value.id == "row" for s in sides):
                    offenders.append(f"{rel}:{node.lineno} compares a state")
    assert offenders == [], offenders
    with pytest.raises(AttributeError):
        from workflow.app import App

        App.require  # type: ignore[attr-defined]  # noqa: B018
    assert WorkflowError  # the refusals all derive from it


def _blocks(text: str) -> list[str]:
    return re.findall(r"```python\n(.*?)```", text, re.S)


def test_adding_a_rule_as_the_architecture_notes_say(monkeypatch: pytest.MonkeyPatch) -> None:
    """The worked example of docs/ARCHITECTURE.md ("Adding a rule"), run: its guard and
    its row put into the table, the gate refuses with the guard's sentence, status lists
    it, and the drawn table names it."""
    from workflow.lifecycle import diagram
    from workflow.lifecycle.gate import next_steps

    notes = (ROOT / "docs" / "ARCHITECTURE.md").read_text("utf-8")
    section = notes[notes.index("### Adding a rule"):]
    guard_code, row_code = _blocks(section)[:2]
    space: dict[str, object] = {"__name__": "example"}
    exec("from workflow.lifecycle.guards import *\n"
         "from workflow.lifecycle.guards import Answer, Ask, Guard, REQUIREMENT\n"
         + guard_code, space)
    new_guard = space["GUARD"]
    assert isinstance(new_guard, guards.Guard)
    monkeypatch.setitem(guards.GUARDS, new_guard.name, new_guard)  # type: ignore[arg-type]
    row = eval(row_code, vars(machine))
    table = tuple(row if s.trigger == "withdraw" else s for s in machine.TRANSITIONS)
    monkeypatch.setattr(machine, "TRANSITIONS", table)
    rules = {**machine._transition_rules(), **machine.ACTIONS}
    monkeypatch.setattr(machine, "RULES", rules)
    monkeypatch.setattr(gate, "RULES", rules)
    monkeypatch.setattr(diagram, "TRANSITIONS", table)
    machine.machine.cache_clear()
    try:
        waiting = clean(State.in_review)._replace(undisposed_comments=(2,))
        refusal = decide("withdraw", waiting, PEOPLE["secretary"]).refusal()
        assert isinstance(refusal, Blocked)
        assert str(refusal) == ("WG/RES/2024/7: cannot withdraw yet: comment(s) 2 are still "
                                "undecided ('resolutions dispose WG/RES/2024/7 N …' first)")
        assert str(refusal) in section.replace("\n", " ").replace("`", "")
        step = next(s for s in next_steps(waiting) if s.trigger == "withdraw")
        assert "comment(s) 2 are still undecided" in step.blocked_by
        assert decide("withdraw", clean(State.in_review), PEOPLE["secretary"]).allowed
        assert "requires `comments_answered`" in diagram.workflow_markdown()
    finally:
        machine.machine.cache_clear()
