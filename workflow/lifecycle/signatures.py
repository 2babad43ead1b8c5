"""Who must sign, and who has: the guard of the ``sign`` transition.

Required are the members named in ``[signatures] required`` of resolutions.toml, plus,
for every delegation the body requires (``signatures = ["ru", "zh"]`` in the registry),
at least one signatory of that delegation.
"""

from __future__ import annotations

from sqlmodel import Session, select

from workflow.app import App
from workflow.lifecycle.rules import signatures_missing
from workflow.store.models import Member, ResolutionRow, SignatureRecord

__all__ = ["missing_signatures", "signed_members", "signatories"]


def signatories(session: Session) -> list[Member]:
    return [m for m in session.exec(select(Member).order_by(Member.id))
            if "signatory" in m.role_set()]


def signed_members(session: Session, row: ResolutionRow) -> list[str]:
    rows = session.exec(select(SignatureRecord).where(
        SignatureRecord.resolution_id == row.id,
        SignatureRecord.version_number == row.current_version).order_by(SignatureRecord.id))
    return [r.member_id for r in rows]


def missing_signatures(app: App, session: Session, row: ResolutionRow,
                       also: str | None = None) -> list[str]:
    """Descriptions of what is still missing (empty when complete), counting ``also`` as
    signed (a signature about to be recorded)."""
    done = set(signed_members(session, row)) | ({also} if also else set())
    required = app.workspace.config.get("signatures", {}).get("required", [])
    people = {m.id: m.delegation for m in signatories(session)}
    return signatures_missing(done, required, people, app.workspace.bodies().get(row.body))
