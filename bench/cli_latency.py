"""CLI latency on a workspace of 10,000 resolutions × 5 versions.

Cold ``resolutions list``, ``show``, ``status`` and ``log`` (each a fresh interpreter),
median of ``--runs`` runs, against the floor: a plain ``sqlite3`` + ``click`` script that
answers the same ``list`` query (count, one page ordered by number, an aligned table),
written by this script to ``bench/out/floor_list.py`` and measured in the same invocation,
the commands taking turns with the floor so machine load falls on all alike. Target: each
≤ 2× the floor in CPU time. The former floor, ``python -c "import click, sqlmodel,
transitions"``, is measured too, for comparison with earlier runs.

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

IMPORT_FLOOR = [PYTHON, "-c", "import click, sqlmodel, transitions"]
TARGET = 2.0
FLOOR_SCRIPT = r'''"""The floor: what Python needs to answer `resolutions list`."""
import sqlite3
import sys

import click


@click.command()
@click.option("--workspace", required=True)
@click.option("--state")
@click.option("--limit", default=50)
@click.option("--page", default=1)
def main(workspace, state, limit, page):
    db = sqlite3.connect(f"file:{workspace}/.resolutions/resolutions.db?mode=ro", uri=True)
    where, args = ("WHERE state = ?", [state]) if state else ("", [])
    total = db.execute(f"SELECT count(*) FROM resolutions {where}", args).fetchone()[0]
    rows = db.execute(f"SELECT number, symbol, state, current_version, body, title "
                      f"FROM resolutions {where} ORDER BY number LIMIT ? OFFSET ?",
                      [*args, limit, (page - 1) * limit]).fetchall()
    head = ["no.", "symbol", "state", "ver.", "body", "title"]
    cells = [head] + [[str(x) for x in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(head))]
    out = ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in cells]
    out.insert(1, "  ".join("-" * w for w in widths))
    click.echo("\n".join(out))
    if total > (page - 1) * limit + len(rows):
        click.echo(f"{total} resolutions; next page: --page {page + 1}")


main()
'''


def floor_command(workspace: Path) -> list[str]:
    """Write the floor script and return its command line."""
    from common import OUT

    OUT.mkdir(parents=True, exist_ok=True)
    script = OUT / "floor_list.py"
    script.write_text(FLOOR_SCRIPT, "utf-8")
    return [PYTHON, str(script), "--workspace", str(workspace)]
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
import json, sys, io, contextlib, sqlite3
statements = []
_connect = sqlite3.connect
def _traced(*args, **kwargs):  # every statement of the read path, values bound
    conn = _connect(*args, **kwargs)
    conn.set_trace_callback(lambda sql: statements.append((sql, ())))
    return conn
sqlite3.connect = _traced
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
    if not statement.lstrip().upper().startswith("SELECT") or "alembic_version" in statement:
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
    cmds = {"floor": floor_command(workspace), "import floor": IMPORT_FLOOR,
            **commands(workspace, ref)}
    medians = interleaved(cmds, runs, env=bench_env())
    floor_wall, floor_cpu = medians.pop("floor")
    import_wall, import_cpu = medians.pop("import floor")
    size = f"{resolutions:,}×{versions}"
    figures = []
    for name, (wall, cpu) in medians.items():
        figures.append(Figure("cli", f"resolutions {name} ({size}), cpu", cpu,
                              baseline="sqlite3+click floor cpu", baseline_value=floor_cpu,
                              target=TARGET))
        figures.append(Figure("cli", f"  wall time of {name}", wall,
                              baseline="floor wall", baseline_value=floor_wall))
    figures.append(Figure("cli", "floor: sqlite3 + click answering list", floor_cpu,
                          note=f"cpu; wall {floor_wall:.0f} ms; median of {runs}"))
    figures.append(Figure("cli", "former floor: import click, sqlmodel, transitions",
                          import_cpu, note=f"cpu; wall {import_wall:.0f} ms"))
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
