"""The foundation as a user meets it: init, new, show, source, edit, diff, list, log,
audit verify — on SQLite and on PostgreSQL."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from tests.conftest import Cli, fixture_text


def _new(ws: Cli, tmp_path: Path) -> str:
    path = tmp_path / "res.yaml"
    path.write_text(fixture_text("trilingual.yaml"), encoding="utf-8")
    return ws(["new", str(path)]).output.strip()


def test_new_show_source_edit_diff_log(ws: Cli, tmp_path: Path) -> None:
    symbol = _new(ws, tmp_path)
    assert symbol == "RCWG/RES/2024/1"

    shown = ws(["show", symbol, "--lang", "zh"]).output
    assert "关于微电子领域" in shown
    assert "1. 建议设立合资企业：" in shown
    assert "(a) 以实现在俄罗斯的生产本地化；" in shown
    ru = ws(["show", "1", "--lang", "ru"]).output
    assert "а) в целях локализации производства в России;" in ru
    assert "Приложение" in ru and "Дорожная карта" in ru
    # a single operative paragraph per annex section is still numbered when there are two
    assert "1. Подготовка совместного плана" in ru

    source = ws(["source", symbol]).output
    assert source.splitlines()[0].startswith("# base: RCWG/RES/2024/1 version 1 sha256:")
    assert source.splitlines()[1:3] == ["# A small trilingual resolution used across the test suite.",
                                        "symbol: RCWG/RES/2024/1"]
    assert "# A small trilingual resolution" in source  # comments kept
    # round trip: the source fed back is not a new version
    again = tmp_path / "again.yaml"
    again.write_text(source, encoding="utf-8")
    assert "text unchanged" in ws(["edit", symbol, str(again)]).output

    edited = source.replace("до 2030 года", "до 2035 года").replace("至2030年", "至2035年")
    edited = edited.replace("until 2030", "until 2035")
    again.write_text(edited, encoding="utf-8")
    assert "version 2 stored" in ws(["edit", symbol, str(again), "--note", "2035"]).output

    diff = json.loads(ws(["diff", symbol, "--from", "1", "--to", "2", "--json"]).output)
    assert [c["new_ref"] for c in diff["changes"]] == ["OP 2"]
    segments = diff["changes"][0]["segments"]
    assert ["delete", "2030"] in segments["en"] and ["insert", "2035"] in segments["en"]
    assert ["delete", "0"] in segments["zh"] and ["insert", "5"] in segments["zh"]

    listed = json.loads(ws("list --json").output)
    assert listed["total"] == 1
    assert listed["items"][0] | {"updated_at": None} == {
        "number": 1, "symbol": symbol, "state": "draft", "version": 2,
        "body": "brics-higher-council", "updated_at": None,
        "title": 'On the transition from "market" to "production" in microelectronics'}

    events = json.loads(ws(["log", symbol, "--json"]).output)["events"]
    assert [e["action"] for e in events] == ["new", "edit"]
    assert events[1]["detail"]["note"] == "2035"
    assert "audit log intact" in ws("audit verify").output


def test_malformed_yaml_is_one_line_with_the_line_number_and_stores_nothing(
        ws: Cli, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("body: brics-higher-council\nlanguages: [ru, en]\ntitle: {ru: a, en: b}\n"
                   "operative:\n  - ru: текст\n    en: [unclosed\n", encoding="utf-8")
    result = ws(["new", str(bad)], code=1)
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1
    assert lines[0].startswith(f"Error: {bad}:6") or f"{bad}:7" in lines[0]
    assert json.loads(ws("list --json").output)["total"] == 0

    unknown = tmp_path / "unknown.yaml"
    unknown.write_text("body: brics-higher-council\nlanguages: [ru, en]\ntitle: {ru: a, en: b}\n"
                       "operative:\n  - ru: текст\n    xx: text\n", encoding="utf-8")
    out = ws(["new", str(unknown)], code=1).output
    assert f"{unknown}:6: operative[0].xx: unknown language 'xx'" in out


def test_unknown_body_and_missing_resolution_are_refused(ws: Cli, tmp_path: Path) -> None:
    path = tmp_path / "r.yaml"
    path.write_text(fixture_text("trilingual.yaml").replace("brics-higher-council", "nobody"),
                    encoding="utf-8")
    assert "unknown body 'nobody'" in ws(["new", str(path)], code=1).output
    assert "no resolution '7'" in ws("show 7", code=1).output


def test_new_from_title(ws: Cli) -> None:
    symbol = ws(["new", "--title", "О совместном плане", "--body", "brics-higher-council",
                 "--lang", "ru"]).output.strip()
    shown = json.loads(ws(["show", symbol, "--json"]).output)
    assert shown["source"]["title"] == {"ru": "О совместном плане"}
    assert shown["state"] == "draft"


def test_tampered_audit_row_makes_verify_fail(ws_sqlite: Cli, tmp_path: Path) -> None:
    ws = ws_sqlite
    _new(ws, tmp_path)
    db = ws.root / ".resolutions" / "resolutions.db"
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE audit_events SET actor = 'mallory' WHERE action = 'new'")
    out = ws("audit verify", code=1).output
    assert "audit event" in out and "edited" in out


def test_tampered_version_text_and_state_are_named(ws_sqlite: Cli, tmp_path: Path) -> None:
    ws = ws_sqlite
    _new(ws, tmp_path)
    db = ws.root / ".resolutions" / "resolutions.db"
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE versions SET source = replace(source, '2030', '2040')")
        conn.execute("UPDATE resolutions SET state = 'approved'")
    out = ws("audit verify --json", code=1).output
    problems = json.loads(out)["problems"]
    assert any("version 1 of RCWG/RES/2024/1" in p and "edited" in p for p in problems)
    assert any("RCWG/RES/2024/1" in p and "'approved'" in p for p in problems)


def test_deleted_audit_row_is_named(ws_sqlite: Cli, tmp_path: Path) -> None:
    ws = ws_sqlite
    _new(ws, tmp_path)
    db = ws.root / ".resolutions" / "resolutions.db"
    with sqlite3.connect(db) as conn:
        conn.execute("DELETE FROM audit_events WHERE seq = 2")
    out = ws("audit verify", code=1).output
    assert "audit event 2" in out and "deleted" in out
