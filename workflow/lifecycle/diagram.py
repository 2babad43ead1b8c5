"""The transition table drawn for people: a Mermaid state diagram and the rules as tables.
``docs/WORKFLOW.md`` is this text (a test keeps the two equal; ``python -m
workflow.lifecycle.diagram > docs/WORKFLOW.md`` writes it again)."""

from __future__ import annotations

from workflow.lifecycle.guards import GUARDS
from workflow.lifecycle.machine import ACTIONS, COMPLETIONS, RULES, TRANSITIONS

__all__ = ["workflow_markdown"]


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def _mermaid() -> list[str]:
    lines = ["```mermaid", "stateDiagram-v2", "    [*] --> draft"]
    seen: set[tuple[str, str, str]] = set()
    for step in TRANSITIONS:
        if step.dest is None:
            continue
        for source in step.source:
            edge = (source.value, step.dest.value, step.command)
            if edge not in seen:
                seen.add(edge)
                lines.append(f"    {source.value} --> {step.dest.value}: {step.command}")
    lines += ["    archived --> [*]", "```"]
    return lines


def _guard_text(name: str) -> str:
    guard = GUARDS[name]
    kind = "completes" if name in COMPLETIONS else "requires"
    remedy = guard.remedy.format(symbol="REF")
    return _cell(f"{kind} `{name}`" + (f" — else: {remedy}" if remedy else ""))


def _who(roles: tuple[str, ...], permissions: tuple[str, ...]) -> str:
    return " or ".join(roles) + "".join(f"; `{p}`" for p in permissions)


def workflow_markdown() -> str:
    out = ["# The workflow", "",
           "Generated from the table in `workflow/lifecycle/machine.py`; a test fails when "
           "this file and the table disagree. Every command that changes anything is a row "
           "of it, and every command, `status` and every refusal read the same table "
           "(through the gate, `workflow/lifecycle/gate.py`).", "", *_mermaid(), "",
           "## Steps that change the state", "",
           "| command | from | to | who | guards |", "| --- | --- | --- | --- | --- |"]
    for step in TRANSITIONS:
        dest = step.dest.value if step.dest else "(stays: not the last one)"
        guards = "<br>".join(_guard_text(g) for g in step.guards) or "—"
        who = _who(step.roles, RULES[step.trigger].permissions)
        out.append(f"| `{step.command}` | {', '.join(s.value for s in step.source)} | {dest} | "
                   f"{who} | {guards} |")
    out += ["", "A *requirement* refuses the step and says what resolves it; a *completion* "
            "only decides whether the state moves (the last approval, the last signature). "
            "A *permission* (after `who`) says who else may be refused.", "",
            "## Steps that change no state", "", "| command | allowed in | who | then |",
            "| --- | --- | --- | --- |"]
    for name, rule in ACTIONS.items():
        where = ", ".join(s.value for s in rule.states) if rule.states else "any state"
        then = ", ".join(f"`{t}`" for t in rule.then) or "—"
        out.append(f"| `{name}` | {where} | {_who(rule.roles, rule.permissions)} | {then} |")
    out += ["", "## Guards", "", "| guard | kind | when false |", "| --- | --- | --- |"]
    for guard in GUARDS.values():
        problem = guard.problem.replace("{detail}", "…").replace("{symbol}", "REF")
        out.append(f"| `{guard.name}` | {guard.kind} | {_cell(problem)} |")
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    print(workflow_markdown(), end="")
