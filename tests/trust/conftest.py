"""One demo workspace for the trust suite: `resolutions demo` played once per run
(tests/played_demo.py, shared with tests/test_demo.py), a copy per worker.

By the time the tests run, the demo's timestamp authority and the address it published
the working group's CRL at are gone: whatever validates afterwards does so offline, from
what the files carry."""

from __future__ import annotations

from pathlib import Path

from tests.played_demo import Demo, demo

__all__ = ["Demo", "demo", "run_cli"]


def run_cli(args: list[str], cwd: Path | None = None,
            stdout_only: bool = False) -> tuple[int, str]:
    """The installed command line in a process of its own (outside any workspace when
    ``cwd`` is not one): exit code and what it printed (``stdout_only``: for --json)."""
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", "from cli import main; main()", *args],
                          capture_output=True, text=True, cwd=cwd, check=False)
    return done.returncode, done.stdout if stdout_only else done.stdout + done.stderr
