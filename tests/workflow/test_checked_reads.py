"""What the engine reads back from its own stores is checked as it is read, not trusted for
its shape: translation records edited in the database into another shape are refused with
what to do, by both paths that read them; a parse-cache entry whose values are of the wrong
type is passed over (the text is parsed again); a review copy's position map whose
rectangles are not numbers and texts is refused; a body's name written as text instead of
a table of languages, and an ``authserv_id`` that is not text, are refused naming file,
line and key."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from drafts.source import load
from templates.pdf.positions import MapError, locate, map_bytes, read_map
from tests.conftest import Cli, fixture_text
from workflow.errors import WorkspaceError
from workflow.store import parsed
from workflow.store.config import ConfigError, parse
from workflow.store.records import records_of
from workflow.store.workspace import _shipped_bodies


def _draft(ws: Cli, tmp_path: Path) -> str:
    path = tmp_path / "r.yaml"
    path.write_text(fixture_text("trilingual.yaml"), encoding="utf-8")
    return ws(["new", str(path)]).output.split()[0]


def test_translation_records_of_another_shape_are_refused_on_both_paths(
        ws_sqlite: Cli, tmp_path: Path) -> None:
    ws = ws_sqlite
    symbol = _draft(ws, tmp_path)
    assert "authentic languages agree" in ws(["check", symbol]).output
    db = sqlite3.connect(ws.root / ".resolutions" / "resolutions.db")
    with db:
        (stored,) = db.execute("SELECT records_json FROM translation_state").fetchone()
        records = json.loads(stored)
        unit = next(iter(records))
        records[unit] = ["en", "ru"]  # a list where a table of languages belongs
        db.execute("UPDATE translation_state SET records_json = ?", (json.dumps(records),))
    db.close()
    # the ORM path (check) and the read path (status, which judges parity for its steps)
    for args in (["check", symbol], ["status", symbol]):
        out = ws(args, code=1).output
        assert f"the translation records of {symbol} in the database are not" in out, out
        assert "restore the database from a backup" in out
    with pytest.raises(WorkspaceError, match="RES-1"):
        records_of(json.dumps({"title": {"en": {"ru": 5}}}), "RES-1")
    assert records_of(json.dumps({"title": {"en": {"ru": "ab12"}}}), "RES-1") == \
        {"title": {"en": {"ru": "ab12"}}}


def test_a_parse_cache_entry_of_the_wrong_types_is_passed_over(tmp_path: Path) -> None:
    source = fixture_text("trilingual.yaml")
    model, _ = load(source, "r.yaml")
    parsed.remember(tmp_path, source, model)
    assert parsed.cached(tmp_path, source, model.content_hash()) == model
    (entry,) = (tmp_path / "parsed").rglob("*.json")
    data = json.loads(entry.read_text("utf-8"))
    data["preamble"][0]["texts"] = {"en": ["not", "text"]}
    entry.write_text(json.dumps(data), encoding="utf-8")
    assert parsed.cached(tmp_path, source, model.content_hash()) is None
    data["preamble"] = "a paragraph"
    entry.write_text(json.dumps(data), encoding="utf-8")
    assert parsed.cached(tmp_path, source, model.content_hash()) is None


def _map(rects: list[list[object]]) -> bytes:
    body = json.loads(map_bytes({"copy": "c1"}, {"pages": [[595.0, 842.0]], "rects": rects}))
    return json.dumps({**body, "seal": "mac"}).encode("utf-8")


def test_a_position_map_is_read_back_checked() -> None:
    good, body, seal = read_map(_map([[1, 10, 10, 200, 40, "op-1", "en"]]))
    assert good["ids"] == {"copy": "c1"} and seal == "mac"
    assert body == map_bytes({"copy": "c1"}, {"pages": [[595.0, 842.0]],
                                              "rects": [[1, 10, 10, 200, 40, "op-1", "en"]]})
    assert locate(good, 1, 50, 20) == ("op-1", "en")
    for rect in ([1, "10", 10, 200, 40, "op-1", "en"], [1, 10, 10, 200, 40, 7, "en"],
                 [1, 10, 10, 200, 40, "op-1"], [True, 10, 10, 200, 40, "op-1", "en"]):
        with pytest.raises(MapError, match="malformed"):
            read_map(_map([rect]))


@pytest.mark.parametrize(("text", "line", "key", "words"), [
    ('[bodies.my-body]\nname = "My body"\n', 2, "[bodies.my-body] name",
     'write it by language, e.g. name.en = "…"'),
    ('[delivery]\nfrom = "sec@wg.example"\nauthserv_id = 5\n', 3, "[delivery] authserv_id",
     "must be text in quotes, not 5"),
])
def test_a_value_of_the_wrong_shape_names_file_line_and_key(text: str, line: int, key: str,
                                                            words: str) -> None:
    with pytest.raises(ConfigError) as refused:
        parse(Path("/ws/resolutions.toml"), text, _shipped_bodies())
    assert (refused.value.line, refused.value.key) == (line, key), str(refused.value)
    assert words in str(refused.value)


def test_typed_settings_carry_what_the_raw_file_said() -> None:
    settings = parse(Path("/ws/resolutions.toml"),
                     '[delivery]\nauthserv_id = "mx.wg.example"\n'
                     '[bodies.my-body]\nname.en = "My body"\ndative.ru = "Моему органу"\n',
                     _shipped_bodies())
    assert settings.delivery.authserv_id == "mx.wg.example"
    body = settings.bodies["my-body"]
    assert body.forms("dative") == {"ru": "Моему органу"}
    assert body.forms("absent") == {}
