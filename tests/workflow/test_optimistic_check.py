"""A stale update is refused with the clear 'changed by someone else' error, and nothing
is written."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import Cli, fixture_text, open_app


def test_edit_prepared_on_a_stale_read_is_refused(ws: Cli, tmp_path: Path) -> None:
    from workflow.drafting.resolutions import edit_resolution
    from workflow.errors import ConcurrencyError

    path = tmp_path / "r.yaml"
    path.write_text(fixture_text("trilingual.yaml"), encoding="utf-8")
    ws(["new", str(path)])
    app = open_app(ws.root)
    try:
        from workflow.drafting.resolutions import editable_source

        source, based_on = editable_source(app, "1")
        # meanwhile someone else stores a new version
        theirs = tmp_path / "theirs.yaml"
        theirs.write_text(source.replace("seized of the matter.", "seized of it."), "utf-8")
        ws(["edit", "1", str(theirs)])
        before = ws(["log", "1", "--json"]).output
        # the same paragraph changed on the stale read: refused, naming it, nothing written
        with pytest.raises(ConcurrencyError, match="changed since version 1") as refused:
            edit_resolution(app, "1", source.replace("seized of the matter.",
                                                     "seized of the matter entirely."),
                            "stale.yaml", based_on=based_on)
        assert "nothing stored" in str(refused.value)
        assert ws(["log", "1", "--json"]).output == before
        assert json.loads(ws(["show", "1", "--json"]).output)["version"] == 2
        # another paragraph changed on the same stale read: merged over theirs, both kept
        merged = edit_resolution(app, "1", source.replace("2030", "2031"), "stale.yaml",
                                 based_on=based_on)
        assert merged.version == 3 and merged.merged is not None
        stored = ws(["source", "1"]).output
        assert "seized of it." in stored and "2031" in stored and "2030" not in stored
    finally:
        app.db.dispose()
