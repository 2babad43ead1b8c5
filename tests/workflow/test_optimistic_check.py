"""A stale update is refused with the clear 'changed by someone else' error, and nothing
is written."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import Cli, fixture_text


def test_edit_prepared_on_a_stale_read_is_refused(ws: Cli, tmp_path: Path) -> None:
    from workflow.app import App
    from workflow.errors import ConcurrencyError
    from workflow.resolutions import edit_resolution

    path = tmp_path / "r.yaml"
    path.write_text(fixture_text("trilingual.yaml"), encoding="utf-8")
    ws(["new", str(path)])
    app = App.open(ws.root)
    try:
        with app.read() as session:
            seen = app.resolution(session, "1").row_version
            source = app.version(session, app.resolution(session, "1")).source
        # meanwhile someone else changes the resolution
        ws(["circulate", "1", "--reviewer", "rev-ru"])
        ws(["close-review", "1", "--changes"])
        before = ws(["log", "1", "--json"]).output
        with pytest.raises(ConcurrencyError, match="changed by someone else meanwhile; re-run"):
            edit_resolution(app, "1", source.replace("2030", "2031"), "stale.yaml", seen=seen)
        assert ws(["log", "1", "--json"]).output == before
        assert json.loads(ws(["show", "1", "--json"]).output)["version"] == 1
    finally:
        app.db.dispose()
