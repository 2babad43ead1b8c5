"""How far a long step is, for whoever shows it: services call :func:`advance` (or wrap a
stage in :func:`stage`), the command line installs a reporter with :func:`reporting` — a bar
on a terminal, one line per finished step otherwise, nothing under --json. Without a
reporter (a library caller, a test) the calls cost nothing.

A reporter takes ``(step, done, total)``; a step is finished when ``done == total``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from contextvars import ContextVar

__all__ = ["Report", "advance", "reporting", "stage"]

Report = Callable[[str, int, int], None]
_CURRENT: ContextVar[Report | None] = ContextVar("resolutions_progress", default=None)


@contextlib.contextmanager
def reporting(report: Report | None) -> Iterator[Report | None]:
    """Send the progress of everything run inside the block to ``report``."""
    token = _CURRENT.set(report)
    try:
        yield report
    finally:
        _CURRENT.reset(token)


def advance(step: str, done: int, total: int) -> None:
    """``done`` of ``total`` parts of ``step`` are finished."""
    report = _CURRENT.get()
    if report is not None:
        report(step, done, total)


@contextlib.contextmanager
def stage(step: str) -> Iterator[None]:
    """One part of a command: shown while it runs, told when it has finished."""
    advance(step, 0, 1)
    yield
    advance(step, 1, 1)
