"""Dossier export: N = 20, 100, 300 resolutions through their whole life.

The workspace is built once through the public commands, run in-process (no subprocess
per command): each resolution is drafted, circulated, commented, amended, revised,
circulated again, approved by both delegations, signed by two signatories (PAdES, the
first certifies), submitted and acknowledged. It is cached under ``bench/out/`` keyed by
schema revision, generator revision and N (the largest N serves the smaller ones: an
export of N takes resolutions 1…N).

For each N, on a fresh copy of the workspace (so the documents the bag needs are
rendered during the export): ``resolutions dossier export 1 … N -o BAG --workers 2`` —
time and the peak RSS of the export process and its workers
(``getrusage(RUSAGE_CHILDREN)``). For the smallest N also ``--workers 1``: the speed-up
from 2 workers (target ≥ 1.8×). For the largest N, a second export of the unchanged
workspace against the floor of copying and hashing the same bytes
(``cp -r BAG`` + ``sha256sum`` of every file; target ≤ 2×). Targets from the dossier issue:
peak RSS flat in N.

    python bench/dossier.py [--sizes 20,100,300] [--scaling-size 20]
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import OUT, RESOLUTIONS, Figure, bench_env, print_figures, save  # noqa: E402

GENERATOR_REVISION = "2"
SIGNATORIES = ("sokolov", "li-wei")
FROZEN = "2024-10-13T10:00:00+00:00"


def workspace_path(n: int) -> Path:
    from workflow.store.db import schema_revision

    return OUT / f"dossier-s{schema_revision()}-g{GENERATOR_REVISION}-{n}"


class _Run:
    """The CLI in-process: click's main without sys.exit, output captured."""

    def __init__(self, root: Path) -> None:
        from cli import cli

        self.cli, self.root = cli, root

    def __call__(self, *args: str) -> str:
        out, err = io.StringIO(), io.StringIO()
        argv = ["--workspace", str(self.root), *args] if args[0] != "init" else list(args)
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                self.cli.main(argv, prog_name="resolutions", standalone_mode=False)
            except SystemExit as exc:
                if exc.code:
                    raise RuntimeError(f"resolutions {' '.join(args)} exited {exc.code}: "
                                       f"{err.getvalue().strip()}") from None
        return out.getvalue()


def _secret(root: Path, name: str) -> str:
    path = root / ".bench-secrets" / f"{name}.pass"
    path.parent.mkdir(mode=0o700, exist_ok=True)
    if not path.exists():
        path.write_text(f"{name}-bench-passphrase-7f3a\n", "utf-8")
        path.chmod(0o600)
    return str(path)


def _source(i: int) -> str:
    from make_workspace import _template, _titles

    from drafts.source import dump

    model, _ = _template()
    titles = _titles(i, 1)
    return dump(model._replace(symbol=None, title=titles))


def build(root: Path, n: int, echo: bool = True) -> None:
    from workflow import clock
    from workflow.demo import MEMBERS

    frozen = dt.datetime.fromisoformat(FROZEN)
    clock.use(lambda: frozen)
    run = _Run(root)
    run("init", str(root), "--name", "Russian–Chinese working group on microelectronics",
        "--prefix", "RCWG", "--approval-rule", "each-delegation")
    for mid, name, names, org, delegation, email, lang, roles in MEMBERS:
        args = ["member", "add", mid, "--name", name, "--org", org, "--delegation",
                delegation, "--email", email, "--lang", lang]
        for role in roles:
            args += ["--role", role]
        run(*args)
    ca = _secret(root, "ca")
    run("keys", "init-ca", "--passphrase-file", ca)
    for member in SIGNATORIES:
        run("keys", "issue", member, "--ca-passphrase-file", ca,
            "--passphrase-file", _secret(root, member))
    run("keys", "seal-issue", "--ca-passphrase-file", ca,
        "--passphrase-file", _secret(root, "seal"))
    source = root / ".bench-source.yaml"
    letter = str(root / ".bench-letter.txt")
    Path(letter).write_text("The delegation approves the draft resolution.\n", "utf-8")
    started = time.perf_counter()
    for i in range(1, n + 1):
        source.write_text(_source(i), "utf-8")
        s = run("new", str(source)).strip().splitlines()[0]
        run("circulate", s, "--reviewer", "orlov", "--reviewer", "wang-fang")
        run("comment", s, "--by", "orlov", "--ref", "OP 2", "--type", "te",
            "--text", "Name the components", "--proposal", "List the component classes")
        run("dispose", s, "1", "--accept", "--note", "Done in the next version")
        run("amend", s, "--by", "wang-fang", "--target", "OP 1", "--op", "replace",
            "--text", "en=*Instructs* the working group to prepare a roadmap until 2035;",
            "--text", "ru=*Поручает* рабочей группе подготовить дорожную карту до 2035 года;",
            "--text", "zh=*责成*工作组制定至2035年的路线图；", "--why", "Longer horizon")
        run("amendment", "accept", s, "1")
        run("close-review", s, "--changes")
        run("circulate", s, "--reviewer", "orlov")
        run("close-review", s, "--no-objection")
        for member in SIGNATORIES:  # the secretary records each delegation's letter
            run("approve", s, "--by", member, "--evidence", letter)
        for member in SIGNATORIES:
            run("sign", s, "--by", member, "--passphrase-file", _secret(root, member))
        run("submit", s, "--to", "brics-higher-council")
        run("receipt", s, "--ref", f"HC/2024/{i}", "--outcome", "acknowledged")
        if echo and (i % 20 == 0 or i == n):
            print(f"  dossier workspace: {i}/{n} resolutions "
                  f"({time.perf_counter() - started:.0f} s)", flush=True)
    clock.use(None)


def ensure(n: int) -> Path:
    """The cached workspace with at least ``n`` resolutions."""
    for candidate in sorted(OUT.glob(workspace_path(0).name[:-1] + "*")):
        if (candidate / ".bench-complete").exists() and int(candidate.name.rsplit("-", 1)[1]) >= n:
            return candidate
    path = workspace_path(n)
    tmp = path.with_name(path.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    OUT.mkdir(parents=True, exist_ok=True)
    build(tmp, n)
    os.rename(tmp, path)
    (path / ".bench-complete").write_text("ok", "utf-8")
    return path


def _fresh_copy(template: Path, target: Path) -> Path:
    """The workspace without its rendered documents beyond those signing needs."""
    shutil.copytree(template, target)
    return target


def export(workspace: Path, n: int, bag: Path, workers: int) -> tuple[float, float, dict]:
    """Seconds and peak RSS (MiB, the largest of the export process and its workers)."""
    probe = (
        "import json, resource, subprocess, sys, time\n"
        "t = time.perf_counter()\n"
        "p = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
        "s = time.perf_counter() - t\n"
        "ru = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
        "print(json.dumps({'s': s, 'rss_kib': ru.ru_maxrss, 'rc': p.returncode,"
        " 'out': p.stdout[-4000:], 'err': p.stderr[-2000:]}))\n")
    if not (workspace / ".resolutions/keys/seal/seal.p12").exists():  # an older template
        _Run(workspace)("keys", "seal-issue", "--ca-passphrase-file", _secret(workspace, "ca"),
                        "--passphrase-file", _secret(workspace, "seal"))
    args = [RESOLUTIONS, "--workspace", str(workspace), "--json", "dossier", "export",
            *[str(i) for i in range(1, n + 1)], "-o", str(bag), "--workers", str(workers),
            "--seal-passphrase-file", _secret(workspace, "seal")]
    proc = subprocess.run([sys.executable, "-c", probe, *args], capture_output=True, text=True,
                          env=bench_env())
    data = json.loads(proc.stdout)
    if data["rc"] != 0:
        raise RuntimeError(f"dossier export failed: {data['err']}")
    return data["s"], data["rss_kib"] / 1024, json.loads(data["out"])


def copy_and_hash(bag: Path, target: Path) -> float:
    t = time.perf_counter()
    subprocess.run(["cp", "-r", str(bag), str(target)], check=True)
    subprocess.run(f"find {target} -type f -print0 | xargs -0 sha256sum > /dev/null",
                   shell=True, check=True)
    return time.perf_counter() - t


def run(sizes: tuple[int, ...] = (20, 100, 300), scaling_size: int = 20) -> list[Figure]:
    template = ensure(max(sizes))
    figures: list[Figure] = []
    with tempfile.TemporaryDirectory(prefix="dossier-", dir=OUT) as tmp:
        work = Path(tmp)
        rss: dict[int, float] = {}
        one_worker = None
        for n in sizes:
            if n == scaling_size:
                ws1 = _fresh_copy(template, work / f"ws-{n}-w1")
                one_worker, rss1, _ = export(ws1, n, work / f"bag-{n}-w1", 1)
                shutil.rmtree(ws1)
                shutil.rmtree(work / f"bag-{n}-w1")
            ws = _fresh_copy(template, work / f"ws-{n}")
            seconds, peak, result = export(ws, n, work / f"bag-{n}", 2)
            rss[n] = peak
            note = (f"{result['files']} files, {result['octets'] / 2**20:.0f} MiB, "
                    f"{result['rendered']} rendered, {result['cached']} cached; "
                    f"peak RSS {peak:.0f} MiB")
            figures.append(Figure("dossier", f"export N={n}, 2 workers", seconds, unit="s",
                                  note=note))
            if n == scaling_size and one_worker is not None:
                figures.append(Figure("dossier", f"speed-up from 2 workers (N={n})",
                                      one_worker / seconds, unit="×",
                                      note=f"1 worker {one_worker:.1f} s, peak RSS {rss1:.0f} MiB; "
                                      "target ≥ 1.8×"))
            if n == max(sizes):
                again, _peak, result2 = export(ws, n, work / f"bag-{n}-again", 2)
                floor = copy_and_hash(work / f"bag-{n}", work / f"copy-{n}")
                figures.append(Figure("dossier", f"unchanged re-export N={n}", again, unit="s",
                                      baseline="cp -r + sha256sum", baseline_value=floor,
                                      target=2.0,
                                      note=f"{result2['rendered']} rendered, "
                                      f"{result2['cached']} cached"))
            shutil.rmtree(ws, ignore_errors=True)
            for folder in work.glob(f"*-{n}*"):
                shutil.rmtree(folder, ignore_errors=True)
        smallest, largest = min(sizes), max(sizes)
        figures.append(Figure("dossier", f"peak RSS N={largest} vs N={smallest}", rss[largest],
                              unit="MiB", baseline=f"N={smallest}",
                              baseline_value=rss[smallest], target=1.25,
                              note="flat in N: within 25 %"))
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="20,100,300")
    parser.add_argument("--scaling-size", type=int, default=20)
    parser.add_argument("--build-only", action="store_true")
    args = parser.parse_args()
    sizes = tuple(int(x) for x in args.sizes.split(","))
    if args.build_only:
        print(ensure(max(sizes)))
        return
    figures = run(sizes, args.scaling_size)
    print_figures(figures)
    save("dossier", figures)


if __name__ == "__main__":
    main()
