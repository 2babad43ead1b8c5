"""Bold and coloured spans as ANSI escapes, and plain aligned tables.

The escapes are the ones terminals understand; the command line drops them when its output
is not a terminal. A table is plain text laid out by display width, so Chinese text lines
up and nothing heavy is imported to draw it.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from typing import Any

__all__ = ["bold", "green", "red", "table", "width"]

_RESET = "\x1b[0m"


def bold(text: str) -> str:
    return f"\x1b[1m{text}{_RESET}"


def green(text: str) -> str:
    return f"\x1b[32m{text}{_RESET}"


def red(text: str) -> str:
    return f"\x1b[31m{text}{_RESET}"


def width(text: str) -> int:
    """Columns the text takes on a terminal (wide and full-width characters count 2)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def table(columns: Sequence[str], rows: Iterable[Sequence[Any]], title: str | None = None) -> str:
    """An aligned table: optional title, bold header, a rule, one line per row (cells with
    line breaks are folded onto one line)."""
    cells = [[" ".join(str(x).split()) for x in row] for row in rows]
    widths = [max([width(col)] + [width(row[i]) for row in cells])
              for i, col in enumerate(columns)]

    def line(values: Sequence[str]) -> str:
        return "  ".join(v + " " * (w - width(v)) for v, w in zip(values, widths)).rstrip()

    out = [title] if title else []
    out += [bold(line(columns)), line(["-" * w for w in widths])]
    out += [line(row) for row in cells]
    return "\n".join(out)
