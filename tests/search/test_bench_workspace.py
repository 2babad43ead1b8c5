"""The benchmarks' generated workspace (``bench/make_workspace.py``, rows written in bulk) is
a real one: the engine's audit verify passes on it and catches an edited row, the search
index matches its versions, and a search answers there what it answers on a workspace the
engine built from the same sources."""

from __future__ import annotations

import json
import shutil
import sqlite3
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.conftest import Cli

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))

import make_workspace  # noqa: E402

N = 200


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("bench") / "ws"
    make_workspace.build(root, N, 5)
    make_workspace.check_sample(root)
    return root


def _run(root: Path, *args: str, code: int = 0) -> dict:  # type: ignore[type-arg]
    from cli import cli

    result = CliRunner().invoke(cli, ["--workspace", str(root), *args, "--json"])
    assert result.exit_code == code, result.output
    return json.loads(result.output)  # type: ignore[no-any-return]


def test_audit_verify_passes_and_the_index_matches_the_versions(generated: Path) -> None:
    report = _run(generated, "audit", "verify")
    assert report["ok"] is True and report["problems"] == []
    assert report["events"] > N * 5 + N // 7  # the members' events, then the bulk
    check = _run(generated, "search", "--check")
    assert check["ok"] is True and check["versions"] == N * 5
    listed = _run(generated, "list", "--limit", "500")
    states = {item["symbol"]: item["state"] for item in listed["items"]}
    assert len(states) == N and states["RCWG/RES/2024/7"] == "withdrawn"
    assert states["RCWG/RES/2024/8"] == "draft"


def test_an_edited_version_is_caught_by_the_chain(generated: Path, tmp_path: Path) -> None:
    copy = tmp_path / "ws"
    shutil.copytree(generated, copy)
    db = sqlite3.connect(copy / ".resolutions" / "resolutions.db")
    db.execute("UPDATE versions SET note = 'rewritten' WHERE resolution_id = 42 AND number = 3")
    db.commit()
    db.close()
    report = _run(copy, "audit", "verify", code=1)
    assert not report["ok"] and any("versions" in p for p in report["problems"]), report


def _hits(found: dict) -> list[tuple[object, ...]]:  # type: ignore[type-arg]
    """A page of hits as the reader sees it: place, text, marks, rank, the aligned texts."""
    return [(h["ref"], h["lang"], h["versions"], h["current"], h["state"], h["text"],
             h["matches"], h["score"], sorted(h["aligned"].items())) for h in found["hits"]]


def test_search_answers_as_on_an_engine_built_workspace(generated: Path, ws: Cli,
                                                        tmp_path: Path) -> None:
    db = sqlite3.connect(generated / ".resolutions" / "resolutions.db")
    sources = [row[0] for row in db.execute(
        "SELECT source FROM versions WHERE resolution_id = 1 ORDER BY number")]
    db.close()
    path = tmp_path / "r.yaml"
    path.write_text(sources[0], encoding="utf-8")
    ws(["new", str(path)])
    for number, source in enumerate(sources[1:], start=2):
        path.write_text(source, encoding="utf-8")
        ws(["edit", "1", str(path), "--note", f"revision {number}"])
    for query in (['"№ 1 ("'], ['"第1号"'], ['"no. 1 ("'], ['"no. 1 ("', "--current"]):
        engine = json.loads(ws(["search", *query, "--json"]).output)
        bench = _run(generated, "search", *query)
        assert engine["total"] == bench["total"] > 0, query
        assert {h["symbol"] for h in bench["hits"]} == {"RCWG/RES/2024/1"}
        assert _hits(engine) == _hits(bench), query
        assert all(len(h["aligned"]) == 2 for h in bench["hits"])  # the other two languages
