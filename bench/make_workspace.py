"""Build a large workspace for the benchmarks: N resolutions × V versions (default 10,000 × 5).

The members are added through the services; the resolutions, their versions, translation
records and audit events are bulk-inserted with SQLAlchemy core in one transaction. Every
row is what the services would have written: the audit chain is extended from the head with
``workflow.store.audit.event_hash``, each version's text parses and matches its recorded hash,
each resolution's state is the last one its events record, and each row's content hash is in
the event that wrote it last (``"facts"``, as ``workflow.store.facts`` records them), so
``resolutions audit verify`` passes.

The workspace is cached under ``bench/out/`` keyed by schema revision, generator revision
and size; a re-run with the same key returns at once.

    python bench/make_workspace.py [--resolutions N] [--versions V] [--force]
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import os
import shutil
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
OUT = HERE / "out"
sys.path.insert(0, str(ROOT))

GENERATOR_REVISION = "5"  # 5: the search index (migration 0011) built with the versions
TOPICS = [
    ("микроэлектронике", "微电子", "microelectronics"),
    ("станкостроению", "机床制造", "machine tools"),
    ("логистике", "物流", "logistics"),
    ("энергетике", "能源", "energy"),
    ("образованию", "教育", "education"),
    ("фармацевтике", "制药", "pharmaceuticals"),
    ("сельскому хозяйству", "农业", "agriculture"),
    ("цифровой экономике", "数字经济", "the digital economy"),
]
SYMBOL_MARK = "RCWG/RES/2024/999999999"
START = dt.datetime(2015, 1, 1, 9, 0, 0, tzinfo=dt.timezone.utc)
TITLE_MARK = {"ru": "ЗАГОЛОВОКРУ", "zh": "标题中文", "en": "TITLEEN"}


def workspace_path(n: int, versions: int) -> Path:
    from workflow.store.db import schema_revision

    return OUT / f"workspace-s{schema_revision()}-g{GENERATOR_REVISION}-{n}x{versions}"


def _titles(i: int, v: int) -> dict[str, str]:
    ru, zh, en = TOPICS[i % len(TOPICS)]
    return {"ru": f"О сотрудничестве по {ru} № {i} (редакция {v})",
            "zh": f"关于{zh}合作第{i}号（第{v}稿）",
            "en": f"On cooperation in {en} no. {i} (revision {v})"}


def _template() -> tuple[object, str]:
    """A trimmed copy of the demo resolution (4 preambular, 5 operative paragraphs) with
    marker strings where the symbol and title go."""
    from drafts.source import dump, load

    text = (ROOT / "workflow" / "demo_data" / "resolution.yaml").read_text("utf-8")
    model, _ = load(text, "resolution.yaml")
    model = dataclasses.replace(model, preamble=model.preamble[:4], operative=model.operative[:4] + model.operative[-1:],
                                annexes=(), title=dict(TITLE_MARK), symbol=SYMBOL_MARK)
    return model, dump(model)


def _source(template: str, symbol: str, titles: dict[str, str]) -> str:
    out = template.replace(SYMBOL_MARK, symbol)
    for lang, mark in TITLE_MARK.items():
        out = out.replace(mark, titles[lang])
    return out


def _add_members(root: Path) -> None:
    from workflow.app import App
    from workflow.demo import MEMBERS
    from workflow.members import add_member

    app = App.open(root, "ivanova")
    from workflow import clock

    before = START - dt.timedelta(hours=1)
    clock.use(lambda: before)
    try:
        for mid, name, names, org, delegation, email, lang, roles in MEMBERS:
            add_member(app, mid, name=name, org=org, delegation=delegation, email=email,
                       roles=roles, names=names, lang=lang)
    finally:
        clock.use(None)
        app.db.dispose()


def init_group(root: Path) -> None:
    """A new workspace at ``root`` with the demo members, its events dated before START
    (the bulk-inserted resolutions come after them in the chain)."""
    from workflow import clock
    from workflow.store.setup import init_workspace

    at_init = START - dt.timedelta(hours=2)
    clock.use(lambda: at_init)  # the workspace's first event (its rules) comes first
    try:
        init_workspace(root, name="Russian–Chinese working group on microelectronics",
                       prefix="RCWG", languages=("ru", "zh", "en"),
                       approval_rule="each-delegation",
                       names={"ru": "Российско-китайская рабочая группа по микроэлектронике",
                              "zh": "中俄微电子工作组"})
    finally:
        clock.use(None)
    _add_members(root)


def build(root: Path, n: int, versions: int) -> dict[str, float]:
    """Create the workspace at ``root`` (which must not exist)."""
    from sqlalchemy import update

    from drafts.staleness import reconcile
    from workflow.app import App
    from workflow.store.chain import event_hash
    from workflow.store.models import (
        AuditEvent,
        AuditHead,
        ResolutionRow,
        TranslationState,
        Version,
    )
    from workflow.store.rowhash import field_digests, row_digest

    started = time.perf_counter()
    init_group(root)
    template_model, template = _template()
    app = App.open(root, "ivanova")
    engine = app.db.engine
    tables = {t.name: t for t in (ResolutionRow.__table__, Version.__table__,
                                  TranslationState.__table__)}
    with engine.connect() as conn:
        head = conn.execute(AuditHead.__table__.select()).one()
    seq, prev = int(head.seq), str(head.hash)
    start_at = START

    res_rows, ver_rows, ev_rows, tr_rows = [], [], [], []
    final_state: dict[int, str] = {}
    row_version: dict[int, int] = {}
    last_event: dict[int, int] = {}       # resolution -> index of its last event
    facts: dict[int, list[list[object]]] = {}

    def event(number: int, action: str, detail: dict[str, object]) -> None:
        nonlocal seq
        seq += 1
        at = start_at + dt.timedelta(minutes=seq)
        ev_rows.append({"seq": seq, "at": at, "actor": "ivanova", "action": action,
                        "outcome": "ok", "resolution_id": number,
                        "symbol": f"RCWG/RES/2024/{number}", "detail": detail})
        last_event[number] = len(ev_rows) - 1

    def fact(index: int, table: str, values: dict[str, object]) -> None:
        key = [values[c.name] for c in tables[table].primary_key.columns]
        facts.setdefault(index, []).append(
            [table, [str(k) for k in key], row_digest(table, values), field_digests(values)])

    # round by round, so each resolution's events are spread through the log as in life
    for v in range(1, versions + 1):
        for i in range(1, n + 1):
            titles = _titles(i, v)
            model = dataclasses.replace(template_model, title=titles)
            digest = model.content_hash()
            at = start_at + dt.timedelta(minutes=seq + 1)
            ver_rows.append({"id": len(ver_rows) + 1, "resolution_id": i, "number": v,
                             "source": _source(template, f"RCWG/RES/2024/{i}", titles),
                             "content_hash": digest, "author": "ivanova",
                             "note": "first draft" if v == 1 else f"revision {v}",
                             "created_at": at})
            if v == 1:
                res_rows.append({"id": i, "number": i, "symbol": f"RCWG/RES/2024/{i}",
                                 "body": template_model.body, "title": titles["en"],
                                 "state": "draft", "current_version": 1, "row_version": 1,
                                 "created_at": at, "updated_at": at})
                row_version[i] = 1
                event(i, "new", {"version": 1, "content_hash": digest, "state": "draft",
                                 "file": "bench.yaml"})
            else:
                row_version[i] += 1
                event(i, "edit", {"version": v, "content_hash": digest,
                                  "note": f"revision {v}", "state": "draft",
                                  "voided_approvals": 0})
            fact(len(ev_rows) - 1, "versions", ver_rows[-1])
            if v == versions:
                tr_rows.append({"resolution_id": i, "version_number": v, "records_json":
                                json.dumps(reconcile(model), ensure_ascii=False, sort_keys=True)})
                fact(len(ev_rows) - 1, "translation_state", tr_rows[-1])
                final_state[i] = "draft"
    for i in range(7, n + 1, 7):  # every seventh was withdrawn
        row_version[i] += 1
        event(i, "withdraw", {"reason": "superseded", "from": "draft", "state": "withdrawn"})
        final_state[i] = "withdrawn"
    last_at = start_at + dt.timedelta(minutes=seq)
    for row in res_rows:
        row.update(state=final_state[row["id"]], current_version=versions,
                   title=_titles(row["id"], versions)["en"],
                   row_version=row_version[row["id"]], updated_at=last_at)
        fact(last_event[row["id"]], "resolutions", row)
    for index, ev in enumerate(ev_rows):  # the chain, now that every event's facts are known
        if index in facts:
            ev["detail"]["facts"] = sorted(facts[index], key=lambda f: (f[0], str(f[1])))
        text = json.dumps(ev["detail"], ensure_ascii=False, sort_keys=True, default=str)
        ev.update(detail=text, prev_hash=prev,
                  hash=event_hash(ev["seq"], ev["at"], "ivanova", ev["action"], "ok",
                                  ev["resolution_id"], ev["symbol"], text, prev))
        prev = ev["hash"]
    prepared = time.perf_counter()
    with engine.begin() as conn:
        conn.execute(ResolutionRow.__table__.insert(), res_rows)
        for chunk in range(0, len(ver_rows), 5000):
            conn.execute(Version.__table__.insert(), ver_rows[chunk:chunk + 5000])
        conn.execute(TranslationState.__table__.insert(), tr_rows)
        indexing = time.perf_counter()
        index_counts = _index(conn, template_model, ver_rows, n, versions)
        index_s = time.perf_counter() - indexing
        for chunk in range(0, len(ev_rows), 10000):
            conn.execute(AuditEvent.__table__.insert(), ev_rows[chunk:chunk + 10000])
        conn.execute(update(AuditHead.__table__).where(AuditHead.__table__.c.id == 1)
                     .values(seq=seq, hash=prev))
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.exec_driver_sql("ANALYZE")
    app.db.dispose()
    done = time.perf_counter()
    return {"prepare_s": prepared - started, "insert_s": done - prepared - index_s,
            "index_s": index_s, "index_texts": float(index_counts["texts"]),
            "index_spans": float(index_counts["spans"]),
            "events": float(len(ev_rows)), "versions": float(len(ver_rows))}


def _index(conn: object, template_model: object, ver_rows: list[dict[str, object]], n: int,
           versions: int) -> dict[str, int]:
    """The search index of every version, as the services write it with each version
    (``workflow.store.search_index``), in bulk: resolution by resolution, versions in order."""
    from workflow.store.search_index import bulk_build, year_of

    def each() -> object:
        for i in range(1, n + 1):
            for v in range(1, versions + 1):
                model = dataclasses.replace(template_model, title=_titles(i, v))
                at = ver_rows[(v - 1) * n + (i - 1)]["created_at"]
                yield i, v, model, year_of(model, at.year)

    return bulk_build(conn, each())


def check_sample(root: Path, count: int = 20) -> None:
    """The generated sources parse to the recorded hashes (a sample, so it stays quick)."""
    import sqlite3

    from drafts.source import load

    db = sqlite3.connect(root / ".resolutions" / "resolutions.db")
    rows = db.execute("SELECT source, content_hash FROM versions ORDER BY random() LIMIT ?",
                      (count,)).fetchall()
    db.close()
    for source, digest in rows:
        model, _ = load(source, "sample")
        if model.content_hash() != digest:
            raise SystemExit("generated source does not match its hash: fix the generator")


def ensure(n: int = 10_000, versions: int = 5, force: bool = False, quiet: bool = False) -> Path:
    """The cached workspace, built when missing."""
    path = workspace_path(n, versions)
    marker = path / ".bench-complete"
    if marker.exists() and not force:
        return path
    OUT.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    shutil.rmtree(path, ignore_errors=True)
    figures = build(tmp, n, versions)
    check_sample(tmp)
    os.rename(tmp, path)
    marker.write_text(json.dumps(figures), "utf-8")
    if not quiet:
        print(f"built {path.name}: {n} resolutions × {versions} versions, "
              f"{int(figures['events'])} events in {figures['prepare_s']:.1f} s (prepare) + "
              f"{figures['insert_s']:.1f} s (insert)")
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--resolutions", type=int, default=10_000)
    parser.add_argument("--versions", type=int, default=5)
    parser.add_argument("--force", action="store_true", help="Rebuild even when cached.")
    args = parser.parse_args()
    started = time.perf_counter()
    path = ensure(args.resolutions, args.versions, args.force)
    print(f"{path} ({time.perf_counter() - started:.1f} s)")


if __name__ == "__main__":
    main()
