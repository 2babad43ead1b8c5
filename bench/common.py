"""Shared helpers for the benchmark scripts: figures with their baselines, timing of fresh
processes, and a description of the machine.

A *figure* is one measured value; when it has a baseline measured in the same invocation
its ratio is printed, and when the issue sets a target ratio the figure says whether it
is met. Scripts return their figures; ``run_all.py`` prints them together and writes
``bench/out/results.json``.
"""

from __future__ import annotations

import fcntl
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import IO, Sequence

#: the parse a floor of a command that stores a text adds (``--parse`` in write_path.py,
#: ``parse`` in pg_concurrency.py): a function ``load(text)`` written into the floor's script
LOADER = '''def load(text):
    """The source parsed as ``drafts.source`` parses it (ruamel's round-trip loader,
    configured alike): what a store of a text needs before its row."""
    from ruamel.yaml import YAML

    yaml = YAML(typ="rt")
    yaml.allow_duplicate_keys = False
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.preserve_quotes = True
    return yaml.load(text)
'''


HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
OUT = HERE / "out"
BIN = Path(sys.executable).parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


@dataclass
class Figure:
    group: str
    name: str
    value: float
    unit: str = "ms"
    baseline: str = ""
    baseline_value: float | None = None
    target: float | None = None   # the ratio to meet (value / baseline ≤ target)
    note: str = ""

    @property
    def ratio(self) -> float | None:
        if self.baseline_value:
            return self.value / self.baseline_value
        return None

    @property
    def met(self) -> bool | None:
        if self.target is None or self.ratio is None:
            return None
        return self.ratio <= self.target

    def line(self) -> str:
        text = f"{self.group:<10} {self.name:<44} {_fmt(self.value, self.unit):>12}"
        if self.baseline_value is not None:
            text += f"   vs {self.baseline} {_fmt(self.baseline_value, self.unit)}"
            text += f" = {self.ratio:.2f}×"
        if self.target is not None:
            text += f" (target ≤ {self.target:.2f}×: {'met' if self.met else 'NOT met'})"
        if self.note:
            text += f"  [{self.note}]"
        return text

    def to_json(self) -> dict[str, object]:
        return {**asdict(self), "ratio": self.ratio, "met": self.met}


def _fmt(value: float, unit: str) -> str:
    if unit == "ms":
        return f"{value:.0f} ms" if value >= 100 else f"{value:.1f} ms"
    if unit == "s":
        return f"{value:.2f} s"
    return f"{value:.1f} {unit}" if isinstance(value, float) else f"{value} {unit}"


def print_figures(figures: Sequence[Figure]) -> None:
    for figure in figures:
        print(figure.line(), flush=True)


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def timed_run(args: Sequence[str], *, env: dict[str, str] | None = None,
              cwd: str | os.PathLike[str] | None = None, check: bool = True
              ) -> tuple[float, float]:
    """Wall-clock and CPU (user + system) milliseconds of one fresh process."""
    wall, cpu, _ = _timed(args, env, cwd, check, subprocess.DEVNULL)
    return wall, cpu


def timed_output(args: Sequence[str], *, env: dict[str, str] | None = None
                 ) -> tuple[float, float, str]:
    """:func:`timed_run` of a process whose standard output is kept (a file, not a pipe, so
    the process never waits for the reader), and that output."""
    import tempfile

    with tempfile.TemporaryFile() as sink:
        wall, cpu, _ = _timed(args, env, None, True, sink)
        sink.seek(0)
        return wall, cpu, sink.read().decode("utf-8")


def _timed(args: Sequence[str], env: dict[str, str] | None,
           cwd: str | os.PathLike[str] | None, check: bool, stdout: int | IO[bytes]
           ) -> tuple[float, float, int]:
    started = time.perf_counter()
    proc = subprocess.Popen(list(args), stdout=stdout, stderr=subprocess.PIPE,
                            env=env, cwd=cwd)
    err = proc.stderr.read() if proc.stderr else b""
    _pid, status, usage = os.wait4(proc.pid, 0)
    elapsed = (time.perf_counter() - started) * 1000
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.stderr:
        proc.stderr.close()
    if check and proc.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} exited {proc.returncode}: "
                           f"{err.decode(errors='replace')[-800:]}")
    return elapsed, (usage.ru_utime + usage.ru_stime) * 1000, proc.returncode


def interleaved(commands: dict[str, Sequence[str]], runs: int, *,
                env: dict[str, str] | None = None, warmup: int = 1
                ) -> dict[str, tuple[float, float]]:
    """Median wall and CPU ms of each command, the commands taking turns so that load from
    other processes on the machine falls on all of them alike."""
    wall: dict[str, list[float]] = {name: [] for name in commands}
    cpu: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(warmup):
        for args in commands.values():
            timed_run(args, env=env)
    for _ in range(runs):
        for name, args in commands.items():
            w, c = timed_run(args, env=env)
            wall[name].append(w)
            cpu[name].append(c)
    return {name: (median(wall[name]), median(cpu[name])) for name in commands}


def bench_env(**extra: str) -> dict[str, str]:
    """The environment of a measured process: no workspace settings from the caller, and
    byte-code caching on (an installed application has its .pyc files; with
    PYTHONDONTWRITEBYTECODE a module edited since its .pyc was written is compiled again
    on every start, which is not what a user pays), and this checkout's code first on the
    path."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("RESOLUTIONS_") and k != "PYTHONDONTWRITEBYTECODE"}
    # the code of this checkout, whichever one the venv's editable install points at
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), *filter(None, [env.get("PYTHONPATH")])])
    env.update(extra)
    return env


def plain_python() -> str:
    """A Python that starts as an installed application's does: this checkout and this
    venv's libraries importable through one path file, without the editable install's
    import finder (``make setup`` installs the project editable; its finder, loaded by
    every start of the venv's Python, imports pathlib, re, fnmatch and urllib on its own,
    ≈ 10–15 ms that a plain script never pays and a regular install does not have).

    Made once under ``bench/out/plain-python`` (``venv --without-pip``: the base
    interpreter, none of its site-packages), with the command line's launcher; every
    benchmark starts the floors and the commands measured against them with it
    (:data:`PYTHON`, :data:`RESOLUTIONS`)."""
    target = OUT / "plain-python"
    exe = target / "bin" / "python"
    if Path(sys.prefix).resolve() == target.resolve():  # a process it started (a bench's
        return str(exe)                                 # writer): already made
    libraries = [p for p in sys.path if p.startswith(sys.prefix) and p.endswith("site-packages")]
    OUT.mkdir(parents=True, exist_ok=True)
    # the suite's workers import the benches at once: one of them makes it, the others
    # wait for it and find it made
    with open(OUT / "plain-python.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not exe.exists():
            subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(target)],
                           check=True)
        site = next((target / "lib").glob("python*/site-packages"))
        _write_if_changed(site / "brics-bench.pth", "\n".join([str(ROOT), *libraries]) + "\n")
        # the installed launcher of the command line, started by this Python
        launcher = (BIN / "resolutions").read_text("utf-8").split("\n", 1)[1]
        _write_if_changed(target / "bin" / "resolutions", f"#!{exe}\n{launcher}")
        (target / "bin" / "resolutions").chmod(0o755)
    return str(exe)


def _write_if_changed(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a new file put in its place, unless it holds it:
    a process starting the file meanwhile reads the old text or the new, never half."""
    if path.exists() and path.read_text("utf-8") == text:
        return
    fresh = path.with_name(path.name + ".new")
    fresh.write_text(text, "utf-8")
    os.replace(fresh, path)


#: what every benchmark starts its measured processes with (floors and ours alike):
#: :func:`plain_python` and the command line's launcher on it
PYTHON = plain_python()
RESOLUTIONS = str(Path(PYTHON).parent / "resolutions")


def refresh_bytecode() -> None:
    """Bring the project's .pyc files up to date before timing fresh processes."""
    import compileall

    compileall.compile_file(str(ROOT / "cli.py"), quiet=2)
    for package in ("workflow", "drafts", "templates", "signatures"):
        compileall.compile_dir(str(ROOT / package), quiet=2)


def machine() -> dict[str, str]:
    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    from importlib import metadata

    versions = {}
    for dist in ("sqlmodel", "SQLAlchemy", "pydantic", "click", "transitions", "weasyprint",
                 "pyHanko", "docxtpl", "fonttools", "psycopg", "bagit"):
        try:
            versions[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            pass
    try:
        load = os.getloadavg()[0]
    except OSError:
        load = 0.0
    return {"cpu": cpu, "cores": str(os.cpu_count()), "python": platform.python_version(),
            "os": platform.platform(), "load_at_start": f"{load:.2f}",
            "libraries": ", ".join(f"{k} {v}" for k, v in versions.items())}


def save(name: str, figures: Sequence[Figure]) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / f"{name}.json").write_text(json.dumps([f.to_json() for f in figures], indent=2),
                                      "utf-8")
