"""Human output of the command line, without click: the services' results in, text out.

- :mod:`workflow.presenting.tables` — aligned tables, styled spans, the listing commands' tables;
- :mod:`workflow.presenting.texts` — the numbered text of a version and version diffs;
- :mod:`workflow.presenting.reports` — status, parity check, verification and delivery reports;
- :mod:`workflow.presenting.terminal` — refusals and bugs, log levels, a reader gone away,
  progress bars.

Each function returns the text to print (styles as ANSI escapes, which the command line
strips when the output is not a terminal) and never prints itself. Nothing is imported
here, so a command pays only for the views it uses.
"""

from __future__ import annotations

__all__ = ["reports", "tables", "terminal", "texts"]
