"""``resolutions audit verify`` against the floor: reading the same rows and hashing them.

The workspace is the benchmark's N × V one (``make_workspace.py``; 10,000 × 5 by default):
about 50,000 events and as many version rows, each bound to the chain by its content hash.
The floor is a plain script on the standard library's ``sqlite3`` that reads every audit
event and every row of every table ``audit verify`` checks and feeds each through SHA-256 —
the least any check of those bytes must do. Both run as fresh processes, taking turns; the
figure is CPU time (user + system). Goal (issue 16): ≤ 5×.

``--against-list`` measures what issue 30 names: cold ``audit verify`` against cold ``list``
on the same small workspace (200 × 5, no signatures; goal ≤ 2.5×), with the floor of the
same run, and whether it is linear in events (the CPU each added event costs from 200 to
1,000 resolutions against 1,000 to 2,000).

    python bench/audit_verify.py [--runs 3] [--resolutions N] [--versions V]
    python bench/audit_verify.py --against-list [--runs 5]
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

TARGET = 5.0
#: issue 30: audit verify against list on the same 200-resolution workspace
AGAINST_LIST = 2.5

FLOOR = """
import hashlib, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
tables = [r[0] for r in db.execute(
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT IN "
    "('alembic_version', 'artefacts', 'audit_head', 'sqlite_sequence')")]
n = 0
for table in tables:
    for row in db.execute(f'SELECT * FROM "{table}"'):
        hashlib.sha256(repr(row).encode("utf-8")).digest()
        n += 1
print(n)
"""


def run(runs: int = 3, resolutions: int = 10_000, versions: int = 5,
        workspace: Path | None = None) -> list[Figure]:
    from make_workspace import ensure

    workspace = workspace or ensure(resolutions, versions)
    refresh_bytecode()
    db = workspace / ".resolutions" / "resolutions.db"
    cmds = {"floor": [PYTHON, "-c", FLOOR, str(db)],
            "audit verify": [RESOLUTIONS, "--workspace", str(workspace), "audit", "verify"]}
    medians = interleaved(cmds, runs, env=bench_env(), warmup=0)
    floor_wall, floor_cpu = medians.pop("floor")
    wall, cpu = medians["audit verify"]
    size = f"{resolutions}×{versions}"
    return [
        Figure("audit", f"audit verify ({size}), cpu", cpu, baseline="read + SHA-256 of the "
               "same rows", baseline_value=floor_cpu, target=TARGET,
               note=f"median of {runs}; wall {wall:.0f} ms against {floor_wall:.0f} ms"),
    ]


def _events(workspace: Path) -> int:
    import sqlite3

    db = sqlite3.connect(workspace / ".resolutions" / "resolutions.db")
    try:
        return int(db.execute("SELECT count(*) FROM audit_events").fetchone()[0])
    finally:
        db.close()


def against_list(runs: int = 5, sizes: tuple[int, ...] = (200, 1_000, 2_000),
                 versions: int = 5) -> list[Figure]:
    """Cold ``audit verify`` against cold ``list`` on the same workspace (the first size),
    with the floor; then whether its CPU grows linearly in events: the cost of each event
    added from the first size to the second against the same from the second to the third
    (equal slopes, 1.00×, are linear; what is left is the fixed start-up)."""
    from make_workspace import ensure

    refresh_bytecode()
    figures: list[Figure] = []
    points: list[tuple[int, float]] = []
    for n in sizes:
        workspace = ensure(n, versions, quiet=True)
        db = workspace / ".resolutions" / "resolutions.db"
        cmds = {"floor": [PYTHON, "-c", FLOOR, str(db)],
                "list": [RESOLUTIONS, "--workspace", str(workspace), "list"],
                "audit verify": [RESOLUTIONS, "--workspace", str(workspace), "audit", "verify"]}
        medians = interleaved(cmds, runs, env=bench_env())
        events = _events(workspace)
        (_, floor_cpu), (list_wall, list_cpu), (wall, cpu) = (
            medians["floor"], medians["list"], medians["audit verify"])
        points.append((events, cpu))
        if n == sizes[0]:
            figures.append(Figure(
                "audit", f"audit verify against list ({n}×{versions}, {events} events), cpu",
                cpu, baseline="cold list, same workspace", baseline_value=list_cpu,
                target=AGAINST_LIST,
                note=f"median of {runs}; wall {wall:.0f} against {list_wall:.0f} ms; "
                     f"read + SHA-256 floor {floor_cpu:.0f} ms ({cpu / floor_cpu:.2f}×)"))
    (e0, c0), (e1, c1), (e2, c2) = points[:3]
    first, second = (c1 - c0) / (e1 - e0), (c2 - c1) / (e2 - e1)
    fixed = c0 - first * e0
    figures.append(Figure(
        "audit", f"audit verify, CPU per added event ({e1}→{e2} against {e0}→{e1})",
        second * 1000, unit="µs", baseline=f"{e0}→{e1}", baseline_value=first * 1000,
        note=f"1.00× is linear; fixed part ≈ {fixed:.0f} ms of the {c0:.0f} ms at {e0} events"))
    return figures


def two_cores(runs: int = 3) -> list[Figure]:
    """``audit verify --workers 2`` against ``--workers 1`` on the dossier benchmark's
    workspace (every resolution signed twice, its documents in the store), when it has been
    built (``python bench/dossier.py --build-only``): the signature and file checks run in
    a second process beside the chain."""
    from dossier import OUT as _OUT
    from dossier import workspace_path

    built = sorted(p for p in _OUT.glob(workspace_path(0).name[:-1] + "*")
                   if (p / ".bench-complete").exists())
    if not built:
        return [Figure("audit", "audit verify, 2 processes vs 1", 0.0,
                       note="skipped: no dossier workspace (python bench/dossier.py --build-only)")]
    workspace = built[-1]
    base = [RESOLUTIONS, "--workspace", str(workspace), "audit", "verify", "--workers"]
    medians = interleaved({"1": base + ["1"], "2": base + ["2"]}, runs, env=bench_env(),
                          warmup=1)
    (wall1, cpu1), (wall2, cpu2) = medians["1"], medians["2"]
    return [Figure("audit", f"audit verify, 2 processes ({workspace.name.rsplit('-', 1)[1]} "
                   "signed resolutions), wall", wall2, baseline="1 process",
                   baseline_value=wall1,
                   note=f"speed-up {wall1 / wall2:.2f}×; CPU {cpu2:.0f} against {cpu1:.0f} ms")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--resolutions", type=int, default=10_000)
    parser.add_argument("--versions", type=int, default=5)
    parser.add_argument("--against-list", action="store_true",
                        help="audit verify against list at 200 resolutions (issue 30)")
    args = parser.parse_args()
    if args.against_list:
        figures = against_list(args.runs)
        print_figures(figures)
        save("audit_verify_list", figures)
        return
    figures = run(args.runs, args.resolutions, args.versions) + two_cores(args.runs)
    print_figures(figures)
    save("audit_verify", figures)


if __name__ == "__main__":
    main()
