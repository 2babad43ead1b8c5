"""The terminal around a command: which errors are refusals and how a bug is told, where log
records go, what happens to output nobody reads any more, and a progress bar.

- :func:`refusal_classes` are the packages' own error bases: a refusal by the domain (exit
  code 1), shown as it is; :func:`ordinary_failure` turns a wrong password, a server that
  went away or a full disk into such a refusal; anything else is a bug (exit code 1 too),
  told by :func:`unexpected_text` in one line that says what became of the database;
- :func:`watch_commits` / :func:`commits` count committed transactions for that line;
- :func:`configure_logging` sends our packages' records to stderr at the level asked for
  with -v/-vv or ``RESOLUTIONS_LOG`` (warnings only by default);
- :data:`ERROR_CODES` are the stable words scripts read under --json, :func:`json_asked`
  tells from a raw command line whether it wants JSON;
- :func:`silence_stdout` points standard output at the null device once the reader is gone
  (``resolutions log 1 | head -1``), so nothing is reported at exit;
- :func:`progress_bar` draws long steps on a terminal (rich, imported only then), and off a
  terminal prints one line per finished step.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TextIO

__all__ = ["ERROR_CODES", "LEVELS", "LOGGERS", "Report", "commits", "configure_logging", "counter",
           "json_asked", "ordinary_failure", "progress_bar", "refusal_classes", "silence_stdout",
           "unexpected_text", "watch_commits"]

LOGGERS = ("cli", "workflow", "drafts", "templates", "signatures")
LEVELS = {"debug": logging.DEBUG, "info": logging.INFO, "warning": logging.WARNING}
_HANDLER = "resolutions"
_COMMITS = [0]
Report = Callable[[str, int, int], None]


#: the stable ``error`` words of ``{"error": …, "message": …}`` under --json, and what each
#: means; the exit code is 2 for "usage" and 1 for every other
ERROR_CODES = {
    "usage": "the command line is wrong: a missing argument or file, an unknown option, a "
             "bad value, options that exclude each other",
    "not-found": "no such resolution, version, member, comment, amendment or paragraph",
    "invalid-input": "a value, a source file or a document the domain cannot accept",
    "illegal-transition": "the resolution's state does not allow this step now",
    "blocked": "the state allows the step but a requirement is unmet (parity errors, a "
               "missing signature, the body's requirements)",
    "permission-denied": "the acting member lacks the role, or a decision for another "
                         "member lacks their word",
    "conflict": "someone else changed the resolution meanwhile; re-run the command",
    "workspace": "no workspace here, or its configuration cannot be read",
    "wrong-passphrase": "the passphrase does not open the key",
    "key-file": "a key or certificate file is missing, unreadable or would be overwritten",
    "certificate": "a certificate cannot be read or is not fit for its purpose",
    "signature": "a signature could not be made",
    "database": "the database could not be reached or refused the login (a wrong or missing "
                "password, a connection without TLS, a server that went away)",
    "disk-full": "a file or the database could not be written: the disk is full or "
                 "read-only; nothing of the step was saved",
    "refused": "any other refusal by the domain",
    "aborted": "stopped at a prompt (Ctrl-C, end of input)",
    "bug": "an unexpected error; the message says whether the database changes were "
           "rolled back or had been saved",
}


def json_asked(args: Sequence[str]) -> bool:
    """Whether a command line asks for --json anywhere before a ``--``: known before it
    is parsed, so even a line click rejects is answered in JSON."""
    words = list(args)
    return "--json" in (words[:words.index("--")] if "--" in words else words)


def refusal_classes() -> tuple[type[Exception], ...]:
    """The base error classes of workflow, drafts and signatures (each module is small
    and imports nothing heavy)."""
    from drafts.errors import DraftError
    from signatures.errors import SignatureError
    from workflow.errors import WorkflowError

    return (WorkflowError, DraftError, SignatureError)


def ordinary_failure(exc: BaseException) -> Exception | None:
    """The refusal an ordinary failure is — a wrong password, a server that went away, a
    full disk (``workflow.store.failures``) — or None."""
    from workflow.store.failures import explain

    return explain(exc)


def unexpected_text(exc: BaseException, *, database: str | None) -> str:
    """One line for a bug. ``database`` is None when the command never opened the
    database, "saved" when a transaction had committed before the error, otherwise
    anything else (the open transaction was rolled back)."""
    text = str(exc).strip()
    first = text.splitlines()[0][:300] if text else ""
    what = f"unexpected {type(exc).__name__}" + (f": {first}" if first else "")
    if database is None:
        state = ""
    elif database == "saved":
        state = "; the changes committed before it stay saved"
    else:
        state = "; the step's database changes were rolled back"
    return f"{what} (a bug{state}; re-run with --verbose to see where it happened)"


class _Stderr(logging.StreamHandler):  # type: ignore[type-arg]
    """A handler writing to whatever ``sys.stderr`` is when a record comes (a test runner
    swaps it per command; a handler holding the old one would write to a closed buffer)."""

    @property
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, _value: object) -> None:
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
        logger.propagate = False
    # the libraries' own records (pypdf repairing a damaged file, pyHanko's tracebacks for
    # an untrusted certificate, fontTools, WeasyPrint) are diagnostics for -v and -vv (the
    # command line then gives the root logger a handler), never printed by Python's
    # last-resort handler on an ordinary run
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == _HANDLER]:
        root.removeHandler(old)
    if level > logging.INFO:
        quiet = logging.NullHandler()
        quiet.set_name(_HANDLER)
        root.addHandler(quiet)
    return level


def _count(_connection: object) -> None:
    _COMMITS[0] += 1


def count_commit() -> None:
    """A transaction committed on the bare driver (:mod:`workflow.store.writes`)."""
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


@contextlib.contextmanager
def progress_bar(wanted: bool = True, say: Callable[[str], None] | None = None
                 ) -> Iterator[Report | None]:
    """Bars on stderr while the block runs, gone when it ends (transient), on a terminal;
    off a terminal one line per finished step on stderr; nothing when not ``wanted``
    (--json). ``say`` writes a line to stderr (default: straight to ``sys.stderr``). The
    reporter is also installed for :mod:`workflow.progress`."""
    from workflow.progress import reporting

    if not wanted:
        with reporting(None):
            yield None
        return
    if not sys.stderr.isatty():
        with reporting(_lines(say or _to_stderr)) as lines:
            yield lines
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    bar = Progress(TextColumn("{task.description:<24}"), BarColumn(), MofNCompleteColumn(),
                   transient=True, console=Console(stderr=True))
    tasks: dict[str, Any] = {}

    def report(step: str, done: int, total: int) -> None:
        if step not in tasks:
            tasks[step] = bar.add_task(step, total=total)
        bar.update(tasks[step], completed=done, total=total)

    with bar, reporting(report):
        yield report


def _to_stderr(line: str) -> None:
    sys.stderr.write(line + "\n")
    sys.stderr.flush()


def _lines(say: Callable[[str], None]) -> Report:
    """A reporter telling one line per finished step ("done: render (4)")."""
    told: set[str] = set()

    def report(step: str, done: int, total: int) -> None:
        if total <= 0 or done < total or step in told:
            return
        told.add(step)
        say(f"done: {step}" + (f" ({total})" if total > 1 else ""))

    return report


def counter(say: Callable[[str], None] | None = None) -> Report:
    """A reporter light enough to install before a command knows whether it has long work
    (opening a workspace whose schema must be brought up to date): on a terminal a count
    rewritten in place on stderr, at most every hundredth part; off a terminal one line
    per finished step."""
    if not sys.stderr.isatty():
        return _lines(say or _to_stderr)
    shown: dict[str, int] = {}

    def report(step: str, done: int, total: int) -> None:
        every = max(1, total // 100)
        if done < total and done - shown.get(step, -every) < every:
            return
        shown[step] = done
        sys.stderr.write(f"\r{step}: {done}/{total}" + ("\n" if done >= total else ""))
        sys.stderr.flush()

    return report
