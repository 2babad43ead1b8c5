"""What a resolution is waiting for, on the ORM: the guard facts of
:class:`workflow.lifecycle.facts.Facts` put together by
:func:`workflow.lifecycle.overview.assemble` (the ``status`` command reads the same facts
on the bare driver, :func:`workflow.lifecycle.overview.status`)."""

from __future__ import annotations

from workflow.app import App
from workflow.lifecycle.approvals import current_approvals
from workflow.lifecycle.facts import Facts, open_round
from workflow.lifecycle.overview import Status, assemble

__all__ = ["status", "Status"]


def status(app: App, ref: str) -> Status:
    with app.read() as session:
        row = app.resolution(session, ref)
        facts = Facts(app, session, row, for_status=True)
        tsa = app.workspace.config.get("signatures", {}).get("timestamp_url")
        return assemble(row.symbol, row.state, row.current_version, facts,
                        open_round(session, row),
                        lambda: [a.member_id for a in current_approvals(session, row)], tsa)
