"""``resolutions search`` on the 100,000-resolution workspace, against the floor, on SQLite
and on PostgreSQL; the size and build time of the index; the reading room's cost per
resolution.

- **Cold CPU** of ``resolutions search QUERY`` (a fresh process: start, parse, query, the
  aligned paragraphs of the page, print) against the floor: a plain ``sqlite3`` script
  (``bench/out/floor_search.py``, written here) answering the same query with the same SQL
  — the FTS5 ``MATCH``, the join to the spans and resolutions, the ranking, one page of 20,
  the aligned paragraphs of each hit — and printing it. Target ≤ 2×. The commands take
  turns with the floor. On PostgreSQL the floor is the same script on ``psycopg``.
- **p50/p95 of CPU and wall** over 50 queries in Russian, Chinese and English (selective and common
  words, two-character Chinese words, phrases, filters), each a fresh process, ours and the
  floor's.
- **Index size** (SQLite ``dbstat``; PostgreSQL ``pg_total_relation_size``) against the
  size of the text it indexes: every paragraph of every version in every language (UTF-8),
  and the distinct texts.
- **Build time**: the bulk build that ``make_workspace.py`` times (``index_s``), the
  per-version path the migration takes (parse each version, index it) on a sample, and on
  PostgreSQL the load of the same rows and the creation of its two GIN indexes.
- **Same hits**: on PostgreSQL, whether each query prints what it printed on SQLite (the
  page and the total); where not, the first differing hit (``bench/out/search-differences.json``).
- **Reading room**: its pages built and rendered inside a real ``dossier export`` of N
  resolutions through their whole life (``bench/dossier.py``'s workspace), per resolution,
  against the export's own time.

Each part runs alone with ``--only``; the per-query times and outputs go to
``bench/out/search-queries-{sqlite,pg}.json``.

    python bench/search.py [--only index,sqlite,pg,room] [--resolutions 100000] [--runs 7]
                           [--queries 50] [--room 20] [--no-pg] [--workspace DIR]
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
    timed_output,
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

QUERY, URL, FILTERS = sys.argv[1], sys.argv[2], sys.argv[3]
if sys.argv[4:] == ["click"]:  # the variant that also pays for the command-line library
    import click  # noqa: F401
filters = dict(f.split("=", 1) for f in FILTERS.split(",") if f)  # lang=ru,state=withdrawn
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
columns = {"lang": "s.lang", "body": "r.body", "state": "r.state", "year": "s.year"}
where = "".join(f" AND {columns[k]} = {mark}" for k in filters if k in columns)
fparams = [int(v) if k == "year" else v for k, v in filters.items() if k in columns]
if "current" in filters:
    where += " AND s.last_version = r.current_version"
rows = conn.execute(
    f"SELECT r.symbol, s.resolution_id, s.para_id, s.lang, s.ref, s.first_version, "
    f"s.last_version, t.text, (({score}) * 1000 / (length(t.folded) + 20)) * (CASE WHEN "
    f"s.ref = 'title' THEN 2 ELSE 1 END) AS score FROM search_texts t JOIN search_spans s ON "
    f"s.text_id = t.id JOIN resolutions r ON r.id = s.resolution_id WHERE t.id IN "
    f"({candidates}){where} ORDER BY score DESC, (CASE WHEN s.last_version = r.current_version "
    f"THEN 0 ELSE 1 END), r.number DESC, s.last_version DESC, s.position, s.lang LIMIT 20",
    [*terms, *params, *fparams]).fetchall()
joined = " JOIN resolutions r ON r.id = s.resolution_id" if where else ""
total = conn.execute(f"SELECT count(*) FROM search_texts t JOIN search_spans s ON "
                     f"s.text_id = t.id{joined} WHERE t.id IN ({candidates}){where}",
                     [*params, *fparams]).fetchone()[0]
for symbol, rid, para, lang, ref, first, last, text, score in rows:
    print(symbol, ref, f"v{first}-{last}", lang, text)
    for other, aligned in conn.execute(
            f"SELECT s.lang, t.text FROM search_spans s JOIN search_texts t ON t.id = s.text_id "
            f"WHERE s.resolution_id = {mark} AND s.para_id = {mark} AND s.last_version >= {mark} "
            f"AND s.first_version <= {mark} AND s.lang <> {mark}", (rid, para, last, last, lang)):
        print("  ", other, aligned)
print(total, "found")
'''


def _floor_args(query: list[str]) -> list[str]:
    """The floor's arguments after its own path: the query's words, the database URL's
    place is the caller's, then its filters as ``lang=ru,state=withdrawn,current=1`` (the
    floor applies them with the same SQL conditions as ``search``)."""
    words: list[str] = []
    filters: list[str] = []
    rest = iter(query)
    for word in rest:
        if word == "--current":
            filters.append("current=1")
        elif word.startswith("--"):
            filters.append(f"{word[2:]}={next(rest)}")
        else:
            words.append(word)
    return [" ".join(words), ",".join(filters)]


#: a query whose floor costs less than this (ms of CPU) is run QUICK_RUNS times, ours and the
#: floor's taking turns, and its medians kept
QUICK_MS, QUICK_RUNS = 150.0, 5


def _floor_command(floor: Path, query: list[str], url: str) -> list[str]:
    words, filters = _floor_args(query)
    return [PYTHON, str(floor), words, url, filters]


def _run_capture(args: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """Wall and CPU ms of one fresh process (``wait4``), and its standard output."""
    return timed_output(args, env=env)


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[18]


def _cold(ws: Path, url: str, queries: list[list[str]], runs: int, env: dict[str, str],
          floor: Path, label: str) -> tuple[list[Figure], list[dict[str, object]]]:
    """The three sample queries (median of ``runs``, with the floor and the floor importing
    click taking turns), then each of ``queries`` once (the quick ones QUICK_RUNS times: medians), ours and the floor's in turn, each a
    fresh process. Returns the figures and, per query, its times and what we printed."""
    figures = []
    for lang, query in SAMPLE.items():
        result = interleaved({
            "ours": [RESOLUTIONS, "--workspace", str(ws), "search", *query],
            "floor": _floor_command(floor, query, url),
            "floor+click": [*_floor_command(floor, query, url), "click"],
        }, runs, env=env)
        figures.append(Figure(label, f"cold search {' '.join(query)} ({lang}), CPU",
                              result["ours"][1], "ms", "plain FTS script", result["floor"][1],
                              TARGET))
        figures.append(Figure(label, f"cold search {' '.join(query)} ({lang}), CPU",
                              result["ours"][1], "ms", "the same script importing click",
                              result["floor+click"][1], TARGET))
        figures.append(Figure(label, f"cold search {' '.join(query)} ({lang}), wall",
                              result["ours"][0], "ms", "plain FTS script", result["floor"][0]))
    rows: list[dict[str, object]] = []
    for n, query in enumerate(queries, 1):
        ours_args = [RESOLUTIONS, "--workspace", str(ws), "search", *query]
        wall, cpu, out = _run_capture(ours_args, env)
        floor_wall, floor_cpu, _ = _run_capture(_floor_command(floor, query, url), env)
        if floor_cpu < QUICK_MS:  # a few tens of ms: one run is mostly the machine's noise
            times = [(wall, cpu, floor_wall, floor_cpu)]
            for _ in range(QUICK_RUNS - 1):
                w, c, _out = _run_capture(ours_args, env)
                fw, fc, _out = _run_capture(_floor_command(floor, query, url), env)
                times.append((w, c, fw, fc))
            wall, cpu, floor_wall, floor_cpu = (statistics.median(t[i] for t in times)
                                                for i in range(4))
        rows.append({"query": query, "wall": wall, "cpu": cpu, "floor_wall": floor_wall,
                     "floor_cpu": floor_cpu, "found": out.strip().rsplit("\n", 1)[-1],
                     "output": out})
        print(f"{label} {n:>2}/{len(queries)} {' '.join(query):<32} cpu {cpu:7.0f} ms "
              f"(floor {floor_cpu:6.0f}) wall {wall:7.0f} ms (floor {floor_wall:6.0f})  "
              f"{rows[-1]['found']}", flush=True)
    count = len(rows)
    if not count:  # --queries 0: the sample queries only
        return figures, rows
    for kind in ("cpu", "wall"):
        ours = [float(r[kind]) for r in rows]  # type: ignore[arg-type]
        base = [float(r["floor_" + kind]) for r in rows]  # type: ignore[arg-type]
        word = "CPU" if kind == "cpu" else "wall"
        figures.append(Figure(label, f"{count} queries ru/zh/en, p50 {word}",
                              statistics.median(ours), "ms", "floor's p50",
                              statistics.median(base), TARGET if kind == "cpu" else None))
        figures.append(Figure(label, f"{count} queries ru/zh/en, p95 {word}", _p95(ours), "ms",
                              "floor's p95", _p95(base), TARGET if kind == "cpu" else None))
        ratios = sorted(o / b for o, b in zip(ours, base))
        figures.append(Figure(label, f"{count} queries, {word} ratio per query",
                              statistics.median(ratios), "×",
                              note=f"min {ratios[0]:.2f}×, max {ratios[-1]:.2f}×, "
                                   f"{sum(r <= TARGET for r in ratios)} of {count} ≤ "
                                   f"{TARGET:.0f}×"))
    return figures, rows


def _sizes_sqlite(db: Path) -> dict[str, float]:
    """Bytes of the index's b-trees (``dbstat``, one b-tree at a time, read-only) and of the
    text it indexes."""
    import sqlite3

    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    names = [n for (n,) in conn.execute(
        "SELECT name FROM sqlite_master WHERE rootpage > 0 AND (name LIKE 'search%' OR "
        "name LIKE 'ix_search%' OR name LIKE 'sqlite_autoindex_search%')")]
    pages = {n: conn.execute("SELECT sum(pgsize) FROM dbstat WHERE name = ? AND aggregate = 1",
                             (n,)).fetchone()[0] or 0 for n in names}
    index = sum(pages.values())
    fts = sum(v for k, v in pages.items() if k.startswith(("search_trigrams", "search_pairs")))
    whole = conn.execute("PRAGMA page_count").fetchone()[0] * conn.execute(
        "PRAGMA page_size").fetchone()[0]
    unique = conn.execute("SELECT sum(length(CAST(text AS BLOB))) FROM search_texts").fetchone()[0]
    every = conn.execute("SELECT sum((s.last_version - s.first_version + 1) * "
                         "length(CAST(t.text AS BLOB))) FROM search_spans s JOIN search_texts t "
                         "ON t.id = s.text_id").fetchone()[0]
    versions = conn.execute("SELECT sum(length(CAST(source AS BLOB))) FROM versions").fetchone()[0]
    counts = conn.execute("SELECT (SELECT count(*) FROM search_texts), "
                          "(SELECT count(*) FROM search_spans)").fetchone()
    conn.close()
    return {"index": index, "fts": fts, "unique": unique, "every": every, "whole": whole,
            "sources": versions, "texts": counts[0], "spans": counts[1],
            "tables": {k: v for k, v in sorted(pages.items(), key=lambda kv: -kv[1])}}


def _per_version(ws: Path, sample: int = 300) -> float:
    """ms per version of the migration's path (parse the stored text, index the version) into
    the full index: the spans of the first ``sample / 5`` resolutions removed and written
    again, in a transaction rolled back (their texts stay indexed: a lookup each)."""
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


def _rebuild_sample(n: int = 200) -> tuple[float, int]:
    """ms per version of the migration itself (``search_index.rebuild``: from an empty index,
    every stored version parsed and indexed, its texts written to FTS5) on a generated
    ``n`` × 5 workspace, and the number of versions."""
    import tempfile

    from make_workspace import build
    from sqlalchemy import create_engine

    from workflow.store.search_index import rebuild

    with tempfile.TemporaryDirectory(prefix="rebuild-", dir=OUT) as tmp:
        build(Path(tmp) / "ws", n, 5)
        engine = create_engine(f"sqlite:///{Path(tmp) / 'ws' / '.resolutions' / 'resolutions.db'}")
        with engine.begin() as conn:
            started = time.perf_counter()
            count = rebuild(conn)
            elapsed = time.perf_counter() - started
        engine.dispose()
    return elapsed * 1000 / count, count


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
        tables = ("resolutions", "search_texts", "search_spans")
        with psycopg.connect(plain) as conn:
            conn.execute("SET session_replication_role = replica")
            # the secondary indexes dropped and built after the load, each timed (the keys
            # and unique constraints stay: COPY maintains them)
            secondary = conn.execute(
                "SELECT i.indexname, i.indexdef FROM pg_indexes i JOIN pg_class c ON "
                "c.relname = i.indexname WHERE i.tablename = ANY(%s) AND NOT EXISTS (SELECT 1 "
                "FROM pg_constraint k WHERE k.conindid = c.oid) ORDER BY i.indexname",
                (list(tables),)).fetchall()
            for name, _ in secondary:
                conn.execute(f"DROP INDEX {name}")
            loads = {}
            for table, columns in (
                    ("resolutions", "id, number, symbol, body, title, state, current_version, "
                                    "row_version, created_at, updated_at"),
                    ("search_texts", "id, lang, digest, text, folded, grams"),
                    ("search_spans", "id, resolution_id, para_id, lang, ref, position, text_id, "
                                     "first_version, last_version, year")):
                started = time.perf_counter()
                with conn.cursor().copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    for row in lite.execute(f"SELECT {columns} FROM {table}"):
                        copy.write_row(row)
                loads[table] = time.perf_counter() - started
                print(f"pg: COPY {table} {loads[table]:.1f} s", flush=True)
            builds = {}
            for name, definition in secondary:
                started = time.perf_counter()
                conn.execute(definition)
                builds[name] = time.perf_counter() - started
                print(f"pg: {definition}: {builds[name]:.1f} s", flush=True)
            conn.commit()
            conn.autocommit = True
            started = time.perf_counter()
            conn.execute("VACUUM ANALYZE")
            vacuum = time.perf_counter() - started
            size = {name: conn.execute("SELECT pg_total_relation_size(%s)", (name,)).fetchone()[0]
                    for name in tables}
            heap = {name: conn.execute("SELECT pg_table_size(%s)", (name,)).fetchone()[0]
                    for name in tables}
            each = {name: conn.execute("SELECT pg_relation_size(%s)", (name,)).fetchone()[0]
                    for name, _ in secondary}
            keys = dict(conn.execute(
                "SELECT c.relname, pg_relation_size(c.oid) FROM pg_constraint k JOIN pg_class c "
                "ON c.oid = k.conindid WHERE k.conrelid::regclass::text = ANY(%s)",
                (list(tables),)).fetchall())
            every = lite.execute("SELECT sum((s.last_version - s.first_version + 1) * "
                                 "length(CAST(t.text AS BLOB))) FROM search_spans s JOIN "
                                 "search_texts t ON t.id = s.text_id").fetchone()[0]
        gin = {k: v for k, v in builds.items() if "trigram" in k or "pairs" in k}
        figures += [
            Figure("pg", "load resolutions, texts and spans (COPY)", sum(loads.values()), "s",
                   note=", ".join(f"{k} {v:.1f} s" for k, v in loads.items())),
            *[Figure("pg", f"build {name}", seconds, "s", note=f"{each[name] / 2**20:.0f} MiB")
              for name, seconds in builds.items()],
            Figure("pg", "VACUUM ANALYZE after the load", vacuum, "s"),
            Figure("pg", "search tables and indexes (total)",
                   (size["search_texts"] + size["search_spans"]) / 2**20, "MiB",
                   "text of every version, every language", every / 2**20,
                   note=f"heap + TOAST: texts {heap['search_texts'] / 2**20:.0f}, spans "
                        f"{heap['search_spans'] / 2**20:.0f} MiB; GIN "
                        f"{sum(each[k] for k in gin) / 2**20:.0f} MiB; keys and unique "
                        f"{sum(keys.values()) / 2**20:.0f} MiB"),
        ]
        env = bench_env(RESOLUTIONS_DATABASE_URL=url)
        found, rows = _cold(ws, url, queries, runs, env, floor, "pg")
        _save_rows("pg", ws, rows)
        figures += found
        figures += _same_hits(ws, queries, rows, env)
    finally:
        cluster.stop()
    return figures


def _hit_keys(ws: Path, query: list[str], env: dict[str, str]) -> tuple[int, list[tuple]]:
    """The total and the page of hits of ``search --json``: (symbol, versions, paragraph,
    language, score) in order."""
    import subprocess

    out = subprocess.run([RESOLUTIONS, "--workspace", str(ws), "search", *query, "--json"],
                         env=env, capture_output=True, text=True, check=True).stdout
    found = json.loads(out)
    return found["total"], [(h["symbol"], tuple(h["versions"]), h["paragraph_id"], h["lang"],
                             h["score"]) for h in found["hits"]]


def _same_hits(ws: Path, queries: list[list[str]], rows: list[dict[str, object]],
               env: dict[str, str]) -> list[Figure]:
    """Whether PostgreSQL printed, for each query, what SQLite printed (the same page of
    hits, the same order, the same total); where not, the first hit that differs."""
    lite = _saved_outputs("sqlite", ws)
    same, differ = 0, []
    for query, row in zip(queries, rows):
        key = " ".join(query)
        if key not in lite:
            lite[key] = _run_capture([RESOLUTIONS, "--workspace", str(ws), "search", *query],
                                     bench_env())[2]
        if lite[key] == row["output"]:
            same += 1
            continue
        total_l, hits_l = _hit_keys(ws, query, bench_env())
        total_p, hits_p = _hit_keys(ws, query, env)
        at = next((i for i, (a, b) in enumerate(zip(hits_l, hits_p)) if a != b),
                  min(len(hits_l), len(hits_p)))
        differ.append({"query": query, "total": [total_l, total_p], "first_difference": at,
                       "sqlite": hits_l[at:at + 3], "pg": hits_p[at:at + 3]})
        print(f"differs: {key}: totals {total_l} / {total_p}, from hit {at + 1}: "
              f"{hits_l[at:at + 2]} / {hits_p[at:at + 2]}", flush=True)
    (OUT / "search-differences.json").write_text(json.dumps(differ, ensure_ascii=False,
                                                            indent=1), "utf-8")
    return [Figure("pg", "queries printing the same page as SQLite", same, "of "
                   f"{len(rows)}", note="; ".join(" ".join(d["query"]) for d in differ))]


#: a fresh process running ``dossier export`` with the reading room's two functions timed
ROOM_PROBE = r"""
import json, os, sys, time
from workflow.dossier import room
spent = {"pages": 0, "page_s": 0.0, "index_s": 0.0}
page, index = room.resolution_page, room.index_page
def timed_page(*args, **kwargs):
    started = time.perf_counter()
    try:
        return page(*args, **kwargs)
    finally:
        spent["page_s"] += time.perf_counter() - started
        spent["pages"] += 1
def timed_index(*args, **kwargs):
    started = time.perf_counter()
    try:
        return index(*args, **kwargs)
    finally:
        spent["index_s"] += time.perf_counter() - started
room.resolution_page, room.index_page = timed_page, timed_index
from cli import cli
started = time.perf_counter()
try:
    cli.main(sys.argv[1:], prog_name="resolutions", standalone_mode=False)
finally:
    spent["export_s"] = time.perf_counter() - started
    with open(os.environ["ROOM_PROBE_OUT"], "w") as out:
        json.dump(spent, out)
"""


def _room(count: int) -> list[Figure]:
    """The reading room's share of a real ``dossier export`` of ``count`` resolutions, each
    through its whole life (``bench/dossier.py``'s workspace: two review rounds, a comment,
    an amendment, two approvals, two PAdES signatures, a submission and its receipt):
    its pages built and rendered (signatures verified as the page reports them), timed
    inside the export, against the export's own time."""
    import shutil
    import tempfile

    import dossier

    template = dossier.ensure(count)
    with tempfile.TemporaryDirectory(prefix="room-", dir=OUT) as tmp:
        ws = dossier._fresh_copy(template, Path(tmp) / "ws")
        if not (ws / ".resolutions/keys/seal/seal.p12").exists():  # an older template
            dossier._Run(ws)("keys", "seal-issue", "--ca-passphrase-file",
                             dossier._secret(ws, "ca"), "--passphrase-file",
                             dossier._secret(ws, "seal"))
        probe = Path(tmp) / "probe.py"
        probe.write_text(ROOM_PROBE, "utf-8")
        result = Path(tmp) / "room.json"
        figures = []
        for attempt in ("first export", "unchanged re-export"):
            bag = Path(tmp) / f"bag-{len(figures)}"
            args = [PYTHON, str(probe), "--workspace", str(ws), "--json", "dossier", "export",
                    *[str(i) for i in range(1, count + 1)], "-o", str(bag), "--workers", "2",
                    "--seal-passphrase-file", dossier._secret(ws, "seal")]
            wall, cpu, _ = _run_capture(args, bench_env(ROOM_PROBE_OUT=str(result)))
            spent = json.loads(result.read_text("utf-8"))
            pages = sorted(bag.glob("data/*/index.html"))
            size = sum(p.stat().st_size for p in pages) / max(len(pages), 1)
            if not spent["pages"]:  # the pages of an unchanged dossier are taken as they were
                figures.append(Figure(
                    "room", f"{attempt}, N={count}: pages built", 0, "of " f"{count}",
                    note=f"{len(pages)} pages in the bag, taken from the previous export; the "
                         f"index page {spent['index_s'] * 1000:.0f} ms; export "
                         f"{wall / 1000:.1f} s wall, {cpu / 1000:.1f} s CPU with its workers"))
                print(figures[-1].line(), flush=True)
                shutil.rmtree(bag)
                continue
            figures.append(Figure(
                "room", f"reading-room page per resolution ({attempt}, N={count})",
                spent["page_s"] * 1000 / spent["pages"], "ms", "the export per resolution",
                spent["export_s"] * 1000 / count,
                note=f"{spent['pages']} pages, {size / 1024:.0f} KiB each; the index page "
                     f"{spent['index_s'] * 1000:.0f} ms; export {wall / 1000:.1f} s wall, "
                     f"{cpu / 1000:.1f} s CPU with its workers"))
            print(figures[-1].line(), flush=True)
            shutil.rmtree(bag)
    return figures


PARTS = ("index", "sqlite", "pg", "room")


def _saved_outputs(label: str, ws: Path) -> dict[str, str]:
    """What the last run on ``label`` printed for each query on this workspace."""
    path = OUT / f"search-queries-{label}.json"
    if not path.exists():
        return {}
    return {" ".join(r["query"]): r["output"] for r in json.loads(path.read_text("utf-8"))
            if r["workspace"] == ws.name}


def _save_rows(label: str, ws: Path, rows: list[dict[str, object]]) -> None:
    (OUT / f"search-queries-{label}.json").write_text(json.dumps(
        [{**r, "workspace": ws.name} for r in rows], ensure_ascii=False, indent=1), "utf-8")


def _index(ws: Path, db: Path) -> list[Figure]:
    built = json.loads((ws / ".bench-complete").read_text("utf-8"))
    rebuilt = _rebuild_sample()
    started = time.perf_counter()
    sizes = _sizes_sqlite(db)
    print(f"index sizes read in {time.perf_counter() - started:.0f} s", flush=True)
    (OUT / "search-sizes.json").write_text(json.dumps(sizes, indent=1), "utf-8")
    top = ", ".join(f"{k} {v / 2**20:.0f}" for k, v in list(sizes["tables"].items())[:6])
    return [
        Figure("index", "bulk build with the versions (make_workspace)", built["index_s"], "s",
               note=f"{int(built['versions'])} versions, {sizes['texts']} texts, "
                    f"{sizes['spans']} spans; the rows and the chain: {built['insert_s']:.0f} s"),
        Figure("index", "migration path into the full index, per version", _per_version(ws),
               "ms", note="300 versions re-indexed, rolled back; their texts already there"),
        Figure("index", "the migration's rebuild() from nothing, per version", rebuilt[0], "ms",
               note=f"{rebuilt[1]} versions of a generated 200 × 5 workspace; for "
                    f"{int(built['versions'])} versions: ≈ "
                    f"{rebuilt[0] * built['versions'] / 60000:.0f} min"),
        Figure("index", "SQLite index (tables, b-trees, FTS5)", sizes["index"] / 2**20, "MiB",
               "text of every version, every language", sizes["every"] / 2**20,
               note=f"FTS5 {sizes['fts'] / 2**20:.0f} MiB; MiB by b-tree: {top}"),
        Figure("index", "SQLite index against the distinct texts", sizes["index"] / 2**20, "MiB",
               "distinct texts", sizes["unique"] / 2**20,
               note=f"the whole database {sizes['whole'] / 2**30:.2f} GiB, the versions' "
                    f"YAML {sizes['sources'] / 2**20:.0f} MiB"),
    ]


def main() -> list[Figure]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--resolutions", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--no-pg", action="store_true")
    parser.add_argument("--room", type=int, default=20,
                        help="resolutions in the reading-room measurement (0: none)")
    parser.add_argument("--only", default=",".join(PARTS),
                        help=f"the parts to run, comma-separated, of {', '.join(PARTS)}")
    parser.add_argument("--queries", type=int, default=len(QUERIES),
                        help="how many of the 50 queries to time (the first N; 0: only the "
                             "three sample queries' cold CPU)")
    parser.add_argument("--workspace", type=Path, metavar="DIR",
                        help="a workspace make_workspace.py completed already (another "
                             "checkout's bench/out/…) instead of the cache; with --only "
                             "sqlite it is only read")
    args = parser.parse_args()
    parts = [p for p in args.only.split(",") if p]
    if unknown := set(parts) - set(PARTS):
        parser.error(f"unknown part(s) {', '.join(sorted(unknown))}; choose from {PARTS}")
    if args.no_pg and "pg" in parts:
        parts.remove("pg")
    if not args.room and "room" in parts:
        parts.remove("room")
    from make_workspace import ensure

    queries = QUERIES[:args.queries]
    refresh_bytecode()
    OUT.mkdir(parents=True, exist_ok=True)
    floor = OUT / "floor_search.py"
    floor.write_text(FLOOR, "utf-8")
    figures: list[Figure] = []
    if {"index", "sqlite", "pg"} & set(parts):
        ws = args.workspace.resolve() if args.workspace else ensure(args.resolutions, 5)
        if not (ws / ".bench-complete").is_file():
            parser.error(f"{ws} is not a workspace make_workspace.py completed")
        db = ws / ".resolutions" / "resolutions.db"
        url = f"sqlite:///{db}"
    if "index" in parts:
        figures += _index(ws, db)
        print_figures(figures)
    if "sqlite" in parts:
        found, rows = _cold(ws, url, queries, args.runs, bench_env(), floor, "sqlite")
        _save_rows("sqlite", ws, rows)
        figures += found
        print_figures(found)
    if "pg" in parts:
        found = _pg(ws, queries, args.runs, floor)
        figures += found
        print_figures(found)
    if "room" in parts:
        found = _room(args.room)
        figures += found
        print_figures(found)
    if len(parts) > 1:
        print("\nall figures:")
        print_figures(figures)
    save("search" if parts == list(PARTS) else "search-" + "-".join(parts), figures)
    return figures


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
