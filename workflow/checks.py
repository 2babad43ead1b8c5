"""`check`: the parity report of one version, as the JSON documented in docs/CHECK_JSON.md."""

from __future__ import annotations

from typing import Any

from workflow.app import App

__all__ = ["check_resolution"]


def check_resolution(app: App, ref: str, version: int | None = None) -> tuple[str, dict[str, Any]]:
    from drafts.parity import check, to_json
    from workflow.resolutions import load_version
    from workflow.translations import records_for

    with app.read() as session:
        row = app.resolution(session, ref)
        ver = app.version(session, row, version)
        model = load_version(session, ver)
        # translation records describe the current version only
        records = records_for(session, row) if ver.number == row.current_version else None
        thresholds = app.workspace.config.get("parity", {}).get("length_ratio")
        findings = check(model, records=records, thresholds=thresholds or None)
        report = to_json(findings)
        report["version"] = ver.number
        return row.symbol, report

