"""The one clock of the workflow's records: the real UTC time, to the second. Every date
the workflow writes — audit events, versions, rounds, approvals, submissions, the dates
documents show — comes from here.

Nothing in the environment of a run can move it. A caller that needs another time — a
test, a benchmark building an old archive — installs a source with :func:`use` in its own
process (see ``tests/launch.py``); the audit log refuses an event dated before the one it
follows, whatever the source. The times cryptography judges by are the real time, read
by pyHanko and OpenSSL: a certificate's validity, a CRL's revocation dates
(``workflow.signing.trust``) and the moment a dossier is sealed (its VERIFY.txt
``-attime``). That time is read here too, with :func:`real_now`, which no source moves."""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable

__all__ = ["now", "today", "use", "real_now"]

_source: Callable[[], _dt.datetime] | None = None


def use(source: Callable[[], _dt.datetime] | None) -> Callable[[], _dt.datetime] | None:
    """Take the time from ``source`` in this process (None: the real clock again); the
    source it replaces, to be put back."""
    global _source
    previous, _source = _source, source
    return previous


def now() -> _dt.datetime:
    if _source is not None:
        value = _source()
        return value if value.tzinfo else value.replace(tzinfo=_dt.timezone.utc)
    return _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0)


def today() -> _dt.date:
    return now().date()


def real_now() -> _dt.datetime:
    """The machine's UTC time, to the second, whatever source :func:`use` installed: for the
    times that validators outside the workflow judge by the real clock."""
    return _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0)
