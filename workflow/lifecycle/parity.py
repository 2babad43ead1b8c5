"""Equal authenticity, enforced: the rules live in ``drafts.parity.rules``; this feeds them the
stored translation records, sets aside the findings a member waived (``check --accept``,
for as long as the paragraph is unchanged) and turns the errors left into refusals."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, select

from drafts.model import Resolution
from workflow.errors import WorkflowError
from workflow.store.models import ResolutionRow, Waiver
from workflow.store.texts import records_for

__all__ = ["findings", "split", "waiver_facts", "require_clean", "ParityRefused"]


class ParityRefused(WorkflowError):
    """A step refused while authentic languages have errors."""

    error_code = "blocked"

def waiver_facts(session: Session, row: ResolutionRow) -> list[dict[str, Any]]:
    """The waivers of a resolution as :func:`drafts.parity.waivers.apply` reads them."""
    rows = session.exec(select(Waiver).where(Waiver.resolution_id == row.id)
                        .order_by(Waiver.id))  # type: ignore[arg-type]
    return [{"finding": w.finding, "texts_hash": w.texts_hash, "member": w.member_id,
             "reason": w.reason, "at": w.at.isoformat(), "version": w.version_number,
             "id": w.id} for w in rows]


def split(session: Session, row: ResolutionRow, model: Resolution) -> tuple[list, list]:
    """(findings that stand, waived findings) of ``model``, the resolution's current text."""
    from drafts.parity.rules import check
    from drafts.parity.waivers import apply, unit_hashes

    found = list(check(model, records=records_for(session, row)))
    waivers = waiver_facts(session, row)
    if not waivers:
        return found, []
    return apply(found, waivers, unit_hashes(model))


def findings(session: Session, row: ResolutionRow, model: Resolution) -> list:
    """The findings that stand (the waived ones set aside)."""
    return split(session, row, model)[0]


def require_clean(session: Session, row: ResolutionRow, model: Resolution, step: str) -> None:
    errors = [f for f in findings(session, row, model) if f.severity == "error"]
    if errors:
        listing = "\n  ".join(f"{f.ref} [{', '.join(f.languages)}] {f.rule}: {f.message}"
                              for f in errors[:30])
        more = f"\n  … and {len(errors) - 30} more" if len(errors) > 30 else ""
        raise ParityRefused(f"{row.symbol}: cannot {step} while authentic texts have "
                            f"{len(errors)} error(s) (see 'resolutions check {row.symbol}'):"
                            f"\n  {listing}{more}")
