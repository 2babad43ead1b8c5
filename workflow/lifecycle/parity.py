"""Equal authenticity: the rules live in ``drafts.parity.rules``; this feeds them the stored
translation records and sets aside the findings a member waived (``check --accept``, for as
long as the paragraph is unchanged). The gate's ``parity_clean`` reads the errors left
through :mod:`workflow.lifecycle.facts`; submission lists them with the body's other
requirements."""

from __future__ import annotations

from sqlmodel import Session, col, select

from drafts.model import Resolution
from drafts.parity.core import Finding
from drafts.parity.waivers import Waived
from workflow.store.models import ResolutionRow, Waiver
from workflow.store.texts import records_for

__all__ = ["findings", "split", "waiver_facts"]


def waiver_facts(session: Session, row: ResolutionRow) -> list[dict[str, object]]:
    """The waivers of a resolution as :func:`drafts.parity.waivers.apply` reads them."""
    rows = session.exec(select(Waiver).where(Waiver.resolution_id == row.id)
                        .order_by(col(Waiver.id)))
    return [{"finding": w.finding, "texts_hash": w.texts_hash, "member": w.member_id,
             "reason": w.reason, "at": w.at.isoformat(), "version": w.version_number,
             "id": w.id} for w in rows]


def split(session: Session, row: ResolutionRow, model: Resolution
          ) -> tuple[list[Finding], list[Waived]]:
    """(findings that stand, waived findings) of ``model``, the resolution's current text."""
    from drafts.parity.rules import check
    from drafts.parity.waivers import apply, unit_hashes

    found = list(check(model, records=records_for(session, row)))
    waivers = waiver_facts(session, row)
    if not waivers:
        return found, []
    return apply(found, waivers, unit_hashes(model))


def findings(session: Session, row: ResolutionRow, model: Resolution) -> list[Finding]:
    """The findings that stand (the waived ones set aside)."""
    return split(session, row, model)[0]
