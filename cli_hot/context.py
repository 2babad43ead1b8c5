"""The context every command gets first (the hot path's and the full command line's): where,
who, how to print, and what it opens, closed when the command ends. The environment is
read here (and in ``cli.py``) and handed down."""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Mapping
    from contextlib import AbstractContextManager
    from typing import TextIO

    from workflow.app import App
    from workflow.progress import Report
    from workflow.reading import Reader
    from workflow.writing import Writing

__all__ = ["Context", "line"]


class Context:
    """What every command gets first: where, who, how to print; the App opened on demand.
    (A plain class: every command builds it, and defining a dataclass costs a read command
    a few milliseconds of its start.) What it opens is closed by :meth:`close`, which the
    command line calls when the command ends."""

    def __init__(self, workspace: str | None = None, actor: str | None = None,
                 json: bool = False, verbose: int = 0) -> None:
        # the environment is read here and nowhere below: everything is handed down
        env = os.environ
        self.workspace = workspace or env.get("RESOLUTIONS_WORKSPACE") or None
        self.actor = actor or env.get("RESOLUTIONS_USER") or None
        self.database_url = env.get("RESOLUTIONS_DATABASE_URL") or None
        self.smtp_password = env.get("RESOLUTIONS_SMTP_PASSWORD")
        self.prewarm = env.get("RESOLUTIONS_PREWARM", "1") != "0"
        self.json, self.verbose = json, verbose
        self._app: App | None = None
        self._reader: Any = None
        self._writer: Any = None
        self._closing: list[Any] = []
        self._commits = 0
        #: set by the hot path: the ORM (and the libraries it loads) log, so when the App is
        #: opened their records are sent where the full command line sends them
        self.configure_logging = False

    def app(self) -> App:
        if self._app is None:
            from workflow.app import App
            from workflow.presenting import terminal

            if self.configure_logging:
                terminal.configure_logging(self.verbose, None)
            with self._migrating():
                self._app = App.open(self.workspace, self.actor,
                                     database_url=self.database_url,
                                     smtp_password=self.smtp_password)
            if self._app.migrated:
                self.say(self._app.migrated)
            terminal.watch_commits()
            _debug("workspace %s", self._app.workspace.root)
        return self._app

    def reader(self) -> Reader:
        """The read path on the bare database driver (no ORM), closed with the command."""
        from workflow.reading import open_reader

        with self._migrating():
            reader = self._reader = open_reader(self.workspace, self.actor,
                                                database_url=self.database_url)
        if reader.migrated:
            self.say(reader.migrated)
        self._closing.append(reader.close)
        _debug("workspace %s (read path)", reader.workspace.root)
        return reader

    def writer(self, *, admin: bool = False) -> Writing | None:
        """The write path on the bare driver (no ORM) for the frequent writes, closed with
        the command; None when the database cannot be written that way (the command then
        runs its service on :meth:`app`, which migrates an older schema). ``admin``:
        membership, on PostgreSQL's administrator's login."""
        from workflow.writing import open_writing

        writing = open_writing(self.workspace, self.actor, database_url=self.database_url,
                               on_commit=self._committed, admin=admin)
        if writing is not None:
            self._writer = writing
            self._closing.append(writing.close)
            _debug("workspace %s (bare write path)", writing.workspace.root)
        return writing

    def _committed(self) -> None:
        self._commits += 1

    def database_after(self, before: int) -> str | None:
        """What an error leaves of the database: None when the command never opened it,
        "saved" when a transaction committed since ``before`` (a reading of
        ``terminal.commits()``), else "rolled back"."""
        if self._app is None and self._reader is None and self._writer is None:
            return None
        from workflow.presenting import terminal

        return "saved" if terminal.commits() > before or self._commits else "rolled back"

    def close(self) -> None:
        while self._closing:
            self._closing.pop()()

    def _migrating(self) -> AbstractContextManager[Report | None]:
        """While a workspace opens: how far a long migration step is (the search index
        built from every stored version), on stderr; nothing under --json."""
        from workflow.progress import reporting

        if self.json:
            return reporting(None)
        made: list[Any] = []

        def report(step: str, done: int, total: int) -> None:  # made at the first step
            if not made:
                from workflow.presenting import terminal

                made.append(terminal.counter(self.say))
            made[0](step, done, total)

        return reporting(report)

    def emit(self, data: Mapping[str, object], text: str | None = None) -> None:
        """Print ``data`` (an object: its keys are the command's declared ones) as JSON
        with --json, else ``text``. A reader that stops early (``| head``) ends the
        output, not the command, so the exit code still tells."""
        try:
            if self.json:
                import json

                line(json.dumps(data, ensure_ascii=False, indent=2, default=str))
            elif text:
                line(text)
        except BrokenPipeError:
            from workflow.presenting import terminal

            terminal.silence_stdout()

    def say(self, text: str) -> None:
        """A line for a person on stderr (a warning, a hint); nothing under --json."""
        if not self.json:
            line(text, sys.stderr)

    def progress(self) -> AbstractContextManager[Report | None]:
        """Around a long step: a bar on a terminal, one line per finished step otherwise
        (stderr), nothing under --json."""
        from workflow.presenting import terminal

        return terminal.progress_bar(not self.json, say=self.say)


def line(text: str, stream: TextIO | None = None) -> None:
    """``text`` and a newline on ``stream`` (standard output), flushed (as click.echo)."""
    out = stream if stream is not None else sys.stdout
    out.write(text + "\n")
    out.flush()


def _debug(message: str, *args: object) -> None:
    """A debug record of the command line's logger, when logging is set up (the full
    command line sets it up; the hot path never imports it)."""
    logging = sys.modules.get("logging")
    if logging is not None:
        logging.getLogger("cli").debug(message, *args)
