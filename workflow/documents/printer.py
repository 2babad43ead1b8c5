"""The printer process of a one-off render (:mod:`templates.pdf.prewarm`), started and
stopped for the command line, which says whether it is wanted (``RESOLUTIONS_PREWARM=0``
turns it off)."""

from __future__ import annotations

__all__ = ["start", "stop"]


def start(enabled: bool = True) -> None:
    """Fork the printer before the database is opened (nothing when not ``enabled``)."""
    if enabled:
        from templates.pdf import prewarm

        prewarm.start()


def stop() -> None:
    from templates.pdf import prewarm

    prewarm.stop()
