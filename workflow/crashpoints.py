"""Named crash points: a test hook that kills the process at a chosen moment.

``crashpoint("render.after-write")`` does nothing unless the environment variable
``RESOLUTIONS_CRASH_AT`` names that point (or a comma-separated list containing it). Then
the process sends itself SIGKILL — no ``finally`` blocks, no atexit, no flushing — which is
what a power cut or the OOM killer does. The reliability tests use it to prove that a
crash leaves no partial file at any destination, a consistent database, and a command
that completes when re-run.

``RESOLUTIONS_CRASH_AT=name@N`` crashes at the N-th time the point is reached (1-based),
so a point inside a loop can be hit on a later iteration. Reached points are appended to
the file named by ``RESOLUTIONS_CRASH_LOG`` (if set) as ``name pid``, so a test can list
the points a command passes through (counts are per process: render workers count their
own).
"""

from __future__ import annotations

import os
import signal

__all__ = ["crashpoint", "ENV", "LOG_ENV"]

ENV = "RESOLUTIONS_CRASH_AT"
LOG_ENV = "RESOLUTIONS_CRASH_LOG"
_hits: dict[str, int] = {}


def crashpoint(name: str) -> None:
    """Die here with SIGKILL if ``RESOLUTIONS_CRASH_AT`` names this point."""
    wanted = os.environ.get(ENV)
    log = os.environ.get(LOG_ENV)
    if not wanted and not log:
        return
    _hits[name] = _hits.get(name, 0) + 1
    if log:
        with open(log, "a", encoding="utf-8") as fh:
            fh.write(f"{name} {os.getpid()}\n")
    for spec in (wanted or "").split(","):
        point, _, nth = spec.strip().partition("@")
        if point == name and (not nth or int(nth) == _hits[name]):
            os.kill(os.getpid(), signal.SIGKILL)
