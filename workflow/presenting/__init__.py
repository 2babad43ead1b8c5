"""Human output of the command line, without click: the services' results in, text out.

- :mod:`workflow.presenting.style` — bold and coloured spans, aligned tables;
- :mod:`workflow.presenting.texts` — the numbered text of a version and version diffs;
- :mod:`workflow.presenting.listings` — the tables of the listing commands;
- :mod:`workflow.presenting.reports` — status, parity check, verification and delivery reports;
- :mod:`workflow.presenting.refusals` — which exceptions are refusals, and a bug's one line;
- :mod:`workflow.presenting.console` — log levels, counting commits, a reader gone away;
- :mod:`workflow.presenting.progress` — a progress bar for long steps, on a terminal only.

Each function returns the text to print (styles as ANSI escapes, which the command line
strips when the output is not a terminal) and never prints itself. Nothing is imported
here, so a command pays only for the views it uses.
"""

from __future__ import annotations

__all__ = ["console", "listings", "progress", "refusals", "reports", "style", "texts"]
