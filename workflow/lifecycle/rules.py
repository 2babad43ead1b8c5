"""The approval and signature rules as plain functions of who holds which role and who has
acted, read by the guards (:mod:`workflow.lifecycle.guards`) from the resolution's facts
and by the services that explain a refusal at length (submission)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Protocol

__all__ = ["approval_outcome", "signatures_missing", "parity_detail"]


def approval_outcome(pool: Sequence[tuple[str, str]], done: set[str],
                     rule: str) -> tuple[bool, str]:
    """(met, what is still missing) for the approval rule; ``pool`` is every approver as
    (member id, delegation), ``done`` who approved the current version."""
    if not pool:
        return False, "no member has the approver role"
    if rule == "all":
        missing = [m for m, _ in pool if m not in done]
        return not missing, ("waiting for " + ", ".join(missing)) if missing else "all approved"
    if rule == "majority":
        need = len(pool) // 2 + 1
        have = len([m for m, _ in pool if m in done])
        return have >= need, (f"{have} of {need} approvals needed for a majority of {len(pool)}")
    delegations = sorted({d or "?" for _, d in pool})
    covered = {d or "?" for m, d in pool if m in done}
    missing = [d for d in delegations if d not in covered]
    return (not missing,
            ("waiting for the " + ", ".join(missing) + " delegation" + ("s" if len(missing) > 1 else ""))
            if missing else "every delegation approved")


def signatures_missing(done: set[str], required: Iterable[str],
                       signatories: Mapping[str, str], body_signatures: Sequence[str]
                       ) -> list[str]:
    """Descriptions of the signatures still missing (empty when complete): ``required``
    from ``[signatures] required``, ``signatories`` member id → delegation,
    ``body_signatures`` what the body submitted to asks for (delegation codes, or
    ``any``; empty when the body is unknown)."""
    wanted_members = [str(x) for x in required]
    missing = [m for m in wanted_members if m not in done]
    wanted = [d for d in body_signatures if d != "any"]
    for delegation in wanted:
        if not any(m in signatories and signatories[m] == delegation for m in done):
            missing.append(f"a {delegation} signatory")
    if "any" in body_signatures and not done and not wanted_members:
        missing.append("any signatory")
    return missing


class _Finding(Protocol):
    @property
    def ref(self) -> str: ...
    @property
    def languages(self) -> Sequence[str]: ...
    @property
    def rule(self) -> str: ...
    @property
    def message(self) -> str: ...


def parity_detail(errors: Sequence[_Finding]) -> tuple[bool, str]:
    """The ``parity_clean`` guard from the parity errors of the current version."""
    if not errors:
        return True, ""
    listing = "\n  ".join(f"{f.ref} [{', '.join(f.languages)}] {f.rule}: {f.message}"
                          for f in errors[:30])
    more = f"\n  … and {len(errors) - 30} more" if len(errors) > 30 else ""
    return False, (f"the authentic texts have {len(errors)} parity error(s):\n  "
                   f"{listing}{more}\n")
