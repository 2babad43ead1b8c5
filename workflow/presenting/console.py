"""The terminal around a command: where log records go, how many transactions committed,
and what happens to output nobody reads any more.

- :func:`configure_logging` sends our packages' records to stderr at the level asked for
  with -v/-vv or ``RESOLUTIONS_LOG`` (warnings only by default);
- :func:`watch_commits` / :func:`commits` count committed database transactions, so a bug's
  message can say whether anything stayed saved;
- :func:`silence_stdout` points standard output at the null device once the reader is gone
  (``resolutions log 1 | head -1``), so nothing is reported at exit.
"""

from __future__ import annotations

import logging
import os
import sys
from typing import Any

__all__ = ["LEVELS", "LOGGERS", "commits", "configure_logging", "silence_stdout",
           "watch_commits"]

LOGGERS = ("cli", "workflow", "drafts", "templates", "signatures")
LEVELS = {"debug": logging.DEBUG, "info": logging.INFO, "warning": logging.WARNING}
_HANDLER = "resolutions"
_COMMITS = [0]


class _Stderr(logging.StreamHandler):  # type: ignore[type-arg]
    """A handler writing to whatever ``sys.stderr`` is when a record comes (a test runner
    swaps it per command; a handler holding the old one would write to a closed buffer)."""

    @property
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, _value: Any) -> None:
        pass


def configure_logging(verbose: int, wanted: str | None) -> int:
    """Log our packages to the current stderr at the more talkative of ``verbose`` (0
    warnings, 1 info, 2 or more debug) and ``wanted`` (a name of :data:`LEVELS`); returns
    the level. Raises ValueError naming the accepted words for any other ``wanted``."""
    wanted = (wanted or "").strip().lower()
    if wanted and wanted not in LEVELS:
        raise ValueError(f"RESOLUTIONS_LOG={wanted}: write debug, info or warning")
    level = min(LEVELS.get(wanted, logging.WARNING),
                (logging.WARNING, logging.INFO, logging.DEBUG)[min(verbose, 2)])
    handler = _Stderr()
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    handler.set_name(_HANDLER)
    for name in LOGGERS:
        logger = logging.getLogger(name)
        for old in [h for h in logger.handlers if h.get_name() == _HANDLER]:
            logger.removeHandler(old)
        logger.addHandler(handler)
        logger.setLevel(level)
    return level


def _count(_connection: Any) -> None:
    _COMMITS[0] += 1


def watch_commits() -> None:
    """Count every committed transaction of any engine from now on (idempotent)."""
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    if not event.contains(Engine, "commit", _count):
        event.listen(Engine, "commit", _count)


def commits() -> int:
    """Transactions committed since :func:`watch_commits` (compare two readings)."""
    return _COMMITS[0]


def silence_stdout() -> None:
    """Send what is still buffered for stdout, and anything later, to the null device."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):  # not a real file (a test runner's buffer)
        pass
