"""Regression tests for defects found in review: each names what used to go wrong."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import cli
from tests.conftest import Cli, fixture_text


def _new(ws: Cli, tmp_path: Path, text: str, name: str = "r.yaml") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return ws(["new", str(path)]).output.strip().splitlines()[0]


def test_reference_that_cannot_match_is_refused_at_once(ws_sqlite: Cli, tmp_path: Path) -> None:
    # a nested repeat in the reference pattern used to backtrack for minutes on this input
    s = _new(ws_sqlite, tmp_path, fixture_text("trilingual.yaml"))
    ws_sqlite(["circulate", s, "--reviewer", "rev-ru"])
    out = ws_sqlite(["comment", s, "--by", "rev-ru", "--ref",
                     "OP 2 replace the wording on localisation.", "--type", "ed",
                     "--text", "x"], code=1).output
    assert "cannot read the reference" in out
    assert "a reference is short" in ws_sqlite(["comment", s, "--by", "rev-ru", "--ref",
                                                "OP 1 " + "a" * 80, "--type", "ed",
                                                "--text", "x"], code=1).output


def test_hand_written_symbol_does_not_block_later_numbers(ws_sqlite: Cli, tmp_path: Path) -> None:
    base = fixture_text("trilingual.yaml").replace("body: brics-higher-council",
                                                   "body: brics-higher-council\ndate: 2024-09-26")
    _new(ws_sqlite, tmp_path, "symbol: RCWG/RES/2024/2\n" + base, "a.yaml")
    second = _new(ws_sqlite, tmp_path, base, "b.yaml")
    third = _new(ws_sqlite, tmp_path, base, "c.yaml")
    assert (second, third) == ("RCWG/RES/2024/3", "RCWG/RES/2024/4")


def test_first_member_must_be_the_secretary(tmp_path: Path) -> None:
    runner = CliRunner()
    root = str(tmp_path / "w")
    assert runner.invoke(cli, ["init", root, "--name", "X", "--prefix", "WG"]).exit_code == 0
    out = runner.invoke(cli, ["-w", root, "member", "add", "bob", "--name", "Bob",
                              "--role", "reviewer"])
    assert out.exit_code == 1 and "must be the secretary" in out.output
    ok = runner.invoke(cli, ["-w", root, "member", "add", "sec", "--name", "S",
                             "--role", "secretary"])
    assert ok.exit_code == 0, ok.output
    bad_lang = runner.invoke(cli, ["-w", root, "member", "add", "zz", "--name", "Z",
                                   "--lang", "english-gb"])
    assert bad_lang.exit_code == 1 and "--lang 'english-gb' is not a language the documents " \
        "can be written in" in bad_lang.output and "zh (Chinese)" in bad_lang.output


def test_failed_init_leaves_nothing_behind(tmp_path: Path) -> None:
    root = tmp_path / "w"
    out = CliRunner().invoke(cli, ["init", str(root), "--name", "X\nY", "--prefix", "WG"])
    assert out.exit_code == 1 and "one line" in out.output
    assert not (root / "resolutions.toml").exists() and not (root / ".resolutions").exists()


def test_init_json_hides_the_database_password(tmp_path: Path, pg_cluster,  # type: ignore[no-untyped-def]
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    from sqlalchemy.engine import make_url

    secret = pg_cluster.password  # the role's real password, written into the URL itself
    url = make_url(pg_cluster.create_database()).set(password=secret).render_as_string(
        hide_password=False)
    assert secret in url
    monkeypatch.setenv("RESOLUTIONS_DATABASE_URL", url)
    out = CliRunner().invoke(cli, ["--json", "init", str(tmp_path / "w"), "--name", "X",
                                   "--prefix", "WG"])
    assert out.exit_code == 0, out.output
    assert secret not in out.output and "***" in json.loads(out.output)["database"]


def test_date_with_a_time_is_refused_with_its_line(ws_sqlite: Cli, tmp_path: Path) -> None:
    text = fixture_text("trilingual.yaml").replace(
        "body: brics-higher-council", "body: brics-higher-council\ndate: 2023-09-26 10:00:00")
    path = tmp_path / "d.yaml"
    path.write_text(text, encoding="utf-8")
    out = ws_sqlite(["new", str(path)], code=1).output
    assert f"{path}:3: date: the date 2023-09-26 10:00:00 has a time of day" in out


def test_amendment_text_is_checked_when_proposed(ws_sqlite: Cli, tmp_path: Path) -> None:
    s = _new(ws_sqlite, tmp_path, fixture_text("trilingual.yaml"))
    ws_sqlite(["circulate", s, "--reviewer", "rev-ru"])
    out = ws_sqlite(["amend", s, "--by", "rev-ru", "--target", "OP 1", "--op", "replace",
                     "--text", "en=*Recommends*\u200b joint ventures:"], code=1).output
    assert "U+200B" in out
    assert json.loads(ws_sqlite(["amendments", s, "--json"]).output)["amendments"] == []


def test_confirming_translations_refreshes_the_rendered_stale_marker(ws_sqlite: Cli,
                                                                     tmp_path: Path) -> None:
    import subprocess

    ws = ws_sqlite
    s = _new(ws, tmp_path, fixture_text("trilingual.yaml"))
    source = ws(["source", s]).output.replace("until 2030", "up to 2030")
    (tmp_path / "e.yaml").write_text(source, encoding="utf-8")
    ws(["edit", s, str(tmp_path / "e.yaml")])
    out = tmp_path / "out"

    def marked() -> bool:
        data = json.loads(ws(["render", s, "--stage", "draft", "--lang", "ru", "--layout",
                              "single", "-o", str(out), "--json"]).output)["files"]
        text = subprocess.run(["pdftotext", data[0]["path"], "-"], capture_output=True,
                              text=True, check=True).stdout
        return "перевод не подтверждён" in text

    assert marked()
    ws(["translations", "confirm", s, "--lang", "ru"])
    ws(["translations", "confirm", s, "--lang", "zh"])
    assert not marked()


def test_on_behalf_actions_record_who_typed_them(ws: Cli, tmp_path: Path) -> None:
    s = _new(ws, tmp_path, fixture_text("trilingual.yaml"))
    ws(["circulate", s, "--reviewer", "rev-ru"])
    ws(["comment", s, "--by", "rev-ru", "--ref", "OP 1", "--type", "ge", "--text", "ok"],
       actor="sec")
    event = [e for e in json.loads(ws(["log", s, "--json"]).output)["events"] if e["action"] == "comment"][0]
    assert event["actor"] == "sec" and event["detail"]["by"] == "rev-ru"
    matrix = json.loads(ws(["comments", s, "--json"]).output)["comments"]
    assert matrix[0]["author"] == "rev-ru"
    assert "audit log intact" in ws("audit verify").output


def test_redline_keeps_a_removed_annex(tmp_path: Path) -> None:
    from drafts.model import Annex, Paragraph
    from drafts.source import load
    from templates.view import BodyView, build_view

    model, _ = load(fixture_text("trilingual.yaml"))
    extra = Annex("annex-b", {"en": "Second"}, (), (Paragraph("b-1", {"en": "Bee."}),))
    old = model._replace(annexes=(model.annexes[0], extra))
    view = build_view(model._replace(annexes=(extra,)), stage="redline", version=2,
                      body=BodyView("x", {"en": "X"}, {"en": "The X,"}),
                      date=datetime.date(2024, 9, 26), previous=old, previous_version=1,
                      languages=["en"], layout="single")
    annexes = {a.id: [(p.id, p.status) for p in a.paragraphs] for a in view.annexes}
    assert annexes["annex-roadmap"] == [("an-step1", "removed"), ("an-step2", "removed")]
    assert annexes["annex-b"] == [("b-1", "moved")]
