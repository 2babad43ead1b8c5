"""PostgreSQL under concurrent writers: 8 client processes recording comments and
approvals for 30 s (``--seconds``) on a throwaway cluster (``tests/pg.py``'s ``Cluster``).

Set-up (through the services): approval rule ``all`` with 8 approvers (one per client,
also reviewers), 8 resolutions in review for comments, and a pool of resolutions awaiting
approval. Each client alternates: a comment on a random resolution in review (all clients
contend for the same ones), then its approval of the next resolution in the pool (each
resolution takes 8 approvals, one per client, the last one moving it to ``approved``).
Every write serialises on the audit head, so this measures the write path under contention.

Reported: operations per second, p50/p95 latency per operation, and the outcome of every
operation. Allowed refusals are the documented concurrency refusals
(``ConcurrencyError``: "changed by someone else meanwhile; re-run"); any other error
fails the benchmark.

    python bench/pg_concurrency.py [--seconds 30] [--clients 8] [--pool 160]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import OUT, PYTHON, ROOT, Figure, print_figures, save  # noqa: E402

FROZEN = "2024-10-13T10:00:00+00:00"


def _approver(i: int) -> str:
    return f"appr-{i + 1}"


def setup(root: Path, clients: int, pool: int,
          password: str | None = None) -> dict[str, list[str]]:
    """The workspace and its resolutions; on PostgreSQL each member's role gets
    ``password`` (every client logs in as its own member)."""
    import dataclasses

    from make_workspace import _template, _titles

    from drafts.source import dump
    from workflow.app import App
    from workflow.drafting.resolutions import new_resolution
    from workflow.members import add_member
    from workflow.review.amendments import close_review
    from workflow.review.rounds import circulate
    from workflow.store.setup import init_workspace

    init_workspace(root, name="Bench working group", prefix="RCWG",
                   languages=("ru", "zh", "en"), approval_rule="all")
    app = App.open(root, "sec")
    add_member(app, "sec", name="Secretary", roles=["secretary"], delegation="ru",
               password=password)
    for i in range(clients):
        add_member(app, _approver(i), name=f"Approver {i + 1}", roles=["approver", "reviewer"],
                   delegation="ru" if i % 2 == 0 else "zh", lang="ru" if i % 2 == 0 else "zh",
                   password=password)
    model, _ = _template()
    reviewers = [_approver(i) for i in range(clients)]
    in_review, for_approval = [], []
    for i in range(1, 8 + pool + 1):
        text = dump(dataclasses.replace(model, symbol=None, title=_titles(i, 1)))
        symbol = new_resolution(app, text, "bench.yaml").symbol
        circulate(app, symbol, reviewers)
        if i <= 8:
            in_review.append(symbol)
        else:
            close_review(app, symbol, changes=False)
            for_approval.append(symbol)
    app.db.dispose()
    return {"in_review": in_review, "for_approval": for_approval}


def client(root: str, index: int, plan_file: str, go_file: str, seconds: float) -> None:
    """One client process: comments and approvals until the time is up; JSON on stdout."""
    from workflow.app import App
    from workflow.errors import ConcurrencyError, WorkflowError
    from workflow.review.approval import approve
    from workflow.review.rounds import add_comment

    plan = json.loads(Path(plan_file).read_text("utf-8"))
    member = _approver(index)
    app = App.open(root, member)
    rng = random.Random(index)
    queue = list(plan["for_approval"])
    rng.shuffle(queue)
    with app.read() as session:  # connect and warm up before the start
        app.resolution(session, plan["in_review"][0])
    Path(f"{go_file}.ready-{index}").touch()
    while not Path(go_file).exists():
        time.sleep(0.005)
    deadline = time.perf_counter() + seconds
    samples: list[tuple[str, float, str]] = []
    turn = 0
    while time.perf_counter() < deadline:
        kind = "approve" if turn % 2 and queue else "comment"
        turn += 1
        started = time.perf_counter()
        outcome = "ok"
        try:
            if kind == "comment":
                add_comment(app, rng.choice(plan["in_review"]), by=member,
                            target=f"OP {rng.randint(1, 5)}", type_=rng.choice(["ge", "te", "ed"]),
                            text=f"comment {turn} by {member}")
            else:
                approve(app, queue.pop(), member)
        except ConcurrencyError:
            outcome = "concurrency-refusal"
        except WorkflowError as exc:
            outcome = f"error: {exc}"
        samples.append((kind, (time.perf_counter() - started) * 1000, outcome))
    app.db.dispose()
    print(json.dumps(samples))


def _percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def run(seconds: float = 30, clients: int = 8, pool: int | None = None) -> list[Figure]:
    import datetime as dt

    from tests.pg import Cluster
    from workflow import clock

    pool = pool or max(40, int(seconds * 6))
    OUT.mkdir(parents=True, exist_ok=True)
    cluster = Cluster().start()
    try:
        url = cluster.create_database()
        os.environ["RESOLUTIONS_DATABASE_URL"] = url
        clock.use(lambda: dt.datetime.fromisoformat(FROZEN))
        with tempfile.TemporaryDirectory(prefix="pg-", dir=OUT) as tmp:
            root = Path(tmp) / "ws"
            t = time.perf_counter()
            plan = setup(root, clients, pool, cluster.password)
            setup_s = time.perf_counter() - t
            plan_file = Path(tmp) / "plan.json"
            plan_file.write_text(json.dumps(plan), "utf-8")
            go = str(Path(tmp) / "go")
            env = {**os.environ, "PYTHONPATH": str(ROOT)}
            procs = [subprocess.Popen([PYTHON, __file__, "--client", str(i), "--root", str(root),
                                       "--plan", str(plan_file), "--go", go,
                                       "--seconds", str(seconds)],
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                                      text=True)
                     for i in range(clients)]
            while sum(Path(f"{go}.ready-{i}").exists() for i in range(clients)) < clients:
                if any(p.poll() not in (None, 0) for p in procs):
                    break
                time.sleep(0.01)
            Path(go).touch()
            samples = []
            for proc in procs:
                out, err = proc.communicate()
                if proc.returncode != 0:
                    raise RuntimeError(f"a client failed: {err[-2000:]}")
                samples += json.loads(out)
    finally:
        os.environ.pop("RESOLUTIONS_DATABASE_URL", None)
        clock.use(None)
        cluster.stop()
    errors = [s for s in samples if s[2].startswith("error")]
    refusals = [s for s in samples if s[2] == "concurrency-refusal"]
    ok = [s for s in samples if s[2] == "ok"]
    lat = [s[1] for s in samples]
    figures = [
        Figure("pg", f"operations per second ({clients} clients, {seconds:.0f} s)",
               len(ok) / seconds, unit="ops/s",
               note=f"{len(ok)} ok, {len(refusals)} concurrency refusals, {len(errors)} errors; "
               f"set-up {setup_s:.0f} s"),
        Figure("pg", "p95 latency, all operations", _percentile(lat, 95),
               note=f"p50 {_percentile(lat, 50):.0f} ms"),
    ]
    for kind in ("comment", "approve"):
        values = [s[1] for s in samples if s[0] == kind]
        figures.append(Figure("pg", f"p95 latency, {kind}", _percentile(values, 95),
                              note=f"{len(values)} ops, p50 {_percentile(values, 50):.0f} ms"))
    if errors:
        figures.append(Figure("pg", "unexpected errors", float(len(errors)), unit="",
                              note="; ".join(sorted({e[2] for e in errors}))[:300]))
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--pool", type=int)
    parser.add_argument("--client", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--root", help=argparse.SUPPRESS)
    parser.add_argument("--plan", help=argparse.SUPPRESS)
    parser.add_argument("--go", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.client is not None:
        client(args.root, args.client, args.plan, args.go, args.seconds)
        return
    figures = run(args.seconds, args.clients, args.pool)
    print_figures(figures)
    save("pg_concurrency", figures)
    if any(f.name == "unexpected errors" for f in figures):
        sys.exit(1)


if __name__ == "__main__":
    main()
