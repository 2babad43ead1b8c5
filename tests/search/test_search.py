"""``resolutions search`` on both backends: every version, every language, the aligned
paragraphs beside each hit, the filters, the ranking — and the same hits, in the same order,
on SQLite (FTS5) and PostgreSQL (pg_trgm), since every assertion here runs on both."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, text

import workflow.store.db as db_module
from tests.conftest import Cli, fixture_text
from workflow.store.workspace import find

MIGRATIONS = Path(db_module.__file__).parent / "migrations"


def _search(ws: Cli, *args: str, code: int = 0) -> dict:  # type: ignore[type-arg]
    result = ws(["search", *args, "--json"], code=code)
    return json.loads(result.output) if code == 0 else {"error": result.output}


def _places(found: dict) -> list[tuple[str, str, str, list[int]]]:  # type: ignore[type-arg]
    return [(h["symbol"], h["ref"], h["lang"], h["versions"]) for h in found["hits"]]


@pytest.fixture
def two(ws: Cli, tmp_path: Path) -> Cli:
    """Resolution 1 in two versions (OP 2 reworded in Russian and English: 2030 → 2035),
    resolution 2 (no symbol in the source) withdrawn."""
    source = tmp_path / "r.yaml"
    source.write_text(fixture_text("trilingual.yaml"), encoding="utf-8")
    ws(["new", str(source)])
    edited = ws(["source", "1"]).output.replace("до 2030 года", "до 2035 года").replace(
        "until 2030", "until 2035").replace("至2030年", "至2035年")
    source.write_text(edited, encoding="utf-8")
    ws(["edit", "1", str(source), "--note", "2035"])
    source.write_text(fixture_text("trilingual.yaml").replace(
        "совместные предприятия:", "совместные инжиниринговые центры:"), encoding="utf-8")
    ws(["new", str(source)])
    ws(["withdraw", "2", "--reason", "merged"])
    return ws


def test_a_russian_query_finds_the_russian_paragraph_with_its_chinese_and_english(two: Cli) -> None:
    found = _search(two, "дорожную карту")
    assert found["terms"] == ["дорожную", "карту"]
    # the roadmap paragraph: in resolution 2, and in both texts of resolution 1 (v1: 2030,
    # v2: 2035), current versions first, the newest resolution first
    assert _places(found) == [("RCWG/RES/2024/2", "OP 2", "ru", [1, 1]),
                              ("RCWG/RES/2024/1", "OP 2", "ru", [2, 2]),
                              ("RCWG/RES/2024/1", "OP 2", "ru", [1, 1])]
    hit = found["hits"][1]
    assert hit["text"] == "Поручает рабочей группе подготовить дорожную карту до 2035 года;"
    assert hit["aligned"] == {"zh": "责成工作组制定至2035年的路线图；",
                              "en": "Instructs the working group to prepare a roadmap until 2035;"}
    assert [hit["text"][a:b] for a, b in hit["matches"]] == ["дорожную", "карту"]
    assert found["hits"][2]["aligned"]["en"].endswith("until 2030;")  # version 1's own texts
    assert found["hits"][1]["current"] and not found["hits"][2]["current"]


def test_two_chinese_characters_find_their_paragraph(two: Cli) -> None:
    found = _search(two, "路线", "--lang", "zh")
    assert _places(found) == [("RCWG/RES/2024/2", "Annex 1 title", "zh", [1, 1]),
                              ("RCWG/RES/2024/1", "Annex 1 title", "zh", [1, 2]),
                              ("RCWG/RES/2024/2", "OP 2", "zh", [1, 1]),
                              ("RCWG/RES/2024/1", "OP 2", "zh", [2, 2]),
                              ("RCWG/RES/2024/1", "OP 2", "zh", [1, 1])]
    title = found["hits"][1]
    assert title["text"] == "路线图" and title["aligned"] == {"ru": "Дорожная карта",
                                                            "en": "Roadmap"}
    assert [title["text"][a:b] for a, b in title["matches"]] == ["路线"]
    # two characters inside a longer word, and a pair with a three-character word
    assert _places(_search(two, "合资", "--current"))[0][1:3] == ("OP 1", "zh")
    assert {h["ref"] for h in _search(two, "微电子 需求")["hits"]} == {"PP 1"}


def test_case_and_yo_do_not_matter_and_every_term_must_be_there(two: Cli) -> None:
    upper = _search(two, "ПАРТНЁРАМИ")
    assert [(h["ref"], h["lang"]) for h in upper["hits"]] == [("OP 1(b)", "ru")] * 2
    assert upper == {**_search(two, "партнерами"), "query": "ПАРТНЁРАМИ"}
    assert _search(two, "roadmap 2035")["total"] == 1
    assert _search(two, '"joint plan"')["total"] == 2
    assert _search(two, '"plan joint"')["total"] == 0


def test_the_filters(two: Cli) -> None:
    assert {h["symbol"] for h in _search(two, "2030", "--current")["hits"]} == {"RCWG/RES/2024/2"}
    assert {h["symbol"] for h in _search(two, "roadmap", "--state", "withdrawn")["hits"]} == {
        "RCWG/RES/2024/2"}
    assert {h["lang"] for h in _search(two, "2026", "--lang", "en")["hits"]} == {"en"}
    assert _search(two, "roadmap", "--year", "2024")["total"] == 5
    assert _search(two, "roadmap", "--year", "2023")["total"] == 0
    assert _search(two, "roadmap", "--body", "brics-higher-council")["total"] == 5
    assert "unknown body" in _search(two, "roadmap", "--body", "nobody", code=1)["error"]
    assert "unknown state" in _search(two, "roadmap", "--state", "lost", code=1)["error"]
    # the Russian text of OP 1 of resolution 2 differs: found in Russian only
    assert _places(_search(two, "инжиниринговые")) == [("RCWG/RES/2024/2", "OP 1", "ru", [1, 1])]


def test_ranked_pages_and_the_terminal_text(two: Cli) -> None:
    every = _search(two, "2026", "--limit", "50")
    scores = [h["score"] for h in every["hits"]]
    assert scores == sorted(scores, reverse=True) and every["total"] == len(scores) == 6
    paged = [h for p in (1, 2, 3) for h in _search(two, "2026", "--limit", "2", "--page",
                                                   str(p))["hits"]]
    assert paged == every["hits"]
    shown = two(["search", "路线图", "--limit", "1"]).output
    assert "RCWG/RES/2024/2 Annex 1 title · version 1, current · withdrawn" in shown
    assert "zh  **路线图**" in shown and "ru  Дорожная карта" in shown
    assert "next: --page 2" in shown


def test_queries_that_cannot_be_searched_say_why(two: Cli) -> None:
    for query in ("ab", "电", "  "):
        out = two(["search", query], code=1).output
        assert "too short" in out or "empty" in out
    assert two(["search"], code=2).exit_code == 2
    assert _search(two, "nothing-of-the-kind")["hits"] == []
    assert "nothing found" in two(["search", "nothing-of-the-kind"]).output


def test_amendments_applied_at_close_review_are_indexed_and_the_check_agrees(two: Cli) -> None:
    two(["circulate", "1", "--reviewer", "rev-ru"])
    two(["amend", "1", "--by", "rev-ru", "--target", "OP 3", "--op", "replace",
         "--text", "en=*Decides* to keep the quinquennial review under way.",
         "--text", "ru=*Постановляет* продолжать пятилетний обзор.",
         "--text", "zh=*决定*继续五年期审查。", "--why", "clarity"])
    two(["amendment", "accept", "1", "1"])
    two(["close-review", "1", "--changes"])
    hit = _search(two, "quinquennial")["hits"][0]
    assert (hit["version"], hit["ref"], hit["aligned"]["zh"]) == (3, "OP 3", "决定继续五年期审查。")
    checked = json.loads(two(["search", "--check", "--json"]).output)
    assert checked == {"ok": True, "versions": 4, "problems": []}


def _url(ws: Cli) -> str:
    return str(find(ws.root, database_url=os.environ.get("RESOLUTIONS_DATABASE_URL"))
               .database_url)


def _owner_url(ws: Cli) -> str:
    """The tables' owner: on PostgreSQL the administrator's login (members' logins may not
    delete from the index or migrate), on SQLite the file."""
    from workflow.store.logins import admin_url, is_postgres

    url = _url(ws)
    return admin_url(url) if is_postgres(url) else url


def test_an_index_edited_behind_the_engines_back_is_named_and_rebuilt(two: Cli) -> None:
    """The insider is the tables' owner (a member's login may not touch the index: see
    test_members_write_the_index_with_their_versions_and_cannot_erase_it); the check is
    anyone's, the rebuild is administration."""
    engine = create_engine(_owner_url(two))
    with engine.begin() as conn:  # hide resolution 2's roadmap, invent a Chinese paragraph
        conn.execute(text("DELETE FROM search_spans WHERE resolution_id = 2 AND para_id = "
                          "'op-roadmap' AND lang = 'ru'"))
        conn.execute(text("UPDATE search_spans SET first_version = 2 WHERE resolution_id = 1 "
                          "AND para_id = 'op-seized' AND lang = 'zh'"))
    engine.dispose()
    assert _search(two, "дорожную")["total"] == 2
    out = two(["search", "--check"], code=1).output
    assert "resolution 2 OP 2 (ru) versions 1–1 is missing" in out
    assert "resolution 1 OP 3 (zh) versions 2–2 is not in the versions" in out
    two(["search", "--rebuild"])
    assert json.loads(two(["search", "--check", "--json"]).output)["ok"]
    assert _search(two, "дорожную")["total"] == 3
    assert json.loads(two(["audit", "verify", "--json"]).output)["ok"]


def test_the_migration_indexes_a_workspace_made_before_it(two: Cli) -> None:
    before = _search(two, "路线")
    engine = create_engine(_owner_url(two))  # migrations are the administrator's
    with engine.begin() as conn:
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        config.attributes["connection"] = conn
        command.downgrade(config, "0007")
        tables = {r[0] for r in conn.execute(text(
            "SELECT name FROM sqlite_master WHERE type = 'table'" if conn.dialect.name ==
            "sqlite" else "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"))}
        assert not {"search_texts", "search_spans"} & tables
    engine.dispose()
    told = two(["list"]).output  # opened, migrated, indexed from the versions: told how far
    versions = len(list(stored_versions_of(two)))
    assert "database migrated from schema revision 0007" in told
    assert f"done: search index ({versions})" in told, told
    assert _search(two, "路线") == before
    assert "search index" not in two(["list"]).output  # current now: nothing to tell


def stored_versions_of(ws: Cli) -> list[tuple[object, ...]]:
    from workflow.store.search_index import stored_versions

    engine = create_engine(_url(ws))
    try:
        with engine.connect() as conn:
            return list(stored_versions(conn))
    finally:
        engine.dispose()


def test_the_bulk_build_writes_what_each_version_wrote(two: Cli) -> None:
    from drafts.source import load
    from workflow.store.search_index import bulk_build, index_problems, stored_versions, year_of

    before = _search(two, "2026", "--limit", "50")
    engine = create_engine(_owner_url(two))  # a bulk load is the administrator's
    with engine.begin() as conn:
        stored = list(stored_versions(conn))
        if conn.dialect.name == "sqlite":
            for table in ("search_trigrams", "search_pairs"):
                conn.execute(text(f"INSERT INTO {table}({table}) VALUES ('delete-all')"))
        conn.execute(text("DELETE FROM search_spans"))
        conn.execute(text("DELETE FROM search_texts"))
        counts = bulk_build(conn, ((rid, number, model, year_of(model, created))
                                   for rid, number, source, created in stored
                                   for model in [load(source, "v")[0]]), chunk=7)
        assert counts["versions"] == 3
        assert index_problems(conn) == []
    engine.dispose()
    assert _search(two, "2026", "--limit", "50") == before


@pytest.mark.postgres
def test_members_write_the_index_with_their_versions_and_cannot_erase_it(
        tmp_path: Path, pg_cluster, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    """On PostgreSQL each member connects as their own role: the secretary's role writes
    the index with the version it stores; no member may delete from it, a reviewer may not
    write to it, and a span rewritten by a role that may extend spans is named by --check.
    Each attack is raw SQL through ``psql`` as the member's login (TLS, its password)."""
    import subprocess

    from tests.conftest import make_workspace
    from workflow.store.logins import database_name

    admin = pg_cluster.create_database()
    monkeypatch.setenv("RESOLUTIONS_DATABASE_URL", admin)
    ws = make_workspace(tmp_path / "ws")  # from here on, the secretary's own login
    database = database_name(admin)
    source = tmp_path / "r.yaml"
    source.write_text(fixture_text("trilingual.yaml"), encoding="utf-8")
    ws(["new", str(source)])
    assert _search(ws, "路线图")["total"] == 2
    events = json.loads(ws(["audit", "verify", "--json"]).output)["events"]

    def psql(member: str, sql: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["psql", pg_cluster.conninfo(database, f"{database}_{member}"),
                               "-v", "ON_ERROR_STOP=1", "-X", "-q", "-c", sql],
                              capture_output=True, text=True, timeout=60)

    for member, sql in (("sec", "DELETE FROM search_spans"),
                        ("sec", "DELETE FROM search_texts"),
                        ("sec", "TRUNCATE search_spans"),
                        ("sec", "UPDATE search_texts SET folded = ''"),
                        ("rev-ru", "INSERT INTO search_spans (resolution_id, para_id, lang, "
                         "ref, position, text_id, first_version, last_version, year) SELECT "
                         "resolution_id, 'x', lang, ref, position, text_id, 1, 1, year FROM "
                         "search_spans"),
                        ("rev-ru", "INSERT INTO search_texts (id, lang, digest, text, folded, "
                         "grams) VALUES (9999, 'en', 'x', 'x', 'x', '')"),
                        ("rev-ru", "UPDATE search_spans SET last_version = 0")):
        done = psql(member, sql)
        assert done.returncode != 0 and "permission denied" in done.stderr, (member, sql,
                                                                            done.stderr)
    assert psql("sec", "UPDATE search_spans SET ref = 'OP 9' WHERE para_id = "
                "'op-roadmap' AND lang = 'ru'").returncode == 0
    out = ws(["search", "--check"], code=1).output
    assert "resolution 1 OP 9 (ru) versions 1–1 is not in the versions" in out
    assert "resolution 1 OP 2 (ru) versions 1–1 is missing" in out
    # the rebuild is administration: on the secretary's machine, with the administrator's
    # password at hand (the suite's passfile), it logs in as the administrator
    ws(["search", "--rebuild"])
    assert json.loads(ws(["search", "--check", "--json"]).output)["ok"]
    verified = json.loads(ws(["audit", "verify", "--json"]).output)
    assert verified["ok"] and verified["events"] == events + 1


def test_a_refused_edit_leaves_no_trace_in_the_index(two: Cli, tmp_path: Path) -> None:
    """The index is written in the version's transaction: a step refused after the new text
    was parsed (here: the reviewer may not edit) indexes nothing."""
    edited = tmp_path / "refused.yaml"
    edited.write_text(two(["source", "1"]).output.replace("until 2035", "until 2099"), "utf-8")
    two(["edit", "1", str(edited)], actor="rev-ru", code=1)
    assert _search(two, "2099")["total"] == 0
    assert json.loads(two(["search", "--check", "--json"]).output)["ok"]
    two(["edit", "1", str(edited)])
    assert [h["version"] for h in _search(two, "2099")["hits"]] == [3]
