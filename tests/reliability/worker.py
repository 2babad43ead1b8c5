"""A worker process for the concurrency tests: runs a list of `resolutions` commands
in-process (the real CLI entry point, one command after another, as a busy user would),
after all workers have reached a common start barrier. Each command gets a fresh App
(and database engine), disposed afterwards so PostgreSQL connections are not hoarded."""

from __future__ import annotations

import contextlib
import io
import traceback
from typing import Any

_opened: list[Any] = []


def track_apps() -> list[Any]:
    """Every App a command opens from now on, in one list (its caller disposes them)."""
    from workflow import app as app_module

    opened = _opened
    if getattr(app_module.App.open, "_tracked", False):
        return opened
    original = app_module.App.open.__func__  # type: ignore[attr-defined]

    def open_and_track(cls: Any, *args: Any, **kwargs: Any) -> Any:
        app = original(cls, *args, **kwargs)
        opened.append(app)
        return app

    open_and_track._tracked = True  # type: ignore[attr-defined]
    app_module.App.open = classmethod(open_and_track)  # type: ignore[method-assign]
    return opened


def run_commands(workspace: str, commands: list[list[str]], barrier: Any,
                 env: dict[str, str | None] | None = None) -> list[tuple[list[str], int, str]]:
    import os

    import click

    from cli import cli

    for name, value in (env or {}).items():  # a pooled worker serves several tests
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    from tests.launch import install

    install()
    opened = track_apps()
    results: list[tuple[list[str], int, str]] = []
    barrier.wait()
    for args in commands:
        out = io.StringIO()
        code = 0
        try:
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
                cli.main(args=["--workspace", workspace, *args], prog_name="resolutions",
                         standalone_mode=False)
        except SystemExit as exc:
            code = int(exc.code or 0)
        except click.ClickException as exc:
            code = exc.exit_code
            out.write(exc.format_message())
        except BaseException:  # a crash, not a refusal: reported as such
            code = 99
            out.write(traceback.format_exc())
        finally:
            while opened:
                opened.pop().db.dispose()
        results.append((args, code, out.getvalue()))
    return results
