"""Which version an edited text was taken from, and what an edit on an older one becomes.

``resolutions source`` starts its output with a line naming the version it prints
(``# base: RCWG/RES/2024/1 version 3 sha256:…``); ``$EDITOR`` gets the same line, a Word
draft and an XLIFF file carry their version in their own way. When the text comes back and
the resolution has moved on meanwhile, the edit is a three-way merge by paragraph id
(:mod:`drafts.merge`): the base version, this text, the current version. Changes to
different paragraphs are all kept and the result says whose came from where; changes to the
same paragraph are refused, naming it, and nothing is stored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from drafts.model import Resolution
from workflow.errors import ConcurrencyError, InvalidInput

__all__ = ["Base", "header", "with_header", "split_header", "Merge", "EditConflict",
           "merge_onto"]

_HEADER = re.compile(r"^# base: (?P<symbol>\S+) version (?P<version>\d{1,9}) "
                     r"sha256:(?P<hash>[0-9a-f]{64})\b[^\n]*(?:\n|$)")


@dataclass(frozen=True)
class Base:
    """The version a text says it was taken from."""

    symbol: str
    version: int
    content_hash: str


def header(symbol: str, version: int, content_hash: str) -> str:
    return (f"# base: {symbol} version {version} sha256:{content_hash} — keep this line: "
            "'resolutions edit' keeps changes others made since\n")


def with_header(symbol: str, version: int, content_hash: str, source: str) -> str:
    """The source as ``source`` and the editor show it: the base line, then the text."""
    return header(symbol, version, content_hash) + source


def split_header(text: str) -> tuple[Base | None, str]:
    """(the base the text names, the text without that line)."""
    body = text[1:] if text.startswith("\ufeff") else text
    found = _HEADER.match(body)
    if found is None:
        return None, text
    return (Base(found["symbol"], int(found["version"]), found["hash"]),
            body[found.end():])


class EditConflict(ConcurrencyError):
    """An edit on an older version touches paragraphs changed since; ``units`` names them."""

    def __init__(self, symbol: str, base: int, current: int, units: list[str]) -> None:
        self.units = units
        super().__init__(symbol, (
            f"{symbol} changed since version {base}, which this text was taken from: "
            f"version{'s' if current - base > 1 else ''} "
            f"{base + 1}{f'–{current}' if current - base > 1 else ''} changed the same "
            f"{'part' if len(units) == 1 else 'parts'} as this text ({', '.join(units)}); "
            f"nothing stored. Make the change again on version {current} ('resolutions "
            "source', or a new Word or XLIFF export)"))


@dataclass(frozen=True)
class Merge:
    """What a three-way merge did: the base, the version it was applied over, whose units."""

    base: int
    onto: int
    ours: list[str] = field(default_factory=list)
    theirs: list[str] = field(default_factory=list)

    def note(self) -> str:
        mine = ", ".join(self.ours) or "nothing"
        kept = ", ".join(self.theirs) or "nothing"
        return (f"merged: this text was taken from version {self.base}; its changes ({mine}) "
                f"were applied over version {self.onto}, keeping the changes made since "
                f"({kept})")

    def to_json(self) -> dict[str, object]:
        return {"base": self.base, "onto": self.onto, "ours": self.ours,
                "theirs": self.theirs}


def _named(units: list[str], *models: Resolution) -> list[str]:
    """Paragraph ids shown with their reference (``op-supplies (OP 4)``)."""
    from drafts.numbering import refs

    known: dict[str, str] = {}
    for model in models:
        for pid, ref in refs(model).items():
            known.setdefault(pid, ref)
    return [f"{u} ({known[u]})" if u in known else u for u in units]


def merge_onto(symbol: str, base_no: int, base: Resolution, ours: Resolution,
               current_no: int, current: Resolution) -> tuple[Resolution, Merge]:
    """``ours`` (taken from version ``base_no``) applied over the current version."""
    from drafts.merge import MergeConflict, changed_units, merge  # (only an edit on an
    # older version merges: the others do not import it)
    try:
        merged = merge(base, ours, current)
    except MergeConflict as exc:
        raise EditConflict(symbol, base_no, current_no,
                           _named(list(exc.units), current, ours)) from None
    theirs = [u for u in merged.theirs if u in set(changed_units(base, current))]
    return merged.model, Merge(base_no, current_no, _named(list(merged.ours), merged.model),
                               _named(theirs, current))


def check_base(symbol: str, base: Base | None, filename: str) -> None:
    if base is not None and base.symbol != symbol:
        raise InvalidInput(f"{filename}: this text was taken from {base.symbol} (its first "
                           f"line says so), not {symbol}; edit {base.symbol} with it, or "
                           "delete that line to replace this resolution's text")
