"""The test-only entry point: `python -m tests.launch ARGS…` is `resolutions ARGS…` with
the test hooks installed from this process's environment — a frozen clock
(``RESOLUTIONS_NOW``, ISO 8601) and crash points (``RESOLUTIONS_CRASH_AT``, with
``RESOLUTIONS_CRASH_LOG``). The installed `resolutions` command reads none of these: they
exist only here, in the tests."""

from __future__ import annotations

import datetime as _dt
import os

__all__ = ["install", "main", "env_clock"]


def env_clock() -> _dt.datetime:
    frozen = os.environ.get("RESOLUTIONS_NOW")
    if frozen:
        value = _dt.datetime.fromisoformat(frozen)
        return value if value.tzinfo else value.replace(tzinfo=_dt.timezone.utc)
    return _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0)


def install() -> None:
    """Take the clock and the crash points from the environment, in this process."""
    from workflow import clock, crashpoints

    clock.use(env_clock)
    crashpoints.arm(os.environ.get("RESOLUTIONS_CRASH_AT", ""),
                    os.environ.get("RESOLUTIONS_CRASH_LOG") or None)


def main() -> None:
    install()
    from cli_main import main as console_script

    console_script()


if __name__ == "__main__":
    main()
