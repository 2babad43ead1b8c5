"""`diff`: word-level changes between two versions of a resolution, as a typed result."""

from __future__ import annotations

from dataclasses import dataclass, field

from drafts.diff import compare
from workflow.app import App
from workflow.errors import InvalidInput
from workflow.store.texts import load_version

__all__ = ["VersionDiff", "Change", "version_diff"]


@dataclass(frozen=True)
class Change:
    id: str
    status: str
    old_ref: str | None
    new_ref: str | None
    segments: dict[str, list[tuple[str, str]]] = field(default_factory=dict)

    def to_json(self) -> dict[str, object]:
        return {"id": self.id, "status": self.status, "old_ref": self.old_ref,
                "new_ref": self.new_ref,
                "segments": {lang: [[op, text] for op, text in segs]
                             for lang, segs in self.segments.items()}}


@dataclass(frozen=True)
class VersionDiff:
    symbol: str
    old: int
    new: int
    changes: list[Change]

    def to_json(self) -> dict[str, object]:
        return {"symbol": self.symbol, "from": self.old, "to": self.new,
                "changes": [c.to_json() for c in self.changes]}


def version_diff(app: App, ref: str, old: int | None, new: int | None) -> VersionDiff:
    """The changes from version ``old`` (default: the one before ``new``) to ``new``
    (default: the current one). A version that does not exist is named as such."""
    with app.read() as session:
        row = app.resolution(session, ref)
        new_no = new or row.current_version
        old_no = old or max(1, new_no - 1)
        newer = app.version(session, row, new_no)   # NotFound names the versions there are
        older = app.version(session, row, old_no)
        if old_no > new_no:
            raise InvalidInput(f"--from {old_no} is after --to {new_no}; swap them")
        a, b = load_version(session, older), load_version(session, newer)
    changes = [Change(c.id, c.status, c.old_ref, c.new_ref,
                      {lang: [(s.op, s.text) for s in segs] for lang, segs in c.segments.items()})
               for c in compare(a, b)]
    return VersionDiff(row.symbol, old_no, new_no, changes)
