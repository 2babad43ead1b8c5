"""CPU of a cold write command against the floor of the same write (issue 30, item 1).

On one workspace (SQLite), each of ``comment``, ``amend``, ``dispose``, ``edit`` (a source
taken with ``source``, one paragraph changed), ``new`` (the demo resolution, 16 KB of
YAML), ``approve``, ``member add``, ``amendment accept`` and ``reject`` (a proposed
amendment each), ``close-review --no-objection`` (a resolution in review), ``object`` (a
resolution in approval) and ``withdraw`` (a draft) runs as a
fresh ``resolutions`` process, each run on a fresh target; its CPU (user +
system of the child, ``os.wait4``, the same figure as ``getrusage(RUSAGE_CHILDREN)``) is
taken over ``--runs`` runs (median, after one warm-up round that is not counted).

**The interpreter.** Ours and every floor run with :func:`common.plain_python`: this
venv's libraries and this checkout on the path, without the editable install's import finder
(which ``make setup``'s venv loads at every start, ≈ 10–15 ms a plain script never pays and a
regular install does not have: measured against the venv's own Python, every floor here was
that much higher and every ratio lower).

**The floor**, measured in the same invocation, the two taking turns so machine load falls
on both alike: ``bench/out/floor_write_path_bare.py``, a plain script that starts Python,
reads its arguments from ``sys.argv``, then with the standard ``sqlite3`` module: opens the database, takes
the write lock, reads what the write needs (the round, the next number, the head of the
audit chain), inserts (or updates) the row (``edit``, ``new``: the version row and the
resolution's), computes the row's SHA-256 fact hash and the event's chain hash over its
fields and the previous hash, inserts the audit event, moves the head and commits. It
checks no role, no state and no rule, and writes no file: what is above the floor is what
our stack adds — the gate, the lifecycle, the ORM, the settings. For ``edit`` and ``new``
(the commands that store a text) the same script also runs with ``--parse``: it parses the
source with ruamel's round-trip loader configured as ``drafts.source`` configures it (as
the "Long texts" floor does) before the insert — the floor their ratio is taken against;
the one that parses no YAML is kept beside it. The same script parsing its arguments with
``click`` (``bench/out/floor_write_path.py``) is measured beside them for comparison (the
command line answers these commands without click: ``cli_hot``).

**Stages.** A cold ``comment`` is also run ``--runs`` times by a script that marks the
process time after each stage it meets — Python's start-up, the hot path (``cli_hot``),
the gate with the lifecycle's facts, the bare writer with the read path, and the command
itself (it asserts neither SQLAlchemy nor click was imported: the bare path answered,
without the command table) — and a
process importing only what the bare path imports (:data:`LIGHT_IMPORTS`) is measured
against the floor.

``--profile COMMAND`` also prints the slowest imports (``python -X importtime``) and the
cProfile top of one cold run of that command.

``--backend postgresql`` measures the commands on the bare path (``comment``, ``amend``,
``dispose``, ``edit``, ``new``, an own ``approve``, ``amendment accept|reject``,
``close-review``, an own ``object``, ``withdraw``) on a cluster of ``tests/pg.py`` (TLS, scram-sha-256), each workspace on its
own database, every command logging in as ``w0``'s own role; the floor
(``bench/out/floor_write_path_pg.py``) is plain ``psycopg`` on that same role: it takes the
head lock with ``resolutions_lock_head()``, inserts (or updates) the row, reads it back
for its SHA-256 fact hash and appends the event through ``resolutions_append()``, which
checks its actor, links and hash, as the database requires of every member. Its ratio is
taken against the same script reading its arguments from ``sys.argv``
(``floor_write_path_pg_bare.py``), as on SQLite; the one parsing them with click is kept
beside it.

    python bench/write_path.py [--runs 7] [--profile comment] [--backend postgresql]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
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
    refresh_bytecode,
    save,
    timed_run,
)
from pg_concurrency import FROZEN, Logins, _edited, _ok, setup  # noqa: E402
from write_floors import FLOOR, FLOOR_BARE, FLOOR_PG, FLOOR_PG_BARE  # noqa: E402 (the scripts)

COMMANDS = ("comment", "amend", "dispose", "edit", "new", "approve", "member add",
            "amendment accept", "amendment reject", "close-review", "object", "withdraw")
#: on PostgreSQL: the commands on the bare path (``member add`` makes a login role, on the
#: administrator's login)
COMMANDS_PG = ("comment", "amend", "dispose", "edit", "new", "approve", "amendment accept",
               "amendment reject", "close-review", "object", "withdraw")
#: the commands that store a text: their floor parses it as well (``--parse``), with the
#: round-trip loader configured as ``drafts.source`` configures it
PARSED = ("edit", "new")
#: what ``new`` stores (the demo resolution, 16 KB of YAML)
NEW_SOURCE = ROOT / "workflow" / "demo_data" / "resolution.yaml"
TARGET = 3.0

STAGES = r'''"""Where a cold comment's CPU goes on the bare path: each stage's process time, in
the order the command meets them."""
import json, sys, time
marks = [("python start-up", time.process_time())]
def mark(name):
    marks.append((name, time.process_time()))
import cli_hot
mark("import cli_hot (the hot path: its parser and context, no click, no command table)")
import workflow.lifecycle.gate, workflow.lifecycle.facts
mark("import the gate and the lifecycle's facts (the machine, the guards)")
import workflow.writing, workflow.store.writes
mark("import the bare writer, the read path, the workspace, the chain")
parsed = cli_hot.parse(sys.argv[1:])
assert parsed is not None, "not a hot command line"
assert cli_hot.answer(parsed) == 0
mark("run the command (settings, open, check schema, gate, parse or cached model, insert, facts, event, commit)")
assert "sqlalchemy" not in sys.modules, "the command ran on the ORM"
assert "click" not in sys.modules, "the command ran through click"
print("@@" + json.dumps([(n, (t - (marks[i - 1][1] if i else 0)) * 1000)
                         for i, (n, t) in enumerate(marks)]))
'''


#: what a write on the bare driver imports: the hot path (no click, no command table), the
#: gate and the lifecycle's facts (which import no ORM), the bare reads the gate's facts
#: load from, the row digests, the chain and the parsed-text cache
LIGHT_IMPORTS = [PYTHON, "-c", "import sqlite3, cli_hot, workflow.lifecycle.gate, "
                 "workflow.lifecycle.facts, workflow.store.reads, workflow.store.rowhash, "
                 "workflow.store.chain, workflow.store.workspace, workflow.store.parsed, "
                 "drafts.numbering"]


def stages(root: Path, plan: dict[str, Any], runs: int, env: dict[str, str], py: str
           ) -> list[Figure]:
    """Median CPU of each stage of a cold ``comment`` (:data:`STAGES`)."""
    script = OUT / "write_path_stages.py"
    script.write_text(STAGES, "utf-8")
    seen: dict[str, list[float]] = {}
    for i in range(runs):
        args = cold_args("comment", root, plan, 1000 + i)
        proc = subprocess.run([py, str(script), "--workspace", str(root), "--as", "w0",
                               *args], env=env, capture_output=True, text=True, check=True)
        line = next(x for x in proc.stdout.splitlines() if x.startswith("@@"))
        for name, ms in json.loads(line[2:]):
            seen.setdefault(name, []).append(ms)
    return [Figure("stages", f"comment: {name}", median(values), note=f"median of {runs}")
            for name, values in seen.items()]


def prepare(root: Path, approvals: int, logins: Logins | None = None) -> dict[str, Any]:
    """pg_concurrency's workspace (one writer ``w0`` who reviews, drafts and keeps the
    register; one resolution in review, one draft), ``w0`` an approver too, a comment to
    dispose, ``w0`` the operator (the only secretary), and for each of ``approvals`` runs a
    fresh target: a resolution waiting for approval to approve, another to object to, two
    proposed amendments (one to accept, one to reject; ``plan["decide"]``: how many of each),
    a resolution in review to close with no objection and a draft to withdraw. PostgreSQL: each step on the login a deployment uses (the
    administrator's for membership, ``w0``'s own for the rest); ``plan["url"]``: ``w0``'s
    URL (None on SQLite)."""
    plan = setup(root, 1, logins)
    admin = logins.admin() if logins else None
    own = plan["url"] = logins.member("w0") if logins else None
    _ok(root, ["member", "edit", "w0", "--roles", "reviewer,drafter,secretary,approver"],
        url=admin)
    _ok(root, ["member", "edit", "sec", "--roles", ""], url=admin)  # w0 operates the
    # workspace: an approval of their own, no letter carrying someone else's word
    _ok(root, ["--as", "w0", "comment", plan["review"], "--by", "w0", "--ref", "OP 1",
               "--type", "ge", "--text", "to dispose"], url=own)
    source = ROOT / "workflow" / "demo_data" / "resolution.yaml"
    for n in range(2 * approvals):  # 1..approvals to accept, the others to reject
        _ok(root, ["--as", "w0", "amend", plan["review"], "--by", "w0", "--target", "OP 1",
                   "--op", "replace", "--text", f"en=decided {n}"], url=own)
    plan["decide"] = approvals
    plan["approvals"], plan["objections"], plan["withdrawals"] = [], [], []
    plan["closings"] = []
    for _ in range(approvals):
        for waiting in (plan["approvals"], plan["objections"]):
            ref = _ok(root, ["--as", "w0", "new", str(source)], url=own).split()[0]
            _ok(root, ["--as", "w0", "circulate", ref, "--reviewer", "w0"], url=own)
            _ok(root, ["--as", "w0", "close-review", ref, "--no-objection"], url=own)
            waiting.append(ref)
        plan["withdrawals"].append(
            _ok(root, ["--as", "w0", "new", str(source)], url=own).split()[0])
        ref = _ok(root, ["--as", "w0", "new", str(source)], url=own).split()[0]
        _ok(root, ["--as", "w0", "circulate", ref, "--reviewer", "w0"], url=own)
        plan["closings"].append(ref)
    plan["numbers"] = {ref: int(json.loads(_ok(root, ["--json", "show", ref], url=own))["number"])
                       for ref in [plan["review"], plan["draft"], *plan["approvals"],
                                   *plan["objections"], *plan["withdrawals"],
                                   *plan["closings"]]}
    return plan


def cold_args(kind: str, root: Path, plan: dict[str, Any], run: int) -> list[str]:
    tag = f"r{run}"
    if kind == "comment":
        return ["comment", plan["review"], "--by", "w0", "--ref", "OP 1", "--type", "ge",
                "--text", f"comment {tag}"]
    if kind == "amend":
        return ["amend", plan["review"], "--by", "w0", "--target", "OP 1", "--op", "replace",
                "--text", f"en=amended {tag}", "--why", f"why {tag}"]
    if kind == "dispose":
        return ["dispose", plan["review"], "1", "--accept", "--note", f"note {tag}"]
    if kind == "edit":
        taken = _ok(root, ["source", plan["draft"]], url=plan.get("url"))
        path = root.parent / f"cold-edit-{tag}.yaml"
        path.write_text(_edited(taken, plan["paragraphs"][0], f"({tag})"), "utf-8")
        return ["edit", plan["draft"], str(path)]
    if kind == "approve":
        return ["approve", plan["approvals"][run], "--by", "w0"]
    if kind == "new":
        return ["new", str(NEW_SOURCE)]
    if kind in ("amendment accept", "amendment reject"):
        number = run + 1 + (plan["decide"] if kind.endswith("reject") else 0)
        return [*kind.split(), plan["review"], str(number)]
    if kind == "object":
        return ["object", plan["objections"][run], "--by", "w0", "--note", f"note {tag}"]
    if kind == "withdraw":
        return ["withdraw", plan["withdrawals"][run], "--reason", f"reason {tag}"]
    if kind == "close-review":
        return ["close-review", plan["closings"][run], "--no-objection"]
    return ["member", "add", f"c-{tag}", "--name", f"Member {tag}", "--role", "reviewer"]


def floor_args(kind: str, plan: dict[str, Any], run: int) -> list[str]:
    ref = {"edit": plan["draft"], "approve": plan["approvals"][run],
           "object": plan["objections"][run], "withdraw": plan["withdrawals"][run],
           "close-review": plan["closings"][run]}.get(kind, plan["review"])
    extra = (["--source", str(NEW_SOURCE)] if kind == "new" else
             ["--number", cold_args(kind, Path(), plan, run)[-1]] if kind.startswith(
                 "amendment") else [])
    return [kind, str(plan["numbers"][ref]), f"f{run}", *extra]


def _workspaces(tmp: Path, runs: int, cluster: Any, env: dict[str, str]
                ) -> tuple[dict[Path, dict[str, Any]], dict[Path, dict[str, str]]]:
    """Ours and the floor's, each with its own database (the floor's rows are not the
    engine's): (plans, environments)."""
    plans, envs = {}, {}
    for root in (tmp / "ours", tmp / "floor"):
        envs[root] = dict(env)
        logins = None
        if cluster is not None:
            url = cluster.create_database()
            os.environ["RESOLUTIONS_DATABASE_URL"] = url
            logins = Logins(cluster, url, tmp / f"logins-{root.name}")
        plans[root] = prepare(root, runs + 3, logins)
        if cluster is not None:  # every command logs in as w0's own role
            envs[root]["RESOLUTIONS_DATABASE_URL"] = plans[root]["url"]
    return plans, envs


def run(runs: int = 7, profile: str | None = None, backend: str = "sqlite") -> list[Figure]:
    import datetime as dt

    from workflow import clock

    OUT.mkdir(parents=True, exist_ok=True)
    floor = OUT / ("floor_write_path.py" if backend == "sqlite" else "floor_write_path_pg.py")
    floor.write_text(FLOOR if backend == "sqlite" else FLOOR_PG, "utf-8")
    bare = OUT / ("floor_write_path_bare.py" if backend == "sqlite" else
                  "floor_write_path_pg_bare.py")  # the floor without click
    bare.write_text(FLOOR_BARE if backend == "sqlite" else FLOOR_PG_BARE, "utf-8")
    refresh_bytecode()
    py = PYTHON  # the plain Python (common.plain_python): ours and the floors alike
    clock.use(lambda: dt.datetime.fromisoformat(FROZEN))
    env = bench_env(RESOLUTIONS_NOW=FROZEN)
    os.environ["RESOLUTIONS_NOW"] = FROZEN
    cluster = None
    if backend == "postgresql":
        from tests.pg import Cluster

        cluster = Cluster().start()
    kinds = COMMANDS if backend == "sqlite" else COMMANDS_PG
    samples: dict[str, tuple[list[float], list[float]]] = {k: ([], []) for k in kinds}
    bare_samples: dict[str, list[float]] = {k: [] for k in kinds}
    parse_samples: dict[str, list[float]] = {k: [] for k in PARSED}
    stage_figures: list[Figure] = []
    loads = [os.getloadavg()[0]]
    try:
        with tempfile.TemporaryDirectory(prefix="write-path-", dir=OUT) as tmp:
            plans, envs = _workspaces(Path(tmp), runs, cluster, env)
            ours, theirs = Path(tmp) / "ours", Path(tmp) / "floor"
            target = (str(theirs / ".resolutions" / "resolutions.db") if cluster is None else
                      str(plans[theirs]["url"])
                      .replace("postgresql+psycopg://", "postgresql://", 1))
            for i in range(runs + 1):  # round 0 warms the caches and is not counted
                for kind in kinds:
                    args = cold_args(kind, ours, plans[ours], i)
                    _, mine = timed_run([py, RESOLUTIONS, "--workspace", str(ours), "--as", "w0",
                                         *args], env=envs[ours])
                    f = floor_args(kind, plans[theirs], i)
                    _, base = timed_run([py, str(floor), f[0], target, *f[1:]],
                                        env=envs[theirs])
                    _, plain = timed_run([py, str(bare), f[0], target, f[1], f"b{i}",
                                          *f[3:]], env=envs[theirs])
                    if i:
                        bare_samples[kind].append(plain)
                    if cluster is None:
                        if kind in PARSED:  # the same floor, parsing the source too
                            _, parsed = timed_run([py, str(bare), f[0], target, f[1],
                                                   f"p{i}", *f[3:], "--parse"],
                                                  env=envs[theirs])
                            if i:
                                parse_samples[kind].append(parsed)
                    if i:
                        samples[kind][0].append(mine)
                        samples[kind][1].append(base)
                loads.append(os.getloadavg()[0])
            if cluster is None:
                stage_figures = light_figures(ours, plans[ours], runs, env, bare, target, py)
            if profile:
                show_profile(profile, ours, plans[ours], runs + 1, envs[ours])
    finally:
        clock.use(None)
        for name in ("RESOLUTIONS_NOW", "RESOLUTIONS_DATABASE_URL"):
            os.environ.pop(name, None)
        if cluster is not None:
            cluster.stop()
    load = f"load {min(loads):.2f}–{max(loads):.2f}"
    if cluster is None:  # the goal against the click-free floor (parsing the source for
        # edit and new); the floor that parses nothing and the click floor beside it
        figures = []
        for kind, (mine, base) in samples.items():
            name = f"resolutions {kind} (cold), cpu"
            if kind in PARSED:
                figures.append(Figure(
                    "write", name, median(mine), baseline="sqlite3 floor parsing the source "
                    "(ruamel rt, no click)", baseline_value=median(parse_samples[kind]),
                    target=TARGET, note=f"median of {runs}; {load}"))
            figures.append(Figure(
                "write", name, median(mine), baseline="sqlite3 floor (no click)",
                baseline_value=median(bare_samples[kind]),
                target=None if kind in PARSED else TARGET,
                note="parses no YAML; for comparison" if kind in PARSED
                else f"median of {runs}; {load}"))
            figures.append(Figure("write", name, median(mine), baseline="sqlite3+click floor",
                                  baseline_value=median(base), note="for comparison"))
        return figures + stage_figures
    figures = []
    for kind, (mine, base) in samples.items():
        name = f"resolutions {kind} (cold), cpu"
        figures.append(Figure("write-postgresql", name, median(mine),
                              baseline="psycopg floor (own role, no click)",
                              baseline_value=median(bare_samples[kind]), target=TARGET,
                              note=f"median of {runs}; {load}"))
        figures.append(Figure("write-postgresql", name, median(mine),
                              baseline="psycopg+click floor (own role)",
                              baseline_value=median(base), note="for comparison"))
    return figures + stage_figures


def light_figures(ours: Path, plan: dict[str, Any], runs: int, env: dict[str, str],
                  floor: Path, db: str, py: str) -> list[Figure]:
    """Where a cold comment goes (:data:`STAGES`), and a process importing only what the
    bare path imports, against the floor."""
    figures = stages(ours, plan, runs, env, py)
    light = [timed_run([py, *LIGHT_IMPORTS[1:]], env=env)[1] for _ in range(runs)]
    floors = [timed_run([py, str(floor), "member add", db, "0", f"light{i}"],
                        env=env)[1] for i in range(runs)]
    figures.append(Figure(
        "stages", "imports of a bare-driver write (no ORM), cpu", median(light),
        baseline="sqlite3 floor (no click)", baseline_value=median(floors),
        note="what the light path starts from"))
    return figures


def show_profile(kind: str, root: Path, plan: dict[str, Any], run: int,
                 env: dict[str, str]) -> None:
    args = [RESOLUTIONS, "--workspace", str(root), "--as", "w0", *cold_args(kind, root, plan, run)]
    proc = subprocess.run([PYTHON, "-X", "importtime", *args], env=env, capture_output=True,
                          text=True)
    rows = []
    for line in proc.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            _, cumulative, name = line[12:].split("|")
            if cumulative.strip().isdigit():
                rows.append((int(cumulative), name.rstrip()))
    print(f"\n== {kind}: slowest imports (cumulative µs)")
    for micro, name in sorted(rows, reverse=True)[:40]:
        print(f"{micro:>10}  {name}")
    stats = OUT / f"write_path-{kind.replace(' ', '_')}.prof"
    again = cold_args(kind, root, plan, run + 1)
    subprocess.run([PYTHON, "-m", "cProfile", "-o", str(stats), RESOLUTIONS, "--workspace",
                    str(root), "--as", "w0", *again], env=env, capture_output=True, check=True)
    import pstats

    print(f"\n== {kind}: cProfile, by cumulative time")
    pstats.Stats(str(stats)).sort_stats("cumulative").print_stats(35)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--profile", choices=COMMANDS)
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    args = parser.parse_args()
    figures = run(args.runs, args.profile, args.backend)
    print_figures(figures)
    save("write_path" if args.backend == "sqlite" else "write_path_postgresql", figures)


if __name__ == "__main__":
    main()
