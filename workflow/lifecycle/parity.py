"""Equal authenticity: the rules live in ``drafts.parity.rules``; this feeds them the stored
translation records (the gate's ``parity_clean`` reads the errors through
:mod:`workflow.lifecycle.facts`; submission lists them with the body's other requirements)."""

from __future__ import annotations

from sqlmodel import Session

from drafts.model import Resolution
from drafts.parity.core import Finding
from workflow.store.models import ResolutionRow
from workflow.store.texts import records_for

__all__ = ["findings"]


def findings(session: Session, row: ResolutionRow, model: Resolution) -> list[Finding]:
    from drafts.parity.rules import check

    return list(check(model, records=records_for(session, row)))
