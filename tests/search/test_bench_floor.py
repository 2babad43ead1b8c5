"""The floor that ``bench/search.py`` measures ``resolutions search`` against answers the same
queries: for each of the bench's 50 queries (their filters applied by the same SQL
conditions), the plain ``sqlite3`` script prints the hits ``search --json`` returns — the same resolutions, places, versions,
languages and texts, in the same order, with the same aligned paragraphs — and the same
total. A floor that found less, or ranked differently, would make the bench's ratio a
comparison of different work."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))

import make_workspace  # noqa: E402
import search as bench_search  # noqa: E402

N = 120


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("bench-floor") / "ws"
    make_workspace.build(root, N, 5)
    return root


@pytest.fixture(scope="module")
def floor(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("floor") / "floor_search.py"
    path.write_text(bench_search.FLOOR, "utf-8")
    return path


def _engine(root: Path, query: list[str]) -> tuple[int, list[tuple[object, ...]]]:
    from cli import cli

    result = CliRunner().invoke(cli, ["--workspace", str(root), "search", *query, "--json"])
    assert result.exit_code == 0, result.output
    found = json.loads(result.output)
    hits = []
    for h in found["hits"]:
        first, last = h["versions"]
        hits.append((h["symbol"], h["ref"], f"v{first}-{last}", h["lang"], h["text"],
                     sorted(h["aligned"].items())))
    return found["total"], hits


def _floor(root: Path, floor: Path, query: list[str]) -> tuple[int, list[tuple[object, ...]]]:
    db = root / ".resolutions" / "resolutions.db"
    out = subprocess.run(bench_search._floor_command(floor, query, f"sqlite:///{db}"),
                         capture_output=True, text=True, check=True).stdout
    lines = out.rstrip("\n").split("\n")
    total = int(lines[-1].split()[0])
    hits: list[list[object]] = []
    for line in lines[:-1]:
        if line.startswith("   "):  # an aligned paragraph of the hit above
            lang, text = line.strip().split(" ", 1)
            hits[-1][-1].append((lang, text))  # type: ignore[union-attr]
            continue
        place = re.fullmatch(r"(\S+) (.+?) (v\d+-\d+) (\S+) (.*)", line)
        assert place, line
        hits.append([*place.groups(), []])
    return total, [(*h[:-1], sorted(h[-1])) for h in hits]  # type: ignore[arg-type]


UNFILTERED = [q for q in bench_search.QUERIES if not any(w.startswith("--") for w in q)]


def test_the_bench_has_fifty_queries_in_three_languages() -> None:
    assert len(bench_search.QUERIES) == 50
    scripts = {"ru": "сотрудничеств", "zh": "合作", "en": "cooperation"}
    for lang, word in scripts.items():
        assert [word] in bench_search.QUERIES, lang
    assert len(UNFILTERED) >= 35


@pytest.mark.parametrize("query", bench_search.QUERIES,
                         ids=[" ".join(q) for q in bench_search.QUERIES])
def test_the_floor_prints_the_hits_search_returns(generated: Path, floor: Path,
                                                  query: list[str]) -> None:
    total, hits = _engine(generated, query)
    floor_total, floor_hits = _floor(generated, floor, query)
    assert floor_total == total, query
    assert floor_hits == hits, query
