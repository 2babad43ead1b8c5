"""CLI latency on a workspace of 10,000 resolutions × 5 versions.

Cold ``resolutions list``, ``show``, ``status`` and ``log`` (each a fresh interpreter),
median of ``--runs`` runs, against the import floor
``python -c "import click, sqlmodel, transitions"`` measured in the same invocation, the
commands taking turns with the floor so machine load falls on all alike. Target: each
≤ 1.15× the floor.

``--explain`` also runs each command in-process, prints every SQL statement it issued
with SQLite's ``EXPLAIN QUERY PLAN`` (a full-table ``SCAN`` is flagged) and the number of
statements (an N+1 shows as a count that grows with the data), and lists the heavy
modules the command imported.

    python bench/cli_latency.py [--runs 15] [--explain] [--resolutions N]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (  # noqa: E402
    PYTHON,
    RESOLUTIONS,
    Figure,
    bench_env,
    interleaved,
    print_figures,
    refresh_bytecode,
    save,
)

FLOOR = [PYTHON, "-c", "import click, sqlmodel, transitions"]
TARGET = 1.15
HEAVY = ("weasyprint", "pyhanko", "docxtpl", "alembic", "rich", "fontTools", "babel",
         "lxml", "transitions", "ruamel")


def commands(workspace: Path, ref: str) -> dict[str, list[str]]:
    base = [RESOLUTIONS, "--workspace", str(workspace)]
    return {"list": base + ["list"], "show": base + ["show", ref],
            "status": base + ["status", ref], "log": base + ["log", ref]}


def explain(workspace: Path, ref: str) -> None:
    """Each command's statements and their query plans, and its heavy imports."""
    import json
    import subprocess

    probe = r"""
import json, sys, io, contextlib
from sqlalchemy import event
from sqlalchemy.engine import Engine
statements = []
@event.listens_for(Engine, "before_cursor_execute")
def _grab(conn, cursor, statement, parameters, context, executemany):
    statements.append((statement, parameters))
import cli
args = sys.argv[1:]
with contextlib.redirect_stdout(io.StringIO()):
    try:
        cli.cli.main(args, prog_name="resolutions", standalone_mode=False)
    except SystemExit:
        pass
import sqlite3
db = sqlite3.connect(sys.argv[2] + "/.resolutions/resolutions.db")
out = []
for statement, parameters in statements:
    if not statement.lstrip().upper().startswith("SELECT"):
        out.append([statement, []]); continue
    try:
        plan = [r[3] for r in db.execute("EXPLAIN QUERY PLAN " + statement, parameters or ())]
    except Exception as exc:
        plan = [f"(no plan: {exc})"]
    out.append([statement, plan])
mods = sorted({m.split('.')[0] for m in sys.modules})
print("@@" + json.dumps({"statements": out, "modules": mods}))
"""
    for name, args in commands(workspace, ref).items():
        proc = subprocess.run([PYTHON, "-c", probe, *args[1:]], capture_output=True, text=True,
                              env=bench_env())
        line = next((x for x in proc.stdout.splitlines() if x.startswith("@@")), None)
        if line is None:
            print(f"{name}: probe failed\n{proc.stderr[-2000:]}")
            continue
        data = json.loads(line[2:])
        heavy = [m for m in HEAVY if m in data["modules"]]
        print(f"\n== {name}: {len(data['statements'])} statement(s); heavy imports: "
              f"{', '.join(heavy) or 'none'}")
        for statement, plan in data["statements"]:
            flat = " ".join(statement.split())
            print(f"  {flat[:150]}{'…' if len(flat) > 150 else ''}")
            for step in plan:
                flag = "  <-- full scan" if step.startswith("SCAN") and "INDEX" not in step else ""
                print(f"      {step}{flag}")


def run(runs: int = 15, resolutions: int = 10_000, versions: int = 5,
        workspace: Path | None = None) -> list[Figure]:
    from make_workspace import ensure

    workspace = workspace or ensure(resolutions, versions)
    refresh_bytecode()
    ref = str(resolutions // 2)
    cmds = {"floor": FLOOR, **commands(workspace, ref)}
    medians = interleaved(cmds, runs, env=bench_env())
    floor_wall, floor_cpu = medians.pop("floor")
    figures = []
    for name, (wall, cpu) in medians.items():
        figures.append(Figure("cli", f"resolutions {name} ({resolutions}×{versions})", wall,
                              baseline="import floor", baseline_value=floor_wall,
                              target=TARGET))
        figures.append(Figure("cli", f"  cpu time of {name}", cpu, baseline="floor cpu",
                              baseline_value=floor_cpu))
    figures.append(Figure("cli", "import floor (click, sqlmodel, transitions)", floor_wall,
                          note=f"median of {runs}; cpu {floor_cpu:.0f} ms"))
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--resolutions", type=int, default=10_000)
    parser.add_argument("--versions", type=int, default=5)
    parser.add_argument("--explain", action="store_true")
    args = parser.parse_args()
    figures = run(args.runs, args.resolutions, args.versions)
    print_figures(figures)
    save("cli_latency", figures)
    if args.explain:
        from make_workspace import ensure

        explain(ensure(args.resolutions, args.versions), str(args.resolutions // 2))


if __name__ == "__main__":
    main()
