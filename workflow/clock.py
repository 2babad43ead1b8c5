"""The one clock of the workflow. ``RESOLUTIONS_NOW`` (ISO 8601) freezes it for tests
and for reproducible demos."""

from __future__ import annotations

import datetime as _dt
import os

__all__ = ["now", "today"]


def now() -> _dt.datetime:
    frozen = os.environ.get("RESOLUTIONS_NOW")
    if frozen:
        value = _dt.datetime.fromisoformat(frozen)
        return value if value.tzinfo else value.replace(tzinfo=_dt.timezone.utc)
    return _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0)


def today() -> _dt.date:
    return now().date()
