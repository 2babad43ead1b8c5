"""``resolutions search`` on the 100,000-resolution workspace, against the floor, on SQLite
and on PostgreSQL; the size and build time of the index; the reading room's cost per
resolution.

- **Cold CPU** of ``resolutions search QUERY`` (a fresh process: start, parse, query, the
  aligned paragraphs of the page, print) against the floor: a plain ``sqlite3`` script
  (``bench/out/floor_search.py``, written here) answering the same query with the same SQL
  — the FTS5 ``MATCH``, the join to the spans and resolutions, the ranking, one page of 20,
  the aligned paragraphs of each hit — and printing it. Target ≤ 2×. The commands take
  turns with the floor. On PostgreSQL the floor is the same script on ``psycopg``.
- **p50/p95 wall** over 50 queries in Russian, Chinese and English (selective and common
  words, two-character Chinese words, phrases, filters), each a fresh process, ours and the
  floor's.
- **Index size** (SQLite ``dbstat``; PostgreSQL ``pg_total_relation_size``) against the
  size of the text it indexes: every paragraph of every version in every language (UTF-8),
  and the distinct texts.
- **Build time**: the bulk build that ``make_workspace.py`` times (``index_s``), the
  per-version path the migration takes (parse each version, index it) on a sample, and on
  PostgreSQL the load of the same rows and the creation of its two GIN indexes.
- **Reading room**: the time to build and render one resolution's page, per resolution.

    python bench/search.py [--resolutions 100000] [--runs 7] [--no-pg] [--room N]
                           [--workspace DIR] [--cold-only]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (  # noqa: E402
    OUT,
    PYTHON,
    RESOLUTIONS,
    ROOT,
    Figure,
    bench_env,
    interleaved,
    print_figures,
    refresh_bytecode,
    save,
    timed_run,
)

TARGET = 2.0
#: 50 queries: Russian, Chinese, English; common and rare words, pairs, phrases, filters
QUERIES: list[list[str]] = [
    ["микроэлектрон"], ["сотрудничеств"], ["станкостроению"], ["логистике"], ["энергетике"],
    ['"№ 4711 ("'], ['"№ 99999 ("'], ['"редакция 3"', "--current"], ["производств", "--lang", "ru"],
    ["совместных предприятий"], ["фармацевтике", "--current"], ["образованию"],
    ["сельскому хозяйству"], ["цифровой экономике", "--lang", "ru"], ["локализ"],
    ["компонент", "--state", "withdrawn"], ["Высшего совета"],
    ["微电子"], ["合作"], ["物流"], ["能源"], ["教育"], ["农业"], ["第4711号"], ["第99999号"],
    ["第3稿", "--current"], ["机床制造"], ["数字经济"], ["制药", "--lang", "zh"], ["合资"],
    ["生产"], ["元器件", "--state", "withdrawn"], ["俄罗斯"], ["路线图"],
    ["microelectronics"], ["cooperation"], ["logistics"], ['"no. 4711 ("'], ['"no. 99999 ("'],
    ['"revision 3"', "--current"], ["joint ventures"], ["production", "--lang", "en"],
    ["pharmaceuticals"], ["education", "--current"], ["digital economy"], ["machine tools"],
    ["agriculture", "--state", "withdrawn"], ["components"], ["roadmap"], ["Higher Council"],
]
SAMPLE = {"ru": ["сотрудничеств"], "zh": ["合作"], "en": ['"no. 4711 ("']}

FLOOR = r'''"""The floor: what Python needs to answer `resolutions search` (same SQL, one page)."""
import sys
import unicodedata

QUERY, URL = sys.argv[1], sys.argv[2]
if sys.argv[3:] == ["click"]:  # the variant that also pays for the command-line library
    import click  # noqa: F401
terms = [unicodedata.normalize("NFKC", t).casefold().replace("ё", "е").strip()
         for t in ([QUERY[1:-1]] if QUERY.startswith('"') else QUERY.split())]
pairs = [t for t in terms if len(t) == 2]
tri = [t for t in terms if len(t) != 2]
if URL.startswith("sqlite:///"):
    import sqlite3
    conn = sqlite3.connect(URL[len("sqlite:///"):])
    parts, params = [], []
    if tri:
        parts.append("SELECT rowid FROM search_trigrams WHERE search_trigrams MATCH ?")
        params.append(" AND ".join('"' + t.replace('"', '""') + '"' for t in tri))
    for t in pairs:
        parts.append("SELECT rowid FROM search_pairs WHERE search_pairs MATCH ?")
        params.append('"' + t + '"')
    candidates, mark = " INTERSECT ".join(parts), "?"
else:
    import psycopg
    conn = psycopg.connect(URL.replace("postgresql+psycopg://", "postgresql://"))
    where, params = [], []
    for t in terms:
        if len(t) == 2:
            where.append("to_tsvector('simple'::regconfig, grams) @@ "
                         "phraseto_tsquery('simple'::regconfig, %s)")
            params.append(t)
        where.append("folded LIKE %s")
        params.append("%" + t + "%")
    candidates, mark = "SELECT id FROM search_texts WHERE " + " AND ".join(where), "%s"
score = " + ".join(f"(length(t.folded) - length(replace(t.folded, {mark}, '')))" for _ in terms)
rows = conn.execute(
    f"SELECT r.symbol, s.resolution_id, s.para_id, s.lang, s.ref, s.first_version, "
    f"s.last_version, t.text, (({score}) * 1000 / (length(t.folded) + 20)) * (CASE WHEN "
    f"s.ref = 'title' THEN 2 ELSE 1 END) AS score FROM search_texts t JOIN search_spans s ON "
    f"s.text_id = t.id JOIN resolutions r ON r.id = s.resolution_id WHERE t.id IN "
    f"({candidates}) ORDER BY score DESC, (CASE WHEN s.last_version = r.current_version "
    f"THEN 0 ELSE 1 END), r.number DESC, s.last_version DESC, s.position, s.lang LIMIT 20",
    [*terms, *params]).fetchall()
total = conn.execute(f"SELECT count(*) FROM search_texts t JOIN search_spans s ON "
                     f"s.text_id = t.id WHERE t.id IN ({candidates})", params).fetchone()[0]
for symbol, rid, para, lang, ref, first, last, text, score in rows:
    print(symbol, ref, f"v{first}-{last}", lang, text)
    for other, aligned in conn.execute(
            f"SELECT s.lang, t.text FROM search_spans s JOIN search_texts t ON t.id = s.text_id "
            f"WHERE s.resolution_id = {mark} AND s.para_id = {mark} AND s.last_version >= {mark} "
            f"AND s.first_version <= {mark} AND s.lang <> {mark}", (rid, para, last, last, lang)):
        print("  ", other, aligned)
print(total, "found")
'''


def _floor_args(query: list[str]) -> str:
    """The query's words for the floor (which applies no filter: they cost us, not it)."""
    words = []
    for word in query:
        if word.startswith("--"):
            break
        words.append(word)
    return " ".join(words)


def _cold(ws: Path, url: str, queries: list[list[str]], runs: int, env: dict[str, str],
          floor: Path, label: str) -> list[Figure]:
    figures = []
    for lang, query in SAMPLE.items():
        result = interleaved({
            "ours": [RESOLUTIONS, "--workspace", str(ws), "search", *query],
            "floor": [PYTHON, str(floor), _floor_args(query), url],
            "floor+click": [PYTHON, str(floor), _floor_args(query), url, "click"],
        }, runs, env=env)
        figures.append(Figure(label, f"cold search {' '.join(query)} ({lang}), CPU",
                              result["ours"][1], "ms", "plain FTS script", result["floor"][1],
                              TARGET))
        figures.append(Figure(label, f"cold search {' '.join(query)} ({lang}), CPU",
                              result["ours"][1], "ms", "the same script importing click",
                              result["floor+click"][1], TARGET))
        figures.append(Figure(label, f"cold search {' '.join(query)} ({lang}), wall",
                              result["ours"][0], "ms", "plain FTS script", result["floor"][0]))
    if not queries:
        return figures
    walls: dict[str, list[float]] = {"ours": [], "floor": []}
    for query in queries:
        walls["ours"].append(timed_run([RESOLUTIONS, "--workspace", str(ws), "search", *query],
                                       env=env)[0])
        walls["floor"].append(timed_run([PYTHON, str(floor), _floor_args(query), url],
                                        env=env)[0])
    for name, values in walls.items():
        cut = statistics.quantiles(values, n=20)
        figures.append(Figure(label, f"{len(values)} queries ru/zh/en, p50 wall ({name})",
                              statistics.median(values), "ms"))
        figures.append(Figure(label, f"{len(values)} queries ru/zh/en, p95 wall ({name})",
                              cut[18], "ms"))
    return figures


def _sizes_sqlite(db: Path) -> dict[str, float]:
    import sqlite3

    conn = sqlite3.connect(db)
    pages = dict(conn.execute("SELECT name, sum(pgsize) FROM dbstat GROUP BY name"))
    index = sum(v for k, v in pages.items() if k.startswith(("search_", "ix_search_",
                                                              "sqlite_autoindex_search")))
    fts = sum(v for k, v in pages.items() if k.startswith(("search_trigrams", "search_pairs")))
    unique = conn.execute("SELECT sum(length(CAST(text AS BLOB))) FROM search_texts").fetchone()[0]
    every = conn.execute("SELECT sum((s.last_version - s.first_version + 1) * "
                         "length(CAST(t.text AS BLOB))) FROM search_spans s JOIN search_texts t "
                         "ON t.id = s.text_id").fetchone()[0]
    counts = conn.execute("SELECT (SELECT count(*) FROM search_texts), "
                          "(SELECT count(*) FROM search_spans)").fetchone()
    conn.close()
    return {"index": index, "fts": fts, "unique": unique, "every": every,
            "texts": counts[0], "spans": counts[1]}


def _per_version(ws: Path, sample: int = 300) -> float:
    """ms per version of the migration's path: parse the stored text, index the version."""
    from sqlalchemy import create_engine, text

    from drafts.source import load
    from workflow.store.search_index import record_version, year_of

    engine = create_engine(f"sqlite:///{ws / '.resolutions' / 'resolutions.db'}")
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT resolution_id, number, source, created_at FROM versions "
                                 "WHERE resolution_id <= :n ORDER BY resolution_id, number"),
                            {"n": sample // 5}).fetchall()
        conn.rollback()
        trans = conn.begin()
        conn.execute(text("DELETE FROM search_spans WHERE resolution_id <= :n"),
                     {"n": sample // 5})
        started = time.perf_counter()
        for rid, number, source, created in rows:
            model, _ = load(source, "v")
            record_version(conn, rid, number, model, year_of(model, int(str(created)[:4])))
        elapsed = time.perf_counter() - started
        trans.rollback()
    engine.dispose()
    return elapsed * 1000 / len(rows)


def _pg(ws: Path, queries: list[list[str]], runs: int, floor: Path) -> list[Figure]:
    import sqlite3

    import psycopg

    from tests.pg import Cluster
    from workflow.store.db import Database

    cluster = Cluster().start()
    figures: list[Figure] = []
    try:
        url = cluster.create_database()
        Database(url).migrate()  # to the head: tables and GIN indexes
        lite = sqlite3.connect(ws / ".resolutions" / "resolutions.db")
        # the rows copied in bulk, as the superuser with the database's rules off (a member's
        # login writes no fact without its audit event: workflow/store/pgrules.py)
        database = url.split("?")[0].rsplit("/", 1)[-1]
        plain = cluster.url(database).replace("postgresql+psycopg://", "postgresql://")
        with psycopg.connect(plain) as conn:
            conn.execute("SET session_replication_role = replica")
            conn.execute("DROP INDEX ix_search_texts_trigrams")
            conn.execute("DROP INDEX ix_search_texts_pairs")
            started = time.perf_counter()
            for table, columns in (
                    ("resolutions", "id, number, symbol, body, title, state, current_version, "
                                    "row_version, created_at, updated_at"),
                    ("search_texts", "id, lang, digest, text, folded, grams"),
                    ("search_spans", "id, resolution_id, para_id, lang, ref, position, text_id, "
                                     "first_version, last_version, year")):
                with conn.cursor().copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    for row in lite.execute(f"SELECT {columns} FROM {table}"):
                        copy.write_row(row)
            loaded = time.perf_counter()
            conn.execute("CREATE INDEX ix_search_texts_trigrams ON search_texts "
                         "USING gin (folded gin_trgm_ops)")
            trigrams = time.perf_counter()
            conn.execute("CREATE INDEX ix_search_texts_pairs ON search_texts "
                         "USING gin (to_tsvector('simple'::regconfig, grams))")
            pairs = time.perf_counter()
            conn.commit()
            conn.autocommit = True
            conn.execute("VACUUM ANALYZE")
            size = {name: conn.execute("SELECT pg_total_relation_size(%s)", (name,)).fetchone()[0]
                    for name in ("search_texts", "search_spans")}
            gin = {name: conn.execute("SELECT pg_relation_size(%s)", (name,)).fetchone()[0]
                   for name in ("ix_search_texts_trigrams", "ix_search_texts_pairs")}
        figures += [
            Figure("pg", "load resolutions, texts and spans (COPY)", loaded - started, "s"),
            Figure("pg", "build the pg_trgm GIN index", trigrams - loaded, "s"),
            Figure("pg", "build the pairs GIN index", pairs - trigrams, "s"),
            Figure("pg", "index tables and indexes (total)", sum(size.values()) / 2**20, "MiB",
                   note=f"GIN trigrams {gin['ix_search_texts_trigrams'] / 2**20:.0f} MiB, "
                        f"pairs {gin['ix_search_texts_pairs'] / 2**20:.0f} MiB")]
        env = bench_env(RESOLUTIONS_DATABASE_URL=url)
        figures += _cold(ws, url, queries, runs, env, floor, "pg")
    finally:
        cluster.stop()
    return figures


def _room(count: int) -> list[Figure]:
    """ms to build and render a resolution's page, on the small bench workspace."""
    from make_workspace import ensure

    from workflow.app import App
    from workflow.dossier.plan import plan_resolution
    from workflow.dossier.room import resolution_page
    from workflow.store.models import ResolutionRow

    ws = ensure(300, 5, quiet=True)
    app = App.open(ws)
    with app.read() as session:
        rows = [session.get(ResolutionRow, i) for i in range(1, count + 1)]
        plans = [plan_resolution(app, session, row) for row in rows]
        resolution_page(app, session, rows[0], plans[0])  # templates compiled once
        started = time.perf_counter()
        sizes = [len(resolution_page(app, session, row, plan)[0])
                 for row, plan in zip(rows, plans)]
        elapsed = time.perf_counter() - started
    return [Figure("room", "reading-room page per resolution (5 versions, 3 languages)",
                   elapsed * 1000 / count, "ms", note=f"{statistics.mean(sizes) / 1024:.0f} KiB "
                   "per page; plan not included")]


def main() -> list[Figure]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--resolutions", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--no-pg", action="store_true")
    parser.add_argument("--room", type=int, default=50)
    parser.add_argument("--workspace", type=Path, metavar="DIR",
                        help="A workspace make_workspace.py generated already (another "
                             "checkout's bench/out/…), instead of the cache.")
    parser.add_argument("--cold-only", action="store_true",
                        help="Only the cold CPU of the three sample queries against the floor "
                             "(reads only: no index figures, no p95, no PostgreSQL).")
    args = parser.parse_args()
    from make_workspace import ensure

    ws = args.workspace.resolve() if args.workspace else ensure(args.resolutions, 5)
    if not (ws / ".bench-complete").is_file():
        parser.error(f"{ws} is not a workspace make_workspace.py completed")
    if args.cold_only:  # reads only: the workspace may be another run's, in use
        refresh_bytecode()
        OUT.mkdir(parents=True, exist_ok=True)
        floor = OUT / "floor_search.py"
        floor.write_text(FLOOR, "utf-8")
        url = f"sqlite:///{ws / '.resolutions' / 'resolutions.db'}"
        figures = _cold(ws, url, [], args.runs, bench_env(), floor, "sqlite")
        print_figures(figures)
        save("search_cold", figures)
        return figures
    refresh_bytecode()
    OUT.mkdir(parents=True, exist_ok=True)
    floor = OUT / "floor_search.py"
    floor.write_text(FLOOR, "utf-8")
    db = ws / ".resolutions" / "resolutions.db"
    url = f"sqlite:///{db}"
    built = json.loads((ws / ".bench-complete").read_text("utf-8"))
    sizes = _sizes_sqlite(db)
    figures = [
        Figure("index", "bulk build with the versions (make_workspace)", built["index_s"], "s",
               note=f"{int(built['versions'])} versions, {sizes['texts']} texts, "
                    f"{sizes['spans']} spans"),
        Figure("index", "migration path: parse + index, per version", _per_version(ws), "ms"),
        Figure("index", "SQLite index (tables, b-trees, FTS5)", sizes["index"] / 2**20, "MiB",
               note=f"FTS5 {sizes['fts'] / 2**20:.0f} MiB"),
        Figure("index", "text of every version, every language", sizes["every"] / 2**20, "MiB",
               note=f"distinct texts {sizes['unique'] / 2**20:.0f} MiB"),
    ]
    figures += _cold(ws, url, QUERIES, args.runs, bench_env(), floor, "sqlite")
    if not args.no_pg:
        figures += _pg(ws, QUERIES, args.runs, floor)
    if args.room:
        figures += _room(args.room)
    print_figures(figures)
    save("search", figures)
    return figures


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
