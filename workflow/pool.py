"""Work spread over the machine's cores: forked processes, each with the workspace open.

The dossier export renders its missing documents here and ``audit verify`` checks signed
PDFs, statements and stored files here while the calling process walks the chain. Each
worker opens the workspace once (:func:`worker_app`); no database connection crosses the
fork (the caller's engine is disposed first and reconnects on its next use).

:func:`run` recycles the workers: a pool ends after ``per_worker`` × ``workers`` tasks (about
``per_worker`` each) and a fresh one takes the rest, so memory a long run accumulates in a worker (WeasyPrint's and
fontTools' caches, a large document's boxes) is given back, and a run of 300 resolutions
peaks where a run of 20 does.

A worker dies with the process that started it (:func:`_die_with`): killing a command
never leaves its workers rendering for nobody.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from typing import Any, TypeVar

from workflow.app import App
from workflow.store.db import Database
from workflow.store.workspace import Workspace

__all__ = ["default_workers", "worker_app", "run"]

T = TypeVar("T")
R = TypeVar("R")

_APP: App | None = None


def default_workers() -> int:
    """One process per core, at most two (what the dossier measurements support)."""
    return max(1, min(2, os.cpu_count() or 1))


def worker_app() -> App:
    """The workspace as this worker opened it."""
    assert _APP is not None, "not in a worker of workflow.pool"
    return _APP


_PR_SET_PDEATHSIG = 1


def _die_with(parent: int) -> None:
    """Ask the kernel to kill this worker when the process that started it dies (Linux
    ``prctl(PR_SET_PDEATHSIG, SIGKILL)``), so a killed ``dossier export`` or ``audit verify``
    leaves no worker running; if the parent is already gone, stop now."""
    import ctypes
    import signal

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
    except (OSError, AttributeError):  # not Linux: the executor's own checks remain
        pass
    if os.getppid() != parent:
        os._exit(1)


def _init(workspace: Workspace, actor: str | None, parent: int) -> None:
    """A worker's start: the caller's workspace (its settings and database URL, handed over
    as an argument) opened again, for the same actor."""
    global _APP
    _die_with(parent)
    _APP = App(workspace, Database(workspace.database_url), actor)


def run(app: App, task: Callable[[T], R], items: Sequence[T], workers: int, *,
        per_worker: int | None = None) -> Iterator[tuple[T, R]]:
    """``(item, task(item))`` for every item, in the order they finish, computed in
    ``workers`` forked processes (``task`` must be a module-level function; in a worker,
    :func:`worker_app` is the workspace). ``per_worker``: replace the pool after ``per_worker`` ×
    ``workers`` tasks. The caller may keep working while it iterates."""
    if not items:
        return
    ws = app.workspace
    app.db.dispose()  # no connection crosses the fork
    ws.files.close()
    context = multiprocessing.get_context("fork" if os.name == "posix" else "spawn")
    batch = len(items) if per_worker is None else max(1, per_worker * workers)
    for start in range(0, len(items), batch):
        chunk = items[start:start + batch]
        with ProcessPoolExecutor(max_workers=min(workers, len(chunk)), mp_context=context,
                                 initializer=_init,
                                 initargs=(ws, app.actor_id, os.getpid())) as pool:
            futures: dict[Any, int] = {pool.submit(task, item): i for i, item in enumerate(chunk)}
            for future in as_completed(futures):
                yield chunk[futures[future]], future.result()
