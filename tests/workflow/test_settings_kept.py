"""What tomllib reads from resolutions.toml and from the shipped registry of bodies is kept
in ``.resolutions/settings.json`` with both texts: a command whose texts are
unchanged starts without tomllib, a changed file is read again at once, and the kept copy
never stands for another text (a stale, foreign, damaged or planted entry is read past)."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from workflow.store import workspace as ws
from workflow.store.config import ConfigError

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture()
def folder(tmp_path: Path) -> Path:
    ws.create(tmp_path / "wg", name="Working group", prefix="RCWG")
    return tmp_path / "wg"


def _kept(folder: Path) -> dict[str, object]:
    data: dict[str, object] = json.loads((folder / ".resolutions" / ws.SETTINGS_KEPT)
                                         .read_text("utf-8"))
    return data


def test_an_unchanged_file_is_read_back_without_tomllib(folder: Path) -> None:
    ws.find(folder)  # reads the files and keeps what they hold
    kept = _kept(folder)
    assert kept["file"]["working_group"]["prefix"] == "RCWG"  # type: ignore[index]
    assert "brics-higher-council" in kept["bodies"]["bodies"]  # type: ignore[index]
    assert (folder / ".resolutions" / ws.SETTINGS_KEPT).stat().st_mode & 0o777 == 0o600
    script = ("import sys; from workflow.store import workspace as w; "
              f"s = w.find({str(folder)!r}).settings; "
              "print(s.group.prefix, s.group.approval_rule, 'tomllib' in sys.modules, "
              "sorted(s.bodies)[:1])")
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True,
                         text=True, check=True).stdout.split(maxsplit=3)
    assert out[:3] == ["RCWG", "each-delegation", "False"]


def test_the_settings_read_back_equal_the_settings_read(folder: Path) -> None:
    first = ws.find(folder).settings
    ws._shipped_bodies.cache_clear()
    again = ws.find(folder).settings  # from the kept JSON
    assert again == first
    assert dict(again.raw) == dict(first.raw)


def test_a_changed_file_is_read_again(folder: Path) -> None:
    ws.find(folder)
    toml = folder / ws.CONFIG_NAME
    toml.write_text(toml.read_text("utf-8").replace('"each-delegation"', '"majority"'),
                    "utf-8")
    assert ws.find(folder).settings.group.approval_rule == "majority"
    assert _kept(folder)["file"]["working_group"]["approval_rule"] == "majority"  # type: ignore[index]


def test_a_kept_entry_for_other_texts_is_read_past(folder: Path) -> None:
    """An entry is taken only for the very texts it holds: one kept for another file (here
    the same values but another approval rule), or one whose shape is not what this module
    writes, is ignored and written again."""
    ws.find(folder)
    path = folder / ".resolutions" / ws.SETTINGS_KEPT
    entry = _kept(folder)
    forged = json.loads(json.dumps(entry))
    forged["texts"][1] = forged["texts"][1].replace('"each-delegation"', '"majority"')
    forged["file"]["working_group"]["approval_rule"] = "majority"
    path.write_text(json.dumps(forged), "utf-8")
    assert ws.find(folder).settings.group.approval_rule == "each-delegation"
    assert _kept(folder)["texts"] == entry["texts"]
    for damaged in ("{", "[]", '{"texts": 1}', json.dumps({**entry, "file": []})):
        path.write_text(damaged, "utf-8")
        assert ws.find(folder).settings.group.approval_rule == "each-delegation"
        assert _kept(folder)["texts"] == entry["texts"]


def test_a_bad_value_is_refused_with_its_line_whether_kept_or_not(folder: Path) -> None:
    toml = folder / ws.CONFIG_NAME
    toml.write_text(toml.read_text("utf-8").replace('prefix = "RCWG"', "prefix = 7"), "utf-8")
    for _ in range(2):  # nothing is kept for a file that is refused
        with pytest.raises(ConfigError, match=r"resolutions.toml:\d+: \[working_group\] prefix"):
            ws.find(folder)
    toml.write_text(toml.read_text("utf-8") + "\n[numbering\n", "utf-8")
    with pytest.raises(ConfigError, match="TOML"):
        ws.find(folder)


def test_a_file_json_cannot_hold_is_not_kept(folder: Path) -> None:
    toml = folder / ws.CONFIG_NAME
    toml.write_text(toml.read_text("utf-8") + "\n[notes]\nfounded = 2024-09-26\n", "utf-8")
    path = folder / ".resolutions" / ws.SETTINGS_KEPT
    path.unlink(missing_ok=True)
    assert ws.find(folder).settings.raw["notes"]["founded"].isoformat() == "2024-09-26"
    assert not path.exists()


def test_a_folder_without_its_state_folder_gets_none(folder: Path) -> None:
    (folder / ".resolutions" / ws.SETTINGS_KEPT).unlink(missing_ok=True)
    state = folder / ".resolutions"
    state.rename(folder / "moved")
    ws.find(folder)
    assert not state.exists()
