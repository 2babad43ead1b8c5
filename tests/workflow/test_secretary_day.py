"""The secretary's day without traps: confirming a translation after an edit of another
language, member edit/remove, the `$EDITOR` buffer kept on a mistake, redlines between any
two versions. Service level and CLI level, asserting on DB rows and printed content."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import Cli, fixture_text
from workflow.app import App

SOURCE = fixture_text("trilingual.yaml")


def _draft(ws: Cli, tmp_path: Path) -> str:
    path = tmp_path / "r.yaml"
    path.write_text(SOURCE, encoding="utf-8")
    return ws(["new", str(path)]).output.split()[0]


def _edit(ws: Cli, tmp_path: Path, symbol: str, text: str, note: str = "edit") -> None:
    path = tmp_path / f"edit-{abs(hash(text))}.yaml"
    path.write_text(text, encoding="utf-8")
    ws(["edit", symbol, str(path), "--note", note])


def _stale(ws: Cli, symbol: str) -> dict[str, list[str]]:
    """Reference → the stale languages (the findings of one paragraph merged)."""
    report = json.loads(ws(["check", symbol, "--json"], code=None).output)
    out: dict[str, list[str]] = {}
    for finding in report["findings"]:
        if finding["rule"] == "stale":
            out[finding["ref"]] = sorted(out.get(finding["ref"], []) + finding["languages"])
    return out


EN_EDIT = ("to prepare a roadmap until 2030", "to prepare a detailed roadmap until 2030")
ZH_FIX = ("*责成*工作组制定至2030年的路线图", "*责成*工作组制定至2030年的详细路线图")


def test_confirming_one_language_keeps_the_source_fresh(ws: Cli, tmp_path: Path) -> None:
    """edit en OP 2, confirm zh OP 2: only ru is stale (en, the source, is not); fix zh in a
    new version and confirm it: en stays fresh, ru is stale only against en."""
    symbol = _draft(ws, tmp_path)
    text = SOURCE.replace(*EN_EDIT)
    _edit(ws, tmp_path, symbol, text, "en")
    assert _stale(ws, symbol) == {"OP 2": ["ru", "zh"]}
    ws(["translations", "confirm", symbol, "--lang", "zh", "--para", "OP 2"])
    assert _stale(ws, symbol) == {"OP 2": ["ru"]}
    _edit(ws, tmp_path, symbol, text.replace(*ZH_FIX), "zh fixed")
    assert _stale(ws, symbol) == {"OP 2": ["en", "ru"]}
    out = ws(["translations", "confirm", symbol, "--lang", "zh"]).output
    assert "op-roadmap" in out
    assert _stale(ws, symbol) == {"OP 2": ["ru"]}
    report = json.loads(ws(["check", symbol, "--json"], code=None).output)
    [finding] = [f for f in report["findings"] if f["rule"] == "stale"]
    assert "earlier English text" in finding["message"]
    assert "Chinese" not in finding["message"]
    ws(["translations", "confirm", symbol, "--lang", "ru", "--para", "ОП 2"])
    assert _stale(ws, symbol) == {}


def test_confirm_service_records_what_each_language_has_seen(ws_sqlite: Cli, tmp_path: Path
                                                              ) -> None:
    from drafts.staleness import text_hash
    from workflow.drafting.translations import confirm
    from workflow.store.models import TranslationState

    ws = ws_sqlite
    symbol = _draft(ws, tmp_path)
    text = SOURCE.replace(*EN_EDIT).replace(*ZH_FIX)
    _edit(ws, tmp_path, symbol, text, "en and zh")
    app = App.open(ws.root)
    try:
        assert confirm(app, symbol, "zh", ["op-roadmap"]) == ["op-roadmap"]
        with app.read() as session:
            row = app.resolution(session, symbol)
            state = session.get(TranslationState, row.id)
            assert state is not None
            records = json.loads(state.records_json)["op-roadmap"]
        zh_now = text_hash(ZH_FIX[1] + "；")
        assert records["ru"]["zh"] == records["en"]["zh"] == zh_now
        assert records["ru"]["en"] != text_hash(
            "*Instructs* the working group to prepare a detailed roadmap until 2030;")
    finally:
        app.db.dispose()
