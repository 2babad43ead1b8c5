"""Run every benchmark and print every figure with its ratio (``make bench``).

Each part is a script of its own in ``bench/`` (run it alone for more options); this one
runs them in turn, prints the figures, writes ``bench/out/results.json`` and a Markdown
table (``bench/out/results.md``) to paste into ``docs/BENCHMARKS.md``.

The large workspaces are generated once and cached under ``bench/out/``; the dossier
workspace is built through the public commands and is the slow part of a first run, so
the default dossier size is N = 20; ``--dossier-sizes 20,100,300`` adds the large ones (see
``docs/BENCHMARKS.md``). ``--quick`` uses fewer runs and a 10 s PostgreSQL run. The
long-text figures (``bench/long_text.py``, minutes of layout) run with ``--only long``.

    python bench/run_all.py [--quick] [--only cli,write,render,sign,dossier,pg]
        [--dossier-sizes 20,100,300] [--pg-seconds 30]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import OUT, Figure, machine, print_figures  # noqa: E402

PARTS = ("cli", "write", "render", "sign", "dossier", "pg")


def markdown(figures: list[Figure], info: dict[str, str], seconds: float) -> str:
    lines = [f"Machine: {info['cpu']}, {info['cores']} cores, Python {info['python']}, "
             f"{info['os']}; load average at start {info['load_at_start']}.",
             f"Libraries: {info['libraries']}.", f"Total run time: {seconds / 60:.1f} min.", "",
             "| part | figure | value | baseline | ratio | target |",
             "| --- | --- | ---: | --- | ---: | --- |"]
    def fmt(value: float, unit: str) -> str:
        if unit == "s":
            return f"{value:.2f} s"
        return f"{value:.0f} {unit}" if value >= 100 else f"{value:.1f} {unit}"

    for f in figures:
        value = fmt(f.value, f.unit)
        base = (f"{f.baseline} {fmt(f.baseline_value, f.unit)}"
                if f.baseline_value is not None else "")
        ratio = f"{f.ratio:.2f}×" if f.ratio is not None else ""
        target = (f"≤ {f.target:.2f}× — {'met' if f.met else '**not met**'}"
                  if f.target is not None else "")
        name = f.name.strip() + (f" ({f.note})" if f.note else "")
        row = [f.group, name, value.strip(), base, ratio, target]
        lines.append("| " + " | ".join(c.replace("|", "/") for c in row) + " |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--only", default=",".join(PARTS))
    parser.add_argument("--dossier-sizes", default=None)
    parser.add_argument("--pg-seconds", type=float, default=None)
    args = parser.parse_args()
    only = [p.strip() for p in args.only.split(",") if p.strip()]
    info = machine()
    print(f"# {info['cpu']}, {info['cores']} cores, Python {info['python']} "
          f"(load {info['load_at_start']})\n# {info['libraries']}", flush=True)
    started = time.perf_counter()
    figures: list[Figure] = []
    failed: list[str] = []

    def part(name: str, fn) -> None:  # type: ignore[no-untyped-def]
        if name not in only:
            return
        t = time.perf_counter()
        print(f"\n## {name}", flush=True)
        try:
            got = fn()
        except Exception:
            traceback.print_exc()
            failed.append(name)
            return
        print_figures(got)
        print(f"   ({time.perf_counter() - t:.0f} s)", flush=True)
        figures.extend(got)

    import audit_verify
    import cli_latency
    import dossier
    import long_text
    import pg_concurrency
    import render
    import sign_verify
    import write_path

    quick = args.quick
    part("cli", lambda: cli_latency.run(runs=10 if quick else 15))
    part("write", lambda: write_path.run(runs=5 if quick else 7))
    part("audit", lambda: audit_verify.run(runs=1 if quick else 3))
    part("audit against list", lambda: audit_verify.against_list(runs=1 if quick else 5))
    part("render", lambda: render.run(runs=3 if quick else 7, warm_count=4 if quick else 8))
    part("sign", lambda: sign_verify.run(docs=3 if quick else 6))
    # opt-in (--only long): a 1,000-paragraph draft takes minutes to lay out
    part("long", lambda: long_text.run(runs=2 if quick else 5, render_runs=1 if quick else 2))
    # N = 100 and 300 are opt-in: building them through the public commands takes far
    # longer than make bench's 10 minutes the first time (docs/BENCHMARKS.md).
    sizes = tuple(int(x) for x in (args.dossier_sizes or "20").split(","))
    part("dossier", lambda: dossier.run(sizes, scaling_size=min(sizes)))
    part("audit, two processes", lambda: audit_verify.two_cores(runs=1 if quick else 3))
    part("pg", lambda: pg_concurrency.run(seconds=args.pg_seconds or (10 if quick else 30)))
    seconds = time.perf_counter() - started
    print(f"\n## all figures ({seconds / 60:.1f} min)")
    print_figures(figures)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "results.json").write_text(json.dumps(
        {"machine": info, "seconds": seconds, "figures": [f.to_json() for f in figures]},
        indent=2), "utf-8")
    (OUT / "results.md").write_text(markdown(figures, info, seconds), "utf-8")
    print(f"written {OUT / 'results.json'} and {OUT / 'results.md'}")
    if failed:
        print(f"FAILED parts: {', '.join(failed)}")
        sys.exit(1)


if __name__ == "__main__":
    main()
