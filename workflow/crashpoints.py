"""Named crash points: where a test may kill the process to prove crash safety.

``crashpoint("render.after-write")`` does nothing unless this process armed that point with
:func:`arm` — which only test code does (``tests/launch.py``); nothing in the environment of
a normal run arms anything. An armed point sends the process SIGKILL — no ``finally``
blocks, no atexit, no flushing — which is what a power cut or the OOM killer does.

``arm("name@N")`` crashes at the N-th time the point is reached (1-based), so a point
inside a loop can be hit on a later iteration. With a log file, reached points are appended
as ``name pid`` (counts are per process; forked render workers inherit the arming)."""

from __future__ import annotations

import os
import signal

__all__ = ["crashpoint", "arm"]

_armed: list[tuple[str, int]] = []
_log: list[str] = []
_hits: dict[str, int] = {}


def arm(spec: str = "", log: str | None = None) -> None:
    """Arm the points of ``spec`` (``name`` or ``name@N``, comma-separated) in this process."""
    _armed.clear()
    _log.clear()
    for item in filter(None, (s.strip() for s in spec.split(","))):
        point, _, nth = item.partition("@")
        _armed.append((point, int(nth) if nth else 0))
    if log:
        _log.append(log)


def crashpoint(name: str) -> None:
    """Die here with SIGKILL if this process armed this point."""
    if not _armed and not _log:
        return
    _hits[name] = _hits.get(name, 0) + 1
    for path in _log:
        with open(path, "a", encoding="utf-8") as fh:
            fh.write(f"{name} {os.getpid()}\n")
    for point, nth in _armed:
        if point == name and (not nth or nth == _hits[name]):
            os.kill(os.getpid(), signal.SIGKILL)
