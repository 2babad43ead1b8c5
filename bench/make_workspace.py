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
import datetime as dt
import json
import os
import shutil
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
OUT = HERE / "out"
sys.path.insert(0, str(ROOT))

GENERATOR_REVISION = "6"  # 6: written a chunk at a time (the same rows as 5)
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
    model = model._replace(preamble=model.preamble[:4],
                           operative=model.operative[:4] + model.operative[-1:],
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
    previous = clock.use(lambda: before)
    try:
        for mid, name, names, org, delegation, email, lang, roles in MEMBERS:
            add_member(app, mid, name=name, org=org, delegation=delegation, email=email,
                       roles=roles, names=names, lang=lang)
    finally:
        clock.use(previous)
        app.db.dispose()


def init_group(root: Path) -> None:
    """A new workspace at ``root`` with the demo members, its events dated before START
    (the bulk-inserted resolutions come after them in the chain)."""
    from workflow import clock
    from workflow.store.setup import init_workspace

    at_init = START - dt.timedelta(hours=2)
    previous = clock.use(lambda: at_init)  # the workspace's first event (its rules) first
    try:
        init_workspace(root, name="Russian–Chinese working group on microelectronics",
                       prefix="RCWG", languages=("ru", "zh", "en"),
                       approval_rule="each-delegation",
                       names={"ru": "Российско-китайская рабочая группа по микроэлектронике",
                              "zh": "中俄微电子工作组"})
    finally:
        clock.use(previous)
    _add_members(root)


def build(root: Path, n: int, versions: int) -> dict[str, float]:
    """Create the workspace at ``root`` (which must not exist).

    The rows are made and written a chunk at a time, round by round (so each resolution's
    events are spread through the log as in life): every value is known before its event
    is written — the last state of each resolution (every seventh is withdrawn at the
    end), hence its row and the event that writes it last — so the chain is extended in
    order and nothing of a round is kept once it is written. Then the search index, in
    bulk, resolution by resolution."""
    from sqlalchemy import update

    from workflow.app import App
    from workflow.store.models import AuditHead

    started = time.perf_counter()
    init_group(root)
    template_model, template = _template()
    app = App.open(root, "ivanova")
    engine = app.db.engine
    with engine.connect() as conn:
        head = conn.execute(AuditHead.__table__.select()).one()
    plan = _Plan(n, versions, int(head.seq), str(head.hash), template_model, template)
    with engine.begin() as conn:
        for v in range(1, versions + 1):
            for first in range(1, n + 1, CHUNK):
                plan.write_round(conn, v, range(first, min(first + CHUNK, n + 1)))
        plan.write_withdrawals(conn)
        written = time.perf_counter()
        index_counts = _index(conn, plan)
        index_s = time.perf_counter() - written
        conn.execute(update(AuditHead.__table__).where(AuditHead.__table__.c.id == 1)
                     .values(seq=plan.seq, hash=plan.prev))
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.exec_driver_sql("ANALYZE")
    app.db.dispose()
    done = time.perf_counter()
    return {"prepare_s": 0.0, "insert_s": written - started + (done - written - index_s),
            "index_s": index_s, "index_texts": float(index_counts["texts"]),
            "index_spans": float(index_counts["spans"]),
            "events": float(plan.seq - plan.first_seq), "versions": float(n * versions)}


CHUNK = 5000  # resolutions per batch of rows


class _Plan:
    """What the services would have written, made a chunk at a time: the chain goes on
    from ``seq``/``prev``; each resolution's final row is known from the start."""

    def __init__(self, n: int, versions: int, seq: int, prev: str, model: object,
                 template: str) -> None:
        self.n, self.versions, self.seq, self.prev = n, versions, seq, prev
        self.first_seq = seq
        self.model, self.template = model, template
        self.last_seq = seq + n * versions + n // 7
        self.last_at = START + dt.timedelta(minutes=self.last_seq)

    def at(self, v: int, i: int) -> dt.datetime:
        """When resolution i's version v was stored (round v, in order of i)."""
        return START + dt.timedelta(minutes=self.first_seq + (v - 1) * self.n + i)

    def final_row(self, i: int) -> dict[str, object]:
        withdrawn = i % 7 == 0
        return {"id": i, "number": i, "symbol": f"RCWG/RES/2024/{i}",
                "body": self.model.body, "title": _titles(i, self.versions)["en"],
                "state": "withdrawn" if withdrawn else "draft",
                "current_version": self.versions,
                "row_version": self.versions + (1 if withdrawn else 0),
                "created_at": self.at(1, i), "updated_at": self.last_at}

    def write_round(self, conn: Any, v: int, numbers: range) -> None:
        from drafts.staleness import reconcile
        from workflow.store.models import ResolutionRow, TranslationState, Version

        res_rows, ver_rows, tr_rows, events = [], [], [], []
        for i in numbers:
            titles = _titles(i, v)
            model = self.model._replace(title=titles)
            digest = model.content_hash()
            at = self.at(v, i)
            version = {"id": (v - 1) * self.n + i, "resolution_id": i, "number": v,
                       "source": _source(self.template, f"RCWG/RES/2024/{i}", titles),
                       "content_hash": digest, "author": "ivanova",
                       "note": "first draft" if v == 1 else f"revision {v}", "created_at": at}
            ver_rows.append(version)
            facts = [_fact("versions", version)]
            if v == 1:
                res_rows.append(self.final_row(i))
                detail: dict[str, object] = {"version": 1, "content_hash": digest,
                                             "state": "draft", "file": "bench.yaml"}
                action = "new"
            else:
                detail = {"version": v, "content_hash": digest, "note": f"revision {v}",
                          "state": "draft", "voided_approvals": 0}
                action = "edit"
            if v == self.versions:
                tr_rows.append({"resolution_id": i, "version_number": v, "records_json":
                                json.dumps(reconcile(model), ensure_ascii=False,
                                           sort_keys=True)})
                facts.append(_fact("translation_state", tr_rows[-1]))
                if i % 7:  # its last event (the withdrawn ones: their withdrawal)
                    facts.append(_fact("resolutions", self.final_row(i)))
            events.append((i, action, detail, facts))
        if res_rows:
            conn.execute(ResolutionRow.__table__.insert(), res_rows)
        conn.execute(Version.__table__.insert(), ver_rows)
        if tr_rows:
            conn.execute(TranslationState.__table__.insert(), tr_rows)
        self._events(conn, events)

    def write_withdrawals(self, conn: Any) -> None:
        events = [(i, "withdraw", {"reason": "superseded", "from": "draft",
                                   "state": "withdrawn"},
                   [_fact("resolutions", self.final_row(i))])
                  for i in range(7, self.n + 1, 7)]
        for first in range(0, len(events), CHUNK):
            self._events(conn, events[first:first + CHUNK])

    def _events(self, conn: Any, events: list[tuple[int, str, dict[str, object], list[Any]]]
                ) -> None:
        """The audit events, chained from the head in order, with the facts they wrote."""
        from workflow.store.chain import event_hash
        from workflow.store.models import AuditEvent

        rows = []
        for number, action, detail, facts in events:
            self.seq += 1
            at = START + dt.timedelta(minutes=self.seq)
            symbol = f"RCWG/RES/2024/{number}"
            detail["facts"] = sorted(facts, key=lambda f: (f[0], str(f[1])))
            text = json.dumps(detail, ensure_ascii=False, sort_keys=True, default=str)
            digest = event_hash(self.seq, at, "ivanova", action, "ok", number, symbol, text,
                                self.prev)
            rows.append({"seq": self.seq, "at": at, "actor": "ivanova", "action": action,
                         "outcome": "ok", "resolution_id": number, "symbol": symbol,
                         "detail": text, "prev_hash": self.prev, "hash": digest})
            self.prev = digest
        conn.execute(AuditEvent.__table__.insert(), rows)


def _fact(table: str, values: dict[str, object]) -> list[object]:
    """A row's content hash as the event that wrote it records it (``workflow.store.facts``)."""
    from workflow.store.models import ResolutionRow, TranslationState, Version
    from workflow.store.rowhash import field_digests, row_digest

    columns = {"resolutions": ResolutionRow, "versions": Version,
               "translation_state": TranslationState}[table].__table__.primary_key.columns
    key = [str(values[c.name]) for c in columns]
    return [table, key, row_digest(table, values), field_digests(values)]


def _index(conn: object, plan: _Plan) -> dict[str, int]:
    """The search index of every version, as the services write it with each version
    (``workflow.store.search_index``), in bulk: resolution by resolution, versions in order."""
    from workflow.store.search_index import bulk_build, year_of

    def each() -> object:
        for i in range(1, plan.n + 1):
            for v in range(1, plan.versions + 1):
                model = plan.model._replace(title=_titles(i, v))
                yield i, v, model, year_of(model, plan.at(v, i).year)

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
