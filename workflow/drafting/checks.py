"""`check`: the parity report of one version, as the JSON documented in docs/CHECK_JSON.md."""

from __future__ import annotations

from typing import TYPE_CHECKING

from workflow.app import App
from workflow.store.texts import load_version, records_for

if TYPE_CHECKING:
    from drafts.parity.rules import Report

__all__ = ["check_resolution"]


def check_resolution(app: App, ref: str, version: int | None = None) -> tuple[str, Report]:
    """The parity report of a version: the findings that stand, and those set aside by a
    waiver that still holds (``waived``, each with who, why and on which version)."""
    from drafts.parity.rules import check, to_json
    from drafts.parity.waivers import apply, unit_hashes
    from workflow.lifecycle.parity import waiver_facts

    with app.read() as session:
        row = app.resolution(session, ref)
        ver = app.version(session, row, version)
        model = load_version(session, ver)
        # translation records describe the current version only
        records = records_for(session, row) if ver.number == row.current_version else None
        thresholds = app.workspace.settings.parity_thresholds
        findings = check(model, records=records, thresholds=thresholds or None)
        standing, waived = apply(findings, waiver_facts(session, row), unit_hashes(model))
        report = to_json(standing)
        report["version"] = ver.number
        report["waived"] = [{**w.finding.to_dict(), "waiver": {
            "by": w.waiver["member"], "reason": w.waiver["reason"], "at": w.waiver["at"],
            "version": w.waiver["version"]}} for w in waived]
        report["summary"]["waived"] = len(waived)
        return row.symbol, report



def opener_hints(app: App, ref: str) -> list[str]:
    """Paragraphs whose text in a language lacks an emphasised opener (shown after `new`;
    :func:`workflow.drafting.versioning.opener_hints_of`)."""
    from workflow.drafting.versioning import opener_hints_of

    with app.read() as session:
        row = app.resolution(session, ref)
        model = load_version(session, app.version(session, row))
    return opener_hints_of(model)
