"""Equal authenticity, enforced: the rules live in ``drafts.parity.rules``; this feeds them the
stored translation records and turns errors into refusals."""

from __future__ import annotations

from sqlmodel import Session

from drafts.model import Resolution
from drafts.parity.core import Finding
from workflow.errors import WorkflowError
from workflow.store.models import ResolutionRow
from workflow.store.texts import records_for

__all__ = ["findings", "require_clean", "ParityRefused"]


class ParityRefused(WorkflowError):
    """A step refused while authentic languages have errors."""

    error_code = "blocked"

def findings(session: Session, row: ResolutionRow, model: Resolution) -> list[Finding]:
    from drafts.parity.rules import check

    return list(check(model, records=records_for(session, row)))


def require_clean(session: Session, row: ResolutionRow, model: Resolution, step: str) -> None:
    errors = [f for f in findings(session, row, model) if f.severity == "error"]
    if errors:
        listing = "\n  ".join(f"{f.ref} [{', '.join(f.languages)}] {f.rule}: {f.message}"
                              for f in errors[:30])
        more = f"\n  … and {len(errors) - 30} more" if len(errors) > 30 else ""
        raise ParityRefused(f"{row.symbol}: cannot {step} while authentic texts have "
                            f"{len(errors)} error(s) (see 'resolutions check {row.symbol}'):"
                            f"\n  {listing}{more}")
