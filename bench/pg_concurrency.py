"""Concurrent writers on PostgreSQL and SQLite, and what each write command costs.

**Writers.** ``--writers`` (8) processes, each running the write commands in turn for
``--seconds`` (60) through the command line's own entry point (``cli.main``, one command
after another as a busy secretary would, a fresh workspace object each time): ``comment``
and ``amend`` on one resolution in review, ``edit`` of the writer's own paragraph of one
draft (its text taken with ``source`` first, so the version it was taken from is often
replaced meanwhile and the edit merges), and ``member add``. Every write serialises on the
audit head. Afterwards each command that exited 0 is looked up: its comment, amendment,
member — and its edit's change in the final text. *Lost updates* counts those missing.
Reported per backend and command: p50/p95 latency, how many ran, were refused (by name) or
were lost.

**CPU of a write command.** Each write command as a fresh ``resolutions`` process (median
CPU, user + system, of ``--cpu-runs``) against the floor: a plain ``sqlite3`` / ``psycopg``
script (``bench/out/floor_write.py``) doing the same insert and the same chain hash — lock
the audit head, insert the row, hash the event over its fields, the row's digest and the
previous hash, insert it, move the head, commit — measured in the same invocation, the two
taking turns. Target: ≤ 3× (issue 32's Measure).

    python bench/pg_concurrency.py [--seconds 60] [--writers 8] [--backends sqlite,postgresql]
        [--cpu-runs 7]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (  # noqa: E402
    OUT,
    PYTHON,
    RESOLUTIONS,
    ROOT,
    Figure,
    bench_env,
    median,
    print_figures,
    save,
    timed_run,
)

FROZEN = "2024-10-13T10:00:00+00:00"
COMMANDS = ("comment", "amend", "edit", "member add")
TARGET = 3.0


# -- the workspace ----------------------------------------------------------------------
def _cli(root: Path, args: list[str], actor: str | None = None) -> tuple[int, str]:
    """``resolutions ARGS`` in this process: (exit code, output)."""
    import click

    from cli import cli

    out = io.StringIO()
    code = 0
    prefix = ["--workspace", str(root)] + (["--as", actor] if actor else [])
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
            cli.main(args=prefix + args, prog_name="resolutions", standalone_mode=False)
    except SystemExit as exc:
        code = int(exc.code or 0)
    except click.ClickException as exc:
        code = exc.exit_code
        out.write(exc.format_message())
    return code, out.getvalue()


def _ok(root: Path, args: list[str], actor: str | None = None) -> str:
    code, out = _cli(root, args, actor)
    if code != 0:
        raise RuntimeError(f"resolutions {' '.join(args)}: {out}")
    return out


def setup(root: Path, writers: int, password_file: Path | None = None) -> dict[str, Any]:
    """Members (a secretary, ``writers`` writers who review, draft and keep the register),
    one resolution in review (comments, amendments) and one draft (edits). On PostgreSQL
    each member's role gets the password of ``password_file`` (each writer logs in as
    itself)."""
    source = ROOT / "workflow" / "demo_data" / "resolution.yaml"
    _ok(root.parent, ["init", str(root), "--name", "Bench working group", "--prefix", "RCWG"])
    password = ["--password-file", str(password_file)] if password_file else []
    _ok(root, ["member", "add", "sec", "--name", "Secretary", "--role", "secretary", *password])
    ids = [f"w{i}" for i in range(writers)]
    for mid in ids:
        _ok(root, ["member", "add", mid, "--name", f"Writer {mid}", "--email",
                   f"{mid}@wg.example", "--role", "reviewer", "--role", "drafter",
                   "--role", "secretary", *password])
    review = _ok(root, ["new", str(source)]).split()[0]
    args = ["circulate", review]
    for mid in ids:
        args += ["--reviewer", mid]
    _ok(root, args)
    draft = _ok(root, ["new", str(source)]).split()[0]
    from drafts.source import load

    model, _ = load(source.read_text("utf-8"))
    paragraphs = [loc.paragraph.id for loc in model.walk() if loc.paragraph.texts.get("en")]
    return {"review": review, "draft": draft, "paragraphs": paragraphs[:writers]}


def _edited(text: str, paragraph: str, tag: str) -> str:
    """The source with ``tag`` appended to ``paragraph``'s English (the base line kept)."""
    from dataclasses import replace

    from drafts.model import Resolution
    from drafts.source import dump, load

    first, _, rest = text.partition("\n")
    model, _ = load(rest)

    def visit(items: tuple[Any, ...]) -> tuple[Any, ...]:
        return tuple(replace(p, texts={**p.texts, "en": f"{p.texts['en']} {tag}"}
                             if p.id == paragraph else p.texts, items=visit(p.items))
                     for p in items)

    changed: Resolution = replace(model, preamble=visit(model.preamble),
                                  operative=visit(model.operative))
    return f"{first}\n{dump(changed)}"


def writer(root: str, index: int, plan_file: str, go_file: str, seconds: float) -> None:
    """One writer process: the four commands in turn until the time is up; JSON on stdout."""
    from tests.launch import env_clock
    from workflow import clock

    clock.use(env_clock)
    here = Path(root)
    plan = json.loads(Path(plan_file).read_text("utf-8"))
    me = f"w{index}"
    paragraph = plan["paragraphs"][index]
    scratch = Path(plan_file).with_name(f"edit-{me}.yaml")
    import workflow.drafting.resolutions  # noqa: F401  (what the commands import, warmed)
    import workflow.members  # noqa: F401
    import workflow.review.amendments  # noqa: F401
    import workflow.review.rounds  # noqa: F401
    from workflow.app import App

    warm = App.open(here, me, database_url=os.environ.get("RESOLUTIONS_DATABASE_URL"))
    with warm.read() as session:
        warm.resolution(session, plan["review"])
    warm.db.dispose()
    _cli(here, ["source", plan["draft"]])
    Path(f"{go_file}.ready-{index}").touch()
    while not Path(go_file).exists():
        time.sleep(0.005)
    deadline = time.perf_counter() + seconds
    samples: list[dict[str, Any]] = []
    turn = 0
    while time.perf_counter() < deadline:
        kind = COMMANDS[turn % len(COMMANDS)]
        key = f"{me}-{turn}"
        turn += 1
        actor = me
        if kind == "comment":
            args = ["comment", plan["review"], "--by", me, "--ref", f"OP {turn % 5 + 1}",
                    "--type", "ge", "--text", f"comment {key}"]
        elif kind == "amend":
            args = ["amend", plan["review"], "--by", me, "--target", f"OP {turn % 5 + 1}",
                    "--op", "replace", "--text", f"en=amended {key}", "--why", f"why {key}"]
        elif kind == "edit":
            code, taken = _cli(here, ["source", plan["draft"]])
            if code != 0:
                raise RuntimeError(f"resolutions source {plan['draft']} as {me}: {taken}")
            scratch.write_text(_edited(taken, paragraph, f"({key})"), "utf-8")
            args = ["edit", plan["draft"], str(scratch)]
        else:
            args = ["member", "add", f"m-{key}", "--name", f"Member {key}", "--role",
                    "reviewer"]
        started = time.perf_counter()
        cpu = time.process_time()
        code, out = _cli(here, args, actor)
        samples.append({"kind": kind, "key": key, "ms": (time.perf_counter() - started) * 1000,
                        "cpu_ms": (time.process_time() - cpu) * 1000, "code": code,
                        "merged": "merged:" in out, "out": out.strip()[-300:] if code else ""})
    print(json.dumps(samples))


def lost_updates(root: Path, plan: dict[str, Any], samples: list[dict[str, Any]]) -> dict[str, int]:
    """Per command: how many that exited 0 left nothing behind (must be 0)."""
    comments = {c["text"] for c in json.loads(_ok(root, ["--json", "comments", plan["review"]]))
                ["comments"]}
    amendments = {a["why"] for a in json.loads(_ok(root, ["--json", "amendments", plan["review"]]))
                  ["amendments"]}
    members = {m["id"] for m in json.loads(_ok(root, ["--json", "member", "list"]))["members"]}
    final = _ok(root, ["source", plan["draft"]])
    lost = {k: 0 for k in COMMANDS}
    for s in samples:
        if s["code"] != 0:
            continue
        key = s["key"]
        found = {"comment": f"comment {key}" in comments, "amend": f"why {key}" in amendments,
                 "edit": f"({key})" in final, "member add": f"m-{key}" in members}[s["kind"]]
        lost[s["kind"]] += 0 if found else 1
    return lost


def _percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def concurrency(backend: str, url: str | None, seconds: float, writers: int,
                tmp: Path, password_file: Path | None = None) -> list[Figure]:
    root = tmp / f"writers-{backend}"
    env = bench_env(RESOLUTIONS_NOW=FROZEN, **({"RESOLUTIONS_DATABASE_URL": url} if url else {}))
    os.environ.update({k: v for k, v in env.items() if k.startswith("RESOLUTIONS_")})
    try:
        t = time.perf_counter()
        plan = setup(root, writers, password_file)
        setup_s = time.perf_counter() - t
        plan_file = tmp / f"plan-{backend}.json"
        plan_file.write_text(json.dumps(plan), "utf-8")
        go = str(tmp / f"go-{backend}")
        procs = [subprocess.Popen([PYTHON, __file__, "--writer", str(i), "--root", str(root),
                                   "--plan", str(plan_file), "--go", go,
                                   "--seconds", str(seconds)],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                                  text=True) for i in range(writers)]
        while sum(Path(f"{go}.ready-{i}").exists() for i in range(writers)) < writers:
            if any(p.poll() not in (None, 0) for p in procs):
                break
            time.sleep(0.01)
        Path(go).touch()
        samples: list[dict[str, Any]] = []
        for proc in procs:
            out, err = proc.communicate()
            if proc.returncode != 0:
                raise RuntimeError(f"a writer failed: {err[-2000:]}")
            samples += json.loads(out)
        lost = lost_updates(root, plan, samples)
        code, verified = _cli(root, ["audit", "verify"])
    finally:
        for name in ("RESOLUTIONS_DATABASE_URL", "RESOLUTIONS_NOW"):
            os.environ.pop(name, None)
    ok = [s for s in samples if s["code"] == 0]
    refused = [s for s in samples if s["code"] != 0]
    reasons = sorted({s["out"][:120] for s in refused})
    figures = [Figure(backend, f"{writers} writers × {seconds:.0f} s: commands stored",
                      float(len(ok)), unit="",
                      note=f"{len(ok) / seconds:.1f}/s; {len(refused)} refused; "
                           f"lost updates {sum(lost.values())}; audit verify "
                           f"{'clean' if code == 0 else 'FAILED: ' + verified[:200]}; "
                           f"set-up {setup_s:.0f} s"
                           + (f"; refusals: {' / '.join(reasons)[:300]}" if reasons else ""))]
    for kind in COMMANDS:
        mine = [s for s in samples if s["kind"] == kind]
        done = [s for s in mine if s["code"] == 0]
        merged = sum(1 for s in done if s["merged"])
        lat = [s["ms"] for s in mine]
        figures.append(Figure(backend, f"{kind}: p95 latency", _percentile(lat, 95),
                              note=f"p50 {_percentile(lat, 50):.0f} ms; {len(done)} of "
                                   f"{len(mine)} stored, lost {lost[kind]}"
                                   + (f", {merged} merged over a newer version"
                                      if kind == "edit" else "")
                                   + f"; in-process CPU p50 "
                                     f"{_percentile([s['cpu_ms'] for s in mine], 50):.0f} ms"))
    figures.append(Figure(backend, "lost updates", float(sum(lost.values())), unit="",
                          note="commands that exited 0 and left nothing behind"))
    return figures


# -- CPU of a cold write command against the floor ---------------------------------------
FLOOR = r'''"""The floor of a write command: lock the audit head, insert the row, hash the event
over its fields, the row's digest and the previous hash, insert it, move the head, commit —
plain sqlite3 or psycopg, nothing else."""
import datetime
import hashlib
import json
import sys

kind, url, rid, tag = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
now = datetime.datetime(2024, 10, 13, 10, 0, tzinfo=datetime.timezone.utc)
if url.startswith("sqlite"):
    import sqlite3
    conn = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None, timeout=30)
    conn.execute("BEGIN IMMEDIATE")
    q = lambda sql, *a: conn.execute(sql, a)
else:
    import psycopg
    conn = psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"))
    q = lambda sql, *a: conn.execute(sql.replace("?", "%s"), a)
seq, prev = q("SELECT seq, hash FROM audit_head WHERE id = 1" +
              ("" if url.startswith("sqlite") else " FOR UPDATE")).fetchone()
stamp = now.replace(tzinfo=None).isoformat(" ")
if kind == "comment":
    rnd, ver = q("SELECT id, version_number FROM review_rounds WHERE resolution_id = ? "
                 "ORDER BY number DESC LIMIT 1", rid).fetchone()
    number = (q("SELECT max(number) FROM comments WHERE resolution_id = ?", rid).fetchone()[0]
              or 0) + 1
    text = f"comment {tag}"
    row = [rid, number, rnd, ver, "", "General", "w0", "ge", text, "", "", "", "", "cli",
           stamp, "", "", ""]
    q("INSERT INTO comments (resolution_id, number, round_id, version_number, paragraph_id, "
      "ref, author, type, text, proposal, disposition, note, disposed_by, source, created_at, "
      "lang, quote, anchor) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", *row)
    detail = {"by": "w0", "comment": number, "ref": "General", "paragraph": "", "type": "ge",
              "source": "cli", "text_sha256": hashlib.sha256(text.encode()).hexdigest(),
              "proposal_sha256": hashlib.sha256(b"").hexdigest()}
elif kind == "amend":
    rnd, ver = q("SELECT id, version_number FROM review_rounds WHERE resolution_id = ? "
                 "ORDER BY number DESC LIMIT 1", rid).fetchone()
    number = (q("SELECT max(number) FROM amendments WHERE resolution_id = ?", rid).fetchone()[0]
              or 0) + 1
    texts = json.dumps({"en": f"amended {tag}"})
    row = [rid, number, rnd, ver, "w0", "op-1", "OP 1", "replace", texts, f"why {tag}",
           "proposed", "", None, stamp]
    q("INSERT INTO amendments (resolution_id, number, round_id, version_number, author, "
      "target_id, target_ref, op, texts_json, why, status, decided_by, applied_version, "
      "created_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)", *row)
    detail = {"amendment": number, "by": "w0", "target": "OP 1", "op": "replace"}
elif kind == "edit":
    number, source = q("SELECT v.number, v.source FROM versions v JOIN resolutions r ON "
                       "r.id = v.resolution_id AND r.current_version = v.number WHERE "
                       "r.id = ?", rid).fetchone()
    source = source.replace("*Noting*", f"*Noting* ({tag})", 1)
    digest = hashlib.sha256(source.encode()).hexdigest()
    row = [rid, number + 1, source, digest, "w0", "", stamp]
    q("INSERT INTO versions (resolution_id, number, source, content_hash, author, note, "
      "created_at) VALUES (?,?,?,?,?,?,?)", *row)
    q("UPDATE resolutions SET current_version = ?, row_version = row_version + 1 WHERE id = ?",
      number + 1, rid)
    detail = {"version": number + 1, "content_hash": digest, "note": "", "state": "draft"}
else:
    member = f"f-{tag}"
    row = [member, f"Member {tag}", "{}", "", "", "", "en", stamp, True]
    q("INSERT INTO members (id, name, names_json, org, delegation, email, lang, created_at, "
      "active) VALUES (?,?,?,?,?,?,?,?,?)", *row)
    q("INSERT INTO member_roles (member_id, role) VALUES (?, ?)", member, "reviewer")
    if not url.startswith("sqlite"):  # a member is a database role on PostgreSQL
        database = conn.execute("SELECT current_database()").fetchone()[0]
        name = f'"{database}_{member}"'
        conn.execute(f"CREATE ROLE {name} LOGIN")
        conn.execute(f'GRANT "{database}_members", "{database}_r_reviewer" TO {name}')
    detail = {"member": member, "roles": ["reviewer"]}
detail["facts"] = [[kind, [str(row[0])], hashlib.sha256(json.dumps(row, default=str,
                                                                   sort_keys=True).encode()).hexdigest()]]
detail_text = json.dumps(detail, ensure_ascii=False, sort_keys=True)
payload = json.dumps({"seq": seq + 1, "at": now.isoformat(), "actor": "w0", "action": kind,
                      "outcome": "ok", "resolution_id": rid, "symbol": "", "detail": detail,
                      "prev": prev}, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
digest = hashlib.sha256(payload.encode()).hexdigest()
q("INSERT INTO audit_events (seq, at, actor, action, outcome, resolution_id, symbol, detail, "
  "prev_hash, hash) VALUES (?,?,?,?,?,?,?,?,?,?)", seq + 1, stamp, "w0", kind, "ok", rid, "",
  detail_text, prev, digest)
q("UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1", seq + 1, digest)
conn.commit() if not url.startswith("sqlite") else conn.execute("COMMIT")
'''


def cpu(backend: str, url: str | None, runs: int, tmp: Path,
        password_file: Path | None = None) -> list[Figure]:
    """Median CPU of each cold write command against the floor script, taking turns."""
    floor = OUT / "floor_write.py"
    floor.write_text(FLOOR, "utf-8")
    ours, theirs = tmp / f"cold-{backend}", tmp / f"floor-{backend}"
    env = bench_env(RESOLUTIONS_NOW=FROZEN, **({"RESOLUTIONS_DATABASE_URL": url} if url else {}))
    os.environ.update({k: v for k, v in env.items() if k.startswith("RESOLUTIONS_")})
    try:
        plans = {}
        for root in (ours, theirs):  # a workspace (and database) each: the floor's rows
            env_root = dict(env)     # are not the engine's
            if url:
                env_root["RESOLUTIONS_DATABASE_URL"] = _fresh_database()
                os.environ["RESOLUTIONS_DATABASE_URL"] = env_root["RESOLUTIONS_DATABASE_URL"]
            plans[root] = (setup(root, 1, password_file), env_root)
        samples: dict[str, tuple[list[float], list[float]]] = {k: ([], []) for k in COMMANDS}
        for run in range(runs + 1):  # the first round warms the caches and is not counted
            for kind in COMMANDS:
                tag = f"r{run}"
                plan, env_ours = plans[ours]
                args = _cold_args(kind, ours, plan, tag)
                _, mine = timed_run([RESOLUTIONS, "--workspace", str(ours), "--as", "w0", *args],
                                    env=dict(env_ours, RESOLUTIONS_WORKSPACE=str(ours)))
                plan_f, env_floor = plans[theirs]
                rid = _rid(theirs, plan_f, kind)
                db_url = env_floor.get("RESOLUTIONS_DATABASE_URL") or \
                    f"sqlite:///{theirs / '.resolutions' / 'resolutions.db'}"
                _, base = timed_run([PYTHON, str(floor), kind, db_url, str(rid), f"{kind[:1]}{tag}"],
                                    env=env_floor)
                if run:
                    samples[kind][0].append(mine)
                    samples[kind][1].append(base)
    finally:
        for name in ("RESOLUTIONS_DATABASE_URL", "RESOLUTIONS_NOW"):
            os.environ.pop(name, None)
    figures = []
    for kind, (mine, base) in samples.items():
        figures.append(Figure(backend, f"resolutions {kind} (cold), cpu", median(mine),
                              baseline=f"plain {'sqlite3' if not url else 'psycopg'} insert + "
                                       "chain hash", baseline_value=median(base), target=TARGET,
                              note=f"median of {runs}"))
    return figures


def _fresh_database() -> str:
    """Another database on the bench's cluster, with its own administrator (tests/pg.py)."""
    from tests.pg import current

    cluster = current()
    if cluster is None:
        raise RuntimeError("the PostgreSQL figures need the bench's own cluster")
    return cluster.create_database()


def _rid(root: Path, plan: dict[str, Any], kind: str) -> int:
    symbol = plan["draft"] if kind == "edit" else plan["review"]
    return int(json.loads(_ok(root, ["--json", "show", symbol]))["number"])


def _cold_args(kind: str, root: Path, plan: dict[str, Any], tag: str) -> list[str]:
    if kind == "comment":
        return ["comment", plan["review"], "--by", "w0", "--ref", "OP 1", "--type", "ge",
                "--text", f"comment {tag}"]
    if kind == "amend":
        return ["amend", plan["review"], "--by", "w0", "--target", "OP 1", "--op", "replace",
                "--text", f"en=amended {tag}", "--why", f"why {tag}"]
    if kind == "edit":
        taken = _ok(root, ["source", plan["draft"]])
        path = root.parent / f"cold-edit-{tag}.yaml"
        path.write_text(_edited(taken, plan["paragraphs"][0], f"({tag})"), "utf-8")
        return ["edit", plan["draft"], str(path)]
    return ["member", "add", f"c-{tag}", "--name", f"Member {tag}", "--role", "reviewer"]


def run(seconds: float = 60, writers: int = 8, backends: tuple[str, ...] = ("sqlite", "postgresql"),
        cpu_runs: int = 7) -> list[Figure]:
    from tests.pg import Cluster
    from workflow import clock

    OUT.mkdir(parents=True, exist_ok=True)
    cluster = Cluster().start() if "postgresql" in backends else None
    import datetime as dt

    clock.use(lambda: dt.datetime.fromisoformat(FROZEN))
    figures: list[Figure] = []
    try:
        with tempfile.TemporaryDirectory(prefix="writers-", dir=OUT) as tmp:
            for backend in backends:
                url = cluster.create_database() if backend == "postgresql" and cluster else None
                secret = cluster.password_file if url and cluster else None
                figures += concurrency(backend, url, seconds, writers, Path(tmp), secret)
                figures += cpu(backend, url, cpu_runs, Path(tmp), secret)
    finally:
        clock.use(None)
        if cluster is not None:
            cluster.stop()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--writers", type=int, default=8)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--cpu-runs", type=int, default=7)
    parser.add_argument("--writer", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--root", help=argparse.SUPPRESS)
    parser.add_argument("--plan", help=argparse.SUPPRESS)
    parser.add_argument("--go", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.writer is not None:
        writer(args.root, args.writer, args.plan, args.go, args.seconds)
        return
    figures = run(args.seconds, args.writers, tuple(b.strip() for b in args.backends.split(",")),
                  args.cpu_runs)
    print_figures(figures)
    save("pg_concurrency", figures)
    if any(f.name == "lost updates" and f.value for f in figures):
        sys.exit(1)


if __name__ == "__main__":
    main()
