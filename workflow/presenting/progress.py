"""A progress bar on the terminal for long steps (rich, imported only when shown).

:func:`progress_bar` yields the callback a long-running service takes (``progress(step,
done, total)``), drawing one bar per step on stderr; it yields None when there is nobody
to watch (output is JSON, or stderr is not a terminal), so the service skips reporting.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator
from typing import Any

__all__ = ["Report", "progress_bar"]

Report = Callable[[str, int, int], None]


@contextlib.contextmanager
def progress_bar(wanted: bool = True) -> Iterator[Report | None]:
    """Bars while the block runs, gone when it ends (transient)."""
    if not wanted or not sys.stderr.isatty():
        yield None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    bar = Progress(TextColumn("{task.description:<8}"), BarColumn(), MofNCompleteColumn(),
                   transient=True, console=None)
    tasks: dict[str, Any] = {}

    def report(step: str, done: int, total: int) -> None:
        if step not in tasks:
            tasks[step] = bar.add_task(step, total=total)
        bar.update(tasks[step], completed=done, total=total)

    with bar:
        yield report
