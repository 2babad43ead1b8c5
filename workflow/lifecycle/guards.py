"""The guards of the table: each a name, its kind, the sentence for when it is false, the
command that resolves it, and the test itself — a function of the :class:`Ask` (the
resolution's :class:`~workflow.lifecycle.facts.ResolutionFacts`, who acts, for whom).

Three kinds:

- a *permission* (Indigo's ``has_transition_perm``: who may take the step) refuses with
  :class:`~workflow.errors.PermissionDenied`, audited as refused;
- a *requirement* refuses with :class:`~workflow.lifecycle.gate.Blocked`, naming what
  resolves it;
- a *completion* (``approval_rule_met``, ``signatures_complete``) only chooses the
  destination: the last approval moves ``for_approval`` to ``approved``.

Fail-closed: a guard answers False when a fact it needs was not loaded (no resolution,
nobody acting, no parity errors looked up), and a name that is not here is refused by the
gate. ``status`` asks for nobody in particular (``Ask.anyone``): each guard that is about
a member says explicitly what it answers then.
"""

from collections.abc import Callable, Mapping
from typing import NamedTuple

from workflow.lifecycle.facts import Person, ResolutionFacts
from workflow.lifecycle.rules import approval_outcome, parity_detail, signatures_missing

__all__ = ["Ask", "Guard", "GUARDS", "PERMISSION", "REQUIREMENT", "COMPLETION", "Answer"]

PERMISSION, REQUIREMENT, COMPLETION = "permission", "requirement", "completion"

#: (holds, why not — or what it found)
Answer = tuple[bool, str]


class Ask(NamedTuple):
    """One question to the gate: the rule's name and roles, the facts, who acts and for
    whom (``subject``: the approver of ``approve --by X``), or nobody (``anyone``: status).
    ``own_act``: the subject's own approval or signature counts as made (the gate decides
    before the service records it, so a completion sees the act it completes)."""

    rule: str
    what: str
    roles: tuple[str, ...]
    facts: ResolutionFacts | None
    actor: Person | None
    subject: Person | None
    anyone: bool = False
    force: bool = False
    own_act: bool = True


class Guard(NamedTuple):
    """A condition of the table: what is wrong when it is false, and what resolves it."""

    name: str
    kind: str
    problem: str
    remedy: str
    test: Callable[[Ask], Answer]
    #: the facts it reads: "resolution", "subject", "parity"
    needs: tuple[str, ...] = ("resolution",)


def _missing(ask: Ask, needs: tuple[str, ...]) -> str:
    """The first fact of ``needs`` that the question lacks ('' when all are there)."""
    if "resolution" in needs and ask.facts is None:
        return "the resolution"
    if "subject" in needs and not ask.anyone and (ask.subject is None or ask.actor is None):
        return "who acts"
    if "parity" in needs and (ask.facts is None or ask.facts.parity is None):
        return "the parity errors"
    return ""


def _numbers(items: tuple[int, ...]) -> str:
    return ", ".join(str(i) for i in items)


def _roles_text(member: Person) -> str:
    return ", ".join(sorted(member.roles)) or "none"


# -- permissions ---------------------------------------------------------------------------
def _role_allowed(ask: Ask) -> Answer:
    if ask.anyone:
        return True, ""
    member = ask.subject
    assert member is not None
    if member.roles & set(ask.roles):
        return True, ""
    return False, (f"{member.id} may not {ask.what}: it takes the {' or '.join(ask.roles)} "
                   f"role ({member.id} has {_roles_text(member)})")


def _acts_for_self(ask: Ask) -> Answer:
    """Another member's act is recorded only by the secretary (with their evidence)."""
    if ask.anyone:
        return True, ""
    actor, subject = ask.actor, ask.subject
    assert actor is not None and subject is not None
    if actor.id == subject.id or "secretary" in actor.roles:
        return True, ""
    return False, (f"{actor.id} may not {ask.what} on behalf of {subject.id}: it takes the "
                   f"secretary role ({actor.id} has {_roles_text(actor)})")


def _round_reviewer(ask: Ask) -> Answer:
    facts = ask.facts
    assert facts is not None
    rnd = facts.open_round
    if rnd is None:
        return False, f"{facts.symbol} has no open review round"
    if ask.anyone:
        return True, ""
    assert ask.subject is not None
    if ask.subject.id in rnd.reviewers:
        return True, ""
    return False, (f"{ask.subject.id} is not a reviewer of round {rnd.number} of "
                   f"{facts.symbol} (reviewers: {', '.join(rnd.reviewers)})")


# -- requirements --------------------------------------------------------------------------
def _amendments_decided(ask: Ask) -> Answer:
    assert ask.facts is not None
    pending = ask.facts.proposed_amendments
    return not pending, _numbers(pending)


def _no_accepted_amendments(ask: Ask) -> Answer:
    assert ask.facts is not None
    accepted = ask.facts.accepted_amendments
    return not accepted, _numbers(accepted)


def _comments_disposed(ask: Ask) -> Answer:
    assert ask.facts is not None
    if ask.force:
        return True, ""
    undecided = ask.facts.undisposed_comments
    return not undecided, _numbers(undecided)


def _not_yet_approved(ask: Ask) -> Answer:
    if ask.anyone:
        return True, ""
    assert ask.facts is not None and ask.subject is not None
    return ask.subject.id not in ask.facts.approved_by, ask.subject.id


def _parity_clean(ask: Ask) -> Answer:
    assert ask.facts is not None and ask.facts.parity is not None
    return parity_detail(ask.facts.parity)


def _not_yet_signed(ask: Ask) -> Answer:
    if ask.anyone:
        return True, ""
    assert ask.facts is not None and ask.subject is not None
    return ask.subject.id not in ask.facts.signed_by, ask.subject.id


def _signer_has_certificate(ask: Ask) -> Answer:
    facts = ask.facts
    assert facts is not None
    if ask.anyone:  # status: every signatory still to sign
        lacking = [m for m, _ in facts.signatories
                   if m not in facts.signed_by and m not in facts.certified]
        return not lacking, (f"no signing certificate for {', '.join(lacking)}"
                             if lacking else "")
    assert ask.subject is not None
    if ask.subject.id in facts.certified:
        return True, ""
    return False, f"{ask.subject.id} has no signing certificate"


# -- completions ---------------------------------------------------------------------------
def _counted(ask: Ask, done: tuple[str, ...]) -> set[str]:
    """Who has acted, counting the subject's own act being decided."""
    counted = set(done)
    if ask.own_act and not ask.anyone and ask.subject is not None:
        counted.add(ask.subject.id)
    return counted


def _approval_rule_met(ask: Ask) -> Answer:
    facts = ask.facts
    assert facts is not None
    return approval_outcome(facts.approvers, _counted(ask, facts.approved_by),
                            facts.policy.approval_rule)


def _signatures_complete(ask: Ask) -> Answer:
    facts = ask.facts
    assert facts is not None
    missing = signatures_missing(_counted(ask, facts.signed_by),
                                 facts.policy.required_signatures, dict(facts.signatories),
                                 facts.policy.body_signatures)
    return not missing, ", ".join(missing)


_ASK_MEMBER = ("resolution", "subject")

#: every guard the table may name; ``{symbol}`` and ``{detail}`` are filled in when it fails
GUARDS: Mapping[str, Guard] = {g.name: g for g in (
    Guard("role_allowed", PERMISSION, "{detail}",
          "ask a member with that role, or 'resolutions member edit' to give it",
          _role_allowed, ("subject",)),
    Guard("acts_for_self", PERMISSION, "{detail}",
          "the member acts themselves, or the secretary records it with their evidence",
          _acts_for_self, ("subject",)),
    Guard("round_reviewer", PERMISSION, "{detail}",
          "comments come from the round's reviewers ('resolutions status {symbol}')",
          _round_reviewer, _ASK_MEMBER),
    Guard("amendments_decided", REQUIREMENT, "amendment(s) {detail} not decided yet",
          "'resolutions amendment accept|reject {symbol} N' first", _amendments_decided),
    Guard("comments_disposed", REQUIREMENT, "comment(s) {detail} have no disposition",
          "'resolutions dispose {symbol} N --accept|--reject|--partial --note …', or close "
          "with --force --reason …", _comments_disposed),
    Guard("no_accepted_amendments", REQUIREMENT, "accepted amendment(s) {detail} change the text",
          "close with --changes", _no_accepted_amendments),
    Guard("not_yet_approved", REQUIREMENT, "{detail} has already approved this version", "",
          _not_yet_approved, _ASK_MEMBER),
    Guard("parity_clean", REQUIREMENT, "{detail}", "see 'resolutions check {symbol}'",
          _parity_clean, ("resolution", "parity")),
    Guard("approval_rule_met", COMPLETION, "{detail}", "more approvals", _approval_rule_met),
    Guard("not_yet_signed", REQUIREMENT, "{detail} has already signed this version", "",
          _not_yet_signed, _ASK_MEMBER),
    Guard("signer_has_certificate", REQUIREMENT, "{detail}",
          "'resolutions keys issue MEMBER' (or 'keys import MEMBER FILE.p12')",
          _signer_has_certificate, _ASK_MEMBER),
    Guard("signatures_complete", COMPLETION, "waiting for signatures of {detail}",
          "more signatures", _signatures_complete),
)}


def answer(name: str, ask: Ask) -> Answer:
    """The guard's answer; False, with why, for an unknown guard or a fact not loaded."""
    guard = GUARDS.get(name)
    if guard is None:
        return False, f"the table names a guard {name!r} that nothing answers"
    lacking = _missing(ask, guard.needs)
    if lacking:
        return False, f"{name} cannot be decided: {lacking} was not looked up"
    return guard.test(ask)
