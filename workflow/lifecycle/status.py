"""What a resolution is waiting for, inside an ORM session: the facts read through the
session's own connection by the statements the ``status`` command runs on the bare driver
(:func:`workflow.lifecycle.overview.status`), put together by the same
:func:`~workflow.lifecycle.overview.assemble`."""

from __future__ import annotations

from workflow.app import App
from workflow.lifecycle.overview import Status, assemble
from workflow.lifecycle.steps import facts_of

__all__ = ["status", "Status"]


def status(app: App, ref: str) -> Status:
    with app.read() as session:
        row = app.resolution(session, ref)
        tsa = app.workspace.config.get("signatures", {}).get("timestamp_url")
        return assemble(facts_of(app, session, row, parity=True), tsa)
