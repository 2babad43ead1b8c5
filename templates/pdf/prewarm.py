"""A printer process started before the database is opened.

A one-off ``resolutions render --format pdf`` spends about a third of its time importing
WeasyPrint and as much again importing the ORM and reading the version. :func:`start` forks
a child at the beginning of the command; it imports WeasyPrint and makes its font
configuration on the second core while this process opens the database and builds the page,
then prints every page it is handed (:func:`render`). The two imports overlap instead of
adding up; the child's printing is :func:`templates.pdf.printing.print_pdf`, the same as in
one process, so the bytes do not depend on which process printed them.

Nothing depends on the child: when there is no ``fork`` (Windows), when WeasyPrint is
already imported (a long-lived process, a test run), when other threads run (a lock one of
them holds would stay held in the child forever), when the caller does not start it (the
command line with ``RESOLUTIONS_PREWARM=0``), or when the child fails or dies, :func:`render` returns ``None`` and the caller prints in its
own process — a failing page then raises there, with its own traceback. The child only ever
talks to its parent over two pipes; :func:`stop` (also at exit) ends it at once.
"""

from __future__ import annotations

import atexit
import os
import pickle
import signal
import struct
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO, Any

from templates.pdf.printing import Job

__all__ = ["start", "render", "stop", "active"]

_HEADER = struct.Struct(">Q")


@dataclass
class _Child:
    pid: int
    to: IO[bytes]
    back: IO[bytes]


_child: _Child | None = None
_lock = threading.Lock()


def _send(stream: IO[bytes], message: object) -> None:
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_HEADER.pack(len(data)) + data)
    stream.flush()


def _recv(stream: IO[bytes]) -> Any:
    """The next message, or ``None`` when the other end has gone."""
    head = stream.read(_HEADER.size)
    if len(head) < _HEADER.size:
        return None
    (size,) = _HEADER.unpack(head)
    data = stream.read(size)
    if len(data) < size:
        return None
    return pickle.loads(data)  # noqa: S301 -- our own forked child, over our own pipe


def active() -> bool:
    """Whether a printer process is running (for tests and the benchmark)."""
    return _child is not None


def start() -> None:
    """Fork the printer, unless it cannot help (see the module's documentation)."""
    global _child
    with _lock:
        if (_child is not None or not hasattr(os, "fork") or "weasyprint" in sys.modules
                or threading.active_count() > 1):  # a fork copies only this thread: no locks
            return
        down_r, down_w = os.pipe()
        up_r, up_w = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: never returns
            try:
                os.close(down_w)
                os.close(up_r)
                signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides
                null = os.open(os.devnull, os.O_RDWR)
                os.dup2(null, 0)
                os.dup2(null, 1)
                _serve(os.fdopen(down_r, "rb"), os.fdopen(up_w, "wb"))
            except BaseException:  # noqa: BLE001 -- whatever happens, the parent falls back
                pass
            finally:
                os._exit(0)
        os.close(down_r)
        os.close(up_w)
        _child = _Child(pid, os.fdopen(down_w, "wb"), os.fdopen(up_r, "rb"))
    atexit.register(stop)


def _serve(inp: IO[bytes], out: IO[bytes]) -> None:
    """The child: import WeasyPrint, then print each page handed over until the pipe closes."""
    from weasyprint.text.fonts import FontConfiguration

    from templates.pdf.printing import print_pdf

    fonts = FontConfiguration()

    def seal(body: bytes) -> str:  # the parent holds the key
        _send(out, ("map", body))
        reply = _recv(inp)
        if reply is None:
            raise EOFError("the parent went away")
        return str(reply[1])

    while (request := _recv(inp)) is not None:
        html, job, sealed = request
        try:
            _send(out, ("pdf", print_pdf(html, job, fonts, seal if sealed else None)))
        except Exception as exc:  # noqa: BLE001 -- reported; the parent prints it again itself
            _send(out, ("error", f"{type(exc).__name__}: {exc}"))


def render(html: str, job: Job, seal: Callable[[bytes], str] | None = None) -> bytes | None:
    """The PDF printed by the child, or ``None`` when there is none or it failed."""
    with _lock:
        child = _child
        if child is None:
            return None
        try:
            _send(child.to, (html, job, seal is not None))
            while (reply := _recv(child.back)) is not None:
                kind, value = reply
                if kind == "map" and seal is not None:
                    _send(child.to, ("seal", seal(value)))
                    continue
                if kind == "pdf":
                    return bytes(value)
                break  # an error: the caller prints in-process and raises it there
        except (OSError, ValueError, pickle.PickleError):
            pass
        except BaseException:
            _stop(child)
            raise
        _stop(child)
        return None


def stop() -> None:
    """End the printer (at once: it may still be importing)."""
    with _lock:
        if _child is not None:
            _stop(_child)


def _stop(child: _Child) -> None:
    global _child
    _child = None
    for stream in (child.to, child.back):
        try:
            stream.close()
        except OSError:
            pass
    try:
        os.kill(child.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    try:
        os.waitpid(child.pid, 0)
    except ChildProcessError:
        pass
